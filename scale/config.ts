import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { fieldError, type FieldError } from '../core/errors.ts';
import { err, ok, type Result } from '../core/result.ts';
import type { Routing } from '../proto/scale-codec.ts';
import { engineSpecOf } from './engines.ts';
import type { CoordinatorJob, ShardJob } from './jobs.ts';
import { checkRunId } from './protocol/topics.ts';

/**
 * The command lines of `scale/shard-main.ts`, `scale/coordinator-main.ts` and
 * `scale/run-main.ts`, each option also readable from the environment (for
 * containers); an option on the command line wins. Bad input is a FieldError
 * naming the option. // docs/scale-out.md "Configuration"
 *
 * | option               | environment                | meaning                                                        |
 * | -------------------- | -------------------------- | -------------------------------------------------------------- |
 * | `--broker URL`       | `SMETS_BROKER_URL`         | the broker, `mqtt://host:1883`                                 |
 * | `--run ID`           | `SMETS_RUN_ID`             | the run id: names topics and client ids                         |
 * | `--shard K`          | `SMETS_SHARD`              | a shard's index, 0..N-1, or `auto` (the coordinator assigns)   |
 * | `--of N`, `--shards` | `SMETS_SHARDS`             | the number of shards                                           |
 * | `--engine NAME`      | `SMETS_ENGINE`             | the engine kind; default `toy`                                 |
 * | `--config JSON`      | `SMETS_ENGINE_CONFIG`      | the engine's configuration; default `{}`, its defaults         |
 * | `--config-file PATH` | `SMETS_ENGINE_CONFIG_FILE` | … or a file holding it                                         |
 * | `--routing R`        | `SMETS_ROUTING`            | `coordinator` (default) or `direct`                            |
 * | `--done-timeout-ms`  | `SMETS_DONE_TIMEOUT_MS`    | coordinator: a shard's limit per window; default 30 000        |
 * | `--setup-timeout-ms` | `SMETS_SETUP_TIMEOUT_MS`   | coordinator: building the engines; default 600 000             |
 * | `--hello-timeout-ms` | `SMETS_HELLO_TIMEOUT_MS`   | waiting for the other side to say hello; default 600 000       |
 * | `--connect-retry-ms` | `SMETS_CONNECT_RETRY_MS`   | retrying an unreachable broker; default 30 000                 |
 * | `--keepalive-s`      | `SMETS_KEEPALIVE_S`        | MQTT keepalive in seconds; default 300                         |
 * | `--out PATH`         | `SMETS_OUT`                | coordinator: write the merged result there                      |
 */

type Env = Readonly<Record<string, string | undefined>>;

const COMMON = {
  broker: { type: 'string' },
  run: { type: 'string' },
  engine: { type: 'string' },
  config: { type: 'string' },
  'config-file': { type: 'string' },
  routing: { type: 'string' },
  'hello-timeout-ms': { type: 'string' },
  'connect-retry-ms': { type: 'string' },
  'keepalive-s': { type: 'string' },
} as const;

/** A shard's job from its command line and environment. */
export function parseShardCommand(argv: readonly string[], env: Env): Result<ShardJob, FieldError> {
  const args = parse(argv, {
    ...COMMON,
    shard: { type: 'string' },
    of: { type: 'string' },
    shards: { type: 'string' },
    'hello-interval-ms': { type: 'string' },
  });
  if (!args.ok) return args;
  const get = getter(args.value, env);
  const common = readCommon(get);
  if (!common.ok) return common;
  const shards = readInt(get('of', 'SMETS_SHARDS') ?? get('shards', 'SMETS_SHARDS'), '--of', 1, 10_000, true);
  if (!shards.ok) return shards;
  const rawShard = get('shard', 'SMETS_SHARD');
  let shard: number | 'auto';
  if (rawShard === undefined) return err(fieldError('--shard', 'required', 'a shard index or auto', undefined));
  if (rawShard === 'auto') shard = 'auto';
  else {
    const k = readInt(rawShard, '--shard', 0, shards.value! - 1, true);
    if (!k.ok) return k;
    shard = k.value!;
  }
  const interval = readInt(get('hello-interval-ms', 'SMETS_HELLO_INTERVAL_MS'), '--hello-interval-ms', 10, 3_600_000, false);
  if (!interval.ok) return interval;
  return ok({
    ...common.value,
    shard,
    shards: shards.value!,
    ...(interval.value === undefined ? {} : { helloIntervalMs: interval.value }),
  });
}

