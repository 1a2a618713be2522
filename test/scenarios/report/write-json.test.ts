import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeJson } from '../../../scenarios/report/write-json.ts';
import { writeReports } from '../../../scenarios/report/write-reports.ts';
import { validate } from './json-schema-subset.ts';
import { SAMPLE_REPORT } from './sample-report.ts';

const schema = JSON.parse(readFileSync(new URL('../../../scenarios/report/report.schema.json', import.meta.url), 'utf8')) as Record<
  string,
  unknown
>;

describe('writeJson', () => {
  it('round-trips: parsing the text gives the report back', () => {
    expect(JSON.parse(writeJson(SAMPLE_REPORT))).toEqual(SAMPLE_REPORT);
  });

  it('writes what the published schema describes', () => {
    expect(validate(schema, JSON.parse(writeJson(SAMPLE_REPORT)))).toEqual([]);
  });

  it('is the same text every time, indented, with a final newline', () => {
    const text = writeJson(SAMPLE_REPORT);
    expect(writeJson(structuredClone(SAMPLE_REPORT))).toBe(text);
    expect(text.startsWith('{\n  "reportVersion": 1,')).toBe(true);
    expect(text.endsWith('}\n')).toBe(true);
  });
});

describe('writeReports', () => {
  it('writes report.json, report.md and report.html into a new folder and returns their paths', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'smets-report-'));
    try {
      const out = join(dir, 'nested', 'out');
      const paths = await writeReports(SAMPLE_REPORT, out);
      expect(paths).toEqual({ json: join(out, 'report.json'), markdown: join(out, 'report.md'), html: join(out, 'report.html') });
      expect(JSON.parse(await readFile(paths.json, 'utf8'))).toEqual(SAMPLE_REPORT);
      expect(await readFile(paths.markdown, 'utf8')).toMatch(/^# Scenario report: /);
      expect(await readFile(paths.html, 'utf8')).toMatch(/^<!DOCTYPE html>/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
