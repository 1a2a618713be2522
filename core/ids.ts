import { fieldError, type FieldError } from './errors.ts';
import { err, ok, type Result } from './result.ts';

/**
 * Identifiers of the GB smart metering estate. Each is a branded string with
 * one validating constructor `(raw, path)`, so an unchecked string can never
 * be passed where an identifier is due.
 */

/** A device's EUI-64 in canonical form: upper-case, hyphenated, e.g. `00-DB-12-34-56-78-90-A0`. */
export type Eui64 = string & { readonly __brand: 'Eui64' };
/** A 13-digit MPAN core (electricity supply point) with a valid check digit. */
export type Mpan = string & { readonly __brand: 'Mpan' };
/** A 6–10 digit MPRN (gas supply point). */
export type Mprn = string & { readonly __brand: 'Mprn' };
/** A DUIS Request ID `originator:target:counter` in canonical form. */
export type RequestId = string & { readonly __brand: 'RequestId' };

// ---- EUI-64 ----

const EUI_HYPHENS = /^[0-9A-Fa-f]{2}(?:-[0-9A-Fa-f]{2}){7}$/;
const EUI_COLONS = /^[0-9A-Fa-f]{2}(?::[0-9A-Fa-f]{2}){7}$/;
const EUI_BARE = /^[0-9A-Fa-f]{16}$/;
const EUI_CANONICAL = /^[0-9A-F]{2}(?:-[0-9A-F]{2}){7}$/;
const EUI_EXPECTED = 'an EUI-64 of 8 hex bytes: 00-DB-12-34-56-78-90-A0, 00:db:12:34:56:78:90:a0 or 00DB1234567890A0';

function hyphenate(hex16: string): Eui64 {
  const h = hex16.toUpperCase();
  // Joined, not concatenated: a template of fifteen parts is kept as a rope of string pieces (about 250 bytes), and a
  // twin holds millions of these identifiers; `join` makes one flat 23-byte string.
  return [
    h.slice(0, 2),
    h.slice(2, 4),
    h.slice(4, 6),
    h.slice(6, 8),
    h.slice(8, 10),
    h.slice(10, 12),
    h.slice(12, 14),
    h.slice(14, 16),
  ].join('-') as Eui64;
}

/**
 * Reads an EUI-64 written with hyphens, colons or no separators, in any case,
 * and returns it in canonical form.
 *
 * @example
 * toEui64('00db1234567890a0', 'devices[0].id'); // ok('00-DB-12-34-56-78-90-A0')
 */
export function toEui64(raw: unknown, path: string): Result<Eui64, FieldError> {
  if (typeof raw !== 'string') return err(fieldError(path, 'type', EUI_EXPECTED, raw));
  if (EUI_HYPHENS.test(raw) || EUI_COLONS.test(raw)) return ok(hyphenate(raw.replace(/[-:]/g, '')));
  if (EUI_BARE.test(raw)) return ok(hyphenate(raw));
  return err(fieldError(path, 'format', EUI_EXPECTED, raw));
}

/**
 * The 8 bytes of an EUI-64, most significant first, as carried in GBCS messages.
 *
 * @example
 * eui64ToBytes(id)[0]; // 0x00
 */
export function eui64ToBytes(e: Eui64): Uint8Array {
  const out = new Uint8Array(8);
  for (let i = 0; i < 8; i++) out[i] = parseInt(e.slice(i * 3, i * 3 + 2), 16);
  return out;
}

const HEX_BYTE = Array.from({ length: 256 }, (_, i) => i.toString(16).toUpperCase().padStart(2, '0'));

/**
 * The EUI-64 in 8 bytes starting at `offset`. Every 8 bytes are a valid EUI-64;
 * fewer than 8 bytes is a framing bug: RangeError.
 *
 * @example
 * eui64FromBytes(Uint8Array.of(0, 0xdb, 0x12, 0x34, 0x56, 0x78, 0x90, 0xa0)); // '00-DB-12-34-56-78-90-A0'
 */
export function eui64FromBytes(bytes: Uint8Array, offset = 0): Eui64 {
  if (!Number.isSafeInteger(offset) || offset < 0 || offset + 8 > bytes.length) {
    throw new RangeError(`eui64FromBytes: need 8 bytes at offset ${offset}, have ${bytes.length}`);
  }
  const parts: string[] = [];
  for (let i = 0; i < 8; i++) parts.push(HEX_BYTE[bytes[offset + i]!]!);
  return parts.join('-') as Eui64;
}

/**
 * A deterministic device id for fleet building: the upper four bytes are
 * `prefix` and the lower four are `index`, both big-endian uint32, so distinct
 * (prefix, index) pairs never collide and device i of a fleet keeps its id from
 * run to run. Use one prefix per device type (meters, hubs, PPMIDs).
 * Arguments outside 0..2^32-1 are a bug: RangeError.
 *
 * @example
 * eui64FromIndex(0x00db1200, 42); // '00-DB-12-00-00-00-00-2A'
 */
export function eui64FromIndex(prefix: number, index: number): Eui64 {
  if (!isU32(prefix) || !isU32(index)) throw new RangeError(`eui64FromIndex: prefix and index must be uint32, got ${prefix}, ${index}`);
  return hyphenate(prefix.toString(16).padStart(8, '0') + index.toString(16).padStart(8, '0'));
}

const isU32 = (n: number): boolean => Number.isInteger(n) && n >= 0 && n <= 0xffffffff;

// ---- MPAN ----

const MPAN_WEIGHTS = [3, 5, 7, 13, 17, 19, 23, 29, 31, 37, 41, 43] as const;

