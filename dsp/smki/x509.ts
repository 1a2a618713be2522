/**
 * X.509 v3 renderings of the twin's SMKI certificates, for the parties that
 * check them with standard tools: a DUIS client verifying the DSP's XML
 * signature, OpenSSL, node:crypto. // DOMAIN §5.3
 *
 * The twin's certificates stay plain values (`certificate.ts`): the DSP
 * decides on those. An X.509 rendering states the same fields — serial,
 * issuer, validity, subject, key, key usage — and the issuing CA signs its
 * TBSCertificate with ecdsa-with-SHA256, using the deterministic signer, so
 * the same seed gives byte-identical certificates. Validity is written in
 * whole seconds (X.509 has no milliseconds): both instants are floored.
 *
 * Names follow the SMKI profile as DOMAIN §5.3 reads it from the ZAZ1 test
 * PKI: an issuing CA is `OU=07` plus a CN (ZAZ1's Organisation CA is `CN=Z1,
 * OU=07`); an Organisation Certificate's subject is OU = the remote-party
 * role code in hex and x500UniqueIdentifier = the EUI-64. The twin's CAs keep
 * their own CNs. Device Certificates are simplified: the real profile has an
 * empty subject and a critical subjectAltName hardwareModuleName; here the
 * subject is the device's x500UniqueIdentifier alone.
 */
import { createHash } from 'node:crypto';
import { eui64ToBytes, type Eui64 } from '../../core/ids.ts';
import type { Instant } from '../../core/time/duration.ts';
import type { Certificate, KeyUsage } from './certificate.ts';
import { bitString, boolean, explicit, integer, octetString, oid, sequence, set, time, tlv, unsignedInteger, utf8String } from './der.ts';
import { signDeterministic } from './signature.ts';

/** Object identifiers used in the twin's certificates. */
export const OID = {
  ecPublicKey: '1.2.840.10045.2.1',
  prime256v1: '1.2.840.10045.3.1.7',
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  commonName: '2.5.4.3',
  organizationalUnitName: '2.5.4.11',
  x500UniqueIdentifier: '2.5.4.45',
  subjectKeyIdentifier: '2.5.29.14',
  keyUsage: '2.5.29.15',
  basicConstraints: '2.5.29.19',
  authorityKeyIdentifier: '2.5.29.35',
} as const;

/**
 * One attribute of a distinguished name (one per RDN here). CN and OU are
 * UTF8String; x500UniqueIdentifier is a BIT STRING holding the 8 bytes of an
 * EUI-64 (X.520 UniqueIdentifier). // DOMAIN §5.3
 */
export type NameAttribute =
  | { readonly type: 'CN' | 'OU'; readonly value: string }
  | { readonly type: 'x500UniqueIdentifier'; readonly value: Eui64 };

/** A distinguished name in DER order: most significant RDN first. */
export type DistinguishedName = readonly NameAttribute[];

/** The OU of the twin's issuing CAs: ZAZ1's Organisation CA is OU=07 (role 7 read as "issuing authority", UNVERIFIED; DOMAIN §5.3). */
export const ISSUING_CA_OU = '07';

/** An issuing CA's name, e.g. `CN=smets-twin Organisation CA,OU=07` in RFC 4514 form. // DOMAIN §5.3 */
export function authorityName(caName: string): DistinguishedName {
  return [
    { type: 'OU', value: ISSUING_CA_OU },
    { type: 'CN', value: caName },
  ];
}

/**
 * A certificate's subject: OU = role code in two or more hex digits and
 * x500UniqueIdentifier = EUI-64 for an Organisation; x500UniqueIdentifier
 * alone for a device (no role). // DOMAIN §5.3
 */
export function subjectName(c: Pick<Certificate, 'subject' | 'roleCode'>): DistinguishedName {
  const id: NameAttribute = { type: 'x500UniqueIdentifier', value: c.subject };
  return c.roleCode === null ? [id] : [{ type: 'OU', value: roleCodeHex(c.roleCode) }, id];
}

/** A remote-party role code as the OU writes it: upper-case hex, at least two digits (2 → `02`, 0x87 → `87`). */
export const roleCodeHex = (code: number): string => code.toString(16).toUpperCase().padStart(2, '0');

/** The DER Name. */
export function encodeName(dn: DistinguishedName): Uint8Array {
  return sequence(...dn.map((a) => set(sequence(oid(ATTRIBUTE_OID[a.type]), attributeValue(a)))));
}

const ATTRIBUTE_OID: Readonly<Record<NameAttribute['type'], string>> = {
  CN: OID.commonName,
  OU: OID.organizationalUnitName,
  x500UniqueIdentifier: OID.x500UniqueIdentifier,
};

function attributeValue(a: NameAttribute): Uint8Array {
  return a.type === 'x500UniqueIdentifier' ? bitString(eui64ToBytes(a.value)) : utf8String(a.value);
}

