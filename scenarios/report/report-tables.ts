import { MINUTE_MS } from '../../core/time/duration.ts';
import { formatInstant } from '../../core/time/uk-time.ts';
import { SAT_KINDS } from '../../dsp/audit/service-audit-trail.ts';
import {
  bucketWords,
  formatCount,
  formatDuration,
  formatHours,
  formatSeconds,
  formatShare,
  formatUkDate,
  formatUkDateTime,
  partyName,
} from './report-format.ts';
import { CONSUMER_GROUPS, OFF_SUPPLY_CAUSES, SAFE_MODE_BANDS, type PolicyResult, type Report } from './report-model.ts';
import { AUDIT_KIND_WORDS, CAUSE_WORDS, describeResponseCode, GLOSSARY, GROUP_WORDS } from './report-words.ts';

/**
 * The report's tables as plain text cells, built once and written by both
 * the Markdown and the HTML writer, so the two always say the same thing.
 * Every cell is unescaped text; the writers escape.
 */
export interface Table {
  /** A stable handle: the HTML id, and what tests look for. */
  readonly id: string;
  readonly caption: string;
  readonly headers: readonly string[];
  readonly rows: readonly (readonly string[])[];
  /** Per column: `l` for words, `r` for figures. */
  readonly align: readonly ('l' | 'r')[];
  /** A sentence under the table, or `''`. */
  readonly note: string;
}

const DASH = '–';
const PASSED = '✓ passed';
const FAILED = '✗ failed';

/** Alignment for one word column and `n` figure columns. */
const wordsThen = (n: number, words = 1): ('l' | 'r')[] => [...Array<'l'>(words).fill('l'), ...Array<'r'>(n).fill('r')];

/** What was run. */
export function runTable(r: Report): Table {
  const run = r.run;
  const rows: string[][] = [
    ['Scenario', run.scenario],
    ...(run.description === '' ? [] : [['What it models', run.description]]),
    ['Seed', `${run.seed} (the same seed gives the same results)`],
    ['Simulated period', `${formatUkDateTime(run.start)} to ${formatUkDateTime(run.end)} (${run.days} days)`],
    ['Estate', `${formatCount(run.premises)} homes`],
    ['Policies compared', `${r.policies.length}: ${r.policies.map((p) => p.policy).join('; ')}`],
    ['Message bus', run.bus],
    ['Time the run took', `${formatSeconds(run.wallClockSeconds)} of wall-clock time (the only figure that depends on the computer)`],
  ];
  return {
    id: 'run',
    caption: 'The run',
    headers: ['What', 'Value'],
    rows,
    align: ['l', 'l'],
    note: 'Times are UK local time (GMT or BST).',
  };
}

/** Every assertion, passed or failed. */
export function assertionsTable(r: Report): Table {
  const failed = r.assertions.filter((a) => !a.passed).length;
  return {
    id: 'assertions',
    caption: `Assertions: ${r.assertions.length - failed} passed, ${failed} failed`,
    headers: ['Result', 'Assertion', 'Policy', 'Expected', 'Actual'],
    rows: r.assertions.map((a) => [a.passed ? PASSED : FAILED, a.name, a.policy ?? 'all policies', a.expected, a.actual]),
    align: ['l', 'l', 'l', 'l', 'l'],
    note: r.assertions.length === 0 ? 'The scenario states no assertions.' : '',
  };
}

