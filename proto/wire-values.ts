import { root } from './schema.ts';

/**
 * Scalars between the typed messages of `types.ts` and protobufjs objects.
 *
 * Writing: the typed message is trusted to be well-typed, but numbers are
 * checked because protobufjs would silently truncate them; a bad value is a
 * bug in the sender and throws TypeError.
 *
 * Reading: a decoded protobufjs message is untrusted; every accessor checks
 * what it reads and throws `InvalidMessage`, which the codec turns into a
 * DecodeError. Absent fields read as their proto3 defaults, because decoded
 * messages inherit them from their type's prototype.
 */

/** A protobufjs message or plain object as it is written or was read. */
export type Wire = Readonly<Record<string, unknown>>;

/** A decoded message is not a valid bus message; `message` says where and why. */
export class InvalidMessage extends Error {
  constructor(path: string, expected: string, got: unknown) {
    super(`${path}: expected ${expected}, got ${describe(got)}`);
    this.name = 'InvalidMessage';
  }
}

function describe(v: unknown): string {
  if (v === null || v === undefined) return 'nothing';
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 37)}...` : v);
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  return typeof v;
}

const U32_MAX = 0xffff_ffff;
const U64_MAX = 2n ** 64n - 1n;
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const TWO_32 = 0x1_0000_0000;

/** 64-bit bits in the shape protobufjs writes and verifies (a Long without the library). */
export interface LongBits {
  readonly low: number;
  readonly high: number;
  readonly unsigned: boolean;
}

// ---- writing ----

/** A safe integer for an int64 field (money, instants, durations). */
export function writeInt64(n: number, path: string): number {
  if (!Number.isSafeInteger(n)) throw new TypeError(`${path}: expected a safe integer, got ${describe(n)}`);
  return n;
}

/** A uint32 field. */
export function writeUint32(n: number, path: string): number {
  if (!Number.isInteger(n) || n < 0 || n > U32_MAX) throw new TypeError(`${path}: expected an integer 0..2^32-1, got ${describe(n)}`);
  return n;
}

/**
 * A uint64 field from a bigint 0..2^64-1. protobufjs takes neither bigint nor
 * numbers above 2^53: a safe value goes as a number, a larger one as its bits.
 */
export function writeUint64(v: bigint, path: string): number | LongBits {
  if (typeof v !== 'bigint' || v < 0n || v > U64_MAX) throw new TypeError(`${path}: expected a bigint 0..2^64-1, got ${describe(v)}`);
  if (v <= MAX_SAFE) return Number(v);
  return { low: Number(v & 0xffff_ffffn) | 0, high: Number(v >> 32n) | 0, unsigned: true };
}

/** Copies own enumerable string-keyed entries through `f`, keeping a `__proto__` key as data. */
export function mapRecord<A, B>(rec: Readonly<Record<string, A>>, f: (v: A, key: string) => B): Record<string, B> {
  const out: Record<string, B> = {};
  for (const k of Object.keys(rec)) setOwn(out, k, f(rec[k]!, k));
  return out;
}

/** `out[key] = value`, also for the key `__proto__` (which plain assignment would treat as the prototype). */
export function setOwn<T>(out: Record<string, T>, key: string, value: T): void {
  if (key === '__proto__') Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
  else out[key] = value;
}

// ---- reading ----

/** A nested message that must be present (proto3 decodes an absent one as null). */
export function readMessage(m: Wire, name: string, path: string): Wire {
  const v = m[name];
  if (typeof v !== 'object' || v === null) throw new InvalidMessage(`${path}.${name}`, 'a message', v);
  return v as Wire;
}

/**
 * Whether a nested message or proto3 `optional` field was on the wire. Decoded
 * messages set present fields on themselves; absent ones show their type's
 * default from the prototype (null for messages, but 0 for an optional int64).
 */
export const isPresent = (m: Wire, name: string): boolean => Object.prototype.hasOwnProperty.call(m, name) && m[name] != null;

export function readString(m: Wire, name: string, path: string): string {
  const v = m[name];
  if (typeof v !== 'string') throw new InvalidMessage(`${path}.${name}`, 'a string', v);
  return v;
}

export function readBool(m: Wire, name: string, path: string): boolean {
  const v = m[name];
  if (typeof v !== 'boolean') throw new InvalidMessage(`${path}.${name}`, 'a bool', v);
  return v;
}

export function readUint32(m: Wire, name: string, path: string): number {
  const v = m[name];
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > U32_MAX) throw new InvalidMessage(`${path}.${name}`, 'a uint32', v);
  return v;
}

export function readDouble(m: Wire, name: string, path: string): number {
  const v = m[name];
  if (typeof v !== 'number') throw new InvalidMessage(`${path}.${name}`, 'a double', v);
  return v;
}

/** The low and high words of a 64-bit field as protobufjs decodes it: a Long, or a number without the library. */
function readWords(m: Wire, name: string, path: string): LongBits | number {
  const v = m[name];
  if (typeof v === 'number' && Number.isSafeInteger(v)) return v;
  if (typeof v === 'object' && v !== null) {
    const { low, high } = v as Partial<LongBits>;
    if (typeof low === 'number' && typeof high === 'number') return { low, high, unsigned: false };
  }
  throw new InvalidMessage(`${path}.${name}`, 'a 64-bit integer', v);
}

/** An int64 or sint64 field that must be a safe integer: money, instants, durations. */
export function readInt64(m: Wire, name: string, path: string): number {
  const w = readWords(m, name, path);
  if (typeof w === 'number') return w;
  // Exact whenever the true value is safe; an unsafe value rounds to an unsafe number.
  const n = (w.high | 0) * TWO_32 + (w.low >>> 0);
  if (!Number.isSafeInteger(n)) throw new InvalidMessage(`${path}.${name}`, 'a safe integer', BigInt.asIntN(64, bigBits(w)));
  return n;
}

/** A uint64 field: 0..2^64-1. */
export function readUint64(m: Wire, name: string, path: string): bigint {
  const w = readWords(m, name, path);
  if (typeof w === 'number') return BigInt(w);
  const n = (w.high >>> 0) * TWO_32 + (w.low >>> 0);
  return Number.isSafeInteger(n) ? BigInt(n) : bigBits(w);
}

const bigBits = (w: LongBits): bigint => (BigInt(w.high >>> 0) << 32n) | BigInt(w.low >>> 0);

/** A bytes field, copied so the message does not hold on to the received buffer. */
export function readBytes(m: Wire, name: string, path: string): Uint8Array {
  const v = m[name];
  // protobufjs's default for an absent bytes field is an empty array.
  if (Array.isArray(v) && v.length === 0) return new Uint8Array(0);
  if (!(v instanceof Uint8Array)) throw new InvalidMessage(`${path}.${name}`, 'bytes', v);
  return new Uint8Array(v); // a plain copy, not a Buffer view of the received payload
}

/** Which member of a oneof is set, or undefined. */
export function readOneof(m: Wire, oneof: string): string | undefined {
  const v = m[oneof];
  return typeof v === 'string' ? v : undefined;
}

/** The own entries of a decoded map field. */
export function readMap(m: Wire, name: string, path: string): Wire {
  const v = m[name];
  if (typeof v !== 'object' || v === null) throw new InvalidMessage(`${path}.${name}`, 'a map', v);
  return v as Wire;
}

// ---- enums ----

/** A proto enum as a string union: its zero value is "unspecified" and never a valid value. */
export interface EnumCodec<T extends string> {
  write(v: T): number;
  read(m: Wire, name: string, path: string): T;
  /** All values, in schema order. */
  readonly values: readonly T[];
}

/**
 * Ties a string union to an enum of the loaded schema by value *names*, so a
 * renumbering would be caught here and a new schema value without a TypeScript
 * name fails at start-up, not on the first message.
 */
export function enumCodec<T extends string>(enumName: string, names: Readonly<Record<string, T>>): EnumCodec<T> {
  const schema = root.lookupEnum(enumName);
  const byNumber = new Map<number, T>();
  const byValue = new Map<T, number>();
  for (const [wireName, n] of Object.entries(schema.values)) {
    if (n === 0) continue;
    const v = names[wireName];
    if (v === undefined) throw new TypeError(`enum ${enumName}: no TypeScript value for ${wireName}`);
    byNumber.set(n, v);
    byValue.set(v, n);
  }
  if (byValue.size !== Object.keys(names).length) throw new TypeError(`enum ${enumName}: names not in the schema`);
  return {
    values: [...byValue.keys()],
    write(v) {
      const n = byValue.get(v);
      if (n === undefined) throw new TypeError(`${enumName}: no value ${describe(v)}`);
      return n;
    },
    read(m, name, path) {
      const n = m[name];
      const v = typeof n === 'number' ? byNumber.get(n) : undefined;
      if (v === undefined) throw new InvalidMessage(`${path}.${name}`, `a ${schema.name}`, n);
      return v;
    },
  };
}
