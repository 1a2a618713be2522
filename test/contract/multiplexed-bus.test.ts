/**
 * The multiplexed bus: the bus contract with every client carried over one
 * shared connection (or two), on the memory bus and over MQTT through the
 * embedded broker and mosquitto; then what the multiplexer adds — retained
 * messages for a late logical subscriber only, wills it publishes for its
 * clients, per-identity authorisation behind one shard principal, and the
 * shards' own grants at the broker. Without mosquitto its tests are skipped,
 * with a warning (see test/support/brokers.ts).
 */
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { Eui64 } from '../../core/ids.ts';
import { unwrap } from '../../core/result.ts';
import { VirtualClock } from '../../core/time/virtual-clock.ts';
import { clientIdOf, shardsByHub, type Principal } from '../../emulator/bus/acl.ts';
import { brokerHooks, credentialsFor } from '../../emulator/bus/broker-auth.ts';
import { MemoryBus } from '../../emulator/bus/memory-bus.ts';
import { writeMosquittoAuth } from '../../emulator/bus/mosquitto-acl.ts';
import { MqttBusFactory } from '../../emulator/bus/mqtt-bus.ts';
import { MultiplexedBusFactory, shardOfClient, type MultiplexedBusOptions } from '../../emulator/bus/multiplexed-bus.ts';
import type { Bus, BusFactory, BusMessage } from '../../emulator/bus/port.ts';
import {
  chOnlineTopic,
  CH_ONLINE_FILTER,
  hanInTopic,
  hanOutFilter,
  hanOutTopic,
  WAN_UP_FILTER,
  wanDownTopic,
  wanUpTopic,
} from '../../emulator/bus/topics.ts';
import { skipMosquitto, startTestEmbeddedBroker, startTestMosquitto, type TestBroker } from '../support/brokers.ts';
import { busContract, type BusHarness } from './bus.contract.ts';

const T0 = Date.UTC(2026, 5, 2, 11);
const ONE_SHARD: MultiplexedBusOptions = { shardOf: () => 'one', policy: 'open' };
// Client ids of even and odd length on two shards: traffic also crosses between shared connections.
const TWO_SHARDS: MultiplexedBusOptions = { shardOf: (id) => (id.length % 2 === 0 ? 'even' : 'odd'), policy: 'open' };

function overMemory(options: MultiplexedBusOptions): () => Promise<BusHarness> {
  return () => {
    const clock = new VirtualClock(T0);
    const factory = new MultiplexedBusFactory(new MemoryBus(clock), options);
    return Promise.resolve({ factory, settle: () => factory.settle(), dispose: () => factory.closeAll() });
  };
}

function overBroker(start: () => Promise<TestBroker>): () => Promise<BusHarness> {
  return async () => {
    const broker = await start();
    const mqtt = new MqttBusFactory({ url: broker.url });
    const factory = new MultiplexedBusFactory(mqtt, ONE_SHARD);
    return {
      factory,
      settle: () => factory.settle(),
      dispose: async () => {
        await factory.closeAll();
        await mqtt.closeAll();
        await broker.close();
      },
    };
  };
}

busContract('multiplexed over the memory bus, one shard', overMemory(ONE_SHARD));
busContract('multiplexed over the memory bus, two shards', overMemory(TWO_SHARDS));
busContract(
  'multiplexed over MQTT through the embedded broker, one shard',
  overBroker(() => startTestEmbeddedBroker()),
);
describe.skipIf(skipMosquitto)('over mosquitto', () => {
  busContract('multiplexed over MQTT through mosquitto, one shard', overBroker(startTestMosquitto));
});

const text = (s: string): Uint8Array => new TextEncoder().encode(s);
const decode = (m: BusMessage): string => new TextDecoder().decode(m.payload);

/** Collects what a handler receives, as `topic payload` lines with `(retained)` on a replay. */
function recorder(): { readonly got: string[]; readonly handler: (m: BusMessage) => void } {
  const got: string[] = [];
  return { got, handler: (m) => void got.push(`${m.topic} ${decode(m)}${m.retain ? ' (retained)' : ''}`) };
}

