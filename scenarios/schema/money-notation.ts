import { fieldError, type FieldError } from '../../core/errors.ts';
import { UNITS_PER_POUND, type Money } from '../../core/money.ts';
import { err, ok, type Result } from '../../core/result.ts';

/**
 * Money as scenario files write it: a number of pounds, `12.50`, to at most
 * five decimal places (1 unit = £0.00001, core/money.ts). // DOMAIN §1.2; OPEN-QUESTIONS B5
 */

// 0.1 × 100 000 is 10 000.000000000002 in binary: a decimal written in pounds is a whole
// number of units within this much (amounts here are far below 2^53 units, where the binary error is ~1e-8).
const TOLERANCE = 1e-6;

/**
 * Reads pounds as Money. `whole` asks for whole pounds.
 *
 * @example
 * parsePounds(12.5, 'estate.startBalance.min', { min: -250, max: 250 }); // ok(1_250_000)
 */
export function parsePounds(
  raw: unknown,
  path: string,
  bounds: { readonly min: number; readonly max: number; readonly whole?: boolean },
): Result<Money, FieldError> {
  const what = bounds.whole === true ? 'whole pounds' : 'pounds';
  if (typeof raw !== 'number' || !Number.isFinite(raw))
    return err(fieldError(path, 'type', `an amount in ${what} as a number, e.g. 12.50`, raw));
  if (raw < bounds.min || raw > bounds.max) return err(fieldError(path, 'range', `£${bounds.min}..£${bounds.max}`, raw));
  if (bounds.whole === true && !Number.isInteger(raw)) return err(fieldError(path, 'format', 'whole pounds', raw));
  const units = raw * UNITS_PER_POUND;
  const rounded = Math.round(units);
  if (Math.abs(units - rounded) > TOLERANCE) {
    return err(fieldError(path, 'format', 'pounds to at most 5 decimal places (£0.00001)', raw));
  }
  return ok(rounded);
}

/** Money as a number of pounds, for writing a file back. */
export const toPounds = (m: Money): number => m / UNITS_PER_POUND;