/** The headline outcomes, one column per policy. */
export function outcomesTable(r: Report): Table {
  const row = (label: string, cell: (p: PolicyResult) => string): string[] => [label, ...r.policies.map(cell)];
  const bucket = bucketWords(r.policies[0]?.offSupplySeries.bucketMinutes ?? 60);
  const rows = [
    row('Consumers (homes)', (p) => formatCount(p.outcomes.all.consumers)),
    row('Meters', (p) => formatCount(p.outcomes.all.meters)),
    row('Consumers ever off supply', (p) => formatShare(p.outcomes.all.consumersEverOff, p.outcomes.all.consumers)),
    row('Vulnerable consumers ever off supply', (p) =>
      formatShare(p.outcomes.vulnerable.consumersEverOff, p.outcomes.vulnerable.consumers),
    ),
    row('Self-disconnecting consumers ever off supply', (p) =>
      formatShare(p.outcomes.selfDisconnecting.consumersEverOff, p.outcomes.selfDisconnecting.consumers),
    ),
    row('Longest a home was off supply', (p) => formatDuration(p.outcomes.all.maxConsumerMinutesOff)),
    row('Mean time off per home that was off', (p) =>
      p.outcomes.all.consumersEverOff === 0 ? DASH : formatDuration(p.outcomes.all.consumerMinutesOff / p.outcomes.all.consumersEverOff),
    ),
    row(`Most consumers off supply in one ${bucket}`, (p) => peak(p)),
    ...OFF_SUPPLY_CAUSES.map((c) =>
      row(`Meter-hours off supply: ${CAUSE_WORDS[c]}`, (p) => formatHours(p.outcomes.all.meterMinutesOff[c])),
    ),
    row('Meter-hours off supply: all causes', (p) => formatHours(sumCauses(p.outcomes.all.meterMinutesOff))),
    row('Meters put into Credit mode after the instruction', (p) =>
      p.timeToSafeMode.instructedAt === null ? 'no instruction' : formatShare(p.timeToSafeMode.applied, p.timeToSafeMode.meters),
    ),
    row('Time to safe mode, 95th percentile', (p) => percentile(p, 'p95')),
    row('Service requests received', (p) => formatCount(sum(p.serviceRequests.map((u) => u.received)))),
    row('Service requests refused or failed', (p) => formatCount(sum(p.serviceRequests.map((u) => u.error)))),
    row('Service requests quarantined', (p) => formatCount(p.quarantines.quarantined)),
    row('Assertions passed', (p) => {
      const mine = r.assertions.filter((a) => a.policy === p.policy);
      return mine.length === 0 ? DASH : `${mine.filter((a) => a.passed).length} of ${mine.length}`;
    }),
  ];
  return {
    id: 'outcomes',
    caption: 'Outcomes, policy by policy',
    headers: ['Measure', ...r.policies.map((p) => p.policy)],
    rows,
    align: wordsThen(r.policies.length),
    note: 'Meter-hours: hours a meter was off supply, added over meters; a home off on both fuels for one hour counts two.',
  };
}

/** Consumers ever off supply in each group, one column per policy. */
export function groupsTable(r: Report): Table {
  return {
    id: 'groups',
    caption: 'Consumers ever off supply, by group',
    headers: ['Group', ...r.policies.map((p) => p.policy)],
    rows: CONSUMER_GROUPS.map((g) => [
      capitalise(GROUP_WORDS[g]),
      ...r.policies.map((p) => {
        const o = p.outcomes[g];
        return `${formatShare(o.consumersEverOff, o.consumers)}; longest ${formatDuration(o.maxConsumerMinutesOff)}`;
      }),
    ]),
    align: wordsThen(r.policies.length),
    note: 'A consumer is in “prepayment at the start” when any of its meters was in prepayment mode when the run began.',
  };
}

/** Meter-hours off supply by group and cause under one policy. */
export function causesTable(p: PolicyResult, index: number): Table {
  return {
    id: `causes-${index}`,
    caption: `Meter-hours off supply by group and cause — ${p.policy}`,
    headers: ['Group', 'Consumers', 'Meters', ...OFF_SUPPLY_CAUSES.map((c) => capitalise(CAUSE_WORDS[c])), 'All causes'],
    rows: CONSUMER_GROUPS.map((g) => {
      const o = p.outcomes[g];
      return [
        capitalise(GROUP_WORDS[g]),
        formatCount(o.consumers),
        formatCount(o.meters),
        ...OFF_SUPPLY_CAUSES.map((c) => formatHours(o.meterMinutesOff[c])),
        formatHours(sumCauses(o.meterMinutesOff)),
      ];
    }),
    align: wordsThen(7),
    note: '',
  };
}

