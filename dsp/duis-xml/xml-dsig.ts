/**
 * Enveloped XML-DSig as DUIS uses it: the Signature is the last child of the
 * document element; one Reference to the whole document (`URI=""`) with the
 * enveloped-signature transform then Exclusive C14N; digest SHA-256;
 * SignedInfo canonicalized with Exclusive C14N and signed ECDSA P-256 /
 * SHA-256 (http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256), the
 * SignatureValue being base64 of the 64 bytes r ‖ s (RFC 4051 §3.3.1,
 * XML-DSig 1.1 §6.4.3); KeyInfo names the signer's XML-signing certificate
 * by X509IssuerSerial. // DOMAIN §4.1, §5.3
 *
 * Reading is strict where laxness lets a signature cover something other
 * than what is read: exactly one Signature, a child of the document element;
 * exactly one Reference, to the whole document; no ds:Object. A Reference
 * whose only transform is enveloped-signature is taken too: XML-DSig then
 * canonicalizes with inclusive C14N 1.0, and DCC's own responses are signed
 * that way (DOMAIN §4.1's source, duis-parser's `readfw-response.xml`).
 */
import { createHash } from 'node:crypto';
import { err, ok, type Result } from '../../core/result.ts';
import type { Certificate } from '../smki/certificate.ts';
import { signDeterministic, SignatureVerifier } from '../smki/signature.ts';
import { x509IssuerName } from '../smki/x509.ts';
import { fromBase64, toBase64 } from './base64.ts';
import { quote, type DuisXmlError, type DuisXmlErrorCode } from './errors.ts';
import { canonicalBytes, EXC_C14N } from './exc-c14n.ts';
import { attribute, attributeValue, childElements, element, indent, text, textOf, withChildren, type XmlElement } from './xml-tree.ts';

export const DSIG_NS = 'http://www.w3.org/2000/09/xmldsig#';

/** The algorithm URIs DUIS signatures use; nothing else is taken. // DOMAIN §4.1 */
export const DSIG_ALGORITHMS = {
  canonicalization: EXC_C14N,
  signature: 'http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256',
  envelopedSignature: `${DSIG_NS}enveloped-signature`,
  digest: 'http://www.w3.org/2001/04/xmlenc#sha256',
} as const;

/** A private key and the certificate that goes with it (an SMKI `Credential` is one). */
export interface XmlSigningKey {
  /** 32-byte P-256 scalar. */
  readonly privateKey: Uint8Array;
  readonly certificate: Pick<Certificate, 'serial' | 'issuer'>;
}

/** Who signed, as KeyInfo's X509IssuerSerial says. */
export interface SignerIdentity {
  /** X509IssuerName: the issuing CA's name, RFC 4514. */
  readonly issuerName: string;
  /** X509SerialNumber. */
  readonly serial: bigint;
}

/** What reading a signed document establishes before any key is used. */
export interface SignatureFacts {
  readonly signer: SignerIdentity;
  /** The SignedInfo in exclusive canonical form: the bytes the signature is over. */
  readonly signedInfo: Uint8Array;
  /** 64 bytes r ‖ s. */
  readonly signatureValue: Uint8Array;
  /** SHA-256 of the canonical document without its signature, equal to the Reference's DigestValue. */
  readonly digest: Uint8Array;
  /** The ds:Signature element (by identity, within the document read). */
  readonly signature: XmlElement;
}

/** The public key (65 bytes) of the certificate a signer names, or undefined when it is unknown. */
export type KeyResolver = (signer: SignerIdentity) => Uint8Array | undefined;

const ds = (local: string, children: XmlElement['children'] = [], attributes: XmlElement['attributes'] = []): XmlElement =>
  element(DSIG_NS, 'ds', local, children, attributes);

/**
 * `root` with an enveloped signature appended, made with the deterministic
 * signer: the same document and key always give the same bytes. With
 * `indent` (default), the document is laid out as an indented tree first;
 * the layout is part of what is signed.
 */
