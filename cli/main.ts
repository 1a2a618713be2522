import { parseArgs } from 'node:util';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { formatFieldError } from '../core/errors.ts';
import { parseFleetOptions } from '../emulator/fleet/fleet-options.ts';
import { runFleet } from '../emulator/fleet/parallel-fleet.ts';
import { summarise, formatSummary } from '../emulator/fleet/fleet-summary.ts';
import { progressBar } from './progress.ts';
import { runBroker } from './broker.ts';
import { runWatch } from './watch.ts';
import { RUN_USAGE, runList, runScenarioCommand, runValidate } from './run-scenario.ts';
import { SERVE_USAGE, runServe } from './serve.ts';

const USAGE = `usage: smets-twin <command> [options]

commands:
  run       run a library scenario (a supplier failure) and write its report; exit 1 if an assertion fails
  compare   run a scenario under every policy (none, mp134a, mp134a+mp185, mp134b) side by side: run --policy all
  list      list the library scenarios
  validate  check a scenario file (YAML, JSON or a module): every mistake with its field path
  fleet     run a device-only fleet of prepayment homes and print their supply outcomes
  broker    run the embedded MQTT broker in the foreground until Ctrl-C
  watch     print the messages on the bus, one line each, until Ctrl-C
  serve     run a scenario live on paced time for outside systems: status page, admin API, DUIS services

${RUN_USAGE}
${SERVE_USAGE}
fleet options:
  --premises N     number of premises (default 1000)
  --days D         simulated days (default 28)
  --seed S         run seed: the same seed gives the same outcomes (default 1)
  --start DATE     start, ISO date or date-time (default 2026-01-05, UK local midnight)
  --prepayment F   share of premises in prepayment mode, 0..1 (default 1)
  --workers W      worker threads (default: one per core)
  --json FILE      also write the full result (every consumer's timeline) as JSON
  --quiet          no progress bar

broker options (prints its URL; listens on loopback only, no authorisation):
  --port P         TCP port, 0 for any free one (default 1883)
  --host H         127.0.0.1, ::1 or localhost (default 127.0.0.1)

watch options (exit status: 0 done, 1 connection lost, 2 bad option or no broker):
  --url URL            the broker, mqtt:// mqtts:// ws:// or wss:// (default mqtt://127.0.0.1:1883)
  --filter F           MQTT topic filter (default smets/#)
  --client-id ID       observer identity obs.<name> (default obs.watch-<pid>)
  --count N            exit after N messages
  --json               one JSON object per message instead of a line (64-bit counters and bytes as strings)
  --connect-timeout MS how long to wait for the broker (default 5000)
`;

/** Parses the command line; a user's mistake is a message and exit code 2, never a stack trace. */
async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(USAGE);
    return command === undefined ? 2 : 0;
  }
  if (command === 'broker' || command === 'watch') {
    if (rest.includes('--help') || rest.includes('-h')) {
      process.stdout.write(USAGE);
      return 0;
    }
    return command === 'broker' ? runBroker(rest) : runWatch(rest);
  }
  if (command === 'list') return runList();
  if (command === 'compare') {
    if (rest.includes('--help') || rest.includes('-h')) {
      process.stdout.write(USAGE);
      return 0;
    }
    // One estate and seed under every policy, unless --policy names fewer.
    return runScenarioCommand(rest.includes('--policy') ? rest : [...rest, '--policy', 'all'], fail);
  }
  if (command === 'validate') return runValidate(rest, fail);
  if (command === 'serve') {
    if (rest.includes('--help') || rest.includes('-h')) {
      process.stdout.write(USAGE);
      return 0;
    }
    return runServe(rest, { fail });
  }
  if (command === 'run') {
    if (rest.includes('--help') || rest.includes('-h')) {
      process.stdout.write(USAGE);
      return 0;
    }
    return runScenarioCommand(rest, fail);
  }
  if (command !== 'fleet') return fail(`unknown command "${command}"`);
  let args;
  try {
    args = parseArgs({
      args: [...rest],
      options: {
        premises: { type: 'string' },
        days: { type: 'string' },
        seed: { type: 'string' },
        start: { type: 'string' },
        prepayment: { type: 'string' },
        workers: { type: 'string' },
        json: { type: 'string' },
        quiet: { type: 'boolean' },
      },
      strict: true,
    }).values;
  } catch (e) {
    return fail(e instanceof Error ? e.message : String(e));
  }
  const raw: Record<string, unknown> = {};
  const numbers = { premises: 'premises', days: 'days', prepayment: 'prepaymentShare' } as const;
  for (const [flag, key] of Object.entries(numbers)) {
    const v = args[flag as keyof typeof numbers];
    if (v === undefined) continue;
    const n = Number(v);
    if (v.trim() === '' || !Number.isFinite(n)) return fail(`--${flag}: expected a number, got "${v}"`);
    raw[key] = n;
  }
  if (args.seed !== undefined) raw['seed'] = args.seed;
  if (args.start !== undefined) raw['start'] = args.start;
  const options = parseFleetOptions(raw, 'fleet');
  if (!options.ok) return fail(formatFieldError(options.error));
  const workers = args.workers === undefined ? undefined : Number(args.workers);
  if (workers !== undefined && (!Number.isInteger(workers) || workers < 1 || workers > 64)) {
    return fail(`--workers: expected a whole number from 1 to 64, got "${args.workers}"`);
  }
  const bar = args.quiet ? null : progressBar(process.stderr, options.value.days, 'day');
  const wall = performance.now();
  const result = await runFleet(options.value, raw, workers, bar?.update);
  const seconds = (performance.now() - wall) / 1000;
  bar?.done();
  process.stdout.write(`${formatSummary(result, summarise(result))}\n\n`);
  process.stdout.write(
    `Ran ${result.meterDays.toLocaleString('en-GB')} meter-days in ${seconds.toFixed(1)} s ` +
      `(${Math.round(result.meterDays / seconds).toLocaleString('en-GB')} meter-days/s, ` +
      `${(result.machineEvents / result.meterDays).toFixed(2)} machine events per meter-day)\n`,
  );
  if (args.json !== undefined) {
    try {
      mkdirSync(dirname(args.json), { recursive: true });
      writeFileSync(args.json, JSON.stringify(result));
    } catch (e) {
      return fail(`--json: cannot write ${args.json}: ${e instanceof Error ? e.message : String(e)}`);
    }
    process.stdout.write(`Wrote ${args.json}\n`);
  }
  return 0;
}

function fail(message: string): number {
  process.stderr.write(`smets-twin: ${message}\n\n${USAGE}`);
  return 2;
}

// A reader that stops reading (`smets-twin run … | head`) is not an error.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw e;
});

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    // Reaching here is a bug in smets-twin, not a user's mistake: say so plainly.
    process.stderr.write(`smets-twin: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exitCode = 1;
  },
);
