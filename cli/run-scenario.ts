import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { AssertionResult, PolicyResult, Report } from '../scenarios/report/report-model.ts';
import { buildReport } from '../scenarios/runner/build-report.ts';
import { checkAssertions } from '../scenarios/runner/check-assertions.ts';
import { planOf, playScenario } from '../scenarios/runner/play-scenario.ts';
import { policyResult } from '../scenarios/runner/policy-result.ts';
import type { SolrPlan } from '../scenarios/runner/solr-plan.ts';
import { defaultLevers } from '../scenarios/schema/policy-plan.ts';
import { busWords, playScenarioOnBus, type BusChoice } from '../scenarios/runner/bus-run.ts';
import { DAY_MS } from '../core/time/duration.ts';
import { writeReports } from '../scenarios/report/write-reports.ts';
import { loadScenarioFile } from '../scenarios/schema/load.ts';
import { formatFieldError } from '../core/errors.ts';
import { LIBRARY } from '../scenarios/library/index.ts';
import { NAME as FLAGSHIP } from '../scenarios/library/solr-disorderly-exit.ts';
import { runLocal } from '../scale/launch.ts';
import { POLICY_NAMES, type PolicyName } from '../scenarios/schema/scenario.ts';
import { progressBar } from './progress.ts';

/**
 * `smets-twin run <name>` and `smets-twin list`: the scenario library from the
 * command line. A mistake is a message and exit code 2; a failed assertion
 * is exit code 1, after the summary and the report are out.
 */

export const RUN_USAGE = `run options:
  --premises N     homes in the estate (default: the scenario's)
  --days D         simulated days (default: the scenario's)
  --seed S         run seed: the same seed gives the same report
  --policy P[,P]   none, mp134a, mp134a+mp185, mp134b, or all (default: the scenario's)
  --out DIR        where report.html, report.md and report.json go (default out/<scenario>)
  --bus B          in-process (default: the DSP and the meters call each other), memory, embedded
                   (the twin's MQTT broker, with per-identity credentials and ACL), or a broker URL
                   (mqtt://, mqtts://, ws://, wss://); the same run gives the same report on each
  --shards N       run the flagship on N shards (worker threads over the --bus broker, embedded by default); same report for any N
  --quiet          no progress bar
`;

export function runList(): number {
  for (const s of LIBRARY.values()) process.stdout.write(`${s.name.padEnd(24)} ${s.description}\n`);
  return 0;
}

export async function runScenarioCommand(argv: readonly string[], fail: (message: string) => number): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        premises: { type: 'string' },
        days: { type: 'string' },
        seed: { type: 'string' },
        policy: { type: 'string' },
        out: { type: 'string' },
        bus: { type: 'string' },
        shards: { type: 'string' },
        quiet: { type: 'boolean' },
      },
      strict: true,
    });
  } catch (e) {
    return fail(e instanceof Error ? e.message : String(e));
  }
  const { values: args, positionals } = parsed;
  const name = positionals[0];
  if (name === undefined) return fail('run: name a scenario (smets-twin list shows them)');
  const whole = (flag: string, v: string | undefined, max: number): number | undefined | string => {
    if (v === undefined) return undefined;
    const n = Number(v);
    return Number.isInteger(n) && n >= 1 && n <= max ? n : `--${flag}: expected a whole number from 1 to ${max}, got "${v}"`;
  };
  const shards = whole('shards', args.shards, 64);
  if (typeof shards === 'string') return fail(shards);
  // Only the flagship has a sharded engine (scale/solr-engine.ts).
  if (shards !== undefined && name !== FLAGSHIP) return fail(`--shards: only ${FLAGSHIP} runs sharded, got "${name}"`);
  const scenario = LIBRARY.get(name);
  const isFile = scenario === undefined && /\.(ya?ml|json|m?ts|m?js)$/.test(name);
  if (scenario === undefined && !isFile) return fail(`run: no scenario "${name}" (smets-twin list shows them)`);
  const premises = whole('premises', args.premises, 1_000_000);
  const days = whole('days', args.days, 366);
  if (typeof premises === 'string') return fail(premises);
  if (typeof days === 'string') return fail(days);
  let policies: PolicyName[] | undefined;
  if (args.policy !== undefined) {
    const names = args.policy === 'all' ? [...POLICY_NAMES] : args.policy.split(',');
    const bad = names.find((p) => !(POLICY_NAMES as readonly string[]).includes(p));
    if (bad !== undefined) return fail(`--policy: expected ${POLICY_NAMES.join(', ')} or all, got "${bad}"`);
    policies = names as PolicyName[];
  }
  let bus: BusChoice | undefined;
  if (args.bus !== undefined && args.bus !== 'in-process') {
    if (args.bus === 'memory' || args.bus === 'embedded') bus = { kind: args.bus };
    else if (/^(mqtts?|wss?):\/\//.test(args.bus)) bus = { kind: 'url', url: args.bus };
    else return fail(`--bus: expected in-process, memory, embedded or a broker URL (mqtt://…), got "${args.bus}"`);
  }
  if (shards !== undefined) {
    if (args.bus === 'memory' || args.bus === 'in-process')
      return fail(`--bus: the shards of a --shards run talk over an MQTT broker: use embedded or a broker URL, got "${args.bus}"`);
    const report = await runSharded({ shards, premises, days, seed: args.seed, policies, bus, quiet: args.quiet === true });
    if (typeof report === 'string') {
      process.stderr.write(`run: ${report}\n`);
      return 1;
    }
    return finish(report, args.out ?? join('out', name), fail);
  }
  if (scenario === undefined)
    return runFile(name, { premises, days, seed: args.seed, policies, out: args.out, quiet: args.quiet === true, bus }, fail);
  const bar = args.quiet === true ? null : progressBar(process.stderr, days ?? 28, 'day');
  const report = await scenario.run({
    ...(premises === undefined ? {} : { premises }),
    ...(days === undefined ? {} : { days }),
    ...(args.seed === undefined ? {} : { seed: args.seed }),
    ...(policies === undefined ? {} : { policies }),
    onProgress: (_policy, day) => bar?.update(day),
    ...(bus === undefined ? {} : { bus }),
    wallClock: () => performance.now(),
  });
  bar?.done();
  return finish(report, args.out ?? join('out', name), fail);
}

