/**
 * Bus throughput and connection memory over real brokers. Prints, for this machine:
 *  1. WAN messages per second end to end, one publisher → broker → one
 *     subscriber, through the embedded aedes broker (in this process) and
 *     through mosquitto, at QoS 0 and QoS 1:
 *     - raw: mqtt.js publishing a payload of the same size as the encoded WAN
 *       envelope, counted at an mqtt.js subscriber — the baseline, measured in
 *       the same run through the same broker;
 *     - ours: a comms hub (`MqttBusFactory`) publishing on `smets/wan/{hub}/up`
 *       an `Envelope` encoded per message with `encodeEnvelope`, and the `dsp`
 *       identity subscribed to `smets/wan/+/up` decoding each with
 *       `decodeEnvelope` in its handler;
 *     and the ratio ours / raw against the 80 % target. Both brokers enforce
 *     the bus policy (aedes: `brokerHooks`; mosquitto: `writeMosquittoAuth`),
 *     and the raw clients authenticate as principals too, so both sides pass
 *     the same authorisation.
 *  2. Memory per connection: N comms hubs connected with the adapter, each
 *     subscribed to its WAN down topic — for aedes the heap of this process
 *     (broker and clients both live here), for mosquitto its RSS from
 *     /proc/<pid>/status, and this process's heap for the client side alone.
 *
 * Publishing is flow-controlled: at most WINDOW messages published and not yet
 * received. Each figure is the median of RUNS, raw and ours interleaved, after
 * a warm-up. Loopback only; every broker is stopped at the end.
 *
 * Usage: npm run bench:bus [-- --messages N --runs R --hubs H]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { connect as mqttConnect, type MqttClient } from 'mqtt';
import { toEui64, type Eui64 } from '../core/ids.ts';
import { clientIdOf, type Principal } from '../emulator/bus/acl.ts';
import { brokerHooks, credentialsFor, newRunSecret, passwordFor } from '../emulator/bus/broker-auth.ts';
import { startEmbeddedBroker } from '../emulator/bus/embedded-broker.ts';
import { writeMosquittoAuth } from '../emulator/bus/mosquitto-acl.ts';
import { findMosquitto, startMosquitto } from '../emulator/bus/mosquitto.ts';
import { MqttBusFactory } from '../emulator/bus/mqtt-bus.ts';
import type { Bus, BusMessage, QoS } from '../emulator/bus/port.ts';
import { WAN_UP_FILTER, wanDownTopic, wanUpTopic } from '../emulator/bus/topics.ts';
import { decodeEnvelope, encodeEnvelope } from '../proto/codec.ts';
import type { Envelope } from '../proto/types.ts';
import { pump as flowControlled, type RunResult } from './pump.ts';

const { values } = parseArgs({ options: { messages: { type: 'string' }, runs: { type: 'string' }, hubs: { type: 'string' } } });
const MESSAGES = Number(values.messages ?? 50_000);
const RUNS = Number(values.runs ?? 3);
const HUBS = Number(values.hubs ?? 2_000);
const WINDOW = 1_000;
const WARM_UP = 5_000;
/** A run that has not received everything by then stops and reports what arrived. */
const RUN_LIMIT_MS = 60_000;
const TARGET = 0.8;
const gc = (globalThis as { gc?: () => void }).gc;
const fmt = (n: number): string => Math.round(n).toLocaleString('en-GB');

function eui(n: number): Eui64 {
  const r = toEui64(`00DB12${n.toString(16).toUpperCase().padStart(10, '0')}`, 'eui');
  if (!r.ok) throw new Error(`bad EUI ${n}`);
  return r.value;
}

const HUB = eui(1);
const RAW_HUB = eui(2);
const METER = eui(0x100);
const fleetHubs = Array.from({ length: HUBS }, (_, i) => eui(0x1_000 + i));
const hub = (id: Eui64): Principal => ({ kind: 'hub', id });
const RAW_SUBSCRIBER: Principal = { kind: 'observer', name: 'raw' };
const principals: Principal[] = [hub(HUB), hub(RAW_HUB), { kind: 'dsp' }, RAW_SUBSCRIBER, ...fleetHubs.map(hub)];

