import { err, ok, type Result } from '../core/result.ts';
import type { Instant } from '../core/time/duration.ts';
import { classifyReadError, decodeError, type DecodeError } from './decode-error.ts';
import { PACKAGE, root } from './schema.ts';
import {
  enumCodec,
  InvalidMessage,
  isPresent,
  readBytes,
  readInt64,
  readMessage,
  readOneof,
  readString,
  readUint32,
  writeInt64,
  writeUint32,
  type Wire,
} from './wire-values.ts';

/**
 * The sharded-run protocol (`gbsm/v1/scale.proto`) as typed values, and its
 * codec. // ARCHITECTURE "Scale-out"; docs/scale-out.md
 *
 * Not an `Envelope`: the coordinator and the shards of a run exchange
 * `ScaleMessage`s only, on topics of their own (`scale/protocol/topics.ts`).
 * As with the envelope, encoding a bad value is a bug in the sender and throws
 * TypeError; decoding never throws and answers a `DecodeError`.
 *
 * 64-bit integers (instants, window numbers, sequence numbers, counts) are
 * `number`s here: safe integers, anything else on the wire is refused.
 */

/** The `protocol_version` this codec writes and the only one it reads. */
export const SCALE_PROTOCOL_VERSION = 1;

/** What a receiver accepts unless told otherwise: a done report carries a window's messages. */
export const SCALE_MAX_BYTES = 64 * 1024 * 1024;

/**
 * A message between entities of a sharded run. `from` and `to` are entity
 * keys (a comms hub's id, say); the runtime delivers the message to the shard
 * that owns `to`. `(from, seq)` names it in the run, and messages delivered
 * together are handled in canonical order (deliverAt, from, seq), whatever
 * order they crossed the broker in.
 */
export interface CrossMessage {
  /** Virtual time it was sent. */
  readonly sentAt: Instant;
  /** Virtual time it is delivered: at least `sentAt` + the run's lookahead. */
  readonly deliverAt: Instant;
  /** The sending entity's key; the sending shard must own it. */
  readonly from: string;
  /** The addressee's key. */
  readonly to: string;
  /** The sender key's sequence number, a safe integer ≥ 0, increasing per `from`. */
  readonly seq: number;
  readonly payload: Uint8Array;
}

/** How cross-shard messages travel: in the done reports, through the coordinator; or shard to shard. */
export type Routing = 'coordinator' | 'direct';

/** A shard introduces itself. */
export interface Hello {
  /** The index it claims, or null for one assigned by the coordinator. */
  readonly shard: number | null;
  readonly shardCount: number;
  readonly scenarioDigest: string;
  readonly seed: string;
  readonly engineKind: string;
  readonly lookaheadMs: number;
  readonly routing: Routing;
}

/** The coordinator accepts a shard as index `shard` of `shardCount`. */
export interface HelloAck {
  readonly shard: number;
  readonly shardCount: number;
}

/** Window `window`, [from, until), released to one shard. */
export interface Release {
  readonly window: number;
  readonly from: Instant;
  readonly until: Instant;
  /** Via the coordinator: this shard's messages for the window, in canonical order. */
  readonly inbound: readonly CrossMessage[];
  /** Direct: messages addressed to this shard sent before this window, all of which must have arrived. */
  readonly expectReceived: number;
}

/** A shard has run window `window` (0: built its engine). */
export interface Done {
  readonly window: number;
  /** Its earliest pending event (direct: or buffered message), or null. */
  readonly next: Instant | null;
  /** Via the coordinator: every message it emitted in the window. */
  readonly outbound: readonly CrossMessage[];
  readonly outboundCount: number;
  /** Direct: how many it sent to each shard, by index (empty via the coordinator). */
  readonly sentTo: readonly number[];
  /** Direct: the earliest `deliverAt` among them, or null. */
  readonly earliestOutbound: Instant | null;
  /** The engine's digest of its state after the window ('' when it keeps none). */
  readonly digest: string;
}

