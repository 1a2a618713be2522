import { describe, expect, it } from 'vitest';
import { unwrap } from '../../core/result.ts';
import { parseFleetOptions } from '../../emulator/fleet/fleet-options.ts';
import { runFleetShard, type FleetResult } from '../../emulator/fleet/fleet-runner.ts';
import { fleetEngine } from '../../scale/fleet-engine.ts';
import { runLocal } from '../../scale/launch.ts';
import { runInProcess } from '../../scale/protocol/in-process.ts';

const CONFIG = { premises: 60, days: 3, seed: 'fleet-shards' };
const options = unwrap(parseFleetOptions(CONFIG, 'config'));
const decode = (b: Uint8Array): FleetResult => JSON.parse(new TextDecoder().decode(b)) as FleetResult;

describe('the device fleet as a sharded engine', () => {
  const oneThread = runFleetShard(options);

  it('gives the one-thread fleet, premises for premises, with 1, 2 and 4 shards', () => {
    for (const shards of [1, 2, 4]) {
      const run = runInProcess({ spec: { kind: fleetEngine, config: options }, shards });
      expect(decode(run.result), `${shards} shards`).toEqual(oneThread);
    }
    expect(oneThread.consumers).toHaveLength(60);
    expect(oneThread.meterDays).toBeGreaterThan(0);
  });

  it('runs a day per window: no message crosses shards', () => {
    expect(fleetEngine.model(options).lookaheadMs).toBe(86_400_000);
  });

  it('gives the same result as two worker threads over the embedded broker', async () => {
    const run = await runLocal({ mode: 'workers', shards: 2, engine: 'fleet', config: CONFIG, doneTimeoutMs: 60_000 });
    expect(run.ok).toBe(true);
    if (run.ok) expect(decode(run.outcome.result)).toEqual(oneThread);
  }, 120_000);

  it('refuses a bad configuration naming the field', () => {
    expect(fleetEngine.parse({ premises: -1 })).toMatchObject({ ok: false, error: { path: 'config.premises' } });
  });
});
