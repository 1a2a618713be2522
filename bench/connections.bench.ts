/**
 * The bus's connection models side by side over real brokers: one connection
 * per comms hub (`per-client`) against hubs multiplexed over one connection
 * per shard (`per-shard`, `MultiplexedBusFactory`). For each broker — the
 * embedded aedes broker in this process and mosquitto as a child process —
 * and each model, a fresh broker enforcing the bus policy with the shards'
 * grants (aedes: `brokerHooks`; mosquitto: `writeMosquittoAuth`), then:
 *  1. Memory per connection: N comms hubs connected, each with its will (a
 *     retained `0` on its online topic) and subscribed to its WAN down topic,
 *     plus the hub measured below. For aedes the heap of this process (broker
 *     and clients); for mosquitto its RSS from /proc/<pid>/status, and this
 *     process's heap for the client side alone. Per hub, with the sockets it
 *     took. The heap's baseline is taken after a warm-up round of 200 hubs
 *     connected and closed; the broker's RSS from its start.
 *  2. WAN messages per second end to end with those N hubs connected, at
 *     QoS 0 and QoS 1, up (one hub → broker → the DSP) and down (the DSP →
 *     broker → one hub):
 *     - raw: mqtt.js publishing a payload of the encoded envelope's size,
 *       counted at an mqtt.js subscriber — the baseline, measured through the
 *       same broker in the same phase, interleaved with ours;
 *     - ours: the hub through the model's bus (its own connection, or its
 *       shard's), the DSP on a connection of its own, an `Envelope` encoded
 *       per message and decoded in the receiver's handler.
 *     and the ratio ours / raw.
 *
 * Publishing is flow-controlled: at most WINDOW messages published and not yet
 * received. Each rate is the median of RUNS, raw and ours interleaved, after a
 * warm-up. Loopback only; every broker is stopped at the end.
 *
 * Usage: npm run bench:connections [-- --hubs N --hubs-per-shard H --messages M --runs R --broker aedes|mosquitto --model per-client|per-shard]
 */
import { EventEmitter } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { connect as mqttConnect, type MqttClient } from 'mqtt';
import { toEui64, type Eui64 } from '../core/ids.ts';
import { unwrap } from '../core/result.ts';
import { clientIdOf, type Principal } from '../emulator/bus/acl.ts';
import { brokerHooks, credentialsFor, newRunSecret, passwordFor } from '../emulator/bus/broker-auth.ts';
import {
  brokerPolicyFor,
  busForPlan,
  DEFAULT_HUBS_PER_SHARD,
  planConnections,
  type ConnectionPlan,
} from '../emulator/bus/connection-model.ts';
import { startEmbeddedBroker } from '../emulator/bus/embedded-broker.ts';
import { writeMosquittoAuth } from '../emulator/bus/mosquitto-acl.ts';
import { findMosquitto, startMosquitto } from '../emulator/bus/mosquitto.ts';
import { MqttBusFactory } from '../emulator/bus/mqtt-bus.ts';
import type { Bus, BusFactory, BusMessage, QoS } from '../emulator/bus/port.ts';
import { chOnlineTopic, WAN_UP_FILTER, wanDownTopic, wanUpTopic } from '../emulator/bus/topics.ts';
import { decodeEnvelope, encodeEnvelope } from '../proto/codec.ts';
import type { Envelope } from '../proto/types.ts';
import { pump as flowControlled, type RunResult } from './pump.ts';

const { values } = parseArgs({
  options: {
    hubs: { type: 'string' },
    'hubs-per-shard': { type: 'string' },
    messages: { type: 'string' },
    runs: { type: 'string' },
    broker: { type: 'string' },
    model: { type: 'string' },
  },
});
const HUBS = Number(values.hubs ?? 2_000);
const HUBS_PER_SHARD = Number(values['hubs-per-shard'] ?? DEFAULT_HUBS_PER_SHARD);
const MESSAGES = Number(values.messages ?? 30_000);
const RUNS = Number(values.runs ?? 3);
const WINDOW = 1_000;
const WARM_UP = 3_000;
const RUN_LIMIT_MS = 60_000;
const gc = (globalThis as { gc?: () => void }).gc;
// mqtt.js waits for 'drain' once per write queued behind a full socket: up to a window's worth, past Node's warning threshold.
EventEmitter.defaultMaxListeners = 2 * WINDOW;
const fmt = (n: number): string => Math.round(n).toLocaleString('en-GB');

function eui(n: number): Eui64 {
  return unwrap(toEui64(`00DB12${n.toString(16).toUpperCase().padStart(10, '0')}`, 'eui'));
}