/**
 * The RFC 4514 string of a name: RDNs last first, `CN=…,OU=07`. An attribute
 * type RFC 4514 gives no short name for (x500UniqueIdentifier) is written as
 * its OID with `#` and the hex of its DER value. // RFC 4514 §2
 */
export function rfc4514(dn: DistinguishedName): string {
  return [...dn]
    .reverse()
    .map((a) =>
      a.type === 'x500UniqueIdentifier'
        ? `${OID.x500UniqueIdentifier}=#${Buffer.from(attributeValue(a)).toString('hex').toUpperCase()}`
        : `${a.type}=${escapeValue(a.value)}`,
    )
    .join(',');
}

// RFC 4514 §2.4: escape the special characters, a leading '#' or space, a trailing space.
function escapeValue(v: string): string {
  return v
    .replace(/["+,;<>\\]/g, (c) => `\\${c}`)
    .replace(/^[# ]/, (c) => `\\${c}`)
    .replace(/ $/, '\\ ')
    .replace(/\0/g, '\\00');
}

/**
 * Whether an X509IssuerName string (RFC 4514, as XML-DSig carries it) names
 * `dn`. Lenient where tools differ and nothing can be confused: RDNs in
 * either order, spaces around `=` and `,`, attribute types by short name or
 * OID in any case, values compared case-insensitively (X.520 caseIgnoreMatch
 * for CN and OU). A string that is not a name matches nothing.
 */
export function namesMatch(issuerName: string, dn: DistinguishedName): boolean {
  const parsed = parseRfc4514(issuerName);
  if (parsed === undefined || parsed.length !== dn.length) return false;
  const want = dn.map((a) => key(ATTRIBUTE_OID[a.type], a.type === 'x500UniqueIdentifier' ? rfc4514([a]).split('=')[1]! : a.value));
  const got = parsed.map((a) => key(a.oid, a.value));
  return [...want].sort().join('\n') === [...got].sort().join('\n');
}

const key = (typeOid: string, value: string): string => `${typeOid}=${value.trim().replace(/\s+/g, ' ').toLowerCase()}`;

const SHORT_NAMES: Readonly<Record<string, string>> = { cn: OID.commonName, ou: OID.organizationalUnitName };

/** The attributes of an RFC 4514 string (unescaped), or undefined when it is not one. Multi-valued RDNs are refused. */
export function parseRfc4514(s: string): { readonly oid: string; readonly value: string }[] | undefined {
  const out: { oid: string; value: string }[] = [];
  let i = 0;
  while (i <= s.length) {
    const eq = s.indexOf('=', i);
    if (eq < 0) return undefined;
    const type = s.slice(i, eq).trim().toLowerCase();
    const typeOid =
      SHORT_NAMES[type] ?? (/^[0-2](?:\.[0-9]+)+$/.test(type) ? type : type === 'x500uniqueidentifier' ? OID.x500UniqueIdentifier : '');
    if (typeOid === '') return undefined;
    let value = '';
    let j = eq + 1;
    for (; j < s.length; j++) {
      const c = s[j]!;
      if (c === ',' || c === ';') break;
      if (c === '+') return undefined;
      if (c === '\\') {
        const hex = s.slice(j + 1, j + 3);
        if (/^[0-9A-Fa-f]{2}$/.test(hex)) {
          value += String.fromCharCode(parseInt(hex, 16));
          j += 2;
        } else if (j + 1 < s.length) {
          value += s[++j];
        } else return undefined;
      } else value += c;
    }
    out.push({ oid: typeOid, value: typeOid === OID.x500UniqueIdentifier ? value.trim().toUpperCase() : value });
    i = j + 1;
    if (j >= s.length) break;
  }
  return out;
}

/** Key usages an X.509 certificate states. `ca`: keyCertSign and cRLSign, with basicConstraints cA. */
export type X509KeyUsage = 'digitalSignature' | 'keyAgreement' | 'ca';

/** The X.509 key usage of an SMKI key usage: signing usages → digitalSignature, key agreement → keyAgreement. // DOMAIN §5.3 */
export function x509KeyUsage(usage: KeyUsage): X509KeyUsage {
  return usage === 'keyAgreement' || usage === 'keyAgreementTopUp' ? 'keyAgreement' : 'digitalSignature';
}

// KeyUsage BIT STRING (RFC 5280 §4.2.1.3): digitalSignature = bit 0, keyAgreement = bit 4,
// keyCertSign = bit 5, cRLSign = bit 6; DER drops trailing zero bits (X.690 §11.2.2).
const KEY_USAGE_BITS: Readonly<Record<X509KeyUsage, readonly [number, number]>> = {
  digitalSignature: [0x80, 7],
  keyAgreement: [0x08, 3],
  ca: [0x06, 1],
};

/** What an X.509 certificate says, before the CA signs it. */
export interface X509Fields {
  readonly serial: bigint;
  readonly issuer: DistinguishedName;
  readonly subject: DistinguishedName;
  readonly notBefore: Instant;
  readonly notAfter: Instant;
  /** 65-byte uncompressed P-256 point. */
  readonly publicKey: Uint8Array;
  readonly keyUsage: X509KeyUsage;
  /** The issuing CA's public key, for the authority key identifier. */
  readonly issuerPublicKey: Uint8Array;
}

/**
 * The DER certificate: TBSCertificate signed ecdsa-with-SHA256 by
 * `issuerPrivateKey` with the deterministic signer (RFC 6979), the signature
 * DER-encoded as X.509 requires. // RFC 5280 §4.1, RFC 5758 §3.2
 */
export function x509Certificate(f: X509Fields, issuerPrivateKey: Uint8Array): Uint8Array {
  const tbs = tbsCertificate(f);
  const algorithm = sequence(oid(OID.ecdsaWithSha256));
  return sequence(tbs, algorithm, bitString(ecdsaSignatureDer(signDeterministic(issuerPrivateKey, tbs))));
}

function tbsCertificate(f: X509Fields): Uint8Array {
  if (f.serial < 1n || f.serial >= 1n << 159n) throw new RangeError(`x509: serial ${f.serial} does not fit 20 octets`);
  const [usageByte, unused] = KEY_USAGE_BITS[f.keyUsage];
  const extensions = [
    ...(f.keyUsage === 'ca' ? [extension(OID.basicConstraints, true, sequence(boolean(true)))] : []),
    extension(OID.keyUsage, true, bitString(Uint8Array.of(usageByte), unused)),
    extension(OID.subjectKeyIdentifier, false, octetString(keyIdentifier(f.publicKey))),
    // AuthorityKeyIdentifier { keyIdentifier [0] IMPLICIT OCTET STRING }
    extension(OID.authorityKeyIdentifier, false, sequence(tlv(0x80, keyIdentifier(f.issuerPublicKey)))),
  ];
  return sequence(
    explicit(0, integer(2n)), // v3
    integer(f.serial),
    sequence(oid(OID.ecdsaWithSha256)),
    encodeName(f.issuer),
    sequence(time(f.notBefore), time(f.notAfter)),
    encodeName(f.subject),
    subjectPublicKeyInfo(f.publicKey),
    explicit(3, sequence(...extensions)),
  );
}

/** SubjectPublicKeyInfo for id-ecPublicKey on prime256v1 with the 65-byte point. // RFC 5480 §2 */
export function subjectPublicKeyInfo(publicKey: Uint8Array): Uint8Array {
  if (publicKey.length !== 65 || publicKey[0] !== 4) throw new RangeError('x509: the public key must be a 65-byte uncompressed point');
  return sequence(sequence(oid(OID.ecPublicKey), oid(OID.prime256v1)), bitString(publicKey));
}

function extension(id: string, critical: boolean, value: Uint8Array): Uint8Array {
  // DER leaves out a BOOLEAN equal to its DEFAULT (FALSE). // X.690 §11.5
  return sequence(oid(id), ...(critical ? [boolean(true)] : []), octetString(value));
}

/** The key identifier: SHA-1 of the subjectPublicKey bits (RFC 5280 §4.2.1.2 method 1); an identifier, not a security function. */
export function keyIdentifier(publicKey: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha1').update(publicKey).digest());
}

/** A 64-byte r ‖ s signature as X.509 carries it: SEQUENCE { INTEGER r, INTEGER s }. // RFC 5758 §3.2 */
export function ecdsaSignatureDer(rs: Uint8Array): Uint8Array {
  if (rs.length !== 64) throw new RangeError(`x509: an r ‖ s signature is 64 bytes, got ${rs.length}`);
  return sequence(unsignedInteger(rs.subarray(0, 32)), unsignedInteger(rs.subarray(32)));
}

/** The X.509 fields of a twin certificate, issued by the CA with `issuerPublicKey`. */
export function x509FieldsOf(cert: Certificate, issuerPublicKey: Uint8Array): X509Fields {
  return {
    serial: cert.serial,
    issuer: authorityName(cert.issuer),
    subject: subjectName(cert),
    notBefore: cert.notBefore,
    notAfter: cert.notAfter,
    publicKey: cert.publicKey,
    keyUsage: x509KeyUsage(cert.keyUsage),
    issuerPublicKey,
  };
}

/** The X509IssuerName XML-DSig writes for a certificate: its issuing CA's name in RFC 4514 form. */
export function x509IssuerName(cert: Pick<Certificate, 'issuer'>): string {
  return rfc4514(authorityName(cert.issuer));
}
