import { createHash } from 'node:crypto';
import { groupedBarChart } from './bar-chart.ts';
import { escapeHtml } from './escape.ts';
import { timeLineChart } from './line-chart.ts';
import { bucketWords, formatCount, formatUkDateTime } from './report-format.ts';
import { REPORT_VERSION, type AssertionResult, type Report } from './report-model.ts';
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
  requestsWithCode,
  responseCodes,
  runTable,
  safeModeBandsTable,
  safeModeCategories,
  safeModeCounts,
  safeModeTable,
  type Table,
} from './report-tables.ts';
import { describeResponseCode, DEVICE_WORDS } from './report-words.ts';

/** The `id` of each chart's `<svg>`. */
export const CHART_IDS = {
  offSupply: 'chart-off-supply',
  safeMode: 'chart-safe-mode',
  requests: 'chart-requests',
} as const;

const STYLE = `
body { font: 16px/1.5 system-ui, sans-serif; color: #1a1a1a; background: #fff; margin: 0 auto; max-width: 76rem; padding: 1rem 1.5rem 3rem; }
h1 { font-size: 1.7rem; margin-bottom: .3rem; } h2 { margin-top: 2.5rem; border-bottom: 2px solid #1a1a1a; } h3 { margin-top: 1.8rem; }
table { border-collapse: collapse; margin: .8rem 0; font-size: .92rem; } caption { text-align: left; font-weight: 600; padding: .3rem 0; }
th, td { border: 1px solid #8a8a8a; padding: .25rem .55rem; vertical-align: top; } thead th { background: #e8eef4; text-align: left; }
td.r { text-align: right; font-variant-numeric: tabular-nums; } tbody th { text-align: left; font-weight: normal; }
.pass { color: #14602f; font-weight: 600; } .fail { color: #a4161a; font-weight: 600; }
.note { font-size: .9rem; color: #333; margin-top: 0; } .verdict { font-size: 1.15rem; font-weight: 600; }
.verdict.fail { border-left: 6px solid #a4161a; padding-left: .6rem; } .verdict.pass { border-left: 6px solid #14602f; padding-left: .6rem; }
figure { margin: 1rem 0; } figcaption { font-size: .9rem; color: #333; } svg.chart { max-width: 100%; height: auto; display: block; }
.story { border: 1px solid #8a8a8a; border-left: 6px solid #a4161a; padding: .2rem 1rem .6rem; margin: 1rem 0; }
.story ol { padding-left: 1.4rem; } code { font-size: .9em; } details { margin: .6rem 0; } summary { cursor: pointer; font-weight: 600; }
nav ol { columns: 2; } footer { margin-top: 3rem; font-size: .85rem; color: #333; }
@media print { details { display: block; } nav { display: none; } }
`;

/**
 * Records each chart's drawn size in `data-rendered` ("bbox-width
 * bbox-height box-width box-height", in CSS pixels), so a browser opening the
 * report can be checked to have drawn every chart. The charts are plain SVG
 * and do not need it.
 */
const SCRIPT =
  "for (const s of document.querySelectorAll('svg[data-chart]')) { const b = s.getBBox(); const r = s.getBoundingClientRect(); " +
  "s.setAttribute('data-rendered', [b.width, b.height, r.width, r.height].map(Math.round).join(' ')); }";

const cspHash = (s: string): string => `'sha256-${createHash('sha256').update(s).digest('base64')}'`;

/**
 * The policy: nothing is loaded from anywhere (the report works offline and
 * cannot reach out), and only this file's own stylesheet and script run —
 * by hash, so even text that escaped escaping could not run as script.
 */
const CSP = `default-src 'none'; style-src ${cspHash(STYLE)}; script-src ${cspHash(SCRIPT)}`;

/**
 * `report.html`: one self-contained page — inline stylesheet, inline SVG
 * charts, no external resource — with the run, the assertions, the outcomes
 * of the policies side by side, charts of consumers off supply over time
 * (one line per policy), the distribution of time to safe mode and service
 * request outcomes by code, alerts, audit-trail counts, and the story of
 * each failed assertion. Everything from the scenario is escaped.
 */
