import { fieldError, type FieldError } from '../../core/errors.ts';
import type { Eui64 } from '../../core/ids.ts';
import { err, ok, type Result } from '../../core/result.ts';
import { PHASES, type Phase } from '../ledger/phase.ts';

/**
 * Replay protection for DUIS requests. // DOMAIN §4.1, RELIABILITY §3.6
 *
 * Counters strictly increase per originator: a new request must carry a
 * counter above the originator's high-water mark. A request whose key
 * (originator, target, counter, phase) was already accepted is either a
 * *duplicate* (same content: a QoS redelivery or a resend; answered with the
 * original outcome, nothing runs again — SR01, SR08) or a *replay* (different
 * content under a used RequestID — SR02).
 *
 * Content, never signature: the caller passes the SHA-256 of the request's
 * canonical content (`digestOfFields`), which must exclude signature bytes, so
 * a malleated signature (r, n−s) over the same content is the same request
 * (SR03). The content should include the SRV and Command Variant so a signed
 * pre-command replayed under another CV differs (SR05).
 *
 * The critical flow: a CV 4 transform and its CV 5/6/7 send share one
 * RequestID (DOMAIN §4.3). Recording a `transform` makes the DSP expect one
 * `send` under the same (originator, target, counter); that send is fresh
 * though its counter is no longer above the high-water mark. A second send
 * under that RequestID is a duplicate (or a replay if its content differs); a
 * send of the same counter to another target is a replay. Whether the send's
 * content matches the transform is the pipeline's correlation check (X4), not
 * this one.
 *
 * Memory is bounded: per originator the last `retainPerOriginator` accepted
 * keys are kept to recognise duplicates, and at most `pendingSendsPerOriginator`
 * transforms await their send. The high-water mark alone is what makes a
 * replay impossible; a forgotten key only changes the answer to an old resend
 * from "duplicate" to "replay" (it is still never executed), and a forgotten
 * expectation turns a very late send into a replay. Both fail closed.
 */

/** The identity of an accepted request as far as replay is concerned. */
export interface ReplayKey {
  readonly originator: Eui64;
  readonly target: Eui64;
  readonly counter: bigint;
  readonly phase: Phase;
}

/** Why a request is refused as a replay. */
export type ReplayReason =
  /** The counter is negative or above 2^64−1. (The RequestID parser refuses these first.) // DOMAIN §4.1 */
  | 'counter-out-of-range'
  /** A new key whose counter is not above the originator's high-water mark. // RELIABILITY §3.6 SR02 */
  | 'counter-not-above-high-water'
  /** A used key with different content. // RELIABILITY §3.6 SR02, SR05 */
  | 'content-differs';

/** The verdict on a request: run it, answer it as before, or refuse it. */
export type ReplayVerdict =
  | { readonly kind: 'fresh' }
  | { readonly kind: 'duplicate'; readonly key: ReplayKey }
  | { readonly kind: 'replay'; readonly reason: ReplayReason; readonly detail: string };

/** Bounds on what is remembered per originator. */
export interface AntiReplayOptions {
  /** Accepted keys kept to recognise duplicates. Default 1024. */
  readonly retainPerOriginator?: number;
  /** Transforms awaiting their send. Default 1024. */
  readonly pendingSendsPerOriginator?: number;
}

/** The plain-data state of an `AntiReplay`: counters as decimal strings so JSON keeps every digit. // RELIABILITY §3.6 SR04, SR07 */
export interface AntiReplaySnapshot {
  readonly version: 1;
  readonly retainPerOriginator: number;
  readonly pendingSendsPerOriginator: number;
  readonly originators: readonly {
    readonly originator: string;
    readonly highWater: string;
    /** Oldest first. */
    readonly seen: readonly { readonly target: string; readonly counter: string; readonly phase: Phase; readonly digest: string }[];
    /** Oldest first. */
    readonly pendingSends: readonly { readonly target: string; readonly counter: string }[];
  }[];
}

