import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { eui64FromIndex, type Eui64 } from '../../../../core/ids.ts';
import { DAY_MS } from '../../../../core/time/duration.ts';
import { REMOTE_PARTY_ROLE, verifyCertificate, type Validity } from '../../../../dsp/smki/certificate.ts';
import { createFastSigner, malleateSignature, signDeterministic, verifyReference } from '../../../../dsp/smki/signature.ts';
import { DEFAULT_DEVICE_VALIDITY, Smki } from '../../../../dsp/smki/smki.ts';
import { toHex } from './fixtures.ts';

const supplier = '90-B3-D5-1F-30-01-00-00' as Eui64;
const srp = '90-B3-D5-1F-30-02-00-00' as Eui64;
const meter = '00-DB-12-34-56-78-90-A0' as Eui64;
const t0 = Date.UTC(2026, 0, 1);
const year: Validity = { notBefore: t0, notAfter: t0 + 365 * DAY_MS };
const msg = new TextEncoder().encode('<SR 1.6 CV 4>');

describe('Smki: keys and certificates from the seed // DOMAIN §5.3', () => {
  it('the same seed gives the same CAs, keys, serials and signature bytes; another seed does not', () => {
    const run = (seed: number): string[] => {
      const smki = new Smki({ seed });
      const ds = smki.issueOrganisation(supplier, REMOTE_PARTY_ROLE.supplier, 'digitalSigning', year);
      const xml = smki.issueOrganisation(srp, REMOTE_PARTY_ROLE.xmlSigning, 'xmlSigning', year);
      const dev = smki.issueDevice(meter);
      return [smki.organisationCa, smki.deviceCa, ds.certificate, xml.certificate, dev.keyAgreement.certificate]
        .map((c) => toHex(c.publicKey))
        .concat([ds.certificate, xml.certificate, dev.digitalSigning.certificate].map((c) => `${c.serial}:${toHex(c.signature)}`))
        .concat([toHex(ds.privateKey)]);
    };
    expect(run(7)).toEqual(run(7));
    const [a, b] = [run(7), run(8)];
    for (let i = 0; i < a.length; i++) expect(a[i]).not.toBe(b[i]);
  });

  it('issues Organisation certificates the Organisation CA verifies, with the holder’s private key kept out of the certificate', () => {
    const smki = new Smki({ seed: 1 });
    const { certificate, privateKey } = smki.issueOrganisation(supplier, REMOTE_PARTY_ROLE.supplier, 'digitalSigning', year);
    expect(certificate).toMatchObject({
      serial: 1n,
      subject: supplier,
      roleCode: 2,
      keyUsage: 'digitalSigning',
      kind: 'organisation',
      ...year,
    });
    expect(certificate.issuer).toBe(smki.organisationCa.name);
    expect(Object.keys(certificate)).not.toContain('privateKey');
    expect(JSON.stringify(certificate, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v))).not.toContain(toHex(privateKey));
    expect(verifyCertificate(certificate, smki.authorities)).toBe('valid');
    expect(verifyCertificate(certificate, [smki.deviceCa])).toBe('unknown-issuer');
    // The credential's key signs what the certificate's key verifies.
    expect(verifyReference(certificate.publicKey, msg, signDeterministic(privateKey, msg))).toBe('valid');
  });

  it('numbers Organisation serials from 1 and renews with a new key', () => {
    const smki = new Smki({ seed: 1 });
    const first = smki.issueOrganisation(supplier, REMOTE_PARTY_ROLE.supplier, 'digitalSigning', year).certificate;
    const ka = smki.issueOrganisation(supplier, REMOTE_PARTY_ROLE.supplier, 'keyAgreement', year).certificate;
    const renewed = smki.issueOrganisation(supplier, REMOTE_PARTY_ROLE.supplier, 'digitalSigning', year).certificate;
    expect([first.serial, ka.serial, renewed.serial]).toEqual([1n, 2n, 3n]);
    expect(toHex(renewed.publicKey)).not.toBe(toHex(first.publicKey));
    expect(smki.find(supplier, 'digitalSigning')).toBe(renewed);
    expect(smki.find(supplier, 'keyAgreement')).toBe(ka);
    expect(smki.find(supplier, 'xmlSigning')).toBeUndefined();
    expect(smki.bySerial(1n)).toBe(first);
    expect(smki.bySerial(99n)).toBeUndefined();
  });

  it('keeps XML-signing usage and the XML-signing roles together // DOMAIN §5.3', () => {
    const smki = new Smki({ seed: 1 });
    expect(() => smki.issueOrganisation(srp, REMOTE_PARTY_ROLE.supplier, 'xmlSigning', year)).toThrow(RangeError);
    expect(() => smki.issueOrganisation(srp, REMOTE_PARTY_ROLE.xmlSigning, 'digitalSigning', year)).toThrow(RangeError);
    expect(smki.issueOrganisation(srp, REMOTE_PARTY_ROLE.dspXmlSigning, 'xmlSigning', year).certificate.roleCode).toBe(0x89);
    expect(() => smki.issueOrganisation(srp, 256, 'keyAgreement', year)).toThrow(RangeError);
    expect(() => smki.issueOrganisation(srp, 2, 'keyAgreement', { notBefore: 2, notAfter: 1 })).toThrow(RangeError);
  });
});

