import { fieldError, type FieldError } from '../../core/errors.ts';
import type { Result } from '../../core/result.ts';
import { didYouMean } from './did-you-mean.ts';
import { ROOT_PATH, childPath } from './paths.ts';
import { isPlainRecord, type PlainRecord } from './plain-data.ts';

/**
 * Collects every mistake found in a scenario, and reads its fields. Each
 * reader reports what is wrong at its path and still returns a value — the
 * fallback — so one mistake never hides the next; the caller discards the
 * result when anything was reported. Inputs are plain copies
 * (plain-data.ts), so reading a key never reaches a prototype.
 */

/** At most this many errors are listed; one more says how many were left out. */
export const MAX_ERRORS = 200;

export class Checker {
  private readonly found: FieldError[] = [];
  private dropped = 0;

  /** Errors found so far, counting those left out. */
  get count(): number {
    return this.found.length + this.dropped;
  }

  /** Whether any error was found since the count was `mark` at `path`, below it, or at a value that holds it. */
  foundUnder(mark: number, path: string): boolean {
    const related = (p: string): boolean => within(p, path) || within(path, p);
    return this.count > mark && (this.dropped > 0 || this.found.slice(mark).some((e) => related(e.path)));
  }

  add(e: FieldError): void {
    if (this.found.length < MAX_ERRORS) this.found.push(e);
    else this.dropped++;
  }

  addAll(es: readonly FieldError[]): void {
    for (const e of es) this.add(e);
  }

  /** The value of `r`, or `fallback` after recording its error. */
  take<T>(r: Result<T, FieldError>, fallback: T): T {
    if (r.ok) return r.value;
    this.add(r.error);
    return fallback;
  }

  /** The errors, with a last one saying how many were left out. */
  errors(): readonly FieldError[] {
    if (this.dropped === 0) return [...this.found];
    return [
      ...this.found,
      fieldError(ROOT_PATH, 'too-many', `at most ${MAX_ERRORS} errors listed; fix these and validate again`, this.count),
    ];
  }
}

/** Whether `path` is `outer` or a field or item of it, at any depth. */
const within = (path: string, outer: string): boolean => path === outer || path.startsWith(`${outer}.`) || path.startsWith(`${outer}[`);

/** A record field's value (undefined when absent). */
export const get = (rec: PlainRecord, key: string): unknown => rec[key];

/**
 * The record at `path`, reporting every key not in `allowed` (with the
 * nearest allowed key as a hint). Anything else but undefined is a type
 * error; undefined gives an empty record, so every field takes its default.
 */
export function readRecord(c: Checker, raw: unknown, path: string, allowed: readonly string[], expected: string): PlainRecord {
  const empty = Object.create(null) as PlainRecord;
  if (raw === undefined) return empty;
  if (!isPlainRecord(raw)) {
    c.add(fieldError(path, 'type', expected, raw));
    return empty;
  }
  checkKeys(c, raw, path, allowed);
  return raw;
}

/** Reports every key of `rec` that is not in `allowed`. */
export function checkKeys(c: Checker, rec: PlainRecord, path: string, allowed: readonly string[]): void {
  for (const k of Object.keys(rec)) {
    if (allowed.includes(k)) continue;
    const near = didYouMean(k, allowed);
    const expected = near === undefined ? `one of the fields ${allowed.join(', ')}` : `a known field (did you mean "${near}"?)`;
    c.add(fieldError(childPath(path, k), 'unknown-kind', expected, k));
  }
}

/** Bounds of a number; `integer` asks for a whole number. */
export interface NumberRule {
  readonly min: number;
  readonly max: number;
  readonly integer?: boolean;
  /** What the number is, for messages: "a share", "a whole number of premises". */
  readonly what?: string;
}

export function readNumber(c: Checker, raw: unknown, path: string, rule: NumberRule, fallback: number): number {
  const what = rule.what ?? (rule.integer === true ? 'a whole number' : 'a number');
  if (raw === undefined) return fallback;
  if (typeof raw !== 'number' || !Number.isFinite(raw)) {
    c.add(fieldError(path, 'type', `${what} ${rule.min}..${rule.max}`, raw));
    return fallback;
  }
  if (rule.integer === true && !Number.isInteger(raw)) {
    c.add(fieldError(path, 'type', `${what} ${rule.min}..${rule.max}`, raw));
    return fallback;
  }
  if (raw < rule.min || raw > rule.max) {
    c.add(fieldError(path, 'range', `${what} ${rule.min}..${rule.max}`, raw));
    return fallback;
  }
  return raw;
}

/** A share or probability, 0..1. */
export const readShare = (c: Checker, raw: unknown, path: string, fallback: number): number =>
  readNumber(c, raw, path, { min: 0, max: 1, what: 'a share' }, fallback);

/** A required value: reports `required` when absent and returns false. */
export function required(c: Checker, raw: unknown, path: string, expected: string): boolean {
  if (raw !== undefined) return true;
  c.add(fieldError(path, 'required', expected, raw));
  return false;
}

export interface StringRule {
  readonly expected: string;
  readonly maxLength: number;
  readonly pattern?: RegExp;
}

export function readString(c: Checker, raw: unknown, path: string, rule: StringRule, fallback: string): string {
  if (raw === undefined) return fallback;
  if (typeof raw !== 'string') {
    c.add(fieldError(path, 'type', rule.expected, raw));
    return fallback;
  }
  if (raw.length > rule.maxLength) {
    c.add(fieldError(path, 'range', `${rule.expected}, at most ${rule.maxLength} characters`, raw));
    return fallback;
  }
  if (rule.pattern !== undefined && !rule.pattern.test(raw)) {
    c.add(fieldError(path, 'format', rule.expected, raw));
    return fallback;
  }
  return raw;
}

export function readBoolean(c: Checker, raw: unknown, path: string, fallback: boolean): boolean {
  if (raw === undefined) return fallback;
  if (typeof raw === 'boolean') return raw;
  c.add(fieldError(path, 'type', 'true or false', raw));
  return fallback;
}

/** One of a list of names, with the nearest as a hint when it is none of them. */
export function readChoice<T extends string>(c: Checker, raw: unknown, path: string, choices: readonly T[], fallback: T): T {
  if (raw === undefined) return fallback;
  const found = choices.find((x) => x === raw);
  if (found !== undefined) return found;
  if (typeof raw !== 'string') {
    c.add(fieldError(path, 'type', `one of ${choices.join(', ')}`, raw));
    return fallback;
  }
  c.add(fieldError(path, 'unknown-kind', choiceExpected(raw, choices), raw));
  return fallback;
}

/** "one of a, b, c", with a hint when `got` is near one of them. */
export function choiceExpected(got: string, choices: Iterable<string>): string {
  const list = [...choices];
  const near = didYouMean(got, list);
  return `one of ${list.join(', ')}${near === undefined ? '' : ` (did you mean "${near}"?)`}`;
}

/** The list at `path` (empty when absent), or empty after reporting a type or length error. */
export function readList(c: Checker, raw: unknown, path: string, max: number, expected: string): readonly unknown[] {
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) {
    c.add(fieldError(path, 'type', expected, raw));
    return [];
  }
  if (raw.length > max) {
    c.add(fieldError(path, 'too-many', `at most ${max} items`, raw));
    return [];
  }
  return raw as readonly unknown[];
}
