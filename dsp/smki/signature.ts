/**
 * ECDSA P-256 signatures, for the DSP's SMKI. They live in `core/crypto`
 * because devices check signatures too (against their trust anchors).
 */
export * from '../../core/crypto/ecdsa.ts';