/** Time from the Authority instruction to Credit mode, one column per policy. */
export function safeModeTable(r: Report): Table {
  const row = (label: string, cell: (p: PolicyResult) => string): string[] => [label, ...r.policies.map(cell)];
  const t = (p: PolicyResult) => p.timeToSafeMode;
  return {
    id: 'safe-mode',
    caption: 'Time to safe mode: from the Authority instruction to Credit mode applied',
    headers: ['Measure', ...r.policies.map((p) => p.policy)],
    rows: [
      row('Authority instruction', (p) =>
        t(p).instructedAt === null ? 'none under this policy' : formatUkDateTime(t(p).instructedAt ?? ''),
      ),
      row('Meters the instruction covered', (p) => formatCount(t(p).meters)),
      row('Put into Credit mode', (p) => formatShare(t(p).applied, t(p).meters)),
      row('Never put into Credit mode', (p) => formatShare(t(p).never, t(p).meters)),
      row('Median (half the meters within)', (p) => percentile(p, 'p50')),
      row('90th percentile', (p) => percentile(p, 'p90')),
      row('95th percentile', (p) => percentile(p, 'p95')),
      row('99th percentile', (p) => percentile(p, 'p99')),
      row('Longest', (p) => percentile(p, 'max')),
    ],
    align: wordsThen(r.policies.length),
    note: 'Percentiles are over the meters put into Credit mode; each is the time of an actual meter.',
  };
}

/** Applied meters by band of time to safe mode, and those never put into Credit mode, one column per policy. */
export function safeModeBandsTable(r: Report): Table {
  const labels = safeModeCategories(r);
  return {
    id: 'safe-mode-bands',
    caption: 'Meters by time to safe mode',
    headers: ['Time from the instruction to Credit mode', ...r.policies.map((p) => p.policy)],
    rows: labels.map((label, j) => [label, ...r.policies.map((p) => formatCount(safeModeCounts(p, labels)[j] ?? 0))]),
    align: wordsThen(r.policies.length),
    note: '',
  };
}

/** The categories of the time-to-safe-mode distribution: the bands, then `never`. */
export const safeModeCategories = (r: Report): string[] => [
  ...(r.policies[0]?.timeToSafeMode.bands ?? SAFE_MODE_BANDS).map((b) => b.label),
  NEVER,
];

/** A policy's meters in each of `categories` (bands matched by label, then `never`). */
export const safeModeCounts = (p: PolicyResult, categories: readonly string[]): number[] =>
  categories.map((label) =>
    label === NEVER ? p.timeToSafeMode.never : (p.timeToSafeMode.bands.find((b) => b.label === label)?.meters ?? 0),
  );

const NEVER = 'never';

/** The most consumers off supply at once on each UK local day, one column per policy. */
export function dailyPeaksTable(r: Report): Table {
  const days = new Map<string, number[]>();
  r.policies.forEach((p, i) => {
    const s = p.offSupplySeries;
    const start = Date.parse(s.start);
    s.consumersOff.forEach((n, k) => {
      const day = formatUkDate(formatInstant(start + k * s.bucketMinutes * MINUTE_MS));
      const row = days.get(day) ?? Array<number>(r.policies.length).fill(0);
      row[i] = Math.max(row[i] ?? 0, n);
      days.set(day, row);
    });
  });
  const bucket = bucketWords(r.policies[0]?.offSupplySeries.bucketMinutes ?? 60);
  return {
    id: 'daily-peaks',
    caption: `Most consumers off supply in one ${bucket}, day by day`,
    headers: ['Day', ...r.policies.map((p) => p.policy)],
    rows: [...days].map(([day, peaks]) => [day, ...peaks.map(formatCount)]),
    align: wordsThen(r.policies.length),
    note: `A consumer counts in each ${bucket} in which at least one of its fuels was off at any moment.`,
  };
}

/** The response codes that occur under any policy, in code order: I, then E, then X, by number. */
export function responseCodes(r: Report): string[] {
  const codes = new Set<string>();
  for (const p of r.policies) for (const u of p.serviceRequests) for (const c of Object.keys(u.byCode)) codes.add(c);
  const rank = (c: string): number => 'IEX'.indexOf(c[0] ?? '') + 1 || 4;
  return [...codes].sort((a, b) => rank(a) - rank(b) || Number(a.slice(1)) - Number(b.slice(1)) || (a < b ? -1 : 1));
}

/** Requests of a policy that ended with `code`, over all senders. */
export const requestsWithCode = (p: PolicyResult, code: string): number => sum(p.serviceRequests.map((u) => u.byCode[code] ?? 0));