const HUB_A = '00-DB-12-00-00-00-10-01' as Eui64;
const HUB_B = '00-DB-12-00-00-00-10-02' as Eui64;
const ESME_A = '00-DB-12-00-00-00-00-02' as Eui64;
const GSME_A = '00-DB-12-00-00-00-00-03' as Eui64;
const hubA: Principal = { kind: 'hub', id: HUB_A };
const hubB: Principal = { kind: 'hub', id: HUB_B };
const esmeA: Principal = { kind: 'device', hub: HUB_A, id: ESME_A };
const gsmeA: Principal = { kind: 'device', hub: HUB_A, id: GSME_A };
const dsp: Principal = { kind: 'dsp' };
const PRINCIPALS = [hubA, hubB, esmeA, gsmeA, dsp];
// Two shards, and hub A's premises on one and hub B on the other: checked, so the tests mean what they say.
const SHARDS = shardsByHub(2);

/** A bus under test: the inner factory and how to release it. */
interface Setup {
  readonly name: string;
  readonly skip: boolean;
  /** An inner bus; with `acl`, over a broker enforcing the policy with the shards' grants. */
  readonly start: (acl: boolean) => Promise<{ inner: BusFactory & { settle(): Promise<void> }; dispose: () => Promise<void> }>;
  /** How the broker answers when the shard itself oversteps (only tried against real brokers). */
  readonly shardOverstep?: 'connection closed' | 'acknowledged, dropped';
}

const SETUPS: readonly Setup[] = [
  {
    name: 'the memory bus',
    skip: false,
    start: () => Promise.resolve({ inner: new MemoryBus(new VirtualClock(T0)), dispose: () => Promise.resolve() }),
  },
  {
    name: 'the embedded broker',
    skip: false,
    start: async (acl) => {
      const secret = new Uint8Array(randomBytes(32));
      const broker = await startTestEmbeddedBroker(acl ? brokerHooks(secret, { shards: SHARDS }) : {});
      const inner = new MqttBusFactory({ url: broker.url, credentials: credentialsFor(secret), settleTimeoutMs: 5000 });
      return { inner, dispose: async () => (await inner.closeAll(), await broker.close()) };
    },
    shardOverstep: 'connection closed',
  },
  {
    name: 'mosquitto',
    skip: skipMosquitto,
    start: async (acl) => {
      const secret = new Uint8Array(randomBytes(32));
      const broker = await startTestMosquitto(acl ? (dir) => writeMosquittoAuth(dir, secret, PRINCIPALS, { shards: SHARDS }) : undefined);
      const inner = new MqttBusFactory({ url: broker.url, credentials: credentialsFor(secret), settleTimeoutMs: 5000 });
      return { inner, dispose: async () => (await inner.closeAll(), await broker.close()) };
    },
    shardOverstep: 'acknowledged, dropped',
  },
];