/** A shard's part of the outcome. */
export interface ShardResult {
  readonly shard: number;
  readonly result: Uint8Array;
}

/** The body of a ScaleMessage: a union on `kind`, the value under the same name. */
export type ScaleBody =
  | { readonly kind: 'hello'; readonly hello: Hello }
  | { readonly kind: 'done'; readonly done: Done }
  | { readonly kind: 'result'; readonly result: ShardResult }
  | { readonly kind: 'lost'; readonly lost: { readonly reason: string } }
  | { readonly kind: 'failed'; readonly failed: { readonly window: number; readonly reason: string } }
  | { readonly kind: 'helloAck'; readonly helloAck: HelloAck }
  | { readonly kind: 'release'; readonly release: Release }
  | { readonly kind: 'finish'; readonly finish: { readonly at: Instant } }
  | { readonly kind: 'abort'; readonly abort: { readonly reason: string } }
  | { readonly kind: 'end'; readonly end: { readonly resultDigest: string; readonly windows: number } }
  | {
      readonly kind: 'batch';
      readonly batch: { readonly fromShard: number; readonly window: number; readonly messages: readonly CrossMessage[] };
    };

/** The kinds of body. */
export type ScaleKind = ScaleBody['kind'];

/** One message of the protocol: the run, the sender's client id, and a body. */
export type ScaleMessage = { readonly runId: string; readonly sender: string } & ScaleBody;

export const SCALE_KINDS: readonly ScaleKind[] = [
  'hello',
  'done',
  'result',
  'lost',
  'failed',
  'helloAck',
  'release',
  'finish',
  'abort',
  'end',
  'batch',
];

const MessageType = root.lookupType(`${PACKAGE}.ScaleMessage`);
const ROUTING = enumCodec<Routing>(`${PACKAGE}.ScaleRouting`, {
  SCALE_ROUTING_VIA_COORDINATOR: 'coordinator',
  SCALE_ROUTING_DIRECT: 'direct',
});

// ---- encoding ----

/**
 * The protobuf encoding of a message, stamped with `SCALE_PROTOCOL_VERSION`.
 * A value protobuf cannot carry exactly (an unsafe integer, a negative count)
 * is a bug in the sender: TypeError.
 */
export function encodeScale(m: ScaleMessage): Uint8Array {
  const wire: Wire = { protocolVersion: SCALE_PROTOCOL_VERSION, runId: m.runId, sender: m.sender, [m.kind]: bodyToWire(m) };
  const problem = MessageType.verify(wire);
  if (problem !== null) throw new TypeError(`encodeScale: ${problem}`);
  return MessageType.encode(wire).finish();
}

