import { DOMParser } from '@xmldom/xmldom';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { C14nCanonicalization, ExclusiveCanonicalization } from 'xml-crypto';
import { canonicalize, serializeDocument } from '../../dsp/duis-xml/exc-c14n.ts';
import { parseXml } from '../../dsp/duis-xml/xml-parser.ts';
import { childElements, type XmlElement } from '../../dsp/duis-xml/xml-tree.ts';

/**
 * Exclusive XML Canonicalization 1.0 held to a reference implementation:
 * xml-crypto's ExclusiveCanonicalization (and C14nCanonicalization for the
 * inclusive mode) over @xmldom/xmldom, on fixed documents and on generated
 * ones with random prefixes, namespace declarations, attributes and escapes.
 */

const root = (xml: string): XmlElement => {
  const r = parseXml(xml);
  if (!r.ok) throw new Error(r.error.detail);
  return r.value;
};
const domOf = (xml: string): Element => new DOMParser().parseFromString(xml, 'text/xml').documentElement;
const reference = (e: Element, inclusive: readonly string[] = []): string =>
  new ExclusiveCanonicalization().process(e, { inclusiveNamespacesPrefixList: [...inclusive] });
const referenceInclusive = (e: Element): string => new C14nCanonicalization().process(e, {});

const FIXTURES: readonly string[] = [
  '<a:r xmlns:a="urn:a" xmlns:b="urn:b" xmlns="urn:d" z="1" b:y="2" a="x&#xD;&#9;y&#xA;"><c>t &lt; &amp; &gt; "q" &#xD;</c><b:e xmlns:a="urn:a2" a:q="1"/><f xmlns=""><g/></f><!-- c --><![CDATA[<x>&]]></a:r>',
  '<r xmlns="urn:x"><s xmlns="urn:x"/><t xmlns="urn:y"><u xmlns=""/></t></r>',
  '<p:r xmlns:p="urn:p" xmlns:q="urn:q" xml:lang="en"><q:s p:a="1" xml:space="preserve">  x  </q:s></p:r>',
  '<?xml version="1.0"?>\n<!-- before -->\n<r>\r\n  <e   a = \'1\'   b="&quot;&apos;"  />\r\n</r>\n<!-- after -->',
  '<sr:Request xmlns:sr="http://www.dccinterface.co.uk/ServiceUserGateway" xmlns:ra="http://www.dccinterface.co.uk/ResponseAndAlert" schemaVersion="5.4"><sr:Header><sr:RequestID>90-B3-D5-1F-30-01-00-00:00-DB-12-34-56-78-90-A0:1</sr:RequestID></sr:Header></sr:Request>',
];