/** The largest DUIS counter. // DOMAIN §4.1 (XSD RequestIDType) */
export const MAX_COUNTER = 2n ** 64n - 1n;
const DEFAULT_RETAIN = 1024;
const DIGEST = /^[0-9a-f]{64}$/;
const EUI = /^[0-9A-F]{2}(?:-[0-9A-F]{2}){7}$/;
const COUNTER = /^(?:0|[1-9]\d{0,19})$/;

interface Seen {
  readonly target: Eui64;
  readonly counter: bigint;
  readonly phase: Phase;
  readonly digest: string;
}

interface OriginatorState {
  highWater: bigint;
  /** Accepted keys, insertion order = acceptance order (oldest pruned first). */
  readonly seen: Map<string, Seen>;
  /** Transforms awaiting their send, by `target|counter`. */
  readonly pendingSends: Map<string, { readonly target: Eui64; readonly counter: bigint }>;
}

const seenKey = (target: Eui64, counter: bigint, phase: Phase): string => `${target}|${counter}|${phase}`;
const sendKey = (target: Eui64, counter: bigint): string => `${target}|${counter}`;

/**
 * Per-originator high-water counters and recently accepted keys.
 *
 * @example
 * const replay = new AntiReplay();
 * const v = replay.check(originator, target, 1002n, digest, 'send');
 * if (v.kind === 'fresh') replay.record(originator, target, 1002n, digest, 'send');
 */
export class AntiReplay {
  readonly #retain: number;
  readonly #pendingLimit: number;
  readonly #originators = new Map<Eui64, OriginatorState>();

  constructor(options: AntiReplayOptions = {}) {
    this.#retain = positiveInt(options.retainPerOriginator ?? DEFAULT_RETAIN, 'retainPerOriginator');
    this.#pendingLimit = positiveInt(options.pendingSendsPerOriginator ?? DEFAULT_RETAIN, 'pendingSendsPerOriginator');
  }

  /**
   * The verdict on a request, without changing anything. `contentDigest` is
   * the SHA-256 hex of the canonical content (never the signature); anything
   * but 64 lower-case hex digits is a bug: TypeError.
   */
  check(originator: Eui64, target: Eui64, counter: bigint, contentDigest: string, phase: Phase = 'send'): ReplayVerdict {
    assertDigest(contentDigest);
    assertPhase(phase);
    if (counter < 0n || counter > MAX_COUNTER) {
      return { kind: 'replay', reason: 'counter-out-of-range', detail: `counter ${counter} is outside 0..${MAX_COUNTER}` };
    }
    const o = this.#originators.get(originator);
    if (o === undefined) return { kind: 'fresh' };
    const seen = o.seen.get(seenKey(target, counter, phase));
    if (seen !== undefined) {
      return seen.digest === contentDigest
        ? { kind: 'duplicate', key: { originator, target, counter, phase } }
        : {
            kind: 'replay',
            reason: 'content-differs',
            detail: `RequestID ${originator}:${target}:${counter} (${phase}) was used for other content`,
          };
    }
    if (phase === 'send' && o.pendingSends.has(sendKey(target, counter))) return { kind: 'fresh' }; // DOMAIN §4.3: CV 5/6/7 reuses the CV 4 RequestID
    if (counter > o.highWater) return { kind: 'fresh' };
    return {
      kind: 'replay',
      reason: 'counter-not-above-high-water',
      detail: `counter ${counter} is not above ${originator}'s last counter ${o.highWater}`,
    };
  }

