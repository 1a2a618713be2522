import { unwrap } from '../../core/result.ts';
import { runInProcess, type InProcessOutcome } from '../../scale/protocol/in-process.ts';
import { parseToyConfig, toyEngine, type ToyConfig } from '../../scale/toy-engine.ts';

/** The toy scenario the bus tests run: small enough for a test, long enough for many windows (60 of 1 s). */
export const TOY_JSON = { seed: 'scale-runtime', entities: 300, durationMs: 60_000 } as const;
export const TOY: ToyConfig = unwrap(parseToyConfig(TOY_JSON));

let reference: InProcessOutcome | undefined;
/** The same run in one thread without a bus: what every bus run must reproduce byte for byte. */
export function referenceRun(): InProcessOutcome {
  reference ??= runInProcess({ spec: { kind: toyEngine, config: TOY }, shards: 1 });
  return reference;
}
