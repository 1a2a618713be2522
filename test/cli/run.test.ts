import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const bin = fileURLToPath(new URL('../../bin/smets-twin.mjs', import.meta.url));
const run = async (...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> => {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [bin, ...args]);
    return { code: 0, stdout, stderr };
  } catch (e) {
    const x = e as { code: number; stdout: string; stderr: string };
    return { code: x.code, stdout: x.stdout, stderr: x.stderr };
  }
};
const out = mkdtempSync(join(tmpdir(), 'smets-run-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('smets-twin run and list', () => {
  it('list names every library scenario', async () => {
    const r = await run('list');
    expect(r.code).toBe(0);
    for (const name of [
      'solr-disorderly-exit',
      'policy-comparison',
      'srp-role-escalation',
      'wan-outage-during-solr',
      'gas-sleepy-meters',
      'smets1-estate',
      'change-of-supplier-cutover',
    ]) {
      expect(r.stdout).toContain(name);
    }
  });

  it('run prints the outcome table and the assertions, writes the three reports, and exits 0 when every assertion holds', async () => {
    const r = await run(
      'run',
      'solr-disorderly-exit',
      '--premises',
      '60',
      '--days',
      '5',
      '--policy',
      'none,mp134b',
      '--quiet',
      '--out',
      out,
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^policy +prepayment homes +ever off/m);
    expect(r.stdout).toMatch(/^none /m);
    expect(r.stdout).toContain('✓ every SR 1.6 from the SRP is Credit-only');
    for (const f of ['report.json', 'report.md', 'report.html']) expect(existsSync(join(out, f))).toBe(true);
    expect(JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'))).toMatchObject({
      run: { scenario: 'solr-disorderly-exit', premises: 60 },
    });
  }, 60_000);

  it('a mistake is a message naming it and exit code 2, never a stack trace', async () => {
    for (const args of [
      ['run', 'no-such'],
      ['run', 'solr-disorderly-exit', '--policy', 'mp999'],
      ['run', 'solr-disorderly-exit', '--premises', '0'],
    ]) {
      const r = await run(...args);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/^smets-twin: /);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  });

  it('validate: a valid file says what it holds (exit 0); an invalid one lists each mistake with its field path (exit 1)', async () => {
    const good = await run('validate', fileURLToPath(new URL('../../scenarios/examples/small-solr.yaml', import.meta.url)));
    expect(good.code).toBe(0);
    expect(good.stdout).toMatch(/valid — "small-solr", 500 homes, 28 days, policy mp134b/);
    const bad = join(out, 'bad.json');
    writeFileSync(bad, JSON.stringify({ name: 'x', estate: { premises: -3, prepaymentShar: 0.2 } }));
    const r = await run('validate', bad);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('estate.premises: range');
    expect(r.stdout).toContain('did you mean "prepaymentShare"');
    expect(r.stderr).toBe('');
  });

  it('run <file>: a scenario file is validated and played, its assertions checked, its reports written', async () => {
    const file = fileURLToPath(new URL('../../scenarios/examples/small-solr.yaml', import.meta.url));
    const dir = join(out, 'file');
    const r = await run('run', file, '--premises', '80', '--days', '8', '--quiet', '--out', dir);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('✓ request srp-to-prepayment ends X5');
    expect(r.stdout).toMatch(/^mp134b /m);
    expect(existsSync(join(dir, 'report.html'))).toBe(true);
    expect([0, 1]).toContain(r.code);
  }, 60_000);

  it('compare runs one estate under all four policies side by side', async () => {
    const r = await run('compare', 'solr-disorderly-exit', '--premises', '20', '--days', '3', '--quiet', '--out', join(out, 'compare'));
    expect(r.stderr).toBe('');
    for (const p of ['none', 'mp134a', 'mp134a+mp185', 'mp134b']) expect(r.stdout).toMatch(new RegExp(`^${p.replace('+', '\\+')} `, 'm'));
  }, 60_000);

  it('run <file> gives the same report on the memory bus and on the embedded broker', async () => {
    const file = fileURLToPath(new URL('../../scenarios/examples/small-solr.yaml', import.meta.url));
    const reports = [];
    for (const bus of ['memory', 'embedded']) {
      const dir = join(out, `file-${bus}`);
      const r = await run('run', file, '--premises', '40', '--days', '6', '--bus', bus, '--quiet', '--out', dir);
      expect(r.stderr).toBe('');
      const report = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as { run: Record<string, unknown> };
      reports.push({ ...report, run: { ...report.run, wallClockSeconds: 0, bus: '' } });
    }
    expect(reports[1]).toEqual(reports[0]);
  }, 60_000);

  it('run escalation.json: every request of the file gets the code it expects, the rival supplier included', async () => {
    const file = fileURLToPath(new URL('../../scenarios/examples/escalation.json', import.meta.url));
    const r = await run('run', file, '--quiet', '--out', join(out, 'escalation'));
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('✓ request rival-supplier ends E4');
    expect(r.stdout).not.toContain('✗');
  }, 60_000);
});
