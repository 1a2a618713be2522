import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatRequestId, toRequestId, type Eui64, type RequestId } from '../../../../core/ids.ts';
import { unwrap } from '../../../../core/result.ts';
import { phaseOf, type Phase } from '../../../../dsp/ledger/phase.ts';
import { RequestLedger, type LedgerKey, type Outcome, type RequestInfo } from '../../../../dsp/ledger/request-ledger.ts';

const SUPPLIER = '90-B3-D5-1F-30-01-00-00' as Eui64;
const SRP = '90-B3-D5-1F-30-05-00-00' as Eui64;
const ESME = '00-DB-12-34-56-78-90-A0' as Eui64;
const T0 = Date.UTC(2026, 2, 1);

const rid = (originator: Eui64, counter: bigint): RequestId => formatRequestId({ originator, target: ESME, counter });
const info = (commandVariant: number, businessOriginator: Eui64 = SUPPLIER): RequestInfo => ({
  role: 'IS',
  businessOriginator,
  srv: '1.6',
  commandVariant,
});
const OK: Outcome = { kind: 'success', code: 'I0' };

describe('phaseOf // DOMAIN §4.2', () => {
  it('CV 4 is the transform, every other Command Variant a send', () => {
    expect(phaseOf(4)).toBe('transform');
    for (const cv of [1, 2, 3, 5, 6, 7, 8, 9]) expect(phaseOf(cv)).toBe('send');
  });

  it('refuses Command Variants outside 1..9 as a bug', () => {
    for (const cv of [0, 10, -1, 4.5, NaN]) expect(() => phaseOf(cv)).toThrow(RangeError);
  });
});

describe('RequestLedger // RELIABILITY §2', () => {
  it('opens an accepted request and settles it once', () => {
    const ledger = new RequestLedger();
    const key: LedgerKey = { sender: SUPPLIER, requestId: rid(SUPPLIER, 1n), phase: 'send' };
    const opened = unwrap(ledger.open(key, T0, info(1)));
    expect(opened.state).toBe('open');
    expect(ledger.inFlight()).toEqual([key]);
    expect(ledger.counts().get(SUPPLIER)).toEqual({ received: 1, success: 0, error: 0, quarantined: 0, inFlight: 1 });

    const settled = ledger.settle(key, OK, T0 + 10);
    expect(settled).toMatchObject({ state: 'settled', outcome: OK, settledAt: T0 + 10, openedAt: T0 });
    expect(ledger.get(key)).toEqual(settled);
    expect(ledger.inFlight()).toEqual([]);
    expect(ledger.counts().get(SUPPLIER)).toEqual({ received: 1, success: 1, error: 0, quarantined: 0, inFlight: 0 });
  });

  it('refuses to open a key that is open or settled, and hands back the record to answer the resend // RELIABILITY §2 item 4', () => {
    const ledger = new RequestLedger();
    const key: LedgerKey = { sender: SUPPLIER, requestId: rid(SUPPLIER, 1n), phase: 'send' };
    unwrap(ledger.open(key, T0, info(1)));
    const again = ledger.open(key, T0 + 1, info(1));
    expect(again.ok).toBe(false);
    if (!again.ok) expect(again.error).toMatchObject({ kind: 'already-open', existing: { state: 'open', openedAt: T0 } });

    ledger.settle(key, { kind: 'error', code: 'E19', reason: 'no such device' }, T0 + 2);
    const late = ledger.open(key, T0 + 3, info(1));
    expect(late.ok).toBe(false);
    if (!late.ok && late.error.kind === 'already-settled')
      expect(late.error.existing).toMatchObject({ outcome: { kind: 'error', code: 'E19' } });
    else expect.fail('expected already-settled');
    expect(ledger.counts().get(SUPPLIER)?.received).toBe(1);
  });

  it('throws when settling an unknown key, settling twice, or settling before opening: pipeline bugs', () => {
    const ledger = new RequestLedger();
    const key: LedgerKey = { sender: SUPPLIER, requestId: rid(SUPPLIER, 1n), phase: 'send' };
    expect(() => ledger.settle(key, OK, T0)).toThrow(/never opened/);
    unwrap(ledger.open(key, T0, info(1)));
    expect(() => ledger.settle(key, OK, T0 - 1)).toThrow(RangeError);
    ledger.settle(key, OK, T0);
    expect(() => ledger.settle(key, OK, T0)).toThrow(/already settled/);
    expect(ledger.totals()).toEqual({ received: 1, success: 1, error: 0, quarantined: 0, inFlight: 0 });
  });

  it('records a critical request twice under one RequestID: the CV 4 transform and the CV 5 send // DOMAIN §4.3', () => {
    const ledger = new RequestLedger();
    const requestId = rid(SUPPLIER, 1002n);
    const transform: LedgerKey = { sender: SUPPLIER, requestId, phase: phaseOf(4) };
    const send: LedgerKey = { sender: SUPPLIER, requestId, phase: phaseOf(5) };
    unwrap(ledger.open(transform, T0, info(4)));
    ledger.settle(transform, OK, T0); // the pre-command is the synchronous answer
    unwrap(ledger.open(send, T0 + 1000, info(5)));
    expect(ledger.inFlight()).toEqual([send]);
    ledger.settle(send, OK, T0 + 5000);
    expect(ledger.counts().get(SUPPLIER)).toEqual({ received: 2, success: 2, error: 0, quarantined: 0, inFlight: 0 });
    expect(ledger.entries().map((e) => e.key.phase)).toEqual(['transform', 'send']);
  });

  it('keys on the authenticated sender, not the Business Originator // MP134B req 7', () => {
    const ledger = new RequestLedger();
    const requestId = rid(SRP, 7n);
    unwrap(ledger.open({ sender: SRP, requestId, phase: 'send' }, T0, { ...info(5, SUPPLIER), role: 'SoLRContingency' }));
    expect([...ledger.counts().keys()]).toEqual([SRP]);
    expect(ledger.get({ sender: SUPPLIER, requestId, phase: 'send' })).toBeUndefined();
    expect(ledger.get({ sender: SRP, requestId, phase: 'send' })?.info.businessOriginator).toBe(SUPPLIER);
  });

  it('treats RequestIDs that differ only in leading zeros as one key, once canonical // DOMAIN §4.1', () => {
    const ledger = new RequestLedger();
    const a = unwrap(toRequestId(`${SUPPLIER}:${ESME}:007`, 'requestId'));
    const b = unwrap(toRequestId(`${SUPPLIER}:${ESME}:7`, 'requestId'));
    unwrap(ledger.open({ sender: SUPPLIER, requestId: a, phase: 'send' }, T0, info(1)));
    expect(ledger.open({ sender: SUPPLIER, requestId: b, phase: 'send' }, T0, info(1)).ok).toBe(false);
  });

  it('opens a released request as a new record linked to its quarantine // RELIABILITY §2 item 1', () => {
    const ledger = new RequestLedger();
    const key: LedgerKey = { sender: SRP, requestId: rid(SRP, 9n), phase: 'send' };
    const reference = '00000000000000000001';
    unwrap(ledger.open(key, T0, info(1)));

    // Not quarantined (yet): no release can link to it.
    const early = ledger.open({ ...key, release: reference }, T0, info(1));
    expect(!early.ok && early.error.kind).toBe('release-unlinked');

    ledger.settle(key, { kind: 'quarantined', reference }, T0);
    expect(ledger.open({ ...key, release: '00000000000000000002' }, T0 + 1, info(1)).ok).toBe(false);
    const released = unwrap(ledger.open({ ...key, release: reference }, T0 + 1, info(1)));
    expect(released.key.release).toBe(reference);
    expect(ledger.get(key)).toMatchObject({ outcome: { kind: 'quarantined', reference } }); // quarantine stays terminal
    ledger.settle(released.key, OK, T0 + 2);
    expect(ledger.counts().get(SRP)).toEqual({ received: 2, success: 1, error: 0, quarantined: 1, inFlight: 0 });
  });

  it('returns frozen records, so the ledger cannot be edited from outside', () => {
    const ledger = new RequestLedger();
    const e = unwrap(ledger.open({ sender: SUPPLIER, requestId: rid(SUPPLIER, 1n), phase: 'send' }, T0, info(1)));
    expect(Object.isFrozen(e)).toBe(true);
    expect(Object.isFrozen(e.key)).toBe(true);
    expect(Object.isFrozen(e.info)).toBe(true);
  });
});

