import type { Instant } from '../../core/time/duration.ts';

/**
 * How a sharded run fails, as values, and the message each gives. Every
 * failure names who (shard index and client id) and when (the run's position
 * in virtual time). // docs/scale-out.md "Failure"
 */

/** Where a run was when something happened. */
export type RunPosition =
  | { readonly phase: 'gathering' }
  | { readonly phase: 'setting-up' }
  | { readonly phase: 'window'; readonly window: number; readonly from: Instant; readonly until: Instant }
  | { readonly phase: 'finishing'; readonly at: Instant };

/** One shard, as the coordinator knows it. */
export interface ShardRef {
  /** Its index, or null when it has none yet (an auto-assigned shard before the run started). */
  readonly shard: number | null;
  readonly clientId: string;
}

/** A hello field that differs from the coordinator's. */
export interface Mismatch {
  readonly field: 'engineKind' | 'shardCount' | 'seed' | 'scenarioDigest' | 'lookaheadMs' | 'routing' | 'shard';
  readonly expected: string;
  readonly got: string;
}

/** Why a run failed. */
export type ScaleFailure =
  /** A shard's hello does not match the coordinator's run: the run does not start. */
  | { readonly kind: 'refused'; readonly who: ShardRef; readonly mismatches: readonly Mismatch[] }
  /** A shard's connection dropped (its last will). */
  | { readonly kind: 'lost'; readonly who: ShardRef; readonly at: RunPosition; readonly reason: string }
  /** Shards did not answer within the wall-clock limit. */
  | { readonly kind: 'timeout'; readonly who: readonly ShardRef[]; readonly at: RunPosition; readonly waitedMs: number }
  /** Too few shards said hello in time. */
  | { readonly kind: 'hello-timeout'; readonly arrived: readonly ShardRef[]; readonly expected: number; readonly waitedMs: number }
  /** A shard reported that it cannot go on (its engine threw, or broke the protocol). */
  | { readonly kind: 'shard-failed'; readonly who: ShardRef; readonly at: RunPosition; readonly reason: string }
  /** A shard sent something the protocol does not allow. */
  | { readonly kind: 'protocol'; readonly who: ShardRef; readonly at: RunPosition; readonly reason: string }
  /** The coordinator itself cannot go on (its broker connection, merging the results). */
  | { readonly kind: 'coordinator'; readonly at: RunPosition; readonly reason: string };

/** A failed run, thrown by the coordinator's and the shards' edges. */
export class ScaleRunError extends Error {
  readonly failure: ScaleFailure;
  constructor(failure: ScaleFailure) {
    super(describeFailure(failure));
    this.name = 'ScaleRunError';
    this.failure = failure;
  }
}

/** A shard was told to stop: the run failed elsewhere, or it is not part of the run. */
export class ScaleAbortedError extends Error {
  readonly reason: string;
  constructor(reason: string) {
    super(`the run was aborted: ${reason}`);
    this.name = 'ScaleAbortedError';
    this.reason = reason;
  }
}

const iso = (t: Instant): string => new Date(t).toISOString();

/** `shard 1 (client sim.r1-s1-0a3f)`. */
export function describeShard(who: ShardRef): string {
  return `shard ${who.shard === null ? '(unassigned)' : String(who.shard)} (client ${who.clientId})`;
}

/** Where the run was, in words and virtual time. */
export function describePosition(at: RunPosition): string {
  switch (at.phase) {
    case 'gathering':
      return 'before the run started (waiting for hellos)';
    case 'setting-up':
      return 'while the shards built their engines (window 0, before any virtual time ran)';
    case 'window':
      return `in window ${at.window}, virtual time [${iso(at.from)}, ${iso(at.until)})`;
    case 'finishing':
      return `while collecting results (the run ended at virtual time ${iso(at.at)})`;
  }
}

/** The message of a failure: who, what, when. */
export function describeFailure(f: ScaleFailure): string {
  switch (f.kind) {
    case 'refused': {
      const fields = f.mismatches.map((m) => `${m.field}: expected ${m.expected}, got ${m.got}`).join('; ');
      return `${describeShard(f.who)} does not match the coordinator's run (${fields}); the run was not started`;
    }
    case 'lost':
      return `${describeShard(f.who)} was lost (${f.reason}) ${describePosition(f.at)}`;
    case 'timeout': {
      const who = f.who.map(describeShard).join(', ');
      return `${who} stopped answering: nothing within ${f.waitedMs} ms ${describePosition(f.at)}`;
    }
    case 'hello-timeout': {
      const arrived = f.arrived.length === 0 ? 'none' : f.arrived.map((s) => s.clientId).join(', ');
      return `only ${f.arrived.length} of ${f.expected} shards said hello within ${f.waitedMs} ms (arrived: ${arrived}); the run was not started`;
    }
    case 'shard-failed':
      return `${describeShard(f.who)} failed ${describePosition(f.at)}: ${f.reason}`;
    case 'protocol':
      return `${describeShard(f.who)} broke the protocol ${describePosition(f.at)}: ${f.reason}`;
    case 'coordinator':
      return `the coordinator failed ${describePosition(f.at)}: ${f.reason}`;
  }
}
