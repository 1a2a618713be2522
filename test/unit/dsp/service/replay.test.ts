import { describe, expect, it } from 'vitest';
import { eui64FromIndex, type Eui64 } from '../../../../core/ids.ts';
import { unwrap } from '../../../../core/result.ts';
import { HOUR_MS } from '../../../../core/time/duration.ts';
import type { DspOutput } from '../../../../dsp/dsp-outputs.ts';
import { sampleWorld, SRP, SUPPLIER_A } from '../../../../dsp/sample-world.ts';
import { malleateSignature } from '../../../../dsp/smki/signature.ts';
import type { DuisUser } from '../../../../dsp/user/duis-user.ts';
import { decodeEnvelope, encodeEnvelope } from '../../../../proto/codec.ts';
import type { ServiceRequest, ServiceRequestBody } from '../../../../proto/types.ts';
import { codes, commands, critical, CREDIT, dccAlerts, onlyCode, responses, solrReady } from './support.ts';

/** Replay (RELIABILITY §3.6): a RequestID runs at most once, whatever is resent, malleated or replayed. */

const READ_STATUS: ServiceRequestBody = { kind: 'readSupplyStatus', readSupplyStatus: {} };

function world() {
  const w = sampleWorld();
  const t = w.start + HOUR_MS;
  return { w, t, esme: w.premises[0]!.esme, other: w.premises[1]!.esme };
}

/** `r` with its RequestID (and the header parties) replaced by `requestId`, signed again by `user`. */
function withRequestId(user: DuisUser, r: ServiceRequest, requestId: string): ServiceRequest {
  return user.sign({ ...r, header: { ...r.header, requestId } });
}

/** `r` with a malleated XML signature (r, n − s): the same content, other signature bytes. */
function malleated(r: ServiceRequest): ServiceRequest {
  const sig = r.xmlSignature!;
  return { ...r, xmlSignature: { certificateSerial: sig.certificateSerial, signature: malleateSignature(sig.signature) } };
}

