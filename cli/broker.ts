import { parseArgs } from 'node:util';
import { startEmbeddedBroker, type EmbeddedBroker } from '../emulator/bus/embedded-broker.ts';
import { firstLine, type CliIo } from './watch.ts';

const PROCESS_IO: CliIo = { stdout: process.stdout, stderr: process.stderr };

const LOOPBACK = ['127.0.0.1', '::1', 'localhost'];

/**
 * `smets-twin broker`: the embedded aedes broker in the foreground. Prints
 * its URL on stdout (one line, for scripts) and runs until SIGINT or SIGTERM,
 * then disconnects its clients and stops listening. Loopback only; every
 * client may publish and subscribe to anything (no authorisation yet).
 */
export async function runBroker(argv: readonly string[], io: CliIo = PROCESS_IO): Promise<number> {
  const say = (line: string): void => void io.stderr.write(`smets-twin broker: ${line}\n`);
  let values;
  try {
    values = parseArgs({
      args: [...argv],
      options: { port: { type: 'string', default: '1883' }, host: { type: 'string', default: '127.0.0.1' } },
      strict: true,
    }).values;
  } catch (e) {
    say(firstLine(e instanceof Error ? e.message : String(e)));
    return 2;
  }
  const port = /^\d+$/.test(values.port) ? Number(values.port) : NaN;
  if (!Number.isInteger(port) || port > 65_535) {
    say(`--port: expected a whole number from 0 to 65535 (0: any free port), got ${JSON.stringify(values.port)}`);
    return 2;
  }
  const host = values.host;
  if (!LOOPBACK.includes(host)) {
    say(`--host: the broker listens on loopback only (${LOOPBACK.join(', ')}), got ${JSON.stringify(host)}`);
    return 2;
  }

  let broker: EmbeddedBroker;
  try {
    broker = await startEmbeddedBroker({ port, host });
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    const hint = code === 'EADDRINUSE' ? ' (another broker may be running there; choose one with --port)' : '';
    say(`cannot listen on ${host}:${port}: ${e instanceof Error ? e.message : String(e)}${hint}`);
    return 2;
  }

  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    io.stdout.write(`${broker.url}\n`);
    say(`listening on ${broker.url} (loopback only, no authorisation); Ctrl-C to stop`);
  });
  const clients = broker.stats().clients;
  await broker.close();
  say(`closed (${clients} client${clients === 1 ? '' : 's'} disconnected)`);
  return 0;
}
