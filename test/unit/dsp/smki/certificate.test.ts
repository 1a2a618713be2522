import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { eui64FromIndex, type Eui64 } from '../../../../core/ids.ts';
import {
  KEY_USAGES,
  REMOTE_PARTY_ROLE,
  checkCertificateFields,
  encodeCertificateFields,
  signCertificate,
  verifyCertificate,
  type Certificate,
  type CertificateAuthority,
  type CertificateFields,
} from '../../../../dsp/smki/certificate.ts';
import { keyPairFromSeed } from '../../../../dsp/smki/key-pair.ts';
import { toHex } from './fixtures.ts';

const caKeys = keyPairFromSeed('certificate-test', 'ca');
const otherCaKeys = keyPairFromSeed('certificate-test', 'other-ca');
const ca: CertificateAuthority = { name: 'Test Organisation CA', publicKey: caKeys.publicKey };
const supplier = '90-B3-D5-1F-30-01-00-00' as Eui64;
const holder = keyPairFromSeed('certificate-test', 'supplier:ds');

const fields: CertificateFields = {
  serial: 42n,
  subject: supplier,
  roleCode: REMOTE_PARTY_ROLE.supplier,
  keyUsage: 'digitalSigning',
  kind: 'organisation',
  publicKey: holder.publicKey,
  issuer: ca.name,
  notBefore: Date.UTC(2026, 0, 1),
  notAfter: Date.UTC(2027, 0, 1),
};

describe('certificate encoding', () => {
  it('is deterministic and starts with its format tag', () => {
    const a = encodeCertificateFields(fields);
    expect(toHex(encodeCertificateFields({ ...fields }))).toBe(toHex(a));
    expect(Buffer.from(a.subarray(2, 2 + 30)).toString()).toBe('smets-twin SMKI certificate v1');
    expect(a[0]! * 256 + a[1]!).toBe(30);
  });

  it('gives different bytes for every change of a field, including null role against role 0', () => {
    const base = toHex(encodeCertificateFields(fields));
    const variants: Partial<CertificateFields>[] = [
      { serial: 43n },
      { serial: 42n << 8n },
      { subject: '90-B3-D5-1F-30-01-00-01' as Eui64 },
      { roleCode: 0 },
      { roleCode: null },
      { keyUsage: 'keyAgreement' },
      { kind: 'device' },
      { publicKey: keyPairFromSeed('certificate-test', 'x').publicKey },
      { issuer: 'Test Organisation CA ' },
      { notBefore: fields.notBefore + 1 },
      { notAfter: fields.notAfter - 1 },
    ];
    const seen = new Set([base]);
    for (const v of variants) seen.add(toHex(encodeCertificateFields({ ...fields, ...v })));
    expect(seen.size).toBe(variants.length + 1);
  });

  it('is injective across field boundaries (length prefixes)', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), fc.string({ minLength: 1 }), (a, b) => {
        fc.pre(a !== b);
        expect(toHex(encodeCertificateFields({ ...fields, issuer: a }))).not.toBe(toHex(encodeCertificateFields({ ...fields, issuer: b })));
      }),
      { numRuns: 200 },
    );
  });

  it('refuses fields out of range, naming the field', () => {
    const bad: [Partial<CertificateFields>, RegExp][] = [
      [{ serial: 0n }, /serial/],
      [{ serial: 1n << 160n }, /serial/],
      [{ subject: '90b3d51f30010000' as Eui64 }, /subject/],
      [{ roleCode: 256 }, /roleCode/],
      [{ roleCode: -1 }, /roleCode/],
      [{ roleCode: 2.5 }, /roleCode/],
      [{ keyUsage: 'signing' as CertificateFields['keyUsage'] }, /usage/],
      [{ kind: 'root' as CertificateFields['kind'] }, /kind/],
      [{ publicKey: holder.publicKey.subarray(1) }, /publicKey/],
      [{ issuer: '' }, /issuer/],
      [{ notBefore: 1.5 }, /instants/],
      [{ notBefore: fields.notAfter + 1 }, /notBefore/],
    ];
    for (const [change, message] of bad) {
      expect(checkCertificateFields({ ...fields, ...change })).toMatch(message);
      expect(() => encodeCertificateFields({ ...fields, ...change })).toThrow(RangeError);
    }
    expect(checkCertificateFields(fields)).toBeUndefined();
  });
});

describe('verifyCertificate', () => {
  const cert = signCertificate(fields, caKeys.privateKey);

  it('accepts a certificate the CA signed, deterministically', () => {
    expect(verifyCertificate(cert, [ca])).toBe('valid');
    expect(toHex(signCertificate(fields, caKeys.privateKey).signature)).toBe(toHex(cert.signature));
  });

  it('finds the issuing CA by name among several', () => {
    const other: CertificateAuthority = { name: 'Test Device CA', publicKey: otherCaKeys.publicKey };
    expect(verifyCertificate(cert, [other, ca])).toBe('valid');
    expect(verifyCertificate(cert, [other])).toBe('unknown-issuer');
    expect(verifyCertificate(cert, [])).toBe('unknown-issuer');
  });

  it('refuses a certificate signed by another key under the CA name', () => {
    expect(verifyCertificate(signCertificate(fields, otherCaKeys.privateKey), [ca])).toBe('bad-signature');
    expect(verifyCertificate(cert, [{ name: ca.name, publicKey: otherCaKeys.publicKey }])).toBe('bad-signature');
  });

  it('refuses any edited field, and a missing or odd signature, without throwing', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.bigInt({ min: 1n, max: (1n << 160n) - 1n }).map((serial) => ({ serial })),
          fc.nat({ max: 2 ** 32 - 1 }).map((i) => ({ subject: eui64FromIndex(0x90b3d51f, i) })),
          fc.oneof(fc.constant(null), fc.nat(255)).map((roleCode) => ({ roleCode })),
          fc.constantFrom(...KEY_USAGES).map((keyUsage) => ({ keyUsage })),
          fc.constant({ kind: 'device' as const }),
          fc.string().map((label) => ({ publicKey: keyPairFromSeed('edit', label).publicKey })),
          fc.integer({ min: -1e12, max: fields.notAfter }).map((notBefore) => ({ notBefore })),
          fc.integer({ min: fields.notBefore, max: 1e14 }).map((notAfter) => ({ notAfter })),
        ),
        (edit) => {
          const edited: Certificate = { ...cert, ...edit };
          const same = toHex(encodeCertificateFields(edited)) === toHex(encodeCertificateFields(cert));
          expect(verifyCertificate(edited, [ca])).toBe(same ? 'valid' : 'bad-signature');
        },
      ),
      { numRuns: 300 },
    );
    expect(verifyCertificate({ ...cert, signature: new Uint8Array(0) }, [ca])).toBe('bad-signature');
    expect(verifyCertificate({ ...cert, signature: cert.signature.subarray(1) }, [ca])).toBe('bad-signature');
    expect(verifyCertificate({ ...cert, serial: 0n }, [ca])).toBe('malformed');
    expect(verifyCertificate({ ...cert, publicKey: new Uint8Array(65) }, [ca])).toBe('malformed');
    expect(verifyCertificate({ ...cert, serial: 42 } as unknown as Certificate, [ca])).toBe('malformed');
  });

  it('copies the public key: changing the caller’s array later changes nothing', () => {
    const key = Uint8Array.from(holder.publicKey);
    const c = signCertificate({ ...fields, publicKey: key }, caKeys.privateKey);
    key[64]! ^= 1;
    expect(verifyCertificate(c, [ca])).toBe('valid');
  });
});
