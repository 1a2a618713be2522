import { escapeMarkdown } from './escape.ts';
import { formatCount, formatUkDateTime } from './report-format.ts';
import type { PolicyResult, Report } from './report-model.ts';
import { DEVICE_WORDS } from './report-words.ts';
import {
  alertsTable,
  assertionsTable,
  assumptionsTable,
  auditTable,
  causesTable,
  consumersTable,
  dailyPeaksTable,
  glossaryTable,
  groupsTable,
  outcomesTable,
  quarantinesTable,
  requestsByCodeTable,
  requestsByUserTable,
  runTable,
  safeModeBandsTable,
  safeModeTable,
  type Table,
} from './report-tables.ts';

/** How much per-consumer detail the Markdown shows. */
export interface MarkdownOptions {
  /** Consumers listed per policy (the worst first); the rest are in report.json. Default 20. */
  readonly consumersPerPolicy?: number;
}

/**
 * `report.md`: the report as summary tables a reader can read as plain text
 * or rendered — outcomes of the policies side by side, time to safe mode,
 * service requests by code and by sender, quarantines, alerts, audit-trail
 * counts, assertions with ✓ and ✗ and the story of each failure. Every piece
 * of text from the scenario is escaped.
 */
export function writeMarkdown(report: Report, options: MarkdownOptions = {}): string {
  const perPolicy = options.consumersPerPolicy ?? 20;
  const failed = report.assertions.filter((a) => !a.passed);
  const out: string[] = [`# Scenario report: ${escapeMarkdown(report.run.scenario)}`, ''];
  if (report.run.description !== '') out.push(escapeMarkdown(report.run.description), '');
  out.push(
    verdict(report),
    '',
    'The same report is in `report.html` with charts, and in full in `report.json`.',
    '',
    '## The run',
    '',
    table(runTable(report), false),
    '## Assertions',
    '',
    table(assertionsTable(report)),
    '## Outcomes',
    '',
    table(outcomesTable(report)),
    table(groupsTable(report)),
    ...report.policies.map((p, i) => table(causesTable(p, i))),
    '## Consumers off supply over time',
    '',
    table(dailyPeaksTable(report)),
    '## Time to safe mode',
    '',
    table(safeModeTable(report)),
    table(safeModeBandsTable(report)),
    '## Service requests',
    '',
    table(requestsByCodeTable(report)),
    table(requestsByUserTable(report)),
    '## Quarantines',
    '',
    table(quarantinesTable(report)),
    '## Alerts',
    '',
    table(alertsTable(report), false),
    '## Audit trail',
    '',
    table(auditTable(report)),
  );
  if (report.policies.some((p) => Object.values(p.faults).some((n) => n > 0))) out.push('## Faults', '', table(faultsTable(report)));
  if (failed.length > 0) {
    out.push('## What happened: one story per failed assertion', '');
    for (const a of failed) out.push(...story(a));
  }
  out.push('## Consumers one by one', '');
  report.policies.forEach((p, i) => out.push(table(consumersTable(p, i, perPolicy))));
  out.push('## Assumptions and parameters', '', table(assumptionsTable(report), false), '## Words used', '', table(glossaryTable(), false));
  return `${out.join('\n').trimEnd()}\n`;
}

/** What the scenario's faults did to messages, policy by policy (shown only when they did something). */
function faultsTable(r: Report): Table {
  const row = (label: string, cell: (f: PolicyResult['faults']) => number): string[] => [
    label,
    ...r.policies.map((p) => formatCount(cell(p.faults))),
  ];
  return {
    id: 'faults',
    caption: 'What the faults did to messages',
    headers: ['Measure', ...r.policies.map((p) => p.policy)],
    rows: [
      row('Alerts queued in an offline comms hub', (f) => f.alertsQueued),
      row('Sent up late, when the hub was back', (f) => f.alertsDeliveredLate),
      row('Still queued at the end', (f) => f.alertsQueuedAtEnd),
      row('Alerts lost: the hub’s queue was full', (f) => f.alertsLost),
      row('Commands and answers lost at an offline hub', (f) => f.lostAtOfflineHub),
      row('Messages held while the DSP was unreachable', (f) => f.heldForDsp),
      row('Messages lost on a faulty link', (f) => f.messagesLost),
    ],
    align: ['l', ...r.policies.map(() => 'r' as const)],
    note: 'docs/scenarios.md “Faults” says what each fault does.',
  };
}

/** One sentence on whether the scenario's assertions held. */
function verdict(r: Report): string {
  const failed = r.assertions.filter((a) => !a.passed).length;
  if (r.assertions.length === 0) return 'The scenario states no assertions.';
  return failed === 0
    ? `**✓ All ${r.assertions.length} assertions passed.**`
    : `**✗ ${failed} of ${r.assertions.length} assertions failed.**`;
}

/** A table as GitHub-flavoured Markdown, with its caption in bold above (unless the section heading says it) and its note below. */
function table(t: Table, caption = true): string {
  const row = (cells: readonly string[]): string => `| ${cells.map(escapeMarkdown).join(' | ')} |`;
  const lines = [
    ...(caption ? [`**${escapeMarkdown(t.caption)}**`, ''] : []),
    row(t.headers),
    `| ${t.align.map((a) => (a === 'r' ? '---:' : '---')).join(' | ')} |`,
  ];
  lines.push(...(t.rows.length === 0 ? [row(t.headers.map((_, i) => (i === 0 ? 'none' : '')))] : t.rows.map(row)));
  if (t.note !== '') lines.push('', escapeMarkdown(t.note));
  return `${lines.join('\n')}\n`;
}

/** A failed assertion's story: who, which devices, what happened and when. */
function story(a: Report['assertions'][number]): string[] {
  const lines = [
    `### ✗ ${escapeMarkdown(a.name)}${a.policy === null ? '' : ` — ${escapeMarkdown(a.policy)}`}`,
    '',
    `- Expected: ${escapeMarkdown(a.expected)}`,
    `- Actual: ${escapeMarkdown(a.actual)}`,
  ];
  const s = a.story;
  if (s === null) return [...lines, '', 'No single consumer’s story shows this failure.', ''];
  lines.push(`- Consumer: ${escapeMarkdown(s.consumer)}`);
  for (const d of s.devices)
    lines.push(`- Device: ${escapeMarkdown(DEVICE_WORDS[d.kind] ?? d.kind)} (${escapeMarkdown(d.kind)}) ${escapeMarkdown(d.id)}`);
  lines.push('', 'What happened (UK time):', '');
  s.events.forEach((e, i) => lines.push(`${i + 1}. ${formatUkDateTime(e.at)} — ${escapeMarkdown(e.text)}`));
  return [...lines, ''];
}
