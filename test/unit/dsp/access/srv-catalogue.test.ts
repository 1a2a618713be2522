import { describe, expect, it } from 'vitest';
import { MATRIX_ROLES } from '../../../../dsp/access/roles.ts';
import { FUTURE_DATED_PATTERNS, SRV_CATALOGUE, type SrvEntry } from '../../../../dsp/access/srv-catalogue.ts';

// Invariants DOMAIN §4.9 states or implies, each checked against the rows as transcribed.

const bySrv = (srv: string): SrvEntry => {
  const e = SRV_CATALOGUE.find((x) => x.srv === srv);
  if (e === undefined) throw new Error(`no row ${srv}`);
  return e;
};
const srvsWhere = (p: (e: SrvEntry) => boolean): string[] => SRV_CATALOGUE.filter(p).map((e) => e.srv);

describe('SRV_CATALOGUE', () => {
  it('has the 129 SRVs of DOMAIN §4.9, each once, 37 of them critical', () => {
    expect(SRV_CATALOGUE).toHaveLength(129);
    expect(new Set(SRV_CATALOGUE.map((e) => e.srv)).size).toBe(129);
    expect(srvsWhere((e) => e.critical)).toHaveLength(37);
  });

  it('is frozen through and through', () => {
    expect(Object.isFrozen(SRV_CATALOGUE)).toBe(true);
    for (const e of SRV_CATALOGUE) {
      expect(Object.isFrozen(e)).toBe(true);
      expect(Object.isFrozen(e.roles)).toBe(true);
      expect(Object.isFrozen(e.commandVariants)).toBe(true);
      expect(Object.isFrozen(e.useCases)).toBe(true);
    }
  });

  it('uses exactly the four future-dated patterns of the table', () => {
    expect(new Set(SRV_CATALOGUE.map((e) => e.futureDated))).toEqual(new Set(FUTURE_DATED_PATTERNS));
    expect(srvsWhere((e) => e.futureDated === 'DSP & Device')).toEqual(['6.23']);
  });

  it('lists matrix roles only, none twice, and no role at all for 7.16, 8.5 and 8.6', () => {
    for (const e of SRV_CATALOGUE) {
      expect(e.roles.every((r) => MATRIX_ROLES.includes(r))).toBe(true);
      expect(new Set(e.roles).size).toBe(e.roles.length);
    }
    expect(srvsWhere((e) => e.roles.length === 0)).toEqual(['7.16', '8.5', '8.6']);
  });

  it('gives every SRV its Service Reference', () => {
    for (const e of SRV_CATALOGUE) expect(e.serviceReference).toBe(e.srv.split('.').slice(0, 2).join('.'));
  });

  it('lists CVs in ascending order without repeats', () => {
    for (const e of SRV_CATALOGUE) expect([...new Set(e.commandVariants)].sort((a, b) => a - b)).toEqual(e.commandVariants);
  });

  it('allows CV 4–7 for every critical SRV — except 8.1.1, which the table gives CV 4 and 5 only', () => {
    // DOMAIN's own rule is "critical ⇒ CV 4–7"; the table's 8.1.1 Commission Device row contradicts it, and the table wins.
    for (const e of SRV_CATALOGUE.filter((x) => x.critical)) {
      expect(e.commandVariants, e.srv).toEqual(e.srv === '8.1.1' ? [4, 5] : [4, 5, 6, 7]);
    }
  });

  it('allows a subset of CV 1–3 for every non-critical device SRV: all three except 8.5 (CV 1 only)', () => {
    for (const e of SRV_CATALOGUE.filter((x) => !x.critical && !x.nonDevice)) {
      expect(e.commandVariants, e.srv).toEqual(e.srv === '8.5' ? [1] : [1, 2, 3]);
    }
  });

  it('allows CV 8, and only CV 8, exactly for the non-device SRVs DOMAIN §4.2 names, which have no GBCS use case', () => {
    for (const e of SRV_CATALOGUE) {
      expect(e.commandVariants.includes(8), e.srv).toBe(e.nonDevice);
      if (e.nonDevice) expect(e.commandVariants, e.srv).toEqual([8]);
      expect(e.useCases.length === 0, e.srv).toBe(e.nonDevice);
      if (e.nonDevice) expect(e.critical, e.srv).toBe(false);
    }
    expect(srvsWhere((e) => e.nonDevice)).toEqual([
      ...['5.1', '5.2', '5.3', '8.2', '8.3', '8.4', '8.6', '8.13'],
      ...['8.14.1', '8.14.2', '8.14.3', '8.14.4', '11.1', '11.4', '12.1', '12.2'],
    ]);
  });

  it('marks the CVs of 7.12–7.15 as the UNVERIFIED † correction, and no other row', () => {
    expect(srvsWhere((e) => e.commandVariantsCorrected)).toEqual(['7.12', '7.13', '7.14', '7.15']);
  });

  // Spot checks, copied by hand from the DOMAIN §4.9 table.
  it.each<[string, string, boolean, SrvEntry['futureDated'], string[], number[], string[]]>([
    ['1.1.1', 'Update Import Tariff (Primary Element)', true, 'Device', ['IS', 'GS'], [4, 5, 6, 7], ['ECS01a', 'GCS01a']],
    ['1.6', 'Update Payment Mode', true, 'Device', ['IS', 'GS'], [4, 5, 6, 7], ['ECS02', 'ECS03', 'GCS02', 'GCS03']],
    ['2.2', 'Top Up Device', false, 'No', ['IS', 'GS'], [1, 2, 3], ['CS01a', 'CS01b']],
    ['4.4.4', 'Retrieve Billing Data Log (Payment Based Debt Payments)', false, 'DSP', ['GS', 'IS'], [1, 2, 3], ['ECS20a', 'GCS15d']],
    ['5.1', 'Create Schedule', false, 'No', ['IS', 'ES', 'GS', 'ED', 'GT', 'OU'], [8], []],
    ['6.23', 'Update Security Credentials (CoS)', false, 'DSP & Device', ['IS', 'GS'], [1, 2, 3], ['CS02bSupplierByTransCoS']],
    ['7.16', 'Limit APC Level', true, 'No', [], [4, 5, 6, 7], ['ECS47e']],
    ['8.1.1', 'Commission Device', true, 'No', ['IS', 'GS'], [4, 5], ['ECS70Commission', 'GCS28Commission']],
    ['8.5', 'Service Opt Out', false, 'DSP', [], [1], ['CS02bACBByACB']],
    ['8.14.3', 'Communications Hub  Status Update. – Fault Return', false, 'No', ['IS', 'GS'], [8], []],
    ['11.2', 'Read Firmware Version', false, 'DSP', ['IS', 'ES', 'GS', 'RSA', 'ED', 'GT', 'OU'], [1, 2, 3], ['CS08', 'ECS52', 'GCS38']],
    ['14.1', 'Record Network Data (GAS)', false, 'No', ['GT'], [1, 2, 3], ['GCS31']],
  ])('%s is transcribed as the table has it', (srv, name, critical, futureDated, roles, cvs, useCases) => {
    const e = bySrv(srv);
    expect([e.name, e.critical, e.futureDated, e.roles, e.commandVariants, e.useCases]).toEqual([
      name,
      critical,
      futureDated,
      roles,
      cvs,
      useCases,
    ]);
  });
});