const HUB = eui(1);
const RAW_HUB = eui(2);
const METER = eui(0x100);
const fleetHubs = Array.from({ length: HUBS }, (_, i) => eui(0x1_000 + i));
const hub = (id: Eui64): Principal => ({ kind: 'hub', id });
const DSP: Principal = { kind: 'dsp' };
const RAW_OBSERVER: Principal = { kind: 'observer', name: 'raw' };
const principals: Principal[] = [hub(HUB), hub(RAW_HUB), DSP, RAW_OBSERVER, ...fleetHubs.map(hub)];
const OFFLINE = Uint8Array.of(0x30);

const PLANS: readonly { readonly name: string; readonly plan: ConnectionPlan }[] = [
  { name: 'per-client', plan: { model: 'per-client' } as const },
  { name: 'per-shard', plan: unwrap(planConnections(HUBS + 1, { model: { kind: 'per-shard', hubsPerShard: HUBS_PER_SHARD } })) },
].filter((p) => values.model === undefined || p.name === values.model);

const at = Date.UTC(2026, 2, 1, 18, 30);
/** What goes up: a comms hub carrying a meter's balance read back to the DSP. */
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
/** What goes down: the DSP asking the hub's meter for its balance. */
const wanDown = (i: number): Envelope => ({
  messageId: `dsp/${String(i).padStart(8, '0')}`,
  requestId: `90-B3-D5-1F-30-01-00-00:${METER}:${String(i).padStart(8, '0')}`,
  originator: '90-B3-D5-1F-30-01-00-00',
  target: HUB,
  counter: 1_772_389_800_000n + BigInt(i),
  at,
  kind: 'wanCommand',
  wanCommand: { commsHub: HUB, device: METER, command: { now: at, kind: 'readBalance', readBalance: {} } },
});

type Direction = 'up' | 'down';
const PAYLOAD_BYTES: Record<Direction, number> = { up: encodeEnvelope(wanUp(0)).length, down: encodeEnvelope(wanDown(0)).length };

/** Publishes `total` messages with `publish(i)`, flow-controlled (`bench/pump.ts`). */
const pump = (total: number, publish: (i: number) => void, arrived: (onMessage: () => void) => void): Promise<RunResult> =>
  flowControlled(total, publish, arrived, WINDOW, RUN_LIMIT_MS);

/** A pair of clients that can run messages one way. */
interface Pair {
  run(total: number, qos: QoS): Promise<RunResult>;
  close(): Promise<void>;
}

/** Raw mqtt.js, authenticated as principals: up, the raw hub to an observer; down, the DSP to the raw hub. */
async function rawPair(url: string, secret: Uint8Array, direction: Direction): Promise<Pair> {
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
  const topic = direction === 'up' ? wanUpTopic(RAW_HUB) : wanDownTopic(RAW_HUB);
  const subscriber = await client(direction === 'up' ? RAW_OBSERVER : hub(RAW_HUB));
  await subscriber.subscribeAsync(topic, { qos: 1 });
  const publisher = await client(direction === 'up' ? hub(RAW_HUB) : DSP);
  let onMessage: () => void = () => {};
  subscriber.on('message', () => onMessage());
  const payload = Buffer.alloc(PAYLOAD_BYTES[direction], 0x61);
  return {
    run: (total, qos) =>
      pump(
        total,
        () => publisher.publish(topic, payload, { qos }),
        (f) => (onMessage = f),
      ),
    close: async () => void (await Promise.all([publisher.endAsync(), subscriber.endAsync()])),
  };
}

/** The model's hub (connected for the whole phase) and a DSP of its own, with the codec on both ends. */
class OursPair implements Pair {
  private onMessage: () => void = () => {};
  private failure: Error | undefined;
  private readonly hubBus: Bus;
  private readonly dsp: Bus;
  private readonly direction: Direction;

  private constructor(hubBus: Bus, dsp: Bus, direction: Direction) {
    this.hubBus = hubBus;
    this.dsp = dsp;
    this.direction = direction;
  }

  static async open(
    hubBus: Bus,
    hubInbox: { handler: (m: BusMessage) => void },
    dspFactory: BusFactory,
    direction: Direction,
  ): Promise<OursPair> {
    const dsp = unwrap(await dspFactory.connect({ clientId: clientIdOf(DSP) }));
    const pair = new OursPair(hubBus, dsp, direction);
    if (direction === 'up') await dsp.subscribe(WAN_UP_FILTER, (m) => pair.handle(m), { qos: 1 });
    else hubInbox.handler = (m) => pair.handle(m);
    return pair;
  }

