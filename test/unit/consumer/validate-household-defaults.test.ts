import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { FieldErrorCode } from '../../../core/errors.ts';
import { DEFAULT_HOUSEHOLD } from '../../../emulator/consumer/household.ts';
import { parseHouseholdDefaults } from '../../../emulator/consumer/validate-household-defaults.ts';

function expectError(raw: unknown, path: string, code: FieldErrorCode): void {
  const r = parseHouseholdDefaults(raw);
  expect(r.ok ? 'accepted' : { path: r.error.path, code: r.error.code }).toEqual({ path, code });
}

describe('parseHouseholdDefaults', () => {
  it('gives the defaults for nothing or an empty object', () => {
    expect(parseHouseholdDefaults(undefined)).toEqual({ ok: true, value: DEFAULT_HOUSEHOLD });
    expect(parseHouseholdDefaults({})).toEqual({ ok: true, value: DEFAULT_HOUSEHOLD });
  });

  it('merges a partial object over the defaults, field by field', () => {
    const r = parseHouseholdDefaults({
      vulnerableShare: 0.5,
      topUp: { amountPounds: { max: 30 } },
      enable: { afterExternalArmHours: { median: 24 } },
    });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.vulnerableShare).toBe(0.5);
    expect(r.value.topUp.amountPounds).toEqual({ min: 10, max: 30 });
    expect(r.value.topUp.perWeek).toEqual(DEFAULT_HOUSEHOLD.topUp.perWeek);
    expect(r.value.enable.afterExternalArmHours).toEqual({ median: 24, sigma: DEFAULT_HOUSEHOLD.enable.afterExternalArmHours.sigma });
    expect(r.value.selfDisconnection).toBe(DEFAULT_HOUSEHOLD.selfDisconnection);
    expect(DEFAULT_HOUSEHOLD.vulnerableShare).toBe(0.3); // untouched
  });

  it('accepts any shares in 0..1 and any ordered whole-pound range', () => {
    const share = fc.double({ min: 0, max: 1, noNaN: true });
    fc.assert(
      fc.property(share, share, fc.integer({ min: 1, max: 250 }), fc.integer({ min: 1, max: 250 }), (v, s, a, b) => {
        const r = parseHouseholdDefaults({
          vulnerableShare: v,
          selfDisconnection: { share: s },
          topUp: { amountPounds: { min: Math.min(a, b), max: Math.max(a, b) } },
        });
        expect(r.ok).toBe(true);
      }),
    );
  });

  it('rejects a share outside 0..1', () => {
    expectError({ vulnerableShare: 1.2 }, 'household.vulnerableShare', 'range');
    expectError({ selfDisconnection: { share: -0.1 } }, 'household.selfDisconnection.share', 'range');
    expectError({ emergencyCredit: { takeProbability: 2 } }, 'household.emergencyCredit.takeProbability', 'range');
  });

  it('rejects negative, fractional or out-of-range amounts', () => {
    expectError({ topUp: { amountPounds: { min: -5 } } }, 'household.topUp.amountPounds.min', 'range');
    expectError({ topUp: { amountPounds: { max: 12.5 } } }, 'household.topUp.amountPounds.max', 'format');
    expectError({ topUp: { amountPounds: { max: 1000 } } }, 'household.topUp.amountPounds.max', 'range');
    expectError({ electricityKwhPerDay: -1 }, 'household.electricityKwhPerDay', 'range');
    expectError({ enable: { afterOwnTopUpMinutes: { median: -1 } } }, 'household.enable.afterOwnTopUpMinutes.median', 'range');
    expectError({ topUp: { delayAfterLowCreditHours: { sigma: 9 } } }, 'household.topUp.delayAfterLowCreditHours.sigma', 'range');
  });

  it('rejects min > max at the end the user wrote', () => {
    expectError({ topUp: { amountPounds: { min: 25 } } }, 'household.topUp.amountPounds.min', 'order');
    expectError({ topUp: { amountPounds: { max: 5 } } }, 'household.topUp.amountPounds.max', 'order');
    expectError({ topUp: { amountPounds: { min: 30, max: 20 } } }, 'household.topUp.amountPounds.min', 'order');
    expectError({ topUp: { perWeek: { min: 4 } } }, 'household.topUp.perWeek.min', 'order');
  });

  it('rejects non-numbers and non-objects', () => {
    expectError('lots', 'household', 'type');
    expectError(null, 'household', 'type');
    expectError([], 'household', 'type');
    expectError({ gasKwhPerDay: '32' }, 'household.gasKwhPerDay', 'type');
    expectError({ gasKwhPerDay: Number.NaN }, 'household.gasKwhPerDay', 'type');
    expectError({ sizeSigma: Infinity }, 'household.sizeSigma', 'type');
    expectError({ topUp: 5 }, 'household.topUp', 'type');
    expectError({ topUp: { amountPounds: null } }, 'household.topUp.amountPounds', 'type');
    expectError({ topUp: { channels: { meter: true } } }, 'household.topUp.channels.meter', 'type');
  });

  it('rejects unknown keys at any depth', () => {
    expectError({ vulnerable: 0.3 }, 'household.vulnerable', 'unknown-kind');
    expectError({ topUp: { amountPounds: { mean: 15 } } }, 'household.topUp.amountPounds.mean', 'unknown-kind');
    expectError({ enable: { afterOwnTopUpMinutes: { mean: 3 } } }, 'household.enable.afterOwnTopUpMinutes.mean', 'unknown-kind');
  });

  it('rejects channel shares that do not sum to 1, and accepts decimals that do', () => {
    expectError({ topUp: { channels: { meter: 0.5 } } }, 'household.topUp.channels', 'range');
    expect(parseHouseholdDefaults({ topUp: { channels: { meter: 0.1, ppmid: 0.2, remote: 0.7 } } }).ok).toBe(true);
  });

  it('reports under the caller’s path', () => {
    const r = parseHouseholdDefaults({ dualFuelShare: 3 }, 'fleet.households');
    expect(r.ok ? null : r.error.path).toBe('fleet.households.dualFuelShare');
  });
});
