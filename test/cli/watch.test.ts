import fc from 'fast-check';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { formatEnvelope, formatEnvelopeJson, formatPayload, isoTime } from '../../cli/format-envelope.ts';
import { parseWatchOptions } from '../../cli/watch.ts';
import { unwrap } from '../../core/result.ts';
import { toEui64 } from '../../core/ids.ts';
import { clientIdOf } from '../../emulator/bus/acl.ts';
import { MqttBusFactory } from '../../emulator/bus/mqtt-bus.ts';
import { chOnlineTopic, wanUpTopic } from '../../emulator/bus/topics.ts';
import { decodeEnvelope, encodeEnvelope } from '../../proto/codec.ts';
import type { Envelope, EnvelopeBody, EnvelopeHeader } from '../../proto/types.ts';
import { startTestEmbeddedBroker, type TestBroker } from '../support/brokers.ts';
import { envelope as anyEnvelope } from '../unit/proto/arbitraries.ts';

const HUB = unwrap(toEui64('00-DB-12-00-00-00-00-01', 'hub'));
const METER = '00-DB-12-00-00-00-00-02';
const USER = '90-B3-D5-1F-30-01-00-00';
const TOPIC = wanUpTopic(HUB);
const AT = Date.UTC(2026, 2, 1, 6, 30);
const TIME = '2026-03-01T06:30:00.000Z';
const REQ = `${USER}:${METER}:1001`;

const head: EnvelopeHeader = { messageId: 'm-1', requestId: '', originator: METER, target: HUB, counter: 7n, at: AT };
const envelope = (body: EnvelopeBody, over: Partial<EnvelopeHeader> = {}): Envelope => ({ ...head, ...over, ...body });
/** What the watcher sees: the envelope after a trip through the codec. */
const line = (e: Envelope, topic = TOPIC): string => formatEnvelope(topic, decodeEnvelope(encodeEnvelope(e)));

