/**
 * Reading DUIS elements with their paths: a sequence of named `sr:` children
 * in schema order, and leaf values. Every refusal names the element path
 * (`/Request/Header/CommandVariant`).
 */
import { err, ok, type Result } from '../../core/result.ts';
import { quote, type DuisXmlError } from './errors.ts';
import { SR_NS } from './duis-namespaces.ts';
import { childElements, type XmlElement } from './xml-tree.ts';

/** One child in a schema sequence. */
export interface Slot {
  readonly name: string;
  readonly optional?: boolean;
}

/**
 * The children of `e` read against `slots` in order: each slot takes the
 * next child if it has that local name in namespace `ns`; a missing required
 * child, a child out of place, a foreign element or non-whitespace text is
 * `duis-structure`. Children `skip` accepts (the ds:Signature) are passed over.
 */
export function readSequence(
  e: XmlElement,
  path: string,
  slots: readonly Slot[],
  options: { readonly ns?: string; readonly skip?: (c: XmlElement) => boolean } = {},
): Result<Readonly<Record<string, XmlElement | undefined>>, DuisXmlError> {
  const ns = options.ns ?? SR_NS;
  for (const c of e.children) {
    if (c.kind === 'text' && /[^ \t\n\r]/.test(c.text)) return structure(path, `unexpected text ${quote(c.text.trim())}`);
  }
  const children = childElements(e).filter((c) => !(options.skip?.(c) ?? false));
  const out: Record<string, XmlElement | undefined> = {};
  let i = 0;
  for (const slot of slots) {
    const c = children[i];
    if (c !== undefined && c.ns === ns && c.local === slot.name) {
      out[slot.name] = c;
      i++;
    } else if (slot.optional !== true) {
      return structure(
        c === undefined ? path : `${path}/${c.local}`,
        `expected ${slot.name}${c === undefined ? '' : `, got ${describe(c)}`}`,
      );
    }
  }
  const extra = children[i];
  if (extra !== undefined) return structure(`${path}/${extra.local}`, `unexpected ${describe(extra)}`);
  return ok(out);
}

/** The trimmed text of a leaf element (no element children). */
export function leafText(e: XmlElement, path: string): Result<string, DuisXmlError> {
  const inner = childElements(e)[0];
  if (inner !== undefined) return structure(`${path}/${inner.local}`, `${e.local} holds a value, not elements`);
  return ok(e.children.reduce((s, c) => (c.kind === 'text' ? s + c.text : s), '').trim());
}

/** An element that must be empty (`<sr:Credit/>`, `<sr:EnableSupply/>`). */
export function empty(e: XmlElement, path: string): Result<true, DuisXmlError> {
  const r = readSequence(e, path, []);
  return r.ok ? ok(true) : r;
}

export const structure = (path: string, detail: string): Result<never, DuisXmlError> => err({ code: 'duis-structure', path, detail });

export const field = (path: string, detail: string): Result<never, DuisXmlError> => err({ code: 'duis-field', path, detail });

const describe = (c: XmlElement): string => (c.ns === SR_NS ? c.local : `{${c.ns}}${c.local}`);
