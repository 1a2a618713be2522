import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHART_IDS } from '../../../scenarios/report/write-html.ts';
import { writeReports } from '../../../scenarios/report/write-reports.ts';
import { dumpDom, skipChromium } from './chromium.ts';
import { SAMPLE_REPORT } from './sample-report.ts';

/**
 * The HTML report opened in headless Chromium: every chart is in the
 * rendered DOM and was drawn with a size. The report's own script writes
 * each chart's drawn size (`getBBox` and the laid-out box) into
 * `data-rendered`; the charts themselves need no script.
 */
describe.skipIf(skipChromium)('report.html in a browser', () => {
  let dir = '';
  let dom = '';

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'smets-report-browser-'));
    const paths = await writeReports(SAMPLE_REPORT, dir);
    dom = await dumpDom(paths.html);
  }, 90_000);

  afterAll(async () => {
    if (dir !== '') await rm(dir, { recursive: true, force: true });
  });

  /** The opening tag of the rendered `<svg>` with `id`. */
  const svgTag = (id: string): string => {
    const m = new RegExp(`<svg[^>]*\\sid="${id}"[^>]*>`).exec(dom);
    expect(m, `chart ${id} in the rendered DOM`).not.toBeNull();
    return m?.[0] ?? '';
  };

  it.each(Object.entries(CHART_IDS))('draws the %s chart with a size', (_name, id) => {
    const rendered = /data-rendered="([^"]*)"/.exec(svgTag(id))?.[1];
    expect(rendered, `${id} ran no measuring script`).toBeDefined();
    const [bboxWidth, bboxHeight, boxWidth, boxHeight] = (rendered ?? '').split(' ').map(Number);
    for (const v of [bboxWidth, bboxHeight, boxWidth, boxHeight]) expect(v).toBeGreaterThan(0);
  });

  it('keeps the charts’ lines and bars in the rendered DOM', () => {
    const chart = (id: string): string => {
      const start = dom.indexOf(svgTag(id));
      return dom.slice(start, dom.indexOf('</svg>', start));
    };
    expect(chart(CHART_IDS.offSupply).match(/<path /g)).toHaveLength(2);
    expect(chart(CHART_IDS.requests).match(/<rect data-bar=/g)).toHaveLength(10);
  });

  it('shows the escaped scenario name as text and runs no script from it', () => {
    expect(dom).toContain('<h1>Scenario report: Supplier X fails &lt;script&gt;alert("x")&lt;/script&gt; &amp; co</h1>');
    expect(dom.match(/<script/g)).toHaveLength(1);
  });
});

describe.skipIf(skipChromium)('a real run’s report.html in a browser', () => {
  it('policy-comparison at a small size: every chart drawn with a size, one off-supply line per policy', async () => {
    const { LIBRARY } = await import('../../../scenarios/library/index.ts');
    const report = await LIBRARY.get('policy-comparison')!.run({ premises: 120, days: 6, seed: 'browser' });
    const dir = await mkdtemp(join(tmpdir(), 'smets-report-real-'));
    try {
      const dom = await dumpDom((await writeReports(report, dir)).html);
      for (const id of Object.values(CHART_IDS)) {
        const tag = new RegExp(`<svg[^>]*\\sid="${id}"[^>]*>`).exec(dom)?.[0] ?? '';
        const sizes = (/data-rendered="([^"]*)"/.exec(tag)?.[1] ?? '').split(' ').map(Number);
        expect(sizes.length, `chart ${id}`).toBe(4);
        for (const v of sizes) expect(v).toBeGreaterThan(0);
      }
      const start = dom.search(new RegExp(`<svg[^>]*\\sid="${CHART_IDS.offSupply}"`));
      expect(dom.slice(start, dom.indexOf('</svg>', start)).match(/<path /g)).toHaveLength(4);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 90_000);
});
