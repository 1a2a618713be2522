/**
 * Meter side: decide whether a UTRN adds credit, and keep the anti-replay and
 * keypad-lockout state that decision needs. Pure and immutable: every update
 * returns a new state. Credit limits (0x8F5B over max credit, 0x8F47 over max
 * meter balance) belong to the meter's ledger, not here. // DOMAIN §2.2, §2.3
 *
 * Counter rule (OPEN-QUESTIONS C1, UNVERIFIED — an emulator design):
 * - `floor` is a full 64-bit counter: every top-up counter at or below it is
 *   spent (used, or forfeited). `recent` holds accepted counters above it.
 * - Accepting a counter adds it to `recent`; while the smallest recent counter
 *   is the floor's immediate successor the floor moves up to it, so tokens used
 *   in order keep `recent` empty. When more than `recentCounters` sit above a
 *   gap, the smallest becomes the floor and the gap's tokens are forfeited.
 * - A keyed-in UTRN carries only counter bits 41..32, so the meter tries the
 *   smallest top-up counter above the floor with those 10 bits, the one 1024
 *   below it (to name replays as duplicates), and any recent counter with those
 *   bits. Tokens minted in sequence can therefore be typed in any order as long
 *   as none runs more than 1023 ahead of the floor.
 * - A remote top-up (SR 2.2) carries the full counter, which is used as is.
 */
import type { FieldError } from '../../../../core/errors.ts';
import type { Money } from '../../../../core/money.ts';
import { UTRN_COUNTER_BITS, parseUtrn, ptutHigh, utrnCredit, type UtrnFields } from './utrn.ts';
import { utrnKeyFromSecret, utrnMac } from './utrn-mac.ts';

/** Anti-replay window and keypad lockout. // DOMAIN §2.3, OPEN-QUESTIONS C1/C2 (UNVERIFIED, configurable) */
export interface UtrnAcceptorConfig {
  /** Accepted counters kept above the floor, i.e. how far out of order tokens may arrive. */
  readonly recentCounters: number;
  /** Bad manual entries within `lockoutWindowMs` that suspend keypad entry. */
  readonly lockoutBadEntries: number;
  readonly lockoutWindowMs: number;
  /** How long keypad entry stays suspended. */
  readonly lockoutMs: number;
}

/** 5 recent counters; 5 bad entries in 10 min lock the keypad for 1 h. // DOMAIN §2.3, OPEN-QUESTIONS C1/C2 (UNVERIFIED, configurable) */
export const DEFAULT_UTRN_ACCEPTOR_CONFIG: UtrnAcceptorConfig = {
  recentCounters: 5,
  lockoutBadEntries: 5,
  lockoutWindowMs: 10 * 60_000,
  lockoutMs: 60 * 60_000,
};

/** What a meter remembers about top-ups. Times are virtual-clock milliseconds. */
export interface UtrnAcceptorState {
  readonly floor: bigint;
  /** Accepted counters above the floor, ascending. */
  readonly recent: readonly bigint[];
  /** Times of bad manual entries inside the current lockout window. */
  readonly badEntries: readonly number[];
  /** Manual entry is refused while now < lockedUntil. */
  readonly lockedUntil: number;
}

/** Fresh state. `floor` is the top-up floor sequence number (e.g. after a change of Supplier). // DOMAIN §2.2 */
export function initialUtrnAcceptorState(floor = 0n): UtrnAcceptorState {
  return { floor, recent: [], badEntries: [], lockedUntil: 0 };
}

/** Alert codes for UTRN outcomes. // DOMAIN §2.3 */
export const UTRN_ALERT = {
  /** No dedicated code for a malformed entry is known. // UNVERIFIED */
  malformed: 0,
  lockedOut: 0x81c5,
  manualEntrySuspended: 0x81c4,
  duplicate: 0x8f51,
  notForThisDevice: 0x8f64,
  notAuthentic: 0x8f63,
} as const;

export type UtrnRejection = 'malformed' | 'locked-out' | 'duplicate' | 'not-for-this-device' | 'not-authentic';

/** Another meter of the same Supplier in the same premises (e.g. the gas meter, seen from the electricity meter). */
export interface UtrnSibling {
  readonly eui: Uint8Array;
  /** That device's ECDH secret Z with the Supplier. */
  readonly secret: Uint8Array;
}

export interface VerifyUtrnOptions {
  readonly now: number;
  /** This device's ECDH secret Z with the Supplier's prepayment KA key. */
  readonly secret: Uint8Array;
  readonly ownEui: Uint8Array;
  readonly siblings: readonly UtrnSibling[];
  /** The Supplier's EUI-64. */
  readonly originator: Uint8Array;
  readonly entry: 'manual' | 'remote';
  /** The full counter from the SR 2.2 / CS01 header; without it the counter is inferred as for manual entry. */
  readonly fullCounter?: bigint;
}

export type UtrnVerdict =
  | { readonly kind: 'valid'; readonly counter: bigint; readonly credit: Money; readonly fields: UtrnFields }
  | { readonly kind: 'rejected'; readonly alert: number; readonly reason: UtrnRejection; readonly error?: FieldError };

const LOW_BITS_MASK = (1n << BigInt(UTRN_COUNTER_BITS)) - 1n;
const MAX_TOP_UP = 0xffff_ffffn;

