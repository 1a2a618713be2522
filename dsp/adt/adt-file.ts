import { fieldError, type FieldError } from '../../core/errors.ts';
import { toEui64, type Eui64 } from '../../core/ids.ts';
import { err, ok, type Result } from '../../core/result.ts';
import { DAY_MS } from '../../core/time/duration.ts';
import { ROLES, type Role } from '../access/roles.ts';

/**
 * Anomaly Detection Threshold (ADT) files: the limits a User's Authorised or
 * Senior Responsible Officers set on how many requests per Service Reference
 * Variant its role may send in a rolling period. // DOMAIN §4.7
 *
 * The real ADT file format is not public (OPEN-QUESTIONS E3); this is the
 * emulator's own, UNVERIFIED shape:
 *
 *   { user: EUI-64, role: Role, thresholds: [{ srv: '1.6', limit: 500, periodMs?: 86400000 }] }
 *
 * A file replaces every threshold of its (user, role). Who may upload it (an
 * ARO or SRO of that user) is checked by the caller.
 */

/** One threshold: at most `limit` requests of `srv` in any `periodMs` window. */
export interface AdtThreshold {
  readonly srv: string;
  /** Requests admitted per window; 0 quarantines every request. */
  readonly limit: number;
  /** The rolling window. */
  readonly periodMs: number;
}

/** A validated ADT file. */
export interface AdtFile {
  readonly user: Eui64;
  readonly role: Role;
  readonly thresholds: readonly AdtThreshold[];
}

/** The rolling period when a threshold names none: 24 hours. UNVERIFIED (DOMAIN §4.7, OPEN-QUESTIONS E3). */
export const DEFAULT_ADT_PERIOD_MS = DAY_MS;
/** The longest rolling period a file may set: 31 days, so counting history stays bounded. UNVERIFIED. */
export const MAX_ADT_PERIOD_MS = 31 * DAY_MS;
/** At most this many thresholds per file (129 SRVs exist, DOMAIN §4.9). */
export const MAX_ADT_THRESHOLDS = 256;

const FILE_KEYS = ['user', 'role', 'thresholds'] as const;
const THRESHOLD_KEYS = ['srv', 'limit', 'periodMs'] as const;
/** An SRV: two to four dot-separated numbers of one or two digits, e.g. `1.6`, `4.1.1`. // DOMAIN §4.9 */
const SRV = /^\d{1,2}(?:\.\d{1,2}){1,3}$/;

/**
 * Reads an ADT file. Every mistake found is reported, each as a FieldError
 * with its path (`thresholds[2].limit`): unknown fields, a bad user EUI or
 * role, a malformed or repeated SRV, a limit that is not a non-negative
 * integer, a period that is not a whole number of milliseconds in 1..31 days.
 *
 * @example
 * parseAdtFile({ user: '90-B3-D5-1F-30-05-00-00', role: 'SoLRContingency', thresholds: [{ srv: '1.6', limit: 1000 }] });
 */
export function parseAdtFile(raw: unknown, path = 'adt'): Result<AdtFile, readonly FieldError[]> {
  if (!isRecord(raw)) return err([fieldError(path, 'type', 'an object { user, role, thresholds }', raw)]);
  const errors: FieldError[] = [];
  unknownKeys(raw, path, FILE_KEYS, errors);

  const user =
    raw['user'] === undefined
      ? err(fieldError(`${path}.user`, 'required', 'the User EUI-64', undefined))
      : toEui64(raw['user'], `${path}.user`);
  if (!user.ok) errors.push(user.error);

  const rawRole = raw['role'];
  const role = ROLES.find((r) => r === rawRole);
  if (role === undefined) {
    errors.push(fieldError(`${path}.role`, rawRole === undefined ? 'required' : 'unknown-kind', `one of ${ROLES.join(', ')}`, rawRole));
  }

  const thresholds: AdtThreshold[] = [];
  const rawThresholds = raw['thresholds'];
  if (!Array.isArray(rawThresholds)) {
    errors.push(
      fieldError(`${path}.thresholds`, rawThresholds === undefined ? 'required' : 'type', 'an array of thresholds', rawThresholds),
    );
  } else if (rawThresholds.length > MAX_ADT_THRESHOLDS) {
    errors.push(fieldError(`${path}.thresholds`, 'too-many', `at most ${MAX_ADT_THRESHOLDS} thresholds`, rawThresholds));
  } else {
    const srvs = new Set<string>();
    for (const [i, t] of (rawThresholds as unknown[]).entries()) {
      const threshold = readThreshold(t, `${path}.thresholds[${i}]`, errors);
      if (threshold === undefined) continue;
      if (srvs.has(threshold.srv)) {
        errors.push(fieldError(`${path}.thresholds[${i}].srv`, 'format', 'each SRV once per file', threshold.srv));
        continue;
      }
      srvs.add(threshold.srv);
      thresholds.push(threshold);
    }
  }

  if (errors.length > 0 || !user.ok || role === undefined) return err(errors);
  return ok({ user: user.value, role, thresholds });
}

function readThreshold(raw: unknown, path: string, errors: FieldError[]): AdtThreshold | undefined {
  if (!isRecord(raw)) {
    errors.push(fieldError(path, 'type', 'an object { srv, limit, periodMs? }', raw));
    return undefined;
  }
  const before = errors.length;
  unknownKeys(raw, path, THRESHOLD_KEYS, errors);

  const srv = raw['srv'];
  if (typeof srv !== 'string') errors.push(fieldError(`${path}.srv`, srv === undefined ? 'required' : 'type', 'an SRV such as "1.6"', srv));
  else if (!SRV.test(srv)) errors.push(fieldError(`${path}.srv`, 'format', 'an SRV such as "1.6" or "4.1.1"', srv));

  const limit = raw['limit'];
  if (limit === undefined) errors.push(fieldError(`${path}.limit`, 'required', 'a non-negative integer', limit));
  else if (typeof limit !== 'number' || !Number.isInteger(limit))
    errors.push(fieldError(`${path}.limit`, 'type', 'a non-negative integer', limit));
  else if (limit < 0 || !Number.isSafeInteger(limit))
    errors.push(fieldError(`${path}.limit`, 'range', `an integer 0..${Number.MAX_SAFE_INTEGER}`, limit));

  const periodMs = raw['periodMs'] === undefined ? DEFAULT_ADT_PERIOD_MS : raw['periodMs'];
  if (typeof periodMs !== 'number' || !Number.isInteger(periodMs)) {
    errors.push(fieldError(`${path}.periodMs`, 'type', 'a whole number of milliseconds', periodMs));
  } else if (periodMs < 1 || periodMs > MAX_ADT_PERIOD_MS) {
    errors.push(fieldError(`${path}.periodMs`, 'range', `1..${MAX_ADT_PERIOD_MS} ms`, periodMs));
  }

  if (errors.length > before) return undefined;
  return { srv: srv as string, limit: limit as number, periodMs: periodMs as number };
}

function unknownKeys(raw: Record<string, unknown>, path: string, allowed: readonly string[], errors: FieldError[]): void {
  for (const k of Object.keys(raw)) {
    if (!allowed.includes(k)) errors.push(fieldError(`${path}.${k}`, 'unknown-kind', `one of the fields ${allowed.join(', ')}`, k));
  }
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
