import type { Scenario } from '../../../scenarios/schema/scenario.ts';
import { validateScenario } from '../../../scenarios/schema/validate.ts';

/**
 * A small MP134B failure for fault tests, from 2027-01-04: every premises on
 * prepayment (electricity only unless `estate` says otherwise), the licence
 * revoked and the SRP instructed at +1h, its ADT file at +1h30m, and the SRP
 * switching the meters to Credit from +2h, one meter every 7 minutes (never
 * on the instant of an hourly retry), with `faults` after. Validated as a
 * scenario file is.
 */
export function faultScenario(faults: readonly Record<string, unknown>[], estate: Record<string, unknown> = {}, days = 2): Scenario {
  const r = validateScenario({
    name: 'fault-test',
    seed: 'faults',
    start: '2027-01-04T00:00:00Z',
    days,
    estate: { premises: 6, prepaymentShare: 1, dualFuelShare: 0, startBalance: { min: 5, max: 10 }, ...estate },
    policy: 'mp134b',
    timeline: [
      { at: '+1h', kind: 'licenceRevoked' },
      { at: '+1h', kind: 'authorityInstruction' },
      { at: '+1h30m', kind: 'adtUpload', thresholds: [{ srv: '1.6', limit: 1000 }] },
      { at: '+2h', kind: 'srpSwitchToCredit', batchSize: 1, every: '7m' },
      ...faults,
    ],
  });
  if (!r.ok) throw new Error(r.error.map((e) => `${e.path}: ${e.code} ${e.expected}, got ${String(e.got)}`).join('\n'));
  return r.value;
}
