import { createHash } from 'node:crypto';

/**
 * One byte string per list of fields, the same on every run and every
 * machine, so that a hash over it means one thing. Used for the Service Audit
 * Trail's hash chain and for the content digests the anti-replay check keys
 * on. // RELIABILITY §2 item 5, §3.6 SR03
 *
 * Why not JSON: key order, number spelling and escaping would all be part of
 * the hash, and two writers could disagree. Here the field order is the
 * caller's fixed list, and each field is framed so no two lists share bytes:
 *
 *   field   := tag(1 byte) length(4 bytes, big-endian) payload(length bytes)
 *   tag 0   := null (length 0)
 *   tag 1   := text, payload its UTF-8
 *   tag 2   := integer, payload its decimal digits (optional leading '-')
 *
 * Text must be well-formed UTF-16: a lone surrogate would be written as
 * U+FFFD, so two different strings would share bytes and an edit could go
 * unseen. Such text is a bug in the caller and throws.
 */

/** One field of a canonical record: text, an integer, or absent. */
export type CanonicalField = string | number | bigint | null;

const TAG_NULL = 0;
const TAG_TEXT = 1;
const TAG_INTEGER = 2;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const utf8 = new TextEncoder();

/** Whether `s` is well-formed UTF-16 (no lone surrogate), so its UTF-8 is one-to-one. */
export const isWellFormedText = (s: string): boolean => !LONE_SURROGATE.test(s);

/**
 * The canonical bytes of a field list. Non-integer or unsafe numbers and
 * ill-formed text are bugs: TypeError / RangeError.
 *
 * @example
 * canonicalBytes(['sat', 1, null]); // 01 00000003 736174 | 02 00000001 31 | 00 00000000
 */
export function canonicalBytes(fields: readonly CanonicalField[]): Uint8Array {
  // One pass to check and size, one to write: the trail hashes every record, so this is on the hot path.
  const texts: string[] = [];
  const tags: number[] = [];
  let size = 0;
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i] as CanonicalField;
    const [tag, text] = fieldText(f, i);
    tags.push(tag);
    texts.push(text);
    size += 5 + (isAscii(text) ? text.length : utf8.encode(text).length);
  }
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  let at = 0;
  for (let i = 0; i < texts.length; i++) {
    const text = texts[i] as string;
    out[at] = tags[i] as number;
    const written = isAscii(text) ? writeAscii(out, at + 5, text) : utf8.encodeInto(text, out.subarray(at + 5)).written;
    view.setUint32(at + 1, written, false);
    at += 5 + written;
  }
  return out;
}

/** True when every code unit is ASCII, so the UTF-8 bytes are the code units. */
function isAscii(text: string): boolean {
  for (let k = 0; k < text.length; k++) if (text.charCodeAt(k) > 0x7f) return false;
  return true;
}

function writeAscii(out: Uint8Array, at: number, text: string): number {
  for (let k = 0; k < text.length; k++) out[at + k] = text.charCodeAt(k);
  return text.length;
}

/** A field's tag and the text its payload encodes (empty for null). */
function fieldText(f: CanonicalField, i: number): [number, string] {
  if (f === null) return [TAG_NULL, ''];
  if (typeof f === 'string') {
    if (!isWellFormedText(f)) throw new TypeError(`canonicalBytes: field ${i} is not well-formed text (lone surrogate)`);
    return [TAG_TEXT, f];
  }
  if (typeof f === 'number' && !Number.isSafeInteger(f)) throw new RangeError(`canonicalBytes: field ${i} is not a safe integer: ${f}`);
  return [TAG_INTEGER, f.toString(10)];
}

/** SHA-256 of `bytes`, as 64 lower-case hex digits (OpenSSL's: every request and SAT record is hashed, so the native one). */
export const sha256Hex = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/**
 * The SHA-256 (hex) of a field list's canonical bytes: how a caller turns the
 * content of a request into the digest the anti-replay check keys on.
 *
 * @example
 * digestOfFields(['1.6', 5, gbcsPayloadHexWithoutSignature]);
 */
export const digestOfFields = (fields: readonly CanonicalField[]): string => sha256Hex(canonicalBytes(fields));
