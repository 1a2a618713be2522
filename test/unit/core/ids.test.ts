import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  eui64FromBytes,
  eui64FromIndex,
  eui64ToBytes,
  formatRequestId,
  mpanWithCheckDigit,
  parseRequestId,
  toEui64,
  toMpan,
  toMprn,
  toRequestId,
  type Eui64,
} from '../../../core/ids.ts';
import { unwrap } from '../../../core/result.ts';

const CANON = '00-DB-12-34-56-78-90-A0' as Eui64;
const HUB = '90-B3-D5-1F-30-01-00-00' as Eui64;
const U64_MAX = 2n ** 64n - 1n;

function codeOf(r: { ok: boolean; error?: { code: string } }): string | undefined {
  return r.ok ? undefined : r.error?.code;
}

describe('Eui64', () => {
  it('accepts hyphens, colons or nothing, in any case, and canonicalises', () => {
    for (const raw of ['00-DB-12-34-56-78-90-A0', '00-db-12-34-56-78-90-a0', '00:db:12:34:56:78:90:A0', '00DB1234567890a0']) {
      expect(toEui64(raw, 'id')).toEqual({ ok: true, value: CANON });
    }
  });

  it('rejects everything else', () => {
    expect(codeOf(toEui64(0x00db1234567890a0, 'id'))).toBe('type');
    expect(codeOf(toEui64(undefined, 'id'))).toBe('type');
    for (const raw of [
      '',
      '00-DB-12-34-56-78-90',
      '00-DB-12-34-56-78-90-A0-11',
      '00-DB-12-34:56-78-90-A0', // mixed separators
      '00DB1234567890A',
      '00DB1234567890A0F',
      '00-DB-12-34-56-78-90-G0',
      ' 00DB1234567890A0',
      '0-0DB-12-34-56-78-90-A0',
    ]) {
      const r = toEui64(raw, 'devices[3].id');
      expect(codeOf(r), raw).toBe('format');
      if (!r.ok) expect(r.error.path).toBe('devices[3].id');
    }
  });

  it('round-trips through bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 8, maxLength: 8 }), (bytes) => {
        const e = eui64FromBytes(bytes);
        expect(unwrap(toEui64(e, 'x'))).toBe(e);
        expect(eui64ToBytes(e)).toEqual(bytes);
      }),
    );
    expect([...eui64ToBytes(CANON)]).toEqual([0x00, 0xdb, 0x12, 0x34, 0x56, 0x78, 0x90, 0xa0]);
    expect(eui64FromBytes(Uint8Array.of(9, 0x00, 0xdb, 0x12, 0x34, 0x56, 0x78, 0x90, 0xa0), 1)).toBe(CANON);
    expect(() => eui64FromBytes(new Uint8Array(7))).toThrow(RangeError);
    expect(() => eui64FromBytes(new Uint8Array(8), 1)).toThrow(RangeError);
  });

  it('mints distinct deterministic ids from (prefix, index)', () => {
    expect(eui64FromIndex(0x00db1200, 42)).toBe('00-DB-12-00-00-00-00-2A');
    expect(eui64FromIndex(0xffffffff, 0xffffffff)).toBe('FF-FF-FF-FF-FF-FF-FF-FF');
    fc.assert(
      fc.property(fc.nat({ max: 0xffffffff }), fc.nat({ max: 0xffffffff }), (p, i) => {
        const e = eui64FromIndex(p, i);
        expect(unwrap(toEui64(e, 'x'))).toBe(e);
        const b = eui64ToBytes(e);
        const view = new DataView(b.buffer);
        expect([view.getUint32(0), view.getUint32(4)]).toEqual([p, i]);
      }),
    );
    for (const [p, i] of [
      [-1, 0],
      [0, 2 ** 32],
      [0.5, 0],
      [0, Number.NaN],
    ] as const) {
      expect(() => eui64FromIndex(p, i)).toThrow(RangeError);
    }
  });
});

