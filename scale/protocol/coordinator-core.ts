import type { Instant } from '../../core/time/duration.ts';
import type { CrossMessage, Done, Hello, HelloAck, Release, Routing, ShardResult } from '../../proto/scale-codec.ts';
import { sha256Hex } from './digest.ts';
import { describeFailure, type Mismatch, type RunPosition, type ScaleFailure, type ShardRef } from './failure.ts';
import { findDuplicate, outboundProblem, sortCanonical } from './order.ts';

/**
 * The coordinator of a sharded run as a pure state machine: events in
 * (hellos, done reports, results, wills, a timeout), effects out (messages
 * to send, the run's end). No timers, sockets or wall clock: the edge
 * (`scale/coordinator.ts`) performs the effects and turns elapsed wall time
 * into `timeout()`. // docs/scale-out.md "Protocol"
 *
 * Conservative synchronisation with lookahead L: window w is [T, T+L), where
 * T is the earliest of every shard's next event and every undelivered
 * message, so idle stretches of virtual time are skipped. Window w+1 is
 * released only once every shard has reported w done — with every message it
 * sent in it accounted for (carried in the report, or counted) — so no message
 * is in flight when a window starts, and none sent in a window can be due in
 * it (it is due at least L after it was sent).
 */

/** The facts every shard's hello must match. */
export interface RunTerms {
  readonly engineKind: string;
  readonly seed: string;
  readonly scenarioDigest: string;
  readonly lookaheadMs: number;
  readonly routing: Routing;
}

export interface CoordinatorCoreConfig {
  readonly runId: string;
  readonly shards: number;
  readonly terms: RunTerms;
  /** Where the run ends (exclusive), or null: when nothing is left. */
  readonly end: Instant | null;
  /** The shard that owns an entity key. */
  readonly shardOf: (key: string) => number;
}

/** What the coordinator sends one shard. */
export type ToShard =
  | { readonly kind: 'helloAck'; readonly helloAck: HelloAck }
  | { readonly kind: 'release'; readonly release: Release }
  | { readonly kind: 'finish'; readonly finish: { readonly at: Instant } }
  | { readonly kind: 'abort'; readonly abort: { readonly reason: string } };

/** A window as released. */
export interface ReleasedWindow {
  readonly window: number;
  readonly from: Instant;
  readonly until: Instant;
  /** Cross messages delivered in it, all shards together. */
  readonly messages: number;
}

/** What the run produced. */
export interface CoreOutcome {
  /** The shards' results, in shard order. */
  readonly parts: readonly Uint8Array[];
  readonly shards: readonly ShardRef[];
  /** Windows run (the set-up, window 0, not counted). */
  readonly windows: number;
  /** Cross messages sent. */
  readonly messages: number;
  /** The first window's start, or null when nothing ever ran. */
  readonly start: Instant | null;
  /** Where the run ended. */
  readonly end: Instant | null;
  /** Virtual time between windows that no event or message needed. */
  readonly skippedMs: number;
  /** A digest of every window's bounds, counts and shard digests: equal for equal runs with the same shard count. */
  readonly traceDigest: string;
}

/** What the edge must do, in order. */
export type CoordinatorEffect =
  | { readonly kind: 'send'; readonly to: string; readonly body: ToShard }
  | { readonly kind: 'abortAll'; readonly reason: string }
  | { readonly kind: 'started'; readonly shards: readonly ShardRef[] }
  | { readonly kind: 'released'; readonly window: ReleasedWindow }
  | { readonly kind: 'finishing'; readonly at: Instant }
  | { readonly kind: 'failed'; readonly failure: ScaleFailure }
  | { readonly kind: 'completed'; readonly outcome: CoreOutcome };

export type CoordinatorPhase = 'gathering' | 'setting-up' | 'running' | 'finishing' | 'completed' | 'failed';

interface Arrival {
  readonly clientId: string;
  readonly hello: Hello;
}

