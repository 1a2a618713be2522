import { describe, expect, it } from 'vitest';
import { decodePreCommand } from '../../../../proto/signed-content.ts';
import type { ServiceResponse } from '../../../../proto/types.ts';
import type { DspOutput } from '../../../../dsp/dsp-outputs.ts';
import { sampleWorld, SRP, SUPPLIER_A } from '../../../../dsp/sample-world.ts';

const credit = { kind: 'updatePaymentMode' as const, updatePaymentMode: { kind: 'credit' as const, credit: {} } };
const responses = (out: DspOutput[]): ServiceResponse[] => out.flatMap((o) => (o.kind === 'response' ? [o.response] : []));

describe('SR 1.6 critical flow for the registered supplier', () => {
  it('CV 4 returns a Pre-Command bound to the device; CV 5 with it signed is acknowledged and sent to the hub', () => {
    const w = sampleWorld();
    const esme = w.premises[0]!.esme;
    const t = w.start + 1000;
    const cv4 = w.supplierA.request(esme.id, '1.6', 4, credit);
    const r4 = responses(w.dsp.submit(SUPPLIER_A, cv4, t));
    expect(r4).toHaveLength(1);
    expect(r4[0]).toMatchObject({ responseCode: 'I0', requestId: cv4.header.requestId });
    const pre = r4[0]!.preCommand!;
    const decoded = decodePreCommand(pre);
    expect(decoded.ok && decoded.value).toMatchObject({ device: esme.id, remoteParty: SUPPLIER_A, serviceReferenceVariant: '1.6' });

    const cv5 = w.supplierA.signedSend(cv4, pre, 5);
    const out = w.dsp.submit(SUPPLIER_A, cv5, t + 1000);
    expect(responses(out).map((r) => r.responseCode)).toEqual(['I99']);
    const command = out.find((o) => o.kind === 'command');
    expect(command).toMatchObject({ hub: esme.commsHub, device: esme.id, command: { kind: 'modeSet', ref: cv4.header.requestId } });
    expect(w.dsp.ledger.inFlight()).toHaveLength(1);
  });

  it('the SRP in the SoLR Contingency role is quarantined by default, and sends once an ADT file allows it', () => {
    const w = sampleWorld();
    const esme = w.premises[0]!.esme;
    const t = w.start + 1000;
    w.registry.setFailed(SUPPLIER_A, true, t);
    w.registry.appointSrp(SRP, SUPPLIER_A, t);
    w.registry.instruct({ reference: 'AUTH-1', supplier: SUPPLIER_A, srp: SRP, from: t });
    const cv4 = w.srp.request(esme.id, '1.6', 4, credit);
    const pre = responses(w.dsp.submit(SRP, cv4, t))[0]!;
    expect(pre.responseCode).toBe('I0');
    const out = w.dsp.submit(SRP, w.srp.signedSend(cv4, pre.preCommand!, 5), t);
    expect(responses(out).map((r) => r.responseCode)).toEqual(['X9']);
    expect(out.find((o) => o.kind === 'dccAlert')).toMatchObject({ to: SRP, alert: { code: 'AD1' } });

    expect(w.dsp.adt.upload({ user: SRP, role: 'SoLRContingency', thresholds: [{ srv: '1.6', limit: 100 }] }, t).ok).toBe(true);
    const cv4b = w.srp.request(esme.id, '1.6', 4, credit);
    const pre2 = responses(w.dsp.submit(SRP, cv4b, t))[0]!;
    const sent = w.dsp.submit(SRP, w.srp.signedSend(cv4b, pre2.preCommand!, 5), t);
    expect(responses(sent).map((r) => r.responseCode)).toEqual(['I99']);
    expect(sent.some((o) => o.kind === 'command')).toBe(true);
  });
});

describe('configuration', () => {
  it('refuses a SoLR Contingency code that is empty or names a matrix role', () => {
    expect(() => sampleWorld({ config: { roleCodes: { solrContingency: 'IS' } } })).toThrow(/roleCodes.solrContingency/);
    expect(() => sampleWorld({ config: { roleCodes: { solrContingency: '' } } })).toThrow(RangeError);
    expect(() => sampleWorld({ config: { roleCodes: { solrContingency: 'SRP' } } })).not.toThrow();
  });
});