  run(total: number, qos: QoS): Promise<RunResult> {
    const fail = (error: unknown): void => void (this.failure ??= error instanceof Error ? error : new Error(String(error)));
    const publish =
      this.direction === 'up'
        ? (i: number) => void this.hubBus.publish(wanUpTopic(HUB), encodeEnvelope(wanUp(i)), { qos }).catch(fail)
        : (i: number) => void this.dsp.publish(wanDownTopic(HUB), encodeEnvelope(wanDown(i)), { qos }).catch(fail);
    return pump(total, publish, (f) => (this.onMessage = f)).then((result) => {
      if (this.failure !== undefined) throw this.failure;
      return result;
    });
  }

  close(): Promise<void> {
    return this.dsp.close();
  }

  private handle(message: BusMessage): void {
    const r = decodeEnvelope(message.payload);
    const expected = this.direction === 'up' ? 'wanResponse' : 'wanCommand';
    if (!r.ok || r.value.kind !== expected) throw new Error(`not a ${expected}: ${r.ok ? r.value.kind : r.error.message}`);
    this.onMessage();
  }
}

const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

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

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** A fresh broker for one phase. */
interface PhaseBroker {
  readonly url: string;
  /** The broker's own memory, when it is a process of its own. */
  readonly rss?: () => number;
  /** Connections the broker holds, when it can say. */
  readonly clients?: () => number;
  stop(): Promise<void>;
}

async function startAedes(secret: Uint8Array, plan: ConnectionPlan): Promise<PhaseBroker> {
  const broker = await startEmbeddedBroker(brokerHooks(secret, brokerPolicyFor(plan)));
  return { url: broker.url, clients: () => broker.stats().clients, stop: () => broker.close() };
}

async function startMosquittoPhase(binary: string, secret: Uint8Array, plan: ConnectionPlan): Promise<PhaseBroker> {
  const configDir = await mkdtemp(join(tmpdir(), 'smets-bench-mosquitto-'));
  const extraConfig = await writeMosquittoAuth(configDir, secret, principals, brokerPolicyFor(plan));
  const broker = await startMosquitto({ configDir, binary, extraConfig });
  return {
    url: broker.url,
    rss: () => rssBytes(broker.pid),
    stop: async () => {
      await broker.stop();
      await rm(configDir, { recursive: true, force: true });
    },
  };
}

interface PhaseResult {
  readonly broker: string;
  readonly model: string;
  readonly sockets: number;
  readonly connectSeconds: number;
  /** aedes: this process's heap (broker + clients); mosquitto: this process's heap (clients alone). */
  readonly heapPerHub: number;
  readonly rssPerHub: number | undefined;
  readonly rates: Map<string, { raw: number; ours: number }>;
}

