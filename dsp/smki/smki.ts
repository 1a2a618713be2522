/**
 * The SMKI of one run: an Organisation CA and a Device CA with keys from the
 * run's seed, the certificates they issue, and the revocation list the DSP
 * enforces. // DOMAIN §5.3
 *
 * Revocation is the DSP's business only: devices do not consult a CRL and keep
 * trusting whatever certificate sits in their trust anchor cells until a CS02b
 * replaces it. So a revoked Supplier's signatures still verify at the meter;
 * what stops them is the DSP refusing the revoked certificate (X3). // DOMAIN §5.3
 */
import type { Eui64 } from '../../core/ids.ts';
import { err, ok, type Result } from '../../core/result.ts';
import type { Instant } from '../../core/time/duration.ts';
import { reject, type Rejection } from '../response-codes.ts';
import {
  REMOTE_PARTY_ROLE,
  signCertificate,
  type Certificate,
  type CertificateAuthority,
  type CertificateFields,
  type CertificateKind,
  type KeyUsage,
  type Validity,
} from './certificate.ts';
import { keyPairFromSeed, type SmkiSeed } from './key-pair.ts';
import { SignatureVerifier, type HighSPolicy } from './signature.ts';
import { certificatePem } from './pem.ts';
import { authorityName, namesMatch, x509Certificate, x509FieldsOf } from './x509.ts';

/** A certificate and its private key, handed to the party it was issued for (a User, an SRP, a device). */
export interface Credential {
  readonly certificate: Certificate;
  /** 32-byte P-256 scalar. The Smki keeps no copy. */
  readonly privateKey: Uint8Array;
}

/** A device's two certificates: one Digital-Signing, one Key-Agreement. // DOMAIN §5.3 */
export interface DeviceCredentials {
  readonly digitalSigning: Credential;
  readonly keyAgreement: Credential;
}

export interface SmkiOptions {
  /** The run's seed: all SMKI keys derive from it. */
  readonly seed: SmkiSeed;
  /** The high-S policy of {@link Smki.verify}. Default `accept` (see `HighSPolicy`). */
  readonly highS?: HighSPolicy;
  /** Validity of device certificates. Default 1970-01-01 to 9999-12-31T23:59:59Z. // DOMAIN §5.3 */
  readonly deviceValidity?: Validity;
}

/** Device certificates run to 31-12-9999 in the test estate. // DOMAIN §5.3 */
export const DEFAULT_DEVICE_VALIDITY: Validity = { notBefore: 0, notAfter: Date.UTC(9999, 11, 31, 23, 59, 59) };

/** Names of the twin's issuing CAs. */
export const ORGANISATION_CA_NAME = 'smets-twin Organisation CA';
export const DEVICE_CA_NAME = 'smets-twin Device CA';

// Device serials are 2^72 + EUI-64·256 + usage, so a device's serials do not
// depend on which devices were issued before it (issuance is lazy and its
// order varies with the scenario), and never meet Organisation serials,
// which count up from 1.
const DEVICE_SERIAL_BASE = 1n << 72n;
const DEVICE_USAGE_TAG: Readonly<Record<'digitalSigning' | 'keyAgreement', bigint>> = { digitalSigning: 1n, keyAgreement: 2n };
/**
 * Serials of the CAs' self-signed certificates: above every serial they issue
 * (Organisation serials count from 1, device serials are below 2^73), so an
 * (issuer, serial) pair names one certificate.
 */
export const AUTHORITY_SERIAL: Readonly<Record<CertificateKind, bigint>> = { organisation: (1n << 120n) + 1n, device: (1n << 120n) + 2n };
const XML_SIGNING_ROLES: readonly number[] = [REMOTE_PARTY_ROLE.xmlSigning, REMOTE_PARTY_ROLE.dspXmlSigning];

/**
 * The PKI service for one run.
 *
 * @example
 * const smki = new Smki({ seed: 20260329 });
 * const ds = smki.issueOrganisation(supplier, REMOTE_PARTY_ROLE.supplier, 'digitalSigning', { notBefore: t0, notAfter: t1 });
 * smki.check(ds.certificate.serial, supplier, 'digitalSigning', now); // ok(certificate)
 */
export class Smki {
  readonly organisationCa: CertificateAuthority;
  readonly deviceCa: CertificateAuthority;
  /** The fast verifier this Smki checks signatures with; its key cache is shared by every check. */
  readonly verifier: SignatureVerifier;

  private readonly seed: SmkiSeed;
  private readonly organisationCaKey: Uint8Array;
  private readonly deviceCaKey: Uint8Array;
  private readonly deviceValidity: Validity;
  private readonly certificates = new Map<bigint, Certificate>();
  private readonly latest = new Map<string, Certificate>();
  private readonly generations = new Map<string, number>();
  private readonly revocations = new Map<bigint, Instant>();
  private nextSerial = 1n;
  /** X.509 renderings made so far, by serial: each costs a signature. */
  private readonly x509s = new Map<bigint, Uint8Array>();