function bodyToWire(b: ScaleBody): Wire {
  switch (b.kind) {
    case 'hello': {
      const h = b.hello;
      return {
        shard: h.shard === null ? undefined : writeUint32(h.shard, 'hello.shard'),
        shardCount: writeUint32(h.shardCount, 'hello.shardCount'),
        scenarioDigest: h.scenarioDigest,
        seed: h.seed,
        engineKind: h.engineKind,
        lookaheadMs: writeInt64(h.lookaheadMs, 'hello.lookaheadMs'),
        routing: ROUTING.write(h.routing),
      };
    }
    case 'done': {
      const d = b.done;
      return {
        window: count(d.window, 'done.window'),
        next: d.next === null ? undefined : writeInt64(d.next, 'done.next'),
        outbound: d.outbound.map((x, i) => crossToWire(x, `done.outbound[${i}]`)),
        outboundCount: count(d.outboundCount, 'done.outboundCount'),
        sentTo: d.sentTo.map((n, i) => count(n, `done.sentTo[${i}]`)),
        earliestOutbound: d.earliestOutbound === null ? undefined : writeInt64(d.earliestOutbound, 'done.earliestOutbound'),
        digest: d.digest,
      };
    }
    case 'result':
      return { shard: writeUint32(b.result.shard, 'result.shard'), result: b.result.result };
    case 'lost':
      return { reason: b.lost.reason };
    case 'failed':
      return { window: count(b.failed.window, 'failed.window'), reason: b.failed.reason };
    case 'helloAck':
      return {
        shard: writeUint32(b.helloAck.shard, 'helloAck.shard'),
        shardCount: writeUint32(b.helloAck.shardCount, 'helloAck.shardCount'),
      };
    case 'release': {
      const r = b.release;
      return {
        window: count(r.window, 'release.window'),
        from: writeInt64(r.from, 'release.from'),
        until: writeInt64(r.until, 'release.until'),
        inbound: r.inbound.map((x, i) => crossToWire(x, `release.inbound[${i}]`)),
        expectReceived: count(r.expectReceived, 'release.expectReceived'),
      };
    }
    case 'finish':
      return { at: writeInt64(b.finish.at, 'finish.at') };
    case 'abort':
      return { reason: b.abort.reason };
    case 'end':
      return { resultDigest: b.end.resultDigest, windows: count(b.end.windows, 'end.windows') };
    case 'batch': {
      const x = b.batch;
      return {
        fromShard: writeUint32(x.fromShard, 'batch.fromShard'),
        window: count(x.window, 'batch.window'),
        messages: x.messages.map((c, i) => crossToWire(c, `batch.messages[${i}]`)),
      };
    }
  }
}

function crossToWire(c: CrossMessage, path: string): Wire {
  if (!(c.payload instanceof Uint8Array)) throw new TypeError(`${path}.payload: expected a Uint8Array`);
  return {
    sentAt: writeInt64(c.sentAt, `${path}.sentAt`),
    deliverAt: writeInt64(c.deliverAt, `${path}.deliverAt`),
    from: c.from,
    to: c.to,
    seq: count(c.seq, `${path}.seq`),
    payload: c.payload,
  };
}

/** A safe integer ≥ 0 for a uint64 field. */
function count(n: number, path: string): number {
  if (!Number.isSafeInteger(n) || n < 0) throw new TypeError(`${path}: expected a safe integer ≥ 0, got ${String(n)}`);
  return n;
}

// ---- decoding ----

/**
 * The message in `bytes`, or why there is none. Never throws: payloads come
 * from the network. `oversized` is checked before parsing.
 */
export function decodeScale(bytes: Uint8Array, maxBytes = SCALE_MAX_BYTES): Result<ScaleMessage, DecodeError> {
  if (!(bytes instanceof Uint8Array)) return err(decodeError('invalid', `expected bytes, got ${typeof bytes}`));
  if (bytes.length > maxBytes) return err(decodeError('oversized', `${bytes.length} bytes, at most ${maxBytes} accepted`));
  let m: Wire;
  try {
    m = MessageType.decode(bytes);
  } catch (thrown) {
    return err(classifyReadError(thrown));
  }
  const version = m['protocolVersion'];
  if (version !== SCALE_PROTOCOL_VERSION) {
    return err(decodeError('unsupported-version', `protocol_version ${String(version)}, this codec reads ${SCALE_PROTOCOL_VERSION}`));
  }
  const kind = readOneof(m, 'body');
  if (!isKind(kind)) return err(decodeError('unknown-type', 'a scale message without a body this schema knows'));
  try {
    const head = { runId: readString(m, 'runId', 'scale'), sender: readString(m, 'sender', 'scale') };
    return ok({ ...head, ...bodyFromWire(readMessage(m, kind, 'scale'), kind) });
  } catch (thrown) {
    if (thrown instanceof InvalidMessage) return err(decodeError('invalid', thrown.message));
    return err(decodeError('invalid', `unexpected: ${thrown instanceof Error ? thrown.message : String(thrown)}`));
  }
}

const KINDS: ReadonlySet<string> = new Set(SCALE_KINDS);
const isKind = (k: unknown): k is ScaleKind => typeof k === 'string' && KINDS.has(k);

