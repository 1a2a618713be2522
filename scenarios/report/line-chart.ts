import { HOUR_MS, MINUTE_MS } from '../../core/time/duration.ts';
import { ukLocalDayStart, ukNextLocalDayStart } from '../../core/time/uk-time.ts';
import {
  dashAttr,
  GRID,
  INK,
  legend,
  niceTicks,
  noData,
  plotLeft,
  px,
  seriesColour,
  svgOpen,
  valueAxis,
  type Plot,
} from './chart-frame.ts';
import { escapeHtml } from './escape.ts';
import { formatUkClock, formatUkDayMonth } from './report-format.ts';

/** One line of a time chart: a value per bucket. */
export interface TimeSeries {
  readonly name: string;
  readonly values: readonly number[];
}

/** What a time chart shows. Buckets start at `startMs` and are `bucketMinutes` long. */
export interface TimeChart {
  readonly id: string;
  readonly title: string;
  /** What the chart shows, for readers who cannot see it. */
  readonly desc: string;
  readonly yLabel: string;
  readonly startMs: number;
  readonly bucketMinutes: number;
  readonly series: readonly TimeSeries[];
}

const WIDTH = 880;
const HEIGHT = 380;

/**
 * A line chart over time, one line per series, drawn as steps: a value
 * holds for its whole bucket, which is what a count per hour means. The
 * time axis is labelled with UK local dates (or times of day, for a run
 * shorter than two days).
 */
export function timeLineChart(c: TimeChart): string {
  const names = c.series.map((s) => s.name);
  const key = legend(names, 'line', 70, 40, WIDTH - 90);
  const buckets = Math.max(0, ...c.series.map((s) => s.values.length));
  const ticks = buckets === 0 ? [0, 1] : niceTicks(Math.max(0, ...c.series.flatMap((s) => s.values)));
  const left = plotLeft(ticks);
  const plot: Plot = { left, top: 40 + key.height + 8, width: WIDTH - 20 - left, height: HEIGHT - (40 + key.height + 8) - 62 };
  const bucketMs = c.bucketMinutes * MINUTE_MS;
  const endMs = c.startMs + buckets * bucketMs;
  const parts = [svgOpen(c.id, 'time-series', c.title, c.desc, WIDTH, HEIGHT), key.svg];
  if (buckets === 0) {
    parts.push(valueAxis(plot, ticks, c.yLabel), noData(plot, 'No data to show'), '</svg>');
    return parts.join('');
  }
  const top = ticks.at(-1) ?? 1;
  const x = (ms: number): number => plot.left + ((ms - c.startMs) / (endMs - c.startMs)) * plot.width;
  const y = (v: number): number => plot.top + plot.height - (v / top) * plot.height;
  parts.push(valueAxis(plot, ticks, c.yLabel), timeAxis(plot, c.startMs, endMs, x));
  c.series.forEach((s, i) => {
    let d = '';
    s.values.forEach((v, k) => {
      const x0 = px(x(c.startMs + k * bucketMs));
      d += k === 0 ? `M${x0} ${px(y(v))}` : `H${x0}V${px(y(v))}`;
    });
    d += `H${px(x(c.startMs + s.values.length * bucketMs))}`;
    parts.push(
      `<g data-series="${i}"><title>${escapeHtml(s.name)}</title>` +
        `<path d="${d}" fill="none" stroke="${seriesColour(i)}" stroke-width="2"${dashAttr(i)} stroke-linejoin="round"/></g>`,
    );
  });
  parts.push('</svg>');
  return parts.join('');
}

/** The time axis: ticks, labels and the axis title. */
function timeAxis(plot: Plot, startMs: number, endMs: number, x: (ms: number) => number): string {
  const ticks = timeTicks(startMs, endMs);
  const base = plot.top + plot.height;
  const marks = ticks.map(
    (t) =>
      `<line x1="${px(x(t.at))}" x2="${px(x(t.at))}" y1="${plot.top}" y2="${base + 5}" stroke="${GRID}"/>` +
      `<text x="${px(x(t.at))}" y="${base + 18}" text-anchor="middle">${escapeHtml(t.label)}</text>`,
  );
  const title = `<text x="${px(plot.left + plot.width / 2)}" y="${base + 44}" text-anchor="middle" fill="${INK}">Date (UK time)</text>`;
  return `<g class="axis" aria-hidden="true">${marks.join('')}${title}</g>`;
}

/**
 * Where to label the time axis: UK local midnights, every day or every few
 * days or weeks so that at most eight are labelled; for less than two days,
 * hours of the day instead.
 */
export function timeTicks(startMs: number, endMs: number): { at: number; label: string }[] {
  const midnights: number[] = [];
  for (let m = ukLocalDayStart(startMs); m <= endMs; m = ukNextLocalDayStart(m)) if (m >= startMs) midnights.push(m);
  if (midnights.length >= 2) {
    const every = [1, 2, 7, 14, 28, 56, 91, 182, 364].find((k) => Math.ceil(midnights.length / k) <= 8) ?? 364;
    return midnights.filter((_, i) => i % every === 0).map((at) => ({ at, label: formatUkDayMonth(at) }));
  }
  const hours = [1, 2, 3, 6, 12].find((h) => (endMs - startMs) / (h * HOUR_MS) <= 8) ?? 24;
  const ticks: { at: number; label: string }[] = [];
  for (let at = Math.ceil(startMs / HOUR_MS) * HOUR_MS; at <= endMs; at += hours * HOUR_MS) {
    ticks.push({ at, label: `${formatUkDayMonth(at)} ${formatUkClock(at)}` });
  }
  return ticks;
}
