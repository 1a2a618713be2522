/**
 * UTRN cryptography: static-static ECDH on P-256, the GBCS key-derivation
 * function in the "command" direction, and the AES-128-GCM tag whose last four
 * bytes become the low half of the PTUT. // DOMAIN §2.2, §5.2, GBCS §14 (UTRN)
 *
 * The KDF binds the originator counter, so every token has its own AES key;
 * what Supplier and device share long-term is the ECDH secret Z, which is what
 * minting and verification take.
 */
import { createCipheriv, createECDH, createHash } from 'node:crypto';
import { sha256 } from '@noble/hashes/sha2.js';
import { err, ok, type Result } from '../../../../core/result.ts';
import { fieldError, type FieldError } from '../../../../core/errors.ts';

/** Order n of the P-256 group. */
const P256_ORDER = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;

// DOMAIN §5.2: KDF OtherInfo = AlgorithmID ‖ originator ‖ 0x09 ‖ direction ‖ counter ‖ recipient.
const KDF_ALGORITHM_ID = Uint8Array.of(0x60, 0x85, 0x74, 0x06, 0x08, 0x03, 0x00);
const KDF_COUNTER = Uint8Array.of(0, 0, 0, 1); // single SHA-256 round, big-endian 1
const KDF_SEPARATOR = 0x09;
const DIRECTION_COMMAND = 0x01;
// DOMAIN §2.2: AAD = 0x11 ‖ zeros ‖ orig ‖ target ‖ CRA flag 0x01 (command) ‖ counter ‖ PTUT-high.
// The zero run is five bytes, not the four DOMAIN §2.2 shows: only with five do
// the published reference UTRNs (incl. the SR 2.2 / CS01a request) come out;
// see test/unit/utrn/utrn-mac.test.ts.
const AAD_PREFIX = Uint8Array.of(0x11, 0, 0, 0, 0, 0);
const CRA_COMMAND = 0x01;

/** A P-256 key-agreement key pair, raw SEC1 encodings. */
export interface KaKeyPair {
  /** 32-byte big-endian scalar. */
  readonly privateKey: Uint8Array;
  /** 65-byte uncompressed point (0x04 ‖ x ‖ y). */
  readonly publicKey: Uint8Array;
}

/**
 * Static-static ECDH on P-256: the 32-byte x-coordinate of d·Q. The public key
 * may be uncompressed (65 bytes) or compressed (33 bytes); a point that is not
 * on the curve is rejected, never multiplied (invalid-curve attacks).
 */
export function ecdhP256Shared(privateKey: Uint8Array, publicKey: Uint8Array): Result<Uint8Array, FieldError> {
  const bad = checkPrivateKey(privateKey, 'privateKey') ?? checkPublicKeyShape(publicKey, 'publicKey');
  if (bad) return err(bad);
  try {
    const ecdh = createECDH('prime256v1');
    ecdh.setPrivateKey(privateKey);
    return ok(new Uint8Array(ecdh.computeSecret(publicKey)));
  } catch {
    return err(fieldError('publicKey', 'format', 'a point on P-256', `${publicKey.length} bytes`));
  }
}

/**
 * The per-token AES-128 key: SHA-256(00000001 ‖ Z ‖ OtherInfo)[0..16) with
 * OtherInfo for the "command" direction. // DOMAIN §5.2
 *
 * @param sharedSecret Z from {@link ecdhP256Shared}
 * @param counter the full 64-bit originator counter
 */
export function utrnKeyFromSecret(sharedSecret: Uint8Array, originator: Uint8Array, target: Uint8Array, counter: bigint): Uint8Array {
  requireLength(sharedSecret, 32, 'sharedSecret');
  const otherInfo = concat(
    KDF_ALGORITHM_ID,
    eui(originator, 'originator'),
    [KDF_SEPARATOR, DIRECTION_COMMAND],
    u64(counter),
    eui(target, 'target'),
  );
  const digest = createHash('sha256').update(KDF_COUNTER).update(sharedSecret).update(otherInfo).digest();
  return new Uint8Array(digest.subarray(0, 16));
}

/**
 * Supplier side: the AES key for the token with this counter, from the
 * Supplier's prepayment key-agreement private key and the device's KA public
 * key. // DOMAIN §2.2, §5.2
 */
