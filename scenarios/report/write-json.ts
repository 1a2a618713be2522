import type { Report } from './report-model.ts';

/**
 * `report.json`: the report as JSON, two-space indented for a reader who
 * opens it, with a final newline. `report.schema.json` describes it. Keys
 * keep the order the report was built in, so one scenario and seed always
 * give the same text but for `wallClockSeconds`.
 */
export function writeJson(report: Report): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}