describe('formatEnvelope', () => {
  const cases: [string, Envelope, string][] = [
    [
      'a HAN command: type, via and ref',
      envelope(
        {
          kind: 'hanCommand',
          hanCommand: { now: AT, ref: 'r1', kind: 'creditUtrn', creditUtrn: { utrn: '12345678901234567890', via: 'ppmid' } },
        },
        { originator: HUB, target: METER },
      ),
      `${TIME} ${TOPIC} hanCommand ${HUB} → ${METER} creditUtrn via=ppmid ref=r1`,
    ],
    [
      'a HAN response: command, outcome and reason',
      envelope({ kind: 'hanResponse', hanResponse: { ref: 'r1', command: 'creditUtrn', outcome: 'failure', reason: 'utrn-rejected' } }),
      `${TIME} ${TOPIC} hanResponse ${METER} → ${HUB} creditUtrn failure reason=utrn-rejected ref=r1`,
    ],
    [
      'a device alert: code and name',
      envelope({ kind: 'deviceAlert', deviceAlert: { code: 0x8f0f, device: METER, at: AT, critical: true } }),
      `${TIME} ${TOPIC} deviceAlert ${METER} → ${HUB} 0x8F0F creditBelowDisablement device=${METER} critical`,
    ],
    [
      'a WAN command: hub, device and the HAN command',
      envelope(
        {
          kind: 'wanCommand',
          wanCommand: { commsHub: HUB, device: METER, command: { now: AT, kind: 'modeSet', modeSet: { kind: 'credit', credit: {} } } },
        },
        { originator: USER, target: HUB, requestId: REQ },
      ),
      `${TIME} ${TOPIC} wanCommand ${USER} → ${HUB} req=${REQ} hub=${HUB} device=${METER} modeSet mode=credit`,
    ],
    [
      'a WAN response: hub, device and the HAN response',
      envelope(
        {
          kind: 'wanResponse',
          wanResponse: {
            commsHub: HUB,
            device: METER,
            response: { ref: null, command: 'readBalance', outcome: 'success', body: { balance: 1 } },
          },
        },
        { requestId: REQ },
      ),
      `${TIME} ${TOPIC} wanResponse ${METER} → ${HUB} req=${REQ} hub=${HUB} device=${METER} readBalance success`,
    ],
    [
      'a service request: service reference, command variant and body',
      envelope(
        {
          kind: 'serviceRequest',
          serviceRequest: {
            header: {
              requestId: REQ,
              serviceReference: '1.6',
              serviceReferenceVariant: '1.6',
              commandVariant: 1,
              businessOriginator: USER,
              businessTarget: METER,
              userRole: 'IS',
            },
            kind: 'updatePaymentMode',
            updatePaymentMode: { kind: 'credit', credit: {} },
          },
        },
        { originator: USER, target: METER },
      ),
      `${TIME} ${TOPIC} serviceRequest ${USER} → ${METER} req=${REQ} sr=1.6 cv=1 updatePaymentMode mode=credit`,
    ],
    [
      'a service response: response code',
      envelope(
        { kind: 'serviceResponse', serviceResponse: { requestId: REQ, responseCode: 'E12', preCommand: Uint8Array.of(1, 2, 3), body: {} } },
        { originator: METER, target: USER },
      ),
      `${TIME} ${TOPIC} serviceResponse ${METER} → ${USER} req=${REQ} code=E12 preCommand=3B`,
    ],
    [
      'a DCC alert: code and text',
      envelope({ kind: 'dccAlert', dccAlert: { code: 'N12', text: 'no response', requestId: '' } }, { target: USER }),
      `${TIME} ${TOPIC} dccAlert ${METER} → ${USER} N12 "no response"`,
    ],
    [
      'a clock barrier: shard, instant and state',
      envelope({ kind: 'clockBarrier', clockBarrier: { instant: AT, shard: 3, quiet: false } }, { originator: '', target: '' }),
      `${TIME} ${TOPIC} clockBarrier - → - shard=3 instant=${TIME} busy`,
    ],
  ];
  it.each(cases)('prints %s', (_name, e, expected) => {
    expect(line(e)).toBe(expected);
  });

  it('prints an undecodable payload with the decode error code', () => {
    const bytes = encodeEnvelope(cases[2]![1]);
    const cut = formatEnvelope(TOPIC, decodeEnvelope(bytes.subarray(0, bytes.length - 3)));
    expect(cut).toMatch(new RegExp(`^! ${TOPIC} undecodable: truncated: .+$`));
    expect(formatEnvelope(TOPIC, decodeEnvelope(new Uint8Array(70_000)))).toBe(
      `! ${TOPIC} undecodable: oversized: 70000 bytes, at most 65536 accepted`,
    );
  });

  it('keeps every message on one line: control characters from the wire are escaped', () => {
    const e = envelope({ kind: 'dccAlert', dccAlert: { code: 'N\n12', text: 'a\u2028b\u202e', requestId: 'x\ry' } });
    expect(line(e, 'smets/odd\ttopic')).toBe(
      `${TIME} smets/odd\\u{9}topic dccAlert ${METER} → ${HUB} req=x\\u{d}y N\\u{a}12 "a\\u{2028}b\\u{202e}"`,
    );
  });

  it('prints an instant beyond the range of a Date as a number', () => {
    expect(isoTime(Number.MAX_SAFE_INTEGER)).toBe(`@${Number.MAX_SAFE_INTEGER}`);
    expect(isoTime(0)).toBe('1970-01-01T00:00:00.000Z');
  });

  it('prints any valid envelope as one line starting with its time, topic and kind', () => {
    fc.assert(
      fc.property(anyEnvelope, (e) => {
        const text = line(e);
        expect(text).not.toMatch(/[\n\r]/);
        expect(text.startsWith(`${isoTime(e.at)} ${TOPIC} ${e.kind} `)).toBe(true);
        expect(JSON.parse(formatEnvelopeJson(TOPIC, decodeEnvelope(encodeEnvelope(e))))).toMatchObject({ topic: TOPIC, kind: e.kind });
      }),
    );
  });

  it('never throws on random or damaged bytes, and counts them undecodable exactly when the codec refuses them', () => {
    const damaged = fc.tuple(anyEnvelope, fc.nat(), fc.uint8Array({ maxLength: 4 })).map(([e, at, junk]) => {
      const bytes = encodeEnvelope(e);
      const cut = at % (bytes.length + 1);
      return Uint8Array.from([...bytes.subarray(0, cut), ...junk]);
    });
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 200 }), damaged), fc.boolean(), (bytes, json) => {
        const out = formatPayload(TOPIC, bytes, { json });
        const decoded = decodeEnvelope(bytes);
        expect(out.undecodable).toBe(!decoded.ok);
        expect(out.text).not.toMatch(/[\n\r]/);
        if (json) expect(() => JSON.parse(out.text) as unknown).not.toThrow();
        else if (!decoded.ok) expect(out.text).toBe(`! ${TOPIC} undecodable: ${decoded.error.code}: ${decoded.error.message}`);
      }),
    );
  });
});

describe('formatEnvelopeJson', () => {
  it('prints one object per message, 64-bit counters and bytes as strings', () => {
    const e = envelope({
      kind: 'serviceResponse',
      serviceResponse: { requestId: REQ, responseCode: 'I0', preCommand: Uint8Array.of(0xab, 1), body: {} },
    });
    const parsed = JSON.parse(formatEnvelopeJson(TOPIC, decodeEnvelope(encodeEnvelope({ ...e, counter: 2n ** 64n - 1n })))) as unknown;
    expect(parsed).toEqual({
      topic: TOPIC,
      ...head,
      counter: '18446744073709551615',
      kind: 'serviceResponse',
      serviceResponse: { requestId: REQ, responseCode: 'I0', preCommand: 'ab01', body: {} },
    });
  });

  it('prints an undecodable payload as an object with the error', () => {
    expect(JSON.parse(formatPayload(TOPIC, Uint8Array.of(0xff), { json: true }).text)).toEqual({
      topic: TOPIC,
      undecodable: { code: 'truncated', message: expect.any(String) as string },
    });
  });
});

