import type { Instant } from '../../core/time/duration.ts';
import type { CrossMessage, Done, HelloAck, Release, Routing } from '../../proto/scale-codec.ts';
import type { ShardEngine } from '../engine.ts';
import { outboundProblem, sortCanonical } from './order.ts';

/**
 * One shard of a sharded run as a pure state machine: the coordinator's
 * messages (and, under direct routing, other shards' batches) in, messages to
 * send out. It runs the engine; the edge (`scale/shard.ts`) does the I/O.
 *
 * Under direct routing a release says how many messages addressed to this
 * shard were sent before the window; the window waits until that many have
 * arrived, since MQTT orders messages per publisher and topic only, and the
 * coordinator's release may overtake another shard's batch.
 */

export interface ShardCoreConfig {
  readonly routing: Routing;
  readonly lookaheadMs: number;
  /** Builds the engine once the coordinator has said which shard this is. */
  readonly build: (shard: number, shards: number) => { readonly engine: ShardEngine; readonly shardOf: (key: string) => number };
}

/** What the edge must do, in order. */
export type ShardEffect =
  | { readonly kind: 'started'; readonly shard: number; readonly shards: number }
  | { readonly kind: 'batch'; readonly to: number; readonly window: number; readonly messages: readonly CrossMessage[] }
  | { readonly kind: 'done'; readonly done: Done }
  | {
      readonly kind: 'ran';
      readonly window: number;
      readonly from: Instant;
      readonly until: Instant;
      readonly inbound: number;
      readonly outbound: number;
    }
  | { readonly kind: 'result'; readonly shard: number; readonly result: Uint8Array }
  | { readonly kind: 'failed'; readonly window: number; readonly reason: string };

export type ShardPhase = 'waiting' | 'running' | 'finished' | 'failed';

export class ShardCore {
  private readonly config: ShardCoreConfig;
  private phaseNow: ShardPhase = 'waiting';
  private engine: ShardEngine | undefined;
  private shardOf: (key: string) => number = () => -1;
  private index = -1;
  private count = 0;
  private lastWindow = 0;
  /** Direct: messages received and not yet delivered. */
  private buffer: CrossMessage[] = [];
  /**
   * Direct: how many arrived, by the window they were sent in. A release
   * counts only those sent before it: a fast shard's batch for the current
   * window must not stand in for a slow one's from the last.
   */
  private readonly receivedIn = new Map<number, number>();
  private receivedEarlier = 0;
  private readonly batchesSeen = new Set<string>();
  private waitingRelease: Release | undefined;

  constructor(config: ShardCoreConfig) {
    this.config = config;
  }

  get phase(): ShardPhase {
    return this.phaseNow;
  }

  /** Its index, or -1 before the coordinator said. */
  get shard(): number {
    return this.index;
  }

  /** The last window it ran (0: none yet). */
  get window(): number {
    return this.lastWindow;
  }

  helloAck(ack: HelloAck): ShardEffect[] {
    if (this.phaseNow !== 'waiting') return [];
    this.index = ack.shard;
    this.count = ack.shardCount;
    this.phaseNow = 'running';
    let next: Instant | null;
    try {
      const built = this.config.build(ack.shard, ack.shardCount);
      this.engine = built.engine;
      this.shardOf = built.shardOf;
      next = this.engine.nextEvent();
    } catch (error) {
      return this.fail(0, `building the engine failed: ${reason(error)}`);
    }
    const done: Done = {
      window: 0,
      next,
      outbound: [],
      outboundCount: 0,
      sentTo: this.config.routing === 'direct' ? new Array<number>(ack.shardCount).fill(0) : [],
      earliestOutbound: null,
      digest: this.digest(),
    };
    return [
      { kind: 'started', shard: ack.shard, shards: ack.shardCount },
      { kind: 'done', done },
    ];
  }

  release(r: Release): ShardEffect[] {
    if (this.phaseNow !== 'running' || r.window <= this.lastWindow) return [];
    if (r.window !== this.lastWindow + 1 || this.waitingRelease !== undefined) {
      return this.fail(r.window, `release of window ${r.window} after window ${this.lastWindow}`);
    }
    if (this.config.routing === 'direct' && this.receivedBefore(r.window) < r.expectReceived) {
      this.waitingRelease = r;
      return [];
    }
    return this.run(r);
  }

  batch(fromShard: number, window: number, messages: readonly CrossMessage[]): ShardEffect[] {
    if (this.phaseNow !== 'running' || this.config.routing !== 'direct') return [];
    const key = `${fromShard}:${window}`;
    if (this.batchesSeen.has(key)) return []; // a redelivery
    this.batchesSeen.add(key);
    for (const m of messages) this.buffer.push(m);
    this.tally(window, messages.length);
    const waiting = this.waitingRelease;
    if (waiting === undefined || this.receivedBefore(waiting.window) < waiting.expectReceived) return [];
    this.waitingRelease = undefined;
    return this.run(waiting);
  }

