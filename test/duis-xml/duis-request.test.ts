import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatRequestId } from '../../core/ids.ts';
import { acceptRequest, verifyRequest, writeRequest } from '../../dsp/duis-xml/duis-gateway.ts';
import { readRequest, requestDocument } from '../../dsp/duis-xml/duis-request.ts';
import { formatDuisXmlError, type DuisXmlError } from '../../dsp/duis-xml/errors.ts';
import { canonicalize } from '../../dsp/duis-xml/exc-c14n.ts';
import { signDocument } from '../../dsp/duis-xml/xml-dsig.ts';
import { SignatureVerifier } from '../../dsp/smki/signature.ts';
import { Smki } from '../../dsp/smki/smki.ts';
import { CREDIT, ESME, input, keys, modelledBody, parsed, SRP } from './support.ts';

const SR = 'http://www.dccinterface.co.uk/ServiceUserGateway';
const k = keys();
const verifier = new SignatureVerifier();

/** A request document with `header` and `body` spliced in (unsigned, for the DUIS reading rules). */
function doc(header: string, body: string): string {
  return `<sr:Request xmlns:sr="${SR}" schemaVersion="5.4"><sr:Header>${header}</sr:Header><sr:Body>${body}</sr:Body></sr:Request>`;
}
const HEADER = (cv = '4', srv = '1.6', sr = '1.6', id: string = formatRequestId({ originator: SRP, target: ESME, counter: 7n })): string =>
  `<sr:RequestID>${id}</sr:RequestID><sr:CommandVariant>${cv}</sr:CommandVariant><sr:ServiceReference>${sr}</sr:ServiceReference><sr:ServiceReferenceVariant>${srv}</sr:ServiceReferenceVariant>`;
const CREDIT_BODY = '<sr:UpdatePaymentMode><sr:Credit/></sr:UpdatePaymentMode>';

function refusal(xml: string): DuisXmlError {
  const r = readRequest(parsed(xml), 'SC');
  if (r.ok) throw new Error('expected a refusal');
  return r.error;
}

