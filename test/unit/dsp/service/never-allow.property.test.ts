import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { eui64FromIndex, type Eui64 } from '../../../../core/ids.ts';
import { unwrap } from '../../../../core/result.ts';
import { DAY_MS, HOUR_MS, SECOND_MS } from '../../../../core/time/duration.ts';
import { SRV_CATALOGUE, type SrvEntry } from '../../../../dsp/access/srv-catalogue.ts';
import type { DspOutput } from '../../../../dsp/dsp-outputs.ts';
import { sampleWorld, SRP, SUPPLIER_A, SUPPLIER_B, type SampleWorld } from '../../../../dsp/sample-world.ts';
import { verifyReference } from '../../../../dsp/smki/signature.ts';
import { decodePreCommand, encodePreCommand } from '../../../../proto/signed-content.ts';
import type { HanCommand, ServiceRequest, ServiceRequestBody } from '../../../../proto/types.ts';
import { CREDIT, isCreditCommand, OPAQUE, PREPAYMENT, responses, signedSendWith, signerOf, srpOwnSigning } from './support.ts';

/**
 * "Never allow" (RELIABILITY §4 oracle 4; §3.3 SA01–SA10, SA15) and a differential test against an
 * independent reference (oracle 2). Each run is a world in time: the failed-supplier list switched on
 * and off, Authority instructions given and withdrawn, ADT files uploaded with random limits, the SoLR
 * appointed with or without a delayed MPID transfer, the licence revoked, time jumping by seconds,
 * hours or days past the 90-day window — and between them the SRP's requests in the SoLR Contingency
 * role, with random SRVs, CVs 1–8, bodies, target devices and signing keys, and releases of what was
 * quarantined.
 */

// ---- The generated world ----

/** SRVs the SoLR Contingency list may be extended with, of several kinds: critical, non-critical, gas-only, non-device. */
const EXTENSIONS = ['7.3', '7.1', '2.2', '4.3', '4.1.4', '8.2'];
/** SRVs requests are drawn from most often; any SRV of the catalogue can also come up. */
const LIKELY_SRVS = ['1.6', '1.6', '1.6', '1.6', ...EXTENSIONS];

/** `futureCredit`: Credit with an execution time two hours on (SMETS1: the DSP holds it until then). */
type BodyChoice = 'credit' | 'futureCredit' | 'prepayment' | 'native' | 'opaque' | 'signed';
/** How far ahead a future-dated request is to be executed. */
const FUTURE_MS = 2 * HOUR_MS;
type Signer = 'failedSupplier' | 'srpOwn' | 'otherSupplier';

interface Request {
  readonly kind: 'request';
  readonly srv: string;
  readonly cv: number;
  /** 0 SMETS2 ESME, 1 SMETS2 GSME, 2 SMETS1 ESME, 3 not in the inventory. */
  readonly device: number;
  readonly body: BodyChoice;
  /** For a signed body: what the CV 4 before it asked for. */
  readonly content: Exclude<BodyChoice, 'signed' | 'futureCredit'>;
  /** For a signed body: the DSP's Pre-Command, or one the SRP made itself (saying Prepayment). */
  readonly tampered: boolean;
  readonly signer: Signer;
  readonly xmlSigned: boolean;
}

type Step =
  | Request
  | { readonly kind: 'failed'; readonly on: boolean }
  | { readonly kind: 'instruction'; readonly on: boolean }
  | { readonly kind: 'adt'; readonly limits: readonly (number | null)[] }
  | { readonly kind: 'solr'; readonly delayDays: number | null }
  | { readonly kind: 'revoke' }
  | { readonly kind: 'suspend'; readonly on: boolean }
  | { readonly kind: 'release'; readonly which: number };

interface Scenario {
  readonly extensions: readonly string[];
  readonly roleInForce: boolean;
  readonly afterMpidTransferCode: 'E4' | 'X6';
  readonly appointed: boolean;
  readonly failed: boolean;
  readonly instructed: boolean;
  /** An ADT file for 1.6 uploaded at the start, with this limit; null: none (the default of zero). */
  readonly initialAdt: number | null;
  readonly steps: readonly (readonly [Step, number])[];
}

