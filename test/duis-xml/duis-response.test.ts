import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { preCommandOf, readSignedResponse, writeResponse } from '../../dsp/duis-xml/duis-gateway.ts';
import type { DuisResponse } from '../../dsp/duis-xml/duis-response.ts';
import { formatDuisXmlError } from '../../dsp/duis-xml/errors.ts';
import { dccAlertOf, deviceAlertOf, responseOf } from '../../dsp/duis-xml/twin-responses.ts';
import { publicKeyFromCertificatePem } from '../../dsp/smki/pem.ts';
import { unwrap } from '../../core/result.ts';
import { ESME, keys, SRP } from './support.ts';

const k = keys();
/** The DSP's public key as a DUIS client gets it: from the PEM of its XML-signing certificate. */
const dspPublicKey = unwrap(publicKeyFromCertificatePem(k.smki.certificatePem(k.dsp.certificate.serial)!));
const at = Date.UTC(2026, 0, 1, 9, 30, 0, 123);
const requestId = `${SRP}:${ESME}:42`;

function roundTrip(r: DuisResponse): { xml: string; back: DuisResponse } {
  const xml = writeResponse(r, k.dsp);
  const read = readSignedResponse(xml, dspPublicKey);
  if (!read.ok) throw new Error(formatDuisXmlError(read.error));
  expect(read.value.signer.serial).toBe(k.dsp.certificate.serial);
  return { xml, back: read.value.response };
}

