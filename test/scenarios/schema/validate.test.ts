import { describe, expect, it } from 'vitest';
import { pounds } from '../../../core/money.ts';
import { DAY_MS, HOUR_MS, MINUTE_MS } from '../../../core/time/duration.ts';
import { SRP, SUPPLIER_A, SUPPLIER_B } from '../../../dsp/sample-world.ts';
import { DEFAULT_HOUSEHOLD } from '../../../emulator/consumer/household.ts';
import { DEFAULT_ESTATE, DEFAULT_START } from '../../../scenarios/schema/defaults.ts';
import { householdDefaultsOf } from '../../../scenarios/schema/household-of.ts';
import { loadScenarioFile } from '../../../scenarios/schema/load.ts';
import { defaultLevers } from '../../../scenarios/schema/policy-plan.ts';
import type { Scenario, TimelineEvent } from '../../../scenarios/schema/scenario.ts';
import { scenarioToFile } from '../../../scenarios/schema/to-file.ts';
import { validateScenario } from '../../../scenarios/schema/validate.ts';
import { EVERY_KIND } from './examples.ts';

function valid(raw: unknown): Scenario {
  const r = validateScenario(raw);
  if (!r.ok)
    throw new Error(`expected a valid scenario:\n${r.error.map((e) => `${e.path}: ${e.code} ${e.expected}, got ${e.got}`).join('\n')}`);
  return r.value;
}

const event = <K extends TimelineEvent['kind']>(s: Scenario, kind: K): Extract<TimelineEvent, { kind: K }> => {
  const e = s.timeline.find((x) => x.kind === kind);
  if (e === undefined) throw new Error(`no ${kind}`);
  return e as Extract<TimelineEvent, { kind: K }>;
};

const START = Date.UTC(2027, 0, 4);

describe('validateScenario: defaults', () => {
  it('fills in every default for a scenario that has only a name', () => {
    const s = valid({ name: 'tiny' });
    expect(s).toMatchObject({ name: 'tiny', description: '', seed: '1', start: DEFAULT_START, days: 28, end: DEFAULT_START + 28 * DAY_MS });
    expect(s.estate).toEqual(DEFAULT_ESTATE);
    expect(s.policy).toEqual({ name: 'mp134b', levers: defaultLevers('mp134b') });
    expect(s.parties.failedSupplier).toEqual({
      id: 'failed',
      name: 'Failed supplier',
      eui64: SUPPLIER_A,
      type: 'Supplier',
      roles: ['IS', 'GS'],
      mpid: 'SUPA',
    });
    expect(s.parties.solr).toMatchObject({ id: 'solr', eui64: SUPPLIER_B, mpid: 'SUPB' });
    expect(s.parties.srp).toMatchObject({ id: 'srp', eui64: SRP, type: 'SharedResourceProvider', roles: [], mpid: null });
    expect([...s.parties.byId.keys()]).toEqual(['failed', 'srp', 'solr']);
    expect(s.timeline).toEqual([]);
    expect(s.assertions).toEqual([]);
  });

  it('gives the household model its own defaults back for the default estate', () => {
    expect(householdDefaultsOf(DEFAULT_ESTATE)).toEqual(DEFAULT_HOUSEHOLD);
  });

  it('merges nested estate fields over the defaults, field by field', () => {
    const s = valid({
      name: 'x',
      estate: { topUp: { regularShare: 0.5, amount: { max: 30 } }, selfDisconnection: { offSupplyDays: { median: 5 } } },
    });
    expect(s.estate.topUp.regularShare).toBe(0.5);
    expect(s.estate.topUp.amount).toEqual({ min: pounds(10), max: pounds(30) });
    expect(s.estate.topUp.channels).toEqual(DEFAULT_ESTATE.topUp.channels);
    expect(s.estate.selfDisconnection.offSupplyDays).toEqual({ median: 5, sigma: 0.5 });
  });

  it('reads a CSP region name as all premises in that region', () => {
    expect(valid({ name: 'x', estate: { cspRegions: '4G South' } }).estate.cspRegions).toEqual(new Map([['4G South', 1]]));
  });
});

