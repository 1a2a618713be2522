import { execFile, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const bin = fileURLToPath(new URL('../../bin/smets-twin.mjs', import.meta.url));
const SMALL_SOLR = fileURLToPath(new URL('../../scenarios/examples/small-solr.yaml', import.meta.url));

const run = async (...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> => {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [bin, ...args]);
    return { code: 0, stdout, stderr };
  } catch (e) {
    const x = e as { code: number; stdout: string; stderr: string };
    return { code: x.code, stdout: x.stdout, stderr: x.stderr };
  }
};

describe('smets-twin serve from the command line', () => {
  it('prints where the status page, the admin API, the DUIS services and the credentials are; serves; Ctrl-C stops it cleanly', async () => {
    const child = spawn(
      process.execPath,
      [
        bin,
        'serve',
        SMALL_SOLR,
        '--port',
        '0',
        '--speed',
        '3600',
        '--premises',
        '6',
        '--external',
        'srp',
        '--receive-url',
        'srp=http://127.0.0.1:9/r',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      const deadline = Date.now() + 60_000;
      while (!out.includes('Ctrl-C stops.') && Date.now() < deadline && child.exitCode === null)
        await new Promise((r) => setTimeout(r, 50));
      expect(out, err).toContain('Ctrl-C stops.');
      const status = /status page\s+(http:\/\/127\.0\.0\.1:\d+\/)/.exec(out)?.[1];
      expect(status).toBeDefined();
      expect(out).toMatch(/admin API\s+http:\/\/127\.0\.0\.1:\d+\/api\/admin/);
      expect(out).toMatch(/DUIS services\s+POST http:\/\/127\.0\.0\.1:\d+\/api\/v1\/serviceS, .*serviceT, .*serviceD\n/);
      expect(out).toContain(
        'external       Shared Resource Provider (90-B3-D5-1F-30-05-00-00): the twin sends none of its scripted requests',
      );
      expect(out).toMatch(/its credentials: out\/rehearsal\/small-solr\/credentials\/srp/);
      expect(out).toContain('Shared Resource Provider receives asynchronous responses and alerts at http://127.0.0.1:9/r');
      expect(out).toMatch(/speed 3600× \(a simulated day in 24 s\)/);
      const res = await fetch(`${status}api/status`);
      expect(res.status).toBe(200);
      expect(((await res.json()) as { scenario: { name: string } }).scenario.name).toBe('small-solr');
      child.kill('SIGINT');
      expect(await exited).toBe(0);
      expect(out).toContain('smets-twin serve: stopped');
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  }, 90_000);

  it('a mistake is a message and exit code 2, never a stack trace', async () => {
    const r = await run('serve', 'solr-disorderly-exit', '--speed', 'fast');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--speed: expected a number from 0.001 to 1000000, got "fast"');
    const p = await run('serve', 'solr-disorderly-exit', '--premises', '3', '--external', 'mars', '--port', '0');
    expect(p.code).toBe(2);
    expect(p.stderr).toMatch(
      /external\[0\]: unknown-kind — expected a party of the scenario \(failed, srp, solr\) or its EUI-64, got "mars"/,
    );
    expect(p.stderr).not.toMatch(/\n\s+at /);
    const none = await run('serve');
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('serve: name a scenario');
  }, 90_000);

  it('help lists serve and its options', async () => {
    const r = await run('serve', '--help');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('serve     run a scenario live on paced time');
    expect(r.stdout).toContain('--external P');
    expect(r.stdout).toContain('--receive-url P=URL');
  }, 60_000);
});
