import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fnv1aUtf8, shardOfKey } from '../../scale/protocol/shard-key.ts';

// The default key → shard function: stable, and FNV-1a over exactly the key's UTF-8 bytes.

function reference(s: string): number {
  let h = 0x811c9dc5;
  for (const b of new TextEncoder().encode(s)) h = Math.imul(h ^ b, 0x01000193);
  return h >>> 0;
}

describe(`shardOfKey (seed ${globalThis.__testSeed})`, () => {
  it('hashes the UTF-8 bytes of any string, lone surrogates included, as TextEncoder encodes them', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => {
        expect(fnv1aUtf8(s)).toBe(reference(s));
      }),
    );
    for (const s of ['', 'e0', '00-DB-12-34-56-78-90-A0', 'é', '€', '😀', '\ud800', 'a\udc00b']) expect(fnv1aUtf8(s)).toBe(reference(s));
  });

  it('pins a few values, so a change of the function cannot pass unnoticed (it would move every entity)', () => {
    expect([shardOfKey('e0', 4), shardOfKey('e1', 4), shardOfKey('e2', 4), shardOfKey('00-DB-12-34-56-78-90-A0', 7)]).toEqual([
      reference('e0') % 4,
      reference('e1') % 4,
      reference('e2') % 4,
      reference('00-DB-12-34-56-78-90-A0') % 7,
    ]);
    expect(fnv1aUtf8('a')).toBe(0xe40c292c); // the published FNV-1a 32 test vector for "a"
  });

  it('refuses a shard count below 1', () => {
    expect(() => shardOfKey('x', 0)).toThrow(RangeError);
  });
});