export function signDocument(root: XmlElement, key: XmlSigningKey, options: { readonly indent?: boolean } = {}): XmlElement {
  const pretty = options.indent ?? true;
  // The digest covers the document as it will be sent, less the Signature: lay it out with a stand-in first.
  const standIn = ds('Signature');
  const withSig = withChildren(root, [...root.children, standIn]);
  const draft = pretty ? indent(withSig) : withSig;
  const digest = sha256(canonicalBytes(draft, { omit: standIn })!);
  const reference = ds(
    'Reference',
    [
      ds('Transforms', [
        ds('Transform', [], [attribute('Algorithm', DSIG_ALGORITHMS.envelopedSignature)]),
        ds('Transform', [], [attribute('Algorithm', DSIG_ALGORITHMS.canonicalization)]),
      ]),
      ds('DigestMethod', [], [attribute('Algorithm', DSIG_ALGORITHMS.digest)]),
      ds('DigestValue', [text(toBase64(digest))]),
    ],
    [attribute('URI', '')],
  );
  const plainSignedInfo = ds('SignedInfo', [
    ds('CanonicalizationMethod', [], [attribute('Algorithm', DSIG_ALGORITHMS.canonicalization)]),
    ds('SignatureMethod', [], [attribute('Algorithm', DSIG_ALGORITHMS.signature)]),
    reference,
  ]);
  const signedInfo = pretty ? indent(plainSignedInfo, 2) : plainSignedInfo;
  const value = signDeterministic(key.privateKey, canonicalBytes(signedInfo)!);
  const keyInfo = ds('KeyInfo', [
    ds('X509Data', [
      ds('X509IssuerSerial', [
        ds('X509IssuerName', [text(x509IssuerName(key.certificate))]),
        ds('X509SerialNumber', [text(key.certificate.serial.toString())]),
      ]),
    ]),
  ]);
  const plain = ds('Signature', [signedInfo, ds('SignatureValue', [text(toBase64(value))]), keyInfo]);
  const signature = pretty ? indent(plain, 1) : plain;
  return withChildren(
    draft,
    draft.children.map((c) => (c === standIn ? signature : c)),
  );
}

/**
 * Reads the signature of a document: its structure, its algorithms, the
 * signer it names, and the Reference's digest against the document's own.
 * Passing means the SignedInfo stands for exactly this document; whether the
 * SignatureValue is the named signer's is {@link verifySignature}'s question
 * (or the DSP's, given `signedInfo`).
 */
export function inspectSignature(root: XmlElement): Result<SignatureFacts, DuisXmlError> {
  const rootPath = `/${root.local}`;
  const found: { e: XmlElement; path: string; parent: XmlElement }[] = [];
  findSignatures(root, rootPath, found);
  if (found.length === 0) return fail('signature-missing', rootPath, 'the document carries no ds:Signature');
  if (found.length > 1)
    return fail('signature-malformed', found[1]!.path, `the document carries ${found.length} ds:Signature elements, DUIS signs with one`);
  const { e: signature, path, parent } = found[0]!;
  if (parent !== root)
    return fail('signature-malformed', path, 'the ds:Signature must be a child of the document element (an enveloped signature)');

  const parts = dsChildren(signature, path);
  if (!parts.ok) return parts;
  const [signedInfoEl, valueEl, keyInfoEl, ...extra] = parts.value;
  if (signedInfoEl?.local !== 'SignedInfo') return fail('signature-malformed', path, 'expected ds:SignedInfo first');
  if (valueEl?.local !== 'SignatureValue') return fail('signature-malformed', path, 'expected ds:SignatureValue after ds:SignedInfo');
  if (keyInfoEl?.local !== 'KeyInfo') return fail('signature-malformed', path, 'expected ds:KeyInfo naming the signing certificate');
  if (extra.length > 0)
    return fail('signature-malformed', `${path}/${extra[0]!.local}`, 'nothing may follow ds:KeyInfo (ds:Object is not taken)');

  const info = readSignedInfo(signedInfoEl, `${path}/SignedInfo`);
  if (!info.ok) return info;
  const signer = readKeyInfo(keyInfoEl, `${path}/KeyInfo`);
  if (!signer.ok) return signer;
  const signatureValue = fromBase64(textOf(valueEl));
  if (signatureValue === undefined) return fail('signature-bad-value', `${path}/SignatureValue`, 'the SignatureValue is not base64');
  if (signatureValue.length !== 64) {
    return fail(
      'signature-bad-value',
      `${path}/SignatureValue`,
      `an ecdsa-sha256 SignatureValue is 64 bytes r ‖ s (RFC 4051), got ${signatureValue.length}${signatureValue[0] === 0x30 ? ' (a DER signature?)' : ''}`,
    );
  }
  const document = canonicalBytes(
    root,
    info.value.inclusive ? { mode: 'inclusive', omit: signature } : { omit: signature, inclusivePrefixes: info.value.referencePrefixes },
  )!;
  const digest = sha256(document);
  if (!equalBytes(digest, info.value.digestValue)) {
    return fail(
      'signature-digest-mismatch',
      `${path}/SignedInfo/Reference/DigestValue`,
      'the document does not have the digest its signature states: it was changed after signing',
    );
  }
  const signedInfo = canonicalBytes(root, { apex: signedInfoEl, inclusivePrefixes: info.value.signedInfoPrefixes })!;
  return ok({ signer: signer.value, signedInfo, signatureValue, digest, signature });
}

