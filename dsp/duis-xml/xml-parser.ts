/**
 * A small, refusing XML 1.0 reader for DUIS documents from outside the twin.
 * // DOMAIN §4.1 (DUIS messages are XML)
 *
 * Own code rather than a DOM library because what matters at this edge is
 * what is refused, each with its own error value: no DOCTYPE (so no DTD, no
 * entity declarations, no external entities — XXE and "billion laughs" never
 * get as far as expansion), no processing instruction but the XML
 * declaration, UTF-8 only, a size limit checked before reading and a depth
 * limit checked while reading. Every refusal is a {@link DuisXmlError}; the
 * reader never throws to its caller.
 *
 * What it keeps (`xml-tree.ts`): namespace-resolved elements and attributes,
 * the declarations as written, and text with the five predefined entities and
 * character references expanded, line ends and attribute whitespace
 * normalised as XML 1.0 §2.11 and §3.3.3 say. Comments are checked and
 * dropped.
 */
import { err, ok, type Result } from '../../core/result.ts';
import { quote, type DuisXmlError, type DuisXmlErrorCode } from './errors.ts';
import { XML_NS, XMLNS_NS, type XmlAttribute, type XmlElement, type XmlNamespace, type XmlNode } from './xml-tree.ts';

export interface XmlLimits {
  /** The largest document read, in bytes of UTF-8. Default 256 KiB. */
  readonly maxBytes: number;
  /** The deepest element nesting read (the document element is depth 1). Default 32: a DUIS document with its signature is under 10. */
  readonly maxDepth: number;
}

export const DEFAULT_XML_LIMITS: XmlLimits = { maxBytes: 256 * 1024, maxDepth: 32 };

/**
 * The document element of `input`, or the first reason it is refused.
 *
 * @example
 * parseXml('<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>');
 * // err({ code: 'xml-external-entity-refused', path: '/', … })
 */
export function parseXml(input: string | Uint8Array, limits: Partial<XmlLimits> = {}): Result<XmlElement, DuisXmlError> {
  const { maxBytes, maxDepth } = { ...DEFAULT_XML_LIMITS, ...limits };
  const size = typeof input === 'string' ? Buffer.byteLength(input, 'utf8') : input.length;
  if (size > maxBytes) return err({ code: 'xml-too-large', path: '/', detail: `the document is ${size} bytes, the limit is ${maxBytes}` });
  let textIn: string;
  if (typeof input === 'string') textIn = input.startsWith('\uFEFF') ? input.slice(1) : input;
  else {
    try {
      textIn = new TextDecoder('utf-8', { fatal: true }).decode(input);
    } catch {
      return err({ code: 'xml-encoding', path: '/', detail: 'the document is not valid UTF-8' });
    }
  }
  try {
    return ok(new Reader(textIn.replace(/\r\n?/g, '\n'), maxDepth).document());
  } catch (thrown) {
    if (thrown instanceof Refusal) return err(thrown.error);
    throw thrown;
  }
}

/** Carries a refusal from deep in the reader to `parseXml`, which returns it; never escapes. */
class Refusal extends Error {
  readonly error: DuisXmlError;
  constructor(error: DuisXmlError) {
    super(error.detail);
    this.error = error;
  }
}

interface Frame {
  readonly qname: string;
  readonly prefix: string;
  readonly local: string;
  readonly ns: string;
  readonly attributes: readonly XmlAttribute[];
  readonly namespaces: readonly XmlNamespace[];
  readonly inScope: ReadonlyMap<string, string>;
  readonly children: XmlNode[];
}

