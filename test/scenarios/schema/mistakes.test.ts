import { describe, expect, it } from 'vitest';
import { formatFieldError, type FieldError, type FieldErrorCode } from '../../../core/errors.ts';
import { TRANS_COS, SUPPLIER_B } from '../../../dsp/sample-world.ts';
import { MAX_ERRORS } from '../../../scenarios/schema/checker.ts';
import { validateScenario } from '../../../scenarios/schema/validate.ts';

/** A valid base; each case changes one thing. */
const BASE = { name: 'base', start: '2027-01-04T00:00:00Z', days: 28, estate: { premises: 100 } };
const request = {
  at: '+1d',
  kind: 'serviceRequest',
  user: 'srp',
  srv: '1.6',
  commandVariant: 4,
  target: { premises: 0, device: 'ESME' },
  body: { kind: 'updatePaymentMode', mode: 'credit' },
};

function errorsOf(raw: unknown): readonly FieldError[] {
  const r = validateScenario(raw);
  return r.ok ? [] : r.error;
}

const pathsAndCodes = (raw: unknown): { path: string; code: FieldErrorCode }[] =>
  errorsOf(raw).map((e) => ({ path: e.path, code: e.code }));

const timeline = (...events: unknown[]): Record<string, unknown> => ({ ...BASE, timeline: events });
const assertions = (...list: unknown[]): unknown => ({ ...BASE, timeline: [{ ...request, id: 'r1' }], assertions: list });

