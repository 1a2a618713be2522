import type { Eui64, RequestId } from '../../core/ids.ts';
import { err, ok, type Result } from '../../core/result.ts';
import type { Instant } from '../../core/time/duration.ts';
import type { Role } from '../access/roles.ts';
import type { Rejection } from '../response-codes.ts';
import type { Phase } from './phase.ts';

/**
 * The request ledger: every request the DSP accepts ends in exactly one
 * terminal outcome, and nothing accepted is forgotten. // RELIABILITY §2 items 1–3
 *
 * A record is opened when a request is accepted (after its RequestID and
 * sender are known) and settled once with `success`, `error` or
 * `quarantined`. At the end of a run `inFlight()` must be empty and, per
 * sender, `received = success + error + quarantined + inFlight` always holds.
 */

/**
 * What identifies a ledger record.
 *
 * - `sender` is the *authenticated* sender (the XML signer), never the
 *   Business Originator named in the request: for an SRP acting in the SoLR
 *   Contingency role these differ, and the sender is the party answered and
 *   audited. // MP134B req 7
 * - `requestId` is the canonical DUIS RequestID `originator:target:counter`
 *   (`toRequestId` drops leading zeros, so `…:007` and `…:7` are one key).
 *   // DOMAIN §4.1
 * - `phase`: a critical request's CV 4 transform and its CV 5/6/7 send share
 *   the RequestID; each is a record of its own (`phase.ts`). // DOMAIN §4.3
 * - `release`: set only on the record a released quarantined request opens,
 *   to the quarantine reference; the record is linked to the quarantined one
 *   (same sender, RequestID and phase), which stays settled as quarantined.
 *   // RELIABILITY §2 item 1
 */
export interface LedgerKey {
  readonly sender: Eui64;
  readonly requestId: RequestId;
  readonly phase: Phase;
  readonly release?: string;
}

/** What the ledger keeps about an accepted request, for reports and the audit trail. */
export interface RequestInfo {
  /** The role the sender acted in. */
  readonly role: Role;
  /** The party on whose behalf the request was sent (request header). May differ from the sender. // DOMAIN §4.6 */
  readonly businessOriginator: Eui64;
  /** The Service Reference Variant, e.g. `1.6`. */
  readonly srv: string;
  /** The Command Variant, 1..9. */
  readonly commandVariant: number;
}

/** A request's terminal outcome. Quarantine is terminal for the request; release opens a new linked record. */
export type Outcome =
  | { readonly kind: 'success'; readonly code: 'I0' }
  | { readonly kind: 'error'; readonly code: Rejection['code']; readonly reason: string }
  | { readonly kind: 'quarantined'; readonly reference: string };

/** One ledger record: open until settled, then settled for good. */
export type LedgerEntry =
  | { readonly state: 'open'; readonly key: LedgerKey; readonly info: RequestInfo; readonly openedAt: Instant }
  | {
      readonly state: 'settled';
      readonly key: LedgerKey;
      readonly info: RequestInfo;
      readonly openedAt: Instant;
      readonly outcome: Outcome;
      readonly settledAt: Instant;
    };

/** Why `open` refused: the key is taken (the caller answers the resend from `existing`), or a release is not linked to a quarantine. */
export type OpenRefusal =
  | { readonly kind: 'already-open'; readonly existing: LedgerEntry }
  | { readonly kind: 'already-settled'; readonly existing: LedgerEntry }
  | { readonly kind: 'release-unlinked'; readonly reason: string };

/** Per-sender tallies. `received = success + error + quarantined + inFlight`. // RELIABILITY §2 item 2 */
export interface LedgerCounts {
  readonly received: number;
  readonly success: number;
  readonly error: number;
  readonly quarantined: number;
  readonly inFlight: number;
}

interface MutableCounts {
  received: number;
  success: number;
  error: number;
  quarantined: number;
  inFlight: number;
}

const ZERO: LedgerCounts = Object.freeze({ received: 0, success: 0, error: 0, quarantined: 0, inFlight: 0 });

/**
 * The map key of a ledger key. The sender (a canonical EUI-64) and the phase
 * have fixed spellings; the RequestID and release reference are
 * length-prefixed, so no two keys share a string.
 */
function keyString(k: LedgerKey): string {
  const release = k.release === undefined ? '-' : `${k.release.length}:${k.release}`;
  return `${k.sender}|${k.phase}|${k.requestId.length}:${k.requestId}|${release}`;
}

function describeKey(k: LedgerKey): string {
  return `${k.sender} ${k.phase} ${k.requestId}${k.release === undefined ? '' : ` (release ${k.release})`}`;
}

/**
 * The ledger of accepted requests, in virtual time. Refusals a caller must
 * expect (a resent request) are values; settling what was never opened or
 * settling twice is a bug in the pipeline and throws.
 *
 * @example
 * const ledger = new RequestLedger();
 * ledger.open({ sender, requestId, phase: 'send' }, now, { role: 'IS', businessOriginator: sender, srv: '2.2', commandVariant: 1 });
 * ledger.settle({ sender, requestId, phase: 'send' }, { kind: 'success', code: 'I0' }, later);
 */
export class RequestLedger {
  readonly #entries = new Map<string, LedgerEntry>();
  /** Open records in the order they were opened; settled ones are deleted. */
  readonly #open = new Map<string, LedgerKey>();
  readonly #counts = new Map<Eui64, MutableCounts>();

