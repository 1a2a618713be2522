/**
 * Exclusive XML Canonicalization 1.0 without comments
 * (http://www.w3.org/2001/10/xml-exc-c14n#), the form DUIS signatures are
 * computed over. // DOMAIN §4.1
 *
 * Over the tree of `xml-tree.ts`: an element and its subtree (the apex, by
 * default the document element), optionally leaving one element out — the
 * enveloped signature. A namespace declaration is written where a prefix is
 * first visibly used in the output (by the element's own name or one of its
 * attributes) and not already in force with the same URI; prefixes in the
 * InclusiveNamespaces PrefixList are written as inclusive C14N would.
 * Declarations sorted by prefix, attributes by (namespace URI, local name);
 * empty elements as start and end tag; text and attribute values escaped as
 * the C14N 1.0 spec §2.3 says.
 *
 * `inclusive` is C14N 1.0 (http://www.w3.org/TR/2001/REC-xml-c14n-20010315)
 * for a whole document only — what XML-DSig applies when a Reference's last
 * transform is the enveloped-signature transform (a node-set). A subtree apex
 * in inclusive mode would need xml:* attributes inherited from outside it,
 * which nothing here asks for: a bug, RangeError.
 *
 * Tests hold this to xml-crypto's implementations on fixed and generated
 * documents (`test/duis-xml/exc-c14n.test.ts`).
 */
import { qname, type XmlElement } from './xml-tree.ts';

export const EXC_C14N = 'http://www.w3.org/2001/10/xml-exc-c14n#';
export const C14N_10 = 'http://www.w3.org/TR/2001/REC-xml-c14n-20010315';

export interface C14nOptions {
  /** Default `exclusive`. */
  readonly mode?: 'exclusive' | 'inclusive';
  /** The subtree to canonicalize (by identity, inside `root`). Default `root`. */
  readonly apex?: XmlElement;
  /** An element (by identity) left out with its subtree. */
  readonly omit?: XmlElement;
  /** The InclusiveNamespaces PrefixList of exclusive mode; `#default` is the default namespace. */
  readonly inclusivePrefixes?: readonly string[];
}

/** The canonical form of `options.apex ?? root` as text; undefined when the apex is not in `root`. */
export function canonicalize(root: XmlElement, options: C14nOptions = {}): string | undefined {
  const apex = options.apex ?? root;
  if (options.mode === 'inclusive' && apex !== root) throw new RangeError('canonicalize: inclusive C14N is for a whole document only');
  const out: string[] = [];
  const found = descend(root, new Map(), apex, options, out);
  return found ? out.join('') : undefined;
}

/** {@link canonicalize} as UTF-8 bytes: what is digested and signed. */
export function canonicalBytes(root: XmlElement, options: C14nOptions = {}): Uint8Array | undefined {
  const s = canonicalize(root, options);
  return s === undefined ? undefined : new TextEncoder().encode(s);
}

/** Walks to the apex, keeping the namespaces in scope, and renders it. */
function descend(e: XmlElement, parentScope: ReadonlyMap<string, string>, apex: XmlElement, o: C14nOptions, out: string[]): boolean {
  if (e === o.omit) return false;
  const scope = withDeclarations(parentScope, e);
  if (e === apex) {
    render(e, scope, new Map(), o, out);
    return true;
  }
  for (const c of e.children) if (c.kind === 'element' && descend(c, scope, apex, o, out)) return true;
  return false;
}

function render(
  e: XmlElement,
  scope: ReadonlyMap<string, string>,
  rendered: ReadonlyMap<string, string>,
  o: C14nOptions,
  out: string[],
): void {
  const candidates = new Set<string>();
  if (o.mode === 'inclusive') {
    for (const p of scope.keys()) candidates.add(p);
  } else {
    // Visibly utilized: the element's prefix ('' = default) and its attributes' prefixes (unprefixed attributes use none).
    candidates.add(e.prefix);
    for (const a of e.attributes) if (a.prefix !== '') candidates.add(a.prefix);
    for (const p of o.inclusivePrefixes ?? []) {
      const prefix = p === '#default' ? '' : p;
      if (scope.has(prefix)) candidates.add(prefix);
    }
  }
  const next = new Map(rendered);
  const declarations: [string, string][] = [];
  for (const prefix of candidates) {
    if (prefix === 'xml') continue;
    const uri = scope.get(prefix) ?? '';
    if (prefix === '') {
      // xmlns="" only to undo a default namespace an output ancestor put in force.
      if (uri === (rendered.get('') ?? '')) continue;
    } else if (uri === '' || rendered.get(prefix) === uri) continue;
    declarations.push([prefix, uri]);
    next.set(prefix, uri);
  }
  declarations.sort((a, b) => compareCodePoints(a[0], b[0]));
  const attributes = [...e.attributes].sort((a, b) => compareCodePoints(a.ns, b.ns) || compareCodePoints(a.local, b.local));
  const name = qname(e);
  out.push('<', name);
  for (const [prefix, uri] of declarations) out.push(prefix === '' ? ' xmlns="' : ` xmlns:${prefix}="`, escapeAttribute(uri), '"');
  for (const a of attributes) out.push(' ', qname(a), '="', escapeAttribute(a.value), '"');
  out.push('>');
  for (const c of e.children) {
    if (c.kind === 'text') out.push(escapeText(c.text));
    else if (c !== o.omit) render(c, withDeclarations(scope, c), next, o, out);
  }
  out.push('</', name, '>');
}

function withDeclarations(scope: ReadonlyMap<string, string>, e: XmlElement): ReadonlyMap<string, string> {
  if (e.namespaces.length === 0) return scope;
  const m = new Map(scope);
  for (const d of e.namespaces) m.set(d.prefix, d.uri);
  m.delete('xml');
  return m;
}

/** Text: & < > and CR as references. // C14N 1.0 §2.3 */
export function escapeText(s: string): string {
  return s.replace(/[&<>\r]/g, (c) => TEXT_ESCAPES[c] ?? c);
}

/** Attribute values: & < " TAB LF CR as references. // C14N 1.0 §2.3 */
export function escapeAttribute(s: string): string {
  return s.replace(/[&<"\t\n\r]/g, (c) => ATTRIBUTE_ESCAPES[c] ?? c);
}

const TEXT_ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '\r': '&#xD;' };
const ATTRIBUTE_ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '"': '&quot;',
  '\t': '&#x9;',
  '\n': '&#xA;',
  '\r': '&#xD;',
};

/** Orders strings by Unicode code point, as C14N sorts (JavaScript's `<` compares UTF-16 units). */
function compareCodePoints(a: string, b: string): number {
  if (a === b) return 0;
  const x = [...a];
  const y = [...b];
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = (x[i]!.codePointAt(0) ?? 0) - (y[i]!.codePointAt(0) ?? 0);
    if (d !== 0) return d;
  }
  return x.length - y.length;
}

/**
 * A document as the twin writes it: the XML declaration, then the document
 * element in exclusive canonical form. Writing canonical XML means a reader
 * that canonicalizes it again gets exactly these bytes back, so what was
 * signed is what is sent.
 */
export function serializeDocument(root: XmlElement): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n${canonicalize(root) ?? ''}`;
}