describe('Smki: device certificates are made when asked // DOMAIN §5.3', () => {
  it('issues nothing up front, then one DS and one KA certificate per device, the same on every ask', () => {
    const smki = new Smki({ seed: 1 });
    expect(smki.find(meter, 'digitalSigning')).toBeUndefined();
    const a = smki.issueDevice(meter);
    const b = smki.issueDevice(meter);
    expect(b.digitalSigning.certificate).toBe(a.digitalSigning.certificate);
    expect(toHex(b.keyAgreement.privateKey)).toBe(toHex(a.keyAgreement.privateKey));
    for (const [usage, c] of [
      ['digitalSigning', a.digitalSigning],
      ['keyAgreement', a.keyAgreement],
    ] as const) {
      expect(c.certificate).toMatchObject({ subject: meter, kind: 'device', keyUsage: usage, roleCode: null, issuer: smki.deviceCa.name });
      expect(c.certificate).toMatchObject(DEFAULT_DEVICE_VALIDITY);
      expect(verifyCertificate(c.certificate, [smki.deviceCa])).toBe('valid');
      expect(smki.bySerial(c.certificate.serial)).toBe(c.certificate);
      expect(smki.find(meter, usage)).toBe(c.certificate);
    }
    expect(toHex(a.digitalSigning.certificate.publicKey)).not.toBe(toHex(a.keyAgreement.certificate.publicKey));
    expect(new Date(DEFAULT_DEVICE_VALIDITY.notAfter).toISOString()).toBe('9999-12-31T23:59:59.000Z');
  });

  it('gives a device the same certificates whatever order devices are asked in', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.nat({ max: 2 ** 32 - 1 }), { minLength: 2, maxLength: 4 }), (indexes) => {
        const devices = indexes.map((i) => eui64FromIndex(0x00db1200, i));
        const forward = new Smki({ seed: 's' });
        const backward = new Smki({ seed: 's' });
        const f = devices.map((d) => forward.issueDevice(d).digitalSigning.certificate);
        const b = [...devices]
          .reverse()
          .map((d) => backward.issueDevice(d).digitalSigning.certificate)
          .reverse();
        for (let i = 0; i < f.length; i++) {
          expect(b[i]!.serial).toBe(f[i]!.serial);
          expect(toHex(b[i]!.signature)).toBe(toHex(f[i]!.signature));
        }
        expect(new Set(f.map((c) => c.serial)).size).toBe(f.length);
      }),
      { numRuns: 15 },
    );
  });

  it('keeps device serials apart from Organisation serials', () => {
    const smki = new Smki({ seed: 1 });
    const dev = smki.issueDevice('00-00-00-00-00-00-00-00' as Eui64).digitalSigning.certificate;
    const org = smki.issueOrganisation(supplier, 2, 'digitalSigning', year).certificate;
    expect(dev.serial).toBeGreaterThan(2n ** 64n);
    expect(org.serial).toBe(1n);
  });
});

