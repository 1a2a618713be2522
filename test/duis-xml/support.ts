import { createPrivateKey, createPublicKey, sign as nodeSign, verify as nodeVerify } from 'node:crypto';
import fc from 'fast-check';
import type { Eui64 } from '../../core/ids.ts';
import { formatRequestId } from '../../core/ids.ts';
import { parseXml } from '../../dsp/duis-xml/xml-parser.ts';
import type { XmlElement } from '../../dsp/duis-xml/xml-tree.ts';
import { formatDuisXmlError } from '../../dsp/duis-xml/errors.ts';
import type { KeyResolver } from '../../dsp/duis-xml/xml-dsig.ts';
import { REMOTE_PARTY_ROLE } from '../../dsp/smki/certificate.ts';
import { Smki, type Credential } from '../../dsp/smki/smki.ts';
import type { ServiceRequestBody } from '../../proto/types.ts';
import type { RequestInput } from '../../dsp/duis-xml/duis-request.ts';

/** Shared material for the DUIS XML tests: SMKI credentials, request inputs, and xml-crypto's missing ECDSA algorithm. */

export const SRP = '90-B3-D5-1F-30-05-00-00' as Eui64;
/** The twin's DSP as an XML signer: an EUI of the test's own, not a ZAZ1 identity. */
export const DSP_ID = '90-B3-D5-1F-30-00-00-09' as Eui64;
export const ESME = '00-DB-12-34-56-78-90-A0' as Eui64;
export const FOREVER = { notBefore: 0, notAfter: Date.UTC(9999, 11, 31) };

export interface Keys {
  readonly smki: Smki;
  /** The SRP's XML-signing credential (role 0x87). */
  readonly user: Credential;
  /** The DSP's XML-signing credential (role 0x89). // DOMAIN §5.3 */
  readonly dsp: Credential;
  /** Another User's XML-signing credential. */
  readonly other: Credential;
  readonly resolve: KeyResolver;
}

export function keys(seed: number | string = 1): Keys {
  const smki = new Smki({ seed });
  const user = smki.issueOrganisation(SRP, REMOTE_PARTY_ROLE.xmlSigning, 'xmlSigning', FOREVER);
  const dsp = smki.issueOrganisation(DSP_ID, REMOTE_PARTY_ROLE.dspXmlSigning, 'xmlSigning', FOREVER);
  const other = smki.issueOrganisation('90-B3-D5-1F-30-01-00-00' as Eui64, REMOTE_PARTY_ROLE.xmlSigning, 'xmlSigning', FOREVER);
  return { smki, user, dsp, other, resolve: (s) => smki.byIssuerSerial(s.issuerName, s.serial)?.publicKey };
}

export function parsed(xml: string | Uint8Array): XmlElement {
  const r = parseXml(xml);
  if (!r.ok) throw new Error(formatDuisXmlError(r.error));
  return r.value;
}

export const CREDIT: ServiceRequestBody = { kind: 'updatePaymentMode', updatePaymentMode: { kind: 'credit', credit: {} } };

/** A request input from `ESME`'s SRP with counter `counter`. */
export function input(body: ServiceRequestBody, srv: string, cv = 1, counter = 1n): RequestInput {
  const sr = srv.split('.').slice(0, 2).join('.');
  return {
    header: {
      requestId: formatRequestId({ originator: SRP, target: ESME, counter }),
      commandVariant: cv,
      serviceReference: sr,
      serviceReferenceVariant: srv,
    },
    ...body,
  };
}

/** Every body the twin models, with its SRV, from fast-check: what property tests send. */
export const modelledBody: fc.Arbitrary<{ body: ServiceRequestBody; srv: string; cv: number }> = fc.oneof(
  fc
    .record({
      when: fc.option(fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2099, 0, 1) }), { nil: undefined }),
      mode: fc.oneof(
        fc.constant({ kind: 'credit' as const, credit: {} }),
        fc
          .record({
            suspendDebtDisabled: fc.boolean(),
            suspendDebtEmergency: fc.boolean(),
            disablementThreshold: fc.integer({ min: -1e9, max: 1e9 }),
          })
          .map((prepayment) => ({
            kind: 'prepayment' as const,
            prepayment,
          })),
      ),
    })
    .map(({ when, mode }) => ({
      body: { kind: 'updatePaymentMode' as const, updatePaymentMode: when === undefined ? mode : { executionDateTime: when, ...mode } },
      srv: '1.6',
      cv: 4,
    })),
  fc.stringMatching(/^[0-9]{20}$/).map((utrn) => ({ body: { kind: 'topUpDevice' as const, topUpDevice: { utrn } }, srv: '2.2', cv: 1 })),
  fc
    .constantFrom(
      ['readInstantaneousPrepayValues', '4.3'],
      ['readMeterBalance', '4.18'],
      ['enableSupply', '7.1'],
      ['disableSupply', '7.2'],
      ['armSupply', '7.3'],
      ['readSupplyStatus', '7.4'],
    )
    .map(([kind, srv]) => ({ body: { kind, [kind]: {} } as ServiceRequestBody, srv, cv: 1 })),
  fc
    .record({ command: fc.uint8Array({ minLength: 1, maxLength: 80 }), signature: fc.uint8Array({ minLength: 64, maxLength: 64 }) })
    .map((signedPreCommand) => ({
      body: { kind: 'signedPreCommand' as const, signedPreCommand },
      srv: '1.6',
      cv: 5,
    })),
);

export const ECDSA_SHA256 = 'http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256';

/** ecdsa-sha256 for xml-crypto (which ships RSA and HMAC only): r ‖ s in base64, as RFC 4051 has it. */
export class XmlCryptoEcdsaSha256 {
  getSignature(signedInfo: string, key: string | Buffer): string {
    return nodeSign('sha256', Buffer.from(signedInfo), { key: createPrivateKey(key), dsaEncoding: 'ieee-p1363' }).toString('base64');
  }
  verifySignature(material: string, key: string | Buffer, value: string): boolean {
    return nodeVerify(
      'sha256',
      Buffer.from(material),
      { key: createPublicKey(key), dsaEncoding: 'ieee-p1363' },
      Buffer.from(value, 'base64'),
    );
  }
  getAlgorithmName(): string {
    return ECDSA_SHA256;
  }
}