const srv = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...LIKELY_SRVS) },
  { weight: 1, arbitrary: fc.constantFrom(...SRV_CATALOGUE.map((e) => e.srv)) },
);
const chance = (p: number): fc.Arbitrary<boolean> =>
  fc.oneof({ weight: 100 - p, arbitrary: fc.constant(false) }, { weight: p, arbitrary: fc.constant(true) });
const common = {
  kind: fc.constant('request' as const),
  content: fc.constantFrom<Request['content']>('credit', 'credit', 'credit', 'prepayment', 'native', 'opaque'),
  tampered: chance(15),
  signer: fc.constantFrom<Signer>('failedSupplier', 'failedSupplier', 'failedSupplier', 'srpOwn', 'otherSupplier'),
  xmlSigned: chance(95),
};
/**
 * Three shapes of request: the SMETS2 critical flow (CV 4, then the signed Pre-Command under CV 5–7),
 * a SMETS1 request carrying its body, and anything at all.
 */
const request: fc.Arbitrary<Request> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      ...common,
      srv: fc.oneof({ weight: 3, arbitrary: fc.constant('1.6') }, { weight: 1, arbitrary: srv }),
      cv: fc.integer({ min: 5, max: 7 }),
      device: fc.constantFrom(0, 0, 0, 1, 1, 2, 3),
      body: fc.constant<BodyChoice>('signed'),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      ...common,
      srv: fc.oneof({ weight: 3, arbitrary: fc.constant('1.6') }, { weight: 1, arbitrary: srv }),
      cv: fc.integer({ min: 4, max: 7 }),
      device: fc.constant(2),
      body: fc.constantFrom<BodyChoice>('credit', 'credit', 'futureCredit', 'futureCredit', 'prepayment', 'native', 'opaque'),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      ...common,
      srv,
      cv: fc.integer({ min: 1, max: 8 }),
      device: fc.nat(3),
      body: fc.constantFrom<BodyChoice>('signed', 'credit', 'futureCredit', 'prepayment', 'native', 'opaque'),
    }),
  },
);

const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 12, arbitrary: request },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('failed' as const), on: chance(70) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('instruction' as const), on: chance(70) }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('adt' as const),
      limits: fc.array(fc.option(fc.nat(5), { nil: null, freq: 3 }), {
        minLength: 1 + EXTENSIONS.length,
        maxLength: 1 + EXTENSIONS.length,
      }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('solr' as const),
      // No delay, a short one, or one beyond the 90-day window (MP185).
      delayDays: fc.oneof(fc.constant(null), fc.nat(10), fc.integer({ min: 91, max: 200 })),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ kind: 'revoke' as const }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('suspend' as const), on: chance(30) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('release' as const), which: fc.nat() }) },
);

/** Time before a step: mostly seconds, sometimes hours (ADT windows roll over), sometimes days (the 90-day window closes). */
const gap = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 0, max: 10 * SECOND_MS }) },
  { weight: 2, arbitrary: fc.integer({ min: HOUR_MS, max: 12 * HOUR_MS }) },
  { weight: 2, arbitrary: fc.integer({ min: DAY_MS, max: 40 * DAY_MS }) },
);

const scenario: fc.Arbitrary<Scenario> = fc.record({
  extensions: fc.subarray(EXTENSIONS),
  roleInForce: chance(95),
  afterMpidTransferCode: fc.constantFrom('E4' as const, 'X6' as const),
  appointed: chance(95),
  failed: chance(80),
  instructed: chance(80),
  initialAdt: fc.oneof({ weight: 3, arbitrary: fc.integer({ min: 1, max: 5 }) }, { weight: 1, arbitrary: fc.constant(null) }),
  steps: fc.array(fc.tuple(step, gap), { minLength: 1, maxLength: 40, size: 'max' }),
});

// ---- The reference: the rules, written again from the sources, without dsp/pipeline ----

