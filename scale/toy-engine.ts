import { fieldError, type FieldError } from '../core/errors.ts';
import { err, ok, type Result } from '../core/result.ts';
import { Rng } from '../core/rng.ts';
import type { Instant } from '../core/time/duration.ts';
import type { CrossMessage, EngineKind, EngineModel, Placement, ShardEngine, StepOutput, TimeWindow } from './engine.ts';
import { canonicalJson, sha256Hex } from './protocol/digest.ts';

/**
 * A stand-in engine for the sharded runtime's tests and benchmark: K entities
 * (keys `e0` … `e{K-1}`), spread over the shards by the runtime's key
 * function, each with its own stream of the seed (`Rng.fork(index)`).
 *
 * An entity ticks at random times (exponential gaps of mean `tickMeanMs`); on
 * each tick it sends a message to a random entity, itself included, delayed
 * by the lookahead plus 0..`extraDelayMaxMs`. On each message it receives it
 * may answer the sender (`replyChance`) the same way. Everything it does is
 * mixed into a running digest. The result is every entity's digest and
 * counts: identical for any number of shards, since an entity's events run
 * in an order of its own — (time, received before ticks, sender key, sender
 * seq) — that no shard boundary touches.
 */

export interface ToyConfig {
  readonly seed: string;
  readonly entities: number;
  readonly lookaheadMs: number;
  readonly start: Instant;
  readonly durationMs: number;
  readonly tickMeanMs: number;
  readonly extraDelayMaxMs: number;
  readonly replyChance: number;
  /** Fault injection for tests: the engine throws in the first window that starts at or after start + failAfterMs. */
  readonly failAfterMs?: number;
}

export const TOY_DEFAULTS: ToyConfig = {
  seed: '1',
  entities: 1_000,
  lookaheadMs: 1_000,
  start: Date.UTC(2026, 2, 1),
  durationMs: 10 * 60_000,
  tickMeanMs: 5_000,
  extraDelayMaxMs: 2_000,
  replyChance: 0.5,
};

const FIELDS = new Set([
  'seed',
  'entities',
  'lookaheadMs',
  'start',
  'durationMs',
  'tickMeanMs',
  'extraDelayMaxMs',
  'replyChance',
  'failAfterMs',
]);

/** The toy configuration from JSON: `seed` a string or a number, kept as text; anything left out takes `TOY_DEFAULTS`. */
export function parseToyConfig(raw: unknown, path = 'config'): Result<ToyConfig, FieldError> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return err(fieldError(path, 'type', 'an object', raw));
  const o = raw as Record<string, unknown>;
  for (const k of Object.keys(o)) if (!FIELDS.has(k)) return err(fieldError(`${path}.${k}`, 'unknown-kind', [...FIELDS].join(', '), k));
  const seed = o['seed'] ?? TOY_DEFAULTS.seed;
  if (typeof seed !== 'string' && !(typeof seed === 'number' && Number.isFinite(seed))) {
    return err(fieldError(`${path}.seed`, 'type', 'a string or a finite number', seed));
  }
  const int = (
    name: 'entities' | 'lookaheadMs' | 'start' | 'durationMs' | 'tickMeanMs' | 'extraDelayMaxMs',
    min: number,
    max: number,
  ): Result<number, FieldError> => {
    const v = o[name] ?? TOY_DEFAULTS[name];
    if (typeof v !== 'number' || !Number.isSafeInteger(v)) return err(fieldError(`${path}.${name}`, 'type', 'an integer', v));
    if (v < min || v > max) return err(fieldError(`${path}.${name}`, 'range', `${min}..${max}`, v));
    return ok(v);
  };
  const entities = int('entities', 1, 10_000_000);
  if (!entities.ok) return entities;
  const lookaheadMs = int('lookaheadMs', 1, 86_400_000);
  if (!lookaheadMs.ok) return lookaheadMs;
  const start = int('start', 0, 8.64e15);
  if (!start.ok) return start;
  const durationMs = int('durationMs', 1, 366 * 86_400_000);
  if (!durationMs.ok) return durationMs;
  const tickMeanMs = int('tickMeanMs', 1, 86_400_000);
  if (!tickMeanMs.ok) return tickMeanMs;
  const extraDelayMaxMs = int('extraDelayMaxMs', 0, 86_400_000);
  if (!extraDelayMaxMs.ok) return extraDelayMaxMs;
  const replyChance = o['replyChance'] ?? TOY_DEFAULTS.replyChance;
  if (typeof replyChance !== 'number' || !(replyChance >= 0 && replyChance <= 1)) {
    return err(fieldError(`${path}.replyChance`, 'range', 'a number from 0 to 1', replyChance));
  }
  const failAfterMs = o['failAfterMs'];
  if (failAfterMs !== undefined && !(typeof failAfterMs === 'number' && Number.isSafeInteger(failAfterMs) && failAfterMs >= 0)) {
    return err(fieldError(`${path}.failAfterMs`, 'type', 'an integer ≥ 0', failAfterMs));
  }
  return ok({
    seed: String(seed),
    entities: entities.value,
    lookaheadMs: lookaheadMs.value,
    start: start.value,
    durationMs: durationMs.value,
    tickMeanMs: tickMeanMs.value,
    extraDelayMaxMs: extraDelayMaxMs.value,
    replyChance,
    ...(failAfterMs === undefined ? {} : { failAfterMs }),
  });
}

