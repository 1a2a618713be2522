/**
 * DUIS Command Variants. // DOMAIN §4.2
 *
 * The header's `CommandVariant` says what the User sends and what it wants
 * back: 1–3 a non-critical Service Request (WAN, local, both), 4 a critical
 * one to transform into a pre-command, 5–7 the signed pre-command (WAN, local,
 * both), 8 a non-device Service Request answered by the DCC itself. CV 9 is
 * DCC-internal and never valid from a User.
 */

/** The Command Variants a User may send. // DOMAIN §4.2 */
export const COMMAND_VARIANTS = [1, 2, 3, 4, 5, 6, 7, 8] as const;

/** A Command Variant a User may send, 1–8. */
export type CommandVariant = (typeof COMMAND_VARIANTS)[number];

/** Whether `n` is a Command Variant a User may send (an integer 1–8). */
export function isCommandVariant(n: number): n is CommandVariant {
  return (COMMAND_VARIANTS as readonly number[]).includes(n);
}
