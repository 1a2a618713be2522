/**
 * Shared material for the SMKI tests: hex helpers and the Wycheproof ECDSA
 * P-256 / SHA-256 vectors. // RELIABILITY §1.5, §3.5
 */
import { readFileSync } from 'node:fs';

export const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s, 'hex'));
export const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

/** The order n of the P-256 group. */
export const N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
export const to32 = (v: bigint): Uint8Array => hex(v.toString(16).padStart(64, '0'));
/** A 64-byte r ‖ s from two scalars (each must fit in 32 bytes). */
export const rs = (r: bigint, s: bigint): Uint8Array => Uint8Array.from([...to32(r), ...to32(s)]);
export const sOf = (sig: Uint8Array): bigint => BigInt(`0x${toHex(sig.subarray(32, 64))}`);

export interface EcdsaCase {
  readonly tcId: number;
  readonly comment: string;
  readonly flags: readonly string[];
  readonly msg: string;
  readonly sig: string;
  readonly result: 'valid' | 'invalid' | 'acceptable';
}
/** A test with its group's public key (65-byte uncompressed, hex). */
export interface EcdsaVector extends EcdsaCase {
  readonly publicKey: string;
}

interface Suite {
  readonly numberOfTests: number;
  readonly testGroups: readonly {
    readonly publicKey: { readonly curve: string; readonly uncompressed: string };
    readonly tests: readonly EcdsaCase[];
  }[];
}

function load(name: string): { numberOfTests: number; vectors: EcdsaVector[] } {
  const file = new URL(`../../../../../shared/data/wycheproof/${name}`, import.meta.url);
  const suite = JSON.parse(readFileSync(file, 'utf8')) as Suite;
  const vectors = suite.testGroups
    .filter((g) => g.publicKey.curve === 'secp256r1')
    .flatMap((g) => g.tests.map((t) => ({ ...t, publicKey: g.publicKey.uncompressed })));
  return { numberOfTests: suite.numberOfTests, vectors };
}

/** `ecdsa_secp256r1_sha256_p1363_test.json`: 64-byte r ‖ s signatures. */
export const P1363 = load('ecdsa_secp256r1_sha256_p1363_test.json');
/** `ecdsa_secp256r1_sha256_test.json`: the same kind of cases with DER signatures. */
export const DER = load('ecdsa_secp256r1_sha256_test.json');
