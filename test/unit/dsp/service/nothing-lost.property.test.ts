import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { eui64FromIndex, type Eui64 } from '../../../../core/ids.ts';
import { HOUR_MS, MINUTE_MS } from '../../../../core/time/duration.ts';
import { SRV_CATALOGUE } from '../../../../dsp/access/srv-catalogue.ts';
import { verifyChain } from '../../../../dsp/audit/service-audit-trail.ts';
import type { DspOutput } from '../../../../dsp/dsp-outputs.ts';
import { sampleWorld, SRP, SUPPLIER_A } from '../../../../dsp/sample-world.ts';
import type { DuisUser } from '../../../../dsp/user/duis-user.ts';
import type { HanResponse, ServiceRequest, ServiceRequestBody } from '../../../../proto/types.ts';
import { allowAdt, bodyFor, CREDIT, FAR, OPAQUE, PREPAYMENT, responses, solrReady } from './support.ts';

/**
 * Nothing lost (RELIABILITY §2, §4 oracles 1, 5, 6, 7): random streams of requests from mixed Users,
 * roles, SRVs and CVs, with resends, device responses for some commands and none for others,
 * releases, offline hubs and changes to the SoLR situation, then `due(far future)`. Afterwards every
 * accepted request has exactly one outcome, the ledger balances, the SAT has one request and one
 * outcome record per ledger record and its chain holds, and no RequestID was sent twice.
 */

const SRVS = ['1.6', '1.6', '1.6', '7.4', '4.3', '4.18', '2.2', '7.3', '7.1', '1.5', '8.2', '6.15.1'];

type Body = 'credit' | 'prepayment' | 'futureCredit' | 'srv' | 'opaque';

type Event =
  | {
      readonly kind: 'request';
      readonly user: number;
      readonly device: number;
      readonly srv: string;
      readonly cv: number;
      readonly body: Body;
    }
  | { readonly kind: 'critical'; readonly user: number; readonly device: number; readonly cv: 5 | 6 | 7; readonly body: Body }
  | { readonly kind: 'resend'; readonly which: number }
  | { readonly kind: 'respond'; readonly which: number; readonly outcome: 'success' | 'failure' }
  | { readonly kind: 'release'; readonly which: number }
  | { readonly kind: 'hub'; readonly premises: number; readonly online: boolean }
  | { readonly kind: 'adt'; readonly limit: number }
  | { readonly kind: 'failed'; readonly on: boolean };

/** Mostly supplier A (IS/GS) and the SRP, sometimes supplier B (not the registered supplier) and the network operator. */
const user = fc.constantFrom(0, 0, 0, 1, 2, 2, 3);
const body = fc.constantFrom<Body>('credit', 'credit', 'prepayment', 'futureCredit', 'srv', 'opaque');
const event: fc.Arbitrary<Event> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant('request' as const),
      user,
      device: fc.nat(4),
      srv: fc.oneof(
        { weight: 3, arbitrary: fc.constantFrom(...SRVS) },
        { weight: 1, arbitrary: fc.constantFrom(...SRV_CATALOGUE.map((e) => e.srv)) },
      ),
      cv: fc.oneof({ weight: 2, arbitrary: fc.constantFrom(1, 3) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: 8 }) }),
      body,
    }),
  },
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant('critical' as const),
      user,
      device: fc.nat(4),
      cv: fc.constantFrom(5 as const, 6 as const, 7 as const),
      body,
    }),
  },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('resend' as const), which: fc.nat() }) },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('respond' as const),
      which: fc.nat(),
      outcome: fc.constantFrom('success' as const, 'failure' as const),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('release' as const), which: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('hub' as const), premises: fc.nat(1), online: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('adt' as const), limit: fc.nat(3) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('failed' as const), on: fc.boolean() }) },
);
/**
 * The virtual time that passes before each event: mostly seconds, sometimes up to 90 s, so some ESME
 * deadlines (60 s) pass mid-stream, others are left for the final drain with the GSME ones (25 h).
 */
const gap = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: 0, max: 5_000 }) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 90_000 }) },
);
const stream = fc.array(fc.tuple(event, gap), { minLength: 1, maxLength: 40, size: 'max' });

function requestBody(b: Body, srv: string, at: number): ServiceRequestBody {
  if (b === 'opaque') return OPAQUE;
  if (srv !== '1.6' || b === 'srv') return bodyFor(srv);
  if (b === 'prepayment') return PREPAYMENT;
  if (b === 'futureCredit')
    return { kind: 'updatePaymentMode', updatePaymentMode: { kind: 'credit', credit: {}, executionDateTime: at + 30 * MINUTE_MS } };
  return CREDIT;
}