/** The toy engine kind, as registered in `scale/engines.ts`. */
export const toyEngine: EngineKind<ToyConfig> = {
  kind: 'toy',
  parse: (raw) => parseToyConfig(raw),
  model: (c): EngineModel => {
    const { seed: _seed, ...scenario } = c;
    return {
      scenarioDigest: sha256Hex(canonicalJson({ engine: 'toy', ...scenario })),
      seed: c.seed,
      lookaheadMs: c.lookaheadMs,
      end: c.start + c.durationMs,
    };
  },
  create: (c, placement) => new ToyShard(c, placement),
  merge: mergeToyResults,
};

// ---- the engine ----

const RECEIVE = 0;
const TICK = 1;

interface ToyEvent {
  readonly time: Instant;
  readonly entity: number;
  readonly rank: typeof RECEIVE | typeof TICK;
  readonly message: CrossMessage | null;
}

interface Entity {
  readonly index: number;
  readonly key: string;
  readonly rng: Rng;
  h1: number;
  h2: number;
  seq: number;
  sent: number;
  received: number;
}

class ToyShard implements ShardEngine {
  private readonly config: ToyConfig;
  private readonly end: Instant;
  private readonly entities = new Map<number, Entity>();
  private readonly heap = new EventQueue();
  private d1 = 0x9e3779b9;
  private d2 = 0x85ebca6b;

  constructor(config: ToyConfig, placement: Placement) {
    this.config = config;
    this.end = config.start + config.durationMs;
    const root = Rng.fromSeed(config.seed).fork('toy');
    for (let i = 0; i < config.entities; i++) {
      const key = `e${i}`;
      if (placement.shardOf(key) !== placement.shard) continue;
      const rng = root.fork(i);
      const e: Entity = { index: i, key, rng, h1: 0x811c9dc5 ^ i, h2: 0x01000193 ^ i, seq: 0, sent: 0, received: 0 };
      this.entities.set(i, e);
      this.scheduleTick(e, config.start + Math.floor(rng.exponential(config.tickMeanMs)));
    }
  }

  nextEvent(): Instant | null {
    return this.heap.peek()?.time ?? null;
  }