export function writeHtml(report: Report): string {
  const failed = report.assertions.filter((a) => !a.passed);
  const title = `Scenario report: ${report.run.scenario}`;
  const sections: [id: string, heading: string, body: string][] = [
    ['run', 'The run', table(runTable(report))],
    ['assertions', 'Assertions', table(assertionsTable(report))],
    [
      'outcomes',
      'Outcomes',
      [table(outcomesTable(report)), table(groupsTable(report)), ...report.policies.map((p, i) => table(causesTable(p, i)))].join(''),
    ],
    ['off-supply', 'Consumers off supply over time', offSupplyFigure(report) + details('Day by day', table(dailyPeaksTable(report)))],
    [
      'safe-mode',
      'Time to safe mode',
      table(safeModeTable(report)) + safeModeFigure(report) + details('The chart as a table', table(safeModeBandsTable(report))),
    ],
    ['requests', 'Service requests', requestsFigure(report) + table(requestsByCodeTable(report)) + table(requestsByUserTable(report))],
    ['quarantines', 'Quarantines', table(quarantinesTable(report))],
    ['alerts', 'Alerts', table(alertsTable(report))],
    ['audit', 'Audit trail', table(auditTable(report))],
  ];
  if (failed.length > 0) sections.push(['stories', 'What happened: one story per failed assertion', failed.map(story).join('')]);
  sections.push(
    [
      'consumers',
      'Consumers one by one',
      report.policies
        .map((p, i) => details(`${p.policy}: ${formatCount(p.consumers.records.length)} listed`, table(consumersTable(p, i))))
        .join(''),
    ],
    ['assumptions', 'Assumptions and parameters', table(assumptionsTable(report))],
    ['glossary', 'Words used', table(glossaryTable())],
  );
  return [
    '<!DOCTYPE html>',
    '<html lang="en-GB">',
    '<head>',
    '<meta charset="utf-8" />',
    '<meta name="viewport" content="width=device-width, initial-scale=1" />',
    `<meta http-equiv="Content-Security-Policy" content="${escapeHtml(CSP)}" />`,
    `<title>${escapeHtml(title)}</title>`,
    `<style>${STYLE}</style>`,
    '</head>',
    '<body>',
    `<header><h1>${escapeHtml(title)}</h1>`,
    report.run.description === '' ? '' : `<p>${escapeHtml(report.run.description)}</p>`,
    verdict(report),
    '</header>',
    `<nav aria-label="Contents"><ol>${sections.map(([id, h]) => `<li><a href="#${id}">${escapeHtml(h)}</a></li>`).join('')}</ol></nav>`,
    '<main>',
    ...sections.map(([id, h, body]) => `<section id="${id}"><h2>${escapeHtml(h)}</h2>${body}</section>`),
    '</main>',
    `<footer>smets-twin scenario report, layout version ${REPORT_VERSION}. Times are UK local time (GMT or BST). ` +
      'The same figures are in report.json, which report.schema.json describes.</footer>',
    `<script>${SCRIPT}</script>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

/** One sentence on whether the scenario's assertions held. */
function verdict(r: Report): string {
  const failed = r.assertions.filter((a) => !a.passed).length;
  if (r.assertions.length === 0) return '<p class="verdict">The scenario states no assertions.</p>';
  return failed === 0
    ? `<p class="verdict pass">✓ All ${r.assertions.length} assertions passed.</p>`
    : `<p class="verdict fail">✗ ${failed} of ${r.assertions.length} assertions failed.</p>`;
}

/** A table with its caption and note; the first column heads each row; ✓ and ✗ cells are marked for colour as well as shape. */
function table(t: Table): string {
  const head = `<thead><tr>${t.headers.map((h) => `<th scope="col">${escapeHtml(h)}</th>`).join('')}</tr></thead>`;
  const cell = (c: string, j: number): string => {
    if (j === 0) return `<th scope="row">${escapeHtml(c)}</th>`;
    const classes = [t.align[j] === 'r' ? 'r' : '', c.startsWith('✓') ? 'pass' : c.startsWith('✗') ? 'fail' : ''].filter((x) => x !== '');
    return `<td${classes.length === 0 ? '' : ` class="${classes.join(' ')}"`}>${escapeHtml(c)}</td>`;
  };
  const resultFirst = t.headers[0] === 'Result';
  const rows =
    t.rows.length === 0
      ? `<tr><td colspan="${t.headers.length}">none</td></tr>`
      : t.rows
          .map(
            (r) =>
              `<tr>${r
                .map((c, j) =>
                  // A result column is data, not a row heading: the assertion's name heads the row instead.
                  resultFirst && j === 0 ? `<td class="${c.startsWith('✓') ? 'pass' : 'fail'}">${escapeHtml(c)}</td>` : cell(c, j),
                )
                .join('')}</tr>`,
          )
          .join('');
  const note = t.note === '' ? '' : `<p class="note">${escapeHtml(t.note)}</p>`;
  return `<table id="table-${t.id}"><caption>${escapeHtml(t.caption)}</caption>${head}<tbody>${rows}</tbody></table>${note}`;
}

const details = (summary: string, body: string): string => `<details><summary>${escapeHtml(summary)}</summary>${body}</details>`;

const figure = (svg: string, caption: string): string => `<figure>${svg}<figcaption>${escapeHtml(caption)}</figcaption></figure>`;

function offSupplyFigure(r: Report): string {
  const first = r.policies[0]?.offSupplySeries;
  const bucketMinutes = first?.bucketMinutes ?? 60;
  const bucket = bucketWords(bucketMinutes);
  const peaks = r.policies.map((p) => `${p.policy}: at most ${formatCount(Math.max(0, ...p.offSupplySeries.consumersOff))}`).join('; ');
  const svg = timeLineChart({
    id: CHART_IDS.offSupply,
    title: 'Consumers off supply over time',
    desc: `For each ${bucket} from ${formatUkDateTime(first?.start ?? r.run.start)}, the consumers with at least one fuel off supply, one line per policy. ${peaks}.`,
    yLabel: `Consumers off supply in the ${bucket}`,
    startMs: Date.parse(first?.start ?? r.run.start),
    bucketMinutes,
    series: r.policies.map((p) => ({ name: p.policy, values: p.offSupplySeries.consumersOff })),
  });
  return figure(svg, `A consumer counts in each ${bucket} in which at least one of its fuels was off at any moment, whatever the cause.`);
}

function safeModeFigure(r: Report): string {
  const categories = safeModeCategories(r);
  const svg = groupedBarChart({
    id: CHART_IDS.safeMode,
    kind: 'safe-mode-distribution',
    title: 'Time from the Authority instruction to Credit mode',
    desc: `Meters by how long they took to reach Credit mode after the instruction, and those that never did, one bar per policy in each band. ${r.policies
      .map(
        (p) =>
          `${p.policy}: ${formatCount(p.timeToSafeMode.applied)} of ${formatCount(p.timeToSafeMode.meters)} meters reached Credit mode`,
      )
      .join('; ')}.`,
    xLabel: 'Time from the instruction to Credit mode (bands not of equal width)',
    yLabel: 'Meters',
    unit: 'meters',
    categories: categories.map((label) => ({ label, meaning: label === 'never' ? 'not in Credit mode when the run ended' : '' })),
    series: r.policies.map((p) => ({ name: p.policy, values: safeModeCounts(p, categories) })),
  });
  return figure(
    svg,
    'Each band holds the meters that reached Credit mode within it; “never” are those still not in Credit mode at the end.',
  );
}

function requestsFigure(r: Report): string {
  const codes = responseCodes(r);
  const svg = groupedBarChart({
    id: CHART_IDS.requests,
    kind: 'request-outcomes',
    title: 'Service request outcomes by response code',
    desc: `Service requests by the response code they ended with, one bar per policy for each code: ${codes
      .map((c) => `${c} (${describeResponseCode(c)})`)
      .join('; ')}.`,
    xLabel: 'Response code (meanings in the table below)',
    yLabel: 'Service requests',
    unit: 'requests',
    categories: codes.map((c) => ({ label: c, meaning: describeResponseCode(c) })),
    series: r.policies.map((p) => ({ name: p.policy, values: codes.map((c) => requestsWithCode(p, c)) })),
  });
  return figure(svg, 'I0 is success; E codes are refusals and failures; X codes are this twin’s own.');
}

/** A failed assertion's story: who, which devices, what happened and when. */
function story(a: AssertionResult, index: number): string {
  const head =
    `<article class="story" id="story-${index}"><h3>✗ ${escapeHtml(a.name)}</h3>` +
    `<p>Policy: ${escapeHtml(a.policy ?? 'all policies')}</p>` +
    `<p>Expected: ${escapeHtml(a.expected)}<br />Actual: ${escapeHtml(a.actual)}</p>`;
  const s = a.story;
  if (s === null) return `${head}<p>No single consumer’s story shows this failure.</p></article>`;
  const devices = s.devices
    .map((d) => `<li>${escapeHtml(DEVICE_WORDS[d.kind] ?? d.kind)} (${escapeHtml(d.kind)}) <code>${escapeHtml(d.id)}</code></li>`)
    .join('');
  const events = s.events
    .map((e) => `<li><time datetime="${escapeHtml(e.at)}">${escapeHtml(formatUkDateTime(e.at))}</time> — ${escapeHtml(e.text)}</li>`)
    .join('');
  return (
    `${head}<p>Consumer <strong>${escapeHtml(s.consumer)}</strong>; devices:</p><ul>${devices}</ul>` +
    `<p>What happened (UK time):</p><ol>${events}</ol></article>`
  );
}
