/**
 * ECDSA P-256 / SHA-256 with 64-byte r ‖ s signatures (IEEE P1363), the form
 * GBCS carries and the DSP checks. // DOMAIN §5.1, §5.3
 *
 * Two verifiers give the same answer on every input (tests hold them to it):
 * - {@link SignatureVerifier}: node:crypto (OpenSSL) with a cache of validated
 *   public keys — the one the DSP uses;
 * - {@link verifyReference}: @noble/curves, the reference the first is tested
 *   against and a second opinion where one is wanted.
 *
 * Nothing here throws on bad input: a signature, message or key that is not
 * what it should be gives a verdict. // RELIABILITY §3.5 SS03
 */
import { createHash, createPrivateKey, createPublicKey, sign as nodeSign, verify as nodeVerify, type KeyObject } from 'node:crypto';
import { p256 } from '@noble/curves/nist.js';
import { err, ok, type Result } from '../result.ts';

/** A P-256 key pair in raw SEC1 encodings. */
export interface KeyPair {
  /** 32-byte big-endian scalar in [1, n − 1]. */
  readonly privateKey: Uint8Array;
  /** 65-byte uncompressed point: 0x04 ‖ x ‖ y. */
  readonly publicKey: Uint8Array;
}

/**
 * What to do with a signature whose s lies in the upper half of the group
 * order (s > n/2). Both (r, s) and (r, n − s) verify for the same message.
 *
 * Default `accept`: GBCS devices and OpenSSL-based signers (DCC Boxed style
 * tools, HSM front ends) accept high-S and produce it for about half their
 * signatures, so refusing it would refuse valid traffic. The malleability this
 * leaves is harmless here because replay protection is keyed on content (the
 * originator counter, the Request ID and a digest of what was signed), never
 * on signature bytes: a malleated copy of an executed request is the same
 * request and is refused as a replay. // RELIABILITY §1.5, §3.5 SS02, §3.6 SR03
 *
 * `reject` refuses high-S with its own verdict, for checks that want one
 * encoding per signature.
 */
export type HighSPolicy = 'accept' | 'reject';

/**
 * The outcome of checking one signature:
 * - `valid`: it verifies under the key (and the high-S policy allows it);
 * - `invalid`: well-formed, but r or s is outside [1, n − 1] or it does not verify;
 * - `high-s-refused`: s > n/2 and the policy is `reject`;
 * - `malformed`: the signature is not 64 bytes (e.g. DER, or 63/65 bytes) or
 *   signature/message are not byte arrays;
 * - `bad-key`: the public key is refused (see {@link KeyRejection}).
 */
export type SignatureVerdict = 'valid' | 'invalid' | 'high-s-refused' | 'malformed' | 'bad-key';

/** Why a public key was refused when loaded. // RELIABILITY §3.5 SS04 */
export interface KeyRejection {
  readonly problem: 'not-bytes' | 'wrong-length' | 'not-uncompressed' | 'identity' | 'not-on-curve';
  readonly reason: string;
}

/**
 * A public key that passed {@link loadPublicKey}, with its OpenSSL key object.
 * Only {@link SignatureVerifier.load} makes these.
 */
export interface VerifyingKey {
  readonly publicKey: Uint8Array;
  readonly keyObject: KeyObject;
  readonly __brand: 'VerifyingKey';
}

/** Bytes of an IEEE P1363 P-256 signature: r ‖ s, 32 bytes each. */
export const SIGNATURE_LENGTH = 64;
/** Bytes of an uncompressed SEC1 P-256 point: 0x04 ‖ x ‖ y. */
export const PUBLIC_KEY_LENGTH = 65;

const N = p256.Point.Fn.ORDER;
const ORDER = bigintTo32(N);
const HALF_ORDER = bigintTo32(N >> 1n);
// DER SubjectPublicKeyInfo header for id-ecPublicKey on prime256v1 with a 65-byte point.
/** Background verdicts kept at most (`SignatureVerifier.prime`). */
const MAX_PRIMED = 100_000;
const DONE: Promise<void> = Promise.resolve();

const SPKI_P256_UNCOMPRESSED = Buffer.from('3059301306072a8648ce3d020106082a8648ce3d030107034200', 'hex');

const isBytes = (x: unknown): x is Uint8Array => x instanceof Uint8Array;

/**
 * Checks a raw public key: 65 bytes, uncompressed, not the identity, on
 * P-256. Certificates carry uncompressed points only, so a compressed point
 * (33 bytes, or a 65-byte string with prefix 02/03) is refused as a mismatch
 * rather than decompressed. // DOMAIN §5.3, RELIABILITY §3.5 SS04
 */