/**
 * The pure coordinator. Feed it decoded messages with their sender's client
 * id; perform the effects it returns. After `failed` or `completed` every
 * event returns nothing.
 */
export class CoordinatorCore {
  private readonly config: CoordinatorCoreConfig;
  private phaseNow: CoordinatorPhase = 'gathering';
  private readonly arrivals: Arrival[] = [];
  private readonly refusals: Extract<ScaleFailure, { kind: 'refused' }>[] = [];
  /** Index → client id, once started. */
  private clients: string[] = [];
  private readonly indexOf = new Map<string, number>();
  private windowNow = 0;
  private from: Instant = 0;
  private until: Instant = 0;
  private finishAt: Instant = 0;
  private dones: (Done | undefined)[] = [];
  private doneCount = 0;
  private results: (Uint8Array | undefined)[] = [];
  private resultCount = 0;
  /** Via the coordinator: messages not yet delivered, in canonical order. */
  private pending: CrossMessage[] = [];
  /** Direct: messages sent to each shard so far, cumulative (what it must have received before the next window). */
  private readonly sentTo: number[];
  private messages = 0;
  private start: Instant | null = null;
  private skippedMs = 0;
  private trace = '';
  private failedAt: RunPosition = { phase: 'gathering' };

  constructor(config: CoordinatorCoreConfig) {
    if (!Number.isInteger(config.shards) || config.shards < 1)
      throw new RangeError(`CoordinatorCore: shards must be ≥ 1, got ${config.shards}`);
    const L = config.terms.lookaheadMs;
    if (!Number.isSafeInteger(L) || L < 1) throw new RangeError(`CoordinatorCore: lookahead must be a whole number of ms ≥ 1, got ${L}`);
    this.config = config;
    this.sentTo = new Array<number>(config.shards).fill(0);
    this.trace = sha256Hex(`${config.shards}|${config.terms.scenarioDigest}|${config.terms.seed}`);
  }

  get phase(): CoordinatorPhase {
    return this.phaseNow;
  }

  /** Changes whenever the coordinator starts waiting for something new: the edge re-arms its timer on it. */
  get stage(): string {
    return `${this.phaseNow}:${this.windowNow}`;
  }

  /** Where the run is, for messages. */
  get position(): RunPosition {
    switch (this.phaseNow) {
      case 'gathering':
        return { phase: 'gathering' };
      case 'setting-up':
        return { phase: 'setting-up' };
      case 'finishing':
      case 'completed':
        return { phase: 'finishing', at: this.finishAt };
      case 'running':
        return { phase: 'window', window: this.windowNow, from: this.from, until: this.until };
      case 'failed':
        return this.failedAt;
    }
  }

  /** The shards the coordinator is waiting for now. */
  get awaiting(): readonly ShardRef[] {
    switch (this.phaseNow) {
      case 'setting-up':
      case 'running':
        return this.refs().filter((_, k) => this.dones[k] === undefined);
      case 'finishing':
        return this.refs().filter((_, k) => this.results[k] === undefined);
      default:
        return [];
    }
  }

  hello(sender: string, hello: Hello): CoordinatorEffect[] {
    if (this.over) return [];
    if (this.phaseNow !== 'gathering') {
      if (this.indexOf.has(sender)) return []; // a repeat that crossed the acknowledgement
      return [this.refuseOne(sender, `the run has started with its ${this.config.shards} shards`)];
    }
    if (this.arrivals.some((a) => a.clientId === sender) || this.refusals.some((r) => r.who.clientId === sender)) return []; // a repeat
    const mismatches = this.mismatches(hello);
    if (mismatches.length > 0) {
      // Refused — but only once every shard has said hello, so every one of them is subscribed and hears the abort.
      this.refusals.push({ kind: 'refused', who: { shard: hello.shard, clientId: sender }, mismatches });
      return this.arrivals.length + this.refusals.length >= this.config.shards ? this.fail(this.refusals[0]!) : [];
    }
    if (hello.shard !== null) {
      const holder = this.arrivals.find((a) => a.hello.shard === hello.shard);
      if (holder !== undefined) return [this.refuseOne(sender, `shard ${hello.shard} is taken by client ${holder.clientId}`)];
    }
    if (this.arrivals.length === this.config.shards) return [this.refuseOne(sender, `the run has its ${this.config.shards} shards`)];
    this.arrivals.push({ clientId: sender, hello });
    if (this.refusals.length > 0)
      return this.arrivals.length + this.refusals.length >= this.config.shards ? this.fail(this.refusals[0]!) : [];
    return this.arrivals.length === this.config.shards ? this.begin() : [];
  }

