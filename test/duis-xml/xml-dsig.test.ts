import { DOMParser } from '@xmldom/xmldom';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SignedXml } from 'xml-crypto';
import { requestDocument } from '../../dsp/duis-xml/duis-request.ts';
import type { DuisXmlError } from '../../dsp/duis-xml/errors.ts';
import { canonicalBytes, serializeDocument } from '../../dsp/duis-xml/exc-c14n.ts';
import { DSIG_NS, inspectSignature, signDocument, verifySignature, type KeyResolver } from '../../dsp/duis-xml/xml-dsig.ts';
import { parseXml } from '../../dsp/duis-xml/xml-parser.ts';
import type { XmlElement } from '../../dsp/duis-xml/xml-tree.ts';
import { privateKeyPem } from '../../dsp/smki/pem.ts';
import { x509IssuerName } from '../../dsp/smki/x509.ts';
import { CREDIT, ECDSA_SHA256, input, keys, modelledBody, parsed, XmlCryptoEcdsaSha256 } from './support.ts';

const k = keys();

function unsignedRequest(): XmlElement {
  const doc = requestDocument(input(CREDIT, '1.6', 4));
  if (!doc.ok) throw new Error(doc.error.detail);
  return doc.value;
}

const signedXml = (root: XmlElement = unsignedRequest(), indent = true): string =>
  serializeDocument(signDocument(root, k.user, { indent }));

/** The verdict on `xml` (a string or its bytes). */
function verdict(xml: string | Uint8Array, resolve: KeyResolver = k.resolve): { ok: true } | { ok: false; error: DuisXmlError } {
  const root = parseXml(xml);
  if (!root.ok) return root;
  const v = verifySignature(root.value, resolve);
  return v.ok ? { ok: true } : v;
}

const failure = (xml: string, resolve?: KeyResolver): DuisXmlError => {
  const v = verdict(xml, resolve);
  if (v.ok) throw new Error('expected the signature to fail');
  return v.error;
};