  constructor(options: SmkiOptions) {
    this.seed = options.seed;
    const organisation = keyPairFromSeed(options.seed, 'ca:organisation');
    const device = keyPairFromSeed(options.seed, 'ca:device');
    this.organisationCa = { name: ORGANISATION_CA_NAME, publicKey: organisation.publicKey };
    this.deviceCa = { name: DEVICE_CA_NAME, publicKey: device.publicKey };
    this.organisationCaKey = organisation.privateKey;
    this.deviceCaKey = device.privateKey;
    this.deviceValidity = options.deviceValidity ?? DEFAULT_DEVICE_VALIDITY;
    this.verifier = new SignatureVerifier({ highS: options.highS ?? 'accept' });
  }

  /** The CAs the DSP trusts, for `verifyCertificate`. */
  get authorities(): readonly CertificateAuthority[] {
    return [this.organisationCa, this.deviceCa];
  }

  /**
   * Issues an Organisation certificate and its key pair. Serials count up from
   * 1 in issuing order. Issuing again for the same subject, role and usage
   * gives a new key (a renewal); `find` then returns the newer certificate.
   * XML-signing usage goes with roles 0x87 and 0x89 only, and those roles with
   * it only (DOMAIN §5.3); breaking that, a role outside 0..255 or bad
   * validity is a bug: RangeError.
   */
  issueOrganisation(subject: Eui64, roleCode: number, usage: KeyUsage, validity: Validity): Credential {
    if ((usage === 'xmlSigning') !== XML_SIGNING_ROLES.includes(roleCode)) {
      throw new RangeError(`issueOrganisation: usage ${usage} does not go with role 0x${roleCode.toString(16)}`);
    }
    const lineage = `organisation:${subject}:role-${roleCode}:${usage}`;
    const generation = this.generations.get(lineage) ?? 0;
    const keys = keyPairFromSeed(this.seed, `${lineage}:${generation}`);
    const fields: CertificateFields = {
      serial: this.nextSerial,
      subject,
      roleCode,
      keyUsage: usage,
      kind: 'organisation',
      publicKey: keys.publicKey,
      issuer: this.organisationCa.name,
      notBefore: validity.notBefore,
      notAfter: validity.notAfter,
    };
    const certificate = signCertificate(fields, this.organisationCaKey);
    this.nextSerial++;
    this.generations.set(lineage, generation + 1);
    this.store(certificate);
    return { certificate, privateKey: keys.privateKey };
  }

  /**
   * The device's Digital-Signing and Key-Agreement credentials. Made when first
   * asked for, not up front: an estate has up to 100 000 devices and each
   * certificate costs a signature. Asking again gives the same certificates.
   */
  issueDevice(device: Eui64): DeviceCredentials {
    return { digitalSigning: this.deviceCredential(device, 'digitalSigning'), keyAgreement: this.deviceCredential(device, 'keyAgreement') };
  }

  /** The certificate with this serial, if issued. */
  bySerial(serial: bigint): Certificate | undefined {
    return this.certificates.get(serial);
  }

  /** The subject's most recently issued certificate for `usage`, if any (revoked or not). */
  find(subject: Eui64, usage: KeyUsage): Certificate | undefined {
    return this.latest.get(`${subject}/${usage}`);
  }

  /**
   * Revokes a certificate from instant `at` on. Revocation is never undone; a
   * second revocation keeps the earlier instant. An unknown serial: X12.
   */
  revoke(serial: bigint, at: Instant): Result<Certificate, Rejection> {
    const certificate = this.certificates.get(serial);
    if (!certificate) return err(reject('X12', `certificate ${serial} is unknown`));
    const before = this.revocations.get(serial);
    if (before === undefined || at < before) this.revocations.set(serial, at);
    return ok(certificate);
  }

  /** True when the certificate was revoked at or before `at`. */
  isRevoked(serial: bigint, at: Instant): boolean {
    const revokedAt = this.revocations.get(serial);
    return revokedAt !== undefined && at >= revokedAt;
  }

  /** The instant the certificate was revoked from, if it was. */
  revokedAt(serial: bigint): Instant | undefined {
    return this.revocations.get(serial);
  }

  /**
   * The certificate the DSP may rely on for `subject` using `usage` at `at`:
   * an unknown serial, another subject's certificate, another usage or an
   * instant outside its validity is X12; a revoked certificate is X3.
   * // DOMAIN §5.3, MP134A
   */
  check(serial: bigint, subject: Eui64, usage: KeyUsage, at: Instant): Result<Certificate, Rejection> {
    const c = this.certificates.get(serial);
    if (!c) return err(reject('X12', `certificate ${serial} is unknown`));
    if (c.subject !== subject) return err(reject('X12', `certificate ${serial} is not ${subject}'s`));
    if (c.keyUsage !== usage) return err(reject('X12', `certificate ${serial} is for ${c.keyUsage}, not ${usage}`));
    if (at < c.notBefore || at > c.notAfter) {
      return err(reject('X12', `certificate ${serial} is valid from ${iso(c.notBefore)} to ${iso(c.notAfter)}, not at ${iso(at)}`));
    }
    const revokedAt = this.revocations.get(serial);
    if (revokedAt !== undefined && at >= revokedAt) return err(reject('X3', `certificate ${serial} was revoked at ${iso(revokedAt)}`));
    return ok(c);
  }

