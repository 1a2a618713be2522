import { readFileSync } from 'node:fs';
import { p256 } from '@noble/curves/nist.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { unwrap } from '../../../core/result.ts';
import { ecdhP256Shared, kaKeyPairFromSeed } from '../../../emulator/devices/common/utrn/index.ts';
import { hex, toHex } from './fixtures.ts';

interface EcdhCase {
  tcId: number;
  flags: string[];
  public: string;
  private: string;
  shared: string;
  result: 'valid' | 'invalid' | 'acceptable';
}
const file = new URL('../../../../shared/data/wycheproof/ecdh_secp256r1_test.json', import.meta.url);
const suite = JSON.parse(readFileSync(file, 'utf8')) as { testGroups: { curve: string; tests: EcdhCase[] }[] };
const cases = suite.testGroups.filter((g) => g.curve === 'secp256r1').flatMap((g) => g.tests);

// The project takes raw SEC1 points on the named curve only. An SPKI whose
// algorithm is anything but id-ecPublicKey + prime256v1 (other curves, explicit
// parameters, odd DER) is refused before any arithmetic.
const SPKI_UNCOMPRESSED = '3059301306072a8648ce3d020106082a8648ce3d030107034200';
const SPKI_COMPRESSED = '3039301306072a8648ce3d020106082a8648ce3d030107032200';
function rawPoint(spki: string): Uint8Array | undefined {
  if (spki.startsWith(SPKI_UNCOMPRESSED) && spki.length === SPKI_UNCOMPRESSED.length + 130)
    return hex(spki.slice(SPKI_UNCOMPRESSED.length));
  if (spki.startsWith(SPKI_COMPRESSED) && spki.length === SPKI_COMPRESSED.length + 66) return hex(spki.slice(SPKI_COMPRESSED.length));
  return undefined;
}
const scalar32 = (h: string): Uint8Array => hex(BigInt(`0x${h}`).toString(16).padStart(64, '0'));

type Ecdh = (priv: Uint8Array, pub: Uint8Array) => string | undefined;
const viaNode: Ecdh = (priv, pub) => {
  const r = ecdhP256Shared(priv, pub);
  return r.ok ? toHex(r.value) : undefined;
};
const viaNoble: Ecdh = (priv, pub) => {
  try {
    return toHex(p256.getSharedSecret(priv, pub, true).subarray(1));
  } catch {
    return undefined;
  }
};

describe.each([
  ['node:crypto', viaNode],
  ['@noble/curves', viaNoble],
] as const)('ECDH P-256 against Wycheproof (%s)', (_name, ecdh) => {
  it('has the vectors', () => {
    expect(cases.length).toBeGreaterThan(500);
  });

  it('computes every valid shared secret', () => {
    for (const t of cases.filter((c) => c.result === 'valid')) {
      const pub = rawPoint(t.public);
      expect(pub, `tcId ${t.tcId}`).toBeDefined();
      expect(ecdh(scalar32(t.private), pub ?? new Uint8Array()), `tcId ${t.tcId}`).toBe(t.shared);
    }
  });

  it('rejects every invalid case without throwing', () => {
    let reachedEcdh = 0;
    for (const t of cases.filter((c) => c.result === 'invalid')) {
      const pub = rawPoint(t.public);
      if (!pub) continue; // refused at decoding (other curve, explicit parameters)
      reachedEcdh++;
      expect(ecdh(scalar32(t.private), pub), `tcId ${t.tcId} ${t.flags.join()}`).toBeUndefined();
    }
    // Off-curve and wrong-curve points on the named curve must be caught by the ECDH itself.
    expect(reachedEcdh).toBe(25);
  });

  it('never gives a wrong secret for an "acceptable" case (compressed points are accepted; odd encodings refused)', () => {
    for (const t of cases.filter((c) => c.result === 'acceptable')) {
      const pub = rawPoint(t.public);
      if (!pub) continue;
      expect([undefined, t.shared], `tcId ${t.tcId}`).toContain(ecdh(scalar32(t.private), pub));
    }
    const compressed = cases.find((c) => c.flags.includes('CompressedPublic'));
    expect(compressed && ecdh(scalar32(compressed.private), rawPoint(compressed.public) ?? new Uint8Array())).toBe(compressed?.shared);
  });
});

describe('ecdhP256Shared', () => {
  it('equals @noble/curves on random key pairs, both directions, both point forms', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 32 }), fc.uint8Array({ minLength: 1, maxLength: 32 }), (s1, s2) => {
        const a = kaKeyPairFromSeed(s1);
        const b = kaKeyPairFromSeed(Uint8Array.of(1, ...s2));
        const mine = toHex(unwrap(ecdhP256Shared(a.privateKey, b.publicKey)));
        expect(toHex(unwrap(ecdhP256Shared(b.privateKey, a.publicKey)))).toBe(mine);
        expect(toHex(unwrap(ecdhP256Shared(a.privateKey, p256.getPublicKey(b.privateKey, true))))).toBe(mine);
        expect(toHex(p256.getSharedSecret(a.privateKey, b.publicKey).subarray(1))).toBe(mine);
      }),
      { numRuns: 50 },
    );
  });

  it('refuses scalars outside [1, n-1] and non-SEC1 encodings', () => {
    const { publicKey } = kaKeyPairFromSeed(hex('05'));
    const n = hex('ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551');
    expect(ecdhP256Shared(new Uint8Array(32), publicKey).ok).toBe(false);
    expect(ecdhP256Shared(n, publicKey).ok).toBe(false);
    const hybrid = Uint8Array.from(publicKey);
    hybrid[0] = 0x06;
    expect(ecdhP256Shared(kaKeyPairFromSeed(hex('06')).privateKey, hybrid).ok).toBe(false);
    expect(ecdhP256Shared(kaKeyPairFromSeed(hex('06')).privateKey, Uint8Array.of(0)).ok).toBe(false);
  });
});
