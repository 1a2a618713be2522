import type { FieldError } from '../../core/errors.ts';
import type { Eui64 } from '../../core/ids.ts';
import { err, ok, type Result } from '../../core/result.ts';
import { DAY_MS, type Instant } from '../../core/time/duration.ts';
import type { Role } from '../access/roles.ts';
import { DEFAULT_ADT_PERIOD_MS, MAX_ADT_PERIOD_MS, parseAdtFile, type AdtFile } from './adt-file.ts';

/**
 * Threshold anomaly detection: the DSP counts the requests each User sends
 * in each role per SRV over a rolling period, and quarantines those over the
 * User's Anomaly Detection Threshold. // DOMAIN §4.7
 *
 * Defaults when no ADT file sets a threshold for an SRV:
 * - role `SoLRContingency`: zero — every request is quarantined until an ADT
 *   file permits it. // MP134B req 4
 * - every other role: `defaultLimit`, which is `'unlimited'` unless configured.
 *   UNVERIFIED: the SEC leaves the thresholds to each User (DOMAIN §4.7).
 * The rolling period (24 h by default), per-SRV counting and the hold of a
 * quarantined request (24 h, then deleted unless released) are UNVERIFIED
 * (DOMAIN §4.7, OPEN-QUESTIONS E3).
 *
 * A window is the half-open interval (at − periodMs, at]: at most `limit`
 * requests are admitted in any such window. Only admitted requests count.
 */

/** Configuration. */
export interface AnomalyDetectionConfig {
  /** Threshold for roles other than SoLR Contingency when no file sets one. Default `'unlimited'`. UNVERIFIED. */
  readonly defaultLimit?: number | 'unlimited';
  /** Rolling period of the default threshold. Default 24 h. UNVERIFIED. */
  readonly defaultPeriodMs?: number;
  /** How long a quarantined request is held for the User to release. Default 24 h. UNVERIFIED (OPEN-QUESTIONS E3). */
  readonly holdMs?: number;
}

/** The threshold that applies to a (user, role, SRV), or `'unlimited'`. */
export type EffectiveThreshold =
  | { readonly limit: number; readonly periodMs: number; readonly source: 'file' | 'default' }
  | { readonly limit: 'unlimited'; readonly source: 'default' };

/** The verdict on one request. The breach name is the DUIS `QuarantinedRequest` body element. // DOMAIN §4.5 */
export type Admission =
  | { readonly kind: 'admit' }
  | { readonly kind: 'quarantine'; readonly reference: string; readonly breach: 'ADUserThresholdBreach' };

/** A request held in quarantine, with what the caller gave to hold. */
export interface QuarantinedRequest<R> {
  /** The 20-digit quarantine event reference. // DOMAIN §4.7 */
  readonly reference: string;
  readonly user: Eui64;
  readonly role: Role;
  readonly srv: string;
  readonly breach: 'ADUserThresholdBreach';
  readonly quarantinedAt: Instant;
  /** After this instant the request can no longer be released. */
  readonly expiresAt: Instant;
  readonly request: R;
}

/** Why a release or removal was refused. One answer for unknown and not-yours, so references cannot be probed. */
export type QuarantineRefusal =
  | { readonly kind: 'unknown-reference'; readonly reference: string }
  | { readonly kind: 'expired'; readonly reference: string };

const REFERENCE_DIGITS = 20;

/** The key of a (user, role) or (user, role, SRV): EUIs and roles never contain `|`. */
const userRoleKey = (user: Eui64, role: Role): string => `${user}|${role}`;
const counterKey = (user: Eui64, role: Role, srv: string): string => `${user}|${role}|${srv}`;

/**
 * Anomaly detection thresholds, rolling-window counts and the quarantine
 * hold, in virtual time. Instants passed in must not go back: a bug, RangeError.
 * `R` is whatever the caller holds for a quarantined request (the parsed
 * request), returned on release for re-submission.
 *
 * @example
 * const adt = new AnomalyDetection<ParsedRequest>();
 * adt.upload({ user: srp, role: 'SoLRContingency', thresholds: [{ srv: '1.6', limit: 1000 }] }, now);
 * adt.admit(srp, 'SoLRContingency', '1.6', now, request); // { kind: 'admit' }
 */
export class AnomalyDetection<R = unknown> {
  readonly #defaultLimit: number | 'unlimited';
  readonly #defaultPeriodMs: number;
  readonly #holdMs: number;
  /** Thresholds from ADT files, per (user, role), per SRV. */
  readonly #files = new Map<string, ReadonlyMap<string, { readonly limit: number; readonly periodMs: number }>>();
  /** Admitted instants per (user, role, SRV), oldest first, pruned to the window. */
  readonly #admitted = new Map<string, Instant[]>();
  readonly #held = new Map<string, QuarantinedRequest<R>>();
  #nextReference = 1;
  #lastAt = -Infinity;

  constructor(config: AnomalyDetectionConfig = {}) {
    const limit = config.defaultLimit ?? 'unlimited';
    if (limit !== 'unlimited' && !(Number.isSafeInteger(limit) && limit >= 0)) {
      throw new RangeError(`AnomalyDetection: defaultLimit must be a non-negative integer or 'unlimited', got ${limit}`);
    }
    this.#defaultLimit = limit;
    this.#defaultPeriodMs = period(config.defaultPeriodMs ?? DEFAULT_ADT_PERIOD_MS, 'defaultPeriodMs');
    this.#holdMs = period(config.holdMs ?? DAY_MS, 'holdMs');
  }