export function checkPublicKey(raw: unknown): Result<Uint8Array, KeyRejection> {
  if (!isBytes(raw)) return err({ problem: 'not-bytes', reason: `a public key must be bytes, got ${typeof raw}` });
  // SEC1 encodes the point at infinity as the single byte 00.
  if (raw.length === 1 && raw[0] === 0) return err({ problem: 'identity', reason: 'the public key is the point at infinity' });
  if (raw.length === 33 && (raw[0] === 2 || raw[0] === 3)) {
    return err({ problem: 'not-uncompressed', reason: 'a compressed point where an uncompressed 65-byte point is due' });
  }
  if (raw.length !== PUBLIC_KEY_LENGTH) {
    return err({ problem: 'wrong-length', reason: `a P-256 public key is ${PUBLIC_KEY_LENGTH} bytes, got ${raw.length}` });
  }
  if (raw[0] !== 4) {
    return err({
      problem: 'not-uncompressed',
      reason: `an uncompressed point starts 04, got ${(raw[0] ?? 0).toString(16).padStart(2, '0')}`,
    });
  }
  if (raw.every((b, i) => i === 0 || b === 0)) return err({ problem: 'identity', reason: 'the public key is (0, 0), the identity' });
  try {
    // Point.fromBytes checks y² = x³ − 3x + b and the coordinates' range.
    const point = p256.Point.fromBytes(raw);
    if (point.is0()) return err({ problem: 'identity', reason: 'the public key is the identity' });
  } catch {
    return err({ problem: 'not-on-curve', reason: 'the public key is not a point on P-256' });
  }
  return ok(raw);
}

/**
 * The fast verifier: OpenSSL through node:crypto, with the OpenSSL key object
 * of each validated public key cached (building it costs about as much as a
 * verification). Keys are validated once, when first seen; a refused key is
 * never cached. The cache is bounded and forgets its oldest key first.
 *
 * @example
 * const verifier = new SignatureVerifier();
 * verifier.verify(cert.publicKey, message, signature); // 'valid'
 */
export class SignatureVerifier {
  readonly highS: HighSPolicy;
  private readonly maxKeys: number;
  private readonly keys = new Map<string, VerifyingKey>();
  /** Verdicts worked out in the background by `prime`, waiting for their `verify`. */
  private readonly primed = new Map<string, SignatureVerdict>();
  private readonly keyIds = new WeakMap<VerifyingKey, number>();
  private nextKeyId = 0;

  constructor(options: { readonly highS?: HighSPolicy; readonly maxKeys?: number } = {}) {
    this.highS = options.highS ?? 'accept';
    this.maxKeys = options.maxKeys ?? 10_000;
    if (!Number.isSafeInteger(this.maxKeys) || this.maxKeys < 1)
      throw new RangeError(`SignatureVerifier: maxKeys must be ≥ 1, got ${this.maxKeys}`);
  }

  /** The validated key for these bytes, from the cache or freshly checked. */
  load(publicKey: unknown): Result<VerifyingKey, KeyRejection> {
    if (isBytes(publicKey)) {
      const cached = this.keys.get(hex(publicKey));
      if (cached) return ok(cached);
    }
    const checked = checkPublicKey(publicKey);
    if (!checked.ok) return checked;
    const bytes = Uint8Array.from(checked.value);
    let keyObject: KeyObject;
    try {
      keyObject = createPublicKey({ key: Buffer.concat([SPKI_P256_UNCOMPRESSED, bytes]), format: 'der', type: 'spki' });
    } catch {
      return err({ problem: 'not-on-curve', reason: 'OpenSSL refused the public key' });
    }
    const key = { publicKey: bytes, keyObject } as VerifyingKey;
    if (this.keys.size >= this.maxKeys) {
      const oldest = this.keys.keys().next();
      if (!oldest.done) this.keys.delete(oldest.value);
    }
    this.keys.set(hex(bytes), key);
    return ok(key);
  }

  /** Verifies `signature` over `message` (SHA-256 is applied here) under a raw public key. */
  verify(publicKey: unknown, message: unknown, signature: unknown): SignatureVerdict {
    if (!isBytes(message) || !isBytes(signature) || signature.length !== SIGNATURE_LENGTH) return 'malformed';
    const key = this.load(publicKey);
    return key.ok ? this.verifyChecked(key.value, message, signature) : 'bad-key';
  }

