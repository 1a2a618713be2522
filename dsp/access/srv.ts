import { fieldError, type FieldError } from '../../core/errors.ts';
import { err, ok, type Result } from '../../core/result.ts';

/**
 * Service Reference Variants and the Service References they belong to.
 * // DOMAIN §4.1, §4.9
 *
 * DUIS writes a Service Reference (SR) with two numbers, `1.6`, `4.1`, `8.14`,
 * and a Service Reference Variant (SRV) with two or three: a three-number SRV
 * is a variant of the SR named by its first two numbers (`4.1.1` → `4.1`,
 * `8.14.3` → `8.14`), and a two-number SRV is the only variant of its SR and
 * is written the same (`1.6` → `1.6`, `4.10` → `4.10`). A request header
 * carries both; MP134B speaks of "SR 1.6", DOMAIN §4.2 of "8.14.x".
 */

/** A Service Reference Variant in the form DUIS writes it: `1.6`, `4.1.1`, `8.14.3`. Syntax only: it may not be in the catalogue. */
export type Srv = string & { readonly __brand: 'Srv' };

/** A Service Reference: the first two numbers of an SRV, `1.6`, `4.1`, `8.14`. */
export type ServiceReference = string & { readonly __brand: 'ServiceReference' };

// Each number is a positive decimal without a leading zero; the catalogue's largest is 14.
const SRV_SYNTAX = /^[1-9][0-9]?\.[1-9][0-9]?(?:\.[1-9][0-9]?)?$/;
const SRV_EXPECTED = 'a Service Reference Variant of two or three dotted numbers 1–99, e.g. 1.6 or 4.1.1';

/**
 * Reads a Service Reference Variant. Only its syntax is checked; whether the
 * DSP knows it is the access matrix's question.
 *
 * @example
 * parseSrv('4.1.1', 'header.serviceReferenceVariant'); // ok('4.1.1')
 * parseSrv('4.01', 'header.serviceReferenceVariant');  // err(format)
 */
export function parseSrv(raw: unknown, path: string): Result<Srv, FieldError> {
  if (typeof raw !== 'string') return err(fieldError(path, 'type', SRV_EXPECTED, raw));
  if (!SRV_SYNTAX.test(raw)) return err(fieldError(path, 'format', SRV_EXPECTED, raw));
  return ok(raw as Srv);
}

/**
 * The Service Reference an SRV belongs to: its first two numbers.
 *
 * @example
 * serviceReferenceOf(unwrap(parseSrv('1.1.1', 'srv'))); // '1.1'
 * serviceReferenceOf(unwrap(parseSrv('1.6', 'srv')));   // '1.6'
 */
export function serviceReferenceOf(srv: Srv): ServiceReference {
  const [major, minor] = srv.split('.');
  return `${major}.${minor}` as ServiceReference;
}
