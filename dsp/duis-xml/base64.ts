/**
 * Base64 as XML-DSig and DUIS carry it (xs:base64Binary): the standard
 * alphabet with padding, whitespace anywhere ignored (Java signers wrap
 * SignatureValue at 76 characters with CR LF). Anything else is refused,
 * including a last character whose unused bits are set: otherwise several
 * texts would decode to one digest or signature, and an edit to a signed
 * value could go unnoticed.
 */

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** The bytes of `text`, or undefined when it is not base64. */
export function fromBase64(text: string): Uint8Array | undefined {
  const compact = text.replace(/[ \t\n\r]+/g, '');
  if (!BASE64.test(compact)) return undefined;
  const bytes = new Uint8Array(Buffer.from(compact, 'base64'));
  return toBase64(bytes) === compact ? bytes : undefined;
}

export const toBase64 = (bytes: Uint8Array): string => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
