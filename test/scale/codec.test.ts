import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PACKAGE, root } from '../../proto/schema.ts';
import {
  decodeScale,
  encodeScale,
  SCALE_KINDS,
  type CrossMessage,
  type ScaleBody,
  type ScaleKind,
  type ScaleMessage,
} from '../../proto/scale-codec.ts';

// The sharded-run protocol's codec (proto/gbsm/v1/scale.proto): every message round-trips; bad bytes are a value, never a throw.

const safeInt = fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER });
const instant = fc.integer({ min: -8.64e15, max: 8.64e15 });
const u32 = fc.integer({ min: 0, max: 0xffff_ffff });
const text = fc.string({ maxLength: 30 });
const bytes = fc.uint8Array({ maxLength: 40 });

const cross: fc.Arbitrary<CrossMessage> = fc.record({
  sentAt: instant,
  deliverAt: instant,
  from: text,
  to: text,
  seq: safeInt,
  payload: bytes,
});
const crossList = fc.array(cross, { maxLength: 5 });

const bodies: { readonly [K in ScaleKind]: fc.Arbitrary<Extract<ScaleBody, { kind: K }>> } = {
  hello: fc.record({
    kind: fc.constant('hello'),
    hello: fc.record({
      shard: fc.option(u32, { nil: null }),
      shardCount: u32,
      scenarioDigest: text,
      seed: text,
      engineKind: text,
      lookaheadMs: instant,
      routing: fc.constantFrom('coordinator', 'direct'),
    }),
  }),
  done: fc.record({
    kind: fc.constant('done'),
    done: fc.record({
      window: safeInt,
      next: fc.option(instant, { nil: null }),
      outbound: crossList,
      outboundCount: safeInt,
      sentTo: fc.array(safeInt, { maxLength: 5 }),
      earliestOutbound: fc.option(instant, { nil: null }),
      digest: text,
    }),
  }),
  result: fc.record({ kind: fc.constant('result'), result: fc.record({ shard: u32, result: bytes }) }),
  lost: fc.record({ kind: fc.constant('lost'), lost: fc.record({ reason: text }) }),
  failed: fc.record({ kind: fc.constant('failed'), failed: fc.record({ window: safeInt, reason: text }) }),
  helloAck: fc.record({ kind: fc.constant('helloAck'), helloAck: fc.record({ shard: u32, shardCount: u32 }) }),
  release: fc.record({
    kind: fc.constant('release'),
    release: fc.record({ window: safeInt, from: instant, until: instant, inbound: crossList, expectReceived: safeInt }),
  }),
  finish: fc.record({ kind: fc.constant('finish'), finish: fc.record({ at: instant }) }),
  abort: fc.record({ kind: fc.constant('abort'), abort: fc.record({ reason: text }) }),
  end: fc.record({ kind: fc.constant('end'), end: fc.record({ resultDigest: text, windows: safeInt }) }),
  batch: fc.record({ kind: fc.constant('batch'), batch: fc.record({ fromShard: u32, window: safeInt, messages: crossList }) }),
};

const messageOf = (kind: ScaleKind): fc.Arbitrary<ScaleMessage> =>
  fc.tuple(text, text, bodies[kind] as fc.Arbitrary<ScaleBody>).map(([runId, sender, body]) => ({ runId, sender, ...body }));
const anyMessage = fc.constantFrom(...SCALE_KINDS).chain(messageOf);

