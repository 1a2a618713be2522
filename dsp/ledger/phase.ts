/**
 * Which half of a request a record stands for. // DOMAIN §4.2, §4.3
 *
 * A critical Service Request is two requests under one RequestID: the User
 * first sends it with Command Variant 4 to the Transform service and gets the
 * pre-command back at once, then sends the signed pre-command with CV 5, 6
 * or 7 and the same RequestID. Both are accepted requests with their own
 * terminal outcome, so the ledger and the anti-replay check key on the phase
 * as well as on the RequestID. Every other Command Variant (1, 2, 3, 8, and
 * the DCC-internal 9) is a single request: phase `send`.
 */
export type Phase = 'transform' | 'send';

export const PHASES: readonly Phase[] = ['transform', 'send'];

/**
 * The phase of a Command Variant: `transform` for CV 4, `send` for every other.
 * A Command Variant outside 1..9 is a bug (the parser refuses it first): RangeError.
 *
 * @example
 * phaseOf(4); // 'transform'
 * phaseOf(5); // 'send'
 */
export function phaseOf(commandVariant: number): Phase {
  if (!Number.isInteger(commandVariant) || commandVariant < 1 || commandVariant > 9) {
    throw new RangeError(`phaseOf: Command Variant must be 1..9, got ${commandVariant}`);
  }
  return commandVariant === 4 ? 'transform' : 'send';
}