describe('DUIS request documents ↔ the twin’s ServiceRequest // DOMAIN §4.1, §4.10', () => {
  it('reads the header into the twin’s: originator and target from the RequestID, the role from the gateway', () => {
    const r = readRequest(parsed(doc(HEADER(), CREDIT_BODY)), 'SC');
    expect(r).toEqual({
      ok: true,
      value: {
        header: {
          requestId: `${SRP}:${ESME}:7`,
          commandVariant: 4,
          serviceReference: '1.6',
          serviceReferenceVariant: '1.6',
          businessOriginator: SRP,
          businessTarget: ESME,
          userRole: 'SC',
        },
        ...CREDIT,
      },
    });
    const byOriginator = readRequest(parsed(doc(HEADER(), CREDIT_BODY)), (id) => (id === SRP ? 'IS' : undefined));
    expect(byOriginator.ok && byOriginator.value.header.userRole).toBe('IS');
  });

  it('property: every modelled body survives write → accept, with the User’s signature over the canonical SignedInfo', () => {
    fc.assert(
      fc.property(modelledBody, fc.bigInt({ min: 1n, max: (1n << 64n) - 1n }), ({ body, srv, cv }, counter) => {
        const sent = input(body, srv, cv, counter);
        const xml = writeRequest(sent, k.user);
        if (!xml.ok) throw new Error(formatDuisXmlError(xml.error));
        const accepted = acceptRequest(xml.value, { userRole: 'SC', certificates: k.smki });
        if (!accepted.ok) throw new Error(formatDuisXmlError(accepted.error));
        const { xmlSignature, ...request } = accepted.value.request;
        expect(request).toEqual({ ...sent, header: { ...sent.header, businessOriginator: SRP, businessTarget: ESME, userRole: 'SC' } });
        expect(xmlSignature?.certificateSerial).toBe(k.user.certificate.serial);
        expect(verifier.verify(k.user.certificate.publicKey, xmlSignature!.signedInfo!, xmlSignature!.signature)).toBe('valid');
        expect(verifyRequest(xml.value, k.resolve, { userRole: 'SC' }).ok).toBe(true);
      }),
      { numRuns: 100 },
    );
  });

  it('CV 5: SignedPreCommand/GBCSPayload is the Pre-Command, the length byte 40 and the 64-byte signature (twin convention)', () => {
    const command = Uint8Array.from([10, 20, 30, 0x40, 0x00]);
    const signature = Uint8Array.from({ length: 64 }, (_, i) => i + 1);
    const payload = Buffer.concat([command, Uint8Array.of(0x40), signature]).toString('base64');
    const r = readRequest(
      parsed(doc(HEADER('5'), `<sr:SignedPreCommand><sr:GBCSPayload>${payload}</sr:GBCSPayload></sr:SignedPreCommand>`)),
    );
    expect(r.ok && r.value.kind === 'signedPreCommand' && r.value.signedPreCommand).toEqual({ command, signature });
    // Unsigned (length byte 00, as a CV 4 Pre-Command is returned) or too short: refused, naming the field.
    for (const bad of [Buffer.concat([command, Uint8Array.of(0x00), signature]), Buffer.alloc(40)]) {
      const e = refusal(
        doc(HEADER('5'), `<sr:SignedPreCommand><sr:GBCSPayload>${bad.toString('base64')}</sr:GBCSPayload></sr:SignedPreCommand>`),
      );
      expect(e).toMatchObject({ code: 'duis-field', path: '/Request/Body/SignedPreCommand/GBCSPayload' });
    }
    const short = writeRequest(
      { ...input(CREDIT, '1.6', 5), kind: 'signedPreCommand', signedPreCommand: { command, signature: signature.slice(1) } },
      k.user,
    );
    expect(short).toMatchObject({ ok: false, error: { code: 'duis-field', path: '/Request/Body/SignedPreCommand/GBCSPayload' } });
  });

  it('an SRV the twin does not model is the opaque body: its element in exclusive canonical form, which reads back as the same element', () => {
    const message =
      '<sr:DisplayMessage>\n  <sr:SupplierMessage>Your supplier has changed &amp; so has your tariff</sr:SupplierMessage>\n</sr:DisplayMessage>';
    const r = readRequest(parsed(doc(HEADER('1', '3.1', '3.1'), message)));
    if (!r.ok || r.value.kind !== 'opaque') throw new Error('expected an opaque body');
    const opaque = new TextDecoder().decode(r.value.opaque);
    expect(opaque).toBe(
      `<sr:DisplayMessage xmlns:sr="${SR}">\n  <sr:SupplierMessage>Your supplier has changed &amp; so has your tariff</sr:SupplierMessage>\n</sr:DisplayMessage>`,
    );
    const again = requestDocument({ ...input(CREDIT, '3.1'), kind: 'opaque', opaque: r.value.opaque });
    if (!again.ok) throw new Error(again.error.detail);
    const back = readRequest(again.value);
    expect(back.ok && back.value.kind === 'opaque' && new TextDecoder().decode(back.value.opaque)).toBe(opaque);
    expect(requestDocument({ ...input(CREDIT, '3.1'), kind: 'opaque', opaque: Uint8Array.of(1, 2, 3) })).toMatchObject({
      ok: false,
      error: { code: 'duis-field', path: '/Request/Body' },
    });
  });

  it('reads ExecutionDateTime with its zone into the instant, and refuses a day its month does not have', () => {
    const when = (t: string): string =>
      doc(HEADER(), `<sr:UpdatePaymentMode><sr:ExecutionDateTime>${t}</sr:ExecutionDateTime><sr:Credit/></sr:UpdatePaymentMode>`);
    const at = (t: string): number | undefined => {
      const r = readRequest(parsed(when(t)));
      return r.ok && r.value.kind === 'updatePaymentMode' ? r.value.updatePaymentMode.executionDateTime : undefined;
    };
    expect(at('2026-03-29T01:30:00+01:00')).toBe(Date.UTC(2026, 2, 29, 0, 30));
    expect(at('2026-03-29T00:30:00.25Z')).toBe(Date.UTC(2026, 2, 29, 0, 30, 0, 250));
    expect(at('0050-01-01T00:00:00Z')).toBe(new Date('0050-01-01T00:00:00Z').getTime());
    expect(refusal(when('2026-04-31T00:00:00Z')).path).toBe('/Request/Body/UpdatePaymentMode/ExecutionDateTime');
  });

  const refusals: readonly [string, string, string, string, string][] = [
    [
      'a CommandVariant that is not 1–8',
      doc(HEADER('x'), CREDIT_BODY),
      'duis-field',
      '/Request/Header/CommandVariant',
      'expected 1–8, got "x"',
    ],
    [
      'CommandVariant 9 (DCC-internal)',
      doc(HEADER('9'), CREDIT_BODY),
      'duis-field',
      '/Request/Header/CommandVariant',
      'expected 1–8, got "9"',
    ],
    [
      'a RequestID without a counter',
      doc(HEADER('4', '1.6', '1.6', `${SRP}:${ESME}`), CREDIT_BODY),
      'duis-field',
      '/Request/Header/RequestID',
      'EUI:EUI:counter',
    ],
    [
      'an SRV out of syntax',
      doc(HEADER('4', '1.06', '1.6'), CREDIT_BODY),
      'duis-field',
      '/Request/Header/ServiceReferenceVariant',
      'got "1.06"',
    ],
    [
      'a ServiceReference not the SRV’s',
      doc(HEADER('4', '1.6', '1.7'), CREDIT_BODY),
      'duis-field',
      '/Request/Header/ServiceReference',
      'expected 1.6 for SRV 1.6, got "1.7"',
    ],
    [
      'a sequenced request',
      doc(HEADER().replace('<sr:CommandVariant>', '<sr:FirstInSequence>true</sr:FirstInSequence><sr:CommandVariant>'), CREDIT_BODY),
      'duis-structure',
      '/Request/Header/FirstInSequence',
      'not modelled',
    ],
    [
      'a missing CommandVariant',
      doc(HEADER().replace(/<sr:CommandVariant>.*?<\/sr:CommandVariant>/, ''), CREDIT_BODY),
      'duis-structure',
      '/Request/Header/ServiceReference',
      'expected CommandVariant, got ServiceReference',
    ],
    ['another root', `<sr:Response xmlns:sr="${SR}"/>`, 'duis-structure', '/Response', 'expected Request'],
    ['a root in another namespace', '<Request><Header/></Request>', 'duis-structure', '/Request', 'expected Request in'],
    [
      'no Body',
      `<sr:Request xmlns:sr="${SR}"><sr:Header>${HEADER()}</sr:Header></sr:Request>`,
      'duis-structure',
      '/Request',
      'expected Body',
    ],
    ['an empty Body', doc(HEADER(), ''), 'duis-structure', '/Request/Body', 'no request element'],
    [
      'two request elements',
      doc(HEADER(), `${CREDIT_BODY}<sr:TopUpDevice/>`),
      'duis-structure',
      '/Request/Body/TopUpDevice',
      'one request element',
    ],
    [
      'a UTRN of 19 digits',
      doc(HEADER('1', '2.2', '2.2'), '<sr:TopUpDevice><sr:UTRN>1234567890123456789</sr:UTRN></sr:TopUpDevice>'),
      'duis-field',
      '/Request/Body/TopUpDevice/UTRN',
      'expected 20 digits',
    ],
    [
      'a boolean that is not one',
      doc(
        HEADER(),
        '<sr:UpdatePaymentMode><sr:Prepayment><sr:SuspendDebtDisabled>yes</sr:SuspendDebtDisabled><sr:SuspendDebtEmergency>0</sr:SuspendDebtEmergency><sr:DisablementThreshold>0</sr:DisablementThreshold></sr:Prepayment></sr:UpdatePaymentMode>',
      ),
      'duis-field',
      '/Request/Body/UpdatePaymentMode/Prepayment/SuspendDebtDisabled',
      'expected true or false, got "yes"',
    ],
    [
      'a money value with a fraction',
      doc(
        HEADER(),
        '<sr:UpdatePaymentMode><sr:Prepayment><sr:SuspendDebtDisabled>1</sr:SuspendDebtDisabled><sr:SuspendDebtEmergency>0</sr:SuspendDebtEmergency><sr:DisablementThreshold>1.5</sr:DisablementThreshold></sr:Prepayment></sr:UpdatePaymentMode>',
      ),
      'duis-field',
      '/Request/Body/UpdatePaymentMode/Prepayment/DisablementThreshold',
      'expected an integer',
    ],
    [
      'an ExecutionDateTime without a zone',
      doc(
        HEADER(),
        '<sr:UpdatePaymentMode><sr:ExecutionDateTime>2026-01-01T00:00:00</sr:ExecutionDateTime><sr:Credit/></sr:UpdatePaymentMode>',
      ),
      'duis-field',
      '/Request/Body/UpdatePaymentMode/ExecutionDateTime',
      'with a zone',
    ],
    [
      'Credit with content',
      doc(HEADER(), '<sr:UpdatePaymentMode><sr:Credit><sr:X/></sr:Credit></sr:UpdatePaymentMode>'),
      'duis-structure',
      '/Request/Body/UpdatePaymentMode/Credit/X',
      'unexpected X',
    ],
    [
      'both Credit and Prepayment',
      doc(HEADER(), '<sr:UpdatePaymentMode><sr:Credit/><sr:Prepayment/></sr:UpdatePaymentMode>'),
      'duis-structure',
      '/Request/Body/UpdatePaymentMode',
      'one of them',
    ],
    [
      'EnableSupply with content',
      doc(HEADER('4', '7.1', '7.1'), '<sr:EnableSupply>now</sr:EnableSupply>'),
      'duis-structure',
      '/Request/Body/EnableSupply',
      'unexpected text',
    ],
    [
      'text among the header’s elements',
      doc(`${HEADER()}stray`, CREDIT_BODY),
      'duis-structure',
      '/Request/Header',
      'unexpected text "stray"',
    ],
  ];
  it.each(refusals)('%s is refused naming the field: %s', (_name, xml, code, path, words) => {
    const e = refusal(xml);
    expect(e.code).toBe(code);
    expect(e.path).toBe(path);
    expect(e.detail).toContain(words);
  });

  it('says the error in one line with the path', () => {
    expect(formatDuisXmlError(refusal(doc(HEADER('x'), CREDIT_BODY)))).toBe(
      'duis-field at /Request/Header/CommandVariant: expected 1–8, got "x"',
    );
  });

  it('the gateway checks the XML and the signature before the DUIS content, and names an unknown signer', () => {
    expect(acceptRequest(doc(HEADER('x'), CREDIT_BODY)).ok && 'accepted').toBe(false);
    expect(acceptRequest(doc(HEADER('x'), CREDIT_BODY))).toMatchObject({ ok: false, error: { code: 'signature-missing' } });
    expect(acceptRequest(`<!DOCTYPE r>${doc(HEADER(), CREDIT_BODY)}`)).toMatchObject({ ok: false, error: { code: 'xml-dtd-refused' } });
    const signedBadCv = signDocument(parsed(doc(HEADER('x'), CREDIT_BODY)), k.user);
    expect(acceptRequest(canonicalize(signedBadCv)!)).toMatchObject({
      ok: false,
      error: { code: 'duis-field', path: '/Request/Header/CommandVariant' },
    });
    const xml = writeRequest(input(CREDIT, '1.6', 4), k.user);
    if (!xml.ok) throw new Error(xml.error.detail);
    expect(acceptRequest(xml.value, { certificates: k.smki }).ok).toBe(true);
    // A PKI that never issued that certificate: the X509IssuerSerial names nobody.
    expect(acceptRequest(xml.value, { certificates: new Smki({ seed: 2 }) })).toMatchObject({
      ok: false,
      error: { code: 'signature-unknown-certificate', path: '/Request/Signature/KeyInfo/X509Data/X509IssuerSerial/X509SerialNumber' },
    });
  });
});
