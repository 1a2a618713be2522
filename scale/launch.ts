import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { startEmbeddedBroker } from '../emulator/bus/embedded-broker.ts';
import type { Routing } from '../proto/scale-codec.ts';
import type { CoordinatorHooks, RunOutcome } from './coordinator.ts';
import { runCoordinatorJob, type ShardJob } from './jobs.ts';
import type { ShardHostEvent } from './shard.ts';

/**
 * Starting the shards of a run: as worker threads of this process, or as
 * child processes on this machine (`node --import tsx scale/shard-main.ts …`,
 * the same command that runs a shard by hand on another machine). And
 * `runLocal`, a whole run here: a broker if none is given, the coordinator in
 * this process, N shards. // docs/scale-out.md "Launching"
 */

/** How a launched shard ended. */
export interface ShardExit {
  readonly label: string;
  /** Exit code (a worker's or a process's); null when killed by a signal. */
  readonly code: number | null;
  readonly signal: string | null;
  /** True when it was killed: by `kill`, or for outliving the run. */
  readonly killed: boolean;
  /** What it said on the way out: a worker's error, a process's stderr tail. */
  readonly detail: string;
}

/** A shard started by a launcher. */
export interface LaunchedShard {
  /** `worker 1`, `process 1 (pid 4242)`. */
  readonly label: string;
  readonly exited: Promise<ShardExit>;
  /** Kills it at once, as a crash would (a worker terminated, a process SIGKILLed); resolves once it has exited. */
  kill(): Promise<ShardExit>;
}

const here = (path: string): string => fileURLToPath(new URL(path, import.meta.url));
/** The repository root: child processes run from it, so `--import tsx` resolves. */
const REPO_ROOT = here('..');
const SHARD_MAIN = here('./shard-main.ts');

/** Starts a shard as a worker thread of this process. `onEvent` hears its progress. */
export function startWorkerShard(job: ShardJob, onEvent?: (event: ShardHostEvent) => void): LaunchedShard {
  const worker = new Worker(new URL('./shard-worker-entry.mjs', import.meta.url), { workerData: job });
  const label = `worker ${job.shard}`;
  let killed = false;
  let detail = '';
  worker.on('message', (m: { kind: 'event'; event: ShardHostEvent } | { kind: 'failed'; message: string } | { kind: 'outcome' }) => {
    if (m.kind === 'event') onEvent?.(m.event);
    else if (m.kind === 'failed') detail = m.message;
  });
  const exited = new Promise<ShardExit>((resolve) => {
    worker.on('error', (error) => (detail = error.message));
    worker.on('exit', (code) => resolve({ label, code, signal: null, killed, detail }));
  });
  return {
    label,
    exited,
    kill: async () => {
      killed = true;
      await worker.terminate();
      return exited;
    },
  };
}

/** The command-line arguments of `scale/shard-main.ts` for a job. */
export function shardArgs(job: ShardJob): string[] {
  const args = ['--broker', job.brokerUrl, '--run', job.runId, '--shard', String(job.shard), '--of', String(job.shards)];
  args.push('--engine', job.engine, '--config', JSON.stringify(job.config), '--routing', job.routing);
  if (job.helloIntervalMs !== undefined) args.push('--hello-interval-ms', String(job.helloIntervalMs));
  if (job.helloTimeoutMs !== undefined) args.push('--hello-timeout-ms', String(job.helloTimeoutMs));
  if (job.connectRetryMs !== undefined) args.push('--connect-retry-ms', String(job.connectRetryMs));
  if (job.keepaliveSeconds !== undefined) args.push('--keepalive-s', String(job.keepaliveSeconds));
  return args;
}

/** Starts a shard as a child process: `node --import tsx scale/shard-main.ts …`. (`hangAtWindow` is for workers only.) */
export function startProcessShard(job: ShardJob): LaunchedShard {
  const child = spawn(process.execPath, ['--import', 'tsx', SHARD_MAIN, ...shardArgs(job)], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const label = `process ${job.shard} (pid ${child.pid ?? '?'})`;
  let killed = false;
  let stderr = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-4000)));
  const exited = new Promise<ShardExit>((resolve) => {
    child.once('error', (error) => resolve({ label, code: null, signal: null, killed, detail: error.message }));
    child.once('close', (code, signal) => resolve({ label, code, signal, killed, detail: stderr.trim() }));
  });
  return {
    label,
    exited,
    kill: async () => {
      killed = true;
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      return exited;
    },
  };
}

