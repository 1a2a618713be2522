import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { runScenarioCommand } from '../../cli/run-scenario.ts';
import type { Report } from '../../scenarios/report/report-model.ts';

// `smets-twin run solr-disorderly-exit --shards N`: the flagship on worker-thread shards over the embedded broker.

const root = join('out', `test-run-shards-${process.pid}`);
mkdirSync(root, { recursive: true });
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Runs the command with stdout muted; a usage mistake is recorded, not printed. */
async function run(...argv: string[]): Promise<{ code: number; failed: string[] }> {
  const failed: string[] = [];
  const muted = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  try {
    const code = await runScenarioCommand(argv, (message) => {
      failed.push(message);
      return 2;
    });
    return { code, failed };
  } finally {
    muted.mockRestore();
  }
}

const readReport = (dir: string): Report => JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as Report;

describe('smets-twin run --shards', () => {
  it('runs the flagship on 2 shards and gives the report of 1 shard, but for the wall clock and the bus', async () => {
    const two = join(root, 'two');
    const one = join(root, 'one');
    const common = ['solr-disorderly-exit', '--premises', '120', '--days', '8', '--quiet'];
    const r2 = await run(...common, '--shards', '2', '--out', two);
    expect(r2).toEqual({ code: 0, failed: [] });
    const r1 = await run(...common, '--shards', '1', '--out', one);
    expect(r1).toEqual({ code: 0, failed: [] });
    const a = readReport(two);
    const b = readReport(one);
    expect(a.policies.map((p) => p.policy)).toEqual(['mp134b']);
    expect(a.policies[0]?.outcomes.all.consumers).toBe(120);
    expect(a.run.premises).toBe(120);
    expect(a.run.days).toBe(8);
    expect(a.run.bus).toMatch(/2 shards \(worker threads\) over embedded MQTT broker \(aedes\)$/);
    expect(b.run.bus).toMatch(/1 shard \(worker threads\)/);
    expect(a.assertions.length).toBeGreaterThan(0);
    expect(a.policies).toEqual(b.policies);
    expect(a.assertions).toEqual(b.assertions);
    const { wallClockSeconds: _a, bus: _ab, ...runA } = a.run;
    const { wallClockSeconds: _b, bus: _bb, ...runB } = b.run;
    expect(runA).toEqual(runB);
  }, 180_000);

  it('a bad --shards, a scenario without a sharded engine, or a bus without a broker is a message and exit code 2', async () => {
    for (const [args, said] of [
      [['solr-disorderly-exit', '--shards', '0'], /^--shards: expected a whole number from 1 to 64, got "0"/],
      [['solr-disorderly-exit', '--shards', 'x'], /^--shards: expected a whole number from 1 to 64, got "x"/],
      [['solr-disorderly-exit', '--shards', '65'], /^--shards: /],
      [['gas-and-cutover', '--shards', '2'], /^--shards: only solr-disorderly-exit runs sharded, got "gas-and-cutover"/],
      [['gas-sleepy-meters', '--shards', '2'], /^--shards: only solr-disorderly-exit runs sharded, got "gas-sleepy-meters"/],
      [['scenarios/examples/small-solr.yaml', '--shards', '2'], /^--shards: only solr-disorderly-exit runs sharded/],
      [['solr-disorderly-exit', '--shards', '2', '--bus', 'memory'], /^--bus: .*broker.*got "memory"/],
      [['solr-disorderly-exit', '--shards', '2', '--bus', 'in-process'], /^--bus: .*broker.*got "in-process"/],
    ] as const) {
      const r = await run(...args, '--quiet', '--out', join(root, 'never'));
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.failed, args.join(' ')).toHaveLength(1);
      expect(r.failed[0], args.join(' ')).toMatch(said);
    }
  });
});