/** Prints the summary and writes the reports: exit code 0, or 1 when an assertion failed. */
async function finish(report: Report, out: string, fail: (message: string) => number): Promise<number> {
  process.stdout.write(summaryText(report));
  let paths;
  try {
    paths = await writeReports(report, out);
  } catch (e) {
    return fail(`--out: cannot write to ${out}: ${e instanceof Error ? e.message : String(e)}`);
  }
  process.stdout.write(`\nReports: ${paths.html} (open in a browser), ${paths.markdown}, ${paths.json}\n`);
  return report.assertions.every((a) => a.passed) ? 0 : 1;
}

/** Options of a sharded flagship run, as the command line gave them. */
interface ShardedRunOptions {
  readonly shards: number;
  readonly premises: number | undefined;
  readonly days: number | undefined;
  readonly seed: string | undefined;
  readonly policies: readonly PolicyName[] | undefined;
  /** Undefined or embedded: a broker started for the run. */
  readonly bus: BusChoice | undefined;
  readonly quiet: boolean;
}

/**
 * `smets-twin run solr-disorderly-exit --shards N`: each policy as one
 * sharded run on worker threads, the reports merged into one. The report,
 * or why a run failed.
 */
async function runSharded(o: ShardedRunOptions): Promise<Report | string> {
  const started = performance.now();
  const reports: Report[] = [];
  for (const policy of o.policies ?? ['mp134b']) {
    if (!o.quiet) process.stderr.write(`sharded run: policy ${policy} on ${o.shards} shard${o.shards === 1 ? '' : 's'}…\n`);
    const run = await runLocal({
      mode: 'workers',
      shards: o.shards,
      engine: 'solr',
      // The engine's default estate is small; the flagship's, as run in process, is 50 000 homes.
      config: { premises: o.premises ?? 50_000, days: o.days ?? 28, seed: o.seed ?? 'solr-2027', policy },
      ...(o.bus?.kind === 'url' ? { brokerUrl: o.bus.url } : {}),
      // A window of a large estate can take longer than the runtime's 30 s default.
      doneTimeoutMs: 30 * 60_000,
      setupTimeoutMs: 30 * 60_000,
    });
    if (!run.ok) return run.error.message;
    reports.push(JSON.parse(new TextDecoder().decode(run.outcome.result)) as Report);
  }
  const [first] = reports;
  if (first === undefined) return 'no policy to run';
  const over = busWords(o.bus ?? { kind: 'embedded' });
  return {
    ...first,
    run: {
      ...first.run,
      wallClockSeconds: Math.round((performance.now() - started) / 100) / 10,
      bus: `${first.run.bus}, ${o.shards} shard${o.shards === 1 ? '' : 's'} (worker threads) over ${over}`,
    },
    policies: reports.flatMap((r) => r.policies),
    assertions: reports.flatMap((r) => r.assertions),
  };
}

/** The run's outcome in a few lines a reader can check. */
export function summaryText(r: Report): string {
  const lines: string[] = [];
  lines.push(
    `${r.run.scenario}: ${r.run.premises.toLocaleString('en-GB')} homes, ${r.run.days} days from ${r.run.start}, seed ${r.run.seed}`,
  );
  lines.push('');
  lines.push(
    `${'policy'.padEnd(14)} ${'prepayment homes'.padStart(16)} ${'ever off'.padStart(9)} ${'home-hours off'.padStart(15)} ${'safe mode p50 / p95'.padStart(20)}`,
  );
  for (const p of r.policies) {
    const g = p.outcomes.prepayment;
    const pc = p.timeToSafeMode.percentilesMinutes;
    const safe = pc === null ? 'never' : `${fmtMin(pc.p50)} / ${fmtMin(pc.p95)}`;
    lines.push(
      `${p.policy.padEnd(14)} ${String(g.consumers).padStart(16)} ${String(g.consumersEverOff).padStart(9)} ${Math.round(
        g.consumerMinutesOff / 60,
      )
        .toLocaleString('en-GB')
        .padStart(15)} ${safe.padStart(20)}`,
    );
  }
  lines.push('');
  for (const p of r.policies) {
    const codes = p.serviceRequests.map(
      (u) =>
        `${u.user}: ${Object.entries(u.byCode)
          .map(([c, n]) => `${c}×${n}`)
          .join(' ')}`,
    );
    lines.push(`${p.policy}: requests ${codes.join('; ') || 'none'}`);
  }
  if (r.assertions.length > 0) {
    lines.push('');
    for (const a of r.assertions) lines.push(`${a.passed ? '✓' : '✗'} ${a.name}${a.passed ? '' : ` — ${a.actual}`}`);
  }
  return `${lines.join('\n')}\n`;
}

