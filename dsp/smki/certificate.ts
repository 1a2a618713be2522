/**
 * SMKI-like certificates as plain typed values. // DOMAIN §5.3
 *
 * Not X.509. A certificate here holds what the DSP checks of an SMKI
 * certificate — serial, subject EUI-64, remote-party role, key usage, public
 * key, issuer, validity — and the issuing CA's ECDSA P-256 signature over a
 * byte encoding of those fields defined below. ASN.1/DER would add parsing
 * code and failure modes the twin does not need to model; the encoding below
 * is unambiguous (fixed order, every field length-prefixed) so a signature
 * covers exactly one set of field values.
 *
 * The twin's SMKI has two issuing CAs, Organisation and Device, which the DSP
 * trusts directly (no root above them is modelled), so a certificate chain is
 * one link: end-entity certificate → issuing CA key.
 */
import { eui64ToBytes, toEui64, type Eui64 } from '../../core/ids.ts';
import type { Instant } from '../../core/time/duration.ts';
import { checkPublicKey, signDeterministic, SignatureVerifier } from './signature.ts';

/** Remote-party role codes carried in Organisation certificates (subject OU). // DOMAIN §5.3 */
export const REMOTE_PARTY_ROLE = {
  recovery: 1,
  supplier: 2,
  networkOperator: 3,
  accessControlBroker: 4,
  transitionalCoS: 5,
  wanProvider: 6,
  loadController: 8,
  /** A non-device User ("other"). */
  otherUser: 0x7f,
  /** Certificates Users sign DUIS XML with; distinct from GBCS Digital-Signing. */
  xmlSigning: 0x87,
  /** The DSP's own XML-signing certificate. */
  dspXmlSigning: 0x89,
} as const;

/** What the certified key may be used for. // DOMAIN §5.2, §5.3 (DUIS certificate types) */
export type KeyUsage = 'digitalSigning' | 'keyAgreement' | 'keyAgreementTopUp' | 'xmlSigning';
export const KEY_USAGES: readonly KeyUsage[] = ['digitalSigning', 'keyAgreement', 'keyAgreementTopUp', 'xmlSigning'];

/** Organisation certificates certify Users and DCC parties; Device certificates certify devices. // DOMAIN §5.3 */
export type CertificateKind = 'organisation' | 'device';
export const CERTIFICATE_KINDS: readonly CertificateKind[] = ['organisation', 'device'];

/** The period a certificate is valid in: notBefore ≤ at ≤ notAfter, both included (as in X.509). */
export interface Validity {
  readonly notBefore: Instant;
  readonly notAfter: Instant;
}

/** Everything a certificate says, without the CA's signature. */
export interface CertificateFields extends Validity {
  /** 1 .. 2^160 − 1 (at most 20 bytes, as in X.509). */
  readonly serial: bigint;
  /** The holder's EUI-64: the Organisation's or the device's. */
  readonly subject: Eui64;
  /**
   * The remote-party role code, 0..255 ({@link REMOTE_PARTY_ROLE}); null on
   * device certificates, which name no remote-party role. // DOMAIN §5.3
   */
  readonly roleCode: number | null;
  readonly keyUsage: KeyUsage;
  readonly kind: CertificateKind;
  /** The certified key: 65-byte uncompressed P-256 point. */
  readonly publicKey: Uint8Array;
  /** The issuing CA's name. */
  readonly issuer: string;
}

/** A certificate: its fields and the issuing CA's 64-byte signature over {@link encodeCertificateFields}. */
export interface Certificate extends CertificateFields {
  readonly signature: Uint8Array;
}

/** An issuing CA as the DSP knows it: a name and a public key. */
export interface CertificateAuthority {
  readonly name: string;
  readonly publicKey: Uint8Array;
}

/**
 * - `valid`: well-formed, issued by a known CA, and the signature verifies;
 * - `malformed`: a field is out of range (see {@link checkCertificateFields});
 * - `unknown-issuer`: no authority of that name;
 * - `bad-signature`: the CA's signature does not verify over these fields.
 */
export type CertificateVerdict = 'valid' | 'malformed' | 'unknown-issuer' | 'bad-signature';

// Opens every encoding: a CA signature over certificate fields can never be
// taken for a signature over any other kind of message.
const FORMAT = new TextEncoder().encode('smets-twin SMKI certificate v1');
const SERIAL_LIMIT = 1n << 160n;
const MAX_FIELD = 0xffff;
const utf8 = new TextEncoder();

/**
 * What is wrong with the fields, or undefined when they are all in range:
 * serial in 1..2^160 − 1, subject a canonical EUI-64, roleCode null or
 * 0..255, a known key usage and kind, a valid public key, a non-empty issuer
 * name, safe-integer instants with notBefore ≤ notAfter.
 */
