import { parseArgs } from 'node:util';
import { formatFieldError } from '../core/errors.ts';
import { principalOf } from '../emulator/bus/acl.ts';
import { MqttBusFactory } from '../emulator/bus/mqtt-bus.ts';
import type { BusMessage } from '../emulator/bus/port.ts';
import { checkTopicFilter } from '../emulator/bus/topic-syntax.ts';
import { formatPayload, safe, type FormattedMessage } from './format-envelope.ts';

/** Where a command writes: the process's streams, or a test's. */
export interface CliIo {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
}

const PROCESS_IO: CliIo = { stdout: process.stdout, stderr: process.stderr };

const URL_PROTOCOLS = new Set(['mqtt:', 'mqtts:', 'ws:', 'wss:']);

/** Exit codes: 0 done (count reached, Ctrl-C, stdout closed), 1 the connection was lost, 2 a mistake in the options or no broker. */
const LOST = 1;
const MISTAKE = 2;

/**
 * `smets-twin watch`: connects to a broker as an observer (`obs.<name>`),
 * subscribes to a filter and prints every message, one line each (or JSON),
 * until Ctrl-C, `--count` messages, or the connection is lost. Nothing a
 * broker sends can crash it: an unreadable payload is a `!` line and counted.
 */
export async function runWatch(argv: readonly string[], io: CliIo = PROCESS_IO): Promise<number> {
  const say = (line: string): void => void io.stderr.write(`smets-twin watch: ${line}\n`);
  const options = parseWatchOptions(argv);
  if (!options.ok) {
    say(options.error);
    return MISTAKE;
  }
  const { url, filter, clientId, count, json, connectTimeoutMs } = options.value;
  const where = displayUrl(url);

  const factory = new MqttBusFactory({ url, connectTimeoutMs, onHandlerError: () => {} });
  const connected = await factory.connect({ clientId });
  if (!connected.ok) {
    const e = connected.error;
    if (e.code === 'unreachable') say(`cannot reach a broker at ${where}: ${e.reason.replace(/:\s*$/, '')}`);
    else if (e.code === 'refused') say(`the broker at ${where} refused ${clientId}: ${e.reason}`);
    else say(`--client-id: ${formatFieldError(e.field)}`);
    return MISTAKE;
  }
  const bus = connected.value;

  let messages = 0;
  let undecodable = 0;
  let done = false;
  let finish: (code: number) => void = () => {};
  const finished = new Promise<number>((resolve) => {
    finish = (code) => {
      if (done) return;
      done = true;
      resolve(code);
    };
  });

  const onMessage = (m: BusMessage): void => {
    if (done) return;
    let out: FormattedMessage;
    try {
      out = formatPayload(m.topic, m.payload, { json, retained: m.retain });
    } catch (error) {
      // A formatter bug must not end the watch: say so on the line and go on.
      out = { text: `! ${safe(m.topic)} unprintable: ${safe(error instanceof Error ? error.message : String(error))}`, undecodable: true };
    }
    messages++;
    if (out.undecodable) undecodable++;
    io.stdout.write(`${out.text}\n`);
    if (count !== undefined && messages >= count) finish(0);
  };

  const onSignal = (): void => finish(0);
  // A reader that went away (`| head`) ends the watch quietly.
  const onStdoutError = (): void => finish(0);
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  io.stdout.on('error', onStdoutError);
  // The bus port has no close event: look at the handle now and then.
  const poll = setInterval(() => {
    if (bus.closed && !done) {
      say(`lost the connection to ${where}`);
      finish(LOST);
    }
  }, 200);

  let code: number;
  try {
    await bus.subscribe(filter, onMessage, { qos: 1 });
    if (!done) say(`watching ${filter} on ${where} as ${clientId}`);
    code = await finished;
  } catch (error) {
    // A refused SUBSCRIBE (an ACL) or a connection lost before the SUBACK.
    say(`cannot subscribe to ${filter} at ${where}: ${error instanceof Error ? error.message : String(error)}`);
    code = MISTAKE;
  } finally {
    clearInterval(poll);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    io.stdout.off('error', onStdoutError);
    await bus.close();
  }
  say(`${messages} message${messages === 1 ? '' : 's'}, ${undecodable} undecodable`);
  return code;
}

interface WatchOptions {
  readonly url: string;
  readonly filter: string;
  readonly clientId: string;
  readonly count: number | undefined;
  readonly json: boolean;
  readonly connectTimeoutMs: number;
}

type Parsed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: string };

/** The watch options, or a one-line reason they are wrong. */
export function parseWatchOptions(argv: readonly string[], pid = process.pid): Parsed<WatchOptions> {
  let values;
  try {
    values = parseArgs({
      args: [...argv],
      options: {
        url: { type: 'string', default: 'mqtt://127.0.0.1:1883' },
        filter: { type: 'string', default: 'smets/#' },
        'client-id': { type: 'string', default: `obs.watch-${pid}` },
        count: { type: 'string' },
        json: { type: 'boolean', default: false },
        'connect-timeout': { type: 'string', default: '5000' },
      },
      strict: true,
    }).values;
  } catch (e) {
    // parseArgs explains some mistakes over several lines; the first says what is wrong.
    return { ok: false, error: firstLine(e instanceof Error ? e.message : String(e)) };
  }
  const { url, filter, json } = values;
  const clientId = values['client-id'];
  if (!URL.canParse(url) || !URL_PROTOCOLS.has(new URL(url).protocol)) {
    return { ok: false, error: `--url: expected an mqtt://, mqtts://, ws:// or wss:// URL, got ${JSON.stringify(url)}` };
  }
  const checked = checkTopicFilter(filter, '--filter');
  if (!checked.ok) return { ok: false, error: formatFieldError(checked.error) };
  const principal = principalOf(clientId, '--client-id');
  if (!principal.ok || principal.value.kind !== 'observer') {
    return {
      ok: false,
      error: `--client-id: expected an observer id obs.<name> (1 to 40 letters, digits, '_' or '-'), got ${JSON.stringify(clientId)}`,
    };
  }
  const count = values.count === undefined ? undefined : wholeNumber(values.count, 1, Number.MAX_SAFE_INTEGER);
  if (count === null) return { ok: false, error: `--count: expected a whole number from 1, got ${JSON.stringify(values.count)}` };
  const connectTimeoutMs = wholeNumber(values['connect-timeout'], 1, 600_000);
  if (connectTimeoutMs === null) {
    return {
      ok: false,
      error: `--connect-timeout: expected milliseconds, a whole number from 1 to 600000, got ${JSON.stringify(values['connect-timeout'])}`,
    };
  }
  return { ok: true, value: { url, filter, clientId, count, json, connectTimeoutMs } };
}

/** The first line of a message. */
export const firstLine = (s: string): string => s.split('\n', 1)[0] ?? '';

function wholeNumber(raw: string, min: number, max: number): number | null {
  if (!/^\d+$/.test(raw.trim())) return null;
  const n = Number(raw);
  return Number.isSafeInteger(n) && n >= min && n <= max ? n : null;
}

/** The URL as it may be printed: without a password. */
export function displayUrl(url: string): string {
  const u = new URL(url);
  if (u.password === '') return url;
  u.password = '***';
  return u.toString();
}