describe(`the scale protocol codec (seed ${globalThis.__testSeed})`, () => {
  it('covers every body of the schema', () => {
    const oneof = root.lookupType(`${PACKAGE}.ScaleMessage`).oneofs['body'];
    expect(oneof?.fieldsArray.map((f) => f.name).sort()).toEqual([...SCALE_KINDS].sort());
  });

  it.each(SCALE_KINDS)('gives back every %s exactly', (kind) => {
    fc.assert(
      fc.property(messageOf(kind), (m) => {
        expect(decodeScale(encodeScale(m))).toEqual({ ok: true, value: m });
      }),
      { numRuns: 50 },
    );
  });

  it('keeps shard 0 apart from no shard in a hello (proto3 optional)', () => {
    const hello = { shardCount: 2, scenarioDigest: 'd', seed: '1', engineKind: 'toy', lookaheadMs: 1000, routing: 'direct' as const };
    for (const shard of [0, null]) {
      const m: ScaleMessage = { runId: 'r', sender: 's', kind: 'hello', hello: { ...hello, shard } };
      expect(decodeScale(encodeScale(m))).toEqual({ ok: true, value: m });
    }
  });

  it('answers every truncation of a message with a decode error, never a throw', () => {
    fc.assert(
      fc.property(anyMessage, (m) => {
        const full = encodeScale(m);
        for (let n = 0; n < full.length; n++) {
          const r = decodeScale(full.subarray(0, n));
          // A prefix that ends between fields may still be a whole (shorter) message, but never a crash.
          if (!r.ok) expect(['truncated', 'invalid', 'unknown-type', 'unsupported-version', 'wrong-wire-type']).toContain(r.error.code);
        }
      }),
      { numRuns: 30 },
    );
  });

  it('answers garbage with a decode error or a message, never a throw', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (junk) => {
        const r = decodeScale(junk);
        expect(typeof r.ok).toBe('boolean');
      }),
      { numRuns: 500 },
    );
  });

  it('answers flipped bytes of a real message without throwing', () => {
    fc.assert(
      fc.property(anyMessage, fc.nat(), fc.integer({ min: 1, max: 255 }), (m, at, flip) => {
        const b = encodeScale(m).slice();
        if (b.length === 0) return;
        b[at % b.length]! ^= flip;
        expect(typeof decodeScale(b).ok).toBe('boolean');
      }),
      { numRuns: 300 },
    );
  });

  it('refuses an oversized payload before parsing, another protocol version, a missing body, and non-bytes', () => {
    const m: ScaleMessage = { runId: 'r', sender: 's', kind: 'abort', abort: { reason: 'x'.repeat(100) } };
    expect(decodeScale(encodeScale(m), 50)).toMatchObject({ ok: false, error: { code: 'oversized' } });
    const Message = root.lookupType(`${PACKAGE}.ScaleMessage`);
    const v2 = Message.encode({ protocolVersion: 2, runId: 'r', sender: 's', abort: { reason: 'x' } }).finish();
    expect(decodeScale(v2)).toMatchObject({ ok: false, error: { code: 'unsupported-version' } });
    const bodiless = Message.encode({ protocolVersion: 1, runId: 'r', sender: 's' }).finish();
    expect(decodeScale(bodiless)).toMatchObject({ ok: false, error: { code: 'unknown-type' } });
    expect(decodeScale('not bytes' as unknown as Uint8Array)).toMatchObject({ ok: false, error: { code: 'invalid' } });
  });

  it('refuses a count or sequence number beyond the safe integers', () => {
    const Message = root.lookupType(`${PACKAGE}.ScaleMessage`);
    const huge = { low: 0, high: 0x7fff_ffff, unsigned: true };
    const release = Message.encode({ protocolVersion: 1, runId: 'r', sender: 's', release: { window: huge } }).finish();
    expect(decodeScale(release)).toMatchObject({
      ok: false,
      error: { code: 'invalid', message: expect.stringContaining('window') as string },
    });
  });

  it('throws TypeError for a value protobuf cannot carry exactly: a bug in the sender', () => {
    const bad: ScaleMessage = { runId: 'r', sender: 's', kind: 'finish', finish: { at: 2 ** 60 } };
    expect(() => encodeScale(bad)).toThrow(TypeError);
    const negative: ScaleMessage = { runId: 'r', sender: 's', kind: 'failed', failed: { window: -1, reason: '' } };
    expect(() => encodeScale(negative)).toThrow(/failed.window/);
  });
});
