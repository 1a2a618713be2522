/**
 * What is wrong with a DUIS XML document, as a value: a stable code, where
 * (an element path of local names, `/Request/Header/CommandVariant`, or `/`
 * for the document itself) and a sentence saying what was expected and what
 * was found. Nothing in `dsp/duis-xml/` throws on bad input.
 */

/** Refusals of the XML itself (`xml-…`), of its signature (`signature-…`) and of its DUIS content (`duis-…`). */
export type DuisXmlErrorCode =
  /** Over the size limit (checked before anything is read). */
  | 'xml-too-large'
  /** Elements nested deeper than the depth limit. */
  | 'xml-too-deep'
  /** A DOCTYPE: no DTD is read, internal or external. */
  | 'xml-dtd-refused'
  /** An ENTITY declaration, or a reference to an entity other than the five XML predefines. */
  | 'xml-entity-refused'
  /** A SYSTEM or PUBLIC identifier: an external entity or external DTD (XXE). */
  | 'xml-external-entity-refused'
  /** A processing instruction other than the XML declaration. */
  | 'xml-pi-refused'
  /** Not UTF-8, or a declared encoding other than UTF-8. */
  | 'xml-encoding'
  /** Not well-formed XML, or not namespace-well-formed. */
  | 'xml-malformed'
  /** No ds:Signature where the document must carry one. */
  | 'signature-missing'
  /** A Signature whose structure is not the enveloped XML-DSig this gateway takes. */
  | 'signature-malformed'
  /** A canonicalization, signature, transform or digest algorithm other than the ones DUIS uses. */
  | 'signature-unsupported-algorithm'
  /** A Reference to anything but the whole document (`URI=""`). */
  | 'signature-unsupported-reference'
  /** The document's digest is not the Reference's DigestValue: the signed content was changed. */
  | 'signature-digest-mismatch'
  /** The SignatureValue is not 64 bytes r ‖ s (e.g. a DER signature). */
  | 'signature-bad-value'
  /** No certificate is known for the X509IssuerSerial. */
  | 'signature-unknown-certificate'
  /** The signature does not verify under the certificate's key. */
  | 'signature-invalid'
  /** The document is not the DUIS document expected: wrong root, missing or unexpected element. */
  | 'duis-structure'
  /** A DUIS field's value is out of its type or range. */
  | 'duis-field';

export interface DuisXmlError {
  readonly code: DuisXmlErrorCode;
  /** Where: an element path of local names, `/` for the document as a whole. */
  readonly path: string;
  /** What was expected and what was found. */
  readonly detail: string;
  /** Line and column (from 1) in the document text, for errors found while reading it. */
  readonly line?: number;
  readonly column?: number;
}

export const duisXmlError = (code: DuisXmlErrorCode, path: string, detail: string): DuisXmlError => ({ code, path, detail });

/** One line: `xml-dtd-refused at / (line 1, column 39): …`. */
export function formatDuisXmlError(e: DuisXmlError): string {
  const where = e.line === undefined ? '' : ` (line ${e.line}, column ${e.column ?? 0})`;
  return `${e.code} at ${e.path}${where}: ${e.detail}`;
}

/** A short, printable quotation of found text for a `detail`. */
export function quote(s: string, max = 40): string {
  return JSON.stringify(s.length > max ? `${s.slice(0, max - 3)}...` : s);
}