/** Service requests by response code, one column per policy. */
export function requestsByCodeTable(r: Report): Table {
  const codes = responseCodes(r);
  return {
    id: 'requests-by-code',
    caption: 'Service requests by response code',
    headers: ['Code', 'Meaning', ...r.policies.map((p) => p.policy)],
    rows: [
      ...codes.map((c) => [c, describeResponseCode(c), ...r.policies.map((p) => formatCount(requestsWithCode(p, c)))]),
      ['', 'still waiting for an outcome at the end', ...r.policies.map((p) => formatCount(sum(p.serviceRequests.map((u) => u.inFlight))))],
      ['', 'all requests received', ...r.policies.map((p) => formatCount(sum(p.serviceRequests.map((u) => u.received))))],
    ],
    align: wordsThen(r.policies.length, 2),
    note: 'Counted as DCC ledger records: a critical request’s preparation and its sending are two. X codes are this twin’s own, not DUIS codes.',
  };
}

/** Service requests by sender. */
export function requestsByUserTable(r: Report): Table {
  return {
    id: 'requests-by-user',
    caption: 'Service requests by sender',
    headers: ['Policy', 'Sender', 'Received', 'Succeeded', 'Refused or failed', 'Quarantined', 'Still waiting'],
    rows: r.policies.flatMap((p) =>
      p.serviceRequests.map((u) => [
        p.policy,
        partyName(r, u.user),
        formatCount(u.received),
        formatCount(u.success),
        formatCount(u.error),
        formatCount(u.quarantined),
        formatCount(u.inFlight),
      ]),
    ),
    align: wordsThen(5, 2),
    note: 'The sender is the party that signed the request: for an SRP acting for a failed supplier, the SRP.',
  };
}

/** Quarantines, one column per policy. */
export function quarantinesTable(r: Report): Table {
  const row = (label: string, cell: (p: PolicyResult) => string): string[] => [label, ...r.policies.map(cell)];
  const senders = [...new Set(r.policies.flatMap((p) => Object.keys(p.quarantines.byUser)))];
  return {
    id: 'quarantines',
    caption: 'Requests quarantined by anomaly detection',
    headers: ['Measure', ...r.policies.map((p) => p.policy)],
    rows: [
      row('Quarantined', (p) => formatCount(p.quarantines.quarantined)),
      row('Released and sent on', (p) => formatCount(p.quarantines.released)),
      row('Removed by the sender', (p) => formatCount(p.quarantines.removed)),
      row('Expired before release', (p) => formatCount(p.quarantines.expired)),
      row('Still held at the end', (p) => formatCount(p.quarantines.heldAtEnd)),
      ...senders.map((s) => row(`Quarantined from ${partyName(r, s)}`, (p) => formatCount(p.quarantines.byUser[s] ?? 0))),
    ],
    align: wordsThen(r.policies.length),
    note: '',
  };
}

/** Device and DCC alerts by code and recipient. */
export function alertsTable(r: Report): Table {
  const rows = r.policies.flatMap((p) =>
    p.alerts.map((a) => [
      p.policy,
      a.source === 'dcc' ? 'DCC' : 'device',
      a.code,
      a.description,
      a.recipient === null ? 'no User (shown to the consumer only)' : partyName(r, a.recipient),
      formatCount(a.count),
    ]),
  );
  return {
    id: 'alerts',
    caption: 'Alerts and who received them',
    headers: ['Policy', 'Raised by', 'Code', 'Meaning', 'Received by', 'Alerts'],
    rows,
    align: wordsThen(1, 5),
    note: rows.length === 0 ? 'No alerts were raised.' : '',
  };
}

