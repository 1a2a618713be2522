import type { Routing } from '../../proto/scale-codec.ts';
import type { EngineSpec } from '../engine.ts';
import { CoordinatorCore, type CoordinatorEffect, type CoreOutcome, type ToShard } from './coordinator-core.ts';
import { ScaleRunError } from './failure.ts';
import { ShardCore, type ShardEffect } from './shard-core.ts';
import { keyRouter } from './shard-key.ts';

/**
 * A sharded run in one thread with no bus: the coordinator's and the shards'
 * state machines exchanging the protocol's messages through in-memory
 * channels. The reference the bus runs are compared with, and the fastest
 * way to check that an engine's result does not depend on its shard count.
 *
 * Each channel (one sender, one topic) is first in, first out, as MQTT keeps
 * one publisher's messages on one topic in order; which channel delivers next
 * is `choose`'s pick, so tests can try any interleaving the broker might make.
 */

export interface InProcessOptions<C> {
  readonly spec: EngineSpec<C>;
  readonly shards: number;
  /** Default: through the coordinator. */
  readonly routing?: Routing;
  /** Which non-empty channel delivers next, given how many there are. Default: the oldest first. */
  readonly choose?: (channels: number) => number;
  /** Shards say hello without an index and get one assigned. Default false. */
  readonly autoAssign?: boolean;
}

export interface InProcessOutcome extends CoreOutcome {
  /** The merged result (`EngineKind.merge`). */
  readonly result: Uint8Array;
}

type Input =
  | { readonly to: 'coordinator'; readonly sender: string; readonly message: CoordinatorInput }
  | { readonly to: 'shard'; readonly shard: number; readonly message: ToShard | BatchInput };

type CoordinatorInput = Extract<ShardEffect, { kind: 'done' | 'result' | 'failed' }> | { readonly kind: 'hello' };
type BatchInput = {
  readonly kind: 'batch';
  readonly fromShard: number;
  readonly window: number;
  readonly messages: Extract<ShardEffect, { kind: 'batch' }>['messages'];
};

/**
 * Runs the engine on `shards` shards to the end and returns the merged result.
 * @throws ScaleRunError when the run fails (an engine that breaks the protocol).
 */
export function runInProcess<C>(options: InProcessOptions<C>): InProcessOutcome {
  const { spec, shards } = options;
  const routing = options.routing ?? 'coordinator';
  const model = spec.kind.model(spec.config);
  const shardOf = keyRouter(spec, shards);
  const coordinator = new CoordinatorCore({
    runId: 'in-process',
    shards,
    terms: { engineKind: spec.kind.kind, seed: model.seed, scenarioDigest: model.scenarioDigest, lookaheadMs: model.lookaheadMs, routing },
    end: model.end,
    shardOf,
  });
  const clientIds = Array.from({ length: shards }, (_, k) => `sim.in-process-s${k}`);
  const cores = clientIds.map(
    () =>
      new ShardCore({
        routing,
        lookaheadMs: model.lookaheadMs,
        build: (shard, count) => ({ engine: spec.kind.create(spec.config, { shard, shards: count, shardOf }), shardOf }),
      }),
  );
  // Participants by client id; a shard's index comes from the coordinator (it may differ from its position here).
  const byClient = new Map(clientIds.map((c, i) => [c, i]));
  const indexToParticipant = new Map<number, number>();
  const channels = new Map<string, Input[]>();
  const post = (channel: string, input: Input): void => {
    const queue = channels.get(channel);
    if (queue === undefined) channels.set(channel, [input]);
    else queue.push(input);
  };

  let outcome: CoreOutcome | undefined;
  const fromCoordinator = (effects: readonly CoordinatorEffect[]): void => {
    for (const e of effects) {
      switch (e.kind) {
        case 'send':
          post(`coordinator>${e.to}`, { to: 'shard', shard: byClient.get(e.to)!, message: e.body });
          break;
        case 'failed':
          throw new ScaleRunError(e.failure);
        case 'completed':
          outcome = e.outcome;
          break;
        case 'started':
          for (const ref of e.shards) indexToParticipant.set(ref.shard!, byClient.get(ref.clientId)!);
          break;
        case 'abortAll':
        case 'released':
        case 'finishing':
          break;
      }
    }
  };
  const fromShard = (participant: number, effects: readonly ShardEffect[]): void => {
    const sender = clientIds[participant]!;
    for (const e of effects) {
      switch (e.kind) {
        case 'done':
        case 'result':
        case 'failed':
          post(`${sender}>coordinator`, { to: 'coordinator', sender, message: e });
          break;
        case 'batch': {
          const to = indexToParticipant.get(e.to)!;
          post(`${sender}>shard/${e.to}`, {
            to: 'shard',
            shard: to,
            message: { kind: 'batch', fromShard: cores[participant]!.shard, window: e.window, messages: e.messages },
          });
          break;
        }
        case 'started':
        case 'ran':
          break;
      }
    }
  };

  for (const sender of clientIds) post(`${sender}>coordinator`, { to: 'coordinator', sender, message: { kind: 'hello' } });
  const choose = options.choose ?? (() => 0);
  while (outcome === undefined) {
    const open = [...channels.keys()];
    if (open.length === 0) throw new Error('runInProcess: the run stalled with nothing in flight (a bug in the protocol)');
    const pick = Math.min(open.length - 1, Math.max(0, Math.floor(choose(open.length))));
    const channel = open[pick]!;
    const queue = channels.get(channel)!;
    const input = queue.shift()!;
    if (queue.length === 0) channels.delete(channel);
    if (input.to === 'coordinator') {
      const m = input.message;
      switch (m.kind) {
        case 'hello': {
          const claimed = options.autoAssign === true ? null : byClient.get(input.sender)!;
          const hello = { shard: claimed, shardCount: shards, ...coordinatorTerms(spec.kind.kind, model, routing) };
          fromCoordinator(coordinator.hello(input.sender, hello));
          break;
        }
        case 'done':
          fromCoordinator(coordinator.done(input.sender, m.done));
          break;
        case 'result':
          fromCoordinator(coordinator.result(input.sender, { shard: m.shard, result: m.result }));
          break;
        case 'failed':
          fromCoordinator(coordinator.failed(input.sender, m.reason));
          break;
      }
      continue;
    }
    const core = cores[input.shard]!;
    const m = input.message;
    switch (m.kind) {
      case 'helloAck':
        fromShard(input.shard, core.helloAck(m.helloAck));
        break;
      case 'release':
        fromShard(input.shard, core.release(m.release));
        break;
      case 'finish':
        fromShard(input.shard, core.finish());
        break;
      case 'batch':
        fromShard(input.shard, core.batch(m.fromShard, m.window, m.messages));
        break;
      case 'abort':
        break;
    }
  }
  return { ...outcome, result: spec.kind.merge(outcome.parts, spec.config) };
}

function coordinatorTerms(
  engineKind: string,
  model: { readonly seed: string; readonly scenarioDigest: string; readonly lookaheadMs: number },
  routing: Routing,
): { engineKind: string; seed: string; scenarioDigest: string; lookaheadMs: number; routing: Routing } {
  return { engineKind, seed: model.seed, scenarioDigest: model.scenarioDigest, lookaheadMs: model.lookaheadMs, routing };
}
