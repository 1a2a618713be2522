import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { pence, pounds } from '../../../core/money.ts';
import {
  PPTD_OFFSET,
  encodeUtrn,
  parseUtrn,
  ptutHigh,
  utrnCheckDigit,
  utrnCredit,
  type UtrnFields,
} from '../../../emulator/devices/common/utrn/index.ts';

const fieldsArb: fc.Arbitrary<UtrnFields> = fc.record({
  counterLow10: fc.integer({ min: 0, max: 1023 }),
  valueClass: fc.constantFrom('pennies' as const, 'pounds' as const),
  value: fc.integer({ min: 0, max: 8191 }),
  mac: fc.integer({ min: 0, max: 0xffff_ffff }),
});

/** A syntactically perfect UTRN for an arbitrary PTUT, whatever its bits say. */
function fromPtut(ptut: bigint): string {
  const pptd = (ptut + PPTD_OFFSET).toString();
  return `${pptd}${utrnCheckDigit(pptd)}`;
}

function errorOf(raw: unknown) {
  const r = parseUtrn(raw, 'req.utrn');
  return r.ok ? undefined : { path: r.error.path, code: r.error.code };
}

describe('UTRN codec', () => {
  it('round-trips any fields through 20 digits', () => {
    fc.assert(
      fc.property(fieldsArb, (f) => {
        const u = encodeUtrn(f);
        expect(u).toMatch(/^\d{20}$/);
        expect(parseUtrn(u)).toEqual({ ok: true, value: f });
      }),
    );
  });

  it('decodes the reference UTRN: counter 1, £100 (DOMAIN §2.2)', () => {
    expect(parseUtrn('73943333457189043313')).toEqual({
      ok: true,
      value: { counterLow10: 1, valueClass: 'pounds', value: 100, mac: 0xd51ca60b },
    });
    expect(ptutHigh({ counterLow10: 1, valueClass: 'pounds', value: 100 })).toBe((1 << 15) | (1 << 13) | 100);
  });

  it('accepts digit groups separated by spaces or hyphens', () => {
    for (const raw of [
      '7394 3333 4571 8904 3313',
      '7394-3333-4571-8904-3313',
      ' 73943 33345 71890 43313 ',
      '7394 - 3333 - 4571 - 8904 - 3313',
    ]) {
      expect(parseUtrn(raw).ok).toBe(true);
    }
  });

  it('says precisely what is wrong', () => {
    expect(errorOf(73943333457189043313n)).toEqual({ path: 'req.utrn', code: 'type' });
    expect(errorOf(undefined)).toEqual({ path: 'req.utrn', code: 'type' });
    expect(errorOf('7394333345718904331')).toEqual({ path: 'req.utrn', code: 'format' });
    expect(errorOf('739433334571890433130')).toEqual({ path: 'req.utrn', code: 'format' });
    expect(errorOf('7394333345718904331O')).toEqual({ path: 'req.utrn', code: 'format' });
    expect(errorOf('7394_3333_4571_8904_3313')).toEqual({ path: 'req.utrn', code: 'format' });
    expect(errorOf('73943333457189043314')).toEqual({ path: 'req.utrn.checkDigit', code: 'format' });
    // Below the PPTD offset: 19 digits, valid check digit, but no PTUT.
    const low = '1000000000000000000';
    expect(errorOf(`${low}${utrnCheckDigit(low)}`)).toEqual({ path: 'req.utrn.ptut', code: 'range' });
    expect(errorOf(fromPtut(1n << 57n))).toEqual({ path: 'req.utrn.ptut', code: 'format' });
    const top = '9999999999999999999'; // the largest PPTD that fits in 19 digits
    expect(errorOf(`${top}${utrnCheckDigit(top)}`)).toEqual({ path: 'req.utrn.ptut', code: 'format' });
    expect(errorOf(fromPtut(2n << 45n))).toEqual({ path: 'req.utrn.valueClass', code: 'unknown-kind' });
    expect(errorOf(fromPtut(3n << 45n))).toEqual({ path: 'req.utrn.valueClass', code: 'unknown-kind' });
  });

  it('uses "utrn" as the default path', () => {
    const r = parseUtrn('12');
    expect(r.ok ? undefined : r.error.path).toBe('utrn');
  });

  it('converts value classes to Money', () => {
    expect(utrnCredit({ valueClass: 'pennies', value: 1234 })).toBe(pence(1234));
    expect(utrnCredit({ valueClass: 'pounds', value: 8191 })).toBe(pounds(8191));
    expect(utrnCredit({ valueClass: 'pennies', value: 0 })).toBe(0);
  });

  it('refuses to encode out-of-range fields (a bug, so it throws)', () => {
    const f: UtrnFields = { counterLow10: 0, valueClass: 'pennies', value: 0, mac: 0 };
    expect(() => encodeUtrn({ ...f, counterLow10: 1024 })).toThrow(RangeError);
    expect(() => encodeUtrn({ ...f, value: 8192 })).toThrow(RangeError);
    expect(() => encodeUtrn({ ...f, mac: 2 ** 32 })).toThrow(RangeError);
    expect(() => encodeUtrn({ ...f, value: 1.5 })).toThrow(RangeError);
  });
});
