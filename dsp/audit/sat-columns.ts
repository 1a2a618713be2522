import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import type { Eui64 } from '../../core/ids.ts';
import { GENESIS_HASH, SAT_KINDS, type SatKind, type SatRecord } from './service-audit-trail.ts';

/**
 * Where the Service Audit Trail keeps its records: in columns, not as one
 * object per record. A trail holds several records per meter (each request,
 * each outcome, each alert routed), so at a million meters an object per
 * record (about 370 bytes with its hash as hex) was the DSP's largest cost.
 * Here the few distinct senders, SRVs and codes are stored once and referred
 * to by number, the hash is 32 bytes, the previous hash is the record before's,
 * and only the RequestID and the free-text detail stay strings. A record is
 * rebuilt as a frozen `SatRecord` when asked for.
 */
export class SatColumns {
  #n = 0;
  #at = new Float64Array(INITIAL);
  // kind index and Command Variant (0 for none), two bytes per record
  #kindCv = new Uint8Array(2 * INITIAL);
  // sender, Business Originator, SRV and code as 1 + index into `#texts` (0 for null)
  #refs = new Uint32Array(4 * INITIAL);
  #hash = new Uint8Array(32 * INITIAL);
  readonly #requestId: (string | null)[] = [];
  readonly #detail: string[] = [];
  readonly #texts: string[] = [];
  readonly #textIndex = new Map<string, number>();

  get length(): number {
    return this.#n;
  }

  /** Stores a record whose hash was computed by the caller (hex, 64 digits). */
  push(r: SatRecord): void {
    const i = this.#n;
    if (i === this.#at.length) this.#grow();
    this.#at[i] = r.at;
    this.#kindCv[2 * i] = SAT_KINDS.indexOf(r.kind);
    this.#kindCv[2 * i + 1] = r.commandVariant ?? 0;
    this.#refs[4 * i] = this.#ref(r.sender);
    this.#refs[4 * i + 1] = this.#ref(r.businessOriginator);
    this.#refs[4 * i + 2] = this.#ref(r.srv);
    this.#refs[4 * i + 3] = this.#ref(r.code);
    this.#hash.set(hexToBytes(r.hash), 32 * i);
    this.#requestId.push(r.requestId);
    this.#detail.push(r.detail);
    this.#n = i + 1;
  }

  /** Record `i` as a frozen value (a new object each call). */
  get(i: number): SatRecord {
    if (!Number.isInteger(i) || i < 0 || i >= this.#n) throw new RangeError(`SatColumns.get: no record ${i} of ${this.#n}`);
    const cv = this.#kindCv[2 * i + 1] as number;
    return Object.freeze({
      index: i,
      at: this.#at[i] as number,
      kind: SAT_KINDS[this.#kindCv[2 * i] as number] as SatKind,
      sender: this.#text(this.#refs[4 * i] as number) as Eui64,
      businessOriginator: this.#text(this.#refs[4 * i + 1] as number) as Eui64 | null,
      requestId: this.#requestId[i] ?? null,
      srv: this.#text(this.#refs[4 * i + 2] as number),
      commandVariant: cv === 0 ? null : cv,
      code: this.#text(this.#refs[4 * i + 3] as number),
      detail: this.#detail[i] as string,
      prevHash: i === 0 ? GENESIS_HASH : this.hashHex(i - 1),
      hash: this.hashHex(i),
    });
  }

  /** The kind of record `i`, without rebuilding it. */
  kindOf(i: number): SatKind {
    return SAT_KINDS[this.#kindCv[2 * i] as number] as SatKind;
  }

  /** Record `i`'s hash as lower-case hex. */
  hashHex(i: number): string {
    return bytesToHex(this.#hash.subarray(32 * i, 32 * i + 32));
  }

  #ref(text: string | null): number {
    if (text === null) return 0;
    let k = this.#textIndex.get(text);
    if (k === undefined) {
      k = this.#texts.length;
      this.#texts.push(text);
      this.#textIndex.set(text, k);
    }
    return k + 1;
  }

  #text(ref: number): string | null {
    return ref === 0 ? null : (this.#texts[ref - 1] as string);
  }

  #grow(): void {
    const cap = 2 * this.#at.length;
    const at = new Float64Array(cap);
    at.set(this.#at);
    this.#at = at;
    const kindCv = new Uint8Array(2 * cap);
    kindCv.set(this.#kindCv);
    this.#kindCv = kindCv;
    const refs = new Uint32Array(4 * cap);
    refs.set(this.#refs);
    this.#refs = refs;
    const hash = new Uint8Array(32 * cap);
    hash.set(this.#hash);
    this.#hash = hash;
  }
}

const INITIAL = 1024;
