import { describe, expect, it } from 'vitest';
import { DAY_MS } from '../../../core/time/duration.ts';
import { dspConfig } from '../../../dsp/dsp-config.ts';
import { POLICY_LEVERS, defaultLevers, policyPlan } from '../../../scenarios/schema/policy-plan.ts';
import { POLICY_NAMES, type PolicyName } from '../../../scenarios/schema/scenario.ts';
import { validateScenario } from '../../../scenarios/schema/validate.ts';

const plan = (name: PolicyName) => policyPlan({ name, levers: defaultLevers(name) });

describe('policyPlan', () => {
  it.each([
    // policy, SoLR Contingency role, certificate delay, MPID delay, SRP sends as, refused from
    ['none', false, 0, 0, 'failed-supplier', ['certificate-revocation X3', 'mpid-transfer E4']],
    ['mp134a', false, 28, 0, 'failed-supplier', ['certificate-revocation X3', 'mpid-transfer E4']],
    ['mp134a+mp185', false, 28, 28, 'failed-supplier', ['certificate-revocation X3', 'mpid-transfer E4']],
    ['mp134b', true, 0, 28, 'solr-contingency', ['mpid-transfer E4', 'srp-window-end X8']],
  ] as const)('%s: role %s, certificates +%sd, MPIDs +%sd, SRP as %s', (name, role, certDays, mpidDays, actsAs, refusals) => {
    const p = plan(name);
    expect(p.dspConfig.solrContingencyRole).toBe(role);
    expect(p.certificateRevocationDelayMs).toBe(certDays * DAY_MS);
    expect(p.mpidTransferDelayMs).toBe(mpidDays * DAY_MS);
    expect(p.srpActsAs).toBe(actsAs);
    expect(p.srpRefusals.map((r) => `${r.from} ${r.code}`)).toEqual(refusals);
    expect(p.srpWindowMs).toBe(90 * DAY_MS);
    expect(p.listFailedAtLicenceRevocation).toBe(true);
    expect(p.summary.length).toBeGreaterThan(0);
  });

  it('asks the SRP for the listing, an instruction and an ADT file only in the MP134B world', () => {
    expect(plan('mp134b').srpNeeds).toEqual(['failed-supplier-list', 'authority-instruction', 'adt-file']);
    for (const name of ['none', 'mp134a', 'mp134a+mp185'] as const) expect(plan(name).srpNeeds).toEqual([]);
  });

  it('gives a DSP configuration the DSP accepts, with the levers a file sets', () => {
    const r = validateScenario({
      name: 'levers',
      policy: {
        name: 'mp134b',
        srpWindowDays: 30,
        solrContingencySrvs: ['1.6', '7.3'],
        solrContingencyRoleCode: 'SCX',
        afterMpidTransferCode: 'X6',
      },
    });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const p = policyPlan(r.value.policy);
    expect(p.dspConfig).toEqual({
      solrContingencyRole: true,
      solrContingencySrvs: ['1.6', '7.3'],
      roleCodes: { solrContingency: 'SCX' },
      afterMpidTransferCode: 'X6',
    });
    expect(p.srpWindowMs).toBe(30 * DAY_MS);
    expect(p.srpRefusals).toContainEqual({ from: 'mpid-transfer', code: 'X6' });
    expect(dspConfig(p.dspConfig).solrContingencyRole).toBe(true);
  });

  it('never shows a power a world lacks, whatever the levers hold', () => {
    const levers = { ...defaultLevers('mp134b'), delayRevocationDays: 5, delayMpidTransferDays: 7, srpWindowDays: 10 };
    const none = policyPlan({ name: 'none', levers });
    expect([none.certificateRevocationDelayMs, none.mpidTransferDelayMs, none.srpWindowMs]).toEqual([0, 0, 90 * DAY_MS]);
    expect(policyPlan({ name: 'mp134a', levers }).mpidTransferDelayMs).toBe(0);
    expect(policyPlan({ name: 'mp134a+mp185', levers }).mpidTransferDelayMs).toBe(7 * DAY_MS);
  });

  it('has a lever list for every policy, and none for policy none', () => {
    expect([...POLICY_LEVERS.keys()]).toEqual([...POLICY_NAMES]);
    expect(POLICY_LEVERS.get('none')).toEqual([]);
  });

  it('applies the plan delays to events that give no instant of their own', () => {
    const r = validateScenario({
      name: 'delays',
      start: '2027-01-04T00:00:00Z',
      policy: { name: 'mp134a+mp185', delayRevocationDays: 2, delayMpidTransferDays: 3 },
      timeline: [
        { at: '+1d', kind: 'licenceRevoked' },
        { at: '+2d', kind: 'solrAppointed' },
      ],
    });
    expect(r.ok && r.value.timeline).toEqual([
      { kind: 'licenceRevoked', at: Date.UTC(2027, 0, 5), supplier: 'failed', certificatesRevokedAt: Date.UTC(2027, 0, 7) },
      { kind: 'solrAppointed', at: Date.UTC(2027, 0, 6), failed: 'failed', solr: 'solr', mpidsTransferAt: Date.UTC(2027, 0, 9) },
    ]);
  });
});