const fmtMin = (m: number): string => (m < 120 ? `${Math.round(m)} min` : `${(m / 60).toFixed(1)} h`);

/** Options of a file run, as the command line gave them. */
interface FileRunOptions {
  readonly premises: number | undefined;
  readonly days: number | undefined;
  readonly seed: string | undefined;
  readonly policies: readonly PolicyName[] | undefined;
  readonly out: string | undefined;
  readonly quiet: boolean;
  readonly bus: BusChoice | undefined;
}

/**
 * `smets-twin run <file>`: a scenario file, validated, then played under its
 * policy (or each policy `--policy` names) on the in-process world.
 */
async function runFile(file: string, o: FileRunOptions, fail: (message: string) => number): Promise<number> {
  const loaded = await loadScenarioFile(file);
  if (!loaded.ok) {
    process.stderr.write(`${file}: ${loaded.error.length} ${loaded.error.length === 1 ? 'problem' : 'problems'}\n`);
    for (const e of loaded.error) process.stderr.write(`  ${formatFieldError(e)}\n`);
    return 2;
  }
  const base = loaded.value;
  const days = o.days ?? base.days;
  const end = base.start + days * DAY_MS;
  const scenario = {
    ...base,
    ...(o.seed === undefined ? {} : { seed: o.seed }),
    days,
    end,
    estate: { ...base.estate, premises: o.premises ?? base.estate.premises },
    // Events and assertions after a shortened run go with it.
    timeline: base.timeline.filter((e) => e.at < end),
    assertions: base.assertions.filter((a) => !('at' in a) || a.at < end),
  };
  const policies = o.policies ?? [scenario.policy.name];
  const started = performance.now();
  const results: PolicyResult[] = [];
  const assertions: AssertionResult[] = [];
  let firstPlan: SolrPlan | undefined;
  for (const name of policies) {
    const s = name === scenario.policy.name ? scenario : { ...scenario, policy: { name, levers: defaultLevers(name) } };
    const plan = planOf(s);
    if (!plan.ok) {
      process.stderr.write(`${file}: cannot be run in process\n`);
      for (const e of plan.error) process.stderr.write(`  ${formatFieldError(e)}\n`);
      return 2;
    }
    firstPlan ??= plan.value;
    const bar = o.quiet ? null : progressBar(process.stderr, s.days, 'day');
    const onDay = (day: number): void => bar?.update(day);
    const played = o.bus === undefined ? playScenario(s, plan.value, onDay) : await playScenarioOnBus(s, plan.value, o.bus, onDay);
    bar?.done();
    const result = policyResult(played.run);
    results.push(result);
    assertions.push(...checkAssertions(s, played, result));
  }
  if (firstPlan === undefined) return fail('run: no policy to run');
  const p = scenario.parties;
  const report = buildReport(
    scenario.name,
    scenario.description,
    firstPlan,
    results,
    assertions,
    performance.now() - started,
    { failed: p.failedSupplier.name, srp: p.srp.name, solr: p.solr.name },
    busWords(o.bus),
  );
  return finish(report, o.out ?? join('out', scenario.name), fail);
}

/**
 * `smets-twin validate <file>`: reads and checks a scenario file. Every
 * mistake is printed with its field path and what was expected; exit 0 when
 * the file is valid, 1 when it is not, 2 for a usage mistake.
 */
export async function runValidate(argv: readonly string[], fail: (message: string) => number): Promise<number> {
  const [file, ...extra] = argv;
  if (file === undefined || file.startsWith('-')) return fail('validate: name a scenario file (.yaml, .yml, .json, .ts, .mjs)');
  if (extra.length > 0) return fail(`validate: one file at a time, got also "${extra.join(' ')}"`);
  const r = await loadScenarioFile(file);
  if (!r.ok) {
    process.stdout.write(`${file}: ${r.error.length} ${r.error.length === 1 ? 'problem' : 'problems'}\n`);
    for (const e of r.error) process.stdout.write(`  ${formatFieldError(e)}\n`);
    return 1;
  }
  const s = r.value;
  process.stdout.write(
    `${file}: valid — "${s.name}", ${s.estate.premises.toLocaleString('en-GB')} homes, ${s.days} days, policy ${s.policy.name}, ` +
      `${s.timeline.length} timeline events, ${s.assertions.length} assertions\n`,
  );
  return 0;
}