const at = Date.UTC(2026, 2, 1, 18, 30);
/** A comms hub carrying a meter's balance read back to the DSP; messageId and counter keep a fixed width. */
const wanUp = (i: number): Envelope => ({
  messageId: `${HUB}/${String(i).padStart(8, '0')}`,
  requestId: `90-B3-D5-1F-30-01-00-00:${METER}:${String(i).padStart(8, '0')}`,
  originator: HUB,
  target: '90-B3-D5-1F-30-01-00-00',
  counter: 1_772_389_800_000n + BigInt(i),
  at,
  kind: 'wanResponse',
  wanResponse: {
    commsHub: HUB,
    device: METER,
    response: { ref: null, command: 'readBalance', outcome: 'success', body: { balance: 1234, emergencyCredit: 0 } },
  },
});
const PAYLOAD_BYTES = encodeEnvelope(wanUp(0)).length;

/** Publishes `total` messages with `publish(i)`, flow-controlled (`bench/pump.ts`). */
const pump = (total: number, publish: (i: number) => void, arrived: (onMessage: () => void) => void): Promise<RunResult> =>
  flowControlled(total, publish, arrived, WINDOW, RUN_LIMIT_MS);

/** The raw baseline: plain mqtt.js clients, authenticated as principals, a payload of the envelope's size. */
class Raw {
  private readonly publisher: MqttClient;
  private readonly subscriber: MqttClient;
  private onMessage: () => void = () => {};
  private constructor(publisher: MqttClient, subscriber: MqttClient) {
    this.publisher = publisher;
    this.subscriber = subscriber;
    subscriber.on('message', () => this.onMessage());
  }

  static async open(url: string, secret: Uint8Array): Promise<Raw> {
    const client = async (p: Principal): Promise<MqttClient> => {
      const id = clientIdOf(p);
      const c = mqttConnect(url, {
        clientId: id,
        username: id,
        password: Buffer.from(passwordFor(secret, id)),
        protocolVersion: 4,
        clean: true,
        keepalive: 0,
        reconnectPeriod: 0,
      });
      await new Promise<void>((resolve, reject) => {
        c.once('connect', () => resolve());
        c.once('error', reject);
      });
      (c.stream as { setNoDelay?: (noDelay: boolean) => unknown }).setNoDelay?.(true);
      return c;
    };
    const subscriber = await client(RAW_SUBSCRIBER);
    await subscriber.subscribeAsync(wanUpTopic(RAW_HUB), { qos: 1 });
    return new Raw(await client(hub(RAW_HUB)), subscriber);
  }

  run(total: number, qos: QoS): Promise<RunResult> {
    const topic = wanUpTopic(RAW_HUB);
    const payload = Buffer.alloc(PAYLOAD_BYTES, 0x61);
    return pump(
      total,
      () => this.publisher.publish(topic, payload, { qos }),
      (onMessage) => (this.onMessage = onMessage),
    );
  }

  async close(): Promise<void> {
    await Promise.all([this.publisher.endAsync(), this.subscriber.endAsync()]);
  }
}

/** Ours: a comms hub and the DSP through the adapter, with the codec on both ends. */
class Ours {
  private readonly bus: MqttBusFactory;
  private readonly hubBus: Bus;
  private readonly codec: boolean;
  private readonly encoded = encodeEnvelope(wanUp(0));
  private onMessage: () => void = () => {};
  private failure: Error | undefined;
  private constructor(bus: MqttBusFactory, hubBus: Bus, codec: boolean) {
    this.bus = bus;
    this.hubBus = hubBus;
    this.codec = codec;
  }

