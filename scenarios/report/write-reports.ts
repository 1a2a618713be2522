import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Report } from './report-model.ts';
import { writeHtml } from './write-html.ts';
import { writeJson } from './write-json.ts';
import { writeMarkdown } from './write-markdown.ts';

/** Where `writeReports` put the three files. */
export interface ReportPaths {
  readonly json: string;
  readonly markdown: string;
  readonly html: string;
}

/**
 * Writes `report.json`, `report.md` and `report.html` into `outDir`
 * (created if missing) and returns their paths. The only part of the report
 * code that touches files.
 */
export async function writeReports(report: Report, outDir: string): Promise<ReportPaths> {
  await mkdir(outDir, { recursive: true });
  const paths: ReportPaths = { json: join(outDir, 'report.json'), markdown: join(outDir, 'report.md'), html: join(outDir, 'report.html') };
  await Promise.all([
    writeFile(paths.json, writeJson(report)),
    writeFile(paths.markdown, writeMarkdown(report)),
    writeFile(paths.html, writeHtml(report)),
  ]);
  return paths;
}
