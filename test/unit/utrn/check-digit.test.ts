import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hasValidCheckDigit, utrnCheckDigit } from '../../../emulator/devices/common/utrn/index.ts';

// Published reference UTRNs (DOMAIN §2.2): each ends in its GBCS check digit.
const REFERENCE = ['73943333457189043313', '74301825837596672005', '73946144332040217315', '73947252416745201637'];

const digits19 = fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 19, maxLength: 19 }).map((d) => d.join(''));
const utrn20 = digits19.map((d) => `${d}${utrnCheckDigit(d)}`);

describe('UTRN check digit (GBCS tables 14.8a–c)', () => {
  it('reproduces the reference check digits', () => {
    for (const u of REFERENCE) {
      expect(utrnCheckDigit(u.slice(0, 19))).toBe(Number(u[19]));
      expect(hasValidCheckDigit(u)).toBe(true);
    }
  });

  it('rejects anything but 20 digits', () => {
    expect(hasValidCheckDigit('7394333345718904331')).toBe(false);
    expect(hasValidCheckDigit('7394333345718904331x')).toBe(false);
    expect(() => utrnCheckDigit('12a')).toThrow(TypeError);
  });

  it('catches every single-digit substitution', () => {
    fc.assert(
      fc.property(utrn20, fc.integer({ min: 0, max: 19 }), fc.integer({ min: 1, max: 9 }), (u, pos, delta) => {
        const changed = (Number(u[pos]) + delta) % 10;
        const typo = `${u.slice(0, pos)}${changed}${u.slice(pos + 1)}`;
        expect(hasValidCheckDigit(typo)).toBe(false);
      }),
    );
  });

  it('catches every adjacent transposition of different digits, including the check digit', () => {
    fc.assert(
      fc.property(utrn20, fc.integer({ min: 0, max: 18 }), (u, pos) => {
        fc.pre(u[pos] !== u[pos + 1]);
        const swapped = `${u.slice(0, pos)}${u[pos + 1]}${u[pos]}${u.slice(pos + 2)}`;
        expect(hasValidCheckDigit(swapped)).toBe(false);
      }),
    );
  });

  it('catches every single substitution and transposition exhaustively on the reference UTRNs', () => {
    for (const u of REFERENCE) {
      for (let pos = 0; pos < 20; pos++) {
        for (let d = 0; d <= 9; d++) {
          if (String(d) === u[pos]) continue;
          expect(hasValidCheckDigit(`${u.slice(0, pos)}${d}${u.slice(pos + 1)}`)).toBe(false);
        }
        if (pos < 19 && u[pos] !== u[pos + 1]) {
          expect(hasValidCheckDigit(`${u.slice(0, pos)}${u[pos + 1]}${u[pos]}${u.slice(pos + 2)}`)).toBe(false);
        }
      }
    }
  });
});