describe('DUIS responses and alerts, signed by the DSP (role 0x89) // DOMAIN §4.1, §4.3–§4.5', () => {
  it('the synchronous acknowledgement I99 names the SRV, as DCC’s do', () => {
    const r = responseOf({ requestId, responseCode: 'I99', body: {} }, { at, serviceReferenceVariant: '2.2' });
    const { xml, back } = roundTrip(r);
    expect(back).toEqual(r);
    expect(xml).toContain('<sr:Response xmlns:sr="http://www.dccinterface.co.uk/ServiceUserGateway" schemaVersion="5.4">');
    expect(xml).toContain('<sr:ResponseCode>I99</sr:ResponseCode>');
    expect(xml).toContain('<sr:ResponseDateTime>2026-01-01T09:30:00.123Z</sr:ResponseDateTime>');
    expect(xml).toContain('<sr:ServiceReference>2.2</sr:ServiceReference>');
  });

  it('E- and X-codes carry the twin’s reason as a named value', () => {
    for (const code of ['E4', 'X2']) {
      const r = responseOf(
        { requestId, responseCode: code, body: { reason: 'the <reason> & more' } },
        { at, serviceReferenceVariant: '1.6' },
      );
      const { xml, back } = roundTrip(r);
      expect(back).toEqual(r);
      expect(xml).toContain('<ra:Value name="reason">the &lt;reason&gt; &amp; more</ra:Value>');
    }
  });

  it('I0 for CV 4: PreCommand { GBCSVersion twin-1, GBCSPayload = Pre-Command ‖ 00 }, and the client gets the bytes to sign back', () => {
    const pre = Uint8Array.from([0x0a, 0x03, 0x31, 0x2e, 0x36, 0x00, 0x40]);
    const r = responseOf({ requestId, responseCode: 'I0', body: {}, preCommand: pre }, { at, serviceReferenceVariant: '1.6' });
    const { xml, back } = roundTrip(r);
    expect(xml).toContain('<sr:GBCSVersion>twin-1</sr:GBCSVersion>');
    expect(xml).toContain(`<sr:GBCSPayload>${Buffer.concat([pre, Uint8Array.of(0)]).toString('base64')}</sr:GBCSPayload>`);
    expect(preCommandOf(back)).toEqual(pre);
    expect(
      preCommandOf(roundTrip(responseOf({ requestId, responseCode: 'I99', body: {} }, { at, serviceReferenceVariant: '1.6' })).back),
    ).toBeUndefined();
  });

  it('an asynchronous device response carries the ResponseID and its named values', () => {
    const r = responseOf(
      { requestId, responseCode: 'I0', body: { MeterBalance: '150000', EmergencyCreditBalance: '0' } },
      { at, serviceReferenceVariant: '4.18', responseId: `${ESME}:${SRP}:42` },
    );
    const { xml, back } = roundTrip(r);
    expect(back).toEqual(r);
    expect(xml).toContain(`<sr:ResponseID>${ESME}:${SRP}:42</sr:ResponseID>`);
  });

  it('without the SRV, a response is its header only', () => {
    const r = responseOf({ requestId: '', responseCode: 'X1', body: { reason: 'unreadable' } }, { at });
    expect(r).toEqual({ header: { responseCode: 'X1', responseDateTime: at } });
    expect(roundTrip(r).back).toEqual(r);
  });

  it('a device alert: ResponseID device:User:counter and the hex AlertCode', () => {
    const r = deviceAlertOf({ code: 0x8f0f, device: ESME, at, critical: false }, SRP);
    const { xml, back } = roundTrip(r);
    expect(back).toEqual(r);
    expect(xml).toContain('<sr:AlertCode>8F0F</sr:AlertCode>');
    expect(xml).toContain(`<sr:ResponseID>${ESME}:${SRP}:${at}</sr:ResponseID>`);
  });

  it('a DCC alert: its code and the twin’s alert text, with the RequestID it concerns', () => {
    for (const alert of [
      { code: 'N12', text: 'Command failure: no response', requestId },
      { code: 'AD1', text: 'quarantined', requestId: '' },
    ]) {
      const r = dccAlertOf(alert, at);
      const { xml, back } = roundTrip(r);
      expect(back).toEqual(r);
      expect(xml).toContain(`<sr:DCCAlertCode>${alert.code}</sr:DCCAlertCode>`);
    }
  });

  it('a response not signed by the DSP, or changed, is refused by the client', () => {
    const r = responseOf(
      { requestId, responseCode: 'I0', body: {}, preCommand: Uint8Array.of(1, 2) },
      { at, serviceReferenceVariant: '1.6' },
    );
    const byUser = writeResponse(r, k.user);
    expect(readSignedResponse(byUser, dspPublicKey)).toMatchObject({ ok: false, error: { code: 'signature-invalid' } });
    const xml = writeResponse(r, k.dsp);
    expect(readSignedResponse(xml.replace('<sr:ResponseCode>I0<', '<sr:ResponseCode>I99<'), dspPublicKey)).toMatchObject({
      ok: false,
      error: { code: 'signature-digest-mismatch' },
    });
    // By resolver: the X509IssuerSerial must name a known certificate.
    expect(readSignedResponse(xml, k.resolve).ok).toBe(true);
    expect(readSignedResponse(xml, () => undefined)).toMatchObject({ ok: false, error: { code: 'signature-unknown-certificate' } });
  });

  it('property: any response or alert survives write → signed read', () => {
    const text = fc.string({ maxLength: 20, unit: 'grapheme' }).filter((s) => [...s].every(isXmlChar));
    const word = fc.stringMatching(/^[A-Za-z][A-Za-z0-9]{0,12}$/);
    const header = fc.record(
      {
        requestId: word,
        responseId: word,
        responseCode: fc.constantFrom('I0', 'I99', 'E4', 'E19', 'X2', 'X13'),
        responseDateTime: fc.integer({ min: 0, max: Date.UTC(9999, 0, 1) }),
      },
      { requiredKeys: ['responseCode', 'responseDateTime'] },
    );
    const body = fc.oneof(
      fc.record(
        {
          kind: fc.constant('responseMessage' as const),
          serviceReference: fc.constant('4.18'),
          serviceReferenceVariant: fc.constant('4.18'),
          preCommand: fc.record({ gbcsVersion: fc.constant('twin-1'), payload: fc.uint8Array({ minLength: 1, maxLength: 40 }) }),
          values: fc.dictionary(word, text, { minKeys: 1, maxKeys: 4 }),
        },
        { requiredKeys: ['kind', 'serviceReference', 'serviceReferenceVariant'] },
      ),
      fc.record({ kind: fc.constant('deviceAlert' as const), alertCode: fc.integer({ min: 0, max: 0xffff }) }),
      fc.record(
        { kind: fc.constant('dccAlert' as const), dccAlertCode: word, text: text.filter((s) => s.trim() === s), requestId: word },
        { requiredKeys: ['kind', 'dccAlertCode', 'text'] },
      ),
    );
    fc.assert(
      fc.property(header, fc.option(body, { nil: undefined }), (h, b) => {
        const r: DuisResponse = b === undefined ? { header: h } : { header: h, body: b };
        expect(roundTrip(r).back).toEqual(r);
      }),
      { numRuns: 60 },
    );
  });
});

/** Whether a character may appear in XML 1.0 text (Char production). */
function isXmlChar(c: string): boolean {
  const cp = c.codePointAt(0) ?? 0;
  return cp === 0x9 || cp === 0xa || cp === 0xd || (cp >= 0x20 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0xfffd) || cp >= 0x10000;
}