/** Runs a stream on a fresh world and checks the nothing-lost oracles. */
function run(events: readonly (readonly [Event, number])[]): void {
  const w = sampleWorld({ premises: 2, smets1: 1 });
  const t0 = w.start + HOUR_MS;
  solrReady(w, t0);
  const devices = [w.premises[0]!.esme, w.premises[0]!.gsme, w.premises[1]!.esme, w.premises[1]!.gsme];
  const missing: Eui64 = eui64FromIndex(0x00db9999, 1);
  const users: DuisUser[] = [w.supplierA, w.supplierB, w.srp, w.networkOperator];
  const submitted: { readonly sender: Eui64; readonly request: ServiceRequest }[] = [];
  const sent: Extract<DspOutput, { kind: 'command' }>[] = [];
  const all: DspOutput[] = [];
  let now = t0;
  let failed = true;

  const take = (out: DspOutput[]): DspOutput[] => {
    all.push(...out);
    for (const o of out) if (o.kind === 'command') sent.push(o);
    return out;
  };
  const submit = (user: DuisUser, r: ServiceRequest): DspOutput[] => {
    submitted.push({ sender: user.id, request: r });
    const out = take(w.dsp.submit(user.id, r, now));
    // One answer per request, to its sender. // RELIABILITY §2 item 2; §4 oracle 7
    const rs = out.filter((o) => o.kind === 'response');
    expect(rs).toHaveLength(1);
    expect(rs[0]!.to).toBe(user.id);
    return out;
  };
  const roleFor = (user: DuisUser, device: number): { role?: string } =>
    user.role === 'IS' && devices[device]?.type === 'GSME' ? { role: 'GS' } : {};

  for (const [e, gap] of events) {
    now += gap;
    take(w.dsp.due(now));
    switch (e.kind) {
      case 'request': {
        const user = users[e.user]!;
        const target = devices[e.device]?.id ?? missing;
        submit(user, user.request(target, e.srv, e.cv, requestBody(e.body, e.srv, now), roleFor(user, e.device)));
        break;
      }
      case 'critical': {
        const user = users[e.user]!;
        const target = devices[e.device]?.id ?? missing;
        const cv4 = user.request(target, '1.6', 4, requestBody(e.body, '1.6', now), roleFor(user, e.device));
        const pre = responses(submit(user, cv4))[0]?.preCommand;
        if (pre !== undefined && user !== w.networkOperator) submit(user, user.signedSend(cv4, pre, e.cv));
        break;
      }
      case 'resend': {
        const s = submitted[e.which % Math.max(1, submitted.length)];
        if (s !== undefined) take(w.dsp.submit(s.sender, s.request, now));
        break;
      }
      case 'respond': {
        const c = sent[e.which % Math.max(1, sent.length)];
        if (c === undefined) break;
        const base = { ref: c.requestId, command: c.command.kind };
        const response: HanResponse =
          e.outcome === 'success' ? { ...base, outcome: 'success' } : { ...base, outcome: 'failure', reason: 'not-supported' };
        const out = take(w.dsp.deviceResponse(c.hub, { commsHub: c.hub, device: c.device, response }, now));
        expect(out.filter((o) => o.kind === 'response').length).toBeLessThanOrEqual(1);
        break;
      }
      case 'release': {
        const held = w.dsp.adt.quarantined();
        const q = held[e.which % Math.max(1, held.length)];
        if (q !== undefined) take(w.dsp.release(q.user, q.reference, now));
        break;
      }
      case 'hub':
        w.dsp.hubOnline(w.premises[e.premises]!.hub, e.online);
        break;
      case 'adt':
        allowAdt(w.dsp, now, e.limit);
        break;
      case 'failed':
        if (e.on !== failed) w.dsp.admin.setFailedSupplier(SUPPLIER_A, e.on, now);
        failed = e.on;
        break;
    }
  }
  for (const p of w.premises) w.dsp.hubOnline(p.hub, true);
  take(w.dsp.due(now + FAR));

  // RELIABILITY §2 item 1: every accepted request ends in exactly one outcome; nothing in flight.
  expect(w.dsp.ledger.inFlight()).toEqual([]);
  expect(w.dsp.inFlight()).toEqual([]);
  const entries = w.dsp.ledger.entries();
  for (const entry of entries) expect(entry.state).toBe('settled');
  // Item 2: received = success + error + quarantined, overall and per sender.
  const totals = w.dsp.ledger.totals();
  expect(totals.received).toBe(entries.length);
  expect(totals.received).toBe(totals.success + totals.error + totals.quarantined);
  for (const c of w.dsp.ledger.counts().values()) expect(c.received).toBe(c.success + c.error + c.quarantined);

  // Item 5: one SAT request record and one outcome record per ledger record, by RequestID; the chain holds.
  const records = w.dsp.sat.records();
  expect(verifyChain(records, w.dsp.sat.head()).ok).toBe(true);
  const count = (kind: string): Map<string, number> => {
    const m = new Map<string, number>();
    for (const r of records) if (r.kind === kind) m.set(r.requestId ?? '', (m.get(r.requestId ?? '') ?? 0) + 1);
    return m;
  };
  const perLedger = new Map<string, number>();
  for (const entry of entries) perLedger.set(entry.key.requestId, (perLedger.get(entry.key.requestId) ?? 0) + 1);
  expect(count('request')).toEqual(perLedger);
  expect(count('outcome')).toEqual(perLedger);
  for (const r of records) if (r.kind === 'request' || r.kind === 'outcome') expect(r.requestId?.startsWith(`${r.sender}:`)).toBe(true);

  // Item 3 and item 4: no command without a request, no RequestID sent twice.
  const requestIds = new Set(submitted.map((s) => s.request.header.requestId));
  const perCommand = new Map<string, number>();
  for (const c of sent) {
    expect(requestIds.has(c.requestId)).toBe(true);
    perCommand.set(c.requestId, (perCommand.get(c.requestId) ?? 0) + 1);
  }
  for (const [requestId, n] of perCommand) expect(n, requestId).toBe(1);
  // Oracle 7: every response and DCC alert goes to the User whose RequestID it answers.
  for (const o of all) {
    if (o.kind === 'response') expect(o.response.requestId.startsWith(`${o.to}:`)).toBe(true);
    if (o.kind === 'dccAlert') expect(o.alert.requestId.startsWith(`${o.to}:`)).toBe(true);
  }
  expect(all.some((o) => o.kind === 'response' && o.to === SRP) || !submitted.some((s) => s.sender === SRP)).toBe(true);
}