/** The coordinator's job from its command line and environment, and where to write the result. */
export function parseCoordinatorCommand(
  argv: readonly string[],
  env: Env,
): Result<{ job: CoordinatorJob; out: string | undefined }, FieldError> {
  const args = parse(argv, {
    ...COMMON,
    shards: { type: 'string' },
    'done-timeout-ms': { type: 'string' },
    'setup-timeout-ms': { type: 'string' },
    out: { type: 'string' },
  });
  if (!args.ok) return args;
  const get = getter(args.value, env);
  const common = readCommon(get);
  if (!common.ok) return common;
  const shards = readInt(get('shards', 'SMETS_SHARDS'), '--shards', 1, 10_000, true);
  if (!shards.ok) return shards;
  const done = readInt(get('done-timeout-ms', 'SMETS_DONE_TIMEOUT_MS'), '--done-timeout-ms', 1, 86_400_000, false);
  if (!done.ok) return done;
  const setup = readInt(get('setup-timeout-ms', 'SMETS_SETUP_TIMEOUT_MS'), '--setup-timeout-ms', 1, 86_400_000, false);
  if (!setup.ok) return setup;
  return ok({
    job: {
      ...common.value,
      shards: shards.value!,
      ...(done.value === undefined ? {} : { doneTimeoutMs: done.value }),
      ...(setup.value === undefined ? {} : { setupTimeoutMs: setup.value }),
    },
    out: get('out', 'SMETS_OUT'),
  });
}

/** How `scale/run-main.ts` runs a whole run on this machine. */
export interface LocalCommand {
  readonly mode: 'workers' | 'processes';
  /** A broker URL, or 'embedded' for an aedes broker in this process. */
  readonly broker: string;
  readonly runId: string | undefined;
  readonly shards: number;
  readonly engine: string;
  readonly config: unknown;
  readonly routing: Routing;
  readonly doneTimeoutMs: number | undefined;
  readonly out: string | undefined;
}

/** `scale/run-main.ts`'s command line (and environment). */
export function parseLocalCommand(argv: readonly string[], env: Env): Result<LocalCommand, FieldError> {
  const args = parse(argv, {
    ...COMMON,
    shards: { type: 'string' },
    mode: { type: 'string' },
    'done-timeout-ms': { type: 'string' },
    out: { type: 'string' },
  });
  if (!args.ok) return args;
  const get = getter(args.value, env);
  const mode = get('mode', 'SMETS_LAUNCH') ?? 'workers';
  if (mode !== 'workers' && mode !== 'processes') return err(fieldError('--mode', 'unknown-kind', 'workers or processes', mode));
  const shards = readInt(get('shards', 'SMETS_SHARDS'), '--shards', 1, 64, true);
  if (!shards.ok) return shards;
  const runId = get('run', 'SMETS_RUN_ID');
  if (runId !== undefined) {
    const checked = checkRunId(runId, '--run');
    if (!checked.ok) return checked;
  }
  const engine = readEngine(get);
  if (!engine.ok) return engine;
  const routing = readRouting(get('routing', 'SMETS_ROUTING'));
  if (!routing.ok) return routing;
  const done = readInt(get('done-timeout-ms', 'SMETS_DONE_TIMEOUT_MS'), '--done-timeout-ms', 1, 86_400_000, false);
  if (!done.ok) return done;
  return ok({
    mode,
    broker: get('broker', 'SMETS_BROKER_URL') ?? 'embedded',
    runId,
    shards: shards.value!,
    engine: engine.value.engine,
    config: engine.value.config,
    routing: routing.value,
    doneTimeoutMs: done.value,
    out: get('out', 'SMETS_OUT'),
  });
}

// ---- pieces ----

type Options = Parameters<typeof parseArgs>[0] extends infer P ? (P extends { options?: infer O } ? NonNullable<O> : never) : never;
type Get = (option: string, envName: string) => string | undefined;

function parse(argv: readonly string[], options: Options): Result<Record<string, string | undefined>, FieldError> {
  try {
    const { values } = parseArgs({ args: [...argv], options, strict: true, allowPositionals: false });
    return ok(values as Record<string, string | undefined>);
  } catch (error) {
    return err(
      fieldError(
        'argv',
        'unknown-kind',
        `the options ${Object.keys(options)
          .map((o) => `--${o}`)
          .join(', ')}`,
        error instanceof Error ? error.message : error,
      ),
    );
  }
}

