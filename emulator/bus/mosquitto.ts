import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { accessSync, constants, readFileSync, writeFileSync } from 'node:fs';
import { connect, createServer, type AddressInfo } from 'node:net';
import { userInfo } from 'node:os';
import { delimiter, join } from 'node:path';

/** Where Debian and most distributions install the broker, outside an ordinary user's PATH. */
const SYSTEM_PATHS = ['/usr/sbin/mosquitto', '/usr/local/sbin/mosquitto'];

/**
 * The mosquitto executable: the first `mosquitto` on PATH, else
 * `/usr/sbin/mosquitto` or `/usr/local/sbin/mosquitto`; null when none is installed.
 */
export function findMosquitto(): string | null {
  const onPath = (process.env['PATH'] ?? '')
    .split(delimiter)
    .filter((dir) => dir !== '')
    .map((dir) => join(dir, 'mosquitto'));
  for (const candidate of [...onPath, ...SYSTEM_PATHS]) {
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not there, or not executable: try the next
    }
  }
  return null;
}

/** How to start a mosquitto. */
export interface MosquittoOptions {
  /** A directory this broker may own: its `mosquitto.conf` and `mosquitto.log` are written there. */
  readonly configDir: string;
  /** The port on 127.0.0.1; 0 (the default) picks a free one. */
  readonly port?: number;
  /** The executable. Default: `findMosquitto()`. */
  readonly binary?: string;
  /** How long to wait for the port to accept connections, in ms. Default 5000. */
  readonly startTimeoutMs?: number;
  /** How long `stop` waits after SIGTERM before SIGKILL, in ms. Default 3000. */
  readonly stopTimeoutMs?: number;
  /**
   * Lines appended to the generated mosquitto.conf, after the defaults they may override
   * (mosquitto keeps the last value of an option): e.g. `writeMosquittoAuth`'s, which turn
   * anonymous access off and apply the bus's ACL. Default: none.
   */
  readonly extraConfig?: readonly string[];
}

/** A running mosquitto. */
export interface RunningMosquitto {
  /** `mqtt://127.0.0.1:{port}`. */
  readonly url: string;
  readonly port: number;
  readonly pid: number;
  /** The log file, for a test's diagnostics. */
  readonly logFile: string;
  /** Stops it by PID: SIGTERM, then SIGKILL if it has not exited in time. Idempotent. */
  stop(): Promise<void>;
}

// Brokers still running when this process exits are killed with it, so a crashed test run leaves none behind.
const running = new Set<ChildProcess>();
let exitHookInstalled = false;

/**
 * Starts a mosquitto process for this run: a generated `mosquitto.conf` with
 * one listener on 127.0.0.1 only, anonymous clients allowed unless
 * `extraConfig` says otherwise, no persistence, and a log file in
 * `configDir`. Resolves once the port accepts connections; fails with the
 * log's tail if the broker exits or does not listen in time. With port 0 a free port is found by binding to
 * port 0 first; if another process takes it before mosquitto does, it tries
 * again with another.
 *
 * @example
 * const broker = await startMosquitto({ configDir: await mkdtemp(join(tmpdir(), 'mosquitto-')) });
 * const bus = new MqttBusFactory({ url: broker.url });
 * // …
 * await broker.stop();
 */
export async function startMosquitto(options: MosquittoOptions): Promise<RunningMosquitto> {
  const binary = options.binary ?? findMosquitto();
  if (binary === null) throw new Error('startMosquitto: mosquitto is not installed (Debian: apt-get install mosquitto)');
  const fixed = options.port ?? 0;
  if (!Number.isInteger(fixed) || fixed < 0 || fixed > 65_535) throw new RangeError(`startMosquitto: port must be 0..65535, got ${fixed}`);
  for (let attempt = 1; ; attempt++) {
    const port = fixed === 0 ? await freePort() : fixed;
    try {
      return await launch(binary, port, options);
    } catch (error) {
      const raced = error instanceof PortTaken && fixed === 0 && attempt < 3;
      if (!raced) throw error;
    }
  }
}

class PortTaken extends Error {}

