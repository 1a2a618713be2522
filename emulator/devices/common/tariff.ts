import type { Money } from '../../../core/money.ts';
import { ok, err, type Result } from '../../../core/result.ts';
import { fieldError, type FieldError } from '../../../core/errors.ts';
import { isRecord, readMoney, readNumber, checkKeys } from './read-config.ts';

/**
 * A tariff as the meter applies it: a price per kWh that may depend on the
 * time of day (time-of-use) or on how much has been used in the block period
 * (block), plus a standing charge per day. // DOMAIN §1.3 (TOU/block price and
 * standing charge are the charge links of both payment modes, RTDS ECS02/ECS03)
 */
export type Tariff = FlatTariff | TimeOfUseTariff | BlockTariff;

export interface FlatTariff {
  readonly kind: 'flat';
  /** Money per kWh. */
  readonly unitPrice: Money;
  /** Money per local day. */
  readonly standingCharge: Money;
}

export interface TimeOfUseTariff {
  readonly kind: 'time-of-use';
  /** Bands by local time of day; the first starts at 00:00, each runs until the next. */
  readonly bands: readonly { readonly from: string; readonly unitPrice: Money }[];
  readonly standingCharge: Money;
}

export interface BlockTariff {
  readonly kind: 'block';
  /** Usage resets at the start of each local day or week (Monday). */
  readonly period: 'day' | 'week';
  /** Prices by cumulative usage in the period; the last block has no upper bound. */
  readonly blocks: readonly { readonly upToKwh: number | null; readonly unitPrice: Money }[];
  readonly standingCharge: Money;
}

/**
 * The tariff compiled for the hot loop: a price per local half-hour index, or
 * block limits in Wh. Built once per tariff and shared by every meter on it.
 */
export interface CompiledTariff {
  readonly source: Tariff;
  readonly standingCharge: Money;
  /** Price per kWh for half-hour index 0..47 (flat and time-of-use). */
  readonly priceByHalfHour: Float64Array;
  /** Block limits in Wh (cumulative, ascending) and prices; empty unless kind = block. */
  readonly blockLimitsWh: readonly number[];
  readonly blockPrices: readonly Money[];
  readonly blockPeriod: 'day' | 'week' | null;
}

export const TARIFF_KINDS = ['flat', 'time-of-use', 'block'] as const;

/**
 * Validates a user-supplied tariff. Errors name the field and what was expected.
 *
 * @example parseTariff({ kind: 'flat', unitPrice: 24_670, standingCharge: 57_210 })
 */
export function parseTariff(raw: unknown, path = 'tariff'): Result<Tariff, FieldError> {
  if (!isRecord(raw)) return err(fieldError(path, 'type', 'an object with a kind', raw));
  const kind = raw['kind'];
  if (kind !== 'flat' && kind !== 'time-of-use' && kind !== 'block') {
    return err(fieldError(`${path}.kind`, 'unknown-kind', `one of ${TARIFF_KINDS.join(', ')}`, kind));
  }
  const sc = readMoney(raw, 'standingCharge', path, { min: 0 });
  if (!sc.ok) return sc;
  switch (kind) {
    case 'flat': {
      const bad = checkKeys(raw, path, ['kind', 'unitPrice', 'standingCharge']);
      if (bad) return err(bad);
      const up = readMoney(raw, 'unitPrice', path, { min: 0 });
      if (!up.ok) return up;
      return ok({ kind, unitPrice: up.value, standingCharge: sc.value });
    }
    case 'time-of-use':
      return parseTimeOfUse(raw, path, sc.value);
    case 'block':
      return parseBlock(raw, path, sc.value);
  }
}

function parseTimeOfUse(raw: Record<string, unknown>, path: string, standingCharge: Money): Result<Tariff, FieldError> {
  const bad = checkKeys(raw, path, ['kind', 'bands', 'standingCharge']);
  if (bad) return err(bad);
  const bands = raw['bands'];
  if (!Array.isArray(bands) || bands.length === 0)
    return err(fieldError(`${path}.bands`, 'type', 'a non-empty array of { from: "HH:MM", unitPrice }', bands));
  if (bands.length > 48) return err(fieldError(`${path}.bands`, 'too-many', 'at most 48 bands', bands));
  const out: { from: string; unitPrice: Money }[] = [];
  let last = -1;
  for (const [i, b] of bands.entries()) {
    const p = `${path}.bands[${i}]`;
    if (!isRecord(b)) return err(fieldError(p, 'type', 'an object { from, unitPrice }', b));
    const badKey = checkKeys(b, p, ['from', 'unitPrice']);
    if (badKey) return err(badKey);
    const minute = parseHalfHourTime(b['from']);
    if (minute === null) return err(fieldError(`${p}.from`, 'format', 'a local time "HH:MM" on a half hour', b['from']));
    if (i === 0 && minute !== 0) return err(fieldError(`${p}.from`, 'range', 'the first band to start at "00:00"', b['from']));
    if (minute <= last) return err(fieldError(`${p}.from`, 'order', 'bands in ascending time order', b['from']));
    last = minute;
    const up = readMoney(b, 'unitPrice', p, { min: 0 });
    if (!up.ok) return up;
    out.push({ from: b['from'] as string, unitPrice: up.value });
  }
  return ok({ kind: 'time-of-use', bands: out, standingCharge });
}