describe('RequestLedger properties // RELIABILITY §2 items 1–2', () => {
  const senders = [SUPPLIER, SRP, '90-B3-D5-1F-30-03-00-00' as Eui64];
  const phases: Phase[] = ['transform', 'send'];
  const outcomeArb: fc.Arbitrary<Outcome> = fc.oneof(
    fc.constant<Outcome>(OK),
    fc.constant<Outcome>({ kind: 'error', code: 'E20', reason: 'no comms' }),
    fc.integer({ min: 1, max: 99 }).map((n): Outcome => ({ kind: 'quarantined', reference: String(n).padStart(20, '0') })),
  );
  const opArb = fc.oneof(
    fc.record({ op: fc.constant('open' as const), sender: fc.nat(2), counter: fc.nat(20), phase: fc.nat(1) }),
    fc.record({ op: fc.constant('settle' as const), pick: fc.nat(), outcome: outcomeArb }),
  );

  it('random open/settle streams keep received = success + error + quarantined + inFlight, with one outcome per record', () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 200 }), (ops) => {
        const ledger = new RequestLedger();
        const opened = new Set<string>();
        const settled = new Set<string>();
        let at = T0;
        for (const o of ops) {
          at += 1;
          if (o.op === 'open') {
            const sender = senders[o.sender]!;
            const key: LedgerKey = { sender, requestId: rid(sender, BigInt(o.counter)), phase: phases[o.phase]! };
            const id = `${sender}/${key.requestId}/${key.phase}`;
            const r = ledger.open(key, at, info(1));
            expect(r.ok).toBe(!opened.has(id)); // a key opens once, ever
            opened.add(id);
          } else {
            const open = ledger.inFlight();
            if (open.length === 0) continue;
            const key = open[o.pick % open.length]!;
            ledger.settle(key, o.outcome, at);
            settled.add(`${key.sender}/${key.requestId}/${key.phase}`);
            expect(() => ledger.settle(key, o.outcome, at)).toThrow();
          }
          let inFlight = 0;
          for (const c of ledger.counts().values()) {
            expect(c.received).toBe(c.success + c.error + c.quarantined + c.inFlight);
            inFlight += c.inFlight;
          }
          expect(ledger.inFlight().length).toBe(inFlight);
          expect(ledger.totals().received).toBe(opened.size);
          expect(ledger.totals().inFlight).toBe(opened.size - settled.size);
        }
        // Drain: settle what is left; nothing stays in flight.
        for (const key of ledger.inFlight()) ledger.settle(key, OK, at);
        const t = ledger.totals();
        expect(t.inFlight).toBe(0);
        expect(t.received).toBe(t.success + t.error + t.quarantined);
        expect(ledger.entries().every((e) => e.state === 'settled')).toBe(true);
      }),
    );
  });
});