// XML 1.0 (5th ed.) Char, NameStartChar and NameChar.
const NOT_CHAR = /[^\t\n\r\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;
const START =
  'A-Z_a-z\\xC0-\\xD6\\xD8-\\xF6\\xF8-\\u02FF\\u0370-\\u037D\\u037F-\\u1FFF\\u200C\\u200D\\u2070-\\u218F\\u2C00-\\u2FEF\\u3001-\\uD7FF\\uF900-\\uFDCF\\uFDF0-\\uFFFD\\u{10000}-\\u{EFFFF}';
// The classes list code-point ranges; the combining marks and ZWNJ/ZWJ in them stand alone, as XML names them.
// eslint-disable-next-line no-misleading-character-class
const NAME = new RegExp(`[:${START}][:${START}\\-.0-9\\xB7\\u0300-\\u036F\\u203F-\\u2040]*`, 'uy');
// eslint-disable-next-line no-misleading-character-class
const NCNAME = new RegExp(`^[${START}][${START}\\-.0-9\\xB7\\u0300-\\u036F\\u203F-\\u2040]*$`, 'u');
const WHITESPACE = /[ \t\n]*/y;
const XML_DECL =
  /<\?xml[ \t\n]+version[ \t\n]*=[ \t\n]*(["'])([^"']*)\1(?:[ \t\n]+encoding[ \t\n]*=[ \t\n]*(["'])([^"']*)\3)?(?:[ \t\n]+standalone[ \t\n]*=[ \t\n]*(["'])(yes|no)\5)?[ \t\n]*\?>/y;
const PREDEFINED: Readonly<Record<string, string>> = { lt: '<', gt: '>', amp: '&', apos: "'", quot: '"' };

class Reader {
  private i = 0;
  private readonly stack: Frame[] = [];
  private readonly s: string;
  private readonly maxDepth: number;

  constructor(s: string, maxDepth: number) {
    this.s = s;
    this.maxDepth = maxDepth;
  }

  document(): XmlElement {
    const bad = NOT_CHAR.exec(this.s);
    if (bad !== null) {
      this.i = bad.index;
      const cp = bad[0].codePointAt(0) ?? 0;
      this.fail('xml-malformed', `character U+${cp.toString(16).toUpperCase().padStart(4, '0')} is not allowed in XML`);
    }
    if (this.s.startsWith('<?xml') && /[ \t\n?]/.test(this.s[5] ?? '')) this.declaration();
    this.misc();
    if (!this.s.startsWith('<', this.i))
      this.fail(
        'xml-malformed',
        this.i < this.s.length ? `expected the document element, got ${quote(this.s.slice(this.i, this.i + 20))}` : 'no document element',
      );
    const root = this.content();
    this.misc();
    if (this.i < this.s.length)
      this.fail('xml-malformed', `content after the document element: ${quote(this.s.slice(this.i, this.i + 20))}`);
    return root;
  }

  /** The XML declaration: version 1.0, encoding UTF-8 if stated. // XML 1.0 §2.8, §4.3.3 */
  private declaration(): void {
    XML_DECL.lastIndex = 0;
    const m = XML_DECL.exec(this.s);
    if (m === null) this.fail('xml-malformed', 'the XML declaration is not `<?xml version="1.0" encoding="UTF-8"?>`');
    if (m[2] !== '1.0') this.fail('xml-malformed', `XML version 1.0 only, got ${quote(m[2] ?? '')}`);
    const encoding = m[4];
    if (encoding !== undefined && !/^utf-?8$/i.test(encoding))
      this.fail('xml-encoding', `UTF-8 only, the declaration says ${quote(encoding)}`);
    this.i = m[0].length;
  }

  /** Whitespace and comments outside the document element; a PI or DOCTYPE there is refused. */
  private misc(): void {
    for (;;) {
      this.skipWhitespace();
      if (this.s.startsWith('<!--', this.i)) this.comment();
      else if (this.s.startsWith('<?', this.i)) this.processingInstruction();
      else if (this.s.startsWith('<!', this.i) && !this.s.startsWith('<![CDATA[', this.i)) this.declarationRefused();
      else return;
    }
  }

  /** The document element and everything in it, read without recursion. */
  private content(): XmlElement {
    let root: XmlElement | undefined;
    const close = (e: XmlElement): void => {
      const parent = this.stack.at(-1);
      if (parent === undefined) root = e;
      else parent.children.push(e);
    };
    const opened = this.startTag();
    if (opened.selfClosing) return build(opened.frame);
    this.stack.push(opened.frame);
    while (this.stack.length > 0) {
      const top = this.stack.at(-1)!;
      if (this.i >= this.s.length) this.fail('xml-malformed', `<${top.qname}> is not closed`);
      if (this.s[this.i] !== '<') {
        this.characters(top);
      } else if (this.s.startsWith('</', this.i)) {
        this.endTag(top);
        this.stack.pop();
        close(build(top));
      } else if (this.s.startsWith('<!--', this.i)) {
        this.comment();
      } else if (this.s.startsWith('<![CDATA[', this.i)) {
        const end = this.s.indexOf(']]>', this.i + 9);
        if (end < 0) this.fail('xml-malformed', 'a CDATA section is not closed');
        appendText(top, this.s.slice(this.i + 9, end));
        this.i = end + 3;
      } else if (this.s.startsWith('<?', this.i)) {
        this.processingInstruction();
      } else if (this.s.startsWith('<!', this.i)) {
        this.declarationRefused();
      } else {
        if (this.stack.length + 1 > this.maxDepth) this.fail('xml-too-deep', `elements nest deeper than ${this.maxDepth}`);
        const child = this.startTag();
        if (child.selfClosing) close(build(child.frame));
        else this.stack.push(child.frame);
      }
    }
    return root!;
  }

  private startTag(): { frame: Frame; selfClosing: boolean } {
    const start = this.i;
    this.i++; // '<'
    const name = this.name('an element name');
    const raw: { name: string; value: string; at: number }[] = [];
    for (;;) {
      const hadSpace = this.skipWhitespace();
      if (this.s.startsWith('/>', this.i) || this.s.startsWith('>', this.i)) break;
      if (this.i >= this.s.length) this.fail('xml-malformed', `the start tag <${name}> is not closed`);
      if (!hadSpace)
        this.fail('xml-malformed', `expected whitespace, '>' or '/>' in <${name}>, got ${quote(this.s.slice(this.i, this.i + 10))}`);
      const at = this.i;
      const attr = this.name('an attribute name');
      this.skipWhitespace();
      if (this.s[this.i] !== '=') this.fail('xml-malformed', `expected '=' after attribute ${attr} of <${name}>`);
      this.i++;
      this.skipWhitespace();
      if (raw.some((a) => a.name === attr)) this.fail('xml-malformed', `attribute ${attr} appears twice in <${name}>`);
      raw.push({ name: attr, value: this.attributeValue(), at });
    }
    const selfClosing = this.s.startsWith('/>', this.i);
    const after = this.i + (selfClosing ? 2 : 1);
    const frame = this.resolve(name, raw, start);
    this.i = after;
    return { frame, selfClosing };
  }

  /** Namespace processing of one start tag. // Namespaces in XML 1.0 §3–§6 */
  private resolve(name: string, raw: readonly { name: string; value: string; at: number }[], start: number): Frame {
    const parentScope = this.stack.at(-1)?.inScope ?? new Map<string, string>();
    const inScope = new Map(parentScope);
    const namespaces: XmlNamespace[] = [];
    for (const a of raw) {
      const prefix = a.name === 'xmlns' ? '' : a.name.startsWith('xmlns:') ? a.name.slice(6) : undefined;
      if (prefix === undefined) continue;
      this.i = a.at;
      if (prefix === 'xmlns') this.fail('xml-malformed', 'the prefix xmlns cannot be declared');
      if (prefix !== '' && !NCNAME.test(prefix)) this.fail('xml-malformed', `${quote(prefix)} is not a valid prefix`);
      if (prefix !== '' && a.value === '') this.fail('xml-malformed', `xmlns:${prefix}="" cannot undeclare a prefix in XML 1.0`);
      if ((prefix === 'xml') !== (a.value === XML_NS)) this.fail('xml-malformed', `the prefix xml is bound to ${XML_NS} only`);
      if (a.value === XMLNS_NS) this.fail('xml-malformed', `${XMLNS_NS} cannot be bound`);
      namespaces.push({ prefix, uri: a.value });
      inScope.set(prefix, a.value);
    }
    this.i = start;
    const [prefix, local] = this.split(name);
    if (prefix === 'xmlns') this.fail('xml-malformed', `an element cannot have the prefix xmlns`);
    const ns = this.lookup(prefix, inScope, `element <${name}>`);
    const attributes: XmlAttribute[] = [];
    const expanded = new Set<string>();
    for (const a of raw) {
      if (a.name === 'xmlns' || a.name.startsWith('xmlns:')) continue;
      this.i = a.at;
      const [ap, al] = this.split(a.name);
      const ans = ap === '' ? '' : this.lookup(ap, inScope, `attribute ${a.name}`);
      const id = `${ans} ${al}`;
      if (expanded.has(id)) this.fail('xml-malformed', `attribute {${ans}}${al} appears twice in <${name}>`);
      expanded.add(id);
      attributes.push({ prefix: ap, local: al, ns: ans, value: a.value });
    }
    return { qname: name, prefix, local, ns, attributes, namespaces, inScope, children: [] };
  }

  private lookup(prefix: string, inScope: ReadonlyMap<string, string>, what: string): string {
    if (prefix === 'xml') return XML_NS;
    const uri = inScope.get(prefix);
    if (prefix === '') return uri ?? '';
    if (uri === undefined) this.fail('xml-malformed', `the prefix ${prefix} of ${what} is not declared`);
    return uri;
  }

  private split(name: string): [string, string] {
    const colon = name.indexOf(':');
    if (colon < 0) return ['', name];
    const prefix = name.slice(0, colon);
    const local = name.slice(colon + 1);
    if (!NCNAME.test(prefix) || !NCNAME.test(local)) this.fail('xml-malformed', `${quote(name)} is not a qualified name`);
    return [prefix, local];
  }

  private endTag(top: Frame): void {
    this.i += 2;
    const name = this.name('an end tag name');
    this.skipWhitespace();
    if (this.s[this.i] !== '>') this.fail('xml-malformed', `the end tag </${name}> is not closed`);
    if (name !== top.qname) this.fail('xml-malformed', `</${name}> closes <${top.qname}>`);
    this.i++;
  }

  private characters(top: Frame): void {
    let out = '';
    const lt = this.s.indexOf('<', this.i);
    const end = lt < 0 ? this.s.length : lt;
    // XML 1.0 §2.4: ']]>' may not appear in character data (as written; &gt; may stand for its '>').
    if (this.s.slice(this.i, end).includes(']]>')) this.fail('xml-malformed', "']]>' in character data");
    while (this.i < end) {
      const amp = this.s.indexOf('&', this.i);
      if (amp < 0 || amp >= end) {
        out += this.s.slice(this.i, end);
        this.i = end;
      } else {
        out += this.s.slice(this.i, amp);
        this.i = amp;
        out += this.reference();
      }
    }
    appendText(top, out);
  }

  /** An attribute value with references expanded and whitespace normalised. // XML 1.0 §3.3.3 */
  private attributeValue(): string {
    const q = this.s[this.i];
    if (q !== '"' && q !== "'") this.fail('xml-malformed', 'an attribute value must be quoted');
    this.i++;
    let out = '';
    for (;;) {
      const c = this.s[this.i];
      if (c === undefined) this.fail('xml-malformed', 'an attribute value is not closed');
      if (c === q) break;
      if (c === '<') this.fail('xml-malformed', "'<' in an attribute value");
      if (c === '&') out += this.reference();
      else {
        out += c === '\t' || c === '\n' ? ' ' : c;
        this.i++;
      }
    }
    this.i++;
    return out;
  }

  /** `&name;` for the five predefined entities, or a character reference; any other entity is refused. // XML 1.0 §4.1, §4.6 */
  private reference(): string {
    const end = this.s.indexOf(';', this.i);
    const body = end < 0 ? '' : this.s.slice(this.i + 1, end);
    if (end < 0 || end - this.i > 40) this.fail('xml-malformed', `'&' must start a reference such as &amp;`);
    let cp: number | undefined;
    if (/^#[0-9]+$/.test(body)) cp = Number(body.slice(1));
    else if (/^#x[0-9A-Fa-f]+$/.test(body)) cp = parseInt(body.slice(2), 16);
    else if (PREDEFINED[body] !== undefined) {
      this.i = end + 1;
      return PREDEFINED[body];
    } else if (NCNAME.test(body)) {
      this.fail('xml-entity-refused', `&${body}; is not one of the five predefined entities, and no DTD is read that could declare it`);
    } else this.fail('xml-malformed', `${quote(`&${body};`)} is not a reference`);
    const ch = cp <= 0x10ffff ? String.fromCodePoint(cp) : '\0';
    if (NOT_CHAR.test(ch)) this.fail('xml-malformed', `&${body}; is not a character allowed in XML`);
    this.i = end + 1;
    return ch;
  }

  private comment(): void {
    const end = this.s.indexOf('-->', this.i + 4);
    if (end < 0) this.fail('xml-malformed', 'a comment is not closed');
    // XML 1.0 §2.5: '--' may not occur inside a comment.
    if (this.s.slice(this.i + 4, end).includes('--') || (end > this.i + 4 && this.s[end - 1] === '-'))
      this.fail('xml-malformed', "'--' inside a comment");
    this.i = end + 3;
  }

  private processingInstruction(): never {
    NAME.lastIndex = this.i + 2;
    const target = NAME.exec(this.s)?.[0] ?? '';
    if (target.toLowerCase() === 'xml') this.fail('xml-malformed', 'the XML declaration must be the very first thing in the document');
    this.fail('xml-pi-refused', `processing instruction <?${target}…?> refused: only the XML declaration is taken`);
  }

  /** `<!DOCTYPE`, `<!ENTITY` and the like: refused, with the most telling code. */
  private declarationRefused(): never {
    const rest = this.s.slice(this.i);
    if (!/^<!(?:DOCTYPE|ENTITY|ELEMENT|ATTLIST|NOTATION)\b/.test(rest))
      this.fail('xml-malformed', `${quote(rest.slice(0, 12))} is not markup XML allows here`);
    const decl = rest.slice(0, extentOfDeclaration(rest));
    if (/\b(?:SYSTEM|PUBLIC)\b/.test(decl)) {
      this.fail(
        'xml-external-entity-refused',
        'the document refers to an external DTD or entity (SYSTEM or PUBLIC): nothing outside the document is read',
      );
    }
    if (decl.includes('<!ENTITY'))
      this.fail('xml-entity-refused', 'the document declares entities: no DTD is read and no entity is expanded');
    this.fail('xml-dtd-refused', 'the document has a DOCTYPE: DUIS documents carry no DTD and none is read');
  }

  private name(what: string): string {
    NAME.lastIndex = this.i;
    const m = NAME.exec(this.s);
    if (m === null) this.fail('xml-malformed', `expected ${what}, got ${quote(this.s.slice(this.i, this.i + 10))}`);
    this.i += m[0].length;
    return m[0];
  }

  private skipWhitespace(): boolean {
    WHITESPACE.lastIndex = this.i;
    const n = WHITESPACE.exec(this.s)?.[0].length ?? 0;
    this.i += n;
    return n > 0;
  }

  private fail(code: DuisXmlErrorCode, detail: string): never {
    const before = this.s.slice(0, this.i);
    const line = before.split('\n').length;
    const column = this.i - before.lastIndexOf('\n');
    const path = this.stack.length === 0 ? '/' : `/${this.stack.map((f) => f.local).join('/')}`;
    throw new Refusal({ code, path, detail, line, column });
  }
}

function build(f: Frame): XmlElement {
  return {
    kind: 'element',
    prefix: f.prefix,
    local: f.local,
    ns: f.ns,
    attributes: f.attributes,
    namespaces: f.namespaces,
    children: f.children,
  };
}

function appendText(f: Frame, t: string): void {
  if (t === '') return;
  const last = f.children.at(-1);
  if (last?.kind === 'text') f.children[f.children.length - 1] = { kind: 'text', text: last.text + t };
  else f.children.push({ kind: 'text', text: t });
}

/** How far a `<!DOCTYPE …>` reaches: past its internal subset `[…]` if it has one, else to the first '>'. Read only to classify the refusal. */
function extentOfDeclaration(rest: string): number {
  const open = rest.indexOf('[');
  const close = rest.indexOf('>');
  if (open >= 0 && (close < 0 || open < close)) {
    const m = /\][ \t\n]*>/g;
    m.lastIndex = open;
    const found = m.exec(rest);
    return found === null ? rest.length : found.index + found[0].length;
  }
  return close < 0 ? rest.length : close + 1;
}