describe('validateScenario: times, money and references', () => {
  const s = valid(EVERY_KIND);

  it('turns offsets from the start into instants, and durations into milliseconds', () => {
    expect(s.start).toBe(START);
    expect(s.end).toBe(START + 30 * DAY_MS);
    expect(event(s, 'vendingStops').at).toBe(START + DAY_MS);
    expect(event(s, 'srpSwitchToCredit')).toMatchObject({ at: START + 2 * DAY_MS + 4 * HOUR_MS, everyMs: 30 * MINUTE_MS, batchSize: 5 });
    expect(event(s, 'changeOfSupplier').spreadMs).toBe(10 * DAY_MS);
    expect(event(s, 'brokerRestart').durationMs).toBe(10_000);
  });

  it('reads pounds as Money', () => {
    expect(s.estate.startBalance).toEqual({ min: 125_000, max: 3_000_000 });
    expect(event(s, 'consumerTopUp').amount).toBe(1_250_000);
    expect(event(s, 'solrSwitchToPrepayment').disablementThreshold).toBe(50_000);
  });

  it('resolves delayed revocation and MPID transfer from the event, else from the policy', () => {
    expect(event(s, 'licenceRevoked').certificatesRevokedAt).toBe(START + 20 * DAY_MS);
    expect(event(s, 'solrAppointed').mpidsTransferAt).toBe(START + 3 * DAY_MS + 12 * DAY_MS);
  });

  it('defaults party references to the failed supplier, its SRP and the SoLR', () => {
    expect(event(s, 'vendingStops').supplier).toBe('small');
    expect(event(s, 'vendingStarts').supplier).toBe('big');
    expect(event(s, 'changeOfSupplier')).toMatchObject({ from: 'small', to: 'big' });
    expect(event(s, 'authorityInstruction')).toMatchObject({ srp: 'srp', supplier: 'small' });
    expect(event(s, 'adtUpload').user).toBe('srp');
  });

  it('names unnamed requests by their place, fills in the signed send, and moves expectations to the assertions', () => {
    const requests = s.timeline.filter((e) => e.kind === 'serviceRequest');
    expect(requests.map((r) => [r.id, r.signedSend, r.role])).toEqual([
      ['srp-credit', 6, null],
      ['timeline[19]', null, 'GS'],
      ['opaque', null, null],
      ['solr-prepay', null, null],
    ]);
    expect(requests[0]?.body).toEqual({ kind: 'updatePaymentMode', mode: 'credit', executionAt: START + 2 * DAY_MS + 6 * HOUR_MS });
    expect(requests[1]?.target).toEqual({ kind: 'eui64', eui64: '00-DB-12-00-00-00-00-99' });
    expect(requests[2]?.body).toEqual({ kind: 'opaque', hex: 'deadbeef' });
    expect(s.assertions.slice(0, 3)).toEqual([
      { kind: 'response', request: 'srp-credit', expect: { match: 'sequence', codes: ['I0', 'I99', 'I0'] } },
      { kind: 'response', request: 'timeline[19]', expect: { match: 'final', code: 'E19' } },
      { kind: 'response', request: 'opaque', expect: { match: 'final', code: 'X13' } },
    ]);
  });

  it('keeps the file order of the timeline', () => {
    expect(s.timeline.map((e) => e.kind)).toEqual((EVERY_KIND.timeline ?? []).map((e) => e.kind));
  });
});

describe('validateScenario: round trip through the file form', () => {
  const cases: [string, () => Promise<Scenario>][] = [
    ['a name only', () => Promise.resolve(valid({ name: 'tiny' }))],
    ['every kind', () => Promise.resolve(valid(EVERY_KIND))],
    ['small-solr.yaml', () => scenarioOf('scenarios/examples/small-solr.yaml')],
    ['escalation.json', () => scenarioOf('scenarios/examples/escalation.json')],
    ['faults.yaml', () => scenarioOf('scenarios/examples/faults.yaml')],
  ];

  it.each(cases)('%s: validating the written-back file gives the same scenario', async (_name, scenario) => {
    const s = await scenario();
    const file = scenarioToFile(s);
    expect(valid(file)).toEqual(s);
    // The file form is plain data: JSON carries it unchanged.
    expect(valid(JSON.parse(JSON.stringify(file)))).toEqual(s);
  });
});

async function scenarioOf(path: string): Promise<Scenario> {
  const r = await loadScenarioFile(path);
  if (!r.ok) throw new Error(`${path}: ${JSON.stringify(r.error)}`);
  return r.value;
}