  step(window: TimeWindow, inbound: readonly CrossMessage[]): StepOutput {
    const { failAfterMs } = this.config;
    if (failAfterMs !== undefined && window.from >= this.config.start + failAfterMs) {
      throw new Error(`toy engine: failing on purpose at ${new Date(window.from).toISOString()}`);
    }
    for (const m of inbound) {
      const index = entityIndex(m.to);
      if (index === null || !this.entities.has(index)) throw new RangeError(`toy engine: no entity ${JSON.stringify(m.to)} on this shard`);
      this.heap.push({ time: m.deliverAt, entity: index, rank: RECEIVE, message: m });
    }
    const outbound: CrossMessage[] = [];
    for (let ev = this.heap.peek(); ev !== undefined && ev.time < window.until; ev = this.heap.peek()) {
      this.heap.pop();
      const e = this.entities.get(ev.entity)!;
      if (ev.rank === TICK) this.tick(e, ev.time, outbound);
      else this.receive(e, ev.message!, outbound);
      this.d1 = mix(this.d1 ^ e.h1, ev.time);
      this.d2 = mix(this.d2 ^ e.h2, ev.entity);
    }
    return { outbound, next: this.nextEvent() };
  }

  result(): Uint8Array {
    const owned = [...this.entities.values()].sort((a, b) => a.index - b.index);
    const out = new Uint8Array(ENTRY_BYTES * owned.length);
    const view = new DataView(out.buffer);
    owned.forEach((e, i) => writeEntry(view, i * ENTRY_BYTES, e));
    return out;
  }

  digest(): string {
    return `${hex32(this.d1)}${hex32(this.d2)}`;
  }

  private tick(e: Entity, now: Instant, outbound: CrossMessage[]): void {
    e.h1 = mix(e.h1, TICK);
    e.h2 = mix(mix(e.h2, lo(now)), hi(now));
    const target = e.rng.int(0, this.config.entities - 1);
    this.send(e, now, `e${target}`, outbound);
    const gap = 1 + Math.floor(e.rng.exponential(this.config.tickMeanMs));
    if (now + gap < this.end) this.scheduleTick(e, now + gap);
  }

  private receive(e: Entity, m: CrossMessage, outbound: CrossMessage[]): void {
    e.received++;
    e.h1 = mix(mix(e.h1, RECEIVE), entityIndex(m.from) ?? 0xffffffff);
    e.h2 = mix(mix(mix(e.h2, lo(m.deliverAt)), hi(m.deliverAt)), m.seq);
    for (let i = 0; i + 4 <= m.payload.length; i += 4) {
      e.h1 = mix(e.h1, ((m.payload[i]! << 24) | (m.payload[i + 1]! << 16) | (m.payload[i + 2]! << 8) | m.payload[i + 3]!) >>> 0);
    }
    if (e.rng.chance(this.config.replyChance)) this.send(e, m.deliverAt, m.from, outbound);
  }

  private send(e: Entity, now: Instant, to: string, outbound: CrossMessage[]): void {
    const delay = this.config.lookaheadMs + e.rng.int(0, this.config.extraDelayMaxMs);
    const payload = new Uint8Array(8);
    const view = new DataView(payload.buffer);
    view.setUint32(0, e.h1 >>> 0);
    view.setUint32(4, e.h2 >>> 0);
    outbound.push({ sentAt: now, deliverAt: now + delay, from: e.key, to, seq: e.seq++, payload });
    e.sent++;
  }

  private scheduleTick(e: Entity, at: Instant): void {
    if (at < this.end) this.heap.push({ time: at, entity: e.index, rank: TICK, message: null });
  }
}

function entityIndex(key: string): number | null {
  if (!/^e(0|[1-9]\d{0,8})$/.test(key)) return null;
  return Number(key.slice(1));
}

/** A 32-bit mix step (MurmurHash3's multiply-rotate), for digests only. */
function mix(h: number, v: number): number {
  let k = Math.imul(v >>> 0, 0xcc9e2d51);
  k = Math.imul((k << 15) | (k >>> 17), 0x1b873593);
  h ^= k;
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) >>> 0;
}

