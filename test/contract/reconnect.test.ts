/**
 * The MQTT adapter's opt-in reconnect mode over a broker that stops and
 * starts again on the same port: the embedded broker (closed, and a new one
 * started) and mosquitto (stopped, and started again). After the restart a
 * client is connected again, its subscriptions work again, and nothing is
 * delivered twice. Without mosquitto its tests are skipped, with a warning
 * (see test/support/brokers.ts).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { unwrap } from '../../core/result.ts';
import { startEmbeddedBroker, type EmbeddedBroker } from '../../emulator/bus/embedded-broker.ts';
import { startMosquitto, type RunningMosquitto } from '../../emulator/bus/mosquitto.ts';
import { MqttBusFactory, type MqttBusOptions } from '../../emulator/bus/mqtt-bus.ts';
import type { BusMessage } from '../../emulator/bus/port.ts';
import { backoffDelay, BusDisconnectedError } from '../../emulator/bus/reconnect.ts';
import { MOSQUITTO, skipMosquitto } from '../support/brokers.ts';

/** A broker on a fixed loopback port that can be stopped and started again there. */
interface RestartableBroker {
  readonly url: string;
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops it for good and removes what it left on disk. */
  dispose(): Promise<void>;
}

async function embeddedBroker(): Promise<RestartableBroker & { clients(): number }> {
  let broker: EmbeddedBroker | undefined = await startEmbeddedBroker();
  const { port, url } = broker;
  return {
    url,
    clients: () => broker?.stats().clients ?? 0,
    stop: async () => {
      await broker?.close();
      broker = undefined;
    },
    start: async () => {
      broker = await startEmbeddedBroker({ port });
    },
    dispose: async () => {
      await broker?.close();
      broker = undefined;
    },
  };
}

async function mosquittoBroker(): Promise<RestartableBroker> {
  const binary = MOSQUITTO;
  if (binary === null) throw new Error('mosquitto is required (SMETS_REQUIRE_MOSQUITTO=1) but not installed');
  const configDir = await mkdtemp(join(tmpdir(), 'smets-mosquitto-'));
  let broker: RunningMosquitto | undefined;
  try {
    broker = await startMosquitto({ configDir, binary });
  } catch (error) {
    await rm(configDir, { recursive: true, force: true });
    throw error;
  }
  const { port, url } = broker;
  return {
    url,
    stop: async () => {
      await broker?.stop();
      broker = undefined;
    },
    start: async () => {
      broker = await startMosquitto({ configDir, binary, port });
    },
    dispose: async () => {
      await broker?.stop();
      broker = undefined;
      await rm(configDir, { recursive: true, force: true });
    },
  };
}

const text = (s: string): Uint8Array => new TextEncoder().encode(s);
const decode = (m: BusMessage): string => `${m.topic}:${new TextDecoder().decode(m.payload)}`;

