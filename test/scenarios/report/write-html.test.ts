import { describe, expect, it } from 'vitest';
import { SAFE_MODE_BANDS, type Report } from '../../../scenarios/report/report-model.ts';
import { CHART_IDS, writeHtml } from '../../../scenarios/report/write-html.ts';
import { wellFormedProblems } from './html-well-formed.ts';
import { SAMPLE_REPORT } from './sample-report.ts';

const html = writeHtml(SAMPLE_REPORT);

/** The `<svg>` element with `id`, whole. */
function chart(id: string): string {
  const start = html.indexOf(`<svg xmlns="http://www.w3.org/2000/svg" class="chart" id="${id}"`);
  expect(start, `chart ${id}`).toBeGreaterThanOrEqual(0);
  return html.slice(start, html.indexOf('</svg>', start) + '</svg>'.length);
}

const count = (s: string, re: RegExp): number => s.match(re)?.length ?? 0;

describe('writeHtml', () => {
  it('is well formed', () => {
    expect(wellFormedProblems(html)).toEqual([]);
  });

  it('has exactly one SVG per chart, each with a title and a description', () => {
    expect(count(html, /<svg /g)).toBe(3);
    for (const id of Object.values(CHART_IDS)) {
      const svg = chart(id);
      expect(svg).toContain(`role="img" aria-labelledby="${id}-title ${id}-desc"`);
      expect(svg).toMatch(new RegExp(`<title id="${id}-title">[^<]+</title><desc id="${id}-desc">[^<]+</desc>`));
    }
  });

  it('draws consumers off supply over time as one line per policy, with a legend and dated axis', () => {
    const svg = chart(CHART_IDS.offSupply);
    expect(count(svg, /<g data-series="\d+">/g)).toBe(2);
    expect(count(svg, /<path /g)).toBe(2);
    expect(count(svg, /<g data-legend="\d+">/g)).toBe(2);
    for (const label of ['5 Jan', '6 Jan', '7 Jan', '8 Jan', 'Date (UK time)', 'Consumers off supply in the hour'])
      expect(svg).toContain(`>${label}<`);
  });

  it('draws time to safe mode as a bar per policy in each band and for never', () => {
    const svg = chart(CHART_IDS.safeMode);
    expect(count(svg, /<rect data-bar="\d+"/g)).toBe((SAFE_MODE_BANDS.length + 1) * 2);
    expect(svg).toContain('SRP sends SR 1.6 &lt;Credit&gt; — never (not in Credit mode when the run ended): 2 meters');
  });

  it('draws service request outcomes as a bar per policy for each response code', () => {
    const svg = chart(CHART_IDS.requests);
    expect(count(svg, /<rect data-bar="\d+"/g)).toBe(5 * 2);
    expect(svg).toContain('SRP sends SR 1.6 &lt;Credit&gt; — I0 (success): 24 requests');
  });

  it('has the alerts, audit trail and the failed assertion’s story', () => {
    expect(html).toContain('<table id="table-alerts"><caption>Alerts and who received them</caption>');
    expect(html).toContain('<td class="r fail">✗ no: breaks at record 41 (hash does not match the record)</td>');
    expect(html).toContain('<article class="story" id="story-0"><h3>✗ No vulnerable consumer off for more than 60 minutes</h3>');
    expect(html).toContain(
      '<li><time datetime="2026-01-05T20:00:00Z">Mon 5 Jan 2026 20:00</time> — The Authority instructs the SRP &lt;now&gt;</li>',
    );
  });

  it('escapes a script in the scenario name: the only script is its own', () => {
    expect(count(html, /<script/gi)).toBe(1);
    expect(html).toContain('<h1>Scenario report: Supplier X fails &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; co</h1>');
    expect(html).not.toContain('alert("x")');
  });

  it('escapes names in attributes and charts too', () => {
    const hostile: Report = {
      ...SAMPLE_REPORT,
      policies: SAMPLE_REPORT.policies.map((p) => ({ ...p, policy: `"><img src=x onerror=alert(1)>${p.policy}` })),
    };
    const out = writeHtml(hostile);
    expect(out).not.toMatch(/<img/i);
    expect(wellFormedProblems(out)).toEqual([]);
  });

  it('is self-contained: loads nothing, and says so in its content security policy', () => {
    expect(html).not.toMatch(/\s(src|href)="(?!#)/);
    expect(html).not.toMatch(/@import|url\(/);
    expect(html).toMatch(/<meta http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;; style-src &#39;sha256-/);
  });

  it('draws charts with nothing in them rather than failing', () => {
    const empty: Report = {
      ...SAMPLE_REPORT,
      policies: SAMPLE_REPORT.policies.map((p) => ({
        ...p,
        serviceRequests: [],
        offSupplySeries: { ...p.offSupplySeries, consumersOff: [] },
      })),
    };
    const out = writeHtml(empty);
    expect(wellFormedProblems(out)).toEqual([]);
    expect(count(out, /<svg /g)).toBe(3);
    expect(out).toContain('No data to show');
  });
});

describe('the well-formedness check itself', () => {
  it.each([
    ['<!DOCTYPE html><p><b>x</p></b>', '</p> at'],
    ['<!DOCTYPE html><p>a & b</p>', 'bare &'],
    ['<!DOCTYPE html><p>a > b</p>', 'bare >'],
    ['<!DOCTYPE html><p title=x>a</p>', 'malformed tag'],
    ['<!DOCTYPE html><div><p>a</p>', 'not closed: div'],
    ['<p>a</p>', 'no <!DOCTYPE html>'],
  ])('finds the fault in %s', (doc, problem) => {
    expect(wellFormedProblems(doc).join('\n')).toContain(problem);
  });

  it('accepts void elements, self-closed SVG and entities', () => {
    expect(wellFormedProblems('<!DOCTYPE html><p>a &amp; b &#39;<br /><svg><line x1="0"/></svg></p>')).toEqual([]);
  });
});
