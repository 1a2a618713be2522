import { fieldError, type FieldError } from '../../core/errors.ts';
import { err, ok, type Result } from '../../core/result.ts';
import { shardsByHub, type ShardOf } from './acl.ts';
import type { BrokerPolicyOptions } from './broker-auth.ts';
import { MultiplexedBusFactory, shardOfClient } from './multiplexed-bus.ts';
import type { BusFactory } from './port.ts';

/**
 * How the clients of a run reach the broker (docs/bus.md "Connection model"):
 * - `'per-client'`: every comms hub and device has its own connection, its
 *   own will and its own broker ACL;
 * - per-shard: comms hubs and devices are carried, a premises together, over
 *   one connection per shard (`MultiplexedBusFactory`), `hubsPerShard` hubs
 *   to a shard (default `DEFAULT_HUBS_PER_SHARD`); the DSP, users and
 *   observers keep their own.
 */
export type ConnectionModel = 'per-client' | { readonly kind: 'per-shard'; readonly hubsPerShard?: number };

/** The fleet size above which `'auto'` multiplexes: one connection per comms hub up to 10 000 hubs. */
export const DEFAULT_PER_SHARD_ABOVE = 10_000;

/**
 * Comms hubs per shard connection by default: 100 000 hubs take 1 000
 * connections, far below a process's open-file limit (about 20 000), and a
 * shard's per-hub grants stay short enough for mosquitto, which checks a
 * user's ACL lines one by one on every message: to a hub on a shard of 100
 * it still delivers about 80 % of the rate to a hub with its own connection,
 * on a shard of 1 000 about a third (docs/benchmarks.md).
 */
export const DEFAULT_HUBS_PER_SHARD = 100;

/** How to choose the connection model of a run. */
export interface ConnectionModelOptions {
  /** A model, or `'auto'` (the default): per-client up to `perShardAbove` comms hubs, per-shard above. */
  readonly model?: ConnectionModel | 'auto';
  /** For `'auto'`: the largest fleet still connected per client. Default `DEFAULT_PER_SHARD_ABOVE`. */
  readonly perShardAbove?: number;
  /** For `'auto'` when it multiplexes: comms hubs per shard. Default `DEFAULT_HUBS_PER_SHARD`. */
  readonly hubsPerShard?: number;
}

/** A connection model resolved for a fleet: what the bus and the broker are built with. */
export type ConnectionPlan =
  | { readonly model: 'per-client' }
  | {
      readonly model: 'per-shard';
      /** How many shard connections the fleet needs (`shards` names `shard-0` … up to this). */
      readonly shardCount: number;
      /** Which shard carries each hub and device: give the same to the broker (`brokerPolicyFor`). */
      readonly shards: ShardOf;
    };

/**
 * The connection plan of a fleet of `hubs` comms hubs. Bad options — from a
 * command line or a configuration file — are an error value naming the option.
 *
 * @example
 * planConnections(2_000); // ok({ model: 'per-client' })
 * planConnections(100_000); // ok({ model: 'per-shard', shardCount: 1000, shards })
 * planConnections(500, { model: { kind: 'per-shard', hubsPerShard: 100 } }); // 5 shards
 */
export function planConnections(hubs: number, options: ConnectionModelOptions = {}): Result<ConnectionPlan, FieldError> {
  if (!Number.isSafeInteger(hubs) || hubs < 0) return err(fieldError('hubs', 'range', 'a whole number of comms hubs, 0 or more', hubs));
  const perShardAbove = options.perShardAbove ?? DEFAULT_PER_SHARD_ABOVE;
  if (!Number.isSafeInteger(perShardAbove) || perShardAbove < 0) {
    return err(fieldError('perShardAbove', 'range', 'a whole number of comms hubs, 0 or more', perShardAbove));
  }
  const model = options.model ?? 'auto';
  let hubsPerShard: unknown;
  if (model === 'per-client') return ok({ model: 'per-client' });
  if (model === 'auto') {
    if (hubs <= perShardAbove) return ok({ model: 'per-client' });
    hubsPerShard = options.hubsPerShard ?? DEFAULT_HUBS_PER_SHARD;
  } else if (typeof model === 'object' && model !== null && (model as { kind?: unknown }).kind === 'per-shard') {
    hubsPerShard = model.hubsPerShard ?? options.hubsPerShard ?? DEFAULT_HUBS_PER_SHARD;
  } else {
    return err(fieldError('model', 'unknown-kind', "'per-client', { kind: 'per-shard' } or 'auto'", model));
  }
  if (typeof hubsPerShard !== 'number' || !Number.isSafeInteger(hubsPerShard) || hubsPerShard < 1) {
    return err(fieldError('hubsPerShard', 'range', 'a whole number of comms hubs, 1 or more', hubsPerShard));
  }
  // At most 100 000 shards (shardsByHub's bound): more than one per hub would gain nothing.
  const shardCount = Math.min(100_000, Math.max(1, Math.ceil(hubs / hubsPerShard)));
  return ok({ model: 'per-shard', shardCount, shards: shardsByHub(shardCount) });
}

/**
 * The bus a run's clients connect through under `plan`: `bus` itself per
 * client, or a `MultiplexedBusFactory` over it per shard (checking each hub
 * and device against `acl.ts`, since the broker sees only the shard).
 */
export function busForPlan<F extends BusFactory & { settle(): Promise<void> }>(bus: F, plan: ConnectionPlan): F | MultiplexedBusFactory {
  return plan.model === 'per-client' ? bus : new MultiplexedBusFactory(bus, { shardOf: shardOfClient(plan.shards) });
}

/** The broker's policy options under `plan`, for `brokerHooks` and `writeMosquittoAuth`: the shards' grants, if any. */
export function brokerPolicyFor(plan: ConnectionPlan): BrokerPolicyOptions {
  return plan.model === 'per-client' ? {} : { shards: plan.shards };
}