describe('Smki.check and revocation // DOMAIN §5.3, MP134A', () => {
  const setup = () => {
    const smki = new Smki({ seed: 3 });
    const ds = smki.issueOrganisation(supplier, REMOTE_PARTY_ROLE.supplier, 'digitalSigning', year);
    return { smki, ds, serial: ds.certificate.serial };
  };
  const at = t0 + 10 * DAY_MS;

  it('accepts the subject’s certificate for its usage inside its validity, both ends included', () => {
    const { smki, serial, ds } = setup();
    for (const when of [year.notBefore, at, year.notAfter])
      expect(smki.check(serial, supplier, 'digitalSigning', when)).toEqual({ ok: true, value: ds.certificate });
  });

  it('refuses an unknown serial, another subject, another usage and an instant outside validity with X12', () => {
    const { smki, serial } = setup();
    const code = (r: ReturnType<Smki['check']>): string => (r.ok ? 'ok' : r.error.code);
    expect(code(smki.check(404n, supplier, 'digitalSigning', at))).toBe('X12');
    expect(code(smki.check(serial, srp, 'digitalSigning', at))).toBe('X12');
    expect(code(smki.check(serial, supplier, 'keyAgreement', at))).toBe('X12');
    expect(code(smki.check(serial, supplier, 'digitalSigning', year.notBefore - 1))).toBe('X12');
    expect(code(smki.check(serial, supplier, 'digitalSigning', year.notAfter + 1))).toBe('X12');
    const r = smki.check(serial, srp, 'digitalSigning', at);
    expect(r.ok ? '' : r.error.reason).toContain(srp);
  });

  it('refuses a revoked certificate with X3 from the revocation instant on, and not before', () => {
    const { smki, serial } = setup();
    expect(smki.revoke(serial, at).ok).toBe(true);
    expect(smki.isRevoked(serial, at - 1)).toBe(false);
    expect(smki.isRevoked(serial, at)).toBe(true);
    expect(smki.check(serial, supplier, 'digitalSigning', at - 1).ok).toBe(true);
    const r = smki.check(serial, supplier, 'digitalSigning', at);
    expect(r.ok ? 'ok' : r.error.code).toBe('X3');
    expect(r.ok ? '' : r.error.reason).toContain(new Date(at).toISOString());
  });

  it('never undoes a revocation: a later revoke keeps the earlier instant, an earlier one moves it back', () => {
    const { smki, serial } = setup();
    smki.revoke(serial, at);
    smki.revoke(serial, at + DAY_MS);
    expect(smki.revokedAt(serial)).toBe(at);
    smki.revoke(serial, at - DAY_MS);
    expect(smki.revokedAt(serial)).toBe(at - DAY_MS);
    const unknown = smki.revoke(404n, at);
    expect(unknown.ok ? 'ok' : unknown.error.code).toBe('X12');
    expect(smki.isRevoked(404n, at)).toBe(false);
  });

  it('revokes one certificate, not its holder’s others', () => {
    const { smki, serial } = setup();
    const ka = smki.issueOrganisation(supplier, REMOTE_PARTY_ROLE.supplier, 'keyAgreement', year).certificate;
    smki.revoke(serial, at);
    expect(smki.check(ka.serial, supplier, 'keyAgreement', at).ok).toBe(true);
  });

  it('a revoked Supplier’s signature still verifies (as at a device, which has no CRL) but the DSP refuses it // DOMAIN §5.3', () => {
    const { smki, ds, serial } = setup();
    const sig = createFastSigner({ privateKey: ds.privateKey, publicKey: ds.certificate.publicKey })(msg);
    smki.revoke(serial, at);
    expect(verifyReference(ds.certificate.publicKey, msg, sig)).toBe('valid');
    const r = smki.verify(serial, supplier, 'digitalSigning', at, msg, sig);
    expect(r.ok ? 'ok' : r.error.code).toBe('X3');
  });
});

describe('Smki.verify: certificate, then signature', () => {
  const smki = new Smki({ seed: 4 });
  const ds = smki.issueOrganisation(supplier, REMOTE_PARTY_ROLE.supplier, 'digitalSigning', year);
  const other = smki.issueOrganisation(srp, REMOTE_PARTY_ROLE.supplier, 'digitalSigning', year);
  const serial = ds.certificate.serial;
  const at = t0 + DAY_MS;
  const code = (r: ReturnType<Smki['verify']>): string => (r.ok ? 'ok' : r.error.code);
  const sig = signDeterministic(ds.privateKey, msg);

  it('accepts a good signature and refuses a bad one, another party’s, a malformed one with X2 // RELIABILITY §3.5 SS07', () => {
    expect(code(smki.verify(serial, supplier, 'digitalSigning', at, msg, sig))).toBe('ok');
    expect(code(smki.verify(serial, supplier, 'digitalSigning', at, Uint8Array.from([...msg, 0]), sig))).toBe('X2');
    expect(code(smki.verify(serial, supplier, 'digitalSigning', at, msg, signDeterministic(other.privateKey, msg)))).toBe('X2');
    expect(code(smki.verify(serial, supplier, 'digitalSigning', at, msg, sig.subarray(0, 63)))).toBe('X2');
    expect(code(smki.verify(404n, supplier, 'digitalSigning', at, msg, sig))).toBe('X12');
  });

  it('follows its high-S policy: accept by default, refuse with X2 when set to reject // RELIABILITY §3.5 SS02', () => {
    const high = malleateSignature(sig);
    expect(code(smki.verify(serial, supplier, 'digitalSigning', at, msg, high))).toBe('ok');
    const strict = new Smki({ seed: 4, highS: 'reject' });
    const strictDs = strict.issueOrganisation(supplier, REMOTE_PARTY_ROLE.supplier, 'digitalSigning', year);
    const strictHigh = malleateSignature(signDeterministic(strictDs.privateKey, msg));
    const r = strict.verify(strictDs.certificate.serial, supplier, 'digitalSigning', at, msg, strictHigh);
    expect(r.ok ? 'ok' : r.error.reason).toContain('high-s-refused');
  });
});
