import { X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { formatRequestId, type Eui64 } from '../../core/ids.ts';
import { unwrap } from '../../core/result.ts';
import { DAY_MS, HOUR_MS } from '../../core/time/duration.ts';
import type { DspOutput } from '../../dsp/dsp-outputs.ts';
import {
  acceptRequest,
  preCommandOf,
  readSignedResponse,
  writeRequest,
  writeResponse,
  type AcceptedRequest,
} from '../../dsp/duis-xml/duis-gateway.ts';
import type { RequestInput } from '../../dsp/duis-xml/duis-request.ts';
import { formatDuisXmlError } from '../../dsp/duis-xml/errors.ts';
import { responseOf } from '../../dsp/duis-xml/twin-responses.ts';
import { sampleWorld, SRP, SUPPLIER_A, type SampleWorld } from '../../dsp/sample-world.ts';
import { REMOTE_PARTY_ROLE } from '../../dsp/smki/certificate.ts';
import { privateKeyFromPem, privateKeyPem, publicKeyFromCertificatePem } from '../../dsp/smki/pem.ts';
import { signDeterministic } from '../../dsp/smki/signature.ts';
import type { Credential } from '../../dsp/smki/smki.ts';
import { decodePreCommand } from '../../proto/signed-content.ts';
import { decodeEnvelope, encodeEnvelope } from '../../proto/codec.ts';
import type { ServiceRequest, ServiceResponse } from '../../proto/types.ts';
import { CREDIT, DSP_ID, FOREVER } from './support.ts';

/**
 * The whole path a Shared Resource Provider's own DUIS client takes, in
 * pure steps: its credentials as PEM, a signed SR 1.6 CV 4 request as XML,
 * the gateway's reading of it, the DSP's answer (I0 and a Pre-Command) as a
 * signed response the client verifies, the Pre-Command signed with the
 * failed supplier's key it holds as agent (MP134B req 2), and the CV 5 send.
 * // DOMAIN §4.1, §4.3; MP134B
 */

interface Solr {
  readonly w: SampleWorld;
  readonly t: number;
  readonly esme: Eui64;
  /** The SRP's XML-signing credential, as its client would load it from PEM. */
  readonly srpXml: Credential;
  /** The DSP's XML-signing credential (role 0x89). // DOMAIN §5.3 */
  readonly dspXml: Credential;
}

function solrWorld(): Solr {
  const w = sampleWorld();
  const t = w.start + HOUR_MS;
  // The SoLR situation: supplier A failed, the SRP appointed and instructed, an ADT file allowing SR 1.6. // MP134B req 4, 6
  w.dsp.admin.setFailedSupplier(SUPPLIER_A, true, t);
  w.dsp.admin.appointSrp(SRP, SUPPLIER_A, t);
  w.dsp.admin.instruct('AUTH-1', SUPPLIER_A, SRP, t);
  expect(
    w.dsp.admin.uploadAdt({ user: SRP, role: 'SoLRContingency', thresholds: [{ srv: '1.6', limit: 10, periodMs: DAY_MS }] }, t).ok,
  ).toBe(true);
  // The SRP's own client gets an XML-signing credential of its own (a renewal: a new key and serial). // MP134B req 2
  const issued = w.smki.issueOrganisation(SRP, REMOTE_PARTY_ROLE.xmlSigning, 'xmlSigning', FOREVER);
  const srpXml: Credential = {
    certificate: w.smki.byIssuerSerial(readIssuer(w.smki.certificatePem(issued.certificate.serial)!), issued.certificate.serial)!,
    privateKey: unwrap(privateKeyFromPem(privateKeyPem(issued.privateKey))),
  };
  const dspXml = w.smki.issueOrganisation(DSP_ID, REMOTE_PARTY_ROLE.dspXmlSigning, 'xmlSigning', FOREVER);
  return { w, t, esme: w.premises[0]!.esme.id, srpXml, dspXml };
}

/** The issuer an X.509 PEM names, as RFC 4514 writes it (node prints one attribute a line, most significant first). */
function readIssuer(pem: string): string {
  return new X509Certificate(pem).issuer.split('\n').reverse().join(',');
}

const request = (esme: Eui64, cv: number, counter: bigint): RequestInput => ({
  header: {
    requestId: formatRequestId({ originator: SRP, target: esme, counter }),
    commandVariant: cv,
    serviceReference: '1.6',
    serviceReferenceVariant: '1.6',
  },
  ...CREDIT,
});

function accept(s: Solr, xml: string): AcceptedRequest {
  const r = acceptRequest(xml, { userRole: s.w.srp.role, certificates: s.w.smki });
  if (!r.ok) throw new Error(formatDuisXmlError(r.error));
  return r.value;
}

const responses = (out: readonly DspOutput[]): ServiceResponse[] => out.flatMap((o) => (o.kind === 'response' ? [o.response] : []));

describe('SR 1.6 from an SRP’s DUIS client, XML end to end', () => {
  it('CV 4 → I0 with a Pre-Command in a DSP-signed response → CV 5 with the signed Pre-Command → I99 and the command', () => {
    const s = solrWorld();
    const { w, t, esme } = s;
    // 1. The client signs the CV 4 request; the gateway reads it.
    const cv4Xml = unwrap(writeRequest(request(esme, 4, 1000n), s.srpXml));
    const cv4 = accept(s, cv4Xml);
    expect(cv4.request.xmlSignature?.signedInfo?.length).toBeGreaterThan(0);
    expect(cv4.signer).toEqual({ issuerName: 'CN=smets-twin Organisation CA,OU=07', serial: s.srpXml.certificate.serial });

    // 2. The DSP verifies the XML signature over the SignedInfo and transforms: I0 with the Pre-Command. // DOMAIN §4.3 step 1
    const transform = responses(w.dsp.submit(SRP, cv4.request, t + 1));
    expect(transform.map((r) => r.responseCode)).toEqual(['I0']);
    const pre = transform[0]!.preCommand!;
    expect(unwrap(decodePreCommand(pre))).toMatchObject({ requestId: cv4.request.header.requestId, device: esme, remoteParty: SUPPLIER_A });

    // 3. The answer as the client receives it: signed by the DSP, verified with the DSP certificate's key.
    const responseXml = writeResponse(responseOf(transform[0]!, { at: t + 1, serviceReferenceVariant: '1.6' }), s.dspXml);
    const dspKey = unwrap(publicKeyFromCertificatePem(w.smki.certificatePem(s.dspXml.certificate.serial)!));
    const read = readSignedResponse(responseXml, dspKey);
    if (!read.ok) throw new Error(formatDuisXmlError(read.error));
    expect(read.value.response.header).toMatchObject({ requestId: cv4.request.header.requestId, responseCode: 'I0' });
    const toSign = preCommandOf(read.value.response)!;
    expect(toSign).toEqual(pre);

    // 4. The SRP signs the Pre-Command with supplier A's Digital-Signing key, held as agent, and sends CV 5. // DOMAIN §4.3 steps 2–3
    const signature = signDeterministic(w.supplierASigning.privateKey, toSign);
    const cv5Xml = unwrap(
      writeRequest({ ...request(esme, 5, 1000n), kind: 'signedPreCommand', signedPreCommand: { command: toSign, signature } }, s.srpXml),
    );
    expect(cv5Xml).toContain(
      `<sr:GBCSPayload>${Buffer.concat([toSign, Uint8Array.of(0x40), signature]).toString('base64')}</sr:GBCSPayload>`,
    );
    const cv5 = accept(s, cv5Xml);
    expect(cv5.request.kind === 'signedPreCommand' && cv5.request.signedPreCommand).toEqual({ command: toSign, signature });

    const send = w.dsp.submit(SRP, cv5.request, t + 2);
    expect(responses(send).map((r) => r.responseCode)).toEqual(['I99']);
    const commands = send.flatMap((o) => (o.kind === 'command' ? [o] : []));
    expect(commands).toHaveLength(1);
    expect(commands[0]!.command).toMatchObject({ kind: 'modeSet', authorisation: { preCommand: toSign, signature } });

    // The acknowledgement, signed, reads back for the client.
    const ackXml = writeResponse(responseOf(responses(send)[0]!, { at: t + 2, serviceReferenceVariant: '1.6' }), s.dspXml);
    expect(readSignedResponse(ackXml, dspKey)).toMatchObject({ ok: true, value: { response: { header: { responseCode: 'I99' } } } });
  });

  it('the same document sent again is the same request: answered from the ledger, not run twice', () => {
    const s = solrWorld();
    const xml = unwrap(writeRequest(request(s.esme, 4, 7n), s.srpXml));
    const first = s.w.dsp.submit(SRP, accept(s, xml).request, s.t + 1);
    const again = s.w.dsp.submit(SRP, accept(s, xml).request, s.t + 2);
    expect(responses(first).map((r) => r.responseCode)).toEqual(['I0']);
    expect(responses(again).map((r) => r.responseCode)).toEqual(['I0']);
    expect(s.w.dsp.stats.duplicates).toBe(1);
  });
});

describe('the DSP’s xml-signature stage on the signed_info path // DOMAIN §4.1, §4.8 step 1', () => {
  function accepted(): { s: Solr; r: ServiceRequest } {
    const s = solrWorld();
    return { s, r: accept(s, unwrap(writeRequest(request(s.esme, 4, 9n), s.srpXml))).request };
  }
  const code = (s: Solr, r: ServiceRequest, at = s.t + 1): string => responses(s.w.dsp.submit(SRP, r, at))[0]!.responseCode;

  it('a SignedInfo the signature is not over is X2', () => {
    const { s, r } = accepted();
    const sig = r.xmlSignature!;
    const other = accept(s, unwrap(writeRequest(request(s.esme, 4, 10n), s.srpXml))).request.xmlSignature!;
    expect(code(s, { ...r, xmlSignature: { ...sig, signedInfo: other.signedInfo! } })).toBe('X2');
  });

  it('without the SignedInfo, an XML signature does not verify over the twin’s own encoding: X2', () => {
    const { s, r } = accepted();
    const { signedInfo: _dropped, ...sig } = r.xmlSignature!;
    expect(code(s, { ...r, xmlSignature: sig })).toBe('X2');
  });

  it('certificate checks stay as they are: a revoked XML-signing certificate is X3, an unknown serial X12', () => {
    const { s, r } = accepted();
    expect(s.w.smki.revoke(s.srpXml.certificate.serial, s.t).ok).toBe(true);
    expect(code(s, r)).toBe('X3');
    const fresh = accepted();
    expect(code(fresh.s, { ...fresh.r, xmlSignature: { ...fresh.r.xmlSignature!, certificateSerial: 9999n } })).toBe('X12');
  });

  it('signed by another User’s key, under the SRP’s certificate: X2', () => {
    const s = solrWorld();
    const forged = unwrap(writeRequest(request(s.esme, 4, 11n), { privateKey: s.dspXml.privateKey, certificate: s.srpXml.certificate }));
    expect(code(s, accept(s, forged).request)).toBe('X2');
  });

  it('the SignedInfo crosses the bus codec, and its absence stays absence', () => {
    const { s, r } = accepted();
    const envelope = { messageId: 'm1', requestId: r.header.requestId, originator: SRP, target: s.esme, counter: 9n, at: s.t };
    const withInfo = unwrap(decodeEnvelope(encodeEnvelope({ ...envelope, kind: 'serviceRequest', serviceRequest: r })));
    expect(withInfo.kind === 'serviceRequest' && withInfo.serviceRequest).toEqual(r);
    const { signedInfo: _dropped, ...plain } = r.xmlSignature!;
    const without = unwrap(
      decodeEnvelope(encodeEnvelope({ ...envelope, kind: 'serviceRequest', serviceRequest: { ...r, xmlSignature: plain } })),
    );
    expect(without.kind === 'serviceRequest' && without.serviceRequest.xmlSignature).toEqual(plain);
    expect(without.kind === 'serviceRequest' && 'signedInfo' in without.serviceRequest.xmlSignature!).toBe(false);
  });
});
