import { fieldError, type FieldError } from '../../core/errors.ts';
import { err, ok, type Result } from '../../core/result.ts';

/**
 * The topics and client ids of a sharded run. Everything lives under
 * `smets/sim/{runId}/`, beside the twin's other topics (`smets/sim/clock` is
 * the one-process barrier's), so an observer subscribed to `smets/#` sees it.
 *
 * | topic                              | from → to             | carries                                           |
 * | ---------------------------------- | --------------------- | ------------------------------------------------- |
 * | `smets/sim/{run}/coordinator`      | shards → coordinator  | hello, done, result, failed; the shards' wills    |
 * | `smets/sim/{run}/to/{clientId}`    | coordinator → a shard | hello-ack, release, finish, abort (to that shard) |
 * | `smets/sim/{run}/all`              | coordinator → shards  | abort or end; the coordinator's will (an abort)   |
 * | `smets/sim/{run}/shard/{k}`        | shard → shard k       | batches of cross messages (direct routing)        |
 *
 * All QoS 1, never retained. Control goes to a shard by client id, not by
 * index, because a shard may not know its index until the coordinator assigns
 * one (`--shard auto`, as in `docker compose up --scale shard=4`).
 */

/** The first levels of every topic of the protocol. */
export const SCALE_ROOT = 'smets/sim';

const RUN_ID = /^[0-9A-Za-z_-]{1,24}$/;
const RUN_ID_EXPECTED = '1 to 24 letters, digits, "_" or "-"';

/**
 * A run id: names the run's topics and client ids, so two runs can share a
 * broker. Short and plain, so client ids stay within the bus's rules
 * (`sim.<name>`, at most 40 characters of name).
 */
export function checkRunId(raw: unknown, path = 'runId'): Result<string, FieldError> {
  if (typeof raw !== 'string') return err(fieldError(path, 'type', RUN_ID_EXPECTED, raw));
  if (!RUN_ID.test(raw)) return err(fieldError(path, 'format', RUN_ID_EXPECTED, raw));
  return ok(raw);
}

/** The topics of one run. */
export interface RunTopics {
  readonly coordinator: string;
  /** To every shard: the end of the run, or an abort. */
  readonly all: string;
  /** Control for one shard, by its client id. */
  to(clientId: string): string;
  /** Direct routing: cross messages for shard `k`. */
  shard(k: number): string;
}

/** The topics of run `runId` (checked by `checkRunId`; anything else is a bug). */
export function runTopics(runId: string): RunTopics {
  if (!RUN_ID.test(runId)) throw new TypeError(`runTopics: bad run id ${JSON.stringify(runId)}`);
  const base = `${SCALE_ROOT}/${runId}`;
  return {
    coordinator: `${base}/coordinator`,
    all: `${base}/all`,
    to: (clientId) => `${base}/to/${clientId}`,
    shard: (k) => `${base}/shard/${k}`,
  };
}

/** The coordinator's client id: `sim.{runId}-coord`. */
export const coordinatorClientId = (runId: string): string => `sim.${runId}-coord`;

/**
 * A shard's client id: `sim.{runId}-s{k}-{nonce}` (or `-sx-` before it has an
 * index). The nonce keeps two processes started for the same index from
 * taking each other's connection over at the broker; the coordinator then
 * sees both and refuses the second.
 */
export function shardClientId(runId: string, shard: number | null, nonce: string): string {
  if (!/^[0-9a-z]{1,8}$/.test(nonce)) throw new TypeError(`shardClientId: bad nonce ${JSON.stringify(nonce)}`);
  return `sim.${runId}-s${shard === null ? 'x' : String(shard)}-${nonce}`;
}
