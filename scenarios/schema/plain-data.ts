import { fieldError, type FieldError } from '../../core/errors.ts';
import { childPath, itemPath } from './paths.ts';

/**
 * A copy of untrusted input as plain data, made before anything reads it.
 * Objects become null-prototype records, so no key — `__proto__`,
 * `constructor`, `toString` — can reach a prototype or be found on one;
 * arrays are copied. Input from a TypeScript module may be stranger than
 * parsed JSON or YAML: getters that throw, proxies, cycles, huge sparse
 * arrays. Each becomes a FieldError at its path instead of an exception or a
 * hang. Anything else that is not data (a class instance, a Map, a function)
 * is kept as it is, for the field readers to refuse by type.
 */

/** A record of the copy: an object with no prototype. */
export type PlainRecord = Record<string, unknown>;

/** Deeper than this is not a scenario. */
export const MAX_DEPTH = 32;
/** Longer arrays are not walked (the longest list a scenario may hold is far shorter). */
export const MAX_ARRAY = 100_000;
/** Records with more keys are not walked. */
export const MAX_KEYS = 1_000;

/** Whether `v` is a record of a copy made by `toPlainData`. */
export function isPlainRecord(v: unknown): v is PlainRecord {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && Object.getPrototypeOf(v) === null;
}

/** The plain copy of `raw` and the problems met while copying it. Never throws. */
export function toPlainData(raw: unknown, path: string): { readonly value: unknown; readonly errors: readonly FieldError[] } {
  const errors: FieldError[] = [];
  const ancestors = new Set<object>();
  const value = copy(raw, path, 0, ancestors, errors);
  return { value, errors };
}

function copy(v: unknown, path: string, depth: number, ancestors: Set<object>, errors: FieldError[]): unknown {
  if (typeof v !== 'object' || v === null) return v;
  try {
    if (v instanceof Date) return new Date(v.getTime());
    if (ancestors.has(v)) {
      errors.push(fieldError(path, 'format', 'data without cycles (this value contains itself)', v));
      return undefined;
    }
    if (depth >= MAX_DEPTH) {
      errors.push(fieldError(path, 'too-many', `at most ${MAX_DEPTH} levels of nesting`, v));
      return undefined;
    }
    if (Array.isArray(v)) {
      const length = v.length;
      if (length > MAX_ARRAY) {
        errors.push(fieldError(path, 'too-many', `at most ${MAX_ARRAY} items`, `an array of ${length}`));
        return undefined;
      }
      ancestors.add(v);
      const out: unknown[] = [];
      for (let i = 0; i < length; i++) out.push(read(() => (v as unknown[])[i], itemPath(path, i), depth, ancestors, errors));
      ancestors.delete(v);
      return out;
    }
    const proto: unknown = Object.getPrototypeOf(v);
    if (proto !== Object.prototype && proto !== null) return v;
    const keys = Object.keys(v);
    if (keys.length > MAX_KEYS) {
      errors.push(fieldError(path, 'too-many', `at most ${MAX_KEYS} fields`, `an object of ${keys.length} fields`));
      return undefined;
    }
    ancestors.add(v);
    const out = Object.create(null) as PlainRecord;
    for (const k of keys) {
      const value = read(() => (v as PlainRecord)[k], childPath(path, k), depth, ancestors, errors);
      // defineProperty, not assignment: a key named __proto__ stays an ordinary key.
      Object.defineProperty(out, k, { value, enumerable: true, writable: true, configurable: true });
    }
    ancestors.delete(v);
    return out;
  } catch {
    errors.push(unreadable(path));
    return undefined;
  }
}

// Built by hand: describing the value could throw again (a revoked proxy throws on every operation).
const unreadable = (path: string): FieldError => ({
  path,
  code: 'type',
  expected: 'plain data (reading this value failed)',
  got: 'an unreadable value',
});

function read(get: () => unknown, path: string, depth: number, ancestors: Set<object>, errors: FieldError[]): unknown {
  let v: unknown;
  try {
    v = get();
  } catch {
    errors.push(unreadable(path));
    return undefined;
  }
  return copy(v, path, depth + 1, ancestors, errors);
}
