import { createPrivateKey, createPublicKey } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bitString, integer, oid, sequence, set, time, tlv, utf8String } from '../../../dsp/smki/der.ts';
import { keyPairFromSeed } from '../../../dsp/smki/key-pair.ts';
import { pkcs8PrivateKey } from '../../../dsp/smki/pem.ts';
import { ecdsaSignatureDer, subjectPublicKeyInfo } from '../../../dsp/smki/x509.ts';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

describe('DER encoder (X.690) // DOMAIN §5.3', () => {
  it('writes definite lengths in the short form below 128 and the long form above', () => {
    expect(hex(tlv(0x04, new Uint8Array(127))).slice(0, 4)).toBe('047f');
    expect(hex(tlv(0x04, new Uint8Array(128))).slice(0, 6)).toBe('048180');
    expect(hex(tlv(0x04, new Uint8Array(256))).slice(0, 8)).toBe('04820100');
    expect(hex(tlv(0x04, new Uint8Array(70_000))).slice(0, 10)).toBe('0483011170');
  });

  it('writes INTEGERs in the fewest bytes, with a 00 before a set top bit', () => {
    expect(hex(integer(0n))).toBe('020100');
    expect(hex(integer(127n))).toBe('02017f');
    expect(hex(integer(128n))).toBe('02020080');
    expect(hex(integer(256n))).toBe('02020100');
    expect(hex(integer((1n << 72n) + 0xdbn))).toBe('020a010000000000000000db');
  });

  it('writes OIDs as X.690 §8.19 does (known encodings)', () => {
    expect(hex(oid('1.2.840.10045.2.1'))).toBe('06072a8648ce3d0201');
    expect(hex(oid('1.2.840.10045.3.1.7'))).toBe('06082a8648ce3d030107');
    expect(hex(oid('2.5.4.45'))).toBe('060355042d');
    expect(() => oid('1.40')).toThrow(RangeError);
  });

  it('writes UTCTime for 1950–2049 and GeneralizedTime otherwise, in whole seconds // RFC 5280 §4.1.2.5', () => {
    const ascii = (b: Uint8Array): string => Buffer.from(b.subarray(2)).toString('latin1');
    expect(ascii(time(Date.UTC(2049, 11, 31, 23, 59, 59, 999)))).toBe('491231235959Z');
    expect(time(Date.UTC(2049, 11, 31, 23, 59, 59))[0]).toBe(0x17);
    expect(time(Date.UTC(2050, 0, 1))[0]).toBe(0x18);
    expect(ascii(time(Date.UTC(2050, 0, 1)))).toBe('20500101000000Z');
    expect(ascii(time(Date.UTC(1949, 11, 31, 23, 59, 59)))).toBe('19491231235959Z');
    expect(ascii(time(0))).toBe('700101000000Z');
    expect(ascii(time(Date.UTC(9999, 11, 31, 23, 59, 59)))).toBe('99991231235959Z');
  });

  it('sorts SET OF members by their encodings', () => {
    expect(hex(set(utf8String('b'), utf8String('a')))).toBe(hex(tlv(0x31, Uint8Array.from([...utf8String('a'), ...utf8String('b')]))));
    expect(hex(sequence(bitString(Uint8Array.of(0x80), 7)))).toBe('3004030207' + '80');
  });

  it('encodes SubjectPublicKeyInfo and PKCS#8 byte for byte as OpenSSL does', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 12 }), (label) => {
        const k = keyPairFromSeed(globalThis.__testSeed, `der:${label}`);
        const spki = createPublicKey({ key: Buffer.from(subjectPublicKeyInfo(k.publicKey)), format: 'der', type: 'spki' });
        expect(hex(subjectPublicKeyInfo(k.publicKey))).toBe(hex(spki.export({ format: 'der', type: 'spki' })));
        const pk = createPrivateKey({ key: Buffer.from(pkcs8PrivateKey(k.privateKey)), format: 'der', type: 'pkcs8' });
        expect(hex(pkcs8PrivateKey(k.privateKey))).toBe(hex(pk.export({ format: 'der', type: 'pkcs8' })));
      }),
      { numRuns: 25 },
    );
  });

  it('writes an r ‖ s signature as SEQUENCE { INTEGER r, INTEGER s }, minimal and positive', () => {
    const rs = new Uint8Array(64);
    rs[31] = 1;
    rs[32] = 0x80;
    expect(hex(ecdsaSignatureDer(rs))).toBe(`3026020101022100${'80'.padEnd(64, '0')}`);
  });
});