/**
 * {@link inspectSignature}, then the SignatureValue over the canonical
 * SignedInfo under the key `resolve` gives for the named certificate.
 */
export function verifySignature(
  root: XmlElement,
  resolve: KeyResolver,
  verifier: SignatureVerifier = defaultVerifier,
): Result<SignatureFacts, DuisXmlError> {
  const facts = inspectSignature(root);
  if (!facts.ok) return facts;
  const { signer } = facts.value;
  const path = `/${root.local}/Signature`;
  const key = resolve(signer);
  if (key === undefined) {
    return fail(
      'signature-unknown-certificate',
      `${path}/KeyInfo`,
      `no certificate ${signer.serial} issued by ${quote(signer.issuerName, 80)} is known`,
    );
  }
  const verdict = verifier.verify(key, facts.value.signedInfo, facts.value.signatureValue);
  if (verdict !== 'valid')
    return fail('signature-invalid', `${path}/SignatureValue`, `the signature is ${verdict} under certificate ${signer.serial}`);
  return facts;
}

const defaultVerifier = new SignatureVerifier();

interface SignedInfoFacts {
  readonly digestValue: Uint8Array;
  /** True when the Reference's only transform is enveloped-signature (inclusive C14N 1.0 follows). */
  readonly inclusive: boolean;
  readonly referencePrefixes: readonly string[];
  readonly signedInfoPrefixes: readonly string[];
}

function readSignedInfo(si: XmlElement, path: string): Result<SignedInfoFacts, DuisXmlError> {
  const parts = dsChildren(si, path);
  if (!parts.ok) return parts;
  const [c14n, method, ...references] = parts.value;
  if (c14n?.local !== 'CanonicalizationMethod') return fail('signature-malformed', path, 'expected ds:CanonicalizationMethod first');
  const c14nPrefixes = canonicalizationMethod(c14n, `${path}/CanonicalizationMethod`);
  if (!c14nPrefixes.ok) return c14nPrefixes;
  if (method?.local !== 'SignatureMethod')
    return fail('signature-malformed', path, 'expected ds:SignatureMethod after ds:CanonicalizationMethod');
  const algorithm = attributeValue(method, 'Algorithm');
  if (algorithm !== DSIG_ALGORITHMS.signature)
    return unsupported(`${path}/SignatureMethod`, 'SignatureMethod', DSIG_ALGORITHMS.signature, algorithm);
  if (childElements(method).length > 0)
    return fail('signature-malformed', `${path}/SignatureMethod`, 'ds:SignatureMethod takes no parameters for ecdsa-sha256');
  if (references.length !== 1 || references[0]?.local !== 'Reference') {
    return fail(
      'signature-malformed',
      path,
      `expected exactly one ds:Reference, got ${references.filter((r) => r.local === 'Reference').length}`,
    );
  }
  const ref = references[0];
  const refPath = `${path}/Reference`;
  const uri = attributeValue(ref, 'URI');
  if (uri !== '')
    return fail(
      'signature-unsupported-reference',
      refPath,
      `the Reference must cover the whole document (URI=""), got ${uri === undefined ? 'no URI' : `URI=${quote(uri)}`}`,
    );
  const refParts = dsChildren(ref, refPath);
  if (!refParts.ok) return refParts;
  const [transforms, digestMethod, digestValue, ...more] = refParts.value;
  if (transforms?.local !== 'Transforms')
    return unsupported(`${refPath}/Transforms`, 'Transforms', `${DSIG_ALGORITHMS.envelopedSignature} then ${EXC_C14N}`, undefined);
  const chain = readTransforms(transforms, `${refPath}/Transforms`);
  if (!chain.ok) return chain;
  if (digestMethod?.local !== 'DigestMethod') return fail('signature-malformed', refPath, 'expected ds:DigestMethod after ds:Transforms');
  const digestAlgorithm = attributeValue(digestMethod, 'Algorithm');
  if (digestAlgorithm !== DSIG_ALGORITHMS.digest)
    return unsupported(`${refPath}/DigestMethod`, 'DigestMethod', DSIG_ALGORITHMS.digest, digestAlgorithm);
  if (digestValue?.local !== 'DigestValue' || more.length > 0) return fail('signature-malformed', refPath, 'expected ds:DigestValue last');
  const digest = fromBase64(textOf(digestValue));
  if (digest?.length !== 32) return fail('signature-malformed', `${refPath}/DigestValue`, 'a SHA-256 DigestValue is 32 bytes in base64');
  return ok({
    digestValue: digest,
    inclusive: chain.value === undefined,
    referencePrefixes: chain.value ?? [],
    signedInfoPrefixes: c14nPrefixes.value,
  });
}

