import { sign as nodeSign, createPrivateKey } from 'node:crypto';
import { p256, p384 } from '@noble/curves/nist.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { keyPairFromSeed, type KeyPair } from '../../../../dsp/smki/key-pair.ts';
import {
  SignatureVerifier,
  checkPublicKey,
  createFastSigner,
  isHighS,
  malleateSignature,
  signDeterministic,
  verifyReference,
  type HighSPolicy,
  type SignatureVerdict,
} from '../../../../dsp/smki/signature.ts';
import { DER, N, P1363, hex, rs, sOf, toHex } from './fixtures.ts';

const POLICIES: readonly HighSPolicy[] = ['accept', 'reject'];
const fast = { accept: new SignatureVerifier({ highS: 'accept' }), reject: new SignatureVerifier({ highS: 'reject' }) } as const;

/** Both verifiers under one policy; fails the test if they disagree. */
function verdict(policy: HighSPolicy, pub: unknown, msg: unknown, sig: unknown): SignatureVerdict {
  const a = fast[policy].verify(pub, msg, sig);
  const b = verifyReference(pub, msg, sig, policy);
  expect(a, 'node:crypto and noble disagree').toBe(b);
  return a;
}

const alice = keyPairFromSeed('signature-test', 'alice');
const bob = keyPairFromSeed('signature-test', 'bob');
const msg = new TextEncoder().encode('SR 1.6 to Credit');

describe('Wycheproof ecdsa_secp256r1_sha256_p1363 // RELIABILITY §3.5 SS01', () => {
  const { vectors } = P1363;
  const valid = vectors.filter((t) => t.result === 'valid');
  const invalid = vectors.filter((t) => t.result === 'invalid');

  it('has the vectors', () => {
    expect(vectors).toHaveLength(P1363.numberOfTests);
    expect(valid.length).toBeGreaterThan(150);
    expect(invalid.length).toBeGreaterThan(80);
    expect(vectors.some((t) => t.result === 'acceptable')).toBe(false);
  });

  it('loads every group key', () => {
    for (const key of new Set(vectors.map((t) => t.publicKey))) expect(checkPublicKey(hex(key)).ok).toBe(true);
  });

  it("accepts every valid vector under 'accept', high-S included", () => {
    for (const t of valid) expect(verdict('accept', hex(t.publicKey), hex(t.msg), hex(t.sig)), `tcId ${t.tcId}`).toBe('valid');
  });

  it("under 'reject' refuses exactly the valid vectors with s > n/2, as high-s-refused", () => {
    let highS = 0;
    for (const t of valid) {
      const sig = hex(t.sig);
      const expected = sOf(sig) > N / 2n ? 'high-s-refused' : 'valid';
      if (expected === 'high-s-refused') highS++;
      expect(isHighS(sig)).toBe(expected === 'high-s-refused');
      expect(verdict('reject', hex(t.publicKey), hex(t.msg), sig), `tcId ${t.tcId} ${t.comment}`).toBe(expected);
    }
    // In this revision of the file 70 valid vectors carry a high s (special-case hashes, edge cases of u1/u2).
    expect(highS).toBe(70);
  });

  it('tcId 1 (signature malleability) is valid, and so is its twin (r, n − s) unless high-S is refused // RELIABILITY §3.5 SS02', () => {
    const t = vectors.find((v) => v.tcId === 1);
    expect(t?.comment).toBe('signature malleability');
    if (!t) return;
    const [pub, m, sig] = [hex(t.publicKey), hex(t.msg), hex(t.sig)];
    // This revision stores the low-S member of the pair; tcId 2 shows the original high s.
    expect(isHighS(sig)).toBe(false);
    const twin = malleateSignature(sig);
    expect(isHighS(twin)).toBe(true);
    expect(toHex(twin.subarray(32))).toBe(vectors.find((v) => v.tcId === 2)?.sig.slice(-64));
    for (const policy of POLICIES) expect(verdict(policy, pub, m, sig)).toBe('valid');
    expect(verdict('accept', pub, m, twin)).toBe('valid');
    expect(verdict('reject', pub, m, twin)).toBe('high-s-refused');
  });

  it('rejects every invalid vector with a specific verdict, never by throwing', () => {
    const seen = new Map<SignatureVerdict, number>();
    for (const t of invalid) {
      const [pub, m, sig] = [hex(t.publicKey), hex(t.msg), hex(t.sig)];
      const expected = sig.length === 64 ? 'invalid' : 'malformed';
      const a = verdict('accept', pub, m, sig);
      expect(a, `tcId ${t.tcId} ${t.comment}`).toBe(expected);
      seen.set(a, (seen.get(a) ?? 0) + 1);
      const r = verdict('reject', pub, m, sig);
      expect(r === expected || (expected === 'invalid' && r === 'high-s-refused'), `tcId ${t.tcId}: ${r}`).toBe(true);
    }
    expect(seen.get('malformed')).toBeGreaterThan(0); // SignatureSize vectors
    expect(seen.get('invalid')).toBeGreaterThan(50);
  });

  it('refuses r or s = 0, n, or n + small whatever the policy // RELIABILITY §3.5 SS03', () => {
    const t = vectors.find((v) => v.tcId === 1);
    if (!t) throw new Error('tcId 1 missing');
    const [pub, m, sig] = [hex(t.publicKey), hex(t.msg), hex(t.sig)];
    const r = BigInt(`0x${toHex(sig.subarray(0, 32))}`);
    const s = sOf(sig);
    for (const [rr, ss] of [
      [0n, s],
      [r, 0n],
      [0n, 0n],
      [N, s],
      [r, N],
      [N + 1n, s],
      [r, N + 1n],
      [(1n << 256n) - 1n, s],
    ] as const) {
      for (const policy of POLICIES) expect(verdict(policy, pub, m, rs(rr, ss)), `${rr}, ${ss}`).toBe('invalid');
    }
  });
});

