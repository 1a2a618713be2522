import { concatBytes } from '@noble/hashes/utils.js';
/**
 * A small DER encoder (ITU-T X.690 distinguished encoding): exactly the ASN.1
 * types an X.509 certificate and a PKCS#8 key need, and no parser. The twin
 * only writes certificates; what reads them is OpenSSL (node:crypto) and the
 * Users' own tools. Every function returns a complete TLV; inputs out of
 * range are a bug in the caller: RangeError.
 */

const TAG = {
  boolean: 0x01,
  integer: 0x02,
  bitString: 0x03,
  octetString: 0x04,
  null: 0x05,
  oid: 0x06,
  utf8String: 0x0c,
  printableString: 0x13,
  utcTime: 0x17,
  generalizedTime: 0x18,
  sequence: 0x30,
  set: 0x31,
} as const;

/** A tag, its length in the definite form, and the content. // X.690 §8.1.3, §10.1 */
export function tlv(tag: number, content: Uint8Array): Uint8Array {
  if (!Number.isInteger(tag) || tag < 0 || tag > 0xff) throw new RangeError(`der: tag ${tag} is not one byte`);
  const length = lengthOctets(content.length);
  const out = new Uint8Array(1 + length.length + content.length);
  out[0] = tag;
  out.set(length, 1);
  out.set(content, 1 + length.length);
  return out;
}

// Short form below 128, otherwise 0x80 + the count of big-endian length bytes. // X.690 §8.1.3.4–5
function lengthOctets(n: number): Uint8Array {
  if (n < 0x80) return Uint8Array.of(n);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v % 256);
  return Uint8Array.of(0x80 | bytes.length, ...bytes);
}

const concat = (parts: readonly Uint8Array[]): Uint8Array => concatBytes(...parts);

export const sequence = (...items: readonly Uint8Array[]): Uint8Array => tlv(TAG.sequence, concat(items));

/** A SET OF: DER sorts the encoded members. // X.690 §11.6 */
export const set = (...items: readonly Uint8Array[]): Uint8Array => tlv(TAG.set, concat([...items].sort(compareBytes)));

export const boolean = (v: boolean): Uint8Array => tlv(TAG.boolean, Uint8Array.of(v ? 0xff : 0x00));

export const nullValue = (): Uint8Array => tlv(TAG.null, new Uint8Array(0));

/** A non-negative INTEGER in the fewest bytes, with a leading 00 when the top bit would read as a sign. // X.690 §8.3 */
export function integer(v: bigint): Uint8Array {
  if (v < 0n) throw new RangeError(`der: negative INTEGER ${v} is not used here`);
  return unsignedInteger(bigintBytes(v));
}

/** An INTEGER from unsigned big-endian bytes (leading zeros dropped, a sign byte added where needed). */
export function unsignedInteger(bytes: Uint8Array): Uint8Array {
  let start = 0;
  while (start < bytes.length - 1 && bytes[start] === 0) start++;
  const trimmed = bytes.length === 0 ? Uint8Array.of(0) : bytes.subarray(start);
  return tlv(TAG.integer, (trimmed[0] ?? 0) & 0x80 ? concat([Uint8Array.of(0), trimmed]) : trimmed);
}

/** A BIT STRING: the count of unused bits in the last byte, then the bytes. // X.690 §8.6 */
export function bitString(bytes: Uint8Array, unusedBits = 0): Uint8Array {
  if (!Number.isInteger(unusedBits) || unusedBits < 0 || unusedBits > 7 || (bytes.length === 0 && unusedBits !== 0)) {
    throw new RangeError(`der: ${unusedBits} unused bits`);
  }
  return tlv(TAG.bitString, concat([Uint8Array.of(unusedBits), bytes]));
}

export const octetString = (bytes: Uint8Array): Uint8Array => tlv(TAG.octetString, bytes);

export const utf8String = (s: string): Uint8Array => tlv(TAG.utf8String, new TextEncoder().encode(s));

/** An OBJECT IDENTIFIER from its dotted form: first two arcs in one sub-identifier, base-128 after. // X.690 §8.19 */
export function oid(dotted: string): Uint8Array {
  if (!/^[0-2]\.(?:0|[1-9][0-9]*)(?:\.(?:0|[1-9][0-9]*))*$/.test(dotted)) throw new RangeError(`der: ${dotted} is not an OID`);
  const arcs = dotted.split('.').map((a) => BigInt(a));
  const [first, second, ...rest] = arcs as [bigint, bigint, ...bigint[]];
  if (first < 2n && second > 39n) throw new RangeError(`der: OID ${dotted}: second arc above 39 under arc ${first}`);
  const out: number[] = [];
  for (const arc of [first * 40n + second, ...rest]) {
    const groups: number[] = [Number(arc & 0x7fn)];
    for (let v = arc >> 7n; v > 0n; v >>= 7n) groups.unshift(Number(v & 0x7fn) | 0x80);
    out.push(...groups);
  }
  return tlv(TAG.oid, Uint8Array.from(out));
}

/** A context-specific constructed tag [n] around `content` (EXPLICIT tagging). */
export const explicit = (n: number, content: Uint8Array): Uint8Array => {
  if (!Number.isInteger(n) || n < 0 || n > 30) throw new RangeError(`der: context tag [${n}]`);
  return tlv(0xa0 | n, content);
};

/**
 * A certificate Time: UTCTime for the years 1950–2049, GeneralizedTime
 * otherwise, in whole seconds, always `Z`. // RFC 5280 §4.1.2.5
 */
export function time(ms: number): Uint8Array {
  if (!Number.isSafeInteger(ms)) throw new RangeError(`der: time ${ms} is not integer milliseconds`);
  const d = new Date(Math.floor(ms / 1000) * 1000);
  const year = d.getUTCFullYear();
  if (!Number.isFinite(d.getTime()) || year < 0 || year > 9999) throw new RangeError(`der: time ${ms} is outside the years 0000–9999`);
  const rest = [d.getUTCMonth() + 1, d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds()].map(two).join('');
  const ascii = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));
  if (year >= 1950 && year < 2050) return tlv(TAG.utcTime, ascii(`${two(year % 100)}${rest}Z`));
  return tlv(TAG.generalizedTime, ascii(`${String(year).padStart(4, '0')}${rest}Z`));
}

const two = (n: number): string => String(n).padStart(2, '0');

/** The unsigned big-endian bytes of a non-negative bigint (one 00 byte for zero). */
export function bigintBytes(v: bigint): Uint8Array {
  const hex = v.toString(16);
  return Uint8Array.from(Buffer.from(hex.length % 2 === 0 ? hex : `0${hex}`, 'hex'));
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return a.length - b.length;
}