/**
 * Checks a UTRN without changing state. On `valid` the caller credits the
 * ledger and calls {@link recordAccepted}; on a rejected manual entry it calls
 * {@link recordBadEntry} (see {@link isBadManualEntry}).
 */
export function verifyUtrn(state: UtrnAcceptorState, raw: unknown, o: VerifyUtrnOptions): UtrnVerdict {
  // DOMAIN §2.3: while suspended the keypad refuses entries outright; remote top-ups still work.
  if (o.entry === 'manual' && o.now < state.lockedUntil) return reject('locked-out', UTRN_ALERT.lockedOut);
  const parsed = parseUtrn(raw);
  if (!parsed.ok) return { kind: 'rejected', alert: UTRN_ALERT.malformed, reason: 'malformed', error: parsed.error };
  const fields = parsed.value;
  const candidates =
    o.entry === 'remote' && o.fullCounter !== undefined ? remoteCandidate(o.fullCounter, fields) : inferCounters(state, fields);

  const own = candidates.find((c) => macMatches(o.secret, o.originator, o.ownEui, c, fields));
  if (own !== undefined) {
    // DOMAIN §2.2, §5.2: authentic but already spent.
    if (own <= state.floor || state.recent.includes(own)) return reject('duplicate', UTRN_ALERT.duplicate);
    return { kind: 'valid', counter: own, credit: utrnCredit(fields), fields };
  }
  // Emulator rule (UNVERIFIED): a real meter cannot tell a sibling's token from a
  // forgery; the twin can, and says so with 0x8F64 so scenarios can show it.
  const sibling = o.siblings.some((s) => candidates.some((c) => macMatches(s.secret, o.originator, s.eui, c, fields)));
  return sibling ? reject('not-for-this-device', UTRN_ALERT.notForThisDevice) : reject('not-authentic', UTRN_ALERT.notAuthentic);
}

/** Marks `counter` spent and advances the floor as described above. Idempotent. */
export function recordAccepted(
  state: UtrnAcceptorState,
  counter: bigint,
  config: UtrnAcceptorConfig = DEFAULT_UTRN_ACCEPTOR_CONFIG,
): UtrnAcceptorState {
  if (counter <= state.floor || state.recent.includes(counter)) return state;
  const recent = [...state.recent, counter].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  let floor = state.floor;
  for (let first = recent[0]; first !== undefined; first = recent[0]) {
    const contiguous = first >> 32n === (floor >> 32n) + 1n;
    if (!contiguous && recent.length <= config.recentCounters) break;
    floor = first;
    recent.shift();
  }
  return { ...state, floor, recent };
}

/**
 * Counts a bad manual entry. Entries older than the window are dropped; the
 * one that reaches `lockoutBadEntries` starts a lockout (`lockedNow`, and the
 * caller raises 0x81C4 UTRN Manual Entry Suspended). Entries during a lockout
 * are not counted: they were refused unread. // DOMAIN §2.3, OPEN-QUESTIONS C2 (UNVERIFIED)
 */
export function recordBadEntry(
  state: UtrnAcceptorState,
  now: number,
  config: UtrnAcceptorConfig,
): { state: UtrnAcceptorState; lockedNow: boolean } {
  if (now < state.lockedUntil) return { state, lockedNow: false };
  const badEntries = [...state.badEntries.filter((t) => t > now - config.lockoutWindowMs), now];
  if (badEntries.length >= config.lockoutBadEntries) {
    return { state: { ...state, badEntries: [], lockedUntil: now + config.lockoutMs }, lockedNow: true };
  }
  return { state: { ...state, badEntries }, lockedNow: false };
}

/** Whether a verdict counts towards the keypad lockout: any rejected manual entry that was actually read. // UNVERIFIED */
export function isBadManualEntry(verdict: UtrnVerdict, entry: 'manual' | 'remote'): boolean {
  return entry === 'manual' && verdict.kind === 'rejected' && verdict.reason !== 'locked-out';
}

function remoteCandidate(full: bigint, f: UtrnFields): bigint[] {
  const top = full >> 32n;
  // The header counter must be a top-up counter whose low bits match the token's; otherwise nothing can verify.
  const consistent = full > 0n && top <= MAX_TOP_UP && (full & 0xffff_ffffn) === 0n && (top & LOW_BITS_MASK) === BigInt(f.counterLow10);
  return consistent ? [full] : [];
}

function inferCounters(state: UtrnAcceptorState, f: UtrnFields): bigint[] {
  const low = BigInt(f.counterLow10);
  const first = (state.floor >> 32n) + 1n;
  const above = first + ((((low - first) % 1024n) + 1024n) % 1024n);
  const tops = [above, above - 1024n, ...state.recent.map((c) => c >> 32n).filter((t) => (t & LOW_BITS_MASK) === low)];
  return [...new Set(tops)].filter((t) => t >= 1n && t <= MAX_TOP_UP).map((t) => t << 32n);
}

function macMatches(secret: Uint8Array, originator: Uint8Array, target: Uint8Array, counter: bigint, f: UtrnFields): boolean {
  const key = utrnKeyFromSecret(secret, originator, target, counter);
  return utrnMac(key, originator, target, counter, ptutHigh(f)) === f.mac;
}

function reject(reason: UtrnRejection, alert: number): UtrnVerdict {
  return { kind: 'rejected', alert, reason };
}