  done(sender: string, done: Done): CoordinatorEffect[] {
    if (this.phaseNow !== 'setting-up' && this.phaseNow !== 'running') return [];
    const k = this.indexOf.get(sender);
    if (k === undefined) return [];
    if (done.window < this.windowNow || this.dones[k] !== undefined) return []; // a duplicate
    if (done.window > this.windowNow) return this.violation(k, `done for window ${done.window} while window ${this.windowNow} runs`);
    const problem = this.doneProblem(k, done);
    if (problem !== null) return this.violation(k, problem);
    this.dones[k] = done;
    this.doneCount++;
    return this.doneCount === this.config.shards ? this.advance() : [];
  }

  result(sender: string, result: ShardResult): CoordinatorEffect[] {
    if (this.phaseNow !== 'finishing') return [];
    const k = this.indexOf.get(sender);
    if (k === undefined || this.results[k] !== undefined) return [];
    if (result.shard !== k) return this.violation(k, `result for shard ${result.shard}`);
    this.results[k] = result.result;
    this.resultCount++;
    if (this.resultCount < this.config.shards) return [];
    this.phaseNow = 'completed';
    const outcome: CoreOutcome = {
      parts: this.results.map((r) => r!),
      shards: this.refs(),
      windows: this.windowNow,
      messages: this.messages,
      start: this.start,
      end: this.start === null ? null : this.finishAt,
      skippedMs: this.skippedMs,
      traceDigest: this.trace,
    };
    return [{ kind: 'completed', outcome }];
  }

  /** A shard's last will arrived: its connection dropped. */
  lost(sender: string, reason: string): CoordinatorEffect[] {
    if (this.over) return [];
    const who = this.who(sender);
    if (who === null) return [];
    if (this.phaseNow === 'finishing' && who.shard !== null && this.results[who.shard] !== undefined) return []; // it had finished
    return this.fail({ kind: 'lost', who, at: this.position, reason });
  }

  /** A shard says it cannot go on. */
  failed(sender: string, reason: string): CoordinatorEffect[] {
    if (this.over) return [];
    const who = this.who(sender);
    if (who === null) return [];
    return this.fail({ kind: 'shard-failed', who, at: this.position, reason });
  }

  /** The wall-clock limit for the current stage passed. */
  timeout(waitedMs: number): CoordinatorEffect[] {
    if (this.over) return [];
    if (this.phaseNow === 'gathering') {
      if (this.refusals.length > 0) return this.fail(this.refusals[0]!);
      const arrived = this.arrivals.map((a) => ({ shard: a.hello.shard, clientId: a.clientId }));
      return this.fail({ kind: 'hello-timeout', arrived, expected: this.config.shards, waitedMs });
    }
    return this.fail({ kind: 'timeout', who: this.awaiting, at: this.position, waitedMs });
  }

  /** The coordinator itself cannot go on (its connection, merging results). */
  abandon(reason: string): CoordinatorEffect[] {
    if (this.over) return [];
    return this.fail({ kind: 'coordinator', at: this.position, reason });
  }

  private get over(): boolean {
    return this.phaseNow === 'completed' || this.phaseNow === 'failed';
  }

  private refs(): ShardRef[] {
    return this.clients.map((clientId, shard) => ({ shard, clientId }));
  }