  /**
   * Applies an ADT file: on success it replaces every threshold of the file's
   * (user, role); SRVs it does not list fall back to the role's default (zero
   * for SoLR Contingency). Counts so far are kept. A bad file changes nothing.
   */
  upload(file: unknown, at: Instant): Result<AdtFile, readonly FieldError[]> {
    this.#advance(at, 'upload');
    const parsed = parseAdtFile(file);
    if (!parsed.ok) return parsed;
    const { user, role, thresholds } = parsed.value;
    this.#files.set(userRoleKey(user, role), new Map(thresholds.map((t) => [t.srv, { limit: t.limit, periodMs: t.periodMs }])));
    return parsed;
  }

  /** The threshold that applies now to a request of `srv` from `user` in `role`. */
  thresholdFor(user: Eui64, role: Role, srv: string): EffectiveThreshold {
    const t = this.#files.get(userRoleKey(user, role))?.get(srv);
    if (t !== undefined) return { limit: t.limit, periodMs: t.periodMs, source: 'file' };
    if (role === 'SoLRContingency') return { limit: 0, periodMs: this.#defaultPeriodMs, source: 'default' }; // MP134B req 4: default ADT is zero
    if (this.#defaultLimit === 'unlimited') return { limit: 'unlimited', source: 'default' };
    return { limit: this.#defaultLimit, periodMs: this.#defaultPeriodMs, source: 'default' };
  }

  /**
   * Admits the request or quarantines it. An admitted request counts in its
   * (user, role, SRV) window; a quarantined one does not, and is held with
   * `request` under a new 20-digit reference.
   */
  admit(user: Eui64, role: Role, srv: string, at: Instant, request: R): Admission {
    this.#advance(at, 'admit');
    const t = this.thresholdFor(user, role, srv);
    const key = counterKey(user, role, srv);
    // Unlimited requests are not counted: nothing would prune the history. A threshold uploaded later counts from then on.
    if (t.limit === 'unlimited') return { kind: 'admit' };
    // Pruned with the threshold's own period, so at most `limit` instants are kept; a longer period uploaded later sees only what remained.
    let times = this.#admitted.get(key);
    if (times !== undefined) {
      times = pruneBefore(times, at - t.periodMs);
      this.#admitted.set(key, times);
    }
    if ((times?.length ?? 0) < t.limit) {
      if (times === undefined) this.#admitted.set(key, [at]);
      else times.push(at);
      return { kind: 'admit' };
    }
    const reference = this.#mintReference();
    this.#held.set(
      reference,
      Object.freeze({
        reference,
        user,
        role,
        srv,
        breach: 'ADUserThresholdBreach',
        quarantinedAt: at,
        expiresAt: at + this.#holdMs,
        request,
      }),
    );
    return { kind: 'quarantine', reference, breach: 'ADUserThresholdBreach' };
  }

  /** Requests held in quarantine, oldest first; only `user`'s when given. */
  quarantined(user?: Eui64): readonly QuarantinedRequest<R>[] {
    const all = [...this.#held.values()];
    return user === undefined ? all : all.filter((q) => q.user === user);
  }

  /**
   * The User releases its quarantined request: it leaves the hold and is
   * returned for the caller to re-submit as a new record linked to the
   * quarantined one. It does not pass anomaly detection again, and does not
   * count in the window: the User has vouched for it. UNVERIFIED (OPEN-QUESTIONS E3).
   */
  release(user: Eui64, reference: string, at: Instant): Result<QuarantinedRequest<R>, QuarantineRefusal> {
    return this.#take(user, reference, at, 'release');
  }

  /** The User deletes its quarantined request; returned so the caller can audit it. */
  remove(user: Eui64, reference: string, at: Instant): Result<QuarantinedRequest<R>, QuarantineRefusal> {
    return this.#take(user, reference, at, 'remove');
  }

  /** Deletes and returns every held request whose hold has ended by `at`, oldest first. */
  expire(at: Instant): readonly QuarantinedRequest<R>[] {
    this.#advance(at, 'expire');
    const gone: QuarantinedRequest<R>[] = [];
    for (const q of this.#held.values()) {
      if (q.expiresAt <= at) gone.push(q);
    }
    for (const q of gone) this.#held.delete(q.reference);
    return gone;
  }

  #take(user: Eui64, reference: string, at: Instant, op: string): Result<QuarantinedRequest<R>, QuarantineRefusal> {
    this.#advance(at, op);
    const q = this.#held.get(reference);
    if (q?.user !== user) return err({ kind: 'unknown-reference', reference });
    if (q.expiresAt <= at) return err({ kind: 'expired', reference });
    this.#held.delete(reference);
    return ok(q);
  }

  /** A 20-digit reference from a counter: deterministic, unique per instance. */
  #mintReference(): string {
    const n = this.#nextReference++;
    return String(n).padStart(REFERENCE_DIGITS, '0');
  }

  #advance(at: Instant, op: string): void {
    if (!Number.isSafeInteger(at)) throw new RangeError(`AnomalyDetection.${op}: instant must be an integer of milliseconds, got ${at}`);
    if (at < this.#lastAt)
      throw new RangeError(`AnomalyDetection.${op}: instant ${at} is before ${this.#lastAt}; virtual time does not go back`);
    this.#lastAt = at;
  }
}

/** The instants after `cutoff` (the window is (cutoff, at]). `times` is sorted. */
function pruneBefore(times: Instant[], cutoff: Instant): Instant[] {
  let i = 0;
  while (i < times.length && times[i]! <= cutoff) i++;
  return i === 0 ? times : times.slice(i);
}

function period(ms: number, name: string): number {
  if (!Number.isSafeInteger(ms) || ms < 1 || ms > MAX_ADT_PERIOD_MS)
    throw new RangeError(`AnomalyDetection: ${name} must be 1..${MAX_ADT_PERIOD_MS} ms, got ${ms}`);
  return ms;
}