export function deriveUtrnKey(
  supplierKaPrivate: Uint8Array,
  deviceKaPublic: Uint8Array,
  originator: Uint8Array,
  target: Uint8Array,
  counter: bigint,
): Result<Uint8Array, FieldError> {
  const z = ecdhP256Shared(supplierKaPrivate, deviceKaPublic);
  return z.ok ? ok(utrnKeyFromSecret(z.value, originator, target, counter)) : z;
}

/** Device side: the same key as {@link deriveUtrnKey}, from the other half of each key pair. */
export function deriveUtrnKeyOnDevice(
  deviceKaPrivate: Uint8Array,
  supplierKaPublic: Uint8Array,
  originator: Uint8Array,
  target: Uint8Array,
  counter: bigint,
): Result<Uint8Array, FieldError> {
  return deriveUtrnKey(deviceKaPrivate, supplierKaPublic, originator, target, counter);
}

/**
 * The UTRN MAC: the last 4 bytes (big-endian uint32) of the 16-byte
 * AES-128-GCM tag over an empty plaintext. IV = originator ‖ 00000000. // DOMAIN §2.2, §5.2
 */
export function utrnMac(key: Uint8Array, originator: Uint8Array, target: Uint8Array, counter: bigint, ptutHigh: number): number {
  requireLength(key, 16, 'key');
  if (!Number.isInteger(ptutHigh) || ptutHigh < 0 || ptutHigh > 0xffff_ffff)
    throw new RangeError(`ptutHigh must be a uint32, got ${ptutHigh}`);
  const orig = eui(originator, 'originator');
  const high = new Uint8Array(4);
  new DataView(high.buffer).setUint32(0, ptutHigh);
  const aad = concat(AAD_PREFIX, orig, eui(target, 'target'), [CRA_COMMAND], u64(counter), high);
  const cipher = createCipheriv('aes-128-gcm', key, concat(orig, [0, 0, 0, 0]), { authTagLength: 16 });
  cipher.setAAD(aad);
  cipher.final();
  const tag = cipher.getAuthTag();
  return tag.readUInt32BE(12);
}

/**
 * A deterministic key pair for the twin's simulated devices and Suppliers:
 * d = SHA-256(seed) mod (n − 1) + 1, so d is never zero. Not for real keys.
 */
export function kaKeyPairFromSeed(seed: Uint8Array): KaKeyPair {
  const d = (bytesToBigint(sha256(seed)) % (P256_ORDER - 1n)) + 1n;
  const privateKey = bigintToBytes(d, 32);
  const ecdh = createECDH('prime256v1');
  ecdh.setPrivateKey(privateKey);
  return { privateKey, publicKey: new Uint8Array(ecdh.getPublicKey()) };
}

function checkPrivateKey(k: Uint8Array, path: string): FieldError | undefined {
  if (k.length !== 32) return fieldError(path, 'format', '32 bytes', `${k.length} bytes`);
  const d = bytesToBigint(k);
  return d === 0n || d >= P256_ORDER ? fieldError(path, 'range', 'a scalar in [1, n-1]', 'a scalar outside it') : undefined;
}

function checkPublicKeyShape(k: Uint8Array, path: string): FieldError | undefined {
  const uncompressed = k.length === 65 && k[0] === 0x04;
  const compressed = k.length === 33 && (k[0] === 0x02 || k[0] === 0x03);
  return uncompressed || compressed
    ? undefined
    : fieldError(path, 'format', 'a SEC1 point (65 bytes 04‖x‖y or 33 bytes 02/03‖x)', `${k.length} bytes`);
}

function eui(b: Uint8Array, name: string): Uint8Array {
  requireLength(b, 8, name);
  return b;
}

function requireLength(b: Uint8Array, n: number, name: string): void {
  if (b.length !== n) throw new TypeError(`${name} must be ${n} bytes, got ${b.length}`);
}

function u64(v: bigint): Uint8Array {
  if (v < 0n || v >= 1n << 64n) throw new RangeError(`counter must be a uint64, got ${v}`);
  return bigintToBytes(v, 8);
}

function bigintToBytes(v: bigint, n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = n - 1, x = v; i >= 0; i--, x >>= 8n) out[i] = Number(x & 0xffn);
  return out;
}

function bytesToBigint(b: Uint8Array): bigint {
  let v = 0n;
  for (const byte of b) v = (v << 8n) | BigInt(byte);
  return v;
}

function concat(...parts: ArrayLike<number>[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