/** Polls `condition` until it holds, failing after `ms`. */
async function until(condition: () => boolean, what: string, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const RECONNECT = { initialDelayMs: 20, maxDelayMs: 200 } as const;

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function factoryOn(broker: RestartableBroker, options: Omit<MqttBusOptions, 'url'> = { reconnect: RECONNECT }): MqttBusFactory {
  const factory = new MqttBusFactory({ ...options, url: broker.url });
  cleanups.push(() => factory.closeAll());
  return factory;
}

function restartContract(name: string, start: () => Promise<RestartableBroker>): void {
  describe(`reconnect over ${name}`, () => {
    it('is connected again after a broker restart, its subscriptions work again, and nothing is delivered twice', async () => {
      const broker = await start();
      cleanups.push(() => broker.dispose());
      const changes: string[] = [];
      const factory = factoryOn(broker, { reconnect: RECONNECT, onConnectionChange: (id, up) => changes.push(`${id}:${up}`) });
      const sub = unwrap(await factory.connect({ clientId: 'c-sub' }));
      const pub = unwrap(await factory.connect({ clientId: 'c-pub' }));
      const subChanges: boolean[] = [];
      sub.onConnectionChange((up) => subChanges.push(up));
      const got: BusMessage[] = [];
      // Two handlers on one filter (one broker subscription) and a wildcard filter; no two filters overlap.
      await sub.subscribe('restart/one', (m) => void got.push(m), { qos: 1 });
      await sub.subscribe('other/+', (m) => void got.push(m), { qos: 0 });
      await sub.subscribe('restart/one', (m) => void got.push(m), { qos: 0 });
      await pub.publish('restart/one', text('before'), { qos: 1 });
      await factory.settle();
      expect(got.map(decode)).toEqual(['restart/one:before', 'restart/one:before']);
      expect([sub.connected, pub.connected]).toEqual([true, true]);

      await broker.stop();
      await until(() => !sub.connected && !pub.connected, 'both clients see the drop');
      expect([sub.closed, pub.closed]).toEqual([false, false]);
      await expect(pub.publish('restart/one', text('lost'), { qos: 1 })).rejects.toBeInstanceOf(BusDisconnectedError);
      await expect(sub.subscribe('restart/three', () => {})).rejects.toThrow(/c-sub.*not connected/);

      await broker.start();
      await until(() => sub.connected && pub.connected, 'both clients are connected again');
      await pub.publish('restart/one', text('after'), { qos: 1 });
      await pub.publish('other/two', text('after'), { qos: 1 });
      await factory.settle();
      await factory.settle();
      expect(got.map(decode).sort()).toEqual([
        'other/two:after',
        'restart/one:after',
        'restart/one:after',
        'restart/one:before',
        'restart/one:before',
      ]);
      expect(
        got
          .slice(2)
          .map((m) => `${decode(m)} qos=${m.qos} retain=${m.retain} dup=${m.duplicate ?? false}`)
          .sort(),
      ).toEqual([
        'other/two:after qos=0 retain=false dup=false',
        'restart/one:after qos=0 retain=false dup=false',
        'restart/one:after qos=1 retain=false dup=false',
      ]);
      expect(subChanges).toEqual([false, true]);
      expect(changes.filter((c) => c.startsWith('c-sub:'))).toEqual(['c-sub:false', 'c-sub:true']);
      expect(changes.filter((c) => c.startsWith('c-pub:'))).toEqual(['c-pub:false', 'c-pub:true']);
    });

    it('survives two restarts in a row, and settle waits for a reconnecting client', async () => {
      const broker = await start();
      cleanups.push(() => broker.dispose());
      const factory = factoryOn(broker);
      const client = unwrap(await factory.connect({ clientId: 'c-twice' }));
      const got: string[] = [];
      await client.subscribe('twice/x', (m) => void got.push(decode(m)), { qos: 1 });
      for (const round of [1, 2]) {
        await broker.stop();
        await until(() => !client.connected, `the drop ${round} is seen`);
        await broker.start();
        await factory.settle(); // returns only once the client is back
        expect(client.connected).toBe(true);
        await client.publish('twice/x', text(`r${round}`), { qos: 1 });
        await factory.settle();
      }
      expect(got).toEqual(['twice/x:r1', 'twice/x:r2']);
    });
  });
}

restartContract('the embedded broker', embeddedBroker);
describe.skipIf(skipMosquitto)('over mosquitto', () => {
  restartContract('mosquitto', mosquittoBroker);
});

describe('MQTT adapter reconnect mode', () => {
  it('is off by default: a broker stop ends the handle, as the bus contract says', async () => {
    const broker = await embeddedBroker();
    cleanups.push(() => broker.dispose());
    const client = unwrap(await factoryOn(broker, {}).connect({ clientId: 'c-plain' }));
    const changes: boolean[] = [];
    client.onConnectionChange((up) => changes.push(up));
    await broker.stop();
    await until(() => client.closed, 'the handle is closed');
    expect(client.connected).toBe(false);
    expect(changes).toEqual([]);
    await expect(client.publish('x', text('x'))).rejects.toThrow(TypeError);
  });

  it('stops trying once closed while reconnecting, and does not send again what was unsubscribed meanwhile', async () => {
    const broker = await embeddedBroker();
    cleanups.push(() => broker.dispose());
    const factory = factoryOn(broker);
    const [gone, kept, pub] = [
      unwrap(await factory.connect({ clientId: 'c-gone' })),
      unwrap(await factory.connect({ clientId: 'c-kept' })),
      unwrap(await factory.connect({ clientId: 'c-pub' })),
    ];
    const got: string[] = [];
    const dropped = await kept.subscribe('u/dropped', (m) => void got.push(decode(m)));
    await kept.subscribe('u/kept', (m) => void got.push(decode(m)));
    await broker.stop();
    await until(() => !gone.connected && !kept.connected, 'the drop is seen');
    await gone.close();
    await dropped.unsubscribe();
    await broker.start();
    await until(() => kept.connected && pub.connected, 'the others are back');
    await new Promise((resolve) => setTimeout(resolve, 3 * RECONNECT.maxDelayMs));
    expect(gone.closed).toBe(true);
    expect(broker.clients()).toBe(2);
    await pub.publish('u/dropped', text('x'));
    await pub.publish('u/kept', text('y'));
    await factory.settle();
    expect(got).toEqual(['u/kept:y']);
  });

  it('backs off exponentially up to the maximum, and checks its options', () => {
    expect([0, 1, 2, 3, 4, 40].map((n) => backoffDelay({ initialDelayMs: 50, maxDelayMs: 300 }, n))).toEqual([50, 100, 200, 300, 300, 300]);
    expect(() => new MqttBusFactory({ url: 'mqtt://127.0.0.1:1', reconnect: { initialDelayMs: 0, maxDelayMs: 10 } })).toThrow(RangeError);
    expect(() => new MqttBusFactory({ url: 'mqtt://127.0.0.1:1', reconnect: { initialDelayMs: 20, maxDelayMs: 10 } })).toThrow(RangeError);
  });
});
