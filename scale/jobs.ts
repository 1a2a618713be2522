import { formatFieldError } from '../core/errors.ts';
import { err, type Result } from '../core/result.ts';
import { MqttBusFactory } from '../emulator/bus/mqtt-bus.ts';
import type { Bus, BusFactory, BusIdentity, ConnectError } from '../emulator/bus/port.ts';
import type { Routing } from '../proto/scale-codec.ts';
import { runCoordinator, type CoordinatorHooks, type RunOutcome } from './coordinator.ts';
import { engineSpecOf } from './engines.ts';
import { runShard, type ShardHostEvent, type ShardOutcome } from './shard.ts';

/**
 * A coordinator or a shard as plain data — what crosses to a worker thread,
 * a child process's command line, or a container's environment — and how to
 * run one: connect to the broker by URL (retrying while it is not up yet),
 * build the engine by name, run.
 */

/** One shard of a run, as data. */
export interface ShardJob {
  readonly brokerUrl: string;
  readonly runId: string;
  readonly shard: number | 'auto';
  readonly shards: number;
  /** The engine kind's name (`scale/engines.ts`). */
  readonly engine: string;
  /** Its configuration, as JSON. */
  readonly config: unknown;
  readonly routing: Routing;
  readonly helloIntervalMs?: number;
  readonly helloTimeoutMs?: number;
  readonly connectRetryMs?: number;
  /** MQTT keepalive in seconds; default `DEFAULT_KEEPALIVE_S`. */
  readonly keepaliveSeconds?: number;
  /** Fault injection for tests: stop answering from this window on. */
  readonly hangAtWindow?: number;
}

/** The coordinator of a run, as data. */
export interface CoordinatorJob {
  readonly brokerUrl: string;
  readonly runId: string;
  readonly shards: number;
  readonly engine: string;
  readonly config: unknown;
  readonly routing: Routing;
  readonly doneTimeoutMs?: number;
  readonly setupTimeoutMs?: number;
  readonly helloTimeoutMs?: number;
  readonly connectRetryMs?: number;
  readonly keepaliveSeconds?: number;
}

/**
 * MQTT keepalive of the run's connections, in seconds: long, because a shard
 * that builds a large world or runs a heavy window blocks its event loop, and
 * a broker drops a client silent for 1.5 keepalives (its will would then fail
 * the run). A crash still closes the socket at once, and a silent shard is
 * caught by the coordinator's done timeout, so nothing waits on keepalive.
 */
export const DEFAULT_KEEPALIVE_S = 300;

/** Runs a shard job to the end of its run (see `runShard`). */
export async function runShardJob(job: ShardJob, onEvent?: (event: ShardHostEvent) => void): Promise<ShardOutcome> {
  const spec = engineSpecOf(job.engine, job.config);
  if (!spec.ok) throw new TypeError(`shard job: ${formatFieldError(spec.error)}`);
  const factory = new MqttBusFactory({ url: job.brokerUrl, keepaliveSeconds: job.keepaliveSeconds ?? DEFAULT_KEEPALIVE_S });
  return runShard({
    bus: retrying(factory, job.connectRetryMs ?? 30_000),
    runId: job.runId,
    shard: job.shard,
    shards: job.shards,
    spec: spec.value,
    routing: job.routing,
    ...(job.helloIntervalMs === undefined ? {} : { helloIntervalMs: job.helloIntervalMs }),
    ...(job.helloTimeoutMs === undefined ? {} : { helloTimeoutMs: job.helloTimeoutMs }),
    ...(job.hangAtWindow === undefined ? {} : { hangAtWindow: job.hangAtWindow }),
    ...(onEvent === undefined ? {} : { onEvent }),
  });
}

/** Runs a coordinator job to the end of its run (see `runCoordinator`). */
export async function runCoordinatorJob(job: CoordinatorJob, hooks?: CoordinatorHooks): Promise<RunOutcome> {
  const spec = engineSpecOf(job.engine, job.config);
  if (!spec.ok) throw new TypeError(`coordinator job: ${formatFieldError(spec.error)}`);
  const factory = new MqttBusFactory({ url: job.brokerUrl, keepaliveSeconds: job.keepaliveSeconds ?? DEFAULT_KEEPALIVE_S });
  return runCoordinator({
    bus: retrying(factory, job.connectRetryMs ?? 30_000),
    runId: job.runId,
    shards: job.shards,
    spec: spec.value,
    routing: job.routing,
    ...(job.doneTimeoutMs === undefined ? {} : { doneTimeoutMs: job.doneTimeoutMs }),
    ...(job.setupTimeoutMs === undefined ? {} : { setupTimeoutMs: job.setupTimeoutMs }),
    ...(job.helloTimeoutMs === undefined ? {} : { helloTimeoutMs: job.helloTimeoutMs }),
    ...(hooks === undefined ? {} : { hooks }),
  });
}

/**
 * A factory that tries again, every half second, while the broker is
 * unreachable — for a container started before its broker — up to `retryMs`.
 * A refusal is final.
 */
export function retrying(factory: BusFactory, retryMs: number): BusFactory {
  return {
    connect: async (identity: BusIdentity): Promise<Result<Bus, ConnectError>> => {
      const deadline = Date.now() + retryMs;
      for (;;) {
        const r = await factory.connect(identity);
        if (r.ok || r.error.code !== 'unreachable' || Date.now() >= deadline) return r.ok ? r : err(r.error);
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    },
  };
}