describe('Exclusive XML Canonicalization 1.0 (http://www.w3.org/2001/10/xml-exc-c14n#) // DOMAIN §4.1', () => {
  it.each(FIXTURES)('agrees with xml-crypto on %j', (xml) => {
    expect(canonicalize(root(xml))).toBe(reference(domOf(xml)));
    expect(canonicalize(root(xml), { mode: 'inclusive' })).toBe(referenceInclusive(domOf(xml)));
  });

  it('on a subtree: declarations the subtree does not use are left out, xml:* attributes are not inherited (exc-c14n §2.2 example)', () => {
    const xml =
      '<n0:local xmlns:n0="foo:bar" xmlns:n3="ftp://example.org"><n1:elem2 xmlns:n1="http://example.net" xml:lang="en">\n    <n3:stuff xmlns:n3="ftp://example.org"/>\n  </n1:elem2></n0:local>';
    const r = root(xml);
    const elem2 = childElements(r)[0]!;
    const expected =
      '<n1:elem2 xmlns:n1="http://example.net" xml:lang="en">\n    <n3:stuff xmlns:n3="ftp://example.org"></n3:stuff>\n  </n1:elem2>';
    expect(canonicalize(r, { apex: elem2 })).toBe(expected);
    expect(reference(domOf(xml).getElementsByTagName('n1:elem2')[0]!)).toBe(expected);
  });

  it('renders a prefix of the InclusiveNamespaces PrefixList where it is in scope, used or not', () => {
    const xml = '<r xmlns:a="urn:a" xmlns:b="urn:b"><e xmlns:c="urn:c"><a:f/></e></r>';
    expect(canonicalize(root(xml), { inclusivePrefixes: ['b', 'c'] })).toBe(
      '<r xmlns:b="urn:b"><e xmlns:c="urn:c"><a:f xmlns:a="urn:a"></a:f></e></r>',
    );
    expect(canonicalize(root(xml), { inclusivePrefixes: ['b', 'c'] })).toBe(reference(domOf(xml), ['b', 'c']));
  });

  it('#default in the PrefixList renders the default namespace where it is in scope (exc-c14n §3)', () => {
    const xml = '<e xmlns="urn:x"><b:f xmlns:b="urn:b"/></e>';
    expect(canonicalize(root(xml), { inclusivePrefixes: ['#default'] })).toBe('<e xmlns="urn:x"><b:f xmlns:b="urn:b"></b:f></e>');
    const r = root(xml);
    expect(canonicalize(r, { apex: childElements(r)[0]! })).toBe('<b:f xmlns:b="urn:b"></b:f>');
    expect(canonicalize(r, { apex: childElements(r)[0]!, inclusivePrefixes: ['#default'] })).toBe(
      '<b:f xmlns="urn:x" xmlns:b="urn:b"></b:f>',
    );
  });

  it('leaves out the element to omit (the enveloped signature) and keeps the text around it', () => {
    const r = root('<r>\n  <a/>\n  <s><t/></s>\n</r>');
    const s = childElements(r)[1]!;
    expect(canonicalize(r, { omit: s })).toBe('<r>\n  <a></a>\n  \n</r>');
  });

  it('is undefined for an apex that is not in the document, and refuses inclusive mode on a subtree (a bug)', () => {
    const r = root('<r><a/></r>');
    expect(canonicalize(r, { apex: root('<a/>') })).toBeUndefined();
    expect(() => canonicalize(r, { mode: 'inclusive', apex: childElements(r)[0]! })).toThrow(RangeError);
  });

  it('property: agrees with xml-crypto on generated documents, whole and on a subtree, exclusive and inclusive', () => {
    fc.assert(
      fc.property(generatedDocument, fc.nat(), ({ xml, prefixes }, pick) => {
        const mine = root(xml);
        const dom = domOf(xml);
        expect(canonicalize(mine)).toBe(reference(dom));
        expect(canonicalize(mine, { mode: 'inclusive' })).toBe(referenceInclusive(dom));
        expect(canonicalize(mine, { inclusivePrefixes: prefixes })).toBe(reference(dom, prefixes));
        const mineAll = descendants(mine);
        const domAll = [dom, ...Array.from(dom.getElementsByTagName('*'))];
        const i = pick % mineAll.length;
        expect(canonicalize(mine, { apex: mineAll[i]! })).toBe(reference(domAll[i]!));
      }),
      { numRuns: 300 },
    );
  });

  it('property: canonical output read again canonicalizes to itself (what the twin writes is what it signed)', () => {
    fc.assert(
      fc.property(generatedDocument, ({ xml }) => {
        const once = canonicalize(root(xml))!;
        expect(canonicalize(root(serializeDocument(root(xml))))).toBe(once);
      }),
      { numRuns: 200 },
    );
  });
});

function descendants(e: XmlElement): XmlElement[] {
  return [e, ...childElements(e).flatMap(descendants)];
}

// ---- generated documents ----

interface GenElement {
  readonly prefix: string;
  readonly local: string;
  readonly decls: readonly (readonly [string, string])[];
  readonly attributes: readonly { readonly prefix: string; readonly local: string; readonly value: string }[];
  readonly children: readonly (GenElement | { readonly text: string; readonly cdata: boolean })[];
  readonly spaced: boolean;
}

