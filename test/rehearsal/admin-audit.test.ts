import { describe, expect, it } from 'vitest';
import { verifyChain } from '../../dsp/audit/service-audit-trail.ts';
import { sampleWorld, SRP } from '../../dsp/sample-world.ts';

const T0 = Date.UTC(2027, 0, 4);

/** What `DspAdmin` records for the rehearsal's admin API that it did not before. // DOMAIN §4.1, §4.7 */
describe('DspAdmin records the rehearsal’s admin actions in the Service Audit Trail', () => {
  it("a User's Receive Response Service URL set and cleared: one admin record each, about that User, on an unbroken chain", () => {
    const { dsp } = sampleWorld();
    const before = dsp.sat.length;
    dsp.admin.setReceiveUrl(SRP, 'https://srp.example/receive', T0);
    dsp.admin.setReceiveUrl(SRP, null, T0 + 1000);
    const added = dsp.sat.records().slice(before);
    expect(added.map((r) => [r.kind, r.sender, r.at, r.detail])).toEqual([
      ['admin', SRP, T0, 'Receive Response Service URL set to https://srp.example/receive'],
      ['admin', SRP, T0 + 1000, 'Receive Response Service URL cleared'],
    ]);
    expect(added.every((r) => r.requestId === null && r.code === null)).toBe(true);
    expect(verifyChain(dsp.sat.records(), dsp.sat.head())).toEqual({ ok: true, value: true });
  });

  it('an ADT upload names the officer who uploaded it when told; without, the record reads as before; a refused file records nothing', () => {
    const { dsp } = sampleWorld();
    const file = { user: SRP, role: 'SoLRContingency', thresholds: [{ srv: '1.6', limit: 10 }] };
    expect(dsp.admin.uploadAdt(file, T0, 'SRO').ok).toBe(true);
    expect(dsp.admin.uploadAdt(file, T0).ok).toBe(true);
    const before = dsp.sat.length;
    expect(dsp.admin.uploadAdt({ ...file, role: 'Wizard' }, T0, 'ARO').ok).toBe(false);
    expect(dsp.sat.length).toBe(before);
    expect(
      dsp.sat
        .records()
        .filter((r) => r.kind === 'admin')
        .map((r) => r.detail),
    ).toEqual(['ADT file for role SoLRContingency (uploaded by its SRO): 1.6≤10', 'ADT file for role SoLRContingency: 1.6≤10']);
  });
});