  /**
   * {@link check}, then the signature over `message` under the certificate's
   * key: a signature that is not valid under this Smki's high-S policy is X2.
   */
  verify(
    serial: bigint,
    subject: Eui64,
    usage: KeyUsage,
    at: Instant,
    message: Uint8Array,
    signature: Uint8Array,
  ): Result<Certificate, Rejection> {
    const checked = this.check(serial, subject, usage, at);
    if (!checked.ok) return checked;
    const verdict = this.verifier.verify(checked.value.publicKey, message, signature);
    return verdict === 'valid' ? checked : err(reject('X2', `the signature is ${verdict} under certificate ${serial}`));
  }

  // ---- X.509 and PEM (dsp/smki/x509.ts) ----

  /**
   * The X.509 DER of the certificate with this serial, if this Smki issued
   * it: the same fields, signed by the same CA over the TBSCertificate.
   * Rendered once per serial; byte-identical for the same seed. // DOMAIN §5.3
   */
  x509(serial: bigint): Uint8Array | undefined {
    const cert = this.certificates.get(serial);
    if (cert === undefined) return undefined;
    let der = this.x509s.get(serial);
    if (der === undefined) {
      const ca = cert.kind === 'organisation' ? this.organisationCa : this.deviceCa;
      der = x509Certificate(x509FieldsOf(cert, ca.publicKey), this.caKey(cert.kind));
      this.x509s.set(serial, der);
    }
    return der;
  }

  /** The certificate with this serial as PEM, if this Smki issued it. */
  certificatePem(serial: bigint): string | undefined {
    const der = this.x509(serial);
    return der === undefined ? undefined : certificatePem(der);
  }

  /**
   * An issuing CA's self-signed X.509 certificate, the trust anchor a DUIS
   * client configures: serial {@link AUTHORITY_SERIAL}, valid from the epoch
   * to the end of 9999, keyCertSign and cRLSign, basicConstraints cA.
   */
  authorityX509(kind: CertificateKind): Uint8Array {
    const ca = kind === 'organisation' ? this.organisationCa : this.deviceCa;
    const name = authorityName(ca.name);
    return x509Certificate(
      {
        serial: AUTHORITY_SERIAL[kind],
        issuer: name,
        subject: name,
        notBefore: 0,
        notAfter: DEFAULT_DEVICE_VALIDITY.notAfter,
        publicKey: ca.publicKey,
        keyUsage: 'ca',
        issuerPublicKey: ca.publicKey,
      },
      this.caKey(kind),
    );
  }

  /** {@link authorityX509} as PEM. */
  authorityPem(kind: CertificateKind): string {
    return certificatePem(this.authorityX509(kind));
  }

  /**
   * The certificate XML-DSig's `X509IssuerSerial` names: `issuerName` an
   * RFC 4514 string naming the issuing CA (`CN=smets-twin Organisation
   * CA,OU=07`; order, spacing and case are forgiven, see `namesMatch`),
   * `serial` a bigint or the decimal `X509SerialNumber`. Undefined when no
   * certificate this Smki issued has that issuer and serial.
   */
  byIssuerSerial(issuerName: string, serial: bigint | string): Certificate | undefined {
    if (typeof serial === 'string' && !/^[0-9]{1,49}$/.test(serial)) return undefined;
    const cert = this.certificates.get(typeof serial === 'string' ? BigInt(serial) : serial);
    return cert !== undefined && namesMatch(issuerName, authorityName(cert.issuer)) ? cert : undefined;
  }

  private caKey(kind: CertificateKind): Uint8Array {
    return kind === 'organisation' ? this.organisationCaKey : this.deviceCaKey;
  }

  private deviceCredential(device: Eui64, usage: 'digitalSigning' | 'keyAgreement'): Credential {
    const keys = keyPairFromSeed(this.seed, `device:${device}:${usage === 'digitalSigning' ? 'ds' : 'ka'}`);
    const serial = DEVICE_SERIAL_BASE + (BigInt(`0x${device.replaceAll('-', '')}`) << 8n) + DEVICE_USAGE_TAG[usage];
    const issued = this.certificates.get(serial);
    if (issued) return { certificate: issued, privateKey: keys.privateKey };
    const certificate = signCertificate(
      {
        serial,
        subject: device,
        roleCode: null,
        keyUsage: usage,
        kind: 'device',
        publicKey: keys.publicKey,
        issuer: this.deviceCa.name,
        notBefore: this.deviceValidity.notBefore,
        notAfter: this.deviceValidity.notAfter,
      },
      this.deviceCaKey,
    );
    this.store(certificate);
    return { certificate, privateKey: keys.privateKey };
  }

  private store(c: Certificate): void {
    this.certificates.set(c.serial, c);
    this.latest.set(`${c.subject}/${c.keyUsage}`, c);
  }
}

function iso(at: Instant): string {
  return Number.isFinite(at) && Math.abs(at) <= 8.64e15 ? new Date(at).toISOString() : String(at);
}
