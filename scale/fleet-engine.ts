import { DAY_MS } from '../core/time/duration.ts';
import { parseFleetOptions, type FleetOptions } from '../emulator/fleet/fleet-options.ts';
import { FleetShard, type FleetResult } from '../emulator/fleet/fleet-runner.ts';
import { merge } from '../emulator/fleet/parallel-fleet.ts';
import type { EngineKind, EngineModel, Placement, ShardEngine, StepOutput, TimeWindow } from './engine.ts';
import { canonicalJson, sha256Hex } from './protocol/digest.ts';

/**
 * The device fleet as a sharded engine: each shard runs a contiguous block of
 * premises (their meters, PPMIDs and households) on its own clock. Premises
 * never talk to each other, so no message crosses shards and the lookahead
 * can be a whole day: a 28-day run is 28 windows, and the coordinator's only
 * work is to keep the shards in step and gather their outcomes. The merged
 * result is the one-thread fleet's, premises for premises.
 *
 * It is the real device work on the sharded runtime, so its scaling is that
 * of the twin's meters, not of a stand-in; the SoLR world, whose DSP talks to
 * every meter, is a further engine kind.
 */

/** The fleet's configuration as `parseFleetOptions` reads it (`smets-twin fleet`'s options). */
export const fleetEngine: EngineKind<FleetOptions> = {
  kind: 'fleet',
  parse: (raw) => parseFleetOptions(raw, 'config'),
  model: (o): EngineModel => {
    const { seed: _seed, ...scenario } = o;
    return {
      scenarioDigest: sha256Hex(canonicalJson({ engine: 'fleet', ...scenario })),
      seed: o.seed,
      lookaheadMs: DAY_MS,
      end: o.start + o.days * DAY_MS,
    };
  },
  create: (o, placement) => new FleetShardEngine(o, placement),
  merge: (parts) => encode(merge(parts.map(decode))),
};

class FleetShardEngine implements ShardEngine {
  private readonly shard: FleetShard;

  constructor(o: FleetOptions, placement: Placement) {
    // Blocks in premises order, so shard results concatenate in order and the fleet's key material is derived per block.
    const first = Math.floor((placement.shard * o.premises) / placement.shards);
    const last = Math.floor(((placement.shard + 1) * o.premises) / placement.shards);
    this.shard = new FleetShard(o, first, last - first);
  }

  nextEvent(): number | null {
    const t = this.shard.clock.nextTime();
    return t === Infinity ? null : t;
  }

  step(window: TimeWindow): StepOutput {
    // Half-open window: integer instants, so "before until" is "at or before until − 1".
    if (window.until - 1 > this.shard.clock.now()) this.shard.runUntil(window.until - 1);
    return { outbound: [], next: this.nextEvent() };
  }

  result(): Uint8Array {
    // The windows stop short of the end instant; a fleet run includes it (a top-up due at the end still happens).
    this.shard.runUntil(this.shard.end);
    return encode(this.shard.result());
  }
}

const encode = (r: FleetResult): Uint8Array => new TextEncoder().encode(JSON.stringify(r));
const decode = (b: Uint8Array): FleetResult => JSON.parse(new TextDecoder().decode(b)) as FleetResult;
