import { describe, expect, it } from 'vitest';
import { selectConsumerDetail } from '../../../scenarios/report/consumer-detail.ts';
import { SAFE_MODE_BANDS, type ConsumerRecord } from '../../../scenarios/report/report-model.ts';
import { summariseTimeToSafeMode } from '../../../scenarios/report/time-to-safe-mode.ts';
import { DEVICE_ALERT_WORDS, deviceAlertInWords } from '../../../scenarios/report/report-words.ts';
import { ALERT } from '../../../emulator/devices/common/alerts.ts';

describe('summariseTimeToSafeMode', () => {
  it('counts applied and never, with nearest-rank percentiles a reader can find in the data', () => {
    const values = [...Array.from({ length: 100 }, (_, i) => i + 1), null, null];
    const t = summariseTimeToSafeMode('2026-01-05T20:00:00Z', values);
    expect(t).toMatchObject({ instructedAt: '2026-01-05T20:00:00Z', meters: 102, applied: 100, never: 2 });
    expect(t.percentilesMinutes).toEqual({ p50: 50, p90: 90, p95: 95, p99: 99, max: 100 });
  });

  it('puts every applied meter in exactly one band, every band present, and a band edge in the band above', () => {
    const t = summariseTimeToSafeMode('2026-01-05T20:00:00Z', [0, 14.9, 15, 60, 1439, 1440, 20_000]);
    expect(t.bands.map((b) => b.label)).toEqual(SAFE_MODE_BANDS.map((b) => b.label));
    expect(t.bands.reduce((n, b) => n + b.meters, 0)).toBe(7);
    const by = Object.fromEntries(t.bands.map((b) => [b.label, b.meters]));
    expect(by).toMatchObject({ 'under 15 min': 2, '15–30 min': 1, '1–2 h': 1, '8–24 h': 1, '1–2 days': 1, '7 days or more': 1 });
  });

  it('has no percentiles when no meter was put into Credit mode', () => {
    expect(summariseTimeToSafeMode(null, []).percentilesMinutes).toBeNull();
    expect(summariseTimeToSafeMode('2026-01-05T20:00:00Z', [null]).percentilesMinutes).toBeNull();
  });

  it('refuses a negative time: Credit mode before the instruction is a bug', () => {
    expect(() => summariseTimeToSafeMode(null, [-1])).toThrow(RangeError);
  });
});

describe('selectConsumerDetail', () => {
  const consumer = (id: string, minutesOff: number, neverSafe = false): ConsumerRecord => ({
    id,
    paymentMode: 'prepayment',
    vulnerable: false,
    selfDisconnecting: false,
    minutesOff,
    meters: [
      {
        id: `m-${id}`,
        fuel: 'electricity',
        paymentMode: 'prepayment',
        minutesOff: { credit: minutesOff, armed: 0, remote: 0, fault: 0 },
        instructedAt: neverSafe ? '2026-01-05T20:00:00Z' : null,
        minutesToSafeMode: null,
      },
    ],
  });

  it('lists homes ever off or never made safe, worst first, capped, and says how many it left out', () => {
    const d = selectConsumerDetail([consumer('a', 0), consumer('b', 10), consumer('c', 0, true), consumer('d', 500), consumer('e', 10)], 3);
    expect(d.records.map((c) => c.id)).toEqual(['d', 'b', 'e']);
    expect(d).toMatchObject({ limit: 3, selected: 4 });
    expect(selectConsumerDetail([consumer('a', 0), consumer('c', 0, true)]).records.map((c) => c.id)).toEqual(['c']);
  });
});

describe('deviceAlertInWords', () => {
  it('writes the code as the meters do and says what it means', () => {
    expect(deviceAlertInWords(ALERT.supplyArmed)).toEqual({
      code: '0x8F32',
      description: 'supply armed: waiting for the consumer to press the button',
    });
    expect(deviceAlertInWords(0x1234).description).toBe('an alert this report has no description for');
  });

  it('has words for every device alert', () => {
    for (const code of Object.values(ALERT)) expect(DEVICE_ALERT_WORDS[code]).toMatch(/\w/);
  });
});