const ENTRIES: ReadonlyMap<string, SrvEntry> = new Map(SRV_CATALOGUE.map((e) => [e.srv, e]));
/** The SRV each modelled body belongs to. // DOMAIN §4.10 */
const SRV_OF_BODY: Readonly<Record<string, string>> = {
  updatePaymentMode: '1.6',
  topUpDevice: '2.2',
  readInstantaneousPrepayValues: '4.3',
  readMeterBalance: '4.18',
  enableSupply: '7.1',
  disableSupply: '7.2',
  armSupply: '7.3',
  readSupplyStatus: '7.4',
};
const NATIVE_BODY: Readonly<Record<string, ServiceRequestBody>> = {
  '2.2': { kind: 'topUpDevice', topUpDevice: { utrn: '12345678901234567890' } },
  '4.3': { kind: 'readInstantaneousPrepayValues', readInstantaneousPrepayValues: {} },
  '4.18': { kind: 'readMeterBalance', readMeterBalance: {} },
  '7.1': { kind: 'enableSupply', enableSupply: {} },
  '7.2': { kind: 'disableSupply', disableSupply: {} },
  '7.3': { kind: 'armSupply', armSupply: {} },
  '7.4': { kind: 'readSupplyStatus', readSupplyStatus: {} },
};

interface DeviceInfo {
  readonly type: 'ESME' | 'GSME';
  readonly smets1: boolean;
}
const DEVICES: readonly (DeviceInfo | undefined)[] = [
  { type: 'ESME', smets1: false },
  { type: 'GSME', smets1: false },
  { type: 'ESME', smets1: true },
  undefined,
];

/** The device types an SRV applies to, from its GBCS use cases (ECS electricity, GCS gas, CS both, PCS PPMID, DBCH/CCS hub). // DOMAIN §4.9 */
function appliesTo(e: SrvEntry, type: string): boolean {
  const types = new Set<string>();
  for (const u of e.useCases) {
    if (u.startsWith('ECS')) types.add('ESME');
    else if (u.startsWith('GCS')) types.add('GSME');
    else if (u.startsWith('PCS')) types.add('PPMID');
    else if (u.startsWith('DBCH') || u.startsWith('CCS')) types.add('CHF');
    else if (u.startsWith('CS')) types.add('ESME').add('GSME');
  }
  return types.size === 0 || types.has(type);
}

function bodyOf(choice: Exclude<BodyChoice, 'signed'>, srv: string, at: number): ServiceRequestBody {
  if (choice === 'credit') return CREDIT;
  if (choice === 'futureCredit') {
    return { kind: 'updatePaymentMode', updatePaymentMode: { kind: 'credit', credit: {}, executionDateTime: at + FUTURE_MS } };
  }
  if (choice === 'prepayment') return PREPAYMENT;
  if (choice === 'native') return NATIVE_BODY[srv] ?? OPAQUE;
  return OPAQUE;
}

/** What the world is at an instant, as the test set it up: the reference's only inputs besides the request. */
class Model {
  failed: boolean;
  instruction: boolean;
  /** The SRP is an active User (not suspended). */
  active = true;
  solrAt: number | undefined;
  transferAt: number | undefined;
  adt = new Map<string, number>();
  readonly admitted = new Map<string, number[]>();
  readonly held = new Map<string, { readonly request: Request; readonly at: number }>();
  readonly list: ReadonlySet<string>;
  /** Whether the last `expected` reached anomaly detection and was admitted by it. */
  admittedByAdt = false;

  readonly s: Scenario;

  constructor(s: Scenario) {
    this.s = s;
    this.failed = s.failed;
    this.instruction = s.instructed;
    this.list = new Set(['1.6', ...s.extensions]);
  }

  /** The failed supplier still owns the device's MPID at `at` (MP185: it moves to the SoLR at the transfer). */
  ownedByFailedSupplier(at: number): boolean {
    return this.transferAt === undefined || at < this.transferAt;
  }

  /** The SoLR Contingency gates at `at`: failed list (or MPIDs moved), SRP arrangement and window, Authority instruction. // MP134B req 6; MP185 */
  gates(at: number): string | undefined {
    if (!this.ownedByFailedSupplier(at)) return this.failed ? this.s.afterMpidTransferCode : 'X6';
    if (!this.failed) return 'X6';
    if (!this.s.appointed) return 'E4';
    if (this.solrAt !== undefined && at >= this.solrAt + 90 * DAY_MS) return 'X8';
    if (!this.instruction) return 'X7';
    return undefined;
  }

  /** Whether the ADT lets one more `srv` request through at `at`: at most `limit` in any 24 h, zero without a file. // MP134B req 4 */
  adtAdmits(srv: string, at: number, count: boolean): boolean {
    const times = (this.admitted.get(srv) ?? []).filter((x) => x > at - DAY_MS);
    this.admitted.set(srv, times);
    const ok = times.length < (this.adt.get(srv) ?? 0);
    if (ok && count) times.push(at);
    return ok;
  }

