import { escapeHtml } from './escape.ts';

/**
 * What the report's SVG charts share: the colours and dash patterns of
 * series (policy `i` looks the same in every chart), the value axis, the
 * legend and the opening of an accessible `<svg>`. Charts are plain SVG
 * drawn here, so the report needs no script or library to show them.
 */

/**
 * Series colours: dark enough for at least 3:1 contrast on white (WCAG
 * 1.4.11 for graphics), and told apart by dash pattern too, for readers who
 * do not see the colours apart.
 */
const PALETTE = ['#0b5fa5', '#b8430b', '#1a7f55', '#8e3b86', '#3d3d3d', '#7a6200'];
const DASHES = ['', '8 4', '2 3', '10 3 2 3', '4 4', '1 3'];

export const seriesColour = (i: number): string => PALETTE[i % PALETTE.length] ?? '#000000';
export const seriesDash = (i: number): string => DASHES[i % DASHES.length] ?? '';

/** Text colour and rules, with at least 4.5:1 contrast on white for text. */
export const INK = '#1a1a1a';
export const GRID = '#d0d0d0';

/** Approximate width of a character of 12 px sans-serif text, for layout without measuring. */
export const CHAR_PX = 6.6;

/** A plot area inside a chart. */
export interface Plot {
  readonly left: number;
  readonly top: number;
  readonly width: number;
  readonly height: number;
}

/** Rounds a coordinate to 0.1 px: enough for the eye, and keeps the file small. */
export const px = (v: number): string => String(Math.round(v * 10) / 10);

/**
 * The opening of a chart: an `<svg>` with a role, a title and a description
 * (read out by screen readers), and `data-chart` naming the kind of chart.
 */
export function svgOpen(id: string, kind: string, title: string, desc: string, width: number, height: number): string {
  const t = escapeHtml(title);
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" class="chart" id="${id}" data-chart="${kind}" viewBox="0 0 ${width} ${height}" ` +
    `width="${width}" height="${height}" role="img" aria-labelledby="${id}-title ${id}-desc" font-family="system-ui, sans-serif" font-size="12" fill="${INK}">` +
    `<title id="${id}-title">${t}</title><desc id="${id}-desc">${escapeHtml(desc)}</desc>` +
    `<text x="${width / 2}" y="18" text-anchor="middle" font-size="15" font-weight="600">${t}</text>`
  );
}

/** Value-axis ticks from 0: a step of 1, 2 or 5 × 10ⁿ, at most about six ticks, the last at or above `max`. */
export function niceTicks(max: number): number[] {
  if (!(max > 0)) return [0, 1];
  const rough = max / 5;
  const magnitude = 10 ** Math.floor(Math.log10(rough));
  const step = Math.max(1, ([1, 2, 5, 10].find((m) => m * magnitude >= rough) ?? 10) * magnitude);
  const ticks: number[] = [];
  for (let v = 0; v < max + step; v += step) ticks.push(v);
  return ticks;
}

/** Where the plot starts on the left: past the widest value label and the axis title beside it. */
export const plotLeft = (ticks: readonly number[]): number =>
  Math.max(70, Math.ceil(34 + CHAR_PX * Math.max(0, ...ticks.map((v) => v.toLocaleString('en-GB').length))));

/** Horizontal grid lines and labels of the value axis, with its title turned up the left side. */
export function valueAxis(plot: Plot, ticks: readonly number[], label: string): string {
  const top = ticks.at(-1) ?? 1;
  const parts = ticks.map((v) => {
    const y = px(plot.top + plot.height - (v / top) * plot.height);
    return (
      `<line x1="${plot.left}" x2="${plot.left + plot.width}" y1="${y}" y2="${y}" stroke="${GRID}"/>` +
      `<text x="${plot.left - 6}" y="${y}" text-anchor="end" dominant-baseline="middle">${v.toLocaleString('en-GB')}</text>`
    );
  });
  const mid = px(plot.top + plot.height / 2);
  parts.push(`<text transform="translate(16 ${mid}) rotate(-90)" text-anchor="middle">${escapeHtml(label)}</text>`);
  parts.push(
    `<line x1="${plot.left}" x2="${plot.left}" y1="${plot.top}" y2="${plot.top + plot.height}" stroke="${INK}"/>` +
      `<line x1="${plot.left}" x2="${plot.left + plot.width}" y1="${plot.top + plot.height}" y2="${plot.top + plot.height}" stroke="${INK}"/>`,
  );
  return `<g class="axis" aria-hidden="true">${parts.join('')}</g>`;
}

/**
 * A legend across the top, wrapping onto more rows when the names do not
 * fit; returns the SVG and the height it takes. Names are cut at 60
 * characters (the full name is in the tables).
 */
export function legend(
  names: readonly string[],
  kind: 'line' | 'bar',
  x: number,
  y: number,
  width: number,
): { svg: string; height: number } {
  const rowHeight = 18;
  let cx = x;
  let cy = y;
  const items = names.map((raw, i) => {
    const name = raw.length > 60 ? `${raw.slice(0, 59)}…` : raw;
    const w = 34 + name.length * CHAR_PX + 16;
    if (cx > x && cx + w > x + width) {
      cx = x;
      cy += rowHeight;
    }
    const swatch =
      kind === 'line'
        ? `<line x1="${px(cx)}" x2="${px(cx + 26)}" y1="${cy}" y2="${cy}" stroke="${seriesColour(i)}" stroke-width="3"${dashAttr(i)}/>`
        : `<rect x="${px(cx + 6)}" y="${cy - 6}" width="14" height="12" fill="${seriesColour(i)}"/>`;
    const item = `<g data-legend="${i}">${swatch}<text x="${px(cx + 34)}" y="${cy}" dominant-baseline="middle">${escapeHtml(name)}</text></g>`;
    cx += w;
    return item;
  });
  return { svg: `<g class="legend">${items.join('')}</g>`, height: cy - y + rowHeight };
}

/** The `stroke-dasharray` attribute of series `i`, or nothing for a solid line. */
export const dashAttr = (i: number): string => (seriesDash(i) === '' ? '' : ` stroke-dasharray="${seriesDash(i)}"`);

/** A centred message in an empty plot. */
export const noData = (plot: Plot, text: string): string =>
  `<text x="${px(plot.left + plot.width / 2)}" y="${px(plot.top + plot.height / 2)}" text-anchor="middle">${escapeHtml(text)}</text>`;