function bodyFromWire(w: Wire, kind: ScaleKind): ScaleBody {
  const p = `scale.${kind}`;
  switch (kind) {
    case 'hello':
      return {
        kind,
        hello: {
          shard: isPresent(w, 'shard') ? readUint32(w, 'shard', p) : null,
          shardCount: readUint32(w, 'shardCount', p),
          scenarioDigest: readString(w, 'scenarioDigest', p),
          seed: readString(w, 'seed', p),
          engineKind: readString(w, 'engineKind', p),
          lookaheadMs: readInt64(w, 'lookaheadMs', p),
          routing: ROUTING.read(w, 'routing', p),
        },
      };
    case 'done':
      return {
        kind,
        done: {
          window: readCount(w, 'window', p),
          next: isPresent(w, 'next') ? readInt64(w, 'next', p) : null,
          outbound: readCrossList(w, 'outbound', p),
          outboundCount: readCount(w, 'outboundCount', p),
          sentTo: readCounts(w, 'sentTo', p),
          earliestOutbound: isPresent(w, 'earliestOutbound') ? readInt64(w, 'earliestOutbound', p) : null,
          digest: readString(w, 'digest', p),
        },
      };
    case 'result':
      return { kind, result: { shard: readUint32(w, 'shard', p), result: readBytes(w, 'result', p) } };
    case 'lost':
      return { kind, lost: { reason: readString(w, 'reason', p) } };
    case 'failed':
      return { kind, failed: { window: readCount(w, 'window', p), reason: readString(w, 'reason', p) } };
    case 'helloAck':
      return { kind, helloAck: { shard: readUint32(w, 'shard', p), shardCount: readUint32(w, 'shardCount', p) } };
    case 'release':
      return {
        kind,
        release: {
          window: readCount(w, 'window', p),
          from: readInt64(w, 'from', p),
          until: readInt64(w, 'until', p),
          inbound: readCrossList(w, 'inbound', p),
          expectReceived: readCount(w, 'expectReceived', p),
        },
      };
    case 'finish':
      return { kind, finish: { at: readInt64(w, 'at', p) } };
    case 'abort':
      return { kind, abort: { reason: readString(w, 'reason', p) } };
    case 'end':
      return { kind, end: { resultDigest: readString(w, 'resultDigest', p), windows: readCount(w, 'windows', p) } };
    case 'batch':
      return {
        kind,
        batch: { fromShard: readUint32(w, 'fromShard', p), window: readCount(w, 'window', p), messages: readCrossList(w, 'messages', p) },
      };
  }
}

/** A uint64 that must be a safe integer. */
function readCount(m: Wire, name: string, path: string): number {
  const n = readInt64(m, name, path);
  if (n < 0) throw new InvalidMessage(`${path}.${name}`, 'a safe integer ≥ 0', n);
  return n;
}

function readList(m: Wire, name: string, path: string): readonly unknown[] {
  const v = m[name];
  if (!Array.isArray(v)) throw new InvalidMessage(`${path}.${name}`, 'a repeated field', v);
  return v;
}

/** A repeated uint64 of safe integers; an element's path is `….name.i`. */
function readCounts(m: Wire, name: string, path: string): number[] {
  const list = readList(m, name, path) as unknown as Wire;
  return (list as unknown as readonly unknown[]).map((_, i) => readCount(list, String(i), `${path}.${name}`));
}

function readCrossList(m: Wire, name: string, path: string): CrossMessage[] {
  return readList(m, name, path).map((item, i) => {
    const at = `${path}.${name}[${i}]`;
    if (typeof item !== 'object' || item === null) throw new InvalidMessage(at, 'a message', item);
    const c = item as Wire;
    return {
      sentAt: readInt64(c, 'sentAt', at),
      deliverAt: readInt64(c, 'deliverAt', at),
      from: readString(c, 'from', at),
      to: readString(c, 'to', at),
      seq: readCount(c, 'seq', at),
      payload: readBytes(c, 'payload', at),
    };
  });
}