  /**
   * The response code for one request of the SRP in the SoLR Contingency role at `at`, in the order of
   * DOMAIN §4.8 as the DSP applies it. `transformed`: for a signed body, whether its CV 4 was transformed.
   */
  expected(r: Request, at: number, transformed: boolean): string {
    this.admittedByAdt = false;
    const e = ENTRIES.get(r.srv);
    const signed = r.body === 'signed';
    const body = signed ? undefined : bodyOf(r.body, r.srv, at);
    // The request can be read: a body that belongs to its SRV.
    if (body !== undefined && body.kind !== 'opaque' && SRV_OF_BODY[body.kind] !== r.srv) return 'X1';
    if (!r.xmlSigned) return 'X2';
    if (!this.s.roleInForce) return 'E1';
    if (!this.active) return 'E3';
    if (e === undefined) return 'X11';
    if (!this.list.has(r.srv)) return 'E2';
    if (!e.commandVariants.includes(r.cv as never)) return 'E12';
    const d = DEVICES[r.device];
    if (!e.nonDevice) {
      if (d === undefined) return 'E19';
      if (!appliesTo(e, d.type)) return 'E11';
      if (d.smets1) {
        if (r.cv === 4) return 'E12';
        if (signed) return 'X1';
      } else if (e.critical && r.cv !== 4 && !signed) return 'X1';
      else if (signed && (!e.critical || r.cv === 4)) return 'X1';
      const gate = this.gates(at);
      if (gate !== undefined) return gate;
    }
    if (e.nonDevice) return 'X13';
    if (signed) {
      if (!transformed || r.tampered) return 'X4';
    } else if (body?.kind === 'opaque') return 'X13';
    // The content the device would execute: a signed Pre-Command carries what its CV 4 asked for, which was Credit.
    const credit = signed || (body?.kind === 'updatePaymentMode' && body.updatePaymentMode.kind === 'credit');
    if (!credit) return 'X5';
    if (signed && r.signer !== 'failedSupplier') return 'X2';
    if (r.cv === 4) return 'I0';
    if (!this.adtAdmits(r.srv, at, true)) return 'X9';
    this.admittedByAdt = true;
    // A future-dated request is acknowledged and held; the rules apply again when it is due.
    if (r.body === 'futureCredit') return 'I99';
    return r.cv === 2 || r.cv === 6 ? 'I0' : 'I99';
  }

  /** The code for a held request at its execution time `at`: the User's status and the gates, checked again. // RELIABILITY SA05, F15 */
  executed(r: Request, at: number): string {
    if (!this.active) return 'E3';
    return this.gates(at) ?? (r.cv === 2 || r.cv === 6 ? 'I0' : 'I99');
  }
}

// ---- Running a scenario ----

interface Sent {
  readonly command: Extract<DspOutput, { kind: 'command' }>;
  readonly srv: string;
  readonly at: number;
  readonly via: 'submit' | 'release' | 'due';
  /** The model at that instant. */
  readonly gate: string | undefined;
  readonly active: boolean;
  readonly adtAdmitted: boolean;
}

interface Decision {
  readonly what: string;
  readonly expected: string | null;
  readonly actual: string | null;
}

