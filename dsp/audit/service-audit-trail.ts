import { hexToBytes } from '@noble/hashes/utils.js';
import type { Eui64 } from '../../core/ids.ts';
import { err, ok, type Result } from '../../core/result.ts';
import type { Instant } from '../../core/time/duration.ts';
import { canonicalBytes, isWellFormedText, sha256Hex } from './canonical-encoding.ts';
import { SatColumns } from './sat-columns.ts';

/**
 * The Service Audit Trail (SAT): an append-only record of every request,
 * every terminal outcome, every alert and every administrative change (ADT
 * uploads, quarantine releases), one SAT record per ledger event.
 * // RELIABILITY §2 item 5, §4 oracle 6
 *
 * Hash-chained (an inferred design, not a published DCC format — RELIABILITY
 * §2 item 5): each record carries the hash of the one before, and its own
 * hash is SHA-256(prevHash ‖ canonical bytes of the record without its hash).
 * Editing, removing, inserting or reordering a record breaks the chain at
 * that record; removing records from the *end* is seen only against a head
 * hash kept elsewhere, so `verifyChain` takes the expected head.
 *
 * Who a record is about: `sender` is always the authenticated sender and
 * `businessOriginator` the party named in the request; both are stored. The
 * caller decides which one a report calls the User: for the SoLR Contingency
 * role it must be the sender (the SRP), not the Business Originator.
 * // MP134B req 7, DOMAIN §4.6
 */

/** What a SAT record records. */
export type SatKind = 'request' | 'outcome' | 'alert' | 'admin';

export const SAT_KINDS: readonly SatKind[] = ['request', 'outcome', 'alert', 'admin'];

/** What the caller appends; the trail adds `index`, `prevHash` and `hash`. */
export interface SatEntry {
  /** Virtual time of the event; never earlier than the record before. */
  readonly at: Instant;
  readonly kind: SatKind;
  /**
   * The authenticated sender of the request; for an alert, the User it is
   * routed to; for an admin record, the User whose settings changed.
   */
  readonly sender: Eui64;
  /** The Business Originator named in the request, or null where there is none. */
  readonly businessOriginator: Eui64 | null;
  /** The canonical RequestID, or null (alerts not about a request, admin records). */
  readonly requestId: string | null;
  /** The Service Reference Variant, or null. */
  readonly srv: string | null;
  /** The Command Variant 1..9, or null. */
  readonly commandVariant: number | null;
  /** The response code (`I0`, `E19`, `X9`…) or alert code (`AD1`, `N…`), or null. */
  readonly code: string | null;
  /** Free text: the rejection reason, the quarantine reference, what changed. */
  readonly detail: string;
}

/** One record of the trail, as stored. */
export interface SatRecord extends SatEntry {
  /** Position in the trail, from 0. */
  readonly index: number;
  /** The hash of the record before, or `GENESIS_HASH` for the first. */
  readonly prevHash: string;
  /** SHA-256(prevHash ‖ canonical bytes of this record without `hash`), lower-case hex. */
  readonly hash: string;
}

/** Where a chain breaks: the first bad record's index (or the length, for a missing tail) and why. */
export interface ChainBreak {
  readonly index: number;
  readonly reason: string;
}

/** The `prevHash` of the first record: 32 zero bytes. */
export const GENESIS_HASH = '0'.repeat(64);

/** Domain tag, so a SAT hash can never be mistaken for a hash of anything else. */
const SAT_TAG = 'smets-twin.sat.v1';
const HASH_HEX = /^[0-9a-f]{64}$/;

/**
 * The canonical bytes of a record without its hash: the tag, then the fields
 * in this fixed order, each framed as in `canonical-encoding.ts`.
 */
export function satRecordBytes(r: Omit<SatRecord, 'hash'>): Uint8Array {
  return canonicalBytes([
    SAT_TAG,
    r.index,
    r.at,
    r.kind,
    r.sender,
    r.businessOriginator,
    r.requestId,
    r.srv,
    r.commandVariant,
    r.code,
    r.detail,
    r.prevHash,
  ]);
}

/** The hash of a record: SHA-256(prevHash bytes ‖ canonical bytes of the record without its hash). */
export function satRecordHash(r: Omit<SatRecord, 'hash'>): string {
  const prev = hexToBytes(r.prevHash);
  const body = satRecordBytes(r);
  const input = new Uint8Array(prev.length + body.length);
  input.set(prev, 0);
  input.set(body, prev.length);
  return sha256Hex(input);
}

/**
 * An append-only, hash-chained Service Audit Trail.
 *
 * @example
 * const sat = new ServiceAuditTrail();
 * sat.append({ at, kind: 'request', sender, businessOriginator, requestId, srv: '1.6', commandVariant: 4, code: null, detail: '' });
 * verifyChain(sat.records(), sat.head()); // ok(true)
 */
export class ServiceAuditTrail {
  readonly #records = new SatColumns();
  #head = GENESIS_HASH;
  #lastAt = -Infinity;

  /**
   * Restores a trail from stored records, refusing any that do not form an
   * unbroken chain (ending at `head` when given).
   */
  static fromRecords(records: readonly SatRecord[], head?: string): Result<ServiceAuditTrail, ChainBreak> {
    const v = verifyChain(records, head);
    if (!v.ok) return v;
    const t = new ServiceAuditTrail();
    // Only the hashed fields are kept: anything else a stored record carries was never covered by the chain.
    for (const r of records) t.#keep(r);
    return ok(t);
  }

