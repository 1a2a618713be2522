import { isMoney, type Money } from '../../../core/money.ts';
import { ok, err, type Result } from '../../../core/result.ts';
import { fieldError, type FieldError } from '../../../core/errors.ts';

/** Small readers shared by every configuration parser, so errors read the same everywhere. */

export const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The first key of `raw` that is not in `allowed`, as a FieldError; undefined if none. */
export function checkKeys(raw: Record<string, unknown>, path: string, allowed: readonly string[]): FieldError | undefined {
  for (const k of Object.keys(raw)) {
    if (!allowed.includes(k)) return fieldError(`${path}.${k}`, 'unknown-kind', `one of the fields ${allowed.join(', ')}`, k);
  }
  return undefined;
}

interface Bounds {
  readonly min?: number;
  readonly max?: number;
}

/** An integer amount of money (units of £0.00001) within bounds. */
export function readMoney(raw: Record<string, unknown>, key: string, path: string, b: Bounds = {}): Result<Money, FieldError> {
  const v = raw[key];
  const p = `${path}.${key}`;
  if (v === undefined) return err(fieldError(p, 'required', 'an integer amount in units of £0.00001', v));
  if (!isMoney(v)) return err(fieldError(p, 'type', 'an integer amount in units of £0.00001', v));
  return inBounds(v, p, b);
}

/** A finite number within bounds. */
export function readNumber(raw: Record<string, unknown>, key: string, path: string, b: Bounds = {}): Result<number, FieldError> {
  const v = raw[key];
  const p = `${path}.${key}`;
  if (v === undefined) return err(fieldError(p, 'required', 'a number', v));
  if (typeof v !== 'number' || !Number.isFinite(v)) return err(fieldError(p, 'type', 'a finite number', v));
  return inBounds(v, p, b);
}

export function readBoolean(raw: Record<string, unknown>, key: string, path: string): Result<boolean, FieldError> {
  const v = raw[key];
  if (typeof v !== 'boolean') return err(fieldError(`${path}.${key}`, v === undefined ? 'required' : 'type', 'true or false', v));
  return ok(v);
}

function inBounds(v: number, p: string, b: Bounds): Result<number, FieldError> {
  if (b.min !== undefined && v < b.min) return err(fieldError(p, 'range', `at least ${b.min}`, v));
  if (b.max !== undefined && v > b.max) return err(fieldError(p, 'range', `at most ${b.max}`, v));
  return ok(v);
}