  /**
   * Records an accepted request: raises the high-water mark, remembers the key
   * and, for a transform, expects its send. Recording a request `check` does
   * not call fresh is a bug: Error.
   */
  record(originator: Eui64, target: Eui64, counter: bigint, contentDigest: string, phase: Phase = 'send'): void {
    const v = this.check(originator, target, counter, contentDigest, phase);
    if (v.kind !== 'fresh') throw new Error(`AntiReplay.record: ${originator}:${target}:${counter} (${phase}) is not fresh (${v.kind})`);
    let o = this.#originators.get(originator);
    if (o === undefined) {
      o = { highWater: counter, seen: new Map(), pendingSends: new Map() };
      this.#originators.set(originator, o);
    }
    if (counter > o.highWater) o.highWater = counter;
    o.seen.set(seenKey(target, counter, phase), { target, counter, phase, digest: contentDigest });
    if (phase === 'send') o.pendingSends.delete(sendKey(target, counter));
    else o.pendingSends.set(sendKey(target, counter), { target, counter });
    dropOldest(o.seen, this.#retain);
    dropOldest(o.pendingSends, this.#pendingLimit);
  }

  /** The originator's high-water counter, or undefined if it has sent nothing. */
  highWater(originator: Eui64): bigint | undefined {
    return this.#originators.get(originator)?.highWater;
  }

  /** Whether a transform under this RequestID awaits its send. */
  expectsSend(originator: Eui64, target: Eui64, counter: bigint): boolean {
    return this.#originators.get(originator)?.pendingSends.has(sendKey(target, counter)) ?? false;
  }

  /** The state as plain data (JSON-safe). */
  snapshot(): AntiReplaySnapshot {
    return {
      version: 1,
      retainPerOriginator: this.#retain,
      pendingSendsPerOriginator: this.#pendingLimit,
      originators: [...this.#originators].map(([originator, o]) => ({
        originator,
        highWater: o.highWater.toString(),
        seen: [...o.seen.values()].map((s) => ({ target: s.target, counter: s.counter.toString(), phase: s.phase, digest: s.digest })),
        pendingSends: [...o.pendingSends.values()].map((p) => ({ target: p.target, counter: p.counter.toString() })),
      })),
    };
  }