  /** With `codec` false, the adapter alone: the same encoded envelope published each time, and not decoded. */
  static async open(url: string, secret: Uint8Array, codec = true): Promise<Ours> {
    const bus = new MqttBusFactory({ url, credentials: credentialsFor(secret) });
    const connected = async (p: Principal): Promise<Bus> => {
      const r = await bus.connect({ clientId: clientIdOf(p) });
      if (!r.ok) throw new Error(`connect ${clientIdOf(p)}: ${JSON.stringify(r.error)}`);
      return r.value;
    };
    const dsp = await connected({ kind: 'dsp' });
    const ours = new Ours(bus, await connected(hub(HUB)), codec);
    await dsp.subscribe(WAN_UP_FILTER, (m) => ours.handle(m), { qos: 1 });
    return ours;
  }

  run(total: number, qos: QoS): Promise<RunResult> {
    const topic = wanUpTopic(HUB);
    const fail = (error: unknown): void => void (this.failure ??= error instanceof Error ? error : new Error(String(error)));
    return pump(
      total,
      (i) => void this.hubBus.publish(topic, this.codec ? encodeEnvelope(wanUp(i)) : this.encoded, { qos }).catch(fail),
      (onMessage) => (this.onMessage = onMessage),
    ).then((result) => {
      if (this.failure !== undefined) throw this.failure;
      return result;
    });
  }

  close(): Promise<void> {
    return this.bus.closeAll();
  }

  private handle(message: BusMessage): void {
    if (!this.codec) {
      this.onMessage();
      return;
    }
    const r = decodeEnvelope(message.payload);
    if (!r.ok || r.value.kind !== 'wanResponse') throw new Error(`dsp: not a WAN response: ${r.ok ? r.value.kind : r.error.message}`);
    this.onMessage();
  }
}

const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

interface Row {
  readonly broker: string;
  readonly qos: QoS;
  readonly raw: number;
  readonly adapter: number;
  readonly ours: number;
}

/** raw mqtt.js; the adapter with a fixed payload and no codec; ours, the adapter with the codec on both ends. */
type Side = 'raw' | 'adapter' | 'ours';
const SIDES: readonly Side[] = ['raw', 'adapter', 'ours'];

async function throughput(broker: string, url: string, secret: Uint8Array): Promise<Row[]> {
  // Each run has only its own pair connected: the DSP's wildcard would otherwise also hear the raw hub.
  const once = async (side: Side, total: number, qos: QoS): Promise<number> => {
    const clients = side === 'raw' ? await Raw.open(url, secret) : await Ours.open(url, secret, side === 'ours');
    try {
      const result = await clients.run(total, qos);
      if (result.received < total)
        console.log(`   ${broker} QoS ${qos} ${side}: only ${fmt(result.received)} of ${fmt(total)} arrived within ${RUN_LIMIT_MS} ms`);
      return result.received / result.seconds;
    } finally {
      await clients.close();
    }
  };
  const rows: Row[] = [];
  for (const qos of [0, 1] as const) {
    for (const side of SIDES) await once(side, WARM_UP, qos);
    const rates: Record<Side, number[]> = { raw: [], adapter: [], ours: [] };
    for (let r = 0; r < RUNS; r++) for (const side of SIDES) rates[side].push(await once(side, MESSAGES, qos));
    const row: Row = { broker, qos, raw: median(rates.raw), adapter: median(rates.adapter), ours: median(rates.ours) };
    rows.push(row);
    const ratio = row.ours / row.raw;
    console.log(
      `   ${broker.padEnd(9)} QoS ${qos}   raw ${fmt(row.raw).padStart(7)}   adapter ${fmt(row.adapter).padStart(7)}   ours ${fmt(row.ours).padStart(7)} msgs/s   ` +
        `ours/raw ${(ratio * 100).toFixed(0).padStart(3)} %   ${ratio >= TARGET ? 'meets' : 'misses'} ${TARGET * 100} %` +
        `   (runs: ${SIDES.map((side) => `${side} ${rates[side].map(fmt).join(' / ')}`).join('; ')})`,
    );
  }
  return rows;
}

