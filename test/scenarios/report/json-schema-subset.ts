/**
 * A checker for the part of JSON Schema (draft 2020-12) that
 * `scenarios/report/report.schema.json` uses, so the schema is tested without
 * a validator library in the project for one test. It throws on any keyword
 * outside that part: a schema that starts using more cannot pass unchecked.
 *
 * Supported: `type` (one or a list; `integer` included), `properties`,
 * `required`, `additionalProperties` (false or a schema), `propertyNames`,
 * `items`, `minItems`, `maxItems`, `enum`, `const`, `minimum`,
 * `exclusiveMinimum`, `pattern`, `anyOf`, and `$ref` to `#/$defs/<name>`;
 * `$schema`, `$id`, `$defs`, `title`, `description` are read as annotations.
 */

type Schema = Readonly<Record<string, unknown>>;

const KEYWORDS = new Set([
  '$schema',
  '$id',
  '$defs',
  '$ref',
  'title',
  'description',
  'type',
  'properties',
  'required',
  'additionalProperties',
  'propertyNames',
  'items',
  'minItems',
  'maxItems',
  'enum',
  'const',
  'minimum',
  'exclusiveMinimum',
  'pattern',
  'anyOf',
]);

/** The places `value` breaks `schema`, as `path: what`; empty when it conforms. */
export function validate(schema: Schema, value: unknown): string[] {
  const errors: string[] = [];
  check(schema, schema, value, '$', errors);
  return errors;
}

function check(root: Schema, s: Schema, v: unknown, path: string, errors: string[]): void {
  for (const k of Object.keys(s)) if (!KEYWORDS.has(k)) throw new Error(`json-schema-subset: unsupported keyword "${k}" at ${path}`);
  if (typeof s['$ref'] === 'string') check(root, resolve(root, s['$ref']), v, path, errors);
  if (s['type'] !== undefined) {
    const types = Array.isArray(s['type']) ? (s['type'] as string[]) : [s['type'] as string];
    if (!types.some((t) => hasType(v, t))) {
      errors.push(`${path}: expected ${types.join(' or ')}, found ${typeOf(v)}`);
      return;
    }
  }
  if ('const' in s && !deepEqual(s['const'], v)) errors.push(`${path}: expected ${JSON.stringify(s['const'])}`);
  if (Array.isArray(s['enum']) && !s['enum'].some((e) => deepEqual(e, v)))
    errors.push(`${path}: expected one of ${JSON.stringify(s['enum'])}`);
  if (Array.isArray(s['anyOf'])) {
    const ok = (s['anyOf'] as Schema[]).some((alt) => {
      const sub: string[] = [];
      check(root, alt, v, path, sub);
      return sub.length === 0;
    });
    if (!ok) errors.push(`${path}: matches none of anyOf`);
  }
  if (typeof v === 'number') {
    if (typeof s['minimum'] === 'number' && v < s['minimum']) errors.push(`${path}: ${v} is below ${s['minimum']}`);
    if (typeof s['exclusiveMinimum'] === 'number' && v <= s['exclusiveMinimum'])
      errors.push(`${path}: ${v} is not above ${s['exclusiveMinimum']}`);
  }
  if (typeof v === 'string' && typeof s['pattern'] === 'string' && !new RegExp(s['pattern'], 'u').test(v))
    errors.push(`${path}: "${v}" does not match ${s['pattern']}`);
  if (Array.isArray(v)) {
    if (typeof s['minItems'] === 'number' && v.length < s['minItems']) errors.push(`${path}: fewer than ${s['minItems']} items`);
    if (typeof s['maxItems'] === 'number' && v.length > s['maxItems']) errors.push(`${path}: more than ${s['maxItems']} items`);
    if (isSchema(s['items'])) for (const [i, item] of v.entries()) check(root, s['items'], item, `${path}[${i}]`, errors);
  }
  if (isObject(v)) {
    const properties = isSchema(s['properties']) ? (s['properties'] as Readonly<Record<string, Schema>>) : {};
    if (Array.isArray(s['required'])) for (const r of s['required'] as string[]) if (!(r in v)) errors.push(`${path}: missing "${r}"`);
    for (const [k, item] of Object.entries(v)) {
      const p = `${path}.${k}`;
      if (isSchema(s['propertyNames'])) check(root, s['propertyNames'], k, `${p} (name)`, errors);
      const known = Object.hasOwn(properties, k) ? properties[k] : undefined;
      if (known !== undefined) check(root, known, item, p, errors);
      else if (s['additionalProperties'] === false) errors.push(`${p}: not allowed`);
      else if (isSchema(s['additionalProperties'])) check(root, s['additionalProperties'], item, p, errors);
    }
  }
}

function resolve(root: Schema, ref: string): Schema {
  const m = /^#\/\$defs\/([^/]+)$/.exec(ref);
  const defs = root['$defs'];
  const target = m !== null && isSchema(defs) ? defs[m[1] ?? ''] : undefined;
  if (!isSchema(target)) throw new Error(`json-schema-subset: cannot resolve $ref ${ref}`);
  return target;
}

function hasType(v: unknown, t: string): boolean {
  switch (t) {
    case 'null':
      return v === null;
    case 'boolean':
      return typeof v === 'boolean';
    case 'string':
      return typeof v === 'string';
    case 'number':
      return typeof v === 'number' && Number.isFinite(v);
    case 'integer':
      return Number.isInteger(v);
    case 'array':
      return Array.isArray(v);
    case 'object':
      return isObject(v);
    default:
      throw new Error(`json-schema-subset: unknown type "${t}"`);
  }
}

const isObject = (v: unknown): v is Readonly<Record<string, unknown>> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isSchema = (v: unknown): v is Schema => isObject(v);
const typeOf = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);
const deepEqual = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);