describe('Wycheproof ecdsa_secp256r1_sha256 (DER): DER is never taken // RELIABILITY §3.5 SS03', () => {
  it('answers every DER signature malformed or invalid, never valid', () => {
    expect(DER.vectors.length).toBeGreaterThan(400);
    for (const t of DER.vectors) {
      for (const policy of POLICIES) {
        const v = verdict(policy, hex(t.publicKey), hex(t.msg), hex(t.sig));
        expect(['malformed', 'invalid', 'high-s-refused'], `tcId ${t.tcId}`).toContain(v);
        if (hex(t.sig).length !== 64) expect(v).toBe('malformed');
      }
    }
  });

  it('a DER encoding of a signature that verifies as r ‖ s is malformed', () => {
    const sig = signDeterministic(alice.privateKey, msg);
    const der = p256.Signature.fromBytes(sig, 'compact').toBytes('der');
    expect(verdict('accept', alice.publicKey, msg, sig)).toBe('valid');
    expect(verdict('accept', alice.publicKey, msg, der)).toBe('malformed');
  });
});

describe('malformed signatures and messages', () => {
  const sig = signDeterministic(alice.privateKey, msg);

  it('refuses 63 and 65 bytes, empty, and non-bytes as malformed', () => {
    for (const bad of [sig.subarray(0, 63), Uint8Array.from([...sig, 0]), Uint8Array.from([0, ...sig]), new Uint8Array(0)]) {
      for (const policy of POLICIES) expect(verdict(policy, alice.publicKey, msg, bad)).toBe('malformed');
    }
    for (const bad of [toHex(sig), Array.from(sig), null, undefined, 64, sig.buffer]) {
      expect(verdict('accept', alice.publicKey, msg, bad)).toBe('malformed');
    }
    expect(verdict('accept', alice.publicKey, 'SR 1.6 to Credit', sig)).toBe('malformed');
  });

  it('takes a Buffer as well as a Uint8Array', () => {
    expect(verdict('accept', Buffer.from(alice.publicKey), Buffer.from(msg), Buffer.from(sig))).toBe('valid');
  });

  it('hashes the message itself: a signature over the digest does not verify the message // RELIABILITY §3.5 SS05', () => {
    const overDigest = p256.sign(msg, alice.privateKey, { prehash: false });
    expect(verdict('accept', alice.publicKey, msg, overDigest)).toBe('invalid');
  });
});

