import { describe, expect, it } from 'vitest';
import type { FieldError } from '../../../core/errors.ts';
import { unwrap, type Result } from '../../../core/result.ts';
import { compileTariff, energyCost, parseTariff, type Tariff } from '../../../emulator/devices/common/tariff.ts';

function rejection(r: Result<Tariff, FieldError>): Pick<FieldError, 'path' | 'code'> {
  if (r.ok) throw new Error(`expected a rejection, got ${JSON.stringify(r.value)}`);
  return { path: r.error.path, code: r.error.code };
}

const TOU = {
  kind: 'time-of-use',
  standingCharge: 57_000,
  bands: [
    { from: '00:00', unitPrice: 10_000 },
    { from: '07:00', unitPrice: 30_000 },
    { from: '23:00', unitPrice: 10_000 },
  ],
};

const BLOCK = {
  kind: 'block',
  standingCharge: 0,
  blocks: [{ upToKwh: 2, unitPrice: 10_000 }, { upToKwh: 5, unitPrice: 20_000 }, { unitPrice: 30_000 }],
};

describe('parseTariff', () => {
  // DOMAIN §1.3: TOU/block price and standing charge are the charge links of both payment modes.
  it('accepts flat, time-of-use and block tariffs (block period defaults to a day)', () => {
    expect(unwrap(parseTariff({ kind: 'flat', unitPrice: 24_700, standingCharge: 57_000 }))).toEqual({
      kind: 'flat',
      unitPrice: 24_700,
      standingCharge: 57_000,
    });
    expect(unwrap(parseTariff(TOU))).toEqual(TOU);
    expect(unwrap(parseTariff(BLOCK))).toEqual({
      kind: 'block',
      period: 'day',
      standingCharge: 0,
      blocks: [
        { upToKwh: 2, unitPrice: 10_000 },
        { upToKwh: 5, unitPrice: 20_000 },
        { upToKwh: null, unitPrice: 30_000 },
      ],
    });
    expect(unwrap(parseTariff({ ...BLOCK, period: 'week' }))).toMatchObject({ period: 'week' });
  });

  // DOMAIN §1.3
  it('rejects an unknown kind at .kind, even when other fields are missing', () => {
    expect(rejection(parseTariff({ kind: 'economy-7' }))).toEqual({ path: 'tariff.kind', code: 'unknown-kind' });
    expect(rejection(parseTariff({ kind: 'gas', unitPrice: 1, standingCharge: 1 }, 'meter.tariff'))).toEqual({
      path: 'meter.tariff.kind',
      code: 'unknown-kind',
    });
    expect(rejection(parseTariff(undefined))).toEqual({ path: 'tariff', code: 'type' });
    expect(rejection(parseTariff([]))).toEqual({ path: 'tariff', code: 'type' });
  });

  // DOMAIN §1.2: money is an integer count of £0.00001, never negative in a tariff
  it('rejects negative, fractional and missing prices with the precise path', () => {
    expect(rejection(parseTariff({ kind: 'flat', unitPrice: -1, standingCharge: 0 }))).toEqual({ path: 'tariff.unitPrice', code: 'range' });
    expect(rejection(parseTariff({ kind: 'flat', unitPrice: 1, standingCharge: -1 }))).toEqual({
      path: 'tariff.standingCharge',
      code: 'range',
    });
    expect(rejection(parseTariff({ kind: 'flat', unitPrice: 1.5, standingCharge: 0 }))).toEqual({ path: 'tariff.unitPrice', code: 'type' });
    expect(rejection(parseTariff({ kind: 'flat', standingCharge: 0 }))).toEqual({ path: 'tariff.unitPrice', code: 'required' });
    const bands = [TOU.bands[0], { from: '07:00', unitPrice: -5 }];
    expect(rejection(parseTariff({ ...TOU, bands }))).toEqual({ path: 'tariff.bands[1].unitPrice', code: 'range' });
    const blocks = [BLOCK.blocks[0], BLOCK.blocks[1], { unitPrice: -30_000 }];
    expect(rejection(parseTariff({ ...BLOCK, blocks }))).toEqual({ path: 'tariff.blocks[2].unitPrice', code: 'range' });
  });

  // DOMAIN §1.3 (TOU bands by local time of day)
  it('rejects time-of-use bands that do not start at 00:00, run out of order or are not on a half hour', () => {
    const tou = (bands: unknown[]) => parseTariff({ kind: 'time-of-use', standingCharge: 0, bands });
    expect(rejection(tou([{ from: '00:30', unitPrice: 1 }]))).toEqual({ path: 'tariff.bands[0].from', code: 'range' });
    expect(
      rejection(
        tou([
          { from: '00:00', unitPrice: 1 },
          { from: '07:00', unitPrice: 2 },
          { from: '07:00', unitPrice: 3 },
        ]),
      ),
    ).toEqual({ path: 'tariff.bands[2].from', code: 'order' });
    expect(
      rejection(
        tou([
          { from: '00:00', unitPrice: 1 },
          { from: '18:00', unitPrice: 2 },
          { from: '07:00', unitPrice: 3 },
        ]),
      ),
    ).toEqual({ path: 'tariff.bands[2].from', code: 'order' });
    for (const from of ['07:15', '7:00', '24:00', '07:00:00', 700]) {
      const r = tou([
        { from: '00:00', unitPrice: 1 },
        { from, unitPrice: 2 },
      ]);
      expect(rejection(r), String(from)).toEqual({ path: 'tariff.bands[1].from', code: 'format' });
    }
    expect(rejection(tou([]))).toEqual({ path: 'tariff.bands', code: 'type' });
    const all = Array.from({ length: 49 }, (_, i) => ({
      from: `${String(Math.floor(i / 2)).padStart(2, '0')}:${i % 2 ? '30' : '00'}`,
      unitPrice: 1,
    }));
    expect(rejection(tou(all))).toEqual({ path: 'tariff.bands', code: 'too-many' });
    expect(tou(all.slice(0, 48)).ok).toBe(true);
  });

  // DOMAIN §1.3 (block prices by cumulative usage)
  it('rejects block limits that do not increase and a last block with a limit', () => {
    const block = (blocks: unknown[]) => parseTariff({ kind: 'block', standingCharge: 0, blocks });
    expect(rejection(block([{ upToKwh: 5, unitPrice: 1 }, { upToKwh: 5, unitPrice: 2 }, { unitPrice: 3 }]))).toEqual({
      path: 'tariff.blocks[1].upToKwh',
      code: 'order',
    });
    expect(rejection(block([{ upToKwh: 5, unitPrice: 1 }, { upToKwh: 3, unitPrice: 2 }, { unitPrice: 3 }]))).toEqual({
      path: 'tariff.blocks[1].upToKwh',
      code: 'order',
    });
    expect(rejection(block([{ upToKwh: 0, unitPrice: 1 }, { unitPrice: 3 }]))).toEqual({ path: 'tariff.blocks[0].upToKwh', code: 'order' });
    expect(rejection(block([{ upToKwh: -1, unitPrice: 1 }, { unitPrice: 3 }]))).toEqual({
      path: 'tariff.blocks[0].upToKwh',
      code: 'range',
    });
    expect(
      rejection(
        block([
          { upToKwh: 2, unitPrice: 1 },
          { upToKwh: 4, unitPrice: 3 },
        ]),
      ),
    ).toEqual({ path: 'tariff.blocks[1].upToKwh', code: 'range' });
    expect(
      block([
        { upToKwh: 2, unitPrice: 1 },
        { upToKwh: null, unitPrice: 3 },
      ]).ok,
    ).toBe(true);
    expect(rejection(block([{ unitPrice: 3 }]))).toEqual({ path: 'tariff.blocks', code: 'type' });
    expect(rejection(parseTariff({ ...BLOCK, period: 'month' }))).toEqual({ path: 'tariff.period', code: 'unknown-kind' });
  });

  // read-config convention: every object rejects fields it does not know
  it('rejects unknown keys, at the top and inside bands and blocks', () => {
    expect(rejection(parseTariff({ kind: 'flat', unitPrice: 1, standingCharge: 0, price: 2 }))).toEqual({
      path: 'tariff.price',
      code: 'unknown-kind',
    });
    expect(rejection(parseTariff({ ...TOU, period: 'day' }))).toEqual({ path: 'tariff.period', code: 'unknown-kind' });
    expect(rejection(parseTariff({ kind: 'flat', unitPrice: 1, standingCharge: 0, period: 'day' }))).toEqual({
      path: 'tariff.period',
      code: 'unknown-kind',
    });
    const bands = [TOU.bands[0], { from: '07:00', to: '09:00', unitPrice: 2 }];
    expect(rejection(parseTariff({ ...TOU, bands }))).toEqual({ path: 'tariff.bands[1].to', code: 'unknown-kind' });
    const blocks = [{ upToKwh: 2, unitPrice: 1, fromKwh: 0 }, { unitPrice: 3 }];
    expect(rejection(parseTariff({ ...BLOCK, blocks }))).toEqual({ path: 'tariff.blocks[0].fromKwh', code: 'unknown-kind' });
  });
});