/** Connects the fleet's hubs, `concurrency` at a time, each subscribed to its WAN down topic; resolves with the factory. */
async function connectHubs(url: string, secret: Uint8Array): Promise<{ bus: MqttBusFactory; seconds: number }> {
  const bus = new MqttBusFactory({ url, credentials: credentialsFor(secret) });
  const start = performance.now();
  const concurrency = 100;
  for (let i = 0; i < fleetHubs.length; i += concurrency) {
    await Promise.all(
      fleetHubs.slice(i, i + concurrency).map(async (id) => {
        const r = await bus.connect({ clientId: clientIdOf(hub(id)) });
        if (!r.ok) throw new Error(`connect hub ${id}: ${JSON.stringify(r.error)}`);
        await r.value.subscribe(wanDownTopic(id), () => {}, { qos: 1 });
      }),
    );
  }
  return { bus, seconds: (performance.now() - start) / 1000 };
}

function heapUsed(): number {
  gc?.();
  gc?.();
  return process.memoryUsage().heapUsed;
}

function rssBytes(pid: number): number {
  const line = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (line === null) throw new Error(`no VmRSS for ${pid}`);
  return Number(line[1]) * 1024;
}

const settleDown = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

console.log(`smets-twin bus benchmark — ${cpus()[0]?.model ?? 'cpu'} × ${availableParallelism()}, node ${process.version}`);
console.log(
  `\n1. WAN messages per second, 1 hub → broker → DSP, ${fmt(MESSAGES)} messages of ${PAYLOAD_BYTES} bytes, window ${fmt(WINDOW)}, median of ${RUNS}`,
);

const secret = newRunSecret();
const aedes = await startEmbeddedBroker(brokerHooks(secret));
const mosquittoBinary = findMosquitto();
const configDir = await mkdtemp(join(tmpdir(), 'smets-bench-mosquitto-'));
const mosquitto =
  mosquittoBinary === null
    ? null
    : await startMosquitto({ configDir, binary: mosquittoBinary, extraConfig: await writeMosquittoAuth(configDir, secret, principals) });
try {
  await throughput('aedes', aedes.url, secret);
  if (mosquitto === null) console.log('   mosquitto is not installed: skipped');
  else await throughput('mosquitto', mosquitto.url, secret);

  console.log(`\n2. Memory per connection: ${fmt(HUBS)} comms hubs through the adapter, each subscribed to its WAN down topic`);
  if (gc === undefined) console.log('   (run with --expose-gc for exact heap figures)');
  {
    const before = heapUsed();
    const { bus, seconds } = await connectHubs(aedes.url, secret);
    await settleDown(500);
    const after = heapUsed();
    console.log(
      `   aedes      ${fmt(aedes.stats().clients)} clients connected in ${seconds.toFixed(2)} s; ` +
        `heap of this process (broker + clients) ${fmt((after - before) / HUBS)} bytes per connection`,
    );
    await bus.closeAll();
  }
  if (mosquitto !== null) {
    const before = heapUsed();
    const rssBefore = rssBytes(mosquitto.pid);
    const { bus, seconds } = await connectHubs(mosquitto.url, secret);
    await settleDown(500);
    const after = heapUsed();
    const rssAfter = rssBytes(mosquitto.pid);
    console.log(
      `   mosquitto  connected in ${seconds.toFixed(2)} s; broker RSS ${fmt((rssAfter - rssBefore) / HUBS)} bytes per connection ` +
        `(${(rssAfter / 2 ** 20).toFixed(1)} MiB in all); client side alone (this process's heap) ${fmt((after - before) / HUBS)} bytes per connection`,
    );
    await bus.closeAll();
  }
} finally {
  await aedes.close();
  await mosquitto?.stop();
  await rm(configDir, { recursive: true, force: true });
}