function mpanCheckDigit(first12: string): number {
  let sum = 0;
  for (let i = 0; i < 12; i++) sum += (first12.charCodeAt(i) - 48) * MPAN_WEIGHTS[i]!;
  return (sum % 11) % 10;
}

/**
 * Reads a 13-digit MPAN core and checks its last digit: the first 12 digits
 * weighted 3, 5, 7, 13, 17, 19, 23, 29, 31, 37, 41, 43, summed, mod 11, mod 10.
 *
 * @example
 * toMpan('1234567890126', 'premises[0].mpan'); // ok
 */
export function toMpan(raw: unknown, path: string): Result<Mpan, FieldError> {
  const expected = 'a 13-digit MPAN core';
  if (typeof raw !== 'string') return err(fieldError(path, 'type', expected, raw));
  if (!/^\d{13}$/.test(raw)) return err(fieldError(path, 'format', expected, raw));
  const check = mpanCheckDigit(raw);
  if (raw.charCodeAt(12) - 48 !== check) {
    return err(fieldError(path, 'format', `an MPAN core whose check digit is ${check}`, raw));
  }
  return ok(raw as Mpan);
}

/**
 * The MPAN core made of 12 digits and their check digit, for minting fleets.
 * Anything but 12 digits is a bug: RangeError.
 *
 * @example
 * mpanWithCheckDigit('123456789012'); // '1234567890126'
 */
export function mpanWithCheckDigit(first12: string): Mpan {
  if (!/^\d{12}$/.test(first12)) throw new RangeError(`mpanWithCheckDigit: need 12 digits, got ${JSON.stringify(first12)}`);
  return `${first12}${mpanCheckDigit(first12)}` as Mpan;
}

// ---- MPRN ----

/**
 * Reads an MPRN: 6 to 10 digits. The gas check-digit rule is deliberately not
 * applied, so any digit string of that length is accepted.
 *
 * @example
 * toMprn('1234567', 'premises[0].mprn'); // ok
 */
export function toMprn(raw: unknown, path: string): Result<Mprn, FieldError> {
  const expected = 'an MPRN of 6 to 10 digits';
  if (typeof raw !== 'string') return err(fieldError(path, 'type', expected, raw));
  if (!/^\d{6,10}$/.test(raw)) return err(fieldError(path, 'format', expected, raw));
  return ok(raw as Mprn);
}

// ---- DUIS Request ID ----

/** The parts of a DUIS Request ID. */
export interface RequestIdParts {
  /** The sender's EUI-64 (the user's). */
  readonly originator: Eui64;
  /** The device addressed. */
  readonly target: Eui64;
  /** The originator's counter, 0..2^64-1. */
  readonly counter: bigint;
}

const U64_MAX = 2n ** 64n - 1n;
const REQUEST_ID_EXPECTED = 'a Request ID EUI:EUI:counter, e.g. 90-B3-D5-1F-30-01-00-00:00-DB-12-34-56-78-90-A0:1000';

/**
 * Reads a DUIS Request ID: two canonical EUI-64s (upper-case, hyphenated) and
 * a decimal counter in 0..2^64-1, separated by colons.
 *
 * @example
 * parseRequestId('90-B3-D5-1F-30-01-00-00:00-DB-12-34-56-78-90-A0:7', 'requestId'); // ok({ …, counter: 7n })
 */
export function parseRequestId(raw: unknown, path: string): Result<RequestIdParts, FieldError> {
  if (typeof raw !== 'string') return err(fieldError(path, 'type', REQUEST_ID_EXPECTED, raw));
  const parts = raw.split(':');
  if (parts.length !== 3) return err(fieldError(path, 'format', REQUEST_ID_EXPECTED, raw));
  const [originator, target, counter] = parts as [string, string, string];
  if (!EUI_CANONICAL.test(originator)) {
    return err(fieldError(path, 'format', 'an originator EUI-64 in canonical form, e.g. 90-B3-D5-1F-30-01-00-00', raw));
  }
  if (!EUI_CANONICAL.test(target)) {
    return err(fieldError(path, 'format', 'a target EUI-64 in canonical form, e.g. 00-DB-12-34-56-78-90-A0', raw));
  }
  if (!/^\d{1,20}$/.test(counter)) return err(fieldError(path, 'format', 'a decimal counter of 1 to 20 digits', raw));
  const n = BigInt(counter);
  if (n > U64_MAX) return err(fieldError(path, 'range', 'a counter 0..18446744073709551615', raw));
  return ok({ originator: originator as Eui64, target: target as Eui64, counter: n });
}

/**
 * Reads a DUIS Request ID as a canonical string (leading zeros of the counter dropped).
 *
 * @example
 * toRequestId('90-B3-D5-1F-30-01-00-00:00-DB-12-34-56-78-90-A0:007', 'requestId'); // ok('…:7')
 */
export function toRequestId(raw: unknown, path: string): Result<RequestId, FieldError> {
  const r = parseRequestId(raw, path);
  return r.ok ? ok(formatRequestId(r.value)) : r;
}

/**
 * The canonical Request ID of its parts. A counter outside 0..2^64-1 is a bug: RangeError.
 *
 * @example
 * formatRequestId({ originator, target, counter: 1n }); // '…:…:1'
 */
export function formatRequestId(parts: RequestIdParts): RequestId {
  if (parts.counter < 0n || parts.counter > U64_MAX) throw new RangeError(`formatRequestId: counter ${parts.counter} outside 0..2^64-1`);
  return `${parts.originator}:${parts.target}:${parts.counter}` as RequestId;
}
