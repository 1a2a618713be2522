import { describe, expect, it } from 'vitest';
import { LIBRARY } from '../../../scenarios/library/index.ts';

const comparison = await LIBRARY.get('policy-comparison')!.run({ premises: 400, days: 10, seed: 'ci' });

describe('policy-comparison, at a small size', () => {
  const report = comparison;
  const off = (p: string): number => report.policies.find((r) => r.policy === p)!.outcomes.prepayment.consumersEverOff;

  it('runs the four policies on one estate, and each modification keeps more prepayment homes on supply', () => {
    expect(report.policies.map((p) => p.policy)).toEqual(['none', 'mp134a', 'mp134a+mp185', 'mp134b']);
    expect(new Set(report.policies.map((p) => p.outcomes.all.consumers)).size).toBe(1);
    expect(off('none')).toBeGreaterThan(off('mp134a'));
    expect(off('mp134a')).toBeGreaterThan(off('mp134a+mp185'));
    expect(off('mp134b')).toBeLessThanOrEqual(off('mp134a+mp185'));
  });

  it('MP134A alone: the SRP, acting as the failed supplier, is refused with E4 once the MPIDs move at SoLR appointment', () => {
    const mp134a = report.policies.find((r) => r.policy === 'mp134a')!;
    expect(Object.keys(mp134a.serviceRequests[0]!.byCode).sort()).toEqual(['E4', 'I0']);
    expect(mp134a.timeToSafeMode.never).toBeGreaterThan(0);
  });
});

describe('smets1-estate, at a small size', () => {
  it('the SRP rescues SMETS1 meters through the S1SP: no Pre-Command transforms, and the assertions hold', async () => {
    const report = await LIBRARY.get('smets1-estate')!.run({ premises: 200, days: 7, seed: 'ci' });
    const p = report.policies[0]!;
    expect(report.assertions.every((a) => a.passed)).toBe(true);
    // Electricity meters take the request itself (one ledger record each); gas meters (SMETS2) take CV 4 and CV 5.
    expect(p.timeToSafeMode.never).toBe(0);
    expect(p.serviceRequests[0]!.received).toBeLessThan(2 * p.timeToSafeMode.meters);
  });
});

describe('srp-role-escalation', () => {
  it('every attempt beyond the SoLR Contingency role is refused with its code, and none reaches a meter', async () => {
    const report = await LIBRARY.get('srp-role-escalation')!.run({ premises: 60, days: 16, seed: 'ci' });
    expect(report.assertions.length).toBe(8);
    for (const a of report.assertions) expect({ name: a.name, passed: a.passed, actual: a.actual }).toMatchObject({ passed: true });
    const codes = report.policies[0]!.serviceRequests[0]!.byCode;
    expect(codes).toMatchObject({ E2: 128, X5: 1, X6: 1, X7: 1, X9: 1, X10: 1 });
  });
});

describe('gas-sleepy-meters and change-of-supplier-cutover, at a small size', () => {
  it('gas meters switched by the SRP reach Credit mode by their next wake', async () => {
    const report = await LIBRARY.get('gas-sleepy-meters')!.run({ premises: 150, days: 7, seed: 'ci' });
    expect(report.assertions.map((a) => [a.name, a.passed]).filter(([, p]) => p !== true)).toEqual([]);
    expect(report.assertions.some((a) => a.name.includes('gas meter'))).toBe(true);
  });

  it('after change of supplier the failed supplier is refused by the DSP and the device, and the SoLR is obeyed', async () => {
    const report = await LIBRARY.get('change-of-supplier-cutover')!.run({ premises: 100, days: 12, seed: 'ci' });
    expect(report.assertions.map((a) => [a.name, a.passed])).toEqual([
      ['the failed supplier is refused by the DSP after change of supplier', true],
      ["the failed supplier's signature is refused by the device after change of supplier", true],
      ["the SoLR's request is carried out by the device", true],
    ]);
  });
});

describe('wan-outage-during-solr, at a small size', () => {
  it('meters behind the outage get E20, the SRP tries again, and they reach Credit mode soon after the WAN returns', async () => {
    const report = await LIBRARY.get('wan-outage-during-solr')!.run({ premises: 200, days: 6, seed: 'ci' });
    expect(report.assertions.filter((a) => !a.passed).map((a) => `${a.name}: ${a.actual}`)).toEqual([]);
    expect(report.policies[0]!.serviceRequests[0]!.byCode['E20']).toBeGreaterThan(0);
  });
});
