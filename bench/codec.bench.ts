/**
 * Bus codec throughput: encode + decode of one HAN command envelope (a UTRN
 * top-up delivered by SR 2.2) through the protobuf codec, next to
 * JSON.stringify + JSON.parse of the same envelope in the same run as the
 * baseline. The protobuf figure includes everything a receiver gets: schema
 * checks on the way out, and on the way in a fully checked, typed envelope.
 * JSON gets neither (and needs a replacer for the bigint counter).
 *
 * Run: node --import tsx bench/codec.bench.ts
 */
import { decodeEnvelope, encodeEnvelope } from '../proto/codec.ts';
import type { Envelope } from '../proto/types.ts';

const N = 200_000;
const at = Date.UTC(2026, 2, 1, 18, 30);

const envelope: Envelope = {
  messageId: '00-DB-12-00-00-00-00-2A/1002',
  requestId: '90-B3-D5-1F-30-01-00-00:00-DB-12-34-56-78-90-A0:1002',
  originator: '90-B3-D5-1F-30-01-00-00',
  target: '00-DB-12-34-56-78-90-A0',
  counter: 1_772_389_800_000n,
  at,
  kind: 'hanCommand',
  hanCommand: {
    ref: '90-B3-D5-1F-30-01-00-00:00-DB-12-34-56-78-90-A0:1002',
    now: at,
    kind: 'creditUtrn',
    creditUtrn: { utrn: '73615109264835710294', via: 'remote', counter: 4_321n },
  },
};

const bigintAsString = (_key: string, v: unknown): unknown => (typeof v === 'bigint' ? v.toString() : v);

function protobufRoundTrip(): number {
  let size = 0;
  for (let i = 0; i < N; i++) {
    const bytes = encodeEnvelope(envelope);
    const r = decodeEnvelope(bytes);
    if (!r.ok) throw new Error(r.error.message);
    size += bytes.length;
  }
  return size / N;
}

function jsonRoundTrip(): number {
  let size = 0;
  for (let i = 0; i < N; i++) {
    const text = JSON.stringify(envelope, bigintAsString);
    const back: unknown = JSON.parse(text);
    if (back === null) throw new Error('unreachable');
    size += Buffer.byteLength(text);
  }
  return size / N;
}

function measure(name: string, fn: () => number): void {
  fn(); // warm up the JIT
  const runs = 5;
  let best = Infinity;
  let bytes = 0;
  for (let r = 0; r < runs; r++) {
    const start = performance.now();
    bytes = fn();
    best = Math.min(best, performance.now() - start);
  }
  const perSecond = N / (best / 1000);
  console.log(
    `${name.padEnd(34)} ${best.toFixed(1).padStart(8)} ms   ${(perSecond / 1e3).toFixed(0).padStart(5)} k round trips/s   ${bytes} bytes`,
  );
}

console.log(`${N.toLocaleString('en-GB')} encode + decode round trips of a HAN command envelope, best of 5`);
measure('protobuf (encodeEnvelope/decode)', protobufRoundTrip);
measure('JSON.stringify / JSON.parse', jsonRoundTrip);