function parseBlock(raw: Record<string, unknown>, path: string, standingCharge: Money): Result<Tariff, FieldError> {
  const bad = checkKeys(raw, path, ['kind', 'period', 'blocks', 'standingCharge']);
  if (bad) return err(bad);
  const period = raw['period'] ?? 'day';
  if (period !== 'day' && period !== 'week') return err(fieldError(`${path}.period`, 'unknown-kind', '"day" or "week"', period));
  const blocks = raw['blocks'];
  if (!Array.isArray(blocks) || blocks.length < 2 || blocks.length > 8) {
    return err(fieldError(`${path}.blocks`, 'type', 'an array of 2 to 8 blocks { upToKwh, unitPrice }', blocks));
  }
  const out: { upToKwh: number | null; unitPrice: Money }[] = [];
  let last = 0;
  for (const [i, b] of blocks.entries()) {
    const p = `${path}.blocks[${i}]`;
    if (!isRecord(b)) return err(fieldError(p, 'type', 'an object { upToKwh, unitPrice }', b));
    const badKey = checkKeys(b, p, ['upToKwh', 'unitPrice']);
    if (badKey) return err(badKey);
    const isLast = i === blocks.length - 1;
    let upTo: number | null = null;
    if (isLast) {
      if (b['upToKwh'] !== undefined && b['upToKwh'] !== null)
        return err(fieldError(`${p}.upToKwh`, 'range', 'no limit on the last block (null or absent)', b['upToKwh']));
    } else {
      const u = readNumber(b, 'upToKwh', p, { min: 0 });
      if (!u.ok) return u;
      if (u.value <= last) return err(fieldError(`${p}.upToKwh`, 'order', `a limit above the previous block's ${last} kWh`, u.value));
      upTo = last = u.value;
    }
    const up = readMoney(b, 'unitPrice', p, { min: 0 });
    if (!up.ok) return up;
    out.push({ upToKwh: upTo, unitPrice: up.value });
  }
  return ok({ kind: 'block', period, blocks: out, standingCharge });
}

function parseHalfHourTime(v: unknown): number | null {
  if (typeof v !== 'string') return null;
  const m = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(v);
  if (!m) return null;
  const minute = Number(m[1]) * 60 + Number(m[2]);
  return minute % 30 === 0 ? minute : null;
}

/** Compiles a valid tariff into lookup tables for the ledger's half-hour walk. */
export function compileTariff(t: Tariff): CompiledTariff {
  const priceByHalfHour = new Float64Array(48);
  let blockLimitsWh: number[] = [];
  let blockPrices: Money[] = [];
  switch (t.kind) {
    case 'flat':
      priceByHalfHour.fill(t.unitPrice);
      break;
    case 'time-of-use':
      for (const b of t.bands) priceByHalfHour.fill(b.unitPrice, (parseHalfHourTime(b.from) ?? 0) / 30);
      break;
    case 'block':
      blockLimitsWh = t.blocks.slice(0, -1).map((b) => Math.round((b.upToKwh ?? 0) * 1000));
      blockPrices = t.blocks.map((b) => b.unitPrice);
      break;
  }
  return {
    source: t,
    standingCharge: t.standingCharge,
    priceByHalfHour,
    blockLimitsWh,
    blockPrices,
    blockPeriod: t.kind === 'block' ? t.period : null,
  };
}

/**
 * Cost in money units of `wh` watt-hours drawn in half hour `index`, with
 * `usedWh` already drawn in the block period. Rounded down to the unit: the
 * meter never charges for a fraction of 1/1000 p.
 */
export function energyCost(t: CompiledTariff, index: number, wh: number, usedWh: number): Money {
  if (t.blockPeriod === null) return Math.floor((wh * (t.priceByHalfHour[index] ?? 0)) / 1000);
  let cost = 0;
  let remaining = wh;
  let used = usedWh;
  const limits = t.blockLimitsWh;
  for (let b = 0; remaining > 0; b++) {
    const limit = b < limits.length ? (limits[b] ?? Infinity) : Infinity;
    if (used >= limit) continue;
    const take = Math.min(remaining, limit - used);
    cost += take * (t.blockPrices[b] ?? 0);
    remaining -= take;
    used += take;
  }
  return Math.floor(cost / 1000);
}