/** Runs a scenario; returns every command sent for the SRP and every decision with the reference's code. */
function play(s: Scenario): { readonly sent: Sent[]; readonly decisions: Decision[]; readonly w: SampleWorld } {
  const w = sampleWorld({
    premises: 2,
    smets1: 1,
    config: {
      solrContingencySrvs: ['1.6', ...s.extensions],
      solrContingencyRole: s.roleInForce,
      afterMpidTransferCode: s.afterMpidTransferCode,
    },
  });
  const model = new Model(s);
  const targets: Eui64[] = [w.premises[0]!.esme.id, w.premises[0]!.gsme.id, w.premises[1]!.esme.id, eui64FromIndex(0x00db9999, 7)];
  const signers = {
    failedSupplier: signerOf(w.supplierASigning),
    srpOwn: signerOf(srpOwnSigning(w)),
    otherSupplier: signerOf(w.supplierBSigning),
  };
  const sent: Sent[] = [];
  const decisions: Decision[] = [];
  let now = w.start + HOUR_MS;
  let instructions = 0;
  let revoked = false;
  if (s.appointed) w.dsp.admin.appointSrp(SRP, SUPPLIER_A, now);
  if (s.failed) w.dsp.admin.setFailedSupplier(SUPPLIER_A, true, now);
  if (s.instructed) w.dsp.admin.instruct(`AUTH-${++instructions}`, SUPPLIER_A, SRP, now);
  if (s.initialAdt !== null) {
    expect(w.dsp.admin.uploadAdt({ user: SRP, role: 'SoLRContingency', thresholds: [{ srv: '1.6', limit: s.initialAdt }] }, now).ok).toBe(
      true,
    );
    model.adt = new Map([['1.6', s.initialAdt]]);
  }

  const submit = (r: ServiceRequest, req: Request, transformed: boolean, what: string): DspOutput[] => {
    const expected = model.expected(req, now, transformed);
    const out = w.dsp.submit(SRP, r, now);
    const rs = responses(out);
    decisions.push({ what, expected, actual: rs.length === 1 ? rs[0]!.responseCode : `${rs.length} responses` });
    for (const o of out) {
      if (o.kind === 'command')
        sent.push({
          command: o,
          srv: req.srv,
          at: now,
          via: 'submit',
          gate: model.gates(now),
          active: model.active,
          adtAdmitted: model.admittedByAdt,
        });
    }
    if (req.body === 'futureCredit' && expected === 'I99' && rs[0]?.responseCode === 'I99')
      held.set(r.header.requestId, { request: req, at: now + FUTURE_MS });
    if (rs[0]?.responseCode === 'X9') {
      const q = w.dsp.adt.quarantined(SRP).at(-1);
      if (q !== undefined) model.held.set(q.reference, { request: req, at: now });
    }
    return out;
  };

  /** Future-dated requests the DSP holds, by RequestID, with their execution time. */
  const held = new Map<string, { readonly request: Request; readonly at: number }>();
  /** What is due by `now`: held requests reach their execution time (checked against the reference), device deadlines pass (E21). */
  const drain = (): void => {
    const executed = new Map<string, { readonly request: Request; readonly at: number; readonly gate: string | undefined }>();
    for (const o of w.dsp.due(now)) {
      if (o.kind === 'response') {
        const h = held.get(o.response.requestId);
        if (h === undefined) {
          decisions.push({ what: `deadline of ${o.response.requestId}`, expected: 'E21', actual: o.response.responseCode });
          continue;
        }
        held.delete(o.response.requestId);
        executed.set(o.response.requestId, { ...h, gate: model.gates(h.at) });
        decisions.push({
          what: `execution of ${h.request.srv} CV ${h.request.cv} at +${h.at - w.start}`,
          expected: model.executed(h.request, h.at),
          actual: o.response.responseCode,
        });
      }
      if (o.kind === 'command') {
        const e = executed.get(o.requestId);
        // A command out of `due` that is no held request's is a failure of the never-allow property.
        sent.push({
          command: o,
          srv: e?.request.srv ?? '',
          at: e?.at ?? now,
          via: 'due',
          gate: e === undefined ? 'not held' : e.gate,
          active: model.active,
          adtAdmitted: true,
        });
      }
    }
  };

  for (const [st, dt] of s.steps) {
    now += dt;
    drain();
    switch (st.kind) {
      case 'request': {
        const what = `${st.srv} CV ${st.cv} ${st.body}${st.body === 'signed' ? `(${st.content}, ${st.signer}${st.tampered ? ', tampered' : ''})` : ''} device ${st.device}${st.xmlSigned ? '' : ' unsigned'} at +${now - w.start}`;
        const target = targets[st.device]!;
        if (st.body !== 'signed') {
          const r = w.srp.request(target, st.srv, st.cv, bodyOf(st.body, st.srv, now));
          submit(st.xmlSigned ? r : unsign(r), st, false, what);
          break;
        }
        const prelude: Request = { ...st, cv: 4, body: st.content, xmlSigned: true };
        const cv4 = w.srp.request(target, st.srv, 4, bodyOf(st.content, st.srv, now));
        let bytes: Uint8Array | undefined;
        let transformed = false;
        if (st.cv >= 5 && st.cv <= 7) {
          const out = submit(cv4, prelude, false, `CV 4 before ${what}`);
          bytes = responses(out)[0]?.preCommand;
          transformed = bytes !== undefined;
        }
        if (bytes === undefined || st.tampered) bytes = prepaymentPreCommand(cv4, target, bytes);
        const r = signedSendWith(w.srp, cv4, bytes, st.cv, signers[st.signer]);
        submit(st.xmlSigned ? r : unsign(r), st, transformed, what);
        break;
      }
      case 'failed':
        w.dsp.admin.setFailedSupplier(SUPPLIER_A, st.on, now);
        model.failed = st.on;
        break;
      case 'instruction':
        if (st.on && !model.instruction) w.dsp.admin.instruct(`AUTH-${++instructions}`, SUPPLIER_A, SRP, now);
        if (!st.on && model.instruction) w.dsp.admin.withdrawInstruction(`AUTH-${instructions}`, now);
        model.instruction = st.on;
        break;
      case 'adt': {
        const srvs = ['1.6', ...EXTENSIONS];
        const thresholds = srvs.flatMap((srv, i) => {
          const limit = st.limits[i];
          return limit === null || limit === undefined ? [] : [{ srv, limit, periodMs: DAY_MS }];
        });
        expect(w.dsp.admin.uploadAdt({ user: SRP, role: 'SoLRContingency', thresholds }, now).ok).toBe(true);
        model.adt = new Map(thresholds.map((t) => [t.srv, t.limit]));
        break;
      }
      case 'solr':
        if (model.solrAt !== undefined) break;
        w.dsp.admin.appointSolr(
          SUPPLIER_A,
          SUPPLIER_B,
          now,
          st.delayDays === null ? {} : { delayTransferUntil: now + st.delayDays * DAY_MS },
        );
        model.solrAt = now;
        model.transferAt = now + (st.delayDays ?? 0) * DAY_MS;
        break;
      case 'suspend':
        w.dsp.admin.setUserStatus(SRP, st.on ? 'suspended' : 'active', now);
        model.active = !st.on;
        break;
      case 'revoke':
        if (!revoked) w.dsp.admin.revokeLicence(SUPPLIER_A, now);
        revoked = true;
        break;
      case 'release': {
        const refs = [...model.held.keys()];
        const reference = refs[st.which % Math.max(1, refs.length)];
        if (reference === undefined) break;
        const h = model.held.get(reference)!;
        const live = now < h.at + DAY_MS;
        // Released (or refused) once; an expired hold stays unreleasable.
        if (live) model.held.delete(reference);
        const gate = model.gates(now);
        const expected = !live ? null : !model.active ? 'E3' : (gate ?? (h.request.cv === 2 || h.request.cv === 6 ? 'I0' : 'I99'));
        const out = w.dsp.release(SRP, reference, now);
        const rs = responses(out);
        decisions.push({
          what: `release ${reference} of ${h.request.srv} CV ${h.request.cv} at +${now - w.start}`,
          expected,
          actual: rs[0]?.responseCode ?? null,
        });
        for (const o of out)
          if (o.kind === 'command')
            sent.push({ command: o, srv: h.request.srv, at: now, via: 'release', gate, active: model.active, adtAdmitted: true });
        break;
      }
    }
  }
  now += 3 * DAY_MS;
  drain();
  return { sent, decisions, w };
}

