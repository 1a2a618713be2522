import { writeFileSync } from 'node:fs';
import { formatFieldError } from '../core/errors.ts';
import { parseLocalCommand } from './config.ts';
import { runLocal } from './launch.ts';
import { summarise } from './summary.ts';

/**
 * A whole sharded run on this machine: the coordinator in this process, N
 * shards as worker threads or child processes, over an embedded broker or
 * the one at `--broker`.
 *
 *   node --import tsx scale/run-main.ts --shards 4 --mode workers --config '{"seed":1,"entities":10000}'
 *   node --import tsx scale/run-main.ts --shards 2 --mode processes --broker mqtt://127.0.0.1:1883 --config '{"seed":1}'
 *
 * Prints the outcome as one JSON line. Exit codes: 0 done, 1 the run failed, 2 bad configuration.
 */
const parsed = parseLocalCommand(process.argv.slice(2), process.env);
if (!parsed.ok) {
  console.error(`run: ${formatFieldError(parsed.error)}`);
  process.exit(2);
}
const c = parsed.value;
const run = await runLocal({
  mode: c.mode,
  ...(c.broker === 'embedded' ? {} : { brokerUrl: c.broker }),
  ...(c.runId === undefined ? {} : { runId: c.runId }),
  shards: c.shards,
  engine: c.engine,
  config: c.config,
  routing: c.routing,
  ...(c.doneTimeoutMs === undefined ? {} : { doneTimeoutMs: c.doneTimeoutMs }),
});
if (run.ok) {
  if (c.out !== undefined) writeFileSync(c.out, run.outcome.result);
  console.log(JSON.stringify(summarise(run.outcome)));
} else {
  console.error(`run: ${run.error.message}`);
  for (const e of run.exits)
    if (e.code !== 0) console.error(`  ${e.label}: exit ${e.code ?? e.signal}${e.killed ? ' (killed)' : ''} ${e.detail}`);
  process.exitCode = 1;
}