describe('formatPayload of a comms hub online state', () => {
  const topic = chOnlineTopic(HUB);
  it.each([
    ['1', false, `${topic} hub online`, false],
    ['0', true, `${topic} hub offline (retained)`, false],
    ['', false, `${topic} hub online state cleared`, false],
    ['yes', false, `! ${topic} undecodable: invalid: online state must be "0" or "1", got 3 byte(s)`, true],
  ])('reads %j (retained: %s)', (payload, retained, text, undecodable) => {
    expect(formatPayload(topic, new TextEncoder().encode(payload), { retained })).toEqual({ text, undecodable });
  });
});

describe('watch options', () => {
  it('has defaults for everything', () => {
    expect(parseWatchOptions([], 42)).toEqual({
      ok: true,
      value: {
        url: 'mqtt://127.0.0.1:1883',
        filter: 'smets/#',
        clientId: 'obs.watch-42',
        count: undefined,
        json: false,
        connectTimeoutMs: 5000,
      },
    });
  });

  it.each([
    [['--url', 'ftp://x'], '--url: expected an mqtt://'],
    [['--url', 'not a url'], '--url: expected'],
    [['--filter', 'smets/#/x'], '--filter: format'],
    [['--client-id', 'dsp'], '--client-id: expected an observer id'],
    [['--client-id', 'obs.a.b'], '--client-id: expected an observer id'],
    [['--count', '0'], '--count: expected a whole number'],
    [['--count', '1.5'], '--count: expected a whole number'],
    [['--connect-timeout=-1'], '--connect-timeout: expected milliseconds'],
    [['--count', '-1'], "Option '--count' argument is ambiguous."],
    [['--colour'], "Unknown option '--colour'"],
  ])('refuses %j', (argv, message) => {
    const r = parseWatchOptions(argv);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error).toContain(message);
      expect(r.error).not.toContain('\n');
    }
  });
});

// ---- The command, end to end ----

const bin = fileURLToPath(new URL('../../bin/smets-twin.mjs', import.meta.url));

interface Cli {
  readonly child: ChildProcessWithoutNullStreams;
  stdout: string;
  stderr: string;
  /** Resolves when stderr has a line matching `pattern`. */
  readonly stderrLine: (pattern: RegExp) => Promise<string>;
  readonly stdoutLine: () => Promise<string>;
  readonly exit: Promise<number | null>;
}

const children = new Set<ChildProcessWithoutNullStreams>();
const brokers: TestBroker[] = [];
afterEach(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  children.clear();
  for (const broker of brokers.splice(0)) await broker.close();
});

function cli(...args: string[]): Cli {
  const child = spawn(process.execPath, [bin, ...args], { stdio: 'pipe' });
  children.add(child);
  const waiters: (() => void)[] = [];
  const run: Cli = {
    child,
    stdout: '',
    stderr: '',
    stderrLine: (pattern) => until(() => run.stderr.split('\n').find((l) => pattern.test(l))),
    stdoutLine: () => until(() => (run.stdout.includes('\n') ? run.stdout.slice(0, run.stdout.indexOf('\n')) : undefined)),
    exit: new Promise((resolve) => child.once('exit', (code) => resolve(code))),
  };
  const wake = (): void => {
    for (const w of waiters.splice(0)) w();
  };
  child.stdout.setEncoding('utf8').on('data', (s: string) => ((run.stdout += s), wake()));
  child.stderr.setEncoding('utf8').on('data', (s: string) => ((run.stderr += s), wake()));
  function until(found: () => string | undefined): Promise<string> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        const hit = found();
        if (hit !== undefined) resolve(hit);
        else if (child.exitCode !== null) reject(new Error(`exited ${child.exitCode} first; stderr: ${run.stderr}`));
        else waiters.push(check);
      };
      check();
      void run.exit.then(wake);
    });
  }
  return run;
}

const noStackTrace = /\n\s+at /;

