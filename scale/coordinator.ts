import type { Bus, BusFactory, BusMessage } from '../emulator/bus/port.ts';
import { decodeScale, encodeScale, type Routing, type ScaleBody, type ScaleMessage } from '../proto/scale-codec.ts';
import type { EngineSpec } from './engine.ts';
import { CoordinatorCore, type CoordinatorEffect, type CoreOutcome, type ReleasedWindow } from './protocol/coordinator-core.ts';
import { sha256Hex } from './protocol/digest.ts';
import { ScaleRunError, type ScaleFailure, type ShardRef } from './protocol/failure.ts';
import { keyRouter } from './protocol/shard-key.ts';
import { coordinatorClientId, runTopics } from './protocol/topics.ts';

/**
 * The coordinator of a sharded run on the bus: waits for N shards, checks
 * they run the same scenario, releases windows of virtual time, gathers the
 * results and merges them. The protocol is `CoordinatorCore`'s; this is the
 * I/O around it, and the wall clock: a shard that does not answer within
 * the timeout, or whose last will arrives, fails the run, and every other
 * shard is told to stop. // docs/scale-out.md
 */

export interface CoordinatorHooks {
  /** Every shard said hello and was accepted. */
  readonly started?: (shards: readonly ShardRef[]) => void;
  /** Called, and awaited, before each window is sent to the shards. */
  readonly beforeRelease?: (window: ReleasedWindow) => void | Promise<void>;
  /** Called, and awaited, with the outcome before the shards are told the run is complete (and exit). */
  readonly completed?: (outcome: RunOutcome) => void | Promise<void>;
}

export interface CoordinatorOptions {
  readonly bus: BusFactory;
  readonly runId: string;
  readonly shards: number;
  readonly spec: EngineSpec;
  /** Default 'coordinator'. */
  readonly routing?: Routing;
  /** How long each shard may take over a window (or its result), in wall-clock ms. Default 30 000. */
  readonly doneTimeoutMs?: number;
  /** How long the shards may take to build their engines (window 0). Default 600 000. */
  readonly setupTimeoutMs?: number;
  /** How long to wait for every shard's hello. Default 600 000. */
  readonly helloTimeoutMs?: number;
  readonly hooks?: CoordinatorHooks;
}

/** A completed run. */
export interface RunOutcome extends CoreOutcome {
  /** The merged result (`EngineKind.merge` of the shards' parts). */
  readonly result: Uint8Array;
  /** SHA-256 of `result`, hex. */
  readonly resultDigest: string;
  /** Wall-clock time from releasing the first window to the last result, in ms (the shards' start-up and set-up not counted). */
  readonly wallMs: number;
}

/**
 * Coordinates one run to its end.
 * @throws ScaleRunError when the run fails: a shard refused, lost, silent or failed; the coordinator's own connection lost.
 */