const RUNNING = /^\d+: mosquitto version \S+ running$/m;

interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

async function launch(binary: string, port: number, options: MosquittoOptions): Promise<RunningMosquitto> {
  const configFile = join(options.configDir, 'mosquitto.conf');
  const logFile = join(options.configDir, 'mosquitto.log');
  writeFileSync(logFile, '');
  writeFileSync(
    configFile,
    [
      '# Generated for one run of the twin: loopback only, nothing kept on disk.',
      `listener ${port} 127.0.0.1`,
      'allow_anonymous true',
      'persistence false',
      `log_dest file ${logFile}`,
      'log_type error',
      'log_type warning',
      'log_type notice',
      'log_type information',
      'connection_messages true',
      // MQTT's small acknowledgements must not wait for Nagle's algorithm.
      'set_tcp_nodelay true',
      // Started as root, mosquitto would switch to the `mosquitto` user and could not write its log here.
      `user ${userInfo().username}`,
      ...(options.extraConfig ?? []),
      '',
    ].join('\n'),
  );

  const child = spawn(binary, ['-c', configFile], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-4000);
  });
  // Plain listeners, not events.once: once() rejects on 'error', which would leave these promises rejected unhandled.
  const exited = new Promise<Exit>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const spawned = await new Promise<Error | undefined>((resolve) => {
    child.once('spawn', () => resolve(undefined));
    child.once('error', resolve);
  });
  if (spawned !== undefined) throw new Error(`startMosquitto: cannot run ${binary}: ${spawned.message}`);
  child.on('error', () => {}); // a failed kill later is handled where it is sent
  const pid = child.pid!;
  track(child);

  const timeout = options.startTimeoutMs ?? 5000;
  const deadline = Date.now() + timeout;
  let gone: Exit | undefined;
  void exited.then((e) => (gone = e));
  // The port alone proves nothing: another process may hold it (mosquitto then exits), so the broker's own
  // "running" notice — logged once its listeners are open — must be there too.
  while (!(gone === undefined && RUNNING.test(readLog(logFile)) && (await accepts(port)))) {
    if (gone !== undefined || Date.now() > deadline) {
      const exit = gone;
      if (exit === undefined) await stopChild(child, exited, 1000);
      const tail = logTail(logFile, stderr);
      const why = exit === undefined ? `did not accept connections within ${timeout} ms` : `exited (${exit.signal ?? `code ${exit.code}`})`;
      const message = `startMosquitto: ${binary} on 127.0.0.1:${port} ${why}; log tail:\n${tail}`;
      throw /address already in use/i.test(tail) ? new PortTaken(message) : new Error(message);
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }

  let stopping: Promise<void> | undefined;
  return {
    url: `mqtt://127.0.0.1:${port}`,
    port,
    pid,
    logFile,
    stop: () => (stopping ??= stopChild(child, exited, options.stopTimeoutMs ?? 3000)),
  };
}

async function stopChild(child: ChildProcess, exited: Promise<unknown>, timeoutMs: number): Promise<void> {
  const pid = child.pid!;
  if (child.exitCode === null && child.signalCode === null) {
    signal(pid, 'SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), timeoutMs)));
    const outcome = await Promise.race([exited, late]);
    clearTimeout(timer);
    if (outcome === 'late') {
      signal(pid, 'SIGKILL');
      await exited;
    }
  }
  running.delete(child);
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // it has exited already
  }
}

function track(child: ChildProcess): void {
  running.add(child);
  child.once('exit', () => running.delete(child));
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const c of running) if (c.pid !== undefined) signal(c.pid, 'SIGKILL');
  });
}

/** A free port on 127.0.0.1: bind to port 0, read what the kernel chose, release it. */
async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

function readLog(logFile: string): string {
  try {
    return readFileSync(logFile, 'utf8');
  } catch {
    return ''; // not written yet
  }
}

function logTail(logFile: string, stderr: string): string {
  const lines = `${readLog(logFile)}${stderr}`.trim().split('\n');
  return lines.slice(-20).join('\n') || '(empty)';
}