describe('nothing lost (RELIABILITY §2)', () => {
  it('after any stream and a drain, the ledger is settled and balanced, the SAT matches it record for record, and nothing ran twice', () => {
    fc.assert(fc.property(stream, run), { numRuns: 150 });
  });

  it('a GSME command sent before an ESME command, neither answered: both end with E21, in time order', () => {
    const w = sampleWorld();
    const p = w.premises[0]!;
    const t = w.start + HOUR_MS;
    const read: ServiceRequestBody = { kind: 'readSupplyStatus', readSupplyStatus: {} };
    w.dsp.submit(SUPPLIER_A, w.supplierA.request(p.gsme.id, '7.4', 1, read, { role: 'GS' }), t);
    w.dsp.submit(SUPPLIER_A, w.supplierA.request(p.esme.id, '7.4', 1, read), t + 1);
    const out = w.dsp.due(t + 2 * 24 * HOUR_MS);
    expect(responses(out).map((r) => r.responseCode)).toEqual(['E21', 'E21']);
    expect(w.dsp.ledger.inFlight()).toEqual([]);
    const outcomes = w.dsp.sat.records().filter((r) => r.kind === 'outcome');
    expect(outcomes.map((r) => r.at)).toEqual([t + 1 + 60_000, t + 25 * HOUR_MS]);
    expect(verifyChain(w.dsp.sat.records(), w.dsp.sat.head()).ok).toBe(true);
  });

  it('a future-dated request refused at its execution time and an earlier device deadline, drained together, are settled in time order', () => {
    const w = sampleWorld({ smets1: 1 });
    const t = w.start + HOUR_MS;
    solrReady(w, t, { adtLimit: 10 });
    const meter = w.premises.at(-1)!.esme;
    const esme = w.premises[0]!.esme;
    const executeAt = t + 30 * MINUTE_MS;
    const future: ServiceRequestBody = {
      kind: 'updatePaymentMode',
      updatePaymentMode: { kind: 'credit', credit: {}, executionDateTime: executeAt },
    };
    expect(responses(w.dsp.submit(SRP, w.srp.request(meter.id, '1.6', 5, future), t)).map((r) => r.responseCode)).toEqual(['I99']);
    const read: ServiceRequestBody = { kind: 'readSupplyStatus', readSupplyStatus: {} };
    expect(responses(w.dsp.submit(SUPPLIER_A, w.supplierA.request(esme.id, '7.4', 1, read), t + 1)).map((r) => r.responseCode)).toEqual([
      'I99',
    ]);
    w.dsp.admin.setFailedSupplier(SUPPLIER_A, false, t + 2);
    const out = w.dsp.due(t + HOUR_MS);
    expect(responses(out).map((r) => [r.responseCode, r.requestId.split(':')[0]])).toEqual([
      ['E21', SUPPLIER_A],
      ['X6', SRP],
    ]);
    expect(w.dsp.ledger.inFlight()).toEqual([]);
    expect(verifyChain(w.dsp.sat.records(), w.dsp.sat.head()).ok).toBe(true);
  });
});
