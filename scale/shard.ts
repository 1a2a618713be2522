import { randomBytes } from 'node:crypto';
import type { Bus, BusFactory, BusMessage } from '../emulator/bus/port.ts';
import { decodeScale, encodeScale, type Routing, type ScaleBody, type ScaleMessage } from '../proto/scale-codec.ts';
import type { EngineSpec } from './engine.ts';
import { ScaleAbortedError } from './protocol/failure.ts';
import { ShardCore, type ShardEffect } from './protocol/shard-core.ts';
import { keyRouter } from './protocol/shard-key.ts';
import { runTopics, shardClientId } from './protocol/topics.ts';

/**
 * A shard host: one shard of a sharded run on the bus. It connects with a
 * last will (so the coordinator hears at once if it dies), says hello until
 * the coordinator answers, then runs windows as they are released and sends
 * its result when told the run is over. The protocol is `ShardCore`'s; this
 * is the I/O around it. // docs/scale-out.md
 */

export interface ShardHostOptions {
  /** The bus to connect through (an `MqttBusFactory` on the run's broker). */
  readonly bus: BusFactory;
  readonly runId: string;
  /** The index this shard claims, or 'auto' for one assigned by the coordinator. */
  readonly shard: number | 'auto';
  readonly shards: number;
  readonly spec: EngineSpec;
  /** Default 'coordinator'. */
  readonly routing?: Routing;
  /** How often to repeat hello until the coordinator answers, in wall-clock ms. Default 1000. */
  readonly helloIntervalMs?: number;
  /** How long to wait for the coordinator's answer before giving up, in ms; 0: for ever. Default 600 000. */
  readonly helloTimeoutMs?: number;
  /** How long to wait, after sending its result, for the coordinator to announce the end, in ms. Default 30 000. */
  readonly endTimeoutMs?: number;
  /** Part of the client id; default: random. */
  readonly nonce?: string;
  /** Fault injection for tests: from this window on, run nothing and answer nothing but an abort (the connection stays up, so only the coordinator's timeout notices). */
  readonly hangAtWindow?: number;
  /** Told of each step, for progress and tests. */
  readonly onEvent?: (event: ShardHostEvent) => void;
}

export type ShardHostEvent =
  | { readonly kind: 'connected'; readonly clientId: string }
  | Extract<ShardEffect, { kind: 'started' | 'ran' }>
  | { readonly kind: 'ignored'; readonly why: string };

export interface ShardOutcome {
  readonly shard: number;
  readonly clientId: string;
  /** Windows it ran. */
  readonly windows: number;
  /** The merged result's digest, as the coordinator announced it; null if it did not within `endTimeoutMs`. */
  readonly resultDigest: string | null;
}

/**
 * Runs one shard to the end of the run.
 * @throws ScaleAbortedError when the coordinator stops the run; Error when the broker cannot be reached or the connection drops, or the engine fails.
 */