  /**
   * Records an accepted request. Refuses (a value) when the key is already
   * open or settled: the request is a resend and must not run again
   * (RELIABILITY §2 item 4). A key with `release` must name a record settled
   * as quarantined under that reference.
   */
  open(key: LedgerKey, at: Instant, info: RequestInfo): Result<LedgerEntry, OpenRefusal> {
    assertInstant(at, 'open');
    const k = keyString(key);
    const existing = this.#entries.get(k);
    if (existing !== undefined) return err({ kind: existing.state === 'open' ? 'already-open' : 'already-settled', existing });
    if (key.release !== undefined) {
      const linked = this.#entries.get(keyString({ sender: key.sender, requestId: key.requestId, phase: key.phase }));
      if (linked?.state !== 'settled' || linked.outcome.kind !== 'quarantined' || linked.outcome.reference !== key.release) {
        return err({ kind: 'release-unlinked', reason: `no request of ${describeKey(key)} was quarantined under ${key.release}` });
      }
    }
    const entry: LedgerEntry = Object.freeze({ state: 'open', key: freezeKey(key), info: freezeInfo(info), openedAt: at });
    this.#entries.set(k, entry);
    this.#open.set(k, entry.key);
    const c = this.#countsOf(key.sender);
    c.received++;
    c.inFlight++;
    return ok(entry);
  }

  /**
   * Settles an open record with its one terminal outcome. Settling an unknown
   * key, settling twice, or settling before it was opened are bugs: Error.
   */
  settle(key: LedgerKey, outcome: Outcome, at: Instant): LedgerEntry {
    assertInstant(at, 'settle');
    const k = keyString(key);
    const entry = this.#entries.get(k);
    if (entry === undefined) throw new Error(`RequestLedger.settle: ${describeKey(key)} was never opened`);
    if (entry.state === 'settled') throw new Error(`RequestLedger.settle: ${describeKey(key)} is already settled (${entry.outcome.kind})`);
    if (at < entry.openedAt)
      throw new RangeError(`RequestLedger.settle: ${describeKey(key)} settled at ${at}, before it was opened at ${entry.openedAt}`);
    const settled: LedgerEntry = Object.freeze({
      state: 'settled',
      key: entry.key,
      info: entry.info,
      openedAt: entry.openedAt,
      outcome: freezeOutcome(outcome),
      settledAt: at,
    });
    this.#entries.set(k, settled);
    this.#open.delete(k);
    const c = this.#countsOf(key.sender);
    c.inFlight--;
    c[outcome.kind]++;
    return settled;
  }

  /** The record of a key, or undefined. */
  get(key: LedgerKey): LedgerEntry | undefined {
    return this.#entries.get(keyString(key));
  }

  /** The keys still open, oldest first. Empty at the end of every drained run. // RELIABILITY §2 item 1 */
  inFlight(): readonly LedgerKey[] {
    return [...this.#open.values()];
  }

  /** Tallies per authenticated sender, in order of each sender's first request. */
  counts(): ReadonlyMap<Eui64, LedgerCounts> {
    const out = new Map<Eui64, LedgerCounts>();
    for (const [sender, c] of this.#counts) out.set(sender, Object.freeze({ ...c }));
    return out;
  }

  /** Tallies over all senders. */
  totals(): LedgerCounts {
    const t: MutableCounts = { ...ZERO };
    for (const c of this.#counts.values()) {
      t.received += c.received;
      t.success += c.success;
      t.error += c.error;
      t.quarantined += c.quarantined;
      t.inFlight += c.inFlight;
    }
    return Object.freeze(t);
  }

  /** Every record, in the order the keys were first opened. */
  entries(): readonly LedgerEntry[] {
    return [...this.#entries.values()];
  }

  #countsOf(sender: Eui64): MutableCounts {
    let c = this.#counts.get(sender);
    if (c === undefined) {
      c = { ...ZERO };
      this.#counts.set(sender, c);
    }
    return c;
  }
}

// Copies written field by field (not spread) so every record shares one hidden class; the ledger holds one per request.
function freezeInfo(i: RequestInfo): RequestInfo {
  return Object.freeze({ role: i.role, businessOriginator: i.businessOriginator, srv: i.srv, commandVariant: i.commandVariant });
}

/** Success carries nothing of its own: one shared value. */
const SUCCESS: Outcome = Object.freeze({ kind: 'success', code: 'I0' });

function freezeOutcome(o: Outcome): Outcome {
  if (o.kind === 'success') return SUCCESS;
  if (o.kind === 'error') return Object.freeze({ kind: 'error', code: o.code, reason: o.reason });
  return Object.freeze({ kind: 'quarantined', reference: o.reference });
}

function freezeKey(k: LedgerKey): LedgerKey {
  return Object.freeze(
    k.release === undefined
      ? { sender: k.sender, requestId: k.requestId, phase: k.phase }
      : { sender: k.sender, requestId: k.requestId, phase: k.phase, release: k.release },
  );
}

function assertInstant(at: Instant, op: string): void {
  if (!Number.isSafeInteger(at)) throw new RangeError(`RequestLedger.${op}: instant must be an integer of milliseconds, got ${at}`);
}