describe('enveloped XML-DSig, exc-c14n, ECDSA-SHA256 // DOMAIN §4.1', () => {
  it('signs as DUIS does: one Reference URI="", enveloped-signature then exc-c14n, SHA-256, ecdsa-sha256, X509IssuerSerial', () => {
    const xml = signedXml();
    for (const s of [
      '<ds:CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#">',
      `<ds:SignatureMethod Algorithm="${ECDSA_SHA256}">`,
      '<ds:Reference URI="">',
      '<ds:Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"></ds:Transform>\n          <ds:Transform Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#">',
      '<ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256">',
      `<ds:X509IssuerName>${x509IssuerName(k.user.certificate)}</ds:X509IssuerName>`,
      `<ds:X509SerialNumber>${k.user.certificate.serial}</ds:X509SerialNumber>`,
    ]) {
      expect(xml).toContain(s);
    }
    const facts = verifySignature(parsed(xml), k.resolve);
    expect(facts.ok && facts.value.signer).toEqual({ issuerName: x509IssuerName(k.user.certificate), serial: k.user.certificate.serial });
    expect(facts.ok && facts.value.signatureValue.length).toBe(64);
  });

  it('is deterministic: the same document and key give the same bytes', () => {
    expect(signedXml()).toBe(signedXml());
    expect(signedXml(unsignedRequest(), false)).toBe(signedXml(unsignedRequest(), false));
  });

  it('property: sign → verify round trip for every modelled body, indented or not', () => {
    fc.assert(
      fc.property(modelledBody, fc.boolean(), ({ body, srv, cv }, indent) => {
        const doc = requestDocument(input(body, srv, cv));
        if (!doc.ok) throw new Error(doc.error.detail);
        const xml = signedXml(doc.value, indent);
        expect(verdict(xml)).toEqual({ ok: true });
        expect(verdict(Buffer.from(xml))).toEqual({ ok: true });
      }),
      { numRuns: 100 },
    );
  });

  it('property: any single-byte change to the signed content or the SignedInfo fails verification', () => {
    const bytes = Buffer.from(signedXml());
    const text = bytes.toString('latin1');
    // The signed content is the document less the Signature; the SignedInfo is what the signature covers.
    const content = fc.integer({ min: text.indexOf('<sr:Request'), max: text.indexOf('<ds:Signature') - 1 });
    const signedInfo = fc.integer({
      min: text.indexOf('<ds:SignedInfo>'),
      max: text.indexOf('</ds:SignedInfo>') + '</ds:SignedInfo>'.length - 1,
    });
    const inTag = tagMask(text);
    const isSpace = (b: number): boolean => b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d;
    fc.assert(
      fc.property(fc.oneof(content, signedInfo), fc.integer({ min: 0, max: 255 }), (at, value) => {
        const old = bytes[at]!;
        fc.pre(value !== old);
        // Not changes XML itself calls equal: whitespace for whitespace inside a tag, LF for CR (line-end normalisation).
        fc.pre(!(inTag[at] && isSpace(old) && isSpace(value)));
        fc.pre(!(old === 0x0a && value === 0x0d));
        const changed = Buffer.from(bytes);
        changed[at] = value;
        expect(verdict(changed).ok).toBe(false);
      }),
      { numRuns: 1000 },
    );
  });

  it('no signature is signature-missing', () => {
    expect(failure(serializeDocument(unsignedRequest()))).toMatchObject({ code: 'signature-missing', path: '/Request' });
  });

  it('a changed document is signature-digest-mismatch', () => {
    const e = failure(signedXml().replace('<sr:CommandVariant>4<', '<sr:CommandVariant>5<'));
    expect(e).toMatchObject({ code: 'signature-digest-mismatch', path: '/Request/Signature/SignedInfo/Reference/DigestValue' });
  });

  it('a signature by another key is signature-invalid; an unknown certificate is signature-unknown-certificate', () => {
    const byOther = serializeDocument(signDocument(unsignedRequest(), { privateKey: k.other.privateKey, certificate: k.user.certificate }));
    expect(failure(byOther)).toMatchObject({ code: 'signature-invalid', path: '/Request/Signature/SignatureValue' });
    expect(failure(signedXml(), () => undefined)).toMatchObject({
      code: 'signature-unknown-certificate',
      path: '/Request/Signature/KeyInfo',
    });
  });

  it('a SignatureValue that is not 64 bytes r ‖ s (a DER signature, 63 bytes, not base64) is signature-bad-value', () => {
    const xml = signedXml();
    const value = /<ds:SignatureValue>([^<]*)</.exec(xml)![1]!;
    const der = Buffer.concat([Buffer.from('3044', 'hex'), Buffer.alloc(68, 1)]).toString('base64');
    for (const bad of [der, Buffer.alloc(63, 1).toString('base64'), '!!!!']) {
      expect(failure(xml.replace(value, bad))).toMatchObject({ code: 'signature-bad-value', path: '/Request/Signature/SignatureValue' });
    }
    expect(failure(xml.replace(value, der)).detail).toContain('DER');
  });

  it('accepts a SignatureValue wrapped with CR LF, as Java signers write it', () => {
    const xml = signedXml();
    const value = /<ds:SignatureValue>([^<]*)</.exec(xml)![1]!;
    expect(verdict(xml.replace(value, `${value.slice(0, 76)}&#13;\n${value.slice(76)}`))).toEqual({ ok: true });
  });

  const unsupported: readonly [string, string, string][] = [
    ['SignatureMethod', ECDSA_SHA256, 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256'],
    ['DigestMethod', 'http://www.w3.org/2001/04/xmlenc#sha256', 'http://www.w3.org/2000/09/xmldsig#sha1'],
    [
      'CanonicalizationMethod',
      'http://www.w3.org/2001/10/xml-exc-c14n#"></ds:CanonicalizationMethod>',
      'http://www.w3.org/TR/2001/REC-xml-c14n-20010315"></ds:CanonicalizationMethod>',
    ],
    ['Transform', 'xmldsig#enveloped-signature', 'xmldsig#base64'],
  ];
  it.each(unsupported)('another %s algorithm is signature-unsupported-algorithm', (_what, from, to) => {
    expect(failure(signedXml().replace(from, to)).code).toBe('signature-unsupported-algorithm');
  });

  it('a Reference to anything but the whole document is signature-unsupported-reference', () => {
    expect(failure(signedXml().replace('<ds:Reference URI="">', '<ds:Reference URI="#body">'))).toMatchObject({
      code: 'signature-unsupported-reference',
      path: '/Request/Signature/SignedInfo/Reference',
    });
  });

  it('wrapping and extra content are signature-malformed: two signatures, a signature not under the root, ds:Object, no X509IssuerSerial', () => {
    const xml = signedXml();
    const sig = xml.slice(xml.indexOf('<ds:Signature'), xml.indexOf('</ds:Signature>') + '</ds:Signature>'.length);
    expect(failure(xml.replace('</sr:Request>', `${sig}</sr:Request>`))).toMatchObject({ code: 'signature-malformed' });
    const moved = xml.replace(sig, '').replace('</sr:Body>', `${sig}</sr:Body>`);
    expect(failure(moved)).toMatchObject({ code: 'signature-malformed', path: '/Request/Body/Signature' });
    const withObject = xml.replace('</ds:KeyInfo>', '</ds:KeyInfo><ds:Object>unsigned</ds:Object>');
    expect(failure(withObject)).toMatchObject({ code: 'signature-malformed', path: '/Request/Signature/Object' });
    const keyName = xml.replace(/<ds:KeyInfo>[\s\S]*<\/ds:KeyInfo>/, '<ds:KeyInfo><ds:KeyName>srp</ds:KeyName></ds:KeyInfo>');
    expect(failure(keyName)).toMatchObject({ code: 'signature-malformed', path: '/Request/Signature/KeyInfo' });
    const hexSerial = xml.replace(/<ds:X509SerialNumber>\d+</, '<ds:X509SerialNumber>0x8<');
    expect(failure(hexSerial)).toMatchObject({
      code: 'signature-malformed',
      path: '/Request/Signature/KeyInfo/X509Data/X509IssuerSerial/X509SerialNumber',
    });
  });

  it('the facts of a signature are the canonical SignedInfo and the digest of the canonical document without it', () => {
    const root = parsed(signedXml());
    const facts = inspectSignature(root);
    if (!facts.ok) throw new Error(facts.error.detail);
    const signedInfo = facts.value.signature.children.find((c): c is XmlElement => c.kind === 'element' && c.local === 'SignedInfo')!;
    expect(facts.value.signedInfo).toEqual(canonicalBytes(root, { apex: signedInfo }));
    expect(new TextDecoder().decode(facts.value.signedInfo).startsWith(`<ds:SignedInfo xmlns:ds="${DSIG_NS}">`)).toBe(true);
  });
});

describe('interoperable with xml-crypto (and the twin’s X.509 certificate)', () => {
  const pem = k.smki.certificatePem(k.user.certificate.serial)!;

  function xmlCryptoVerifies(xml: string): boolean {
    const sx = new SignedXml({ publicCert: pem, getCertFromKeyInfo: () => null });
    (sx.SignatureAlgorithms as Record<string, unknown>)[ECDSA_SHA256] = XmlCryptoEcdsaSha256;
    const signature = new DOMParser().parseFromString(xml, 'text/xml').getElementsByTagNameNS(DSIG_NS, 'Signature')[0]!;
    sx.loadSignature(signature);
    try {
      return sx.checkSignature(xml);
    } catch {
      return false;
    }
  }

  it('xml-crypto verifies what the twin signs, with the public key of the twin’s X.509 certificate, and refuses it changed', () => {
    const xml = signedXml();
    expect(xmlCryptoVerifies(xml)).toBe(true);
    expect(xmlCryptoVerifies(xml.replace('<sr:CommandVariant>4<', '<sr:CommandVariant>5<'))).toBe(false);
    expect(xmlCryptoVerifies(signedXml(unsignedRequest(), false))).toBe(true);
  });

  it.each([
    [
      'enveloped-signature then exc-c14n',
      ['http://www.w3.org/2000/09/xmldsig#enveloped-signature', 'http://www.w3.org/2001/10/xml-exc-c14n#'],
    ],
    ['enveloped-signature only (inclusive C14N 1.0 follows, as DCC signs)', ['http://www.w3.org/2000/09/xmldsig#enveloped-signature']],
  ])('the twin verifies what xml-crypto signs with the PKCS#8 key: %s', (_name, transforms) => {
    const sx = new SignedXml({
      privateKey: privateKeyPem(k.user.privateKey),
      signatureAlgorithm: ECDSA_SHA256,
      canonicalizationAlgorithm: 'http://www.w3.org/2001/10/xml-exc-c14n#',
      getKeyInfoContent: () =>
        `<ds:X509Data><ds:X509IssuerSerial><ds:X509IssuerName>OU=07, CN=smets-twin Organisation CA</ds:X509IssuerName><ds:X509SerialNumber>${k.user.certificate.serial}</ds:X509SerialNumber></ds:X509IssuerSerial></ds:X509Data>`,
    });
    (sx.SignatureAlgorithms as Record<string, unknown>)[ECDSA_SHA256] = XmlCryptoEcdsaSha256;
    sx.addReference({ xpath: '/*', uri: '', isEmptyUri: true, transforms, digestAlgorithm: 'http://www.w3.org/2001/04/xmlenc#sha256' });
    // Declarations the body does not use: where inclusive and exclusive canonical forms differ.
    const unsigned =
      '<sr:Request xmlns:sr="http://www.dccinterface.co.uk/ServiceUserGateway" xmlns:ra="http://www.dccinterface.co.uk/ResponseAndAlert" schemaVersion="5.4"><sr:Header><sr:RequestID>x</sr:RequestID></sr:Header><sr:Body/></sr:Request>';
    sx.computeSignature(unsigned, { prefix: 'ds' });
    const xml = sx.getSignedXml();
    expect(verdict(xml)).toEqual({ ok: true });
    expect(failure(xml.replace('<sr:RequestID>x<', '<sr:RequestID>y<')).code).toBe('signature-digest-mismatch');
  });
});

/** For each character of `text`, whether it lies inside markup (`<…>`). */
function tagMask(text: string): boolean[] {
  const mask: boolean[] = [];
  let inside = false;
  for (const c of text) {
    if (c === '<') inside = true;
    mask.push(inside);
    if (c === '>') inside = false;
  }
  return mask;
}
