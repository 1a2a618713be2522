/**
 * Money is an integer count of **1/100 000 of a pound** (one unit = £0.00001 =
 * 0.001p). DUIS and GBCS carry bare integers whose unit is not public; example
 * values only make sense at this scale. // DOMAIN §1.2, OPEN-QUESTIONS B5 (UNVERIFIED)
 *
 * Integers keep the prepayment ledger exact: every top-up, charge and debt
 * recovery conserves money to the unit.
 */
export type Money = number;

/** Units per pound. */
export const UNITS_PER_POUND = 100_000;
/** Units per penny. */
export const UNITS_PER_PENNY = 1_000;

/** Money from a number of pounds, rounded to the unit. */
export const pounds = (gbp: number): Money => Math.round(gbp * UNITS_PER_POUND);
/** Money from a number of pence, rounded to the unit. */
export const pence = (p: number): Money => Math.round(p * UNITS_PER_PENNY);

/** `£12.34` (negative as `-£0.50`), rounded to the penny for display only. */
export function formatGbp(m: Money): string {
  const sign = m < 0 ? '-' : '';
  const p = Math.round(Math.abs(m) / UNITS_PER_PENNY);
  return `${sign}£${Math.floor(p / 100)}.${String(p % 100).padStart(2, '0')}`;
}

export const isMoney = (v: unknown): v is Money => typeof v === 'number' && Number.isSafeInteger(v);
