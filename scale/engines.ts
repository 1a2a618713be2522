import { fieldError, type FieldError } from '../core/errors.ts';
import { err, ok, type Result } from '../core/result.ts';
import type { EngineKind, EngineSpec } from './engine.ts';
import { fleetEngine } from './fleet-engine.ts';
import { solrEngine } from './solr-engine.ts';
import { toyEngine } from './toy-engine.ts';

/**
 * The engine kinds a shard or coordinator can build by name (`--engine`,
 * `SMETS_ENGINE`): the stand-in `toy`, the device `fleet` and the flagship SoLR world `solr`.
 */
export const ENGINE_KINDS: ReadonlyMap<string, EngineKind<unknown>> = new Map<string, EngineKind<unknown>>([
  [toyEngine.kind, toyEngine],
  [fleetEngine.kind, fleetEngine],
  [solrEngine.kind, solrEngine],
]);

/** An engine kind by name with its configuration parsed, or why not. */
export function engineSpecOf(
  kind: unknown,
  rawConfig: unknown,
  kinds: ReadonlyMap<string, EngineKind<unknown>> = ENGINE_KINDS,
): Result<EngineSpec, FieldError> {
  const engine = typeof kind === 'string' ? kinds.get(kind) : undefined;
  if (engine === undefined) return err(fieldError('engine', 'unknown-kind', `one of ${[...kinds.keys()].join(', ')}`, kind));
  const config = engine.parse(rawConfig);
  return config.ok ? ok({ kind: engine, config: config.value }) : config;
}
