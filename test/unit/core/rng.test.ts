import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Rng } from '../../../core/rng.ts';

const draw = (rng: Rng, n: number): number[] => Array.from({ length: n }, () => rng.nextU32());
const seed = fc.oneof(fc.integer(), fc.string(), fc.double({ noNaN: true, noDefaultInfinity: true }));

describe('Rng', () => {
  it('gives the same sequence for the same seed and different ones for different seeds', () => {
    fc.assert(
      fc.property(seed, seed, (a, b) => {
        const sa = draw(Rng.fromSeed(a), 8);
        expect(draw(Rng.fromSeed(a), 8)).toEqual(sa);
        if (a !== b && !(a === 0 && b === 0)) expect(draw(Rng.fromSeed(b), 8)).not.toEqual(sa);
      }),
    );
    expect(draw(Rng.fromSeed(1), 4)).not.toEqual(draw(Rng.fromSeed('1'), 4));
    expect(draw(Rng.fromSeed(0), 4)).toEqual(draw(Rng.fromSeed(-0), 4));
    expect(() => Rng.fromSeed(Number.NaN)).toThrow(RangeError);
  });

  it('forks from the seed, not from what the parent has drawn', () => {
    fc.assert(
      fc.property(seed, fc.oneof(fc.nat(), fc.string()), fc.nat({ max: 100 }), (s, label, used) => {
        const fresh = Rng.fromSeed(s);
        const worn = Rng.fromSeed(s);
        draw(worn, used);
        expect(draw(worn.fork(label), 8)).toEqual(draw(fresh.fork(label), 8));
        expect(draw(fresh.fork(label), 8)).not.toEqual(draw(fresh, 8));
      }),
    );
  });

  it('gives distinct, uncorrelated streams to distinct labels', () => {
    const root = Rng.fromSeed(globalThis.__testSeed);
    const firsts = new Set<string>();
    for (let i = 0; i < 10_000; i++) firsts.add(draw(root.fork(i), 2).join(','));
    expect(firsts.size).toBe(10_000);
    expect(draw(root.fork('a').fork(1), 4)).not.toEqual(draw(root.fork(1).fork('a'), 4));
    expect(draw(root.fork('ab'), 4)).not.toEqual(draw(root.fork('ab\u0000'), 4));
    // Neighbouring premises: the sample correlation of their floats is near zero.
    const x = root.fork(41);
    const y = root.fork(42);
    const n = 20_000;
    let sxy = 0;
    let sx = 0;
    let sy = 0;
    for (let i = 0; i < n; i++) {
      const a = x.float() - 0.5;
      const b = y.float() - 0.5;
      sxy += a * b;
      sx += a * a;
      sy += b * b;
    }
    expect(Math.abs(sxy / Math.sqrt(sx * sy))).toBeLessThan(0.05);
  });

  it('keeps int within its bounds', () => {
    fc.assert(
      fc.property(fc.integer(), fc.integer({ min: -1e6, max: 1e6 }), fc.nat({ max: 2 ** 40 }), (s, min, width) => {
        const rng = Rng.fromSeed(s);
        for (let i = 0; i < 20; i++) {
          const v = rng.int(min, min + width);
          expect(Number.isInteger(v)).toBe(true);
          expect(v).toBeGreaterThanOrEqual(min);
          expect(v).toBeLessThanOrEqual(min + width);
        }
      }),
    );
    const rng = Rng.fromSeed('bounds');
    expect(() => rng.int(2, 1)).toThrow(RangeError);
    expect(() => rng.int(0.5, 1)).toThrow(RangeError);
    expect(() => rng.int(-(2 ** 53) + 1, 2 ** 53 - 1)).toThrow(RangeError);
    expect(rng.int(7, 7)).toBe(7);
    const seen = new Set<number>();
    for (let i = 0; i < 600; i++) seen.add(rng.int(1, 6));
    expect([...seen].sort()).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('has the expected means for float, normal, logNormal, exponential and chance', () => {
    const rng = Rng.fromSeed(globalThis.__testSeed).fork('moments');
    const n = 200_000;
    const mean = (f: () => number): number => {
      let s = 0;
      for (let i = 0; i < n; i++) s += f();
      return s / n;
    };
    const f = mean(() => rng.float());
    expect(Math.abs(f - 0.5)).toBeLessThan(0.005);
    expect(Math.abs(mean(() => rng.normal(10, 2)) - 10)).toBeLessThan(0.05);
    expect(Math.abs(Math.sqrt(mean(() => rng.normal(0, 2) ** 2)) - 2)).toBeLessThan(0.05);
    expect(Math.abs(mean(() => rng.exponential(3)) - 3)).toBeLessThan(0.05);
    expect(Math.abs(mean(() => (rng.chance(0.3) ? 1 : 0)) - 0.3)).toBeLessThan(0.005);
    const logs = Array.from({ length: 20_001 }, () => rng.logNormal(2900, 0.4)).sort((a, b) => a - b);
    expect(Math.abs(logs[10_000]! / 2900 - 1)).toBeLessThan(0.03);
    for (let i = 0; i < 1000; i++) {
      const u = rng.float();
      expect(u >= 0 && u < 1).toBe(true);
    }
  });

  it('picks every element and refuses an empty array', () => {
    const rng = Rng.fromSeed('pick');
    const items = ['a', 'b', 'c'] as const;
    const seen = new Set<string>();
    for (let i = 0; i < 100; i++) seen.add(rng.pick(items));
    expect(seen.size).toBe(3);
    expect(() => rng.pick([])).toThrow(RangeError);
  });
});