describe('replay (RELIABILITY §3.6)', () => {
  it('SR01: an exact resend is not executed again, gets the answer the original has, and counts as a duplicate', () => {
    const { w, t, esme } = world();
    const r = w.supplierA.request(esme.id, '7.4', 1, READ_STATUS);
    const first = w.dsp.submit(SUPPLIER_A, r, t);
    expect(codes(first)).toEqual(['I99']);
    expect(commands(first)).toHaveLength(1);
    const satLength = w.dsp.sat.length;

    // While the device has not answered: the acknowledgement again, nothing sent.
    const again = w.dsp.submit(SUPPLIER_A, r, t + 1);
    expect(codes(again)).toEqual(['I99']);
    expect(responses(again)[0]!.body).toEqual({ duplicate: 'true' });
    expect(commands(again)).toEqual([]);

    // Once answered: the outcome again.
    w.dsp.deviceResponse(
      esme.commsHub,
      { commsHub: esme.commsHub, device: esme.id, response: { ref: r.header.requestId, command: 'readSupplyStatus', outcome: 'success' } },
      t + 2,
    );
    const late = w.dsp.submit(SUPPLIER_A, r, t + 3);
    expect(codes(late)).toEqual(['I0']);
    expect(commands(late)).toEqual([]);
    expect(w.dsp.stats).toMatchObject({ duplicates: 2, replays: 0 });
    expect(w.dsp.ledger.totals()).toMatchObject({ received: 1, success: 1, inFlight: 0 });
    // The device response added one outcome record; the resends added none.
    expect(w.dsp.sat.length).toBe(satLength + 1);
  });

  it('SR01: a resend of a refused, a quarantined or a transformed request gets the same answer again', () => {
    const { w, t, esme } = world();
    solrReady(w, t);
    const missing: Eui64 = eui64FromIndex(0x00db9999, 1);
    const refused = w.supplierA.request(missing, '7.4', 1, READ_STATUS);
    const r1 = w.dsp.submit(SUPPLIER_A, refused, t);
    expect(codes(r1)).toEqual(['E19']);
    expect(w.dsp.submit(SUPPLIER_A, refused, t + 1)).toEqual(r1);

    const q = critical(w.dsp, w.srp, esme.id, CREDIT, t + 2);
    expect(codes(q.send!)).toEqual(['X9']);
    const again = w.dsp.submit(SRP, q.signed!, t + 3);
    expect(codes(again)).toEqual(['X9']);
    // A duplicate is no second quarantine: no second alert, nothing held twice.
    expect(dccAlerts(again)).toEqual([]);
    expect(w.dsp.adt.quarantined(SRP)).toHaveLength(1);

    const transformAgain = w.dsp.submit(SRP, q.cv4, t + 4);
    expect(codes(transformAgain)).toEqual(['I0']);
    expect(responses(transformAgain)[0]!.preCommand).toEqual(responses(q.transform)[0]!.preCommand);
    expect(w.dsp.stats).toMatchObject({ duplicates: 3, replays: 0 });
    expect(w.dsp.ledger.totals().received).toBe(3);
  });

  it('SR02: a counter lower than or equal to the last one is X10 and not executed', () => {
    const { w, t, esme, other } = world();
    const ten = w.supplierA.request(esme.id, '7.4', 1, READ_STATUS, { counter: 10n });
    expect(codes(w.dsp.submit(SUPPLIER_A, ten, t))).toEqual(['I99']);

    const attempts: [string, ServiceRequest][] = [
      ['a lower counter', w.supplierA.request(esme.id, '7.4', 1, READ_STATUS, { counter: 9n })],
      ['the same counter to another device', w.supplierA.request(other.id, '7.4', 1, READ_STATUS, { counter: 10n })],
      [
        'the same RequestID with other content',
        w.supplierA.request(esme.id, '4.18', 1, { kind: 'readMeterBalance', readMeterBalance: {} }, { counter: 10n }),
      ],
      ['counter zero', w.supplierA.request(other.id, '7.4', 1, READ_STATUS, { counter: 0n })],
    ];
    let at = t;
    for (const [what, r] of attempts) {
      const out = w.dsp.submit(SUPPLIER_A, r, ++at);
      expect(codes(out), what).toEqual(['X10']);
      expect(commands(out), what).toEqual([]);
    }
    // A higher counter is fresh again.
    expect(codes(w.dsp.submit(SUPPLIER_A, w.supplierA.request(other.id, '7.4', 1, READ_STATUS, { counter: 11n }), ++at))).toEqual(['I99']);
    expect(w.dsp.stats.duplicates).toBe(0);
  });

  it('SR03: a malleated XML signature (r, n − s) of an executed request is not executed again, whatever the high-S policy', () => {
    for (const highS of ['accept', 'reject'] as const) {
      const w = sampleWorld({ config: { highS } });
      const t = w.start + HOUR_MS;
      const esme = w.premises[0]!.esme;
      const r = w.supplierA.request(esme.id, '7.4', 1, READ_STATUS);
      const all: DspOutput[] = [...w.dsp.submit(SUPPLIER_A, r, t)];
      const out = w.dsp.submit(SUPPLIER_A, malleated(r), t + 1);
      all.push(...out);
      expect(['I99', 'I0', 'X10'], highS).toContain(onlyCode(out));
      expect(
        commands(all).map((c) => c.requestId),
        highS,
      ).toEqual([r.header.requestId]);
    }
  });

  it("SR03: a critical request's malleated XML or Pre-Command signature is never a second command", () => {
    const { w, t, esme } = world();
    const run = critical(w.dsp, w.supplierA, esme.id, CREDIT, t);
    expect(commands(run.send!)).toHaveLength(1);
    const cv5 = run.signed!;
    const sent: DspOutput[] = [...run.send!];

    const malleatedXml = malleated(cv5);
    const body = cv5.kind === 'signedPreCommand' ? cv5.signedPreCommand : undefined;
    const malleatedPre = w.supplierA.sign({
      ...cv5,
      kind: 'signedPreCommand',
      signedPreCommand: { command: body!.command, signature: malleateSignature(body!.signature) },
    });
    for (const [i, r] of [malleatedXml, malleatedPre].entries()) {
      const out = w.dsp.submit(SUPPLIER_A, r, t + 1 + i);
      sent.push(...out);
      expect(['I99', 'I0', 'X10']).toContain(onlyCode(out));
    }
    expect(commands(sent)).toHaveLength(1);
  });

  it('SR05: a signed Pre-Command replayed to another device, under another RequestID or another CV is refused (X4, X10) and never sent', () => {
    const { w, t, esme, other } = world();
    const first = critical(w.dsp, w.supplierA, esme.id, CREDIT, t);
    expect(commands(first.send!)).toHaveLength(1);
    const pre = responses(first.transform)[0]!.preCommand!;

    // Another device: its own transform, but the first device's Pre-Command signed and sent.
    const cv4 = w.supplierA.request(other.id, '1.6', 4, CREDIT);
    expect(codes(w.dsp.submit(SUPPLIER_A, cv4, t + 1))).toEqual(['I0']);
    const toOther = w.dsp.submit(SUPPLIER_A, w.supplierA.signedSend(cv4, pre, 5), t + 2);
    expect(codes(toOther)).toEqual(['X4']);

    // Another RequestID to the same device, with no transform of its own.
    const fresh = w.supplierA.request(esme.id, '1.6', 4, CREDIT);
    const underOther = w.dsp.submit(SUPPLIER_A, w.supplierA.signedSend(fresh, pre, 5), t + 3);
    expect(codes(underOther)).toEqual(['X4']);

    // The same RequestID under CV 6 and CV 7: the content differs from what was sent.
    for (const cv of [6, 7] as const) {
      const out = w.dsp.submit(SUPPLIER_A, w.supplierA.signedSend(first.cv4, pre, cv), t + 4 + cv);
      expect(codes(out), `CV ${cv}`).toEqual(['X10']);
      expect(commands(out)).toEqual([]);
    }
    expect(commands([...toOther, ...underOther])).toEqual([]);
  });

  it('SR07: counters 2^53+1 and 2^64−1 are accepted without losing a digit; 2^64, negative and non-numeric counters are X1', () => {
    const { w, t, esme, other } = world();
    const big = 2n ** 53n + 1n;
    const r = w.supplierA.request(esme.id, '7.4', 1, READ_STATUS, { counter: big });
    const out = w.dsp.submit(SUPPLIER_A, r, t);
    expect(codes(out)).toEqual(['I99']);
    expect(responses(out)[0]!.requestId).toBe(`${SUPPLIER_A}:${esme.id}:9007199254740993`);
    expect(w.dsp.ledger.entries().at(-1)!.key.requestId).toBe(`${SUPPLIER_A}:${esme.id}:9007199254740993`);
    // 2^53 is the same JavaScript number as 2^53+1: it must still be below the high-water mark.
    expect(codes(w.dsp.submit(SUPPLIER_A, w.supplierA.request(other.id, '7.4', 1, READ_STATUS, { counter: 2n ** 53n }), t + 1))).toEqual([
      'X10',
    ]);
    expect(codes(w.dsp.submit(SUPPLIER_A, w.supplierA.request(other.id, '7.4', 1, READ_STATUS, { counter: big + 1n }), t + 2))).toEqual([
      'I99',
    ]);
    const max = 2n ** 64n - 1n;
    expect(codes(w.dsp.submit(SUPPLIER_A, w.supplierA.request(esme.id, '7.4', 1, READ_STATUS, { counter: max }), t + 3))).toEqual(['I99']);

    const rejected = w.dsp.stats.rejectedInput;
    const template = w.supplierA.request(other.id, '7.4', 1, READ_STATUS, { counter: 1n });
    const bad = ['18446744073709551616', '99999999999999999999', '-1', '1e3', 'abc', '0x10', '', '1.5', ' 1'];
    for (const [i, counter] of bad.entries()) {
      const out = w.dsp.submit(SUPPLIER_A, withRequestId(w.supplierA, template, `${SUPPLIER_A}:${other.id}:${counter}`), t + 4 + i);
      expect(codes(out), JSON.stringify(counter)).toEqual(['X1']);
      expect(commands(out)).toEqual([]);
    }
    expect(w.dsp.stats.rejectedInput - rejected).toBe(bad.length);
    // Above 2^64−1 nothing is fresh any more.
    expect(codes(w.dsp.submit(SUPPLIER_A, w.supplierA.request(other.id, '7.4', 1, READ_STATUS, { counter: max }), t + 20))).toEqual([
      'X10',
    ]);
  });

  it('SR08: a redelivered request (the same bus message decoded twice) runs once, and the redelivery raises no alert', () => {
    const { w, t, esme } = world();
    const r = w.supplierA.request(esme.id, '7.4', 1, READ_STATUS);
    const bytes = encodeEnvelope({
      messageId: 'm-1',
      requestId: r.header.requestId,
      originator: SUPPLIER_A,
      target: esme.id,
      counter: 1n,
      at: t,
      kind: 'serviceRequest',
      serviceRequest: r,
    });
    const outs: DspOutput[][] = [0, 1, 2].map((i) => {
      const e = unwrap(decodeEnvelope(bytes));
      if (e.kind !== 'serviceRequest') throw new Error('not a service request');
      return w.dsp.submit(SUPPLIER_A, e.serviceRequest, t + i);
    });
    expect(outs.map(codes)).toEqual([['I99'], ['I99'], ['I99']]);
    expect(outs.flatMap(commands)).toHaveLength(1);
    expect(outs.flatMap(dccAlerts)).toEqual([]);
    expect(w.dsp.stats).toMatchObject({ duplicates: 2, replays: 0 });
    expect(w.dsp.ledger.totals().received).toBe(1);
  });
});
