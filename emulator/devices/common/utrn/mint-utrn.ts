/**
 * Supplier side: turn a credit amount into a UTRN for one device. // DOMAIN §2.2, §2.3
 */
import { err, ok, type Result } from '../../../../core/result.ts';
import { fieldError, type FieldError } from '../../../../core/errors.ts';
import { UNITS_PER_PENNY, UNITS_PER_POUND, isMoney, type Money } from '../../../../core/money.ts';
import { UTRN_COUNTER_BITS, UTRN_MAX_VALUE, encodeUtrn, ptutHigh, type UtrnValueClass } from './utrn.ts';
import { utrnKeyFromSecret, utrnMac } from './utrn-mac.ts';

/** What the Supplier needs to mint one UTRN. */
export interface MintUtrnRequest {
  /** Z = ecdhP256Shared(Supplier prepayment KA private key, device KA public key). */
  readonly secret: Uint8Array;
  /** The Supplier's EUI-64 (8 bytes). */
  readonly originator: Uint8Array;
  /** The device's EUI-64 (8 bytes). */
  readonly target: Uint8Array;
  /**
   * The full 64-bit originator counter. The top-up counter lives in the upper
   * 32 bits and the lower 32 are zero (e.g. 3n << 32n). // DOMAIN §2.2
   */
  readonly counter: bigint;
  readonly credit: Money;
  /** Force a value class instead of the default choice (the SR 2.2 reference token uses pounds for £10). */
  readonly valueClass?: UtrnValueClass;
}

const TOP_UP_COUNTER_LIMIT = 1n << 64n;
const LOW_HALF = 0xffff_ffffn;

/**
 * Mints the UTRN for `credit`. Pennies class is used when the credit is a whole
 * number of pence up to 8191p (exact to the penny); otherwise pounds class when
 * it is a whole number of pounds up to £8191; anything else cannot be expressed
 * in one UTRN and is a FieldError (split it into several top-ups). With
 * `valueClass` set, only that class is tried.
 */
export function mintUtrn(req: MintUtrnRequest, path = 'topUp'): Result<string, FieldError> {
  const { counter, credit } = req;
  if (counter <= 0n || counter >= TOP_UP_COUNTER_LIMIT || (counter & LOW_HALF) !== 0n) {
    return err(fieldError(`${path}.counter`, 'format', 'a top-up counter: 1..2^32-1 in the upper 32 bits, lower 32 bits zero', counter));
  }
  if (req.originator.length !== 8)
    return err(fieldError(`${path}.originator`, 'format', 'an 8-byte EUI-64', `${req.originator.length} bytes`));
  if (req.target.length !== 8) return err(fieldError(`${path}.target`, 'format', 'an 8-byte EUI-64', `${req.target.length} bytes`));
  if (req.secret.length !== 32)
    return err(fieldError(`${path}.secret`, 'format', 'a 32-byte ECDH shared secret', `${req.secret.length} bytes`));

  const amount = classify(credit, req.valueClass);
  if (!amount) {
    return err(
      fieldError(
        `${path}.credit`,
        'range',
        `a positive whole number of pence up to ${UTRN_MAX_VALUE}p, or of pounds up to £${UTRN_MAX_VALUE}`,
        credit,
      ),
    );
  }
  const fields = { counterLow10: Number((counter >> 32n) & BigInt((1 << UTRN_COUNTER_BITS) - 1)), ...amount };
  const key = utrnKeyFromSecret(req.secret, req.originator, req.target, counter);
  const mac = utrnMac(key, req.originator, req.target, counter, ptutHigh(fields));
  return ok(encodeUtrn({ ...fields, mac }));
}

const UNIT_OF: Record<UtrnValueClass, number> = { pennies: UNITS_PER_PENNY, pounds: UNITS_PER_POUND };

function classify(credit: Money, only: UtrnValueClass | undefined): { valueClass: UtrnValueClass; value: number } | undefined {
  if (!isMoney(credit) || credit <= 0) return undefined;
  // Pennies first: it can say every amount up to £81.91 exactly. // DOMAIN §2.2
  const order: readonly UtrnValueClass[] = only ? [only] : ['pennies', 'pounds'];
  for (const valueClass of order) {
    const unit = UNIT_OF[valueClass];
    if (credit % unit === 0 && credit / unit <= UTRN_MAX_VALUE) return { valueClass, value: credit / unit };
  }
  return undefined;
}
