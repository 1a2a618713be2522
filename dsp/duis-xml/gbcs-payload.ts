/**
 * The twin's "GBCS" payloads in DUIS `GBCSPayload` elements (base64).
 *
 * The twin does not speak GBCS: its Pre-Command is its own protobuf encoding
 * (`encodePreCommand`, proto/signed-content.ts), and that is the command the
 * User signs. What it borrows from GBCS is the frame's tail: a signature
 * length byte, then the signature (DOMAIN §5.1). So
 *
 * - CV 4 `PreCommand/GBCSPayload` = Pre-Command bytes ‖ 0x00 — unsigned, as
 *   GBCS delivers pre-commands with a null signature (DOMAIN §4.3 step 1);
 * - CV 5–7 `SignedPreCommand/GBCSPayload` = Pre-Command bytes ‖ 0x40 ‖ r ‖ s —
 *   the User's 64-byte ECDSA P-256 / SHA-256 signature over the Pre-Command
 *   bytes (DOMAIN §4.3 steps 2–3), read back into the twin's
 *   `SignedPreCommand { command, signature }`.
 *
 * `GBCSVersion` says `twin-1` so that no GBCS parser takes these for GBCS.
 */
import { err, ok, type Result } from '../../core/result.ts';
import type { SignedPreCommand } from '../../proto/types.ts';

/** The GBCSVersion written with a twin Pre-Command. */
export const TWIN_GBCS_VERSION = 'twin-1';

/** GBCS's signature length byte for a 64-byte ECDSA P-256 signature. // DOMAIN §5.1 */
const SIGNED = 0x40;
const UNSIGNED = 0x00;

/** CV 4: the Pre-Command with a null signature (length byte 0x00). */
export function preCommandPayload(preCommand: Uint8Array): Uint8Array {
  const out = new Uint8Array(preCommand.length + 1);
  out.set(preCommand);
  out[preCommand.length] = UNSIGNED;
  return out;
}

/** The Pre-Command bytes of a CV 4 payload, or why it is not one. */
export function preCommandFromPayload(payload: Uint8Array): Result<Uint8Array, string> {
  if (payload.length < 2 || payload[payload.length - 1] !== UNSIGNED)
    return err('expected the Pre-Command bytes then the null signature length byte 00');
  return ok(payload.slice(0, -1));
}

/** CV 5–7: the Pre-Command, the length byte 0x40 and the 64-byte signature. */
export function signedPreCommandPayload(s: SignedPreCommand): Result<Uint8Array, string> {
  if (s.signature.length !== 64) return err(`the Pre-Command signature must be 64 bytes r ‖ s, got ${s.signature.length}`);
  const out = new Uint8Array(s.command.length + 65);
  out.set(s.command);
  out[s.command.length] = SIGNED;
  out.set(s.signature, s.command.length + 1);
  return ok(out);
}

/** The twin's SignedPreCommand in a CV 5–7 payload, or why it is not one. */
export function signedPreCommandFromPayload(payload: Uint8Array): Result<SignedPreCommand, string> {
  const at = payload.length - 65;
  if (at < 1 || payload[at] !== SIGNED) return err('expected the Pre-Command bytes, the signature length byte 40 and a 64-byte signature');
  return ok({ command: payload.slice(0, at), signature: payload.slice(at + 1) });
}