describe('public keys are validated when loaded // RELIABILITY §3.5 SS04', () => {
  const good = alice.publicKey;
  const offCurve = Uint8Array.from(good);
  offCurve[64]! ^= 1;
  const xTooBig = Uint8Array.from([4, ...new Uint8Array(32).fill(0xff), ...good.subarray(33)]);
  const compressed = p256.getPublicKey(alice.privateKey, true);
  const compressedPrefix65 = Uint8Array.from(good);
  compressedPrefix65[0] = 2;
  const hybrid = Uint8Array.from(good);
  hybrid[0] = 6;
  const p384Key = p384.getPublicKey(new Uint8Array(48).fill(7), false);
  const spki = Uint8Array.from([...hex('3059301306072a8648ce3d020106082a8648ce3d030107034200'), ...good]);
  const cases = [
    ['off the curve', offCurve, 'not-on-curve'],
    ['x ≥ p', xTooBig, 'not-on-curve'],
    ['identity (00)', Uint8Array.of(0), 'identity'],
    ['identity (04 ‖ 0…0)', Uint8Array.from([4, ...new Uint8Array(64)]), 'identity'],
    ['compressed', compressed, 'not-uncompressed'],
    ['compressed prefix on 65 bytes', compressedPrefix65, 'not-uncompressed'],
    ['hybrid prefix 06', hybrid, 'not-uncompressed'],
    ['P-384 sized', p384Key, 'wrong-length'],
    ['an SPKI instead of a raw point', spki, 'wrong-length'],
    ['64 bytes without prefix', good.subarray(1), 'wrong-length'],
    ['empty', new Uint8Array(0), 'wrong-length'],
    ['hex text', toHex(good), 'not-bytes'],
  ] as const;

  it.each(cases)('refuses a key that is %s', (_name, key, problem) => {
    const verifier = new SignatureVerifier();
    const loaded = verifier.load(key);
    expect(loaded.ok ? 'loaded' : loaded.error.problem).toBe(problem);
    expect(loaded.ok || loaded.error.reason.length > 0).toBe(true);
    const sig = signDeterministic(alice.privateKey, msg);
    expect(verifier.verify(key, msg, sig)).toBe('bad-key');
    expect(verifyReference(key, msg, sig)).toBe('bad-key');
    expect(verifier.cachedKeys).toBe(0);
  });

  it('caches a valid key once and verifies with the loaded key directly', () => {
    const verifier = new SignatureVerifier();
    const sig = signDeterministic(alice.privateKey, msg);
    expect(verifier.verify(good, msg, sig)).toBe('valid');
    expect(verifier.verify(Uint8Array.from(good), msg, sig)).toBe('valid');
    expect(verifier.cachedKeys).toBe(1);
    const key = verifier.load(good);
    if (!key.ok) throw new Error(key.error.reason);
    expect(verifier.verifyWith(key.value, msg, sig)).toBe('valid');
    expect(verifier.verifyWith(key.value, msg, sig.subarray(1))).toBe('malformed');
    // The cache holds its own copy: changing the caller's bytes changes nothing.
    const mine = Uint8Array.from(bob.publicKey);
    verifier.load(mine);
    mine[64]! ^= 1;
    expect(verifier.verify(bob.publicKey, msg, signDeterministic(bob.privateKey, msg))).toBe('valid');
  });

  it('forgets the oldest key when the cache is full', () => {
    const verifier = new SignatureVerifier({ maxKeys: 2 });
    for (const label of ['a', 'b', 'c']) verifier.load(keyPairFromSeed('cache', label).publicKey);
    expect(verifier.cachedKeys).toBe(2);
    const a = keyPairFromSeed('cache', 'a');
    expect(verifier.verify(a.publicKey, msg, signDeterministic(a.privateKey, msg))).toBe('valid');
    expect(() => new SignatureVerifier({ maxKeys: 0 })).toThrow(RangeError);
  });

  it("rejects a valid signature under another party's key // RELIABILITY §3.5 SS07", () => {
    expect(verdict('accept', bob.publicKey, msg, signDeterministic(alice.privateKey, msg))).toBe('invalid');
  });
});