const lo = (t: number): number => t >>> 0;
const hi = (t: number): number => Math.floor(t / 0x1_0000_0000) >>> 0;
const hex32 = (n: number): string => (n >>> 0).toString(16).padStart(8, '0');

// ---- results ----

const ENTRY_BYTES = 20;
const MAGIC = 0x544f5931; // 'TOY1'

function writeEntry(view: DataView, at: number, e: Entity): void {
  view.setUint32(at, e.index);
  view.setUint32(at + 4, e.h1 >>> 0);
  view.setUint32(at + 8, e.h2 >>> 0);
  view.setUint32(at + 12, e.sent);
  view.setUint32(at + 16, e.received);
}

/**
 * Joins the shards' results: 'TOY1', the entity count, then every entity's
 * (index, digest, sent, received) in index order, big-endian uint32s.
 * @throws RangeError when the parts do not hold each entity 0..K-1 exactly once.
 */
export function mergeToyResults(parts: readonly Uint8Array[]): Uint8Array {
  const entries: Uint8Array[] = [];
  for (const p of parts) {
    if (p.length % ENTRY_BYTES !== 0) throw new RangeError(`toy results: a part of ${p.length} bytes is not whole entries`);
    for (let at = 0; at < p.length; at += ENTRY_BYTES) entries.push(p.subarray(at, at + ENTRY_BYTES));
  }
  const indexOf = (e: Uint8Array): number => new DataView(e.buffer, e.byteOffset, 4).getUint32(0);
  entries.sort((a, b) => indexOf(a) - indexOf(b));
  const out = new Uint8Array(8 + ENTRY_BYTES * entries.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, MAGIC);
  view.setUint32(4, entries.length);
  entries.forEach((e, i) => {
    if (indexOf(e) !== i) throw new RangeError(`toy results: entity ${i} is missing or twice`);
    out.set(e, 8 + i * ENTRY_BYTES);
  });
  return out;
}

/** A merged toy result read back: per entity, its digest and counts. */
export function readToyResult(bytes: Uint8Array): { readonly entities: number; readonly sent: number; readonly received: number } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 8 || view.getUint32(0) !== MAGIC) throw new RangeError('not a toy result');
  const n = view.getUint32(4);
  let sent = 0;
  let received = 0;
  for (let i = 0; i < n; i++) {
    sent += view.getUint32(8 + i * ENTRY_BYTES + 12);
    received += view.getUint32(8 + i * ENTRY_BYTES + 16);
  }
  return { entities: n, sent, received };
}

// ---- a binary heap of events in the engine's canonical order ----

function before(a: ToyEvent, b: ToyEvent): boolean {
  if (a.time !== b.time) return a.time < b.time;
  if (a.entity !== b.entity) return a.entity < b.entity;
  if (a.rank !== b.rank) return a.rank < b.rank;
  const ma = a.message;
  const mb = b.message;
  if (ma === null || mb === null) return false;
  if (ma.from !== mb.from) return ma.from < mb.from;
  return ma.seq < mb.seq;
}

class EventQueue {
  private readonly items: ToyEvent[] = [];

  peek(): ToyEvent | undefined {
    return this.items[0];
  }

  push(e: ToyEvent): void {
    const a = this.items;
    a.push(e);
    let i = a.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(e, a[parent]!)) break;
      a[i] = a[parent]!;
      i = parent;
    }
    a[i] = e;
  }

  pop(): ToyEvent | undefined {
    const a = this.items;
    const top = a[0];
    const last = a.pop();
    if (a.length === 0 || last === undefined) return top;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= a.length) break;
      const r = l + 1;
      const c = r < a.length && before(a[r]!, a[l]!) ? r : l;
      if (!before(a[c]!, last)) break;
      a[i] = a[c]!;
      i = c;
    }
    a[i] = last;
    return top;
  }
}