function unsign(r: ServiceRequest): ServiceRequest {
  const { xmlSignature: _dropped, ...rest } = r;
  return rest;
}

/** A Pre-Command the SRP made itself: the DSP's, or one like it, saying Prepayment. // RELIABILITY SA03 */
function prepaymentPreCommand(cv4: ServiceRequest, target: Eui64, transformed: Uint8Array | undefined): Uint8Array {
  const prepayment: HanCommand = {
    now: 0,
    kind: 'modeSet',
    modeSet: { kind: 'prepayment', prepayment: { disablementThreshold: 0, suspendDebtDisabled: false, suspendDebtEmergency: false } },
  };
  const base =
    transformed === undefined
      ? {
          requestId: cv4.header.requestId,
          remoteParty: SUPPLIER_A,
          device: target,
          counter: BigInt(cv4.header.requestId.split(':')[2] ?? '0'),
          serviceReferenceVariant: cv4.header.serviceReferenceVariant,
        }
      : unwrap(decodePreCommand(transformed));
  return encodePreCommand({ ...base, command: prepayment });
}

/** A scenario that goes through every rule, run first by both properties so each code comes up whatever the seed. */
const flow = (extra: Partial<Request> = {}): Request => ({
  kind: 'request',
  srv: '1.6',
  cv: 5,
  device: 0,
  body: 'signed',
  content: 'credit',
  tampered: false,
  signer: 'failedSupplier',
  xmlSigned: true,
  ...extra,
});
const TOUR: Scenario = {
  extensions: ['7.1', '4.1.4', '8.2'],
  roleInForce: true,
  afterMpidTransferCode: 'E4',
  appointed: true,
  failed: true,
  instructed: true,
  initialAdt: 2,
  steps: [
    [flow(), 0],
    [flow({ cv: 6, device: 1 }), SECOND_MS],
    [flow({ cv: 7 }), SECOND_MS],
    [flow(), SECOND_MS],
    [{ kind: 'release', which: 0 }, SECOND_MS],
    [flow({ signer: 'srpOwn' }), SECOND_MS],
    [flow({ tampered: true }), SECOND_MS],
    [flow({ content: 'prepayment' }), SECOND_MS],
    [flow({ srv: '7.1', cv: 4, device: 1, body: 'native' }), SECOND_MS],
    [flow({ srv: '8.2', cv: 8, body: 'opaque' }), SECOND_MS],
    [flow({ srv: '4.3', cv: 1, body: 'native' }), SECOND_MS],
    [flow({ cv: 1, body: 'credit' }), SECOND_MS],
    [flow({ device: 3 }), SECOND_MS],
    [flow({ srv: '7.1', body: 'credit', cv: 4 }), SECOND_MS],
    [flow({ xmlSigned: false }), SECOND_MS],
    [flow({ device: 2, body: 'credit' }), SECOND_MS],
    [{ kind: 'instruction', on: false }, SECOND_MS],
    [flow(), SECOND_MS],
    [{ kind: 'instruction', on: true }, SECOND_MS],
    [{ kind: 'failed', on: false }, SECOND_MS],
    [flow(), SECOND_MS],
    [{ kind: 'failed', on: true }, SECOND_MS],
    [{ kind: 'suspend', on: true }, SECOND_MS],
    [flow(), SECOND_MS],
    [{ kind: 'release', which: 0 }, SECOND_MS],
    [{ kind: 'suspend', on: false }, SECOND_MS],
    [{ kind: 'adt', limits: [10, null, null, null, null, null, null] }, SECOND_MS],
    [flow({ device: 2, body: 'futureCredit' }), SECOND_MS],
    [flow({ device: 2, body: 'futureCredit', cv: 6 }), SECOND_MS],
    [{ kind: 'instruction', on: false }, HOUR_MS],
    [{ kind: 'instruction', on: true }, 2 * HOUR_MS],
    [flow({ device: 2, body: 'futureCredit' }), SECOND_MS],
    [{ kind: 'solr', delayDays: 120 }, DAY_MS],
    [flow(), 91 * DAY_MS],
    [flow(), 30 * DAY_MS],
  ],
};
/** The same start without MP134B: the role is not in force. */
const TOUR_WITHOUT_ROLE: Scenario = { ...TOUR, roleInForce: false, steps: TOUR.steps.slice(0, 2) };