  private who(sender: string): ShardRef | null {
    const k = this.indexOf.get(sender);
    if (k !== undefined) return { shard: k, clientId: sender };
    const arrival = this.arrivals.find((a) => a.clientId === sender);
    return arrival === undefined ? null : { shard: arrival.hello.shard, clientId: sender };
  }

  private mismatches(h: Hello): Mismatch[] {
    const t = this.config.terms;
    const out: Mismatch[] = [];
    const check = (field: Mismatch['field'], expected: string | number, got: string | number): void => {
      if (expected !== got) out.push({ field, expected: JSON.stringify(expected), got: JSON.stringify(got) });
    };
    check('engineKind', t.engineKind, h.engineKind);
    check('shardCount', this.config.shards, h.shardCount);
    check('seed', t.seed, h.seed);
    check('scenarioDigest', t.scenarioDigest, h.scenarioDigest);
    check('lookaheadMs', t.lookaheadMs, h.lookaheadMs);
    check('routing', t.routing, h.routing);
    if (h.shard !== null && h.shard >= this.config.shards)
      out.push({ field: 'shard', expected: `0..${this.config.shards - 1}`, got: String(h.shard) });
    return out;
  }

  private refuseOne(clientId: string, reason: string): CoordinatorEffect {
    return { kind: 'send', to: clientId, body: { kind: 'abort', abort: { reason } } };
  }

  /** Every shard said hello: indices claimed are kept, the others given out in client-id order. */
  private begin(): CoordinatorEffect[] {
    const n = this.config.shards;
    this.clients = new Array<string>(n).fill('');
    for (const a of this.arrivals) if (a.hello.shard !== null) this.clients[a.hello.shard] = a.clientId;
    const unassigned = this.arrivals
      .filter((a) => a.hello.shard === null)
      .map((a) => a.clientId)
      .sort();
    for (let k = 0; k < n; k++) if (this.clients[k] === '') this.clients[k] = unassigned.shift()!;
    this.clients.forEach((c, k) => this.indexOf.set(c, k));
    this.phaseNow = 'setting-up';
    this.windowNow = 0;
    this.resetDones();
    const effects: CoordinatorEffect[] = [{ kind: 'started', shards: this.refs() }];
    for (const [shard, to] of this.clients.entries())
      effects.push({ kind: 'send', to, body: { kind: 'helloAck', helloAck: { shard, shardCount: n } } });
    return effects;
  }

  private resetDones(): void {
    this.dones = new Array<Done | undefined>(this.config.shards).fill(undefined);
    this.doneCount = 0;
  }

  /** Why a done report breaks the protocol, or null. */
  private doneProblem(k: number, d: Done): string | null {
    const direct = this.config.terms.routing === 'direct';
    if (d.window === 0) {
      if (d.outboundCount !== 0 || d.outbound.length !== 0) return 'messages sent before any window ran';
      if (d.next !== null && !Number.isSafeInteger(d.next)) return `next event ${d.next} is not an instant`;
      return null;
    }
    if (direct) {
      if (d.outbound.length !== 0) return 'messages in a done report under direct routing';
      if (d.sentTo.length !== this.config.shards) return `sent counts for ${d.sentTo.length} shards, the run has ${this.config.shards}`;
      if (d.sentTo.reduce((s, n) => s + n, 0) !== d.outboundCount) return 'sent counts do not add up to the outbound count';
      if ((d.outboundCount === 0) !== (d.earliestOutbound === null)) return 'earliest outbound delivery given without messages, or missing';
      if (d.earliestOutbound !== null && d.earliestOutbound < this.from + this.config.terms.lookaheadMs) {
        return `a message is due at ${d.earliestOutbound}, sooner than the lookahead after the window's start`;
      }
      return outboundProblem(this.rules(k), [], d.next);
    }
    if (d.outbound.length !== d.outboundCount) return `outbound count ${d.outboundCount}, but ${d.outbound.length} messages carried`;
    return outboundProblem(this.rules(k), d.outbound, d.next);
  }