export async function runCoordinator(options: CoordinatorOptions): Promise<RunOutcome> {
  const { runId, shards, spec } = options;
  const routing = options.routing ?? 'coordinator';
  const model = spec.kind.model(spec.config);
  const topics = runTopics(runId);
  const clientId = coordinatorClientId(runId);
  const message = (body: ScaleBody): Uint8Array => encodeScale({ runId, sender: clientId, ...body });
  const core = new CoordinatorCore({
    runId,
    shards,
    terms: { engineKind: spec.kind.kind, seed: model.seed, scenarioDigest: model.scenarioDigest, lookaheadMs: model.lookaheadMs, routing },
    end: model.end,
    shardOf: keyRouter(spec, shards),
  });

  const connected = await options.bus.connect({
    clientId,
    will: { topic: topics.all, payload: message({ kind: 'abort', abort: { reason: "the coordinator's connection dropped" } }), qos: 1 },
  });
  if (!connected.ok) {
    const e = connected.error;
    throw new Error(`coordinator ${clientId}: cannot connect to the broker: ${e.code === 'invalid-identity' ? e.field.path : e.reason}`);
  }
  const bus: Bus = connected.value;
  const limits = {
    gathering: options.helloTimeoutMs ?? 600_000,
    'setting-up': options.setupTimeoutMs ?? 600_000,
    running: options.doneTimeoutMs ?? 30_000,
    finishing: options.doneTimeoutMs ?? 30_000,
  };

  return new Promise<RunOutcome>((resolve, reject) => {
    let settled = false;
    let timer: NodeJS.Timeout | undefined;
    let stage = '';
    let startedAt = 0;
    const watchdog = setInterval(() => {
      if (!settled && bus.closed) enqueue(() => perform(core.abandon('its connection to the broker was lost')));
    }, 250);
    const end = (outcome: { ok: true; value: RunOutcome } | { ok: false; error: Error }): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearInterval(watchdog);
      void bus.close().finally(() => (outcome.ok ? resolve(outcome.value) : reject(outcome.error)));
    };
    const publish = (topic: string, body: ScaleBody): Promise<void> => bus.publish(topic, message(body), { qos: 1 });

    const perform = async (effects: readonly CoordinatorEffect[]): Promise<void> => {
      const sent: Promise<void>[] = [];
      for (const e of effects) {
        switch (e.kind) {
          case 'send':
            sent.push(publish(topics.to(e.to), e.body));
            break;
          case 'abortAll':
            // Told before the run's promise settles, so no shard is left waiting; bounded, since the broker may be the problem.
            await Promise.race([publish(topics.all, { kind: 'abort', abort: { reason: e.reason } }).catch(() => {}), delay(2_000)]);
            break;
          case 'started':
            startedAt = performance.now(); // until a first window, if there is one
            options.hooks?.started?.(e.shards);
            break;
          case 'released':
            if (e.window.window === 1) startedAt = performance.now();
            await Promise.all(sent.splice(0));
            await options.hooks?.beforeRelease?.(e.window);
            break;
          case 'finishing':
            break;
          case 'failed':
            end({ ok: false, error: new ScaleRunError(e.failure) });
            return;
          case 'completed': {
            let result: Uint8Array;
            try {
              result = spec.kind.merge(e.outcome.parts, spec.config);
            } catch (error) {
              const failure: ScaleFailure = {
                kind: 'coordinator',
                at: core.position,
                reason: `merging the results failed: ${String(error)}`,
              };
              end({ ok: false, error: new ScaleRunError(failure) });
              return;
            }
            const outcome: RunOutcome = { ...e.outcome, result, resultDigest: sha256Hex(result), wallMs: performance.now() - startedAt };
            await options.hooks?.completed?.(outcome);
            const word = publish(topics.all, { kind: 'end', end: { resultDigest: outcome.resultDigest, windows: outcome.windows } });
            await Promise.race([word.catch(() => {}), delay(2_000)]);
            end({ ok: true, value: outcome });
            return;
          }
        }
      }
      await Promise.all(sent);
    };

    const handle = (m: ScaleMessage): Promise<void> => {
      switch (m.kind) {
        case 'hello':
          return perform(core.hello(m.sender, m.hello));
        case 'done':
          return perform(core.done(m.sender, m.done));
        case 'result':
          return perform(core.result(m.sender, m.result));
        case 'lost':
          return perform(core.lost(m.sender, m.lost.reason));
        case 'failed':
          return perform(core.failed(m.sender, m.failed.reason));
        default:
          return Promise.resolve(); // not for the coordinator
      }
    };

    // Events one at a time, in arrival order; after each, a new stage re-arms the wall-clock limit.
    let chain = Promise.resolve();
    const enqueue = (work: () => Promise<void>): void => {
      chain = chain
        .then(async () => {
          if (settled) return;
          await work();
          rearm();
        })
        .catch((error: unknown) => end({ ok: false, error: error instanceof Error ? error : new Error(String(error)) }));
    };
    const rearm = (): void => {
      if (settled || core.stage === stage) return;
      stage = core.stage;
      clearTimeout(timer);
      const phase = core.phase;
      if (phase === 'completed' || phase === 'failed') return;
      const ms = limits[phase];
      const armed = stage;
      timer = setTimeout(() => enqueue(async () => (core.stage === armed ? perform(core.timeout(ms)) : undefined)), ms);
    };
    const onMessage = (raw: BusMessage): void => {
      const decoded = decodeScale(raw.payload);
      if (!decoded.ok || decoded.value.runId !== runId) return; // not a message of this run
      const m = decoded.value;
      enqueue(() => handle(m));
    };

    void bus
      .subscribe(topics.coordinator, onMessage, { qos: 1 })
      .then(() => enqueue(() => Promise.resolve()))
      .catch((error: unknown) => end({ ok: false, error: new Error(`coordinator ${clientId}: cannot subscribe: ${String(error)}`) }));
  });
}

const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms).unref());