// URIs none of which is a prefix of another, and lower-case prefixes: where xml-crypto's simplified
// orderings (concatenated URI+name, localeCompare) coincide with the spec's code-point order.
const URIS = ['urn:x', 'urn:y', 'http://e.example/z'];
const prefix = fc.constantFrom('', 'a', 'b', 'c');
const textChar = fc.constantFrom('a', ' ', '&', '<', '>', '\n', '\r', '"', "'", '€', ']', 'é');
const attrChar = fc.constantFrom('a', ' ', '&', '<', '>', '"', "'", '\t', '\n', '\r', '€');

const genElement: fc.Arbitrary<GenElement> = fc.letrec<{ el: GenElement }>((tie) => ({
  el: fc.record({
    prefix,
    local: fc.constantFrom('e', 'f', 'g'),
    decls: fc.array(fc.tuple(prefix, fc.constantFrom(...URIS, '')), { maxLength: 2 }),
    attributes: fc.array(
      fc.record({ prefix, local: fc.constantFrom('k', 'l', 'm'), value: fc.array(attrChar, { maxLength: 5 }).map((a) => a.join('')) }),
      {
        maxLength: 3,
      },
    ),
    children: fc.array(
      fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        fc.record({ text: fc.array(textChar, { minLength: 1, maxLength: 6 }).map((a) => a.join('')), cdata: fc.boolean() }),
        tie('el'),
      ),
      { maxLength: 3 },
    ),
    spaced: fc.boolean(),
  }),
})).el;

/** A generated tree written as (non-canonical) XML text, with every prefix it uses declared. */
// xml-crypto ignores '#default' in a PrefixList; the spec's reading of it has its own test above.
const generatedDocument = fc
  .tuple(genElement, fc.subarray(['a', 'b', 'c']))
  .map(([el, prefixes]) => ({ xml: write(el, new Map()), prefixes }));

function write(e: GenElement, scope: ReadonlyMap<string, string>): string {
  const inScope = new Map(scope);
  const decls: [string, string][] = [];
  const declare = (p: string, uri: string): void => {
    if (decls.some(([q]) => q === p)) return;
    decls.push([p, uri]);
    inScope.set(p, uri);
  };
  for (const [p, uri] of e.decls) if (!(p !== '' && uri === '')) declare(p, uri);
  if (e.prefix !== '' && (inScope.get(e.prefix) ?? '') === '') declare(e.prefix, URIS[e.local.charCodeAt(0) % URIS.length]!);
  const attrs: string[] = [];
  const seen = new Set<string>();
  for (const a of e.attributes) {
    if (a.prefix !== '' && (inScope.get(a.prefix) ?? '') === '') declare(a.prefix, URIS[a.local.charCodeAt(0) % URIS.length]!);
    const id = `${a.prefix === '' ? '' : inScope.get(a.prefix)}|${a.local}`;
    if (seen.has(id)) continue;
    seen.add(id);
    attrs.push(`${a.prefix === '' ? '' : `${a.prefix}:`}${a.local}="${escapeAttr(a.value)}"`);
  }
  const name = e.prefix === '' ? e.local : `${e.prefix}:${e.local}`;
  const sp = e.spaced ? '  ' : ' ';
  const head = [name, ...decls.map(([p, uri]) => (p === '' ? `xmlns="${uri}"` : `xmlns:${p}="${uri}"`)), ...attrs].join(sp);
  if (e.children.length === 0) return `<${head}${e.spaced ? ' ' : ''}/>`;
  const inner = e.children
    .map((c) =>
      'text' in c
        ? c.cdata && !/\]\]>|\r/.test(c.text) && !c.text.endsWith(']')
          ? `<![CDATA[${c.text}]]>`
          : escapeText(c.text)
        : write(c, inScope),
    )
    .join('');
  return `<${head}>${inner}</${name}>`;
}

const escapeText = (s: string): string => s.replace(/[&<>\r]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '\r': '&#13;' })[c] ?? c);
const escapeAttr = (s: string): string =>
  s.replace(/[&<"\t\n\r]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '"': '&quot;', '\t': '&#9;', '\n': '&#10;', '\r': '&#13;' })[c] ?? c);
