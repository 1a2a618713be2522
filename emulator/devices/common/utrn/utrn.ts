/**
 * UTRN codec: the 20-digit Unique Transaction Reference Number a consumer types
 * in (or a Supplier sends with SR 2.2) to add credit. Pure: no cryptography
 * here, the MAC is carried as an opaque 32-bit number. // DOMAIN §2.2, GBCS §14 (UTRN)
 *
 * Layout, most significant bit first:
 *   PTUT (64 bits) = 0000000 | counter[41:32] (10) | valueClass (2) | value (13) | MAC (32)
 *   PPTD = PTUT + PPTD_OFFSET (19 decimal digits)
 *   UTRN = PPTD ‖ check digit
 */
import { err, ok, type Result } from '../../../../core/result.ts';
import { fieldError, type FieldError } from '../../../../core/errors.ts';
import { UNITS_PER_PENNY, UNITS_PER_POUND, type Money } from '../../../../core/money.ts';
import { utrnCheckDigit } from './check-digit.ts';

/** How `value` is scaled: 00 = pennies, 01 = pounds; 10 and 11 are not defined. // GBCS §14 (UTRN) */
export type UtrnValueClass = 'pennies' | 'pounds';

/** The fields a UTRN carries. */
export interface UtrnFields {
  /** Bits 41..32 of the 64-bit originator counter: the low 10 bits of the top-up counter. */
  readonly counterLow10: number;
  readonly valueClass: UtrnValueClass;
  /** 0..8191 pennies or pounds. */
  readonly value: number;
  /** The last 4 bytes of the AES-GCM tag, as an unsigned 32-bit integer. */
  readonly mac: number;
}

/** Added to the PTUT so every PPTD has 19 digits (tokens start "739"). // GBCS §14 (UTRN) */
export const PPTD_OFFSET = 7_394_156_990_786_306_048n;
/** Largest value in one UTRN, in either class (13 bits). // DOMAIN §2.2 */
export const UTRN_MAX_VALUE = 8191;
/** Number of top-up counter bits a UTRN carries. // DOMAIN §2.2 */
export const UTRN_COUNTER_BITS = 10;

const VALUE_BITS = 13;
const CLASS_SHIFT = VALUE_BITS;
const COUNTER_SHIFT = VALUE_BITS + 2;
// Bits 31..25 of the high word (63..57 of the PTUT) are always zero.
const RESERVED_LIMIT = 1n << 57n;

const CLASS_CODE: Record<UtrnValueClass, number> = { pennies: 0, pounds: 1 };

/** The high 32 bits of the PTUT: the part the MAC's additional data covers. */
export function ptutHigh(f: Pick<UtrnFields, 'counterLow10' | 'valueClass' | 'value'>): number {
  if (!isUint(f.counterLow10, UTRN_COUNTER_BITS)) throw new RangeError(`counterLow10 out of range: ${f.counterLow10}`);
  if (!isUint(f.value, VALUE_BITS)) throw new RangeError(`value out of range: ${f.value}`);
  return ((f.counterLow10 << COUNTER_SHIFT) | (CLASS_CODE[f.valueClass] << CLASS_SHIFT) | f.value) >>> 0;
}

/**
 * The 20-digit UTRN for the given fields. Fields come from code, so a field out
 * of range is a bug and throws.
 */
export function encodeUtrn(fields: UtrnFields): string {
  if (!isUint(fields.mac, 32)) throw new RangeError(`mac must be a uint32, got ${fields.mac}`);
  const ptut = (BigInt(ptutHigh(fields)) << 32n) | BigInt(fields.mac);
  const pptd = (ptut + PPTD_OFFSET).toString();
  return `${pptd}${utrnCheckDigit(pptd)}`;
}

/**
 * Parses a UTRN as typed or received. Spaces or hyphens between digit groups
 * are removed first, since consumers copy codes printed in groups
 * ("7394 3333 4571 8904 3313").
 *
 * @param path field path used in the FieldError (e.g. `request.body.utrn`)
 */
export function parseUtrn(raw: unknown, path = 'utrn'): Result<UtrnFields, FieldError> {
  if (typeof raw !== 'string') return err(fieldError(path, 'type', 'a string of 20 digits', raw));
  const trimmed = raw.trim();
  const digits = /^\d+(?:[ -]+\d+)*$/.test(trimmed) ? trimmed.replace(/[ -]+/g, '') : trimmed;
  if (!/^\d{20}$/.test(digits)) {
    return err(fieldError(path, 'format', '20 decimal digits (spaces or hyphens between groups allowed)', raw));
  }
  const pptdDigits = digits.slice(0, 19);
  if (utrnCheckDigit(pptdDigits) !== Number(digits[19])) {
    // DOMAIN §2.2: a typing mistake is caught here, before any cryptography.
    return err(fieldError(`${path}.checkDigit`, 'format', 'a valid check digit', digits));
  }
  const ptut = BigInt(pptdDigits) - PPTD_OFFSET;
  if (ptut < 0n) return err(fieldError(`${path}.ptut`, 'range', `a PPTD of at least ${PPTD_OFFSET}`, pptdDigits));
  if (ptut >= RESERVED_LIMIT) return err(fieldError(`${path}.ptut`, 'format', 'reserved bits 63..57 clear', ptut));

  const high = Number(ptut >> 32n);
  const classCode = (high >>> CLASS_SHIFT) & 0b11;
  if (classCode > 1) {
    return err(fieldError(`${path}.valueClass`, 'unknown-kind', '0 (pennies) or 1 (pounds)', classCode));
  }
  return ok({
    counterLow10: (high >>> COUNTER_SHIFT) & ((1 << UTRN_COUNTER_BITS) - 1),
    valueClass: classCode === 0 ? 'pennies' : 'pounds',
    value: high & ((1 << VALUE_BITS) - 1),
    mac: Number(ptut & 0xffff_ffffn),
  });
}

/** The credit a UTRN adds, as Money (1 unit = £0.00001). // DOMAIN §2.2 */
export function utrnCredit(fields: Pick<UtrnFields, 'valueClass' | 'value'>): Money {
  return fields.value * (fields.valueClass === 'pennies' ? UNITS_PER_PENNY : UNITS_PER_POUND);
}

function isUint(n: number, bits: number): boolean {
  return Number.isInteger(n) && n >= 0 && n < 2 ** bits;
}