/** One broker, one model: connect the fleet, measure memory, then the message rates beside raw. */
async function phase(
  brokerName: string,
  start: (secret: Uint8Array, plan: ConnectionPlan) => Promise<PhaseBroker>,
  model: string,
  plan: ConnectionPlan,
): Promise<PhaseResult> {
  const secret = newRunSecret();
  const broker = await start(secret, plan);
  const mqtt = new MqttBusFactory({ url: broker.url, credentials: credentialsFor(secret) });
  const bus = busForPlan(mqtt, plan);
  try {
    const connectHub = async (id: Eui64, handler: (m: BusMessage) => void): Promise<Bus> => {
      const will = { topic: chOnlineTopic(id), payload: OFFLINE, qos: 1, retain: true } as const;
      const r = await bus.connect({ clientId: clientIdOf(hub(id)), will });
      if (!r.ok) throw new Error(`connect hub ${id}: ${JSON.stringify(r.error)}`);
      await r.value.subscribe(wanDownTopic(id), handler, { qos: 1 });
      return r.value;
    };
    const concurrency = 100;
    const connectFleet = async (hubs: readonly Eui64[]): Promise<void> => {
      for (let i = 0; i < hubs.length; i += concurrency)
        await Promise.all(hubs.slice(i, i + concurrency).map((id) => connectHub(id, () => {})));
    };
    // The broker's memory from its start: what the warm-up below frees, the fleet's connections reuse.
    await pause(300);
    const rssBefore = broker.rss?.();
    // A warm-up round, closed again, so this process's baseline does not count what its first connections set up once.
    await connectFleet(fleetHubs.slice(0, 2 * concurrency));
    await bus.closeAll();
    await pause(300);
    const heapBefore = heapUsed();
    const started = performance.now();
    await connectFleet(fleetHubs);
    const inbox = { handler: (_m: BusMessage): void => {} };
    const hubBus = await connectHub(HUB, (m) => inbox.handler(m));
    const connectSeconds = (performance.now() - started) / 1000;
    await pause(500);
    const heapAfter = heapUsed();
    const rssAfter = broker.rss?.();
    const sockets = plan.model === 'per-client' ? HUBS + 1 : 'stats' in bus ? bus.stats().shards : NaN;
    const n = HUBS + 1;
    const result: PhaseResult = {
      broker: brokerName,
      model,
      sockets: broker.clients?.() ?? sockets,
      connectSeconds,
      heapPerHub: (heapAfter - heapBefore) / n,
      rssPerHub: rssBefore === undefined || rssAfter === undefined ? undefined : (rssAfter - rssBefore) / n,
      rates: new Map(),
    };
    console.log(
      `   ${brokerName.padEnd(9)} ${model.padEnd(10)} ${fmt(n)} hubs on ${fmt(result.sockets)} connection(s), connected in ${connectSeconds.toFixed(2)} s; ` +
        `heap ${fmt(result.heapPerHub)} B/hub` +
        (result.rssPerHub === undefined
          ? ''
          : `, broker RSS ${fmt(result.rssPerHub)} B/hub (${((rssAfter ?? 0) / 2 ** 20).toFixed(1)} MiB in all)`),
    );

    for (const direction of ['up', 'down'] as const) {
      for (const qos of [0, 1] as const) {
        const once = async (side: 'raw' | 'ours', total: number): Promise<number> => {
          const pair = side === 'raw' ? await rawPair(broker.url, secret, direction) : await OursPair.open(hubBus, inbox, mqtt, direction);
          try {
            const r = await pair.run(total, qos);
            if (r.received < total)
              console.log(`   ${side} ${direction} QoS ${qos}: only ${fmt(r.received)} of ${fmt(total)} within ${RUN_LIMIT_MS} ms`);
            return r.received / r.seconds;
          } finally {
            await pair.close();
          }
        };
        await once('raw', WARM_UP);
        await once('ours', WARM_UP);
        const raw: number[] = [];
        const ours: number[] = [];
        for (let r = 0; r < RUNS; r++) {
          raw.push(await once('raw', MESSAGES));
          ours.push(await once('ours', MESSAGES));
        }
        const row = { raw: median(raw), ours: median(ours) };
        result.rates.set(`${direction} ${qos}`, row);
        console.log(
          `      ${direction.padEnd(4)} QoS ${qos}   raw ${fmt(row.raw).padStart(7)}   ours ${fmt(row.ours).padStart(7)} msgs/s   ours/raw ${((row.ours / row.raw) * 100).toFixed(0).padStart(3)} %` +
            `   (runs: raw ${raw.map(fmt).join(' / ')}; ours ${ours.map(fmt).join(' / ')})`,
        );
      }
    }
    return result;
  } finally {
    await bus.closeAll();
    await mqtt.closeAll();
    await broker.stop();
  }
}

console.log(`smets-twin connection-model benchmark — ${cpus()[0]?.model ?? 'cpu'} × ${availableParallelism()}, node ${process.version}`);
console.log(
  `${fmt(HUBS + 1)} comms hubs, each with its will and its WAN down subscription; per-shard: ${fmt(HUBS_PER_SHARD)} hubs per shard; ` +
    `${fmt(MESSAGES)} messages per run (${PAYLOAD_BYTES.up} bytes up, ${PAYLOAD_BYTES.down} down), window ${fmt(WINDOW)}, median of ${RUNS}`,
);
if (gc === undefined) console.log('(run with --expose-gc for exact heap figures)');

const mosquittoBinary = findMosquitto();
const results: PhaseResult[] = [];
if (values.broker !== 'mosquitto') for (const { name, plan } of PLANS) results.push(await phase('aedes', startAedes, name, plan));
if (values.broker !== 'aedes') {
  if (mosquittoBinary === null) console.log('   mosquitto is not installed: skipped');
  else
    for (const { name, plan } of PLANS)
      results.push(await phase('mosquitto', (s, p) => startMosquittoPhase(mosquittoBinary, s, p), name, plan));
}

console.log('\nSummary, per comms hub (heap: aedes, broker and clients; mosquitto, the clients alone); ratios from the same phase:');
for (const r of results) {
  const rates = [...r.rates].map(([k, v]) => `${k} ${((v.ours / v.raw) * 100).toFixed(0)} %`).join(', ');
  console.log(
    `   ${r.broker.padEnd(9)} ${r.model.padEnd(10)} ${String(r.sockets).padStart(5)} sockets   heap ${fmt(r.heapPerHub).padStart(6)} B` +
      (r.rssPerHub === undefined ? '' : `   broker RSS ${fmt(r.rssPerHub).padStart(6)} B`) +
      `   ours/raw: ${rates}`,
  );
}