  /**
   * Appends a record and returns it. A malformed entry (an instant that is not
   * an integer or goes back in time, an unknown kind, a Command Variant outside
   * 1..9, ill-formed text) is a bug in the caller: it throws and nothing is appended.
   */
  append(entry: SatEntry): SatRecord {
    const index = this.#records.length;
    const problem =
      entryProblem(entry) ??
      (index > 0 && entry.at < this.#lastAt ? `at ${entry.at} is before the last record's ${this.#lastAt}` : undefined);
    if (problem !== undefined) throw new RangeError(`ServiceAuditTrail.append: ${problem}`);
    const e = entry;
    const unhashed: Omit<SatRecord, 'hash'> = {
      index,
      at: e.at,
      kind: e.kind,
      sender: e.sender,
      businessOriginator: e.businessOriginator,
      requestId: e.requestId,
      srv: e.srv,
      commandVariant: e.commandVariant,
      code: e.code,
      detail: e.detail,
      prevHash: this.#head,
    };
    const record: SatRecord = Object.freeze({ ...unhashed, hash: satRecordHash(unhashed) });
    this.#keep(record);
    return record;
  }

  #keep(r: SatRecord): void {
    this.#records.push(r);
    this.#head = r.hash;
    this.#lastAt = r.at;
  }

  /** The records, oldest first, each a frozen copy, so the trail cannot be edited through them. */
  records(): readonly SatRecord[] {
    return [...this];
  }

  /** Record `index`. */
  record(index: number): SatRecord {
    return this.#records.get(index);
  }

  /** The records, oldest first, one at a time (a whole trail as objects costs far more than the trail). */
  *[Symbol.iterator](): Iterator<SatRecord> {
    for (let i = 0; i < this.#records.length; i++) yield this.#records.get(i);
  }

  /** How many records of each kind. */
  countByKind(): Record<SatKind, number> {
    const out = Object.fromEntries(SAT_KINDS.map((k) => [k, 0])) as Record<SatKind, number>;
    for (let i = 0; i < this.#records.length; i++) out[this.#records.kindOf(i)]++;
    return out;
  }

  /** The number of records. */
  get length(): number {
    return this.#records.length;
  }

  /** The hash of the last record (`GENESIS_HASH` when empty): publish it to detect a truncated tail. */
  head(): string {
    return this.#head;
  }
}

/**
 * Checks that `records` form an unbroken chain from the genesis hash: each
 * record's index is its position, its `prevHash` is the hash of the record
 * before, its hash recomputes, and time does not go back. Given `head`, the
 * last hash must equal it, which also catches records removed from the end
 * (or a chain rewritten and re-hashed from the edit onwards).
 */
export function verifyChain(records: Iterable<SatRecord>, head?: string): Result<true, ChainBreak> {
  let prevHash = GENESIS_HASH;
  let prevAt = -Infinity;
  let i = -1;
  for (const r of records) {
    i++;
    if (r.index !== i) return err({ index: i, reason: `record at position ${i} says index ${r.index}` });
    if (r.prevHash !== prevHash) return err({ index: i, reason: 'prevHash is not the hash of the record before' });
    const problem = entryProblem(r) ?? (typeof r.hash === 'string' && HASH_HEX.test(r.hash) ? undefined : 'hash is not 64 hex digits');
    if (problem !== undefined) return err({ index: i, reason: problem });
    if (r.at < prevAt) return err({ index: i, reason: `at ${r.at} is before the record before (${prevAt})` });
    if (satRecordHash(r) !== r.hash) return err({ index: i, reason: 'hash does not match the record' });
    prevHash = r.hash;
    prevAt = r.at;
  }
  if (head !== undefined && head !== prevHash) return err({ index: i + 1, reason: 'the last hash is not the expected head' });
  return ok(true);
}

/** What is wrong with an entry's fields, or undefined. Records may come from storage, so nothing is taken on trust. */
function entryProblem(e: SatEntry): string | undefined {
  if (!Number.isSafeInteger(e.at)) return `at is not an integer instant: ${String(e.at)}`;
  if (!SAT_KINDS.includes(e.kind)) return `unknown kind ${String(e.kind)}`;
  if (!isText(e.sender)) return 'sender is not text';
  if (!isTextOrNull(e.businessOriginator)) return 'businessOriginator is not text or null';
  if (!isTextOrNull(e.requestId)) return 'requestId is not text or null';
  if (!isTextOrNull(e.srv)) return 'srv is not text or null';
  if (e.commandVariant !== null && !(Number.isInteger(e.commandVariant) && e.commandVariant >= 1 && e.commandVariant <= 9)) {
    return `commandVariant is not 1..9 or null: ${String(e.commandVariant)}`;
  }
  if (!isTextOrNull(e.code)) return 'code is not text or null';
  if (!isText(e.detail)) return 'detail is not text';
  return undefined;
}

const isText = (v: unknown): boolean => typeof v === 'string' && isWellFormedText(v);
const isTextOrNull = (v: unknown): boolean => v === null || isText(v);
