import { describe, expect, it } from 'vitest';
import { LIBRARY } from '../../../scenarios/library/index.ts';

const flagship = LIBRARY.get('solr-disorderly-exit')!;

const report = await flagship.run({ premises: 300, days: 14, seed: 'ci', policies: ['none', 'mp134a', 'mp134b'] });

describe('solr-disorderly-exit, at a small size', () => {
  const by = new Map(report.policies.map((p) => [p.policy, p]));

  it('MP134B: its assertions hold — on supply stays on, the off are re-armed, the self-disconnected armed not switched on, Credit only', () => {
    expect(report.assertions.map((a) => [a.name, a.passed])).toEqual([
      ['prepayment consumers on supply when the SRP acts stay on supply until the SoLR takes over', true],
      ['consumers already off for lack of credit are re-armed', true],
      ['the self-disconnected are re-armed, not switched on', true],
      ['every SR 1.6 from the SRP is Credit-only', true],
    ]);
  });

  it('without the modifications the SRP is refused (its supplier’s certificates are revoked: X3) and prepayment homes go off supply', () => {
    const none = by.get('none')!;
    const mp134b = by.get('mp134b')!;
    expect(none.serviceRequests.flatMap((u) => Object.keys(u.byCode))).toEqual(['X3']);
    expect(none.timeToSafeMode.applied).toBe(0);
    expect(none.outcomes.prepayment.consumersEverOff).toBeGreaterThan(5 * Math.max(1, mp134b.outcomes.prepayment.consumersEverOff));
    // Credit-mode homes are not at supply risk in any world. // SEED0 §2
    for (const p of report.policies) expect(p.outcomes.credit.consumersEverOff).toBe(0);
  });

  it('under MP134B every prepayment meter is put into Credit mode, by the SRP in its own role, and the audit trail verifies', () => {
    const p = by.get('mp134b')!;
    expect(p.timeToSafeMode.never).toBe(0);
    expect(p.timeToSafeMode.applied).toBe(p.outcomes.prepayment.meters);
    expect(p.serviceRequests.map((u) => u.user)).toEqual(['90-B3-D5-1F-30-05-00-00']);
    expect(p.audit?.chainVerifies).toBe(true);
  });

  it('gives the same report for the same seed', async () => {
    const again = await flagship.run({ premises: 300, days: 14, seed: 'ci', policies: ['none', 'mp134a', 'mp134b'] });
    expect(again).toEqual(report);
  });
});
