import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { UNITS_PER_PENNY, pence, pounds } from '../../../core/money.ts';
import { unwrap } from '../../../core/result.ts';
import { mintUtrn, parseUtrn, utrnCredit } from '../../../emulator/devices/common/utrn/index.ts';
import { premises } from './fixtures.ts';

const p = premises();
const base = { secret: p.esme.secret, originator: p.supplierEui, target: p.esme.eui, counter: 7n << 32n };
const fieldsOf = (credit: number) => unwrap(parseUtrn(unwrap(mintUtrn({ ...base, credit }))));

describe('mintUtrn', () => {
  it('uses pennies up to 8191p and pounds for whole pounds beyond', () => {
    expect(fieldsOf(pence(1))).toMatchObject({ valueClass: 'pennies', value: 1 });
    expect(fieldsOf(pence(8191))).toMatchObject({ valueClass: 'pennies', value: 8191 });
    expect(fieldsOf(pounds(10))).toMatchObject({ valueClass: 'pennies', value: 1000 });
    expect(fieldsOf(pounds(82))).toMatchObject({ valueClass: 'pounds', value: 82 });
    expect(fieldsOf(pounds(8191))).toMatchObject({ valueClass: 'pounds', value: 8191 });
  });

  it('carries the credit exactly and the low 10 bits of the top-up counter', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 8191 }), fc.bigInt({ min: 1n, max: 0xffff_ffffn }), (p100, top) => {
        const credit = p100 * UNITS_PER_PENNY;
        const f = unwrap(parseUtrn(unwrap(mintUtrn({ ...base, counter: top << 32n, credit }))));
        expect(utrnCredit(f)).toBe(credit);
        expect(f.counterLow10).toBe(Number(top % 1024n));
      }),
      { numRuns: 50 },
    );
  });

  it('refuses what one UTRN cannot say', () => {
    const code = (over: Partial<typeof base> & { credit: number; valueClass?: 'pennies' | 'pounds' }) => {
      const r = mintUtrn({ ...base, ...over });
      return r.ok ? undefined : `${r.error.path} ${r.error.code}`;
    };
    expect(code({ credit: 0 })).toBe('topUp.credit range');
    expect(code({ credit: -pence(5) })).toBe('topUp.credit range');
    expect(code({ credit: pence(8191) + 500 })).toBe('topUp.credit range'); // 81.915p: not whole pence
    expect(code({ credit: pence(8192) })).toBe('topUp.credit range'); // £81.92: neither class
    expect(code({ credit: pounds(8192) })).toBe('topUp.credit range');
    expect(code({ credit: pence(150), valueClass: 'pounds' })).toBe('topUp.credit range');
    expect(code({ credit: 1.5 })).toBe('topUp.credit range');
    expect(code({ credit: pence(1), counter: 0n })).toBe('topUp.counter format');
    expect(code({ credit: pence(1), counter: (3n << 32n) + 1n })).toBe('topUp.counter format');
    expect(code({ credit: pence(1), counter: 1n << 64n })).toBe('topUp.counter format');
    expect(code({ credit: pence(1), target: new Uint8Array(7) })).toBe('topUp.target format');
    expect(code({ credit: pence(1), originator: new Uint8Array(9) })).toBe('topUp.originator format');
    expect(code({ credit: pence(1), secret: new Uint8Array(16) })).toBe('topUp.secret format');
  });
});