/** The transforms: enveloped-signature, then exc-c14n (its PrefixList returned) or nothing (undefined: inclusive C14N 1.0). */
function readTransforms(t: XmlElement, path: string): Result<readonly string[] | undefined, DuisXmlError> {
  const parts = dsChildren(t, path);
  if (!parts.ok) return parts;
  const [first, second, ...rest] = parts.value;
  const expected = `${DSIG_ALGORITHMS.envelopedSignature} then ${EXC_C14N}`;
  if (first?.local !== 'Transform' || attributeValue(first, 'Algorithm') !== DSIG_ALGORITHMS.envelopedSignature) {
    return unsupported(`${path}/Transform`, 'Transforms', expected, first === undefined ? undefined : attributeValue(first, 'Algorithm'));
  }
  if (second === undefined) return ok(undefined);
  if (second.local !== 'Transform' || rest.length > 0)
    return unsupported(`${path}/Transform`, 'Transforms', expected, `${parts.value.length} transforms`);
  return canonicalizationMethod(second, `${path}/Transform`);
}

/** An exc-c14n method (CanonicalizationMethod or Transform): its InclusiveNamespaces PrefixList. */
function canonicalizationMethod(e: XmlElement, path: string): Result<readonly string[], DuisXmlError> {
  const algorithm = attributeValue(e, 'Algorithm');
  if (algorithm !== EXC_C14N) return unsupported(path, 'canonicalization', EXC_C14N, algorithm);
  const params = childElements(e);
  if (params.length === 0) return ok([]);
  const [inclusive] = params;
  if (params.length > 1 || inclusive?.ns !== EXC_C14N || inclusive.local !== 'InclusiveNamespaces') {
    return fail('signature-malformed', path, 'an exc-c14n method takes one ec:InclusiveNamespaces at most');
  }
  return ok((attributeValue(inclusive, 'PrefixList') ?? '').split(/[ \t\n]+/).filter((p) => p !== ''));
}

function readKeyInfo(keyInfo: XmlElement, path: string): Result<SignerIdentity, DuisXmlError> {
  for (const data of childElements(keyInfo)) {
    if (data.ns !== DSIG_NS || data.local !== 'X509Data') continue;
    for (const is of childElements(data)) {
      if (is.ns !== DSIG_NS || is.local !== 'X509IssuerSerial') continue;
      const p = `${path}/X509Data/X509IssuerSerial`;
      const [name, serial, ...rest] = childElements(is);
      if (name?.local !== 'X509IssuerName' || serial?.local !== 'X509SerialNumber' || rest.length > 0) {
        return fail('signature-malformed', p, 'expected ds:X509IssuerName then ds:X509SerialNumber');
      }
      const digits = textOf(serial).trim();
      if (!/^[0-9]{1,49}$/.test(digits))
        return fail('signature-malformed', `${p}/X509SerialNumber`, `expected a decimal serial number, got ${quote(digits)}`);
      return ok({ issuerName: textOf(name).trim(), serial: BigInt(digits) });
    }
  }
  return fail('signature-malformed', path, 'ds:KeyInfo must name the signing certificate with ds:X509Data/ds:X509IssuerSerial');
}

/** The ds: element children of `e`; other element children, or text that is not whitespace, are refused. */
function dsChildren(e: XmlElement, path: string): Result<XmlElement[], DuisXmlError> {
  const out: XmlElement[] = [];
  for (const c of e.children) {
    if (c.kind === 'text') {
      if (/[^ \t\n\r]/.test(c.text)) return fail('signature-malformed', path, `unexpected text ${quote(c.text.trim())}`);
    } else if (c.ns !== DSIG_NS) {
      return fail('signature-malformed', `${path}/${c.local}`, `unexpected element {${c.ns}}${c.local}`);
    } else out.push(c);
  }
  return ok(out);
}

function findSignatures(e: XmlElement, path: string, out: { e: XmlElement; path: string; parent: XmlElement }[]): void {
  for (const c of childElements(e)) {
    const p = `${path}/${c.local}`;
    if (c.ns === DSIG_NS && c.local === 'Signature') out.push({ e: c, path: p, parent: e });
    else findSignatures(c, p, out);
  }
}

function unsupported(path: string, what: string, expected: string, got: string | undefined): Result<never, DuisXmlError> {
  return fail('signature-unsupported-algorithm', path, `${what}: expected ${expected}, got ${got === undefined ? 'none' : quote(got, 80)}`);
}

const fail = (code: DuisXmlErrorCode, path: string, detail: string): Result<never, DuisXmlError> => err({ code, path, detail });

const sha256 = (bytes: Uint8Array): Uint8Array => new Uint8Array(createHash('sha256').update(bytes).digest());

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}
