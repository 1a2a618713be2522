/**
 * The UTRN check digit: a Verhoeff-style dihedral-group check specific to
 * GBCS (tables 14.8a–c). It catches every single-digit substitution and every
 * adjacent transposition, which are the mistakes people make when typing a
 * 20-digit code into a keypad. // GBCS §14 (UTRN), DOMAIN §2.2
 */

// GBCS table 14.8a: the permutation applied to a digit, by position (mod 8).
// Row k is row 1 applied k times; each row is a string of the images of 0..9.
const PERMUTATION: readonly string[] = [
  '0123456789',
  '1576283094',
  '5803796142',
  '8916043527',
  '9453126870',
  '4286573901',
  '2793806415',
  '7046913258',
];

// GBCS table 14.8b: composition in the dihedral group D5 (0–4 rotations, 5–9 reflections).
const DIHEDRAL: readonly string[] = [
  '0123456789',
  '1234067895',
  '2340178956',
  '3401289567',
  '4012395678',
  '5987604321',
  '6598710432',
  '7659821043',
  '8765932104',
  '9876543210',
];

// GBCS table 14.8c. Unlike textbook Verhoeff this is not the group inverse: for
// a 19-digit input it yields the digit that, placed 20th, brings the whole
// chain back to the identity, so a full UTRN "checks to zero".
const FINAL = '1267583094';

/** The first digit is permuted with row 4 of table 14.8a (not row 0 or 1). // GBCS §14 (UTRN) */
const FIRST_ROW = 4;

const digitAt = (table: string, i: number): number => table.charCodeAt(i) - 48;

function chain(digits: string): number {
  let acc = 0;
  for (let i = 0; i < digits.length; i++) {
    const row = PERMUTATION[(FIRST_ROW + i) % 8] ?? '';
    const permuted = digitAt(row, digitAt(digits, i));
    acc = digitAt(DIHEDRAL[acc] ?? '', permuted);
  }
  return acc;
}

/**
 * The check digit (0–9) for the 19 leading digits of a UTRN (the PPTD).
 * Throws on anything but decimal digits: callers validate input first.
 *
 * @example utrnCheckDigit('7394333345718904331') // 3
 */
export function utrnCheckDigit(digits19: string): number {
  if (!/^\d+$/.test(digits19)) throw new TypeError(`utrnCheckDigit needs decimal digits, got ${JSON.stringify(digits19)}`);
  return digitAt(FINAL, chain(digits19));
}

/** True when a 20-digit UTRN's last digit is the check digit of the first 19. */
export function hasValidCheckDigit(utrn20: string): boolean {
  if (!/^\d{20}$/.test(utrn20)) return false;
  return utrnCheckDigit(utrn20.slice(0, 19)) === digitAt(utrn20, 19);
}
