/**
 * A value or an error, for every boundary where bad input is expected
 * (configuration, UTRNs, identifiers). Bugs still throw.
 *
 * @example
 * const r = toEui64('00-DB-12-34-56-78-90-A0');
 * if (!r.ok) console.error(formatFieldError(r.error));
 */
export type Result<T, E> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: E };

export const ok = <T>(value: T): { readonly ok: true; readonly value: T } => ({ ok: true, value });
export const err = <E>(error: E): { readonly ok: false; readonly error: E } => ({ ok: false, error });

/** Unwraps a Result whose failure would be a programming error (tests, fixed literals). */
export function unwrap<T, E>(r: Result<T, E>): T {
  if (r.ok) return r.value;
  throw new TypeError(`unwrap of an error: ${JSON.stringify(r.error)}`);
}