  finish(): ShardEffect[] {
    if (this.phaseNow !== 'running' || this.engine === undefined) return [];
    let result: Uint8Array;
    try {
      result = this.engine.result();
    } catch (error) {
      return this.fail(this.lastWindow, `the engine's result failed: ${reason(error)}`);
    }
    this.phaseNow = 'finished';
    return [{ kind: 'result', shard: this.index, result }];
  }

  private run(r: Release): ShardEffect[] {
    const engine = this.engine!;
    const direct = this.config.routing === 'direct';
    const inbound = direct ? this.takeDue(r.until) : sortCanonical([...r.inbound]);
    for (const m of inbound) {
      if (m.deliverAt < r.from || m.deliverAt >= r.until)
        return this.fail(r.window, `a message due at ${m.deliverAt} delivered in [${r.from}, ${r.until})`);
      if (this.shardOf(m.to) !== this.index)
        return this.fail(r.window, `a message for ${JSON.stringify(m.to)} delivered to shard ${this.index}`);
    }
    let out: { outbound: CrossMessage[]; next: Instant | null };
    try {
      out = engine.step({ from: r.from, until: r.until }, inbound);
    } catch (error) {
      return this.fail(r.window, `the engine failed: ${reason(error)}`);
    }
    const rules = { from: r.from, until: r.until, lookaheadMs: this.config.lookaheadMs, shard: this.index, shardOf: this.shardOf };
    const problem = outboundProblem(rules, out.outbound, out.next);
    if (problem !== null) return this.fail(r.window, problem);
    this.lastWindow = r.window;
    const ran: ShardEffect = {
      kind: 'ran',
      window: r.window,
      from: r.from,
      until: r.until,
      inbound: inbound.length,
      outbound: out.outbound.length,
    };
    if (!direct) {
      const done: Done = {
        window: r.window,
        next: out.next,
        outbound: out.outbound,
        outboundCount: out.outbound.length,
        sentTo: [],
        earliestOutbound: null,
        digest: this.digest(),
      };
      return [ran, { kind: 'done', done }];
    }
    const byShard: CrossMessage[][] = Array.from({ length: this.count }, () => []);
    let earliest: Instant | null = null;
    for (const m of out.outbound) {
      byShard[this.shardOf(m.to)]!.push(m);
      if (earliest === null || m.deliverAt < earliest) earliest = m.deliverAt;
    }
    const effects: ShardEffect[] = [ran];
    for (const [k, messages] of byShard.entries()) {
      if (messages.length === 0) continue;
      if (k === this.index) {
        // Its own: straight into the buffer, counted as sent and received.
        for (const m of messages) this.buffer.push(m);
        this.tally(r.window, messages.length);
      } else {
        effects.push({ kind: 'batch', to: k, window: r.window, messages });
      }
    }
    let next = out.next;
    for (const m of this.buffer) if (next === null || m.deliverAt < next) next = m.deliverAt;
    const done: Done = {
      window: r.window,
      next,
      outbound: [],
      outboundCount: out.outbound.length,
      sentTo: byShard.map((ms) => ms.length),
      earliestOutbound: earliest,
      digest: this.digest(),
    };
    effects.push({ kind: 'done', done });
    return effects;
  }

  private tally(window: number, n: number): void {
    this.receivedIn.set(window, (this.receivedIn.get(window) ?? 0) + n);
  }

  /** Direct: messages arrived that were sent before `window`. Windows that can no longer be waited for are folded into one sum. */
  private receivedBefore(window: number): number {
    let sum = this.receivedEarlier;
    for (const [w, n] of this.receivedIn) {
      if (w >= window) continue;
      sum += n;
      if (w < this.lastWindow) {
        this.receivedEarlier += n;
        this.receivedIn.delete(w);
      }
    }
    return sum;
  }

  /** Direct: the buffered messages due before `until`, in canonical order; the rest stay. */
  private takeDue(until: Instant): CrossMessage[] {
    const due: CrossMessage[] = [];
    const later: CrossMessage[] = [];
    for (const m of this.buffer) (m.deliverAt < until ? due : later).push(m);
    this.buffer = later;
    return sortCanonical(due);
  }

  private digest(): string {
    return this.engine?.digest?.() ?? '';
  }

  private fail(window: number, why: string): ShardEffect[] {
    this.phaseNow = 'failed';
    return [{ kind: 'failed', window, reason: why }];
  }
}

function reason(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
