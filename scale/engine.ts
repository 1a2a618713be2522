import type { FieldError } from '../core/errors.ts';
import type { Result } from '../core/result.ts';
import type { Instant } from '../core/time/duration.ts';
import type { CrossMessage } from '../proto/scale-codec.ts';

/**
 * What one shard of a sharded run runs, whatever it simulates; and what the
 * runtime needs to know of a kind of engine. // ARCHITECTURE "Scale-out"; docs/scale-out.md
 *
 * The runtime is conservative, with a lookahead L: no message between
 * entities is delivered sooner than L after it was sent (`deliverAt ≥ sentAt +
 * L`), so within a window [T, T+L) no shard can receive anything that another
 * shard sends in the same window, and every shard can run the window alone.
 */
export type { CrossMessage } from '../proto/scale-codec.ts';

/** A window of virtual time: [from, until). */
export interface TimeWindow {
  readonly from: Instant;
  readonly until: Instant;
}

/** What a window's run produced. */
export interface StepOutput {
  /** Every message emitted in the window, each addressed to an entity key (`to`). */
  readonly outbound: CrossMessage[];
  /** The earliest local event still pending (≥ the window's `until`), or null when none is. */
  readonly next: Instant | null;
}

/**
 * One shard's simulation: pure, on virtual time only.
 *
 * `step` runs every local event with time < `window.until` — the window is
 * half-open, so an event at exactly `until` belongs to the next one — and
 * handles `inbound`, the messages with `deliverAt` in [from, until), at their
 * `deliverAt`. `inbound` is in canonical order (deliverAt, from, seq). An
 * engine whose results must not depend on the number of shards orders the
 * work of one instant by its own domain keys (entity ids, their sequence
 * numbers), never by shard index or arrival.
 *
 * Every outbound message must have `sentAt` in [from, until), `deliverAt ≥
 * sentAt + lookahead`, a `from` key this shard owns, and a `seq` that makes
 * `(from, seq)` unique in the run; the shard host checks this and fails the
 * run on a breach, since one would silently break determinism.
 */
export interface ShardEngine {
  /** Its earliest local event before any window ran, or null: where the run starts. */
  nextEvent(): Instant | null;
  step(window: TimeWindow, inbound: readonly CrossMessage[]): StepOutput;
  /** Its part of the outcome; the engine kind's `merge` joins the shards' parts. */
  result(): Uint8Array;
  /** Optional: a short digest of its state, reported with each window so runs can be compared window by window. */
  digest?(): string;
}

/** Where a shard sits in its run. */
export interface Placement {
  readonly shard: number;
  readonly shards: number;
  /** The shard that owns an entity key: the runtime routes by it, the engine builds the entities it owns by it. */
  readonly shardOf: (key: string) => number;
}

/** The model facts a run's coordinator and shards must agree on before it starts. */
export interface EngineModel {
  /** A digest of the scenario: the engine's configuration without its seed. */
  readonly scenarioDigest: string;
  /** The seed, as text. */
  readonly seed: string;
  /**
   * The lookahead L in virtual ms: the smallest delay of any cross-entity
   * message. Part of the model — every run of the scenario uses it, whatever
   * its number of shards, so runs with 1, 2 or 4 shards agree.
   */
  readonly lookaheadMs: number;
  /** Where the run ends (exclusive): no window reaches past it. Null: when no event or message is left. */
  readonly end: Instant | null;
}

/**
 * A kind of engine, by name: how to read its configuration, the model facts
 * the coordinator checks, how to build one shard, and how to merge results.
 * Registered in `scale/engines.ts` so a shard process can build one by name.
 */
export interface EngineKind<C> {
  readonly kind: string;
  /** The configuration from JSON (a command line, an environment variable, a file). */
  parse(raw: unknown): Result<C, FieldError>;
  model(config: C): EngineModel;
  create(config: C, placement: Placement): ShardEngine;
  /** The run's outcome from the shards' results, in shard order; identical for any number of shards. */
  merge(parts: readonly Uint8Array[], config: C): Uint8Array;
  /** Optional: which of `shards` owns an entity key. Default: `shardOfKey` (a stable hash of the key). */
  shardOf?(key: string, shards: number, config: C): number;
}

/** An engine kind with its parsed configuration: everything a coordinator or a shard needs to run it. */
export interface EngineSpec<C = unknown> {
  readonly kind: EngineKind<C>;
  readonly config: C;
}
