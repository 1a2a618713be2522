/**
 * The DUIS XML gateway's pure steps, for both sides of the wire:
 *
 * - the DSP's gateway reads a User's signed request (`acceptRequest`) into
 *   the twin's `ServiceRequest`, and writes signed responses and alerts
 *   (`writeResponse`) with the DSP's XML-signing key (role 0x89);
 * - a User's client writes signed requests (`writeRequest`) and reads the
 *   DSP's signed responses (`readSignedResponse`).
 *
 * The request a gateway accepts carries, in `xmlSignature.signedInfo`, the
 * exclusive-canonical SignedInfo the User signed. `acceptRequest` has
 * already checked that the SignedInfo's Reference digest is the digest of
 * this same document, from which the request was read; the DSP's
 * `xml-signature` stage then verifies the signature over `signedInfo` with
 * the certificate it looks up, checks and revocation as for any request.
 * // DOMAIN §4.1, §4.8 step 1
 */
import { err, ok, type Result } from '../../core/result.ts';
import type { ServiceRequest } from '../../proto/types.ts';
import type { Certificate } from '../smki/certificate.ts';
import { readRequest, requestDocument, type RequestInput, type UserRoleOf } from './duis-request.ts';
import { readResponse, responseDocument, type DuisResponse } from './duis-response.ts';
import type { DuisXmlError } from './errors.ts';
import { serializeDocument } from './exc-c14n.ts';
import { preCommandFromPayload } from './gbcs-payload.ts';
import { inspectSignature, signDocument, verifySignature, type KeyResolver, type SignerIdentity, type XmlSigningKey } from './xml-dsig.ts';
import { parseXml, type XmlLimits } from './xml-parser.ts';
import type { XmlElement } from './xml-tree.ts';

/** Looks certificates up as XML-DSig names them; an `Smki` is one. */
export interface CertificateDirectory {
  byIssuerSerial(issuerName: string, serial: bigint): Certificate | undefined;
}

export interface AcceptOptions {
  readonly limits?: Partial<XmlLimits>;
  /** The User Role for the request's originator (DUIS carries none in the document). Default ''. */
  readonly userRole?: UserRoleOf;
  /** When given, the X509IssuerSerial must name a certificate it knows (`signature-unknown-certificate`). */
  readonly certificates?: CertificateDirectory;
}

export interface AcceptedRequest {
  /** The twin's request; `xmlSignature` holds the certificate serial, the 64-byte signature and the canonical SignedInfo. */
  readonly request: ServiceRequest;
  readonly signer: SignerIdentity;
  /** SHA-256 (hex) of the canonical document without its signature. */
  readonly digest: string;
}

const U64_MAX = (1n << 64n) - 1n;

/**
 * A User's signed DUIS request, read for the DSP: safe parsing, the
 * signature's structure, algorithms and digest, then the request. The
 * SignatureValue itself is the DSP's to verify (`xml-signature` stage).
 */
export function acceptRequest(xml: string | Uint8Array, options: AcceptOptions = {}): Result<AcceptedRequest, DuisXmlError> {
  const root = parseXml(xml, options.limits);
  return root.ok ? acceptParsed(root.value, options) : root;
}

function acceptParsed(root: XmlElement, options: AcceptOptions): Result<AcceptedRequest, DuisXmlError> {
  const facts = inspectSignature(root);
  if (!facts.ok) return facts;
  const { signer, signatureValue, signedInfo, digest } = facts.value;
  const serialPath = `/${root.local}/Signature/KeyInfo/X509Data/X509IssuerSerial/X509SerialNumber`;
  if (options.certificates !== undefined && options.certificates.byIssuerSerial(signer.issuerName, signer.serial) === undefined) {
    return err({
      code: 'signature-unknown-certificate',
      path: serialPath,
      detail: `no certificate ${signer.serial} issued by ${signer.issuerName}`,
    });
  }
  // The twin's request names its certificate by a uint64 serial (dsp.proto XmlSignature); XML-signing serials are small.
  if (signer.serial > U64_MAX)
    return err({ code: 'duis-field', path: serialPath, detail: `expected a serial below 2^64, got ${signer.serial}` });
  const unsigned = readRequest(root, options.userRole);
  if (!unsigned.ok) return unsigned;
  const request: ServiceRequest = {
    ...unsigned.value,
    xmlSignature: { certificateSerial: signer.serial, signature: signatureValue, signedInfo },
  };
  return ok({ request, signer, digest: Buffer.from(digest).toString('hex') });
}

/** {@link acceptRequest}, and the signature verified under the key `resolve` gives: for tools and tests outside the DSP. */
export function verifyRequest(
  xml: string | Uint8Array,
  resolve: KeyResolver,
  options: AcceptOptions = {},
): Result<AcceptedRequest, DuisXmlError> {
  const root = parseXml(xml, options.limits);
  if (!root.ok) return root;
  const verified = verifySignature(root.value, resolve);
  return verified.ok ? acceptParsed(root.value, options) : verified;
}

/** A User's signed request document (client side), laid out indented unless `indent: false`. */
export function writeRequest(
  r: RequestInput,
  key: XmlSigningKey,
  options: { readonly indent?: boolean } = {},
): Result<string, DuisXmlError> {
  const doc = requestDocument(r);
  return doc.ok ? ok(serializeDocument(signDocument(doc.value, key, options))) : doc;
}

/** A signed response or alert document, signed with the DSP's XML-signing key (role 0x89). // DOMAIN §4.1, §5.3 */
export function writeResponse(r: DuisResponse, key: XmlSigningKey, options: { readonly indent?: boolean } = {}): string {
  return serializeDocument(signDocument(responseDocument(r), key, options));
}

/**
 * A signed response document (client side): parsed safely, its signature
 * verified under the DSP's key — a 65-byte public key, or a resolver for
 * the X509IssuerSerial it names — and read.
 */
export function readSignedResponse(
  xml: string | Uint8Array,
  dspKey: Uint8Array | KeyResolver,
  limits: Partial<XmlLimits> = {},
): Result<{ readonly response: DuisResponse; readonly signer: SignerIdentity }, DuisXmlError> {
  const root = parseXml(xml, limits);
  if (!root.ok) return root;
  const verified = verifySignature(root.value, typeof dspKey === 'function' ? dspKey : () => dspKey);
  if (!verified.ok) return verified;
  const response = readResponse(root.value);
  return response.ok ? ok({ response: response.value, signer: verified.value.signer }) : response;
}

/** The Pre-Command bytes a CV 4 response carries, for the User to sign (client side); undefined when it carries none. */
export function preCommandOf(r: DuisResponse): Uint8Array | undefined {
  if (r.body?.kind !== 'responseMessage' || r.body.preCommand === undefined) return undefined;
  const bytes = preCommandFromPayload(r.body.preCommand.payload);
  return bytes.ok ? bytes.value : undefined;
}