describe('smets-twin watch', () => {
  it('prints each message on the bus as a line, an undecodable one too, and exits after --count', async () => {
    const broker = await startTestEmbeddedBroker();
    brokers.push(broker);
    const watch = cli('watch', '--url', broker.url, '--count', '3');
    await watch.stderrLine(/^smets-twin watch: watching smets\/# on mqtt:\/\/127\.0\.0\.1:\d+ as obs\.watch-\d+$/);

    const garbage = Uint8Array.of(0x0a, 0x10, 0x41); // a string field of 16 bytes, cut after one
    const factory = new MqttBusFactory({ url: broker.url });
    const hub = unwrap(await factory.connect({ clientId: clientIdOf({ kind: 'hub', id: HUB }) }));
    try {
      const alert = envelope({ kind: 'deviceAlert', deviceAlert: { code: 0x8f0f, device: METER, at: AT, critical: true } });
      const response = envelope(
        {
          kind: 'wanResponse',
          wanResponse: { commsHub: HUB, device: METER, response: { ref: 'r9', command: 'supplyArm', outcome: 'success' } },
        },
        { requestId: REQ },
      );
      await hub.publish(TOPIC, encodeEnvelope(alert), { qos: 1 });
      await hub.publish(TOPIC, encodeEnvelope(response), { qos: 1 });
      await hub.publish(TOPIC, garbage, { qos: 1 });
      expect(await watch.exit).toBe(0);
    } finally {
      await factory.closeAll();
    }
    expect(watch.stdout.split('\n')).toEqual([
      `${TIME} ${TOPIC} deviceAlert ${METER} → ${HUB} 0x8F0F creditBelowDisablement device=${METER} critical`,
      `${TIME} ${TOPIC} wanResponse ${METER} → ${HUB} req=${REQ} hub=${HUB} device=${METER} supplyArm success ref=r9`,
      `! ${TOPIC} undecodable: truncated: ${unwrapError(decodeEnvelope(garbage))}`,
      '',
    ]);
    expect(watch.stderr).toMatch(/smets-twin watch: 3 messages, 1 undecodable\n$/);
  });

  it('refuses a URL that is not an MQTT one: exit code 2, one line, no stack trace', async () => {
    const r = cli('watch', '--url', 'ftp://x');
    expect(await r.exit).toBe(2);
    expect(r.stderr).toBe('smets-twin watch: --url: expected an mqtt://, mqtts://, ws:// or wss:// URL, got "ftp://x"\n');
    expect(r.stdout).toBe('');
  });

  it('says so when no broker answers: exit code 2, one line, no stack trace', async () => {
    const port = await closedPort();
    const r = cli('watch', '--url', `mqtt://127.0.0.1:${port}`, '--connect-timeout', '1000');
    expect(await r.exit).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`^smets-twin watch: cannot reach a broker at mqtt://127\\.0\\.0\\.1:${port}: ECONNREFUSED.*\\n$`));
    expect(r.stderr).not.toMatch(noStackTrace);
  });

  it('says so when the broker goes away: exit code 1 and the tally', async () => {
    const broker = await startTestEmbeddedBroker();
    brokers.push(broker);
    const watch = cli('watch', '--url', broker.url, '--client-id', 'obs.lost');
    await watch.stderrLine(/watching smets\/#/);
    await broker.close();
    expect(await watch.exit).toBe(1);
    expect(watch.stderr).toMatch(/lost the connection to mqtt:\/\/127\.0\.0\.1:\d+\nsmets-twin watch: 0 messages, 0 undecodable\n$/);
  });
});

describe('smets-twin broker', () => {
  it('prints its URL, takes clients, and closes cleanly on SIGTERM', async () => {
    const broker = cli('broker', '--port', '0');
    const url = await broker.stdoutLine();
    expect(url).toMatch(/^mqtt:\/\/127\.0\.0\.1:\d+$/);
    const factory = new MqttBusFactory({ url });
    unwrap(await factory.connect({ clientId: 'obs.test' }));
    broker.child.kill('SIGTERM');
    expect(await broker.exit).toBe(0);
    expect(broker.stderr).toContain('smets-twin broker: closed (1 client disconnected)');
    await factory.closeAll();
  });

  it.each([
    [['--host', '0.0.0.0'], '--host: the broker listens on loopback only'],
    [['--port', '70000'], '--port: expected a whole number from 0 to 65535'],
  ])('refuses %j: exit code 2, one line', async (args, message) => {
    const r = cli('broker', ...args);
    expect(await r.exit).toBe(2);
    expect(r.stderr).toContain(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('says so when the port is taken: exit code 2, no stack trace', async () => {
    const taken = await startTestEmbeddedBroker();
    brokers.push(taken);
    const r = cli('broker', '--port', new URL(taken.url).port);
    expect(await r.exit).toBe(2);
    expect(r.stderr).toMatch(/^smets-twin broker: cannot listen on 127\.0\.0\.1:\d+: .*EADDRINUSE.*\n$/);
  });
});

function unwrapError(r: ReturnType<typeof decodeEnvelope>): string {
  if (r.ok) throw new Error('expected a decode error');
  return r.error.message;
}

/** A loopback port nothing listens on (it was free a moment ago). */
async function closedPort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
