/**
 * UTRN top-ups: codec, check digit, cryptography, Supplier-side minting and
 * meter-side acceptance. // DOMAIN §2.2, §2.3, GBCS §14 (UTRN)
 */
export { utrnCheckDigit, hasValidCheckDigit } from './check-digit.ts';
export {
  PPTD_OFFSET,
  UTRN_COUNTER_BITS,
  UTRN_MAX_VALUE,
  encodeUtrn,
  parseUtrn,
  ptutHigh,
  utrnCredit,
  type UtrnFields,
  type UtrnValueClass,
} from './utrn.ts';
export {
  deriveUtrnKey,
  deriveUtrnKeyOnDevice,
  ecdhP256Shared,
  kaKeyPairFromSeed,
  utrnKeyFromSecret,
  utrnMac,
  type KaKeyPair,
} from './utrn-mac.ts';
export { mintUtrn, type MintUtrnRequest } from './mint-utrn.ts';
export {
  DEFAULT_UTRN_ACCEPTOR_CONFIG,
  UTRN_ALERT,
  initialUtrnAcceptorState,
  isBadManualEntry,
  recordAccepted,
  recordBadEntry,
  verifyUtrn,
  type UtrnAcceptorConfig,
  type UtrnAcceptorState,
  type UtrnRejection,
  type UtrnSibling,
  type UtrnVerdict,
  type VerifyUtrnOptions,
} from './utrn-acceptor.ts';
