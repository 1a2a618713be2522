import { formatFieldError } from '../core/errors.ts';
import { parseShardCommand } from './config.ts';
import { runShardJob } from './jobs.ts';
import { ScaleAbortedError } from './protocol/failure.ts';

/**
 * One shard of a sharded run, as a process: on this machine (`scale/launch.ts`
 * starts these), in a container, or by hand on another machine.
 *
 *   node --import tsx scale/shard-main.ts --broker mqtt://HOST:1883 --run ID --shard K --of N --config '{"seed":1}'
 *
 * Every option can come from the environment instead (`SMETS_BROKER_URL`,
 * `SMETS_RUN_ID`, `SMETS_SHARD`, `SMETS_SHARDS`, … — see `scale/config.ts`).
 * Prints one JSON line when done. Exit codes: 0 done, 1 the run failed or was
 * aborted, 2 bad configuration.
 */
const parsed = parseShardCommand(process.argv.slice(2), process.env);
if (!parsed.ok) {
  console.error(`shard: ${formatFieldError(parsed.error)}`);
  process.exit(2);
}
try {
  const outcome = await runShardJob(parsed.value);
  console.log(JSON.stringify(outcome));
} catch (error) {
  console.error(
    `shard ${parsed.value.shard}: ${error instanceof ScaleAbortedError || error instanceof Error ? error.message : String(error)}`,
  );
  process.exitCode = 1;
}