function getter(values: Record<string, string | undefined>, env: Env): Get {
  return (option, envName) => {
    const v = values[option] ?? env[envName];
    return v === undefined || v === '' ? undefined : v;
  };
}

function readCommon(get: Get): Result<Omit<ShardJob, 'shard' | 'shards'>, FieldError> {
  const brokerUrl = get('broker', 'SMETS_BROKER_URL');
  if (brokerUrl === undefined) return err(fieldError('--broker', 'required', 'a broker URL such as mqtt://127.0.0.1:1883', undefined));
  if (!URL.canParse(brokerUrl) || !['mqtt:', 'mqtts:', 'ws:', 'wss:'].includes(new URL(brokerUrl).protocol)) {
    return err(fieldError('--broker', 'format', 'an mqtt://, mqtts://, ws:// or wss:// URL', brokerUrl));
  }
  const runId = checkRunId(get('run', 'SMETS_RUN_ID'), '--run');
  if (!runId.ok) return runId;
  const engine = readEngine(get);
  if (!engine.ok) return engine;
  const routing = readRouting(get('routing', 'SMETS_ROUTING'));
  if (!routing.ok) return routing;
  const hello = readInt(get('hello-timeout-ms', 'SMETS_HELLO_TIMEOUT_MS'), '--hello-timeout-ms', 0, 86_400_000, false);
  if (!hello.ok) return hello;
  const retry = readInt(get('connect-retry-ms', 'SMETS_CONNECT_RETRY_MS'), '--connect-retry-ms', 0, 86_400_000, false);
  if (!retry.ok) return retry;
  const keepalive = readInt(get('keepalive-s', 'SMETS_KEEPALIVE_S'), '--keepalive-s', 0, 65_535, false);
  if (!keepalive.ok) return keepalive;
  return ok({
    brokerUrl,
    runId: runId.value,
    engine: engine.value.engine,
    config: engine.value.config,
    routing: routing.value,
    ...(hello.value === undefined ? {} : { helloTimeoutMs: hello.value }),
    ...(retry.value === undefined ? {} : { connectRetryMs: retry.value }),
    ...(keepalive.value === undefined ? {} : { keepaliveSeconds: keepalive.value }),
  });
}

function readEngine(get: Get): Result<{ engine: string; config: unknown }, FieldError> {
  const engine = get('engine', 'SMETS_ENGINE') ?? 'toy';
  const inline = get('config', 'SMETS_ENGINE_CONFIG');
  const file = get('config-file', 'SMETS_ENGINE_CONFIG_FILE');
  let text: string;
  let path: string;
  if (inline !== undefined) {
    text = inline;
    path = '--config';
  } else if (file !== undefined) {
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      return err(fieldError('--config-file', 'format', 'a readable file', error instanceof Error ? error.message : error));
    }
    path = '--config-file';
  } else {
    text = '{}'; // the engine's defaults
    path = '--config';
  }
  let config: unknown;
  try {
    config = JSON.parse(text) as unknown;
  } catch (error) {
    return err(fieldError(path, 'format', 'JSON', error instanceof Error ? error.message : error));
  }
  // Checked here, so a bad configuration is exit code 2 before anything connects.
  const spec = engineSpecOf(engine, config);
  if (!spec.ok) return err({ ...spec.error, path: spec.error.path === 'engine' ? '--engine' : `${path} ${spec.error.path}` });
  return ok({ engine, config });
}

function readRouting(raw: string | undefined): Result<Routing, FieldError> {
  const r = raw ?? 'coordinator';
  if (r === 'coordinator' || r === 'direct') return ok(r);
  return err(fieldError('--routing', 'unknown-kind', 'coordinator or direct', r));
}

function readInt(
  raw: string | undefined,
  path: string,
  min: number,
  max: number,
  required: boolean,
): Result<number | undefined, FieldError> {
  if (raw === undefined) return required ? err(fieldError(path, 'required', `an integer ${min}..${max}`, undefined)) : ok(undefined);
  if (!/^\d+$/.test(raw)) return err(fieldError(path, 'type', `an integer ${min}..${max}`, raw));
  const n = Number(raw);
  if (n < min || n > max) return err(fieldError(path, 'range', `an integer ${min}..${max}`, raw));
  return ok(n);
}
