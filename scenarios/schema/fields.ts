import { fieldError } from '../../core/errors.ts';
import { UNITS_PER_PENNY, type Money } from '../../core/money.ts';
import { UTRN_MAX_VALUE } from '../../emulator/devices/common/utrn/utrn.ts';
import type { Instant } from '../../core/time/duration.ts';
import { formatInstant } from '../../core/time/uk-time.ts';
import type { Fuel } from '../../emulator/devices/common/meter-config.ts';
import type { Checker } from './checker.ts';
import {
  choiceExpected,
  get,
  readBoolean,
  readChoice,
  readList,
  readNumber,
  readShare,
  readString,
  required,
  type NumberRule,
  type StringRule,
} from './checker.ts';
import type { ScenarioContext } from './context.ts';
import { parsePounds } from './money-notation.ts';
import { childPath, itemPath } from './paths.ts';
import type { PlainRecord } from './plain-data.ts';
import type { PartyId } from './scenario.ts';
import { TIME_EXPECTED, parseDuration, parseTime } from './time-notation.ts';

/** Where a time must fall: before the end of the run (events), or up to it (assertions about its state). */
export type Within = 'run' | 'run-or-end';

/** Which parties a reference may name. */
export type PartyKind = 'supplier' | 'srp' | 'any';

const FUELS: readonly Fuel[] = ['electricity', 'gas'];

/**
 * The fields of one timeline event or assertion, read against the scenario.
 * A reader given no fallback treats its field as required. Each returns a
 * value even when it reported an error (see checker.ts).
 */
export class Fields {
  readonly c: Checker;
  readonly rec: PlainRecord;
  readonly path: string;
  readonly ctx: ScenarioContext;

  constructor(c: Checker, rec: PlainRecord, path: string, ctx: ScenarioContext) {
    this.c = c;
    this.rec = rec;
    this.path = path;
    this.ctx = ctx;
  }

  at(key: string): string {
    return childPath(this.path, key);
  }

  raw(key: string): unknown {
    return get(this.rec, key);
  }

  has(key: string): boolean {
    return get(this.rec, key) !== undefined;
  }

  /** Whether a required field is there; reports it missing. */
  need(key: string, expected: string): boolean {
    return required(this.c, this.raw(key), this.at(key), expected);
  }

  /** Whether a field is there or has a fallback; reports it missing when it has neither. */
  private present(key: string, expected: string, fallback: unknown): boolean {
    return fallback !== undefined || required(this.c, this.raw(key), this.at(key), expected);
  }

  time(key: string, within: Within, fallback?: Instant): Instant {
    if (!this.present(key, TIME_EXPECTED, fallback) || !this.has(key)) return fallback ?? this.ctx.start;
    const before = this.c.count;
    const t = this.c.take(parseTime(this.raw(key), this.at(key), this.ctx.start), this.ctx.start);
    if (this.c.count > before || !this.ctx.runKnown) return t;
    const { start, end } = this.ctx;
    if (t < start || t > end || (within === 'run' && t === end)) {
      const upTo = within === 'run' ? `up to (not including) ${formatInstant(end)}` : `to ${formatInstant(end)}`;
      this.c.add(fieldError(this.at(key), 'range', `a time within the run, ${formatInstant(start)} ${upTo}`, this.raw(key)));
    }
    return t;
  }

  /** A time that is not checked against the run (it may follow it: a delayed revocation, a future-dated execution). */
  laterTime(key: string, notBefore: Instant, notBeforeWhat: string): Instant | undefined {
    if (!this.has(key)) return undefined;
    const before = this.c.count;
    const t = this.c.take(parseTime(this.raw(key), this.at(key), this.ctx.start), notBefore);
    if (this.c.count === before && t < notBefore)
      this.c.add(fieldError(this.at(key), 'order', `a time at or after ${notBeforeWhat}`, this.raw(key)));
    return t;
  }

  duration(key: string, bounds: { min: number; max: number }, fallback?: number): number {
    if (!this.present(key, 'a duration such as 6h or 2d', fallback) || !this.has(key)) return fallback ?? bounds.min;
    return this.c.take(parseDuration(this.raw(key), this.at(key), bounds), fallback ?? bounds.min);
  }

  number(key: string, rule: NumberRule, fallback?: number): number {
    if (!this.present(key, `${rule.what ?? 'a number'} ${rule.min}..${rule.max}`, fallback)) return rule.min;
    return readNumber(this.c, this.raw(key), this.at(key), rule, fallback ?? rule.min);
  }

  share(key: string, fallback: number): number {
    return readShare(this.c, this.raw(key), this.at(key), fallback);
  }