export async function runShard(options: ShardHostOptions): Promise<ShardOutcome> {
  const { runId, shards, spec } = options;
  const routing = options.routing ?? 'coordinator';
  const model = spec.kind.model(spec.config);
  const topics = runTopics(runId);
  const claimed = options.shard === 'auto' ? null : options.shard;
  if (claimed !== null && !(Number.isInteger(claimed) && claimed >= 0 && claimed < shards)) {
    throw new RangeError(`runShard: shard must be 0..${shards - 1} or 'auto', got ${claimed}`);
  }
  const clientId = shardClientId(runId, claimed, options.nonce ?? randomBytes(4).toString('hex'));
  const message = (body: ScaleBody): Uint8Array => encodeScale({ runId, sender: clientId, ...body });

  const connected = await options.bus.connect({
    clientId,
    will: { topic: topics.coordinator, payload: message({ kind: 'lost', lost: { reason: 'its connection dropped: last will' } }), qos: 1 },
  });
  if (!connected.ok) {
    const e = connected.error;
    throw new Error(`shard ${clientId}: cannot connect to the broker: ${e.code === 'invalid-identity' ? e.field.path : e.reason}`);
  }
  const bus: Bus = connected.value;
  options.onEvent?.({ kind: 'connected', clientId });

  const shardOf = keyRouter(spec, shards);
  const core = new ShardCore({
    routing,
    lookaheadMs: model.lookaheadMs,
    build: (shard, count) => ({ engine: spec.kind.create(spec.config, { shard, shards: count, shardOf }), shardOf }),
  });

  return new Promise<ShardOutcome>((resolve, reject) => {
    let settled = false;
    let hung = false;
    let windows = 0;
    const timers: NodeJS.Timeout[] = [];
    // Always a graceful close: the will is for crashes only.
    const finish = (outcome: { ok: true; value: ShardOutcome } | { ok: false; error: Error }): void => {
      if (settled) return;
      settled = true;
      for (const t of timers) clearTimeout(t);
      void bus.close().finally(() => (outcome.ok ? resolve(outcome.value) : reject(outcome.error)));
    };
    const fail = (error: Error): void => finish({ ok: false, error });
    const publish = (topic: string, body: ScaleBody): Promise<void> => bus.publish(topic, message(body), { qos: 1 });

    const perform = async (effects: readonly ShardEffect[]): Promise<void> => {
      const sent: Promise<void>[] = [];
      for (const e of effects) {
        switch (e.kind) {
          case 'started':
            if (routing === 'direct') await bus.subscribe(topics.shard(e.shard), onMessage, { qos: 1 });
            options.onEvent?.(e);
            break;
          case 'ran':
            windows = e.window;
            options.onEvent?.(e);
            break;
          case 'batch':
            sent.push(
              publish(topics.shard(e.to), { kind: 'batch', batch: { fromShard: core.shard, window: e.window, messages: e.messages } }),
            );
            break;
          case 'done':
            sent.push(publish(topics.coordinator, { kind: 'done', done: e.done }));
            break;
          case 'result': {
            await Promise.all(sent);
            await publish(topics.coordinator, { kind: 'result', result: { shard: e.shard, result: e.result } });
            // Wait for the coordinator's word that the run is complete (its merge done), so a container supervisor that
            // stops everything when one container exits never cuts the coordinator short. Bounded: the result is in.
            const shard = e.shard;
            timers.push(
              setTimeout(
                () => finish({ ok: true, value: { shard, clientId, windows, resultDigest: null } }),
                options.endTimeoutMs ?? 30_000,
              ),
            );
            return;
          }
          case 'failed':
            await Promise.all(sent).catch(() => {});
            await publish(topics.coordinator, { kind: 'failed', failed: { window: e.window, reason: e.reason } }).catch(() => {});
            fail(new Error(`shard ${core.shard} (client ${clientId}) failed in window ${e.window}: ${e.reason}`));
            return;
        }
      }
      await Promise.all(sent);
    };

    const handle = async (m: ScaleMessage): Promise<void> => {
      if (settled || (hung && m.kind !== 'abort')) return;
      switch (m.kind) {
        case 'helloAck':
          await perform(core.helloAck(m.helloAck));
          return;
        case 'release':
          if (options.hangAtWindow !== undefined && m.release.window >= options.hangAtWindow) {
            hung = true; // fault injection: run no more windows, keep the connection (an abort still stops it)
            return;
          }
          await perform(core.release(m.release));
          return;
        case 'batch':
          await perform(core.batch(m.batch.fromShard, m.batch.window, m.batch.messages));
          return;
        case 'finish':
          await perform(core.finish());
          return;
        case 'abort':
          fail(new ScaleAbortedError(m.abort.reason));
          return;
        case 'end':
          if (core.phase === 'finished')
            finish({ ok: true, value: { shard: core.shard, clientId, windows, resultDigest: m.end.resultDigest } });
          return;
        default:
          options.onEvent?.({ kind: 'ignored', why: `a ${m.kind} message` });
      }
    };

    // One message at a time, in arrival order: the core is a state machine, and publishing awaits acknowledgements.
    let chain = Promise.resolve();
    function onMessage(raw: BusMessage): void {
      const decoded = decodeScale(raw.payload);
      if (!decoded.ok) {
        options.onEvent?.({ kind: 'ignored', why: `${decoded.error.code}: ${decoded.error.message}` });
        return;
      }
      if (decoded.value.runId !== runId) return;
      const m = decoded.value;
      chain = chain.then(() => handle(m)).catch((error: unknown) => fail(error instanceof Error ? error : new Error(String(error))));
    }

    const sayHello = (): void => {
      if (settled || core.phase !== 'waiting') return;
      const hello = {
        shard: claimed,
        shardCount: shards,
        scenarioDigest: model.scenarioDigest,
        seed: model.seed,
        engineKind: spec.kind.kind,
        lookaheadMs: model.lookaheadMs,
        routing,
      };
      publish(topics.coordinator, { kind: 'hello', hello }).catch((error: unknown) =>
        fail(new Error(`shard ${clientId}: hello not sent: ${String(error)}`)),
      );
    };

    void (async () => {
      try {
        await bus.subscribe(topics.to(clientId), onMessage, { qos: 1 });
        await bus.subscribe(topics.all, onMessage, { qos: 1 });
      } catch (error) {
        fail(new Error(`shard ${clientId}: cannot subscribe: ${String(error)}`));
        return;
      }
      sayHello();
      timers.push(setInterval(sayHello, options.helloIntervalMs ?? 1000));
      const limit = options.helloTimeoutMs ?? 600_000;
      const began = Date.now();
      // The coordinator's will covers its crash; this covers a broker that drops us, or a coordinator that never comes.
      timers.push(
        setInterval(() => {
          if (settled) return;
          if (bus.closed) fail(new Error(`shard ${clientId}: the connection to the broker was lost`));
          else if (limit > 0 && core.phase === 'waiting' && Date.now() - began > limit) {
            fail(new Error(`shard ${clientId}: no coordinator answered within ${limit} ms`));
          }
        }, 250),
      );
    })();
  });
}