/** The Service Audit Trail's record counts, one column per policy. */
export function auditTable(r: Report): Table {
  const row = (label: string, cell: (p: PolicyResult) => string): string[] => [label, ...r.policies.map(cell)];
  const none = 'no DCC under this policy';
  return {
    id: 'audit',
    caption: 'Audit trail records',
    headers: ['Records', ...r.policies.map((p) => p.policy)],
    rows: [
      ...SAT_KINDS.map((k) => row(capitalise(AUDIT_KIND_WORDS[k]), (p) => (p.audit === null ? none : formatCount(p.audit.byKind[k])))),
      row('All records', (p) => (p.audit === null ? none : formatCount(p.audit.records))),
      row('The hash chain verifies', (p) => {
        if (p.audit === null) return none;
        if (p.audit.chainVerifies) return '✓ yes';
        const b = p.audit.chainBreak;
        return b === null ? '✗ no' : `✗ no: breaks at record ${formatCount(b.index)} (${b.reason})`;
      }),
      row('Hash of the last record', (p) => (p.audit === null ? none : p.audit.head)),
    ],
    align: wordsThen(r.policies.length),
    note: '',
  };
}

/** The consumers a policy's result lists one by one, at most `max` of them. */
export function consumersTable(p: PolicyResult, index: number, max = Infinity): Table {
  const d = p.consumers;
  const shown = d.records.slice(0, max);
  const yesNo = (b: boolean): string => (b ? 'yes' : 'no');
  return {
    id: `consumers-${index}`,
    caption: `Consumers one by one — ${p.policy}`,
    headers: [
      'Consumer',
      'Payment mode',
      'Vulnerable',
      'Self-disconnecting',
      'Time off (any fuel)',
      ...OFF_SUPPLY_CAUSES.map((c) => `Meter-hours: ${CAUSE_WORDS[c]}`),
      'Time to safe mode',
    ],
    rows: shown.map((c) => [
      c.id,
      c.paymentMode,
      yesNo(c.vulnerable),
      yesNo(c.selfDisconnecting),
      formatDuration(c.minutesOff),
      ...OFF_SUPPLY_CAUSES.map((k) => formatHours(sum(c.meters.map((m) => m.minutesOff[k])))),
      c.meters
        .map(
          (m) =>
            `${m.fuel}: ${m.instructedAt === null ? 'not instructed' : m.minutesToSafeMode === null ? 'never' : formatDuration(m.minutesToSafeMode)}`,
        )
        .join('; '),
    ]),
    align: [...wordsThen(0, 4), ...wordsThen(5, 0), 'l'],
    note:
      `Listed: ${d.rule}. ${formatCount(d.selected)} ${d.selected === 1 ? 'consumer qualifies' : 'consumers qualify'}; ` +
      `the report keeps at most ${formatCount(d.limit)}` +
      (shown.length < d.selected ? ` and this table shows ${formatCount(shown.length)}.` : '.'),
  };
}

/** The assumptions and parameters the run used. */
export function assumptionsTable(r: Report): Table {
  return {
    id: 'assumptions',
    caption: 'Assumptions and parameters',
    headers: ['Name', 'Value', 'Unit', 'Source'],
    rows: Object.entries(r.run.assumptions).map(([name, a]) => [name, a.value === null ? 'none' : String(a.value), a.unit, a.source]),
    align: ['l', 'r', 'l', 'l'],
    note: 'UNVERIFIED marks a default no public source settles.',
  };
}

/** The words used. */
export function glossaryTable(): Table {
  return {
    id: 'glossary',
    caption: 'Words used in this report',
    headers: ['Term', 'Meaning'],
    rows: GLOSSARY.map(([t, m]) => [t, m]),
    align: ['l', 'l'],
    note: '',
  };
}

function peak(p: PolicyResult): string {
  const s = p.offSupplySeries;
  let best = -1;
  let at = 0;
  for (const [i, n] of s.consumersOff.entries()) if (n > best) [best, at] = [n, i];
  if (best <= 0) return '0';
  const when = formatInstant(Date.parse(s.start) + at * s.bucketMinutes * MINUTE_MS);
  return `${formatCount(best)} (from ${formatUkDateTime(when)})`;
}

function percentile(p: PolicyResult, k: 'p50' | 'p90' | 'p95' | 'p99' | 'max'): string {
  const q = p.timeToSafeMode.percentilesMinutes;
  return q === null ? DASH : formatDuration(q[k]);
}

const sum = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0);
const sumCauses = (m: Readonly<Record<string, number>>): number => sum(Object.values(m));
const capitalise = (s: string): string => (s === '' ? s : `${s[0]?.toUpperCase() ?? ''}${s.slice(1)}`);