describe('signers', () => {
  it('the fast signer always gives low-S signatures that both verifiers accept under either policy', () => {
    const signer = createFastSigner(alice);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 256 }), (m) => {
        const sig = signer(m);
        expect(sig).toHaveLength(64);
        expect(isHighS(sig)).toBe(false);
        for (const policy of POLICIES) expect(verdict(policy, alice.publicKey, m, sig)).toBe('valid');
      }),
      { numRuns: 300 },
    );
  });

  it('OpenSSL unnormalised produces high-S about half the time, which is why the fast signer normalises', () => {
    const key = createPrivateKey({
      key: {
        kty: 'EC',
        crv: 'P-256',
        d: b64(alice.privateKey),
        x: b64(alice.publicKey.subarray(1, 33)),
        y: b64(alice.publicKey.subarray(33)),
      },
      format: 'jwk',
    });
    let high = 0;
    for (let i = 0; i < 200; i++) if (isHighS(new Uint8Array(nodeSign('sha256', msg, { key, dsaEncoding: 'ieee-p1363' })))) high++;
    expect(high).toBeGreaterThan(50);
    expect(high).toBeLessThan(150);
  });

  it('the deterministic signer is RFC 6979: same key and message, same bytes, equal to noble defaults, low-S', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 128 }), (m) => {
        const sig = signDeterministic(alice.privateKey, m);
        expect(toHex(signDeterministic(alice.privateKey, m))).toBe(toHex(sig));
        expect(toHex(p256.sign(m, alice.privateKey))).toBe(toHex(sig));
        expect(isHighS(sig)).toBe(false);
        expect(verdict('reject', alice.publicKey, m, sig)).toBe('valid');
      }),
      { numRuns: 100 },
    );
  });

  it('malleateSignature is an involution and refuses what is not r ‖ s', () => {
    const sig = signDeterministic(alice.privateKey, msg);
    expect(toHex(malleateSignature(malleateSignature(sig)))).toBe(toHex(sig));
    expect(() => malleateSignature(sig.subarray(0, 63))).toThrow(RangeError);
    expect(() => malleateSignature(rs(1n, 0n))).toThrow(RangeError);
    expect(() => malleateSignature(rs(1n, N))).toThrow(RangeError);
  });
});

// ---- the two verifiers agree on generated cases ----

type Mutation =
  | { kind: 'none' }
  | { kind: 'flip-sig'; bit: number }
  | { kind: 'flip-msg'; bit: number }
  | { kind: 'malleate' }
  | { kind: 'other-key' }
  | { kind: 'set-r' | 'set-s'; value: bigint }
  | { kind: 'swap' }
  | { kind: 'resize'; length: number }
  | { kind: 'random-sig'; bytes: Uint8Array }
  | { kind: 'bad-key'; key: Uint8Array };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.constant({ kind: 'none' as const }),
  fc.nat(511).map((bit) => ({ kind: 'flip-sig' as const, bit })),
  fc.nat(1023).map((bit) => ({ kind: 'flip-msg' as const, bit })),
  fc.constant({ kind: 'malleate' as const }),
  fc.constant({ kind: 'other-key' as const }),
  fc
    .tuple(
      fc.constantFrom('set-r' as const, 'set-s' as const),
      fc.oneof(
        fc.constantFrom(0n, 1n, N - 1n, N, N + 1n, N / 2n, N / 2n + 1n, (1n << 256n) - 1n),
        fc.bigInt({ min: 0n, max: (1n << 256n) - 1n }),
      ),
    )
    .map(([kind, value]) => ({ kind, value })),
  fc.constant({ kind: 'swap' as const }),
  fc.constantFrom(0, 1, 32, 63, 65, 70, 72, 128).map((length) => ({ kind: 'resize' as const, length })),
  fc.uint8Array({ minLength: 64, maxLength: 64 }).map((bytes) => ({ kind: 'random-sig' as const, bytes })),
  fc.uint8Array({ minLength: 0, maxLength: 97 }).map((key) => ({ kind: 'bad-key' as const, key })),
);

