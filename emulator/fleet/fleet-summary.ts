import { formatGbp } from '../../core/money.ts';
import { formatInstant } from '../../core/time/uk-time.ts';
import { describeAlert } from '../devices/common/alerts.ts';
import { MINUTE_MS } from '../../core/time/duration.ts';
import type { ConsumerOutcome, FleetResult } from './fleet-runner.ts';
import { OFF_CAUSES, type OffCause } from './supply-timeline.ts';

/** Consumer outcomes of a fleet run, in totals a reader can check. */
export interface FleetSummary {
  readonly consumers: number;
  readonly meters: number;
  readonly offSupply: { readonly consumers: number; readonly vulnerable: number; readonly selfDisconnecting: number };
  /** Meter-minutes off supply, by cause (a dual-fuel home off on both fuels counts twice). */
  readonly minutesOff: Readonly<Record<OffCause, number>>;
  /** Hours a home had at least one fuel off, averaged over the homes that had any. */
  readonly meanHoursOffPerAffectedConsumer: number;
  readonly topUps: number;
  readonly topUpsRejected: number;
  readonly meanFinalCredit: number;
}

export function summarise(r: FleetResult): FleetSummary {
  const minutesOff: Record<OffCause, number> = { credit: 0, armed: 0, remote: 0 };
  let affected = 0;
  let vulnerable = 0;
  let selfDisconnecting = 0;
  let meters = 0;
  let credit = 0;
  let affectedMinutes = 0;
  for (const c of r.consumers) {
    for (const m of c.meters) {
      meters++;
      credit += m.finalBalance;
      for (const k of OFF_CAUSES) minutesOff[k] += m.minutesOff[k];
    }
    const off = minutesWithAnyFuelOff(c);
    if (off > 0) {
      affected++;
      affectedMinutes += off;
      if (c.vulnerable) vulnerable++;
      if (c.selfDisconnecting) selfDisconnecting++;
    }
  }
  return {
    consumers: r.consumers.length,
    meters,
    offSupply: { consumers: affected, vulnerable, selfDisconnecting },
    minutesOff,
    meanHoursOffPerAffectedConsumer: affected === 0 ? 0 : affectedMinutes / affected / 60,
    topUps: r.topUps,
    topUpsRejected: r.topUpsRejected,
    meanFinalCredit: meters === 0 ? 0 : Math.round(credit / meters),
  };
}

/** Minutes in which at least one of the home's meters was off supply (the union of their spans). */
export function minutesWithAnyFuelOff(c: ConsumerOutcome): number {
  const spans = c.meters.flatMap((m) => m.offIntervals).sort((a, b) => a.from - b.from);
  let total = 0;
  let from = -Infinity;
  let to = -Infinity;
  for (const s of spans) {
    if (s.from > to) {
      if (to > from) total += to - from;
      from = s.from;
      to = s.to;
    } else if (s.to > to) to = s.to;
  }
  if (to > from) total += to - from;
  return total / MINUTE_MS;
}

/** A plain-text summary for the terminal. */
export function formatSummary(r: FleetResult, s: FleetSummary): string {
  const pct = (n: number, of: number) => (of === 0 ? '0.0' : ((100 * n) / of).toFixed(1));
  const hours = (m: number) => Math.round(m / 60).toLocaleString('en-GB');
  const lines = [
    `smets-twin device fleet — seed ${r.seed}`,
    `  ${s.consumers.toLocaleString('en-GB')} premises, ${s.meters.toLocaleString('en-GB')} meters, ${r.days} days from ${formatInstant(r.start)}`,
    '',
    'Consumers off supply',
    `  any time off:        ${s.offSupply.consumers.toLocaleString('en-GB')} (${pct(s.offSupply.consumers, s.consumers)} %)`,
    `    of them vulnerable: ${s.offSupply.vulnerable.toLocaleString('en-GB')}`,
    `    self-disconnecting: ${s.offSupply.selfDisconnecting.toLocaleString('en-GB')}`,
    `  mean time off per affected home:    ${s.meanHoursOffPerAffectedConsumer.toFixed(1)} h (any fuel off)`,
    '',
    'Meter-hours off supply by cause',
    `  credit exhausted:           ${hours(s.minutesOff.credit)}`,
    `  armed, waiting for consumer: ${hours(s.minutesOff.armed)}`,
    `  remote disable:             ${hours(s.minutesOff.remote)}`,
    '',
    `Top-ups: ${s.topUps.toLocaleString('en-GB')} (${s.topUpsRejected} rejected); mean credit at the end ${formatGbp(s.meanFinalCredit)}`,
    '',
    'Device alerts',
    ...Object.entries(r.alerts).map(([code, n]) => `  ${describeAlert(parseInt(code, 16)).padEnd(32)} ${n.toLocaleString('en-GB')}`),
  ];
  return lines.join('\n');
}