  bool(key: string, fallback: boolean): boolean {
    return readBoolean(this.c, this.raw(key), this.at(key), fallback);
  }

  string(key: string, rule: StringRule, fallback?: string): string {
    if (!this.present(key, rule.expected, fallback)) return '';
    return readString(this.c, this.raw(key), this.at(key), rule, fallback ?? '');
  }

  choice<T extends string>(key: string, choices: readonly T[], fallback?: T): T {
    if (!this.present(key, `one of ${choices.join(', ')}`, fallback)) return choices[0]!;
    return readChoice(this.c, this.raw(key), this.at(key), choices, fallback ?? choices[0]!);
  }

  /** A choice that may be absent or null: null. */
  optionalChoice<T extends string>(key: string, choices: readonly T[]): T | null {
    const v = this.raw(key);
    if (v === undefined || v === null) return null;
    const before = this.c.count;
    const out = readChoice(this.c, v, this.at(key), choices, choices[0]!);
    return this.c.count > before ? null : out;
  }

  pounds(key: string, bounds: { min: number; max: number; whole?: boolean }, fallback?: Money): Money {
    if (!this.present(key, 'an amount in pounds, e.g. 12.50', fallback) || !this.has(key)) return fallback ?? 0;
    return this.c.take(parsePounds(this.raw(key), this.at(key), bounds), fallback ?? 0);
  }

  /**
   * An amount a UTRN can carry: whole pence up to £81.91, or whole pounds,
   * and never more than the maximum meter balance. // DOMAIN §2.2, §9
   */
  topUpAmount(key: string): Money {
    const amount = this.pounds(key, { min: 0.01, max: 250 });
    const pence = amount / UNITS_PER_PENNY;
    if (this.has(key) && (!Number.isInteger(pence) || (pence > UTRN_MAX_VALUE && pence % 100 !== 0))) {
      this.c.add(
        fieldError(this.at(key), 'format', 'an amount a UTRN can carry: whole pence up to £81.91, or whole pounds', this.raw(key)),
      );
    }
    return amount;
  }

  /** A party's id; it must exist and be of the kind asked for. */
  party(key: string, kind: PartyKind, fallback?: PartyId): PartyId {
    const what = kind === 'supplier' ? "a supplier's id" : kind === 'srp' ? "a Shared Resource Provider's id" : "a party's id";
    if (!this.present(key, what, fallback) || !this.has(key)) return fallback ?? '';
    const v = this.raw(key);
    if (typeof v !== 'string') {
      this.c.add(fieldError(this.at(key), 'type', what, v));
      return fallback ?? '';
    }
    if (!this.ctx.partiesKnown) return v;
    const fits = [...this.ctx.parties.byId.values()].filter(
      (p) => kind === 'any' || (kind === 'supplier' ? p.type === 'Supplier' : p.type === 'SharedResourceProvider'),
    );
    if (!fits.some((p) => p.id === v))
      this.c.add(
        fieldError(
          this.at(key),
          'unknown-kind',
          `${what}: ${choiceExpected(
            v,
            fits.map((p) => p.id),
          )}`,
          v,
        ),
      );
    return v;
  }

  /** A premises index of the estate. Required. */
  premises(key: string): number {
    const max = this.ctx.premises === null ? Number.MAX_SAFE_INTEGER : this.ctx.premises - 1;
    return this.number(key, { min: 0, max, integer: true, what: 'a premises index' });
  }

  fuel(key: string): Fuel {
    return this.choice(key, FUELS, 'electricity');
  }

  /** A non-empty list of fuels, each once; both when absent. */
  fuels(key: string): readonly Fuel[] {
    return this.names(key, FUELS);
  }

  /** A non-empty list of names, each once; all of them when absent. */
  names<T extends string>(key: string, choices: readonly T[]): readonly T[] {
    if (!this.has(key)) return choices;
    const list = readList(this.c, this.raw(key), this.at(key), choices.length, `a list of ${choices.join(', ')}`);
    if (Array.isArray(this.raw(key)) && list.length === 0)
      this.c.add(fieldError(this.at(key), 'required', `at least one of ${choices.join(', ')}`, this.raw(key)));
    const out: T[] = [];
    for (const [i, v] of list.entries()) {
      const before = this.c.count;
      const name = readChoice(this.c, v, itemPath(this.at(key), i), choices, choices[0]!);
      if (this.c.count > before) continue;
      if (out.includes(name)) this.c.add(fieldError(itemPath(this.at(key), i), 'format', 'each once', name));
      else out.push(name);
    }
    return out;
  }
}
