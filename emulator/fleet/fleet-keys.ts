import { p256 } from '@noble/curves/nist.js';
import { normalizeZ } from '@noble/curves/abstract/curve.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { kaKeyPairFromSeed } from '../devices/common/utrn/utrn-mac.ts';

/**
 * Key-agreement material for a fleet: one supplier prepayment KA key pair and,
 * for each device i, the ECDH secret Z_i between it and device i's KA key.
 * Both sides of a UTRN use Z_i; the UTRN cryptography itself is unchanged.
 * // DOMAIN §2.2
 *
 * Device private keys are d_i = d_0 + i (mod n), d_0 drawn from the run's seed.
 * Then Z_i = x(d_i · S) and d_(i+1) · S = d_i · S + S, so the whole fleet's
 * secrets cost one scalar multiplication and one point addition per device
 * (about 10× faster than an ECDH per device, which would dominate a 100 000
 * premises run). Real estates have independent keys; nothing in the twin
 * depends on how these were chosen.
 */
export interface FleetKeys {
  readonly supplierPublicKey: Uint8Array;
  /** Z for devices first .. first+count-1, in order. */
  readonly secrets: readonly Uint8Array[];
}

const N = p256.Point.Fn.ORDER;
const BATCH = 1024;

export function fleetKeys(seed: string, first: number, count: number): FleetKeys {
  const supplier = kaKeyPairFromSeed(sha256(new TextEncoder().encode(`${seed}:supplier-ka`)));
  const d0 = kaKeyPairFromSeed(sha256(new TextEncoder().encode(`${seed}:device-ka`))).privateKey;
  const S = p256.Point.fromBytes(supplier.publicKey);
  const start = (bytesToBigInt(d0) + BigInt(first)) % N;
  // One block for the whole fleet, each secret a view of it: a buffer per secret would cost more than the secret.
  const block = new Uint8Array(count * 32);
  const secrets: Uint8Array[] = [];
  let point = S.multiply(start === 0n ? 1n : start);
  for (let done = 0; done < count; ) {
    const batch: (typeof point)[] = [];
    for (let k = 0; k < BATCH && done + k < count; k++) {
      batch.push(point);
      point = point.add(S);
    }
    for (const p of normalizeZ(p256.Point, batch)) {
      const at = secrets.length * 32;
      block.set(p.toBytes(true).subarray(1), at);
      secrets.push(block.subarray(at, at + 32));
    }
    done += batch.length;
  }
  return { supplierPublicKey: supplier.publicKey, secrets };
}

/** The private KA key of fleet device i, for tests that check Z against a plain ECDH. */
export function fleetDevicePrivateKey(seed: string, index: number): Uint8Array {
  const d0 = kaKeyPairFromSeed(sha256(new TextEncoder().encode(`${seed}:device-ka`))).privateKey;
  const d = (bytesToBigInt(d0) + BigInt(index)) % N;
  return Uint8Array.from(Buffer.from(d.toString(16).padStart(64, '0'), 'hex'));
}

function bytesToBigInt(b: Uint8Array): bigint {
  let v = 0n;
  for (const x of b) v = (v << 8n) | BigInt(x);
  return v;
}