const CASES: [string, unknown, string, FieldErrorCode][] = [
  // top level
  ['no name', { estate: {} }, 'name', 'required'],
  ['a name that is a number', { name: 7 }, 'name', 'type'],
  ['a name of spaces', { name: '   ' }, 'name', 'format'],
  ['an unknown top-level field', { ...BASE, estaet: {} }, 'estaet', 'unknown-kind'],
  ['a start written as an offset', { ...BASE, start: '+1d' }, 'start', 'format'],
  ['a start without a zone', { ...BASE, start: '2027-01-12T09:00' }, 'start', 'format'],
  ['a start on 30 February', { ...BASE, start: '2027-02-30T00:00:00Z' }, 'start', 'range'],
  ['zero days', { ...BASE, days: 0 }, 'days', 'range'],
  ['a fraction of a day', { ...BASE, days: 1.5 }, 'days', 'type'],
  ['a huge number of days', { ...BASE, days: 1e308 }, 'days', 'range'],
  ['an empty seed', { ...BASE, seed: '' }, 'seed', 'format'],
  // estate
  ['a share above 1', { ...BASE, estate: { prepaymentShare: 1.5 } }, 'estate.prepaymentShare', 'range'],
  ['a share as a string', { ...BASE, estate: { smets1Share: '40%' } }, 'estate.smets1Share', 'type'],
  ['no premises', { ...BASE, estate: { premises: 0 } }, 'estate.premises', 'range'],
  ['NaN premises', { ...BASE, estate: { premises: NaN } }, 'estate.premises', 'type'],
  ['a misspelt estate field', { ...BASE, estate: { prepaymentShar: 0.4 } }, 'estate.prepaymentShar', 'unknown-kind'],
  ['a top-up of pounds and pence', { ...BASE, estate: { topUp: { amount: { min: 5.5 } } } }, 'estate.topUp.amount.min', 'format'],
  ['a balance finer than £0.00001', { ...BASE, estate: { startBalance: { min: 1.000001 } } }, 'estate.startBalance.min', 'format'],
  ['a balance in pence as a string', { ...BASE, estate: { startBalance: { min: '£5' } } }, 'estate.startBalance.min', 'type'],
  ['a minimum balance above the default maximum', { ...BASE, estate: { startBalance: { min: 40 } } }, 'estate.startBalance.min', 'order'],
  [
    'a maximum top-up below the default minimum',
    { ...BASE, estate: { topUp: { amount: { max: 5 } } } },
    'estate.topUp.amount.max',
    'order',
  ],
  ['channels that do not sum to 1', { ...BASE, estate: { topUp: { channels: { meter: 1 } } } }, 'estate.topUp.channels', 'range'],
  ['an unknown CSP region', { ...BASE, estate: { cspRegions: 'Mars' } }, 'estate.cspRegions', 'unknown-kind'],
  ['region shares that do not sum to 1', { ...BASE, estate: { cspRegions: { North: 0.5 } } }, 'estate.cspRegions', 'range'],
  ['a region key with a space', { ...BASE, estate: { cspRegions: { '4G Nort': 1 } } }, 'estate.cspRegions["4G Nort"]', 'unknown-kind'],
  ['kWh in Wh', { ...BASE, estate: { consumption: { electricityKwhPerDay: 7500 } } }, 'estate.consumption.electricityKwhPerDay', 'range'],
  [
    'a log-normal sigma too wide',
    { ...BASE, estate: { enable: { afterExternalArmHours: { sigma: 9 } } } },
    'estate.enable.afterExternalArmHours.sigma',
    'range',
  ],
  // parties
  ['two parties with one id', { ...BASE, parties: { solr: { id: 'failed' } } }, 'parties.solr.id', 'format'],
  ['an id with a space', { ...BASE, parties: { srp: { id: 'the srp' } } }, 'parties.srp.id', 'format'],
  ['a malformed EUI-64', { ...BASE, parties: { srp: { eui64: '90-B3-D5' } } }, 'parties.srp.eui64', 'format'],
  ['an EUI-64 the DCC holds', { ...BASE, parties: { srp: { eui64: TRANS_COS } } }, 'parties.srp.eui64', 'format'],
  [
    'two parties with one EUI-64',
    { ...BASE, parties: { suppliers: [{ id: 'rival', eui64: SUPPLIER_B }] } },
    'parties.suppliers[0].eui64',
    'format',
  ],
  ['a lower-case MPID', { ...BASE, parties: { failedSupplier: { mpid: 'supa' } } }, 'parties.failedSupplier.mpid', 'format'],
  [
    'two suppliers with one MPID',
    { ...BASE, parties: { suppliers: [{ id: 'rival', mpid: 'SUPA' }] } },
    'parties.suppliers[0].mpid',
    'format',
  ],
  ['a supplier without an id', { ...BASE, parties: { suppliers: [{ mpid: 'RIVL' }] } }, 'parties.suppliers[0].id', 'required'],
  ['a supplier in a network operator role', { ...BASE, parties: { solr: { roles: ['ED'] } } }, 'parties.solr.roles[0]', 'unknown-kind'],
  ['a User without roles', { ...BASE, parties: { users: [{ id: 'dno' }] } }, 'parties.users[0].roles', 'required'],
  ['a User with an empty role list', { ...BASE, parties: { users: [{ id: 'dno', roles: [] }] } }, 'parties.users[0].roles', 'required'],
  [
    'a User of an unknown type',
    { ...BASE, parties: { users: [{ id: 'dno', type: 'Regulator', roles: ['OU'] }] } },
    'parties.users[0].type',
    'unknown-kind',
  ],
  ['an SRP with an MPID', { ...BASE, parties: { srp: { mpid: 'SRPS' } } }, 'parties.srp.mpid', 'unknown-kind'],
  // policy
  ['an unknown policy', { ...BASE, policy: 'mp134c' }, 'policy', 'unknown-kind'],
  ['a policy object without a name', { ...BASE, policy: { delayRevocationDays: 3 } }, 'policy.name', 'required'],
  [
    'a lever policy none does not have',
    { ...BASE, policy: { name: 'none', delayRevocationDays: 3 } },
    'policy.delayRevocationDays',
    'unknown-kind',
  ],
  [
    'an MPID delay without MP185',
    { ...BASE, policy: { name: 'mp134a', delayMpidTransferDays: 3 } },
    'policy.delayMpidTransferDays',
    'unknown-kind',
  ],
  ['a negative delay', { ...BASE, policy: { name: 'mp134a', delayRevocationDays: -1 } }, 'policy.delayRevocationDays', 'range'],
  [
    'an SRV the DSP does not know',
    { ...BASE, policy: { name: 'mp134b', solrContingencySrvs: ['1.6', '99.9'] } },
    'policy.solrContingencySrvs[1]',
    'unknown-kind',
  ],
  ['an SRV unquoted in YAML', { ...BASE, policy: { name: 'mp134b', solrContingencySrvs: [1.6] } }, 'policy.solrContingencySrvs[0]', 'type'],
  ['an SRV twice', { ...BASE, policy: { name: 'mp134b', solrContingencySrvs: ['1.6', '1.6'] } }, 'policy.solrContingencySrvs[1]', 'format'],
  [
    'a role code that is a matrix role',
    { ...BASE, policy: { name: 'mp134b', solrContingencyRoleCode: 'IS' } },
    'policy.solrContingencyRoleCode',
    'format',
  ],
  [
    'an unknown refusal code',
    { ...BASE, policy: { name: 'mp134b', afterMpidTransferCode: 'E5' } },
    'policy.afterMpidTransferCode',
    'unknown-kind',
  ],
  // timeline
  ['a timeline that is not a list', { ...BASE, timeline: { at: '+1d' } }, 'timeline', 'type'],
  ['an event without a time', timeline({ kind: 'licenceRevoked' }), 'timeline[0].at', 'required'],
  ['an event after the run', timeline({ at: '+28d', kind: 'licenceRevoked' }), 'timeline[0].at', 'range'],
  ['an event before the run', timeline({ at: '2027-01-03T23:59:59Z', kind: 'licenceRevoked' }), 'timeline[0].at', 'range'],
  ['an offset in an unknown unit', timeline({ at: '+1w', kind: 'licenceRevoked' }), 'timeline[0].at', 'format'],
  ['an offset far beyond the run', timeline({ at: '+999999999d', kind: 'licenceRevoked' }), 'timeline[0].at', 'range'],
  ['a time as a number', timeline({ at: 86_400_000, kind: 'licenceRevoked' }), 'timeline[0].at', 'type'],
  ['an event without a kind', timeline({ at: '+1d' }), 'timeline[0].kind', 'required'],
  ['an unknown kind', timeline({ at: '+1d', kind: 'licenseRevoked' }), 'timeline[0].kind', 'unknown-kind'],
  ['a field of another kind', timeline({ at: '+1d', kind: 'licenceRevoked', duration: '1h' }), 'timeline[0].duration', 'unknown-kind'],
  ['an event that is a string', timeline('licenceRevoked'), 'timeline[0]', 'type'],
  ['an unknown party', timeline({ at: '+1d', kind: 'licenceRevoked', supplier: 'smal' }), 'timeline[0].supplier', 'unknown-kind'],
  [
    'an SRP where a supplier is due',
    timeline({ at: '+1d', kind: 'licenceRevoked', supplier: 'srp' }),
    'timeline[0].supplier',
    'unknown-kind',
  ],
  ['a supplier where an SRP is due', timeline({ at: '+1d', kind: 'srpSwitchToCredit', srp: 'solr' }), 'timeline[0].srp', 'unknown-kind'],
  ['a SoLR that is the failed supplier', timeline({ at: '+1d', kind: 'solrAppointed', solr: 'failed' }), 'timeline[0].solr', 'format'],
  ['a Change of Supplier to itself', timeline({ at: '+1d', kind: 'changeOfSupplier', to: 'failed' }), 'timeline[0].to', 'format'],
  [
    'a revocation delay under policy none',
    { ...timeline({ at: '+1d', kind: 'licenceRevoked', certificatesRevoked: '+5d' }), policy: 'none' },
    'timeline[0].certificatesRevoked',
    'range',
  ],
  [
    'an MPID delay under MP134A',
    { ...timeline({ at: '+1d', kind: 'solrAppointed', mpidsTransferred: '+5d' }), policy: 'mp134a' },
    'timeline[0].mpidsTransferred',
    'range',
  ],
  [
    'certificates revoked before the licence',
    timeline({ at: '+2d', kind: 'licenceRevoked', certificatesRevoked: '+1d' }),
    'timeline[0].certificatesRevoked',
    'order',
  ],
  [
    'an SRP appointment that ends before it starts',
    timeline({ at: '+2d', kind: 'srpAppointed', until: '+1d' }),
    'timeline[0].until',
    'order',
  ],
  ['a fault without a duration', timeline({ at: '+1d', kind: 'dspOutage' }), 'timeline[0].duration', 'required'],
  ['a negative duration', timeline({ at: '+1d', kind: 'wanOutage', duration: '-1h' }), 'timeline[0].duration', 'format'],
  ['a zero-length fault', timeline({ at: '+1d', kind: 'hubPowerLoss', duration: '0s' }), 'timeline[0].duration', 'range'],
  ['a duration in hours as a number', timeline({ at: '+1d', kind: 'dspOutage', duration: 6 }), 'timeline[0].duration', 'type'],
  [
    'a WAN outage in a region the estate lacks',
    timeline({ at: '+1d', kind: 'wanOutage', region: '4G North', duration: '1h' }),
    'timeline[0].region',
    'unknown-kind',
  ],
  [
    'a loss probability above 1',
    timeline({ at: '+1d', kind: 'messageLoss', link: 'ch-1', drop: 2, duration: '1h' }),
    'timeline[0].drop',
    'range',
  ],
  [
    'a malformed topic filter',
    timeline({ at: '+1d', kind: 'messageLoss', link: { topic: 'smets/#/x' }, duration: '1h' }),
    'timeline[0].link.topic',
    'format',
  ],
  ['no fuels', timeline({ at: '+1d', kind: 'srpSwitchToCredit', fuels: [] }), 'timeline[0].fuels', 'required'],
  ['a fuel twice', timeline({ at: '+1d', kind: 'srpSwitchToCredit', fuels: ['gas', 'gas'] }), 'timeline[0].fuels[1]', 'format'],
  ['a batch of no meters', timeline({ at: '+1d', kind: 'srpSwitchToCredit', batchSize: 0 }), 'timeline[0].batchSize', 'range'],
  [
    'an unknown vending channel',
    timeline({ at: '+1d', kind: 'vendingStops', channels: ['shop'] }),
    'timeline[0].channels[0]',
    'unknown-kind',
  ],
  ['an ADT file without thresholds', timeline({ at: '+1d', kind: 'adtUpload' }), 'timeline[0].thresholds', 'required'],
  [
    'an ADT threshold below zero',
    timeline({ at: '+1d', kind: 'adtUpload', thresholds: [{ srv: '1.6', limit: -1 }] }),
    'timeline[0].thresholds[0].limit',
    'range',
  ],
  [
    'an ADT period over 31 days',
    timeline({ at: '+1d', kind: 'adtUpload', thresholds: [{ srv: '1.6', limit: 1, period: '32d' }] }),
    'timeline[0].thresholds[0].period',
    'range',
  ],
  ['a User status without a User', timeline({ at: '+1d', kind: 'userStatus', status: 'suspended' }), 'timeline[0].user', 'required'],
  [
    'two instructions with one reference',
    timeline({ at: '+1d', kind: 'authorityInstruction', reference: 'A' }, { at: '+2d', kind: 'authorityInstruction', reference: 'A' }),
    'timeline[1].reference',
    'format',
  ],
  [
    'withdrawing an unknown instruction',
    timeline({ at: '+1d', kind: 'instructionWithdrawn', reference: 'A' }),
    'timeline[0].reference',
    'unknown-kind',
  ],
  [
    'withdrawing before the instruction',
    timeline({ at: '+2d', kind: 'authorityInstruction', reference: 'A' }, { at: '+1d', kind: 'instructionWithdrawn', reference: 'A' }),
    'timeline[1].at',
    'order',
  ],
  // service requests and consumer actions
  ['a request without a User', timeline({ ...request, user: undefined }), 'timeline[0].user', 'required'],
  ['an SRV as a number', timeline({ ...request, srv: 1.6 }), 'timeline[0].srv', 'type'],
  ['an SRV with a leading zero', timeline({ ...request, srv: '1.06' }), 'timeline[0].srv', 'format'],
  ['a Command Variant of 100', timeline({ ...request, commandVariant: 100 }), 'timeline[0].commandVariant', 'range'],
  ['a signed send after CV 1', timeline({ ...request, commandVariant: 1, signedSend: 5 }), 'timeline[0].signedSend', 'format'],
  ['a signed send with CV 4', timeline({ ...request, signedSend: 4 }), 'timeline[0].signedSend', 'unknown-kind'],
  ['an unknown role', timeline({ ...request, role: 'SRP' }), 'timeline[0].role', 'unknown-kind'],
  ['a premises beyond the estate', timeline({ ...request, target: { premises: 100 } }), 'timeline[0].target.premises', 'range'],
  [
    'a target named two ways',
    timeline({ ...request, target: { premises: 1, eui64: '00-DB-12-00-00-00-00-01' } }),
    'timeline[0].target',
    'format',
  ],
  ['an unknown device type', timeline({ ...request, target: { premises: 1, device: 'IHD' } }), 'timeline[0].target.device', 'unknown-kind'],
  ['a request without a body', timeline({ ...request, body: undefined }), 'timeline[0].body', 'required'],
  [
    'an unknown body kind',
    timeline({ ...request, body: { kind: 'updatePaymentmode', mode: 'credit' } }),
    'timeline[0].body.kind',
    'unknown-kind',
  ],
  [
    'a prepayment field on a credit body',
    timeline({ ...request, body: { kind: 'updatePaymentMode', mode: 'credit', disablementThreshold: 0 } }),
    'timeline[0].body.disablementThreshold',
    'unknown-kind',
  ],
  [
    'an execution time before the request',
    timeline({ ...request, body: { kind: 'updatePaymentMode', mode: 'credit', executionAt: '+12h' } }),
    'timeline[0].body.executionAt',
    'order',
  ],
  [
    'a top-up a UTRN cannot carry',
    timeline({ ...request, srv: '2.2', commandVariant: 1, body: { kind: 'topUpDevice', amount: 100.5 } }),
    'timeline[0].body.amount',
    'format',
  ],
  ['odd hex', timeline({ ...request, body: { kind: 'opaque', hex: 'abc' } }), 'timeline[0].body.hex', 'format'],
  ['an unknown response code', timeline({ ...request, expect: 'E44' }), 'timeline[0].expect', 'unknown-kind'],
  ['an empty expected sequence', timeline({ ...request, expect: [] }), 'timeline[0].expect', 'required'],
  ['two requests with one id', timeline({ ...request, id: 'r' }, { ...request, id: 'r' }), 'timeline[1].id', 'format'],
  ['a consumer at premises -1', timeline({ at: '+1d', kind: 'consumerEnable', premises: -1 }), 'timeline[0].premises', 'range'],
  ['a consumer top-up of nothing', timeline({ at: '+1d', kind: 'consumerTopUp', premises: 1, amount: 0 }), 'timeline[0].amount', 'range'],
  [
    'a consumer on an unknown fuel',
    timeline({ at: '+1d', kind: 'consumerEnable', premises: 1, fuel: 'oil' }),
    'timeline[0].fuel',
    'unknown-kind',
  ],
  // assertions
  [
    'an assertion on an unknown request',
    assertions({ kind: 'response', request: 'r2', code: 'E4' }),
    'assertions[0].request',
    'unknown-kind',
  ],
  ['both code and codes', assertions({ kind: 'response', request: 'r1', code: 'E4', codes: ['E4'] }), 'assertions[0]', 'format'],
  ['codes that are not a list', assertions({ kind: 'response', request: 'r1', codes: 'E4' }), 'assertions[0].codes', 'type'],
  ['a device state with nothing to check', assertions({ kind: 'deviceState', at: '+2d', premises: 1 }), 'assertions[0]', 'required'],
  [
    'a device state after the run',
    assertions({ kind: 'deviceState', at: '+29d', premises: 1, supply: 'Enabled' }),
    'assertions[0].at',
    'range',
  ],
  [
    'an unknown supply state',
    assertions({ kind: 'deviceState', at: '+2d', premises: 1, supply: 'On' }),
    'assertions[0].supply',
    'unknown-kind',
  ],
  ['a share bound above 1', assertions({ kind: 'stateShare', at: '+2d', paymentMode: 'Credit', min: 1.2 }), 'assertions[0].min', 'range'],
  [
    'share bounds the wrong way round',
    assertions({ kind: 'stateShare', at: '+2d', paymentMode: 'Credit', min: 0.8, max: 0.2 }),
    'assertions[0].min',
    'order',
  ],
  ['an outcome without bounds', assertions({ kind: 'outcome', metric: 'consumersOffSupply' }), 'assertions[0].min', 'required'],
  ['an unknown metric', assertions({ kind: 'outcome', metric: 'consumersOff', max: 1 }), 'assertions[0].metric', 'unknown-kind'],
  ['an unknown assertion kind', assertions({ kind: 'responses', request: 'r1', code: 'E4' }), 'assertions[0].kind', 'unknown-kind'],
];

