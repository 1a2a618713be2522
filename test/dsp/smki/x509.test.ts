import { execFileSync } from 'node:child_process';
import { createPrivateKey, sign, verify, X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { eui64FromIndex, eui64ToBytes, type Eui64 } from '../../../core/ids.ts';
import { DAY_MS } from '../../../core/time/duration.ts';
import { REMOTE_PARTY_ROLE, type Certificate, type KeyUsage, type Validity } from '../../../dsp/smki/certificate.ts';
import { privateKeyFromPem, privateKeyPem, publicKeyFromCertificatePem } from '../../../dsp/smki/pem.ts';
import { AUTHORITY_SERIAL, DEVICE_CA_NAME, ORGANISATION_CA_NAME, Smki, type Credential } from '../../../dsp/smki/smki.ts';
import { x509IssuerName } from '../../../dsp/smki/x509.ts';

const supplier = '90-B3-D5-1F-30-01-00-00' as Eui64;
const srp = '90-B3-D5-1F-30-05-00-00' as Eui64;
const dsp = '90-B3-D5-1F-30-00-00-09' as Eui64;
const meter = '00-DB-12-34-56-78-90-A0' as Eui64;
const t0 = Date.UTC(2026, 0, 1, 12, 30, 15, 250);
const year: Validity = { notBefore: t0, notAfter: t0 + 365 * DAY_MS };
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

/** A world's credentials of every kind: Organisation (DS, KA, XML, DSP XML) and a device's two. */
function credentials(seed: number | string): { smki: Smki; all: Credential[] } {
  const smki = new Smki({ seed });
  const org = (id: Eui64, role: number, usage: KeyUsage): Credential => smki.issueOrganisation(id, role, usage, year);
  const device = smki.issueDevice(meter);
  const all = [
    org(supplier, REMOTE_PARTY_ROLE.supplier, 'digitalSigning'),
    org(supplier, REMOTE_PARTY_ROLE.supplier, 'keyAgreement'),
    org(supplier, REMOTE_PARTY_ROLE.supplier, 'keyAgreementTopUp'),
    org(srp, REMOTE_PARTY_ROLE.xmlSigning, 'xmlSigning'),
    org(dsp, REMOTE_PARTY_ROLE.dspXmlSigning, 'xmlSigning'),
    device.digitalSigning,
    device.keyAgreement,
  ];
  return { smki, all };
}

const caOf = (smki: Smki, c: Certificate): X509Certificate => new X509Certificate(smki.authorityPem(c.kind));

/** The x500UniqueIdentifier attribute as DER puts it in a Name: OID 2.5.4.45, BIT STRING of the 8 EUI bytes. */
const uniqueIdentifierDer = (eui: Eui64): string => `0603 55042d 0309 00${hex(eui64ToBytes(eui))}`.replace(/ /g, '');

describe('X.509 renderings of SMKI certificates // DOMAIN §5.3', () => {
  it('node:crypto parses every certificate, and the issuing CA’s key verifies it', () => {
    const { smki, all } = credentials(1);
    for (const { certificate: c } of all) {
      const x = new X509Certificate(smki.certificatePem(c.serial)!);
      const ca = caOf(smki, c);
      expect(x.verify(ca.publicKey), `serial ${c.serial}`).toBe(true);
      expect(x.checkIssued(ca)).toBe(true);
      expect(x.verify(caOf(smki, { ...c, kind: c.kind === 'device' ? 'organisation' : 'device' }).publicKey)).toBe(false);
      expect(x.ca).toBe(false);
    }
  });

  it('reads back serial, issuer, subject, validity and key as the certificate value states them', () => {
    const { smki, all } = credentials(1);
    for (const { certificate: c } of all) {
      const x = new X509Certificate(smki.certificatePem(c.serial)!);
      expect(BigInt(`0x${x.serialNumber}`)).toBe(c.serial);
      expect(x.issuer).toBe(`OU=07\nCN=${c.kind === 'organisation' ? ORGANISATION_CA_NAME : DEVICE_CA_NAME}`);
      // Validity in whole seconds: X.509 has no milliseconds. // RFC 5280 §4.1.2.5
      expect(Date.parse(x.validFrom)).toBe(Math.floor(c.notBefore / 1000) * 1000);
      expect(Date.parse(x.validTo)).toBe(Math.floor(c.notAfter / 1000) * 1000);
      expect(publicKeyFromCertificatePem(x.toString())).toEqual({ ok: true, value: c.publicKey });
      // Subject: OU = role code in hex (Organisations only), x500UniqueIdentifier = EUI-64.
      expect(hex(x.raw)).toContain(uniqueIdentifierDer(c.subject));
      if (c.roleCode === null) expect(x.subject.startsWith('x500UniqueIdentifier=')).toBe(true);
      else expect(x.subject.split('\n')[0]).toBe(`OU=${c.roleCode.toString(16).toUpperCase().padStart(2, '0')}`);
    }
    const xml = all[3]!.certificate;
    expect(new X509Certificate(smki.certificatePem(xml.serial)!).subject.split('\n')[0]).toBe('OU=87');
    const dspXml = all[4]!.certificate;
    expect(new X509Certificate(smki.certificatePem(dspXml.serial)!).subject.split('\n')[0]).toBe('OU=89');
  });

  it('states keyUsage digitalSignature for signing and XML-signing keys, keyAgreement for key-agreement keys (critical)', () => {
    const { smki, all } = credentials(1);
    // Extension keyUsage, critical, BIT STRING: 07 80 = digitalSignature, 03 08 = keyAgreement. // RFC 5280 §4.2.1.3
    const usage = (bits: string): string => `0603551d0f0101ff0404030${bits}`;
    for (const { certificate: c } of all) {
      const der = hex(smki.x509(c.serial)!);
      const agreement = c.keyUsage === 'keyAgreement' || c.keyUsage === 'keyAgreementTopUp';
      expect(der).toContain(usage(agreement ? '20308' : '20780'));
      expect(der).not.toContain(usage(agreement ? '20780' : '20308'));
    }
  });

  it('the CAs are self-signed, cA, keyCertSign, with serials above every serial they issue', () => {
    const { smki } = credentials(1);
    for (const kind of ['organisation', 'device'] as const) {
      const ca = new X509Certificate(smki.authorityPem(kind));
      expect(ca.ca).toBe(true);
      expect(ca.verify(ca.publicKey)).toBe(true);
      expect(ca.subject).toBe(ca.issuer);
      expect(BigInt(`0x${ca.serialNumber}`)).toBe(AUTHORITY_SERIAL[kind]);
      expect(publicKeyFromCertificatePem(ca.toString())).toEqual({
        ok: true,
        value: kind === 'organisation' ? smki.organisationCa.publicKey : smki.deviceCa.publicKey,
      });
    }
  });

  it('a credential’s PKCS#8 PEM loads in node:crypto and signs what its certificate’s key verifies', () => {
    const { smki, all } = credentials(1);
    const msg = Buffer.from('<sr:Request/>');
    for (const { certificate: c, privateKey } of all) {
      const pem = privateKeyPem(privateKey, c.publicKey);
      expect(pem).toMatch(/^-----BEGIN PRIVATE KEY-----\n[A-Za-z0-9+/=\n]+\n-----END PRIVATE KEY-----\n$/);
      const signature = sign('sha256', msg, createPrivateKey(pem));
      expect(verify('sha256', msg, new X509Certificate(smki.certificatePem(c.serial)!).publicKey, signature)).toBe(true);
      expect(privateKeyFromPem(pem)).toEqual({ ok: true, value: privateKey });
      expect(privateKeyPem(privateKey)).toBe(pem); // the public key is derived when not given
    }
    expect(privateKeyFromPem('-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n').ok).toBe(false);
    expect(publicKeyFromCertificatePem('not a certificate').ok).toBe(false);
  });

  it('is deterministic: the same seed gives byte-identical certificates, another seed does not', () => {
    const pems = (seed: number): string[] => {
      const { smki, all } = credentials(seed);
      return [
        ...all.map((c) => smki.certificatePem(c.certificate.serial)!),
        smki.authorityPem('organisation'),
        smki.authorityPem('device'),
      ];
    };
    const seed = globalThis.__testSeed;
    const a = pems(seed);
    expect(pems(seed)).toEqual(a);
    const b = pems(seed + 1);
    for (let i = 0; i < a.length; i++) expect(b[i]).not.toBe(a[i]);
    // Asking again for the same serial gives the same bytes (rendered once).
    const { smki, all } = credentials(seed);
    expect(smki.x509(all[0]!.certificate.serial)).toBe(smki.x509(all[0]!.certificate.serial));
  });

  it('renders only certificates this Smki issued', () => {
    const { smki } = credentials(1);
    expect(smki.x509(999n)).toBeUndefined();
    expect(smki.certificatePem(999n)).toBeUndefined();
  });

  it('property: any subject, role and validity renders to a certificate node:crypto parses and the CA verifies', () => {
    const roles = Object.values(REMOTE_PARTY_ROLE).filter(
      (r) => r !== REMOTE_PARTY_ROLE.xmlSigning && r !== REMOTE_PARTY_ROLE.dspXmlSigning,
    );
    const smki = new Smki({ seed: globalThis.__testSeed });
    const ca = new X509Certificate(smki.authorityPem('organisation'));
    fc.assert(
      fc.property(
        fc.nat({ max: 0xffff }),
        fc.constantFrom(...roles),
        fc.constantFrom<KeyUsage>('digitalSigning', 'keyAgreement'),
        fc.integer({ min: Date.UTC(1900, 0, 1), max: Date.UTC(2100, 0, 1) }),
        fc.integer({ min: 0, max: Date.UTC(9999, 11, 31) - Date.UTC(2100, 0, 1) }),
        (index, role, usage, notBefore, span) => {
          const c = smki.issueOrganisation(eui64FromIndex(0x90b3d51f, index), role, usage, {
            notBefore,
            notAfter: notBefore + span,
          }).certificate;
          const x = new X509Certificate(smki.certificatePem(c.serial)!);
          expect(x.verify(ca.publicKey)).toBe(true);
          expect(BigInt(`0x${x.serialNumber}`)).toBe(c.serial);
          expect(Date.parse(x.validFrom)).toBe(Math.floor(notBefore / 1000) * 1000);
          expect(Date.parse(x.validTo)).toBe(Math.floor((notBefore + span) / 1000) * 1000);
        },
      ),
      { numRuns: 30 },
    );
  });
});

describe('looking a certificate up as XML-DSig X509IssuerSerial names it', () => {
  const { smki, all } = credentials(1);
  const xml = all[3]!.certificate;

  it('finds it by the RFC 4514 issuer name the twin writes and the decimal serial', () => {
    expect(x509IssuerName(xml)).toBe(`CN=${ORGANISATION_CA_NAME},OU=07`);
    expect(smki.byIssuerSerial(x509IssuerName(xml), String(xml.serial))).toBe(xml);
    expect(smki.byIssuerSerial(x509IssuerName(xml), xml.serial)).toBe(xml);
  });

  it('forgives order, spacing, case and OIDs for attribute names, as other signers write them', () => {
    for (const name of [
      `OU=07, CN=${ORGANISATION_CA_NAME}`,
      `cn = ${ORGANISATION_CA_NAME.toUpperCase()} , ou = 07`,
      `2.5.4.3=${ORGANISATION_CA_NAME},2.5.4.11=07`,
    ]) {
      expect(smki.byIssuerSerial(name, xml.serial), name).toBe(xml);
    }
  });

  it('finds nothing for another issuer, an unknown serial, or something that is not a name or a serial', () => {
    const device = all[5]!.certificate;
    expect(smki.byIssuerSerial(x509IssuerName(device), xml.serial)).toBeUndefined();
    expect(smki.byIssuerSerial(x509IssuerName(xml), device.serial)).toBeUndefined();
    expect(smki.byIssuerSerial(x509IssuerName(device), device.serial)).toBe(device);
    expect(smki.byIssuerSerial('CN=Z1,OU=07', xml.serial)).toBeUndefined();
    expect(smki.byIssuerSerial(`CN=${ORGANISATION_CA_NAME}`, xml.serial)).toBeUndefined();
    expect(smki.byIssuerSerial(`CN=${ORGANISATION_CA_NAME},OU=07,O=x`, xml.serial)).toBeUndefined();
    expect(smki.byIssuerSerial(x509IssuerName(xml), '999')).toBeUndefined();
    expect(smki.byIssuerSerial(x509IssuerName(xml), '0x4')).toBeUndefined();
    expect(smki.byIssuerSerial(x509IssuerName(xml), '-4')).toBeUndefined();
    expect(smki.byIssuerSerial('not a name', xml.serial)).toBeUndefined();
    expect(smki.byIssuerSerial('', xml.serial)).toBeUndefined();
  });
});

const hasOpenssl = ((): boolean => {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

describe.skipIf(!hasOpenssl)('the openssl command line agrees', () => {
  it('verifies each certificate against its CA and prints the key usage and subject the twin states', () => {
    const { smki, all } = credentials(1);
    const dir = mkdtempSync(join(tmpdir(), 'smki-x509-'));
    try {
      const caFile = join(dir, 'ca.pem');
      writeFileSync(caFile, smki.authorityPem('organisation') + smki.authorityPem('device'));
      for (const { certificate: c } of all) {
        const file = join(dir, `${c.serial}.pem`);
        writeFileSync(file, smki.certificatePem(c.serial)!);
        // Validity runs from t0 (2026) for Organisation certificates; check at a time inside it.
        const at = String(Math.floor((c.notBefore + DAY_MS) / 1000));
        expect(execFileSync('openssl', ['verify', '-attime', at, '-CAfile', caFile, file], { encoding: 'utf8' })).toContain(': OK');
        const textOut = execFileSync('openssl', ['x509', '-in', file, '-noout', '-text'], { encoding: 'utf8' });
        const agreement = c.keyUsage === 'keyAgreement' || c.keyUsage === 'keyAgreementTopUp';
        expect(textOut).toMatch(agreement ? /Key Usage: critical\s+Key Agreement/ : /Key Usage: critical\s+Digital Signature/);
        expect(textOut).toContain('ecdsa-with-SHA256');
        expect(textOut).toContain('ASN1 OID: prime256v1');
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