  private rules(k: number): Parameters<typeof outboundProblem>[0] {
    return { from: this.from, until: this.until, lookaheadMs: this.config.terms.lookaheadMs, shard: k, shardOf: this.config.shardOf };
  }

  /** Every shard is done with the current window: release the next, or finish. */
  private advance(): CoordinatorEffect[] {
    const n = this.config.shards;
    const dones = this.dones.map((d) => d!);
    this.trace = sha256Hex(
      `${this.trace}|${this.windowNow}|${this.from}|${this.until}|${dones.map((d) => `${d.outboundCount}:${d.next ?? '-'}:${d.digest}`).join(',')}`,
    );
    let next: Instant | null = null;
    const consider = (t: Instant | null): void => {
      if (t !== null && (next === null || t < next)) next = t;
    };
    for (const d of dones) {
      consider(d.next);
      consider(d.earliestOutbound);
      this.messages += d.outboundCount;
      for (let j = 0; j < d.sentTo.length; j++) this.sentTo[j]! += d.sentTo[j]!;
    }
    if (this.config.terms.routing === 'coordinator') {
      const sent = dones.flatMap((d) => d.outbound);
      if (sent.length > 0) {
        this.pending = sortCanonical(this.pending.concat(sent));
        const dup = findDuplicate(this.pending);
        if (dup !== null) {
          return this.violation(this.config.shardOf(dup.from), `two messages from ${JSON.stringify(dup.from)} share seq ${dup.seq}`);
        }
      }
      consider(this.pending[0]?.deliverAt ?? null);
    }
    const end = this.config.end;
    if (next === null || (end !== null && next >= end)) {
      this.phaseNow = 'finishing';
      this.finishAt = end !== null && next !== null ? end : this.windowNow === 0 ? (end ?? 0) : this.until;
      this.results = new Array<Uint8Array | undefined>(n).fill(undefined);
      this.resultCount = 0;
      const effects: CoordinatorEffect[] = [{ kind: 'finishing', at: this.finishAt }];
      for (const to of this.clients) effects.push({ kind: 'send', to, body: { kind: 'finish', finish: { at: this.finishAt } } });
      return effects;
    }
    const from: Instant = next;
    if (this.windowNow > 0) this.skippedMs += from - this.until;
    else this.start = from;
    const until = end === null ? from + this.config.terms.lookaheadMs : Math.min(from + this.config.terms.lookaheadMs, end);
    this.phaseNow = 'running';
    this.windowNow++;
    this.from = from;
    this.until = until;
    this.resetDones();
    const inbound: CrossMessage[][] = Array.from({ length: n }, () => []);
    let delivered = 0;
    if (this.config.terms.routing === 'coordinator') {
      while (delivered < this.pending.length && this.pending[delivered]!.deliverAt < until) {
        const m = this.pending[delivered]!;
        inbound[this.config.shardOf(m.to)]!.push(m);
        delivered++;
      }
      this.pending = this.pending.slice(delivered);
    }
    const effects: CoordinatorEffect[] = [{ kind: 'released', window: { window: this.windowNow, from, until, messages: delivered } }];
    for (const [k, to] of this.clients.entries()) {
      const release: Release = { window: this.windowNow, from, until, inbound: inbound[k]!, expectReceived: this.sentTo[k]! };
      effects.push({ kind: 'send', to, body: { kind: 'release', release } });
    }
    return effects;
  }

  private violation(k: number, reason: string): CoordinatorEffect[] {
    return this.fail({ kind: 'protocol', who: { shard: k, clientId: this.clients[k] ?? '?' }, at: this.position, reason });
  }

  private fail(failure: ScaleFailure): CoordinatorEffect[] {
    this.failedAt = this.position;
    this.phaseNow = 'failed';
    return [
      { kind: 'abortAll', reason: describeFailure(failure) },
      { kind: 'failed', failure },
    ];
  }
}