for (const setup of SETUPS) {
  describe.skipIf(setup.skip)(`multiplexed bus over ${setup.name}`, () => {
    const cleanups: (() => Promise<void>)[] = [];
    afterEach(async () => {
      for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    });

    async function bus(acl: boolean, options: MultiplexedBusOptions) {
      const { inner, dispose } = await setup.start(acl);
      cleanups.push(dispose);
      const factory = new MultiplexedBusFactory(inner, options);
      cleanups.push(() => factory.closeAll());
      const connect = async (id: string | Principal, will?: { topic: string; payload: Uint8Array }): Promise<Bus> => {
        const clientId = typeof id === 'string' ? id : clientIdOf(id);
        return unwrap(await factory.connect(will === undefined ? { clientId } : { clientId, will: { ...will, qos: 1, retain: true } }));
      };
      return { factory, inner, connect, settle: () => factory.settle() };
    }

    it('gives the retained messages to a late logical subscriber only, on a filter the shared connection holds already', async () => {
      const { connect, settle, factory } = await bus(false, ONE_SHARD);
      const [pub, early] = [await connect('c-pub'), await connect('c-early')];
      const re = recorder();
      await early.subscribe('state/x', re.handler, { qos: 1 });
      await pub.publish('state/x', text('on'), { qos: 1, retain: true });
      await settle();
      const late = await connect('c-late');
      const rl = recorder();
      await late.subscribe('state/x', rl.handler, { qos: 1 });
      await settle();
      // A wildcard over the same topic, and the same client subscribing to the same filter again.
      const wild = recorder();
      await late.subscribe('state/+', wild.handler, { qos: 1 });
      await settle();
      const again = recorder();
      await early.subscribe('state/x', again.handler, { qos: 1 });
      await settle();
      await pub.publish('state/x', text('off'), { qos: 1 });
      await settle();
      expect(re.got).toEqual(['state/x on', 'state/x off']);
      expect(rl.got).toEqual(['state/x on (retained)', 'state/x off']);
      expect(wild.got).toEqual(['state/x on (retained)', 'state/x off']);
      expect(again.got).toEqual(['state/x on (retained)', 'state/x off']);
      expect(factory.stats()).toEqual({ shards: 1, logicalClients: 3, directClients: 0 });
    });

    it('publishes a logical client’s will when it is killed or taken over, and not when it closes', async () => {
      const { connect, settle } = await bus(false, ONE_SHARD);
      const watcher = await connect('c-watch');
      const seen = recorder();
      await watcher.subscribe(CH_ONLINE_FILTER, seen.handler, { qos: 1 });
      const online = (hub: Eui64): { topic: string; payload: Uint8Array } => ({ topic: chOnlineTopic(hub), payload: text('0') });
      const [killed, closed, takenOver] = [
        await connect('c-killed', online(HUB_A)),
        await connect('c-closed', online(HUB_B)),
        await connect('c-taken', online(ESME_A)),
      ];
      for (const [bus, hub] of [
        [killed, HUB_A],
        [closed, HUB_B],
        [takenOver, ESME_A],
      ] as const) {
        await bus.publish(chOnlineTopic(hub), text('1'), { qos: 1, retain: true });
      }
      await settle();
      await killed.kill();
      await closed.close();
      const newer = await connect('c-taken');
      await settle();
      expect([killed.closed, closed.closed, takenOver.closed, newer.closed]).toEqual([true, true, true, false]);
      expect(seen.got.filter((l) => l.endsWith(' 0'))).toEqual([`${chOnlineTopic(HUB_A)} 0`, `${chOnlineTopic(ESME_A)} 0`]);
      // The will was retained, as asked: a late subscriber reads it.
      const late = recorder();
      await (await connect('c-late')).subscribe(chOnlineTopic(HUB_A), late.handler);
      await settle();
      expect(late.got).toEqual([`${chOnlineTopic(HUB_A)} 0 (retained)`]);
      // The shared connection is still up for everyone else.
      await newer.publish('after/all', text('x'));
      await settle();
    });

    it('authorises each logical client as its own identity: refusals at connect, subscribe and publish', async () => {
      const { connect, settle, factory, inner } = await bus(true, { shardOf: shardOfClient(SHARDS) });
      expect(SHARDS(hubA)).not.toBe(SHARDS(hubB));
      const d = unwrap(await inner.connect({ clientId: clientIdOf(dsp) }));
      const atDsp = recorder();
      await d.subscribe(WAN_UP_FILTER, atDsp.handler, { qos: 1 });
      await d.subscribe(CH_ONLINE_FILTER, atDsp.handler, { qos: 1 });
      const hub = await connect(hubA, { topic: chOnlineTopic(HUB_A), payload: text('0') });
      const atHub = recorder();
      await hub.subscribe(hanOutFilter(HUB_A), atHub.handler, { qos: 1 });
      const gsme = await connect(gsmeA);

      // A subscription outside its grants rejects; the client stays connected.
      await expect(gsme.subscribe(hanInTopic(HUB_A, ESME_A), () => {})).rejects.toThrow(
        `Bus.subscribe (${clientIdOf(gsmeA)}): refused ${JSON.stringify(hanInTopic(HUB_A, ESME_A))}`,
      );
      await expect(hub.subscribe('smets/#', () => {})).rejects.toThrow(/refused "smets\/#"/);
      expect(gsme.closed).toBe(false);

      // A publish outside its grants — as another device, as its hub — rejects and drops the client.
      for (const spoofed of [hanOutTopic(HUB_A, GSME_A), wanUpTopic(HUB_A)]) {
        const esme = await connect(esmeA);
        await expect(esme.publish(spoofed, text('spoof'), { qos: 1 })).rejects.toThrow(
          `Bus.publish (${clientIdOf(esmeA)}): not authorized to publish on ${JSON.stringify(spoofed)}`,
        );
        expect(esme.closed).toBe(true);
      }
      // A hub may not publish another hub's topics, even on its own shard's connection.
      await expect(hub.publish(wanUpTopic(HUB_B), text('spoof'), { qos: 1 })).rejects.toThrow(/not authorized/);
      expect(hub.closed).toBe(true);

      // What is refused at connect: an id that names nobody, an identity a shard does not carry, a will it may not publish.
      const refused = async (clientId: string, will?: { topic: string; payload: Uint8Array }): Promise<string> => {
        const r = await new MultiplexedBusFactory(inner, { shardOf: () => 'one' }).connect(
          will === undefined ? { clientId } : { clientId, will },
        );
        return r.ok ? 'connected' : `${r.error.code}: ${'reason' in r.error ? r.error.reason : ''}`;
      };
      expect(await refused('c-anyone')).toBe('refused: not authorized: c-anyone names no identity');
      expect(await refused('dsp')).toMatch(/^refused: not authorized: a shard carries comms hubs and devices only/);
      expect(await refused(clientIdOf(esmeA), { topic: chOnlineTopic(HUB_A), payload: text('0') })).toMatch(/may not publish its will/);

      // What the others published in their own right arrived; nothing spoofed did; the hub's will did.
      const g = await connect(gsmeA);
      const h = await connect(hubB);
      await g.publish(hanOutTopic(HUB_A, GSME_A), text('genuine'), { qos: 1 });
      await h.publish(wanUpTopic(HUB_B), text('from B'), { qos: 1 });
      await settle();
      expect(atHub.got).toEqual([]); // the hub was dropped before the genuine message
      expect(atDsp.got).toEqual([`${chOnlineTopic(HUB_A)} 0`, `${wanUpTopic(HUB_B)} from B`]);
      expect(factory.stats()).toMatchObject({ shards: 2 });
    });

    it.skipIf(setup.shardOverstep === undefined)(
      'the broker grants a shard the topics of the hubs and devices it carries, and no others',
      async () => {
        const { inner, settle } = await bus(true, { shardOf: shardOfClient(SHARDS) });
        const d = unwrap(await inner.connect({ clientId: clientIdOf(dsp) }));
        const atDsp = recorder();
        await d.subscribe(WAN_UP_FILTER, atDsp.handler, { qos: 1 });
        const shardA = `sim.${SHARDS(hubA)}`;
        const own = unwrap(await inner.connect({ clientId: shardA }));
        // Its hub's and devices' filters are granted; another shard's hub's are not.
        await own.subscribe(wanDownTopic(HUB_A), () => {}, { qos: 1 });
        await own.subscribe(hanInTopic(HUB_A, ESME_A), () => {}, { qos: 1 });
        await own.publish(wanUpTopic(HUB_A), text('carried'), { qos: 1 });
        const sent = own.publish(wanUpTopic(HUB_B), text('not carried'), { qos: 1 });
        if (setup.shardOverstep === 'connection closed') await expect(sent).rejects.toThrow(/connection was lost/);
        else await expect(sent).resolves.toBeUndefined();
        await settle();
        expect(atDsp.got).toEqual([`${wanUpTopic(HUB_A)} carried`]);
      },
    );
  });
}