describe('the SoLR Contingency role: never allow (RELIABILITY §4 oracle 4)', () => {
  it('a command goes out for an SC request only if its SRV is listed, its content is Credit, the supplier is failed, an instruction stands, the window is open, the SRP is active and the ADT (or a release) lets it', () => {
    let commands = 0;
    let requests = 0;
    fc.assert(
      fc.property(scenario, (s) => {
        const { sent, decisions, w } = play(s);
        requests += decisions.length;
        const list = new Set(['1.6', ...s.extensions]);
        const failedKey = w.smki.find(SUPPLIER_A, 'digitalSigning')!.publicKey;
        for (const c of sent) {
          commands++;
          expect(s.roleInForce).toBe(true);
          expect(list.has(c.srv)).toBe(true);
          expect(isCreditCommand(c.command.command)).toBe(true);
          // The device's supplier at that instant is the failed one, on the list, and every gate is open.
          expect(w.registry.responsibleSupplier(w.registry.device(c.command.device)!, c.at)).toBe(SUPPLIER_A);
          expect(w.registry.isFailed(SUPPLIER_A, c.at)).toBe(true);
          expect(c.gate).toBeUndefined();
          expect(c.active).toBe(true);
          expect(c.adtAdmitted).toBe(true);
          // A signed command carries a Pre-Command signed with the failed supplier's key, never the SRP's own. // MP134B req 2
          const a = c.command.command.authorisation;
          if (a !== undefined) expect(verifyReference(failedKey, a.preCommand, a.signature)).toBe('valid');
        }
        // Exactly once: no RequestID sent twice.
        expect(new Set(sent.map((c) => c.command.requestId)).size).toBe(sent.length);
      }),
      { numRuns: 200, examples: [[TOUR], [TOUR_WITHOUT_ROLE]] },
    );
    // The runs reached the allow side too: the property is not true only because nothing was ever sent.
    expect(commands).toBeGreaterThan(20);
    expect(requests).toBeGreaterThan(2000);
  });

  it('the DSP agrees with an independent reference of the rules, code for code, on every generated request and release', () => {
    const seen = new Map<string, number>();
    fc.assert(
      fc.property(scenario, (s) => {
        const { decisions } = play(s);
        for (const d of decisions) {
          expect(d.actual, d.what).toBe(d.expected);
          if (d.actual !== null) seen.set(d.actual, (seen.get(d.actual) ?? 0) + 1);
        }
      }),
      { numRuns: 200, examples: [[TOUR], [TOUR_WITHOUT_ROLE]] },
    );
    // Every rule was exercised: each code the reference can give came up.
    for (const code of ['I0', 'I99', 'X1', 'X2', 'X4', 'X5', 'X6', 'X7', 'X8', 'X9', 'X13', 'E1', 'E2', 'E3', 'E4', 'E11', 'E12', 'E19']) {
      expect(seen.get(code) ?? 0, code).toBeGreaterThan(0);
    }
  });

  it('a tour through every rule gets, step by step, the code the rules give', () => {
    const all = play(TOUR).decisions;
    expect(all.map((d) => d.actual)).toEqual(all.map((d) => d.expected));
    // Device deadlines (E21) aside.
    const decisions = all.filter((d) => !d.what.startsWith('deadline'));
    // CV 4 and its send are two decisions; a release is one.
    expect(decisions.map((d) => d.actual)).toEqual([
      ...['I0', 'I99'], // Credit, signed with the failed supplier's key: sent
      ...['I0', 'I0'], // CV 6: returned for local delivery
      ...['I0', 'X9'], // the ADT file allows two a day: quarantined
      ...['I0', 'X9'],
      'I99', // the first quarantined one released: sent
      ...['I0', 'X2'], // signed with a key the SRP owns
      ...['I0', 'X4'], // a Pre-Command of the SRP's own making
      ...['X5', 'X4'], // Prepayment: no Pre-Command, so nothing to sign
      'E11', // 7.1 (listed) to a gas meter
      'X13', // a non-device SRV
      'E2', // not on the list
      'E12', // 1.6 takes CV 4–7 only
      ...['E19', 'E19'], // no such device
      'X1', // a Credit body for 7.1
      ...['I0', 'X2'], // no XML signature
      'X9', // SMETS1, the body itself: still over the ADT limit
      ...['X7', 'X7'], // instruction withdrawn
      ...['X6', 'X6'], // off the failed list
      ...['E3', 'E3'], // the SRP suspended
      'E3', // and what it holds cannot be released
      ...['I99', 'I99'], // SMETS1, future-dated: held
      ...['X7', 'X7'], // the instruction was withdrawn before their execution time
      ...['I99', 'I99'], // held, and sent at its execution time
      ...['X8', 'X8'], // 91 days after the SoLR date, the MPIDs not yet moved
      ...['E4', 'E4'], // the MPIDs have moved to the SoLR
    ]);
    expect(play(TOUR_WITHOUT_ROLE).decisions.map((d) => d.actual)).toEqual(['E1', 'E1', 'E1', 'E1']);
  });
});
