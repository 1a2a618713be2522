/**
 * Deterministic P-256 key pairs for the SMKI of a run: the same seed and label
 * always give the same keys, so a run's certificates, signatures made with the
 * deterministic signer and audit records reproduce from its seed. // DOMAIN §5.3
 *
 * The scalar comes from the twin's existing derivation for simulated keys
 * (`kaKeyPairFromSeed`: d = SHA-256(input) mod (n − 1) + 1, never zero), so
 * devices, Suppliers and the DSP derive keys one way. ECDSA signing keys and
 * ECDH key-agreement keys are the same kind of P-256 pair; only their
 * certificates' key usage tells them apart. Not for real keys.
 */
import type { KeyPair } from '../../core/crypto/ecdsa.ts';
import { kaKeyPairFromSeed } from '../../emulator/devices/common/utrn/utrn-mac.ts';

/** The run's seed, as the rest of the twin takes it (`Rng.fromSeed`). */
export type SmkiSeed = number | string;

export type { KeyPair };

const encoder = new TextEncoder();

/**
 * The key pair for `label` in the run with `seed`. Labels name the holder and
 * the key's purpose, e.g. `supplier:90-B3-D5-1F-30-01-00-00:ds`. A non-finite
 * numeric seed is a bug: RangeError.
 *
 * @example
 * keyPairFromSeed(20260329, 'ca:organisation').publicKey.length; // 65
 */
export function keyPairFromSeed(seed: SmkiSeed, label: string): KeyPair {
  if (typeof seed === 'number' && !Number.isFinite(seed)) throw new RangeError(`keyPairFromSeed: the seed must be finite, got ${seed}`);
  // A JSON array keeps seed and label apart (no separator can be forged by a
  // label) and the seeds 1 and '1' apart; the tag keeps these keys apart from
  // every other use of the same derivation (the fleet's UTRN keys).
  const input = encoder.encode(JSON.stringify(['smki-key', seed, label]));
  return kaKeyPairFromSeed(input);
}
