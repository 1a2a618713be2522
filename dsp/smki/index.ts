/**
 * SMKI for the DSP: deterministic key pairs, ECDSA P-256 signatures,
 * certificates and the run's PKI service. // DOMAIN §5.2, §5.3
 */
export { keyPairFromSeed, type KeyPair, type SmkiSeed } from './key-pair.ts';
export {
  PUBLIC_KEY_LENGTH,
  SIGNATURE_LENGTH,
  SignatureVerifier,
  checkPublicKey,
  createFastSigner,
  isHighS,
  malleateSignature,
  signDeterministic,
  verifyReference,
  type HighSPolicy,
  type KeyRejection,
  type SignatureVerdict,
  type Signer,
  type VerifyingKey,
} from './signature.ts';
export {
  CERTIFICATE_KINDS,
  KEY_USAGES,
  REMOTE_PARTY_ROLE,
  checkCertificateFields,
  encodeCertificateFields,
  signCertificate,
  verifyCertificate,
  type Certificate,
  type CertificateAuthority,
  type CertificateFields,
  type CertificateKind,
  type CertificateVerdict,
  type KeyUsage,
  type Validity,
} from './certificate.ts';
export {
  DEFAULT_DEVICE_VALIDITY,
  DEVICE_CA_NAME,
  ORGANISATION_CA_NAME,
  Smki,
  type Credential,
  type DeviceCredentials,
  type SmkiOptions,
} from './smki.ts';
