/**
 * The XML data model the gateway works on: elements with namespace-resolved
 * names, attributes, the namespace declarations written on each element, and
 * text. Comments, the XML declaration and whitespace outside the document
 * element are not kept: Exclusive Canonicalization without comments, which
 * DUIS signs, does not see them. CDATA sections are text.
 */

export interface XmlAttribute {
  /** '' when unprefixed (then in no namespace). */
  readonly prefix: string;
  readonly local: string;
  /** The namespace URI, '' for none. */
  readonly ns: string;
  readonly value: string;
}

/** A namespace declaration as written on an element: `xmlns:p="uri"`, or `xmlns="uri"` with prefix ''. */
export interface XmlNamespace {
  readonly prefix: string;
  readonly uri: string;
}

export interface XmlElement {
  readonly kind: 'element';
  /** '' when unprefixed. */
  readonly prefix: string;
  readonly local: string;
  /** The namespace URI, '' for none. */
  readonly ns: string;
  readonly attributes: readonly XmlAttribute[];
  readonly namespaces: readonly XmlNamespace[];
  readonly children: readonly XmlNode[];
}

export interface XmlText {
  readonly kind: 'text';
  readonly text: string;
}

export type XmlNode = XmlElement | XmlText;

/** The prefix `xml` is bound to this URI without being declared. // Namespaces in XML 1.0 §3 */
export const XML_NS = 'http://www.w3.org/XML/1998/namespace';
/** The URI of `xmlns` itself. */
export const XMLNS_NS = 'http://www.w3.org/2000/xmlns/';

/** The qualified name as written: `p:local` or `local`. */
export const qname = (n: { readonly prefix: string; readonly local: string }): string =>
  n.prefix === '' ? n.local : `${n.prefix}:${n.local}`;

/**
 * An element in namespace `ns` written with `prefix`, declaring that prefix
 * on itself (Exclusive Canonicalization keeps a declaration only where it is
 * first used, so redundant ones cost nothing).
 */
export function element(
  ns: string,
  prefix: string,
  local: string,
  children: readonly XmlNode[] = [],
  attributes: readonly XmlAttribute[] = [],
): XmlElement {
  return { kind: 'element', prefix, local, ns, attributes, namespaces: ns === '' ? [] : [{ prefix, uri: ns }], children };
}

export const text = (t: string): XmlText => ({ kind: 'text', text: t });

/** An unprefixed attribute. */
export const attribute = (local: string, value: string): XmlAttribute => ({ prefix: '', local, ns: '', value });

/** The element children of `e`. */
export const childElements = (e: XmlElement): XmlElement[] => e.children.filter((c): c is XmlElement => c.kind === 'element');

/** The concatenated text of `e`'s direct text children. */
export const textOf = (e: XmlElement): string => e.children.reduce((s, c) => (c.kind === 'text' ? s + c.text : s), '');

/** The value of the unprefixed attribute `local`, if present. */
export const attributeValue = (e: XmlElement, local: string): string | undefined =>
  e.attributes.find((a) => a.ns === '' && a.local === local)?.value;

/** `e` with its children replaced. */
export const withChildren = (e: XmlElement, children: readonly XmlNode[]): XmlElement => ({ ...e, children });

/**
 * `e` with whitespace text inserted between element children so that it
 * reads as an indented tree; elements with text content are left as they
 * are. For documents the twin writes; the indentation is signed like any
 * other text.
 */
export function indent(e: XmlElement, depth = 0): XmlElement {
  if (e.children.length === 0 || e.children.some((c) => c.kind === 'text')) return e;
  const pad = (d: number): XmlText => text(`\n${'  '.repeat(d)}`);
  const children: XmlNode[] = [];
  for (const c of e.children) children.push(pad(depth + 1), c.kind === 'element' ? indent(c, depth + 1) : c);
  children.push(pad(depth));
  return withChildren(e, children);
}
