import { EMULATOR_CODES, reject } from '../response-codes.ts';
import { known, type Stage } from './request-facts.ts';

/**
 * Authentication: the request is signed with the sender's own XML-signing
 * certificate, not revoked, and the signature verifies.
 * // DOMAIN §4.1, §4.8 step 1; MP134A (revoked certificates refused); RELIABILITY §3.5
 */

/** The signing certificate is the sender's XML-signing certificate, valid now and not revoked (X12, X3). // DOMAIN §5.3; MP134A */
export const xmlCertificate: Stage = {
  name: 'xml-certificate',
  run(f, dsp) {
    const sig = f.request.xmlSignature;
    if (sig === undefined) return reject(EMULATOR_CODES.X2, 'the request carries no XML signature');
    const c = dsp.smki.check(sig.certificateSerial, f.sender, 'xmlSigning', f.at);
    return c.ok ? undefined : c.error;
  },
};

/**
 * The XML signature verifies over the request's content (X2). High-S signatures follow `DspConfig.highS`. // RELIABILITY §1.5
 *
 * A request read from signed DUIS XML carries `signedInfo`, the exclusive-canonical SignedInfo its User signed; the
 * signature is checked over those bytes. The XML gateway (dsp/duis-xml `acceptRequest`) has checked that the
 * SignedInfo's Reference digest is the digest of the document the request was read from, so a valid signature over
 * it is the User's signature over this request. // DOMAIN §4.1 (enveloped XML-DSig, exc-c14n, ECDSA-SHA256)
 */
export const xmlSignature: Stage = {
  name: 'xml-signature',
  run(f, dsp) {
    const sig = known(f.request.xmlSignature, 'xmlSignature');
    const cert = dsp.smki.bySerial(sig.certificateSerial);
    if (cert === undefined) return reject(EMULATOR_CODES.X12, `certificate ${sig.certificateSerial} is unknown`);
    const signed = sig.signedInfo ?? known(f.signedContent, 'signedContent');
    const verdict = dsp.verifier.verify(cert.publicKey, signed, sig.signature);
    return verdict === 'valid' ? undefined : reject(EMULATOR_CODES.X2, `the XML signature is not valid (${verdict})`);
  },
};

/**
 * Anti-replay: a new RequestID's counter is above the sender's last; a CV 5–7
 * send may reuse the counter of its own CV 4 transform. Records the counter on
 * pass, so a refused request still uses its counter up. // DOMAIN §4.1; RELIABILITY §3.6
 */
export const replay: Stage = {
  name: 'replay',
  run(f, dsp) {
    const ids = known(f.ids, 'ids');
    const phase = known(f.phase, 'phase');
    const digest = known(f.digest, 'digest');
    const v = dsp.replay.check(ids.originator, ids.target, ids.counter, digest, phase);
    if (v.kind === 'replay') return reject(EMULATOR_CODES.X10, v.detail);
    if (v.kind === 'duplicate') return { duplicate: true };
    dsp.replay.record(ids.originator, ids.target, ids.counter, digest, phase);
    return undefined;
  },
};