export function checkCertificateFields(f: CertificateFields): string | undefined {
  if (typeof f.serial !== 'bigint' || f.serial < 1n || f.serial >= SERIAL_LIMIT) return 'serial outside 1..2^160-1';
  const subject = toEui64(f.subject, 'subject');
  if (!subject.ok || subject.value !== f.subject) return 'subject is not a canonical EUI-64';
  if (f.roleCode !== null && !(Number.isInteger(f.roleCode) && f.roleCode >= 0 && f.roleCode <= 255)) return 'roleCode outside 0..255';
  if (!KEY_USAGES.includes(f.keyUsage)) return 'unknown key usage';
  if (!CERTIFICATE_KINDS.includes(f.kind)) return 'unknown kind';
  const key = checkPublicKey(f.publicKey);
  if (!key.ok) return `publicKey: ${key.error.reason}`;
  if (typeof f.issuer !== 'string' || f.issuer.length === 0 || utf8.encode(f.issuer).length > MAX_FIELD)
    return 'issuer name empty or too long';
  if (!Number.isSafeInteger(f.notBefore) || !Number.isSafeInteger(f.notAfter)) return 'validity instants are not integer milliseconds';
  if (f.notBefore > f.notAfter) return 'notBefore is after notAfter';
  return undefined;
}

/**
 * The bytes the CA signs. Fields in this fixed order, each as a big-endian
 * uint16 length followed by its bytes:
 *
 *  1. format tag `smets-twin SMKI certificate v1` (ASCII)
 *  2. serial: unsigned big-endian, minimal length (1..20 bytes)
 *  3. subject: the 8 bytes of the EUI-64
 *  4. roleCode: 1 byte, or 0 bytes when null
 *  5. keyUsage: its name in ASCII
 *  6. kind: its name in ASCII
 *  7. publicKey: 65 bytes
 *  8. issuer: UTF-8
 *  9. notBefore: int64 big-endian milliseconds
 * 10. notAfter: int64 big-endian milliseconds
 *
 * Fields out of range are a bug here (they come from the issuer): RangeError.
 */
export function encodeCertificateFields(f: CertificateFields): Uint8Array {
  const problem = checkCertificateFields(f);
  if (problem !== undefined) throw new RangeError(`encodeCertificateFields: ${problem}`);
  const serialHex = f.serial.toString(16);
  const parts = [
    FORMAT,
    Uint8Array.from(Buffer.from(serialHex.length % 2 === 0 ? serialHex : `0${serialHex}`, 'hex')),
    eui64ToBytes(f.subject),
    f.roleCode === null ? new Uint8Array(0) : Uint8Array.of(f.roleCode),
    utf8.encode(f.keyUsage),
    utf8.encode(f.kind),
    f.publicKey,
    utf8.encode(f.issuer),
    int64(f.notBefore),
    int64(f.notAfter),
  ];
  const out = new Uint8Array(parts.reduce((n, p) => n + 2 + p.length, 0));
  const view = new DataView(out.buffer);
  let at = 0;
  for (const p of parts) {
    view.setUint16(at, p.length);
    out.set(p, at + 2);
    at += 2 + p.length;
  }
  return out;
}

/**
 * The certificate for `fields`, signed by the CA's private key with the
 * deterministic signer, so a run's certificates reproduce from its seed.
 * The public key is copied, so later changes to the caller's array do not
 * reach the certificate.
 */
export function signCertificate(fields: CertificateFields, caPrivateKey: Uint8Array): Certificate {
  const copy: CertificateFields = { ...fields, publicKey: Uint8Array.from(fields.publicKey) };
  return { ...copy, signature: signDeterministic(caPrivateKey, encodeCertificateFields(copy)) };
}

const defaultVerifier = new SignatureVerifier();

/**
 * Checks a certificate against the CAs the DSP trusts: its fields are in
 * range, its issuer is one of `authorities` (by name), and that CA's key
 * verifies the signature over the encoded fields. Never throws.
 */
export function verifyCertificate(
  cert: Certificate,
  authorities: readonly CertificateAuthority[],
  verifier: SignatureVerifier = defaultVerifier,
): CertificateVerdict {
  if (checkCertificateFields(cert) !== undefined) return 'malformed';
  const ca = authorities.find((a) => a.name === cert.issuer);
  if (!ca) return 'unknown-issuer';
  return verifier.verify(ca.publicKey, encodeCertificateFields(cert), cert.signature) === 'valid' ? 'valid' : 'bad-signature';
}

function int64(ms: Instant): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigInt64(0, BigInt(ms));
  return out;
}
