/**
 * PEM (RFC 7468) for the twin's certificates and private keys, so a DUIS
 * client outside the twin — an SRP's own tooling, OpenSSL, node:crypto — can
 * load the credentials a run issued. Private keys are PKCS#8 (RFC 5208)
 * around an RFC 5915 ECPrivateKey, the form `openssl pkcs8` and
 * `createPrivateKey` read. Not for real keys: every key here derives from the
 * run's seed.
 */
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { p256 } from '@noble/curves/nist.js';
import { err, ok, type Result } from '../../core/result.ts';
import { bitString, explicit, integer, octetString, oid, sequence } from './der.ts';
import { OID } from './x509.ts';

/** DER bytes in PEM armour: base64 in lines of 64 characters. // RFC 7468 §2 */
export function pem(label: string, der: Uint8Array): string {
  const b64 = Buffer.from(der).toString('base64');
  const lines = b64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

/** A DER certificate as PEM (`CERTIFICATE`). */
export const certificatePem = (der: Uint8Array): string => pem('CERTIFICATE', der);

/**
 * PKCS#8 PrivateKeyInfo for a P-256 scalar: version 0, id-ecPublicKey with
 * prime256v1, and an RFC 5915 ECPrivateKey (version 1, the 32-byte scalar,
 * the public key). The public key is derived when not given. A scalar that
 * is not a P-256 private key is a bug: RangeError.
 */
export function pkcs8PrivateKey(privateKey: Uint8Array, publicKey?: Uint8Array): Uint8Array {
  if (privateKey.length !== 32 || !p256.utils.isValidSecretKey(privateKey)) throw new RangeError('pkcs8: not a P-256 private key');
  const point = publicKey ?? p256.getPublicKey(privateKey, false);
  const ecPrivateKey = sequence(integer(1n), octetString(privateKey), explicit(1, bitString(point)));
  return sequence(integer(0n), sequence(oid(OID.ecPublicKey), oid(OID.prime256v1)), octetString(ecPrivateKey));
}

/** A P-256 private key as PEM (`PRIVATE KEY`, PKCS#8). */
export const privateKeyPem = (privateKey: Uint8Array, publicKey?: Uint8Array): string =>
  pem('PRIVATE KEY', pkcs8PrivateKey(privateKey, publicKey));

/** The 32-byte P-256 scalar of a PEM private key (PKCS#8 or SEC1), or why not; never throws. */
export function privateKeyFromPem(text: string): Result<Uint8Array, string> {
  try {
    const jwk = createPrivateKey(text).export({ format: 'jwk' });
    if (jwk.kty !== 'EC' || jwk.crv !== 'P-256' || typeof jwk.d !== 'string') return err('not a P-256 private key');
    return ok(new Uint8Array(Buffer.from(jwk.d, 'base64url')));
  } catch (thrown) {
    return err(`not a private key: ${thrown instanceof Error ? thrown.message : String(thrown)}`);
  }
}

/** The 65-byte public key of a PEM P-256 certificate, or why not; never throws. */
export function publicKeyFromCertificatePem(text: string): Result<Uint8Array, string> {
  try {
    const jwk = new X509Certificate(text).publicKey.export({ format: 'jwk' });
    if (jwk.kty !== 'EC' || jwk.crv !== 'P-256' || typeof jwk.x !== 'string' || typeof jwk.y !== 'string')
      return err('not a P-256 certificate');
    return ok(new Uint8Array(Buffer.concat([Uint8Array.of(4), Buffer.from(jwk.x, 'base64url'), Buffer.from(jwk.y, 'base64url')])));
  } catch (thrown) {
    return err(`not a certificate: ${thrown instanceof Error ? thrown.message : String(thrown)}`);
  }
}