describe('energyCost', () => {
  // DOMAIN §1.3; cost rounds down to the unit (core/money.ts)
  it('prices a flat tariff per half hour, rounded down to the unit', () => {
    const t = compileTariff(unwrap(parseTariff({ kind: 'flat', unitPrice: 24_670, standingCharge: 0 })));
    expect(energyCost(t, 0, 333, 0)).toBe(8215); // 333 × 24 670 / 1000 = 8215.11
    expect(energyCost(t, 47, 1000, 0)).toBe(24_670);
    expect(energyCost(t, 20, 0, 0)).toBe(0);
  });

  // DOMAIN §1.3 (TOU)
  it('prices a time-of-use tariff by the half-hour index of its band', () => {
    const t = compileTariff(unwrap(parseTariff(TOU)));
    expect(Array.from(t.priceByHalfHour.slice(12, 16))).toEqual([10_000, 10_000, 30_000, 30_000]);
    expect(energyCost(t, 0, 500, 0)).toBe(5_000);
    expect(energyCost(t, 13, 500, 0)).toBe(5_000); // 06:30
    expect(energyCost(t, 14, 500, 0)).toBe(15_000); // 07:00
    expect(energyCost(t, 45, 500, 0)).toBe(15_000); // 22:30
    expect(energyCost(t, 46, 500, 0)).toBe(5_000); // 23:00
    expect(energyCost(t, 14, 7, 0)).toBe(210);
  });

  // DOMAIN §1.3 (block)
  it('prices a block tariff across block boundaries by usage already in the period', () => {
    const t = compileTariff(unwrap(parseTariff(BLOCK)));
    expect(t.blockLimitsWh).toEqual([2000, 5000]);
    expect(energyCost(t, 0, 500, 0)).toBe(5_000);
    // 200 Wh at 10 000/kWh + 300 Wh at 20 000/kWh = 2 000 + 6 000
    expect(energyCost(t, 30, 500, 1800)).toBe(8_000);
    // 100 Wh at 10 000 + 3000 Wh at 20 000 + 400 Wh at 30 000 = 1 000 + 60 000 + 12 000
    expect(energyCost(t, 30, 3500, 1900)).toBe(73_000);
    expect(energyCost(t, 30, 1, 9000)).toBe(30);
    // Rounding applies to the half hour's total, not to each block: 1 Wh × 10 000 + 1 Wh × 20 000 = 30 units
    expect(energyCost(t, 30, 2, 1999)).toBe(30);
    const odd = compileTariff(unwrap(parseTariff({ ...BLOCK, blocks: [{ upToKwh: 0.001, unitPrice: 333 }, { unitPrice: 667 }] })));
    expect(energyCost(odd, 0, 2, 0)).toBe(1); // (333 + 667) / 1000
    expect(energyCost(odd, 0, 1, 0)).toBe(0); // 0.333 rounds down
  });
});
