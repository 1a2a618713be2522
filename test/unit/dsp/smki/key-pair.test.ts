import { p256 } from '@noble/curves/nist.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { keyPairFromSeed } from '../../../../dsp/smki/key-pair.ts';
import { checkPublicKey } from '../../../../dsp/smki/signature.ts';
import { N, toHex } from './fixtures.ts';

describe('keyPairFromSeed', () => {
  it('gives the same pair for the same seed and label, a 32-byte scalar in [1, n − 1] and its 65-byte uncompressed point', () => {
    fc.assert(
      fc.property(fc.oneof(fc.integer(), fc.string()), fc.string(), (seed, label) => {
        const a = keyPairFromSeed(seed, label);
        const b = keyPairFromSeed(seed, label);
        expect(toHex(b.privateKey)).toBe(toHex(a.privateKey));
        expect(toHex(b.publicKey)).toBe(toHex(a.publicKey));
        expect(a.privateKey).toHaveLength(32);
        const d = BigInt(`0x${toHex(a.privateKey)}`);
        expect(d > 0n && d < N).toBe(true);
        expect(toHex(a.publicKey)).toBe(toHex(p256.getPublicKey(a.privateKey, false)));
        expect(checkPublicKey(a.publicKey).ok).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it('keeps seeds and labels apart', () => {
    const key = (seed: number | string, label: string): string => toHex(keyPairFromSeed(seed, label).privateKey);
    const base = key(1, 'supplier:90-B3-D5-1F-30-01-00-00:ds');
    expect(key(2, 'supplier:90-B3-D5-1F-30-01-00-00:ds')).not.toBe(base);
    expect(key('1', 'supplier:90-B3-D5-1F-30-01-00-00:ds')).not.toBe(base);
    expect(key(1, 'supplier:90-B3-D5-1F-30-01-00-00:ka')).not.toBe(base);
    // No separator trick: seed "a" + label "b:c" is not seed "a:b" + label "c".
    expect(key('a', 'b:c')).not.toBe(key('a:b', 'c'));
    expect(key(0, 'x')).toBe(key(-0, 'x'));
  });

  it('refuses a non-finite numeric seed', () => {
    expect(() => keyPairFromSeed(Number.NaN, 'x')).toThrow(RangeError);
    expect(() => keyPairFromSeed(Number.POSITIVE_INFINITY, 'x')).toThrow(RangeError);
  });
});