/** A whole run on this machine. */
export interface LocalRunOptions {
  readonly mode: 'workers' | 'processes';
  /** The broker; without one, an embedded aedes broker is started for the run and stopped after it. */
  readonly brokerUrl?: string;
  /** Default: a fresh random id. */
  readonly runId?: string;
  readonly shards: number;
  readonly engine: string;
  readonly config: unknown;
  /** Default 'coordinator'. */
  readonly routing?: Routing;
  readonly doneTimeoutMs?: number;
  readonly setupTimeoutMs?: number;
  readonly helloTimeoutMs?: number;
  readonly hooks?: CoordinatorHooks;
  /** Shards say hello without an index and the coordinator assigns them. Default false. */
  readonly autoAssign?: boolean;
  /** Changes to one shard's job (fault injection in tests). */
  readonly shardJob?: (k: number) => Partial<ShardJob>;
  /** Called once every shard is launched (tests kill one). */
  readonly onLaunched?: (shards: readonly LaunchedShard[]) => void;
  /** How long the shards may take to exit once the run is over, in ms, before they are killed. Default 15 000. */
  readonly exitGraceMs?: number;
}

/** How a local run went: the coordinator's outcome or error, and how every shard exited. */
export type LocalRun =
  | { readonly ok: true; readonly outcome: RunOutcome; readonly exits: readonly ShardExit[] }
  | { readonly ok: false; readonly error: Error; readonly exits: readonly ShardExit[] };

/**
 * Runs a sharded run here to its end and waits for every shard to exit (or
 * kills it after `exitGraceMs`), so nothing is left running either way.
 */
export async function runLocal(options: LocalRunOptions): Promise<LocalRun> {
  const broker = options.brokerUrl === undefined ? await startEmbeddedBroker() : undefined;
  const brokerUrl = options.brokerUrl ?? broker!.url;
  const runId = options.runId ?? `r${randomBytes(5).toString('hex')}`;
  const routing = options.routing ?? 'coordinator';
  try {
    const coordinating = runCoordinatorJob(
      {
        brokerUrl,
        runId,
        shards: options.shards,
        engine: options.engine,
        config: options.config,
        routing,
        ...(options.doneTimeoutMs === undefined ? {} : { doneTimeoutMs: options.doneTimeoutMs }),
        ...(options.setupTimeoutMs === undefined ? {} : { setupTimeoutMs: options.setupTimeoutMs }),
        ...(options.helloTimeoutMs === undefined ? {} : { helloTimeoutMs: options.helloTimeoutMs }),
      },
      options.hooks,
    );
    // Caught here and read below: the shards are launched meanwhile.
    const settled = coordinating.then(
      (outcome) => ({ ok: true as const, outcome }),
      (error: unknown) => ({ ok: false as const, error: error instanceof Error ? error : new Error(String(error)) }),
    );
    const launched = Array.from({ length: options.shards }, (_, k) => {
      const job: ShardJob = {
        brokerUrl,
        runId,
        shard: options.autoAssign === true ? 'auto' : k,
        shards: options.shards,
        engine: options.engine,
        config: options.config,
        routing,
        helloIntervalMs: 200,
        ...options.shardJob?.(k),
      };
      return options.mode === 'workers' ? startWorkerShard(job) : startProcessShard(job);
    });
    options.onLaunched?.(launched);
    const run = await settled;
    const exits = await Promise.all(launched.map((s) => exitWithin(s, options.exitGraceMs ?? 15_000)));
    return run.ok ? { ok: true, outcome: run.outcome, exits } : { ok: false, error: run.error, exits };
  } finally {
    await broker?.close();
  }
}

async function exitWithin(shard: LaunchedShard, ms: number): Promise<ShardExit> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), ms)));
  const first = await Promise.race([shard.exited, late]);
  clearTimeout(timer);
  return first === 'late' ? shard.kill() : first;
}
