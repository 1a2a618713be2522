import type { ConsumerDetail, ConsumerRecord } from './report-model.ts';

/** The default cap on per-consumer records in a policy's result. */
export const DEFAULT_CONSUMER_DETAIL_LIMIT = 1000;

/** The rule `selectConsumerDetail` applies, as a report states it. */
export const CONSUMER_DETAIL_RULE =
  'consumers with any fuel off supply at some moment, or with a meter the Authority instruction covered that never reached Credit mode; ' +
  'longest off first';

/**
 * Picks the consumers a report lists one by one: those that were ever off
 * supply or have a meter an instruction covered that never reached Credit
 * mode — the homes a reader has to look at. Worst first (most minutes off,
 * then a meter never put into Credit mode, then by id), at most `limit`.
 * Everyone else is in the totals only; this keeps a report on 500 000
 * premises to a bounded size whatever happened.
 */
export function selectConsumerDetail(consumers: Iterable<ConsumerRecord>, limit = DEFAULT_CONSUMER_DETAIL_LIMIT): ConsumerDetail {
  if (!Number.isSafeInteger(limit) || limit < 0) throw new RangeError(`selectConsumerDetail: limit must be a whole number, got ${limit}`);
  const selected: ConsumerRecord[] = [];
  for (const c of consumers) if (c.minutesOff > 0 || neverSafe(c)) selected.push(c);
  selected.sort(worstFirst);
  return { rule: CONSUMER_DETAIL_RULE, limit, selected: selected.length, records: selected.slice(0, limit) };
}

/**
 * The selections of disjoint sets of consumers (the shards of a sharded run)
 * as the selection of their union: the worst `limit` of all are among each
 * part's worst `limit`, and the same order picks them.
 */
export function mergeConsumerDetail(parts: readonly ConsumerDetail[]): ConsumerDetail {
  const limit = parts[0]?.limit ?? DEFAULT_CONSUMER_DETAIL_LIMIT;
  const records = parts.flatMap((p) => p.records).sort(worstFirst);
  return { rule: CONSUMER_DETAIL_RULE, limit, selected: parts.reduce((n, p) => n + p.selected, 0), records: records.slice(0, limit) };
}

const worstFirst = (a: ConsumerRecord, b: ConsumerRecord): number =>
  b.minutesOff - a.minutesOff || Number(neverSafe(b)) - Number(neverSafe(a)) || compareIds(a.id, b.id);

const neverSafe = (c: ConsumerRecord): boolean => c.meters.some((m) => m.instructedAt !== null && m.minutesToSafeMode === null);

/** Code-unit order, not locale order: the same on every machine. */
const compareIds = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
