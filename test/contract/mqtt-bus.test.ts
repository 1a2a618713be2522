import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { unwrap } from '../../core/result.ts';
import { MAX_CLIENT_ID_LENGTH } from '../../emulator/bus/client-id.ts';
import { startMosquitto } from '../../emulator/bus/mosquitto.ts';
import { MqttBusFactory, type MqttBusOptions } from '../../emulator/bus/mqtt-bus.ts';
import type { BusMessage } from '../../emulator/bus/port.ts';
import { skipMosquitto, startTestEmbeddedBroker, startTestMosquitto, type TestBroker } from '../support/brokers.ts';
import { busContract, type BusHarness } from './bus.contract.ts';

/** A fresh broker for every test (retained messages must not leak between tests), and an adapter on it. */
function overBroker(start: () => Promise<TestBroker>): () => Promise<BusHarness> {
  return async () => {
    const broker = await start();
    const factory = new MqttBusFactory({ url: broker.url });
    return {
      factory,
      settle: () => factory.settle(),
      dispose: async () => {
        await factory.closeAll();
        await broker.close();
      },
    };
  };
}

busContract(
  'MQTT adapter over the embedded broker',
  overBroker(() => startTestEmbeddedBroker()),
);

describe.skipIf(skipMosquitto)('over mosquitto', () => {
  busContract('MQTT adapter over mosquitto', overBroker(startTestMosquitto));

  it('fails to start on a port already taken, with the log tail in the error', async () => {
    const taken = createServer().listen(0, '127.0.0.1');
    await new Promise((resolve) => taken.once('listening', resolve));
    const configDir = await mkdtemp(join(tmpdir(), 'smets-mosquitto-'));
    try {
      const { port } = taken.address() as AddressInfo;
      await expect(startMosquitto({ configDir, port })).rejects.toThrow(/127\.0\.0\.1:\d+ exited .*log tail:\n.*address already in use/is);
    } finally {
      await new Promise((resolve) => taken.close(resolve));
      await rm(configDir, { recursive: true, force: true });
    }
  });
});

describe('MQTT adapter', () => {
  const text = (s: string): Uint8Array => new TextEncoder().encode(s);
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  const embedded = async (
    options: Parameters<typeof startTestEmbeddedBroker>[0] = {},
    bus: Omit<MqttBusOptions, 'url'> = {},
  ): Promise<MqttBusFactory> => {
    const broker = await startTestEmbeddedBroker(options);
    const factory = new MqttBusFactory({ ...bus, url: broker.url });
    cleanups.push(
      () => broker.close(),
      () => factory.closeAll(),
    );
    return factory;
  };

  it('connects with the longest client id the bus allows', async () => {
    const factory = await embedded();
    const r = await factory.connect({ clientId: 'x'.repeat(MAX_CLIENT_ID_LENGTH) });
    expect(r.ok ? 'ok' : r.error).toBe('ok');
  });

  it('reports a port where nothing listens as unreachable', async () => {
    const probe = createServer().listen(0, '127.0.0.1');
    await new Promise((resolve) => probe.once('listening', resolve));
    const { port } = probe.address() as AddressInfo;
    await new Promise((resolve) => probe.close(resolve));
    const r = await new MqttBusFactory({ url: `mqtt://127.0.0.1:${port}` }).connect({ clientId: 'c-lost' });
    expect(r.ok ? 'ok' : r.error.code).toBe('unreachable');
  });

  it('passes the credentials a provider gives, and maps a CONNACK refusal to refused', async () => {
    const seen: [string, string | undefined, string | undefined][] = [];
    const factory = await embedded(
      {
        authenticate: (peer, password) => {
          seen.push([peer.clientId, peer.username, password === undefined ? undefined : new TextDecoder().decode(password)]);
          return password !== undefined && new TextDecoder().decode(password) === 'right';
        },
      },
      { credentials: (clientId) => ({ username: `u-${clientId}`, password: clientId === 'c-good' ? 'right' : 'wrong' }) },
    );
    const good = await factory.connect({ clientId: 'c-good' });
    const bad = await factory.connect({ clientId: 'c-bad' });
    expect(good.ok).toBe(true);
    expect(bad.ok ? 'ok' : bad.error).toEqual({ code: 'refused', reason: 'CONNACK 4: bad user name or password' });
    expect(seen).toEqual([
      ['c-good', 'u-c-good', 'right'],
      ['c-bad', 'u-c-bad', 'wrong'],
    ]);
  });

  it('rejects a subscription the broker refuses, and delivers nothing to it', async () => {
    const factory = await embedded({ authorizeSubscribe: (_peer, filter) => !filter.startsWith('secret/') });
    const client = unwrap(await factory.connect({ clientId: 'c-sub' }));
    const got: BusMessage[] = [];
    await expect(client.subscribe('secret/x', (m) => void got.push(m))).rejects.toThrow(/refused "secret\/x"/);
    await client.subscribe('open/x', (m) => void got.push(m));
    await client.publish('secret/x', text('no'));
    await client.publish('open/x', text('yes'));
    await factory.settle();
    expect(got.map((m) => m.topic)).toEqual(['open/x']);
  });

  it('gives a retained message replayed for a newer, overlapping subscription to that subscription only', async () => {
    const factory = await embedded();
    const client = unwrap(await factory.connect({ clientId: 'c-overlap' }));
    const got: string[] = [];
    const record =
      (name: string) =>
      (m: BusMessage): void =>
        void got.push(`${name} ${m.topic}${m.retain ? ' retained' : ''}`);
    await client.subscribe('o/state', record('exact'));
    await client.publish('o/state', text('on'), { qos: 1, retain: true });
    await factory.settle();
    await client.subscribe('o/+', record('wild'), { qos: 1 });
    await factory.settle();
    expect(got).toEqual(['exact o/state', 'wild o/state retained']);
  });

  it('leaves a filter subscribed when a subscribe follows its unsubscribe at once', async () => {
    // aedes handles the packets of one read concurrently: the UNSUBSCRIBE must be answered before the SUBSCRIBE leaves.
    const factory = await embedded();
    const client = unwrap(await factory.connect({ clientId: 'c-again' }));
    const first = await client.subscribe('again/t', () => {});
    const got: string[] = [];
    const unsubscribed = first.unsubscribe();
    await client.subscribe('again/t', (m) => void got.push(m.topic));
    await unsubscribed;
    await client.publish('again/t', text('x'));
    await factory.settle();
    expect(got).toEqual(['again/t']);
  });

  it('keeps its settle markers out of wildcard subscriptions', async () => {
    const factory = await embedded();
    const [watcher, pub] = [unwrap(await factory.connect({ clientId: 'c-watch' })), unwrap(await factory.connect({ clientId: 'c-pub' }))];
    const got: string[] = [];
    await watcher.subscribe('#', (m) => void got.push(m.topic));
    await watcher.subscribe('+/settle/+', (m) => void got.push(m.topic));
    await pub.publish('plain/topic', text('x'));
    await factory.settle();
    await factory.settle();
    expect(got).toEqual(['plain/topic']);
  });

  it('throws a handler’s failure from the next settle, once', async () => {
    const factory = await embedded();
    const client = unwrap(await factory.connect({ clientId: 'c-fail' }));
    await client.subscribe('boom', async () => {
      await Promise.resolve();
      throw new Error('handler failed');
    });
    await client.publish('boom', text('x'));
    await expect(factory.settle()).rejects.toThrow('handler failed');
    await factory.settle();
  });
});