describe('Mpan', () => {
  it('computes the check digit from the weighted sum mod 11 mod 10', () => {
    // 1·3+2·5+3·7+4·13+5·17+6·19+7·23+8·29+9·31+0·37+1·41+2·43 = 1084; 1084 mod 11 = 6.
    expect(mpanWithCheckDigit('123456789012')).toBe('1234567890126');
    // 1·43 = 43; 43 mod 11 = 10; 10 mod 10 = 0.
    expect(mpanWithCheckDigit('000000000001')).toBe('0000000000010');
    // 2·3 + 3·43 = 135; 135 mod 11 = 3.
    expect(mpanWithCheckDigit('200000000003')).toBe('2000000000033');
    expect(() => mpanWithCheckDigit('12345678901')).toThrow(RangeError);
    expect(() => mpanWithCheckDigit('12345678901a')).toThrow(RangeError);
  });

  it('accepts valid cores and rejects bad shapes and check digits', () => {
    expect(toMpan('1234567890126', 'mpan')).toEqual({ ok: true, value: '1234567890126' });
    fc.assert(
      fc.property(fc.stringMatching(/^\d{12}$/), fc.nat({ max: 9 }), (first12, d) => {
        const good = mpanWithCheckDigit(first12);
        expect(toMpan(good, 'mpan').ok).toBe(true);
        const candidate = `${first12}${d}`;
        expect(toMpan(candidate, 'mpan').ok).toBe(candidate === good);
      }),
    );
    const bad = toMpan('1234567890127', 'premises[0].mpan');
    expect(bad).toEqual({
      ok: false,
      error: { path: 'premises[0].mpan', code: 'format', expected: 'an MPAN core whose check digit is 6', got: '"1234567890127"' },
    });
    expect(codeOf(toMpan(1234567890126, 'mpan'))).toBe('type');
    for (const raw of ['123456789012', '12345678901260', '12345678901 6', 'S1234567890126', '']) {
      expect(codeOf(toMpan(raw, 'mpan')), raw).toBe('format');
    }
  });
});

describe('Mprn', () => {
  it('accepts 6 to 10 digits without a check digit rule', () => {
    for (const raw of ['123456', '1234567', '1234567890']) expect(toMprn(raw, 'mprn')).toEqual({ ok: true, value: raw });
    expect(codeOf(toMprn(1234567, 'mprn'))).toBe('type');
    for (const raw of ['12345', '12345678901', '12345a', '']) expect(codeOf(toMprn(raw, 'mprn')), raw).toBe('format');
  });
});

describe('RequestId', () => {
  it('round-trips parts and canonical strings', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), fc.bigInt({ min: 0n, max: U64_MAX }), (b, counter) => {
        const parts = { originator: eui64FromBytes(b, 0), target: eui64FromBytes(b, 8), counter };
        const id = formatRequestId(parts);
        expect(parseRequestId(id, 'x')).toEqual({ ok: true, value: parts });
        expect(toRequestId(id, 'x')).toEqual({ ok: true, value: id });
      }),
    );
    expect(toRequestId(`${HUB}:${CANON}:007`, 'x')).toEqual({ ok: true, value: `${HUB}:${CANON}:7` });
  });

  it('accepts counters up to 2^64-1 and rejects 2^64', () => {
    expect(parseRequestId(`${HUB}:${CANON}:18446744073709551615`, 'r')).toEqual({
      ok: true,
      value: { originator: HUB, target: CANON, counter: U64_MAX },
    });
    expect(codeOf(parseRequestId(`${HUB}:${CANON}:18446744073709551616`, 'r'))).toBe('range');
    expect(codeOf(parseRequestId(`${HUB}:${CANON}:0`, 'r'))).toBeUndefined();
    expect(() => formatRequestId({ originator: HUB, target: CANON, counter: U64_MAX + 1n })).toThrow(RangeError);
    expect(() => formatRequestId({ originator: HUB, target: CANON, counter: -1n })).toThrow(RangeError);
  });

  it('rejects every malformed part', () => {
    expect(codeOf(parseRequestId(42, 'r'))).toBe('type');
    for (const raw of [
      `${HUB}:${CANON}`,
      `${HUB}:${CANON}:1:2`,
      `${HUB.toLowerCase()}:${CANON}:1`,
      `90B3D51F30010000:${CANON}:1`,
      `${HUB}:00-db-12-34-56-78-90-a0:1`,
      `${HUB}:${CANON}:`,
      `${HUB}:${CANON}:-1`,
      `${HUB}:${CANON}:1e3`,
      `${HUB}:${CANON}:123456789012345678901`,
      '',
    ]) {
      expect(codeOf(parseRequestId(raw, 'r')), raw).toBe('format');
      expect(codeOf(toRequestId(raw, 'r')), raw).toBe('format');
    }
  });
});
