import type { EngineSpec } from '../engine.ts';

/**
 * Which shard owns an entity key, by default: FNV-1a (32-bit) over the key's
 * UTF-8 bytes, modulo the shard count. Stable across processes, machines and
 * Node versions, so every shard and the coordinator agree without talking.
 *
 * @example
 * shardOfKey('00-DB-12-34-56-78-90-A0', 4); // the same on every machine
 */
export function shardOfKey(key: string, shards: number): number {
  if (!Number.isInteger(shards) || shards < 1) throw new RangeError(`shardOfKey: shards must be an integer ≥ 1, got ${shards}`);
  return fnv1aUtf8(key) % shards;
}

/** FNV-1a over the UTF-8 encoding of `s`, without building the bytes: this runs for every cross message. */
export function fnv1aUtf8(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    let c = s.charCodeAt(i);
    if (c < 0x80) {
      h = Math.imul(h ^ c, 0x01000193);
      continue;
    }
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const lo = s.charCodeAt(i + 1);
      if (lo >= 0xdc00 && lo <= 0xdfff) {
        c = 0x10000 + ((c - 0xd800) << 10) + (lo - 0xdc00);
        i++;
      }
    }
    // A lone surrogate is encoded as U+FFFD, as TextEncoder does.
    if (c >= 0xd800 && c <= 0xdfff) c = 0xfffd;
    if (c < 0x800) {
      h = step(h, 0xc0 | (c >> 6));
      h = step(h, 0x80 | (c & 0x3f));
    } else if (c < 0x10000) {
      h = step(h, 0xe0 | (c >> 12));
      h = step(h, 0x80 | ((c >> 6) & 0x3f));
      h = step(h, 0x80 | (c & 0x3f));
    } else {
      h = step(h, 0xf0 | (c >> 18));
      h = step(h, 0x80 | ((c >> 12) & 0x3f));
      h = step(h, 0x80 | ((c >> 6) & 0x3f));
      h = step(h, 0x80 | (c & 0x3f));
    }
  }
  return h >>> 0;
}

/** One byte of FNV-1a. A plain function, not a closure: this is the hot path of routing. */
function step(h: number, b: number): number {
  return Math.imul(h ^ b, 0x01000193);
}

/** The key router of a run: the engine kind's own (`EngineKind.shardOf`, which may use its configuration), else `shardOfKey`. */
export function keyRouter<C>(spec: EngineSpec<C>, shards: number): (key: string) => number {
  const kind = spec.kind;
  return kind.shardOf === undefined ? (key) => shardOfKey(key, shards) : (key) => kind.shardOf?.(key, shards, spec.config) ?? 0;
}
