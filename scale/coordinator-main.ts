import { writeFileSync } from 'node:fs';
import { formatFieldError } from '../core/errors.ts';
import { parseCoordinatorCommand } from './config.ts';
import { runCoordinatorJob } from './jobs.ts';
import { summarise } from './summary.ts';

/**
 * The coordinator of a sharded run, as a process (a container, or by hand):
 *
 *   node --import tsx scale/coordinator-main.ts --broker mqtt://HOST:1883 --run ID --shards N --config '{"seed":1}'
 *
 * Every option can come from the environment instead (`SMETS_BROKER_URL`,
 * `SMETS_RUN_ID`, `SMETS_SHARDS`, … — see `scale/config.ts`). Prints the
 * outcome as one JSON line (`--out FILE` also writes the merged result).
 * Exit codes: 0 done, 1 the run failed, 2 bad configuration.
 */
const parsed = parseCoordinatorCommand(process.argv.slice(2), process.env);
if (!parsed.ok) {
  console.error(`coordinator: ${formatFieldError(parsed.error)}`);
  process.exit(2);
}
// Once the outcome is out, a stop (a container supervisor reacting to the shards' exit) is no failure.
let reported = false;
process.on('SIGTERM', () => process.exit(reported ? 0 : 143));
try {
  await runCoordinatorJob(parsed.value.job, {
    // Reported before the shards are told the run is complete, and exit.
    completed: (outcome) => {
      if (parsed.value.out !== undefined) writeFileSync(parsed.value.out, outcome.result);
      console.log(JSON.stringify(summarise(outcome)));
      reported = true;
    },
  });
} catch (error) {
  console.error(`coordinator: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}