  /** Verifies under a key already loaded: no lookup at all. */
  verifyWith(key: VerifyingKey, message: unknown, signature: unknown): SignatureVerdict {
    if (!isBytes(message) || !isBytes(signature) || signature.length !== SIGNATURE_LENGTH) return 'malformed';
    return this.verifyChecked(key, message, signature);
  }

  /** Keys held in the cache. */
  get cachedKeys(): number {
    return this.keys.size;
  }

  /**
   * Verifies in the background — OpenSSL on libuv's thread pool, so other
   * cores share the work — and keeps the verdict for the next `verify` of
   * exactly these bytes, which then costs a lookup instead of an ECDSA
   * verification. The verdict is the one `verify` would give; inputs `verify`
   * refuses without OpenSSL are not primed. A bus node primes what it has
   * received before handing it to its synchronous handlers; nothing else
   * changes. Kept verdicts are bounded (`maxPrimed`, oldest forgotten first).
   */
  prime(publicKey: unknown, message: unknown, signature: unknown): Promise<void> {
    if (!isBytes(message) || !isBytes(signature) || signature.length !== SIGNATURE_LENGTH) return DONE;
    const key = this.load(publicKey);
    if (!key.ok || this.precheck(signature) !== undefined) return DONE;
    const id = this.primeKey(key.value, message, signature);
    if (this.primed.has(id)) return DONE;
    return new Promise((resolve) => {
      nodeVerify('sha256', message, { key: key.value.keyObject, dsaEncoding: 'ieee-p1363' }, signature, (error, valid) => {
        if (this.primed.size >= MAX_PRIMED) {
          const oldest = this.primed.keys().next();
          if (!oldest.done) this.primed.delete(oldest.value);
        }
        this.primed.set(id, error === null && valid ? 'valid' : 'invalid');
        resolve();
      });
    });
  }

  /** The checks made before OpenSSL: a verdict, or undefined to ask OpenSSL. */
  private precheck(signature: Uint8Array): SignatureVerdict | undefined {
    // r, s ∈ [1, n − 1], checked here rather than trusted to the library. // RELIABILITY §3.5 SS03
    if (!inScalarRange(signature, 0) || !inScalarRange(signature, 32)) return 'invalid';
    if (this.highS === 'reject' && compare32(signature, 32, HALF_ORDER) > 0) return 'high-s-refused';
    return undefined;
  }

  /** Names (key, message, signature) for the primed verdicts: the key by identity, the message by digest, the signature as is. */
  private primeKey(key: VerifyingKey, message: Uint8Array, signature: Uint8Array): string {
    let id = this.keyIds.get(key);
    if (id === undefined) this.keyIds.set(key, (id = this.nextKeyId++));
    return `${id}:${hex(signature)}:${createHash('sha256').update(message).digest('hex')}`;
  }

  private verifyChecked(key: VerifyingKey, message: Uint8Array, signature: Uint8Array): SignatureVerdict {
    const pre = this.precheck(signature);
    if (pre !== undefined) return pre;
    if (this.primed.size > 0) {
      const id = this.primeKey(key, message, signature);
      const verdict = this.primed.get(id);
      if (verdict !== undefined) {
        this.primed.delete(id);
        return verdict;
      }
    }
    try {
      return nodeVerify('sha256', message, { key: key.keyObject, dsaEncoding: 'ieee-p1363' }, signature) ? 'valid' : 'invalid';
    } catch {
      return 'invalid';
    }
  }
}

/**
 * The reference verifier on @noble/curves (`lowS: false`, `prehash: true`),
 * giving the same verdicts as {@link SignatureVerifier} in the same order of
 * checks. noble throws on a wrong signature length or non-byte arguments, so
 * every call is guarded. // RELIABILITY §1.5
 */
export function verifyReference(publicKey: unknown, message: unknown, signature: unknown, highS: HighSPolicy = 'accept'): SignatureVerdict {
  if (!isBytes(message) || !isBytes(signature) || signature.length !== SIGNATURE_LENGTH) return 'malformed';
  if (!checkPublicKey(publicKey).ok) return 'bad-key';
  let parsed;
  try {
    parsed = p256.Signature.fromBytes(signature, 'compact');
  } catch {
    return 'invalid'; // r or s outside [1, n − 1]
  }
  if (highS === 'reject' && parsed.hasHighS()) return 'high-s-refused';
  try {
    return p256.verify(signature, message, publicKey as Uint8Array, { lowS: false, prehash: true }) ? 'valid' : 'invalid';
  } catch {
    return 'malformed';
  }
}