  /**
   * Rebuilds the state from a snapshot. A snapshot that is not one (truncated,
   * edited, another version) is refused with the first bad field. // RELIABILITY §3.7 B06
   */
  static restore(raw: unknown, path = 'antiReplay'): Result<AntiReplay, FieldError> {
    if (!isRecord(raw)) return err(fieldError(path, 'type', 'an anti-replay snapshot object', raw));
    if (raw['version'] !== 1) return err(fieldError(`${path}.version`, 'unknown-kind', 'version 1', raw['version']));
    const retain = raw['retainPerOriginator'];
    const pending = raw['pendingSendsPerOriginator'];
    if (!isPositiveInt(retain)) return err(fieldError(`${path}.retainPerOriginator`, 'range', 'a positive integer', retain));
    if (!isPositiveInt(pending)) return err(fieldError(`${path}.pendingSendsPerOriginator`, 'range', 'a positive integer', pending));
    const originators = raw['originators'];
    if (!Array.isArray(originators)) return err(fieldError(`${path}.originators`, 'type', 'an array', originators));
    const out = new AntiReplay({ retainPerOriginator: retain, pendingSendsPerOriginator: pending });
    for (const [i, rawO] of (originators as unknown[]).entries()) {
      const p = `${path}.originators[${i}]`;
      const o = readOriginator(rawO, p, retain, pending);
      if (!o.ok) return o;
      if (out.#originators.has(o.value.originator))
        return err(fieldError(`${p}.originator`, 'format', 'each originator once', o.value.originator));
      out.#originators.set(o.value.originator, o.value.state);
    }
    return ok(out);
  }
}

function readOriginator(
  raw: unknown,
  path: string,
  retain: number,
  pending: number,
): Result<{ originator: Eui64; state: OriginatorState }, FieldError> {
  if (!isRecord(raw)) return err(fieldError(path, 'type', 'an object { originator, highWater, seen, pendingSends }', raw));
  const originator = raw['originator'];
  if (typeof originator !== 'string' || !EUI.test(originator))
    return err(fieldError(`${path}.originator`, 'format', 'a canonical EUI-64', originator));
  const highWater = readCounter(raw['highWater'], `${path}.highWater`);
  if (!highWater.ok) return highWater;
  const state: OriginatorState = { highWater: highWater.value, seen: new Map(), pendingSends: new Map() };

  const seen = raw['seen'];
  if (!Array.isArray(seen)) return err(fieldError(`${path}.seen`, 'type', 'an array', seen));
  if (seen.length > retain) return err(fieldError(`${path}.seen`, 'too-many', `at most ${retain} keys`, seen));
  for (const [j, s] of (seen as unknown[]).entries()) {
    const p = `${path}.seen[${j}]`;
    if (!isRecord(s)) return err(fieldError(p, 'type', 'an object { target, counter, phase, digest }', s));
    const target = s['target'];
    if (typeof target !== 'string' || !EUI.test(target)) return err(fieldError(`${p}.target`, 'format', 'a canonical EUI-64', target));
    const counter = readCounter(s['counter'], `${p}.counter`);
    if (!counter.ok) return counter;
    if (counter.value > state.highWater)
      return err(fieldError(`${p}.counter`, 'range', `at most the high-water mark ${state.highWater}`, s['counter']));
    const phase = s['phase'];
    if (!PHASES.includes(phase as Phase)) return err(fieldError(`${p}.phase`, 'unknown-kind', "'transform' or 'send'", phase));
    const digest = s['digest'];
    if (typeof digest !== 'string' || !DIGEST.test(digest))
      return err(fieldError(`${p}.digest`, 'format', '64 lower-case hex digits', digest));
    const k = seenKey(target as Eui64, counter.value, phase as Phase);
    if (state.seen.has(k)) return err(fieldError(p, 'format', 'each key once', k));
    state.seen.set(k, { target: target as Eui64, counter: counter.value, phase: phase as Phase, digest });
  }

  const sends = raw['pendingSends'];
  if (!Array.isArray(sends)) return err(fieldError(`${path}.pendingSends`, 'type', 'an array', sends));
  if (sends.length > pending) return err(fieldError(`${path}.pendingSends`, 'too-many', `at most ${pending} pending sends`, sends));
  for (const [j, s] of (sends as unknown[]).entries()) {
    const p = `${path}.pendingSends[${j}]`;
    if (!isRecord(s)) return err(fieldError(p, 'type', 'an object { target, counter }', s));
    const target = s['target'];
    if (typeof target !== 'string' || !EUI.test(target)) return err(fieldError(`${p}.target`, 'format', 'a canonical EUI-64', target));
    const counter = readCounter(s['counter'], `${p}.counter`);
    if (!counter.ok) return counter;
    if (counter.value > state.highWater)
      return err(fieldError(`${p}.counter`, 'range', `at most the high-water mark ${state.highWater}`, s['counter']));
    const k = sendKey(target as Eui64, counter.value);
    if (state.pendingSends.has(k)) return err(fieldError(p, 'format', 'each pending send once', k));
    state.pendingSends.set(k, { target: target as Eui64, counter: counter.value });
  }
  return ok({ originator: originator as Eui64, state });
}

/** A counter written as a decimal string without leading zeros, 0..2^64−1. Never a JSON number: it would lose digits. // RELIABILITY §3.6 SR07 */
function readCounter(raw: unknown, path: string): Result<bigint, FieldError> {
  if (typeof raw !== 'string' || !COUNTER.test(raw)) return err(fieldError(path, 'format', 'a decimal counter string', raw));
  const n = BigInt(raw);
  if (n > MAX_COUNTER) return err(fieldError(path, 'range', `a counter 0..${MAX_COUNTER}`, raw));
  return ok(n);
}

function dropOldest<V>(m: Map<string, V>, limit: number): void {
  for (const k of m.keys()) {
    if (m.size <= limit) return;
    m.delete(k);
  }
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isPositiveInt = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v > 0;

function positiveInt(n: number, name: string): number {
  if (!isPositiveInt(n)) throw new RangeError(`AntiReplay: ${name} must be a positive integer, got ${String(n)}`);
  return n;
}

function assertDigest(d: string): void {
  if (typeof d !== 'string' || !DIGEST.test(d))
    throw new TypeError('AntiReplay: contentDigest must be a SHA-256 as 64 lower-case hex digits');
}

function assertPhase(p: Phase): void {
  if (!PHASES.includes(p)) throw new TypeError(`AntiReplay: unknown phase ${String(p)}`);
}
