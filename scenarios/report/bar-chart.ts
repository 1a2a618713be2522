import { CHAR_PX, legend, niceTicks, noData, plotLeft, px, seriesColour, svgOpen, valueAxis, type Plot } from './chart-frame.ts';
import { escapeHtml } from './escape.ts';

/** A category on the bar chart's horizontal axis. */
export interface BarCategory {
  /** Short label under the bars, e.g. `E4`. */
  readonly label: string;
  /** What it means, for the bars' tooltips and screen readers; `''` when the label says it all. */
  readonly meaning: string;
}

/** What a grouped bar chart shows: one bar per series in each category. */
export interface BarChart {
  readonly id: string;
  /** Names the kind of chart in `data-chart`, for readers and tests. */
  readonly kind: string;
  readonly title: string;
  readonly desc: string;
  readonly xLabel: string;
  readonly yLabel: string;
  /** What one unit of a bar is, plural: `meters`, `requests`. */
  readonly unit: string;
  readonly categories: readonly BarCategory[];
  /** One per policy; `values[j]` is the bar in category `j`. */
  readonly series: readonly { readonly name: string; readonly values: readonly number[] }[];
}

const WIDTH = 880;

/**
 * A grouped bar chart: for each category a bar per series, side by side,
 * each bar with a tooltip that says its series, category, meaning and count,
 * and the count written above it when there is room. Labels too long for
 * their place are turned to a slant.
 */
export function groupedBarChart(c: BarChart): string {
  const key = legend(
    c.series.map((s) => s.name),
    'bar',
    70,
    40,
    WIDTH - 90,
  );
  const top = 40 + key.height + 8;
  const ticks = niceTicks(Math.max(0, ...c.series.flatMap((s) => s.values)));
  const left = plotLeft(ticks);
  const band = (WIDTH - 20 - left) / Math.max(1, c.categories.length);
  const longest = Math.max(0, ...c.categories.map((k) => k.label.length));
  const slant = longest * CHAR_PX > band - 6;
  const labelSpace = slant ? 20 + longest * CHAR_PX * 0.5 : 24;
  const height = Math.round(top + 220 + labelSpace + 28);
  const plot: Plot = { left, top, width: WIDTH - 20 - left, height: 220 };
  const parts = [svgOpen(c.id, c.kind, c.title, c.desc, WIDTH, height), key.svg];
  const scaleTop = ticks.at(-1) ?? 1;
  parts.push(valueAxis(plot, ticks, c.yLabel));
  if (c.categories.length === 0 || c.series.length === 0) {
    parts.push(noData(plot, 'Nothing to show'), '</svg>');
    return parts.join('');
  }
  const gap = Math.min(12, band * 0.2);
  const barWidth = (band - gap) / c.series.length;
  const showValues = barWidth >= 14;
  const base = plot.top + plot.height;
  c.categories.forEach((cat, j) => {
    const x0 = plot.left + j * band + gap / 2;
    c.series.forEach((s, i) => {
      const v = s.values[j] ?? 0;
      const h = (v / scaleTop) * plot.height;
      const x = x0 + i * barWidth;
      const what = `${s.name} — ${cat.label}${cat.meaning === '' ? '' : ` (${cat.meaning})`}: ${v.toLocaleString('en-GB')} ${c.unit}`;
      parts.push(
        `<rect data-bar="${i}" x="${px(x)}" y="${px(base - h)}" width="${px(Math.max(1, barWidth - 1))}" height="${px(h)}" fill="${seriesColour(i)}">` +
          `<title>${escapeHtml(what)}</title></rect>`,
      );
      if (showValues && v > 0) {
        parts.push(
          `<text x="${px(x + barWidth / 2)}" y="${px(base - h - 4)}" text-anchor="middle" font-size="10" aria-hidden="true">${v.toLocaleString('en-GB')}</text>`,
        );
      }
    });
    const cx = px(plot.left + j * band + band / 2);
    parts.push(
      slant
        ? `<text transform="translate(${cx} ${base + 14}) rotate(-30)" text-anchor="end" aria-hidden="true">${escapeHtml(cat.label)}</text>`
        : `<text x="${cx}" y="${base + 16}" text-anchor="middle" aria-hidden="true">${escapeHtml(cat.label)}</text>`,
    );
  });
  parts.push(`<text x="${px(plot.left + plot.width / 2)}" y="${height - 8}" text-anchor="middle">${escapeHtml(c.xLabel)}</text>`, '</svg>');
  return parts.join('');
}