/** Makes signatures over messages; SHA-256 is applied to the message. */
export type Signer = (message: Uint8Array) => Uint8Array;

/**
 * The fast signer: OpenSSL through node:crypto, with its private key object
 * built once. OpenSSL draws a fresh nonce per signature, so the bytes differ
 * from call to call; s is normalised to the lower half so that whether a
 * signature is high-S never depends on the nonce. Use {@link signDeterministic}
 * where bytes must reproduce (certificates, fixtures). A key pair that is not
 * a P-256 pair is a bug: the call throws.
 */
export function createFastSigner(keyPair: KeyPair): Signer {
  const privateKey = privateKeyObject(keyPair);
  return (message) => lowS(new Uint8Array(nodeSign('sha256', message, { key: privateKey, dsaEncoding: 'ieee-p1363' })));
}

/** Makes signatures in the background (libuv's thread pool): the same signatures as {@link createFastSigner}, without holding the caller's thread. */
export type AsyncSigner = (message: Uint8Array) => Promise<Uint8Array>;

/** The fast signer, asynchronous: many signatures at once share the machine's cores. */
export function createAsyncSigner(keyPair: KeyPair): AsyncSigner {
  const privateKey = privateKeyObject(keyPair);
  return (message) =>
    new Promise((resolve, reject) => {
      nodeSign('sha256', message, { key: privateKey, dsaEncoding: 'ieee-p1363' }, (error, signature) => {
        if (error !== null) reject(error);
        else resolve(lowS(new Uint8Array(signature)));
      });
    });
}

/** s normalised to the lower half, so that whether a signature is high-S never depends on the nonce. */
const lowS = (signature: Uint8Array): Uint8Array =>
  compare32(signature, 32, HALF_ORDER) > 0 ? withS(signature, N - bigintAt(signature, 32)) : signature;

function privateKeyObject(keyPair: KeyPair): KeyObject {
  const pub = keyPair.publicKey;
  return createPrivateKey({
    key: {
      kty: 'EC',
      crv: 'P-256',
      d: Buffer.from(keyPair.privateKey).toString('base64url'),
      x: Buffer.from(pub.subarray(1, 33)).toString('base64url'),
      y: Buffer.from(pub.subarray(33, 65)).toString('base64url'),
    },
    format: 'jwk',
  });
}

/**
 * The deterministic signer: @noble/curves with the RFC 6979 nonce, low-S. The
 * same key and message always give the same 64 bytes. About ten times slower
 * than {@link createFastSigner}.
 */
export function signDeterministic(privateKey: Uint8Array, message: Uint8Array): Uint8Array {
  return p256.sign(message, privateKey, { lowS: true, prehash: true });
}

/** True when s > n/2. A signature that is not 64 bytes is not high-S. */
export function isHighS(signature: Uint8Array): boolean {
  return signature.length === SIGNATURE_LENGTH && compare32(signature, 32, HALF_ORDER) > 0;
}

/**
 * The other valid signature for the same message: (r, n − s). For tests of the
 * high-S policy and of replay protection. // RELIABILITY §3.6 SR03
 * Anything but a 64-byte signature with s ∈ [1, n − 1] is a bug: RangeError.
 */
export function malleateSignature(signature: Uint8Array): Uint8Array {
  if (signature.length !== SIGNATURE_LENGTH || !inScalarRange(signature, 32)) {
    throw new RangeError('malleateSignature: need 64 bytes with s in [1, n − 1]');
  }
  return withS(signature, N - bigintAt(signature, 32));
}

/** −1, 0, 1 as the 32 bytes of `a` at `offset` compare with `b`, big-endian. */
function compare32(a: Uint8Array, offset: number, b: Uint8Array): number {
  for (let i = 0; i < 32; i++) {
    const d = (a[offset + i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return 0;
}

function inScalarRange(sig: Uint8Array, offset: number): boolean {
  let nonZero = false;
  for (let i = offset; i < offset + 32 && !nonZero; i++) nonZero = sig[i] !== 0;
  return nonZero && compare32(sig, offset, ORDER) < 0;
}

function withS(signature: Uint8Array, s: bigint): Uint8Array {
  const out = Uint8Array.from(signature);
  out.set(bigintTo32(s), 32);
  return out;
}

function bigintAt(b: Uint8Array, offset: number): bigint {
  return BigInt(`0x${hex(b.subarray(offset, offset + 32))}`);
}

function bigintTo32(v: bigint): Uint8Array {
  return Uint8Array.from(Buffer.from(v.toString(16).padStart(64, '0'), 'hex'));
}

function hex(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
}