describe('validateScenario: each kind of mistake', () => {
  it('accepts the base every case starts from', () => {
    expect(errorsOf(BASE)).toEqual([]);
    expect(errorsOf(timeline(request))).toEqual([]);
    expect(errorsOf(assertions({ kind: 'response', request: 'r1', code: 'E4' }))).toEqual([]);
  });

  it.each(CASES.map(([what, raw, path, code]) => [what, path, code, raw] as const))('%s → %s %s', (_what, path, code, raw) => {
    expect(pathsAndCodes(raw)).toContainEqual({ path, code });
  });
});

describe('validateScenario: how errors read', () => {
  it('reports every mistake, not only the first', () => {
    const raw = { ...BASE, days: 0, estate: { prepaymentShare: 2 }, policy: 'nope', timeline: [{ at: 'soon', kind: 'licenceRevoked' }] };
    expect(pathsAndCodes(raw)).toEqual([
      { path: 'days', code: 'range' },
      { path: 'estate.prepaymentShare', code: 'range' },
      { path: 'policy', code: 'unknown-kind' },
      { path: 'timeline[0].at', code: 'format' },
    ]);
  });

  it('names the near miss of an unknown field, kind or name', () => {
    const expected = (raw: unknown): string[] => errorsOf(raw).map((e) => e.expected);
    expect(expected({ ...BASE, estate: { prepaymentShar: 0.4 } })).toEqual(['a known field (did you mean "prepaymentShare"?)']);
    expect(expected({ ...BASE, policy: 'MP134B' })[0]).toContain('(did you mean "mp134b"?)');
    expect(expected(timeline({ at: '+1d', kind: 'licenseRevoked' }))[0]).toContain('(did you mean "licenceRevoked"?)');
    expect(expected(timeline({ at: '+1d', kind: 'licenceRevoked', supplier: 'faild' }))[0]).toContain('(did you mean "failed"?)');
    // Far from every known field: the list of fields instead.
    expect(expected({ ...BASE, zzz: 1 })[0]).toMatch(/^one of the fields name, description, seed/);
  });

  it('prints as path, code, what was expected and what was found', () => {
    const [e] = errorsOf({ ...BASE, estate: { prepaymentShare: 1.5 } });
    expect(e !== undefined && formatFieldError(e)).toBe('estate.prepaymentShare: range — expected a share 0..1, got 1.5');
    const [t] = errorsOf(timeline({ at: '+40d', kind: 'licenceRevoked' }));
    expect(t !== undefined && formatFieldError(t)).toBe(
      'timeline[0].at: range — expected a time within the run, 2027-01-04T00:00:00Z up to (not including) 2027-02-01T00:00:00Z, got "+40d"',
    );
  });

  it('lists at most MAX_ERRORS errors and says how many there were', () => {
    const many = Array.from({ length: 300 }, () => ({ at: 'never', kind: 'licenceRevoked' }));
    const errors = errorsOf(timeline(...many));
    expect(errors).toHaveLength(MAX_ERRORS + 1);
    expect(errors.at(-1)).toMatchObject({ path: 'scenario', code: 'too-many', got: '300' });
  });

  it('reports a reference once when the parties section itself is wrong', () => {
    const raw = {
      ...BASE,
      parties: { failedSupplier: { id: 'bad id' } },
      timeline: [{ at: '+1d', kind: 'licenceRevoked', supplier: 'small' }],
    };
    expect(pathsAndCodes(raw)).toEqual([{ path: 'parties.failedSupplier.id', code: 'format' }]);
  });
});

describe('validateScenario: one mistake, one error', () => {
  it('does not check premises indices against an estate that is itself wrong', () => {
    const raw = { ...BASE, estate: 'big', timeline: [{ at: '+1d', kind: 'consumerEnable', premises: 5000 }] };
    expect(pathsAndCodes(raw)).toEqual([{ path: 'estate', code: 'type' }]);
  });

  it('does not check times against a run whose length is wrong', () => {
    expect(pathsAndCodes(timeline({ at: '+40d', kind: 'licenceRevoked' }, { at: '+1d', kind: 'solrAppointed' }))).toEqual([
      { path: 'timeline[0].at', code: 'range' },
    ]);
    expect(pathsAndCodes({ ...(timeline({ at: '+40d', kind: 'licenceRevoked' }) as object), days: 'many' })).toEqual([
      { path: 'days', code: 'type' },
    ]);
  });
});