function apply(m: Mutation, keys: KeyPair, message: Uint8Array, sig: Uint8Array): [Uint8Array, Uint8Array, Uint8Array] {
  const s = Uint8Array.from(sig);
  const t = Uint8Array.from(message);
  switch (m.kind) {
    case 'none':
      return [keys.publicKey, t, s];
    case 'flip-sig':
      s[m.bit >> 3]! ^= 1 << (m.bit & 7);
      return [keys.publicKey, t, s];
    case 'flip-msg':
      if (t.length === 0) return [keys.publicKey, Uint8Array.of(m.bit & 0xff), s];
      t[(m.bit >> 3) % t.length]! ^= 1 << (m.bit & 7);
      return [keys.publicKey, t, s];
    case 'malleate':
      return [keys.publicKey, t, malleateSignature(s)];
    case 'other-key':
      return [bob.publicKey, t, s];
    case 'set-r':
    case 'set-s': {
      const r = BigInt(`0x${toHex(s.subarray(0, 32))}`);
      return [keys.publicKey, t, m.kind === 'set-r' ? rs(m.value, sOf(s)) : rs(r, m.value)];
    }
    case 'swap':
      return [keys.publicKey, t, Uint8Array.from([...s.subarray(32), ...s.subarray(0, 32)])];
    case 'resize': {
      const out = new Uint8Array(m.length);
      out.set(s.subarray(0, Math.min(64, m.length)));
      return [keys.publicKey, t, out];
    }
    case 'random-sig':
      return [keys.publicKey, t, m.bytes];
    case 'bad-key':
      return [m.key, t, s];
  }
}

const b64 = (b: Uint8Array): string => Buffer.from(b).toString('base64url');
const rawSigners = new Map<string, (m: Uint8Array) => Uint8Array>();
/** OpenSSL without normalisation, so generated signatures are high-S about half the time. */
function rawOpenSslSign(keys: KeyPair, m: Uint8Array): Uint8Array {
  const id = toHex(keys.publicKey);
  let signer = rawSigners.get(id);
  if (!signer) {
    const key = createPrivateKey({
      key: {
        kty: 'EC',
        crv: 'P-256',
        d: b64(keys.privateKey),
        x: b64(keys.publicKey.subarray(1, 33)),
        y: b64(keys.publicKey.subarray(33)),
      },
      format: 'jwk',
    });
    signer = (x) => new Uint8Array(nodeSign('sha256', x, { key, dsaEncoding: 'ieee-p1363' }));
    rawSigners.set(id, signer);
  }
  return signer(m);
}

describe('node:crypto and noble agree', () => {
  it('on generated (key, message, signature, mutation) cases, under both policies', () => {
    const counts = new Map<SignatureVerdict, number>();
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, maxLength: 12 }),
        fc.uint8Array({ maxLength: 96 }),
        fc.constantFrom('openssl' as const, 'rfc6979' as const),
        mutation,
        (label, message, how, m) => {
          const keys = keyPairFromSeed('agreement', label);
          const sig = how === 'openssl' ? rawOpenSslSign(keys, message) : signDeterministic(keys.privateKey, message);
          const [pub, t, s] = apply(m, keys, message, sig);
          for (const policy of POLICIES) {
            const v = verdict(policy, pub, t, s);
            counts.set(v, (counts.get(v) ?? 0) + 1);
            if (m.kind === 'none') expect(v).toBe(policy === 'reject' && isHighS(s) ? 'high-s-refused' : 'valid');
          }
        },
      ),
      { numRuns: 3000 },
    );
    // Every verdict was exercised.
    for (const v of ['valid', 'invalid', 'high-s-refused', 'malformed', 'bad-key'] as const)
      expect(counts.get(v) ?? 0, v).toBeGreaterThan(0);
  });
});
