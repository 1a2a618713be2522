/**
 * The runner's `brokerRestart` fault over MQTT: the broker stops and starts
 * again on the same port, every client reconnects and resubscribes, and a WAN
 * command sent after the restart is answered. Over the embedded broker with
 * the ACL, and over mosquitto with the generated password and ACL files
 * (skipped, with a warning, without mosquitto).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MINUTE_MS } from '../../core/time/duration.ts';
import { VirtualClock } from '../../core/time/virtual-clock.ts';
import { brokerHooks, credentialsFor } from '../../emulator/bus/broker-auth.ts';
import { startEmbeddedBroker, type EmbeddedBroker } from '../../emulator/bus/embedded-broker.ts';
import { MemoryBus } from '../../emulator/bus/memory-bus.ts';
import { startMosquitto, type RunningMosquitto } from '../../emulator/bus/mosquitto.ts';
import { writeMosquittoAuth } from '../../emulator/bus/mosquitto-acl.ts';
import { MqttBusFactory } from '../../emulator/bus/mqtt-bus.ts';
import { NetworkRunner, type RestartableBroker } from '../../emulator/network/runner.ts';
import { MOSQUITTO, skipMosquitto } from '../support/brokers.ts';
import { DspClient, ESME, premisesOptions, premisesPrincipals, T0 } from './premises-fixture.ts';

const SECRET = new Uint8Array(32).fill(5);

/** A broker for the run: its URL, how to restart it, how to stop it for good. */
interface RunBroker extends RestartableBroker {
  readonly url: string;
  dispose(): Promise<void>;
}

async function embedded(): Promise<RunBroker> {
  let broker: EmbeddedBroker | undefined = await startEmbeddedBroker(brokerHooks(SECRET));
  const { url, port } = broker;
  return {
    url,
    restart: async () => {
      await broker?.close();
      broker = undefined;
      broker = await startEmbeddedBroker({ ...brokerHooks(SECRET), port });
    },
    dispose: async () => {
      await broker?.close();
      broker = undefined;
    },
  };
}

async function mosquitto(): Promise<RunBroker> {
  const binary = MOSQUITTO;
  if (binary === null) throw new Error('mosquitto is required (SMETS_REQUIRE_MOSQUITTO=1) but not installed');
  const configDir = await mkdtemp(join(tmpdir(), 'smets-mosquitto-'));
  let broker: RunningMosquitto | undefined;
  try {
    const extraConfig = await writeMosquittoAuth(configDir, SECRET, premisesPrincipals());
    broker = await startMosquitto({ configDir, binary, extraConfig });
    const { url, port } = broker;
    return {
      url,
      restart: async () => {
        await broker?.stop();
        broker = undefined;
        broker = await startMosquitto({ configDir, binary, extraConfig, port });
      },
      dispose: async () => {
        await broker?.stop();
        broker = undefined;
        await rm(configDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await broker?.stop();
    await rm(configDir, { recursive: true, force: true });
    throw error;
  }
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function restartScenario(start: () => Promise<RunBroker>): Promise<void> {
  const broker = await start();
  cleanups.push(() => broker.dispose());
  const factory = new MqttBusFactory({
    url: broker.url,
    credentials: credentialsFor(SECRET),
    reconnect: { initialDelayMs: 20, maxDelayMs: 200 },
  });
  cleanups.push(() => factory.closeAll());
  const clock = new VirtualClock(T0);
  const runner = new NetworkRunner(clock, factory, { broker });
  await runner.addHub(premisesOptions());
  const dsp = await DspClient.connect(runner.bus, runner);

  const before = dsp.command(ESME, { kind: 'readBalance', readBalance: {} });
  await dsp.send(before);
  await runner.runUntil(T0 + MINUTE_MS);
  expect(dsp.responses(before.requestId)).toHaveLength(1);

  await runner.brokerRestart();
  expect(runner.log.filter((l) => l.endsWith(' broker restart'))).toEqual([`${new Date(T0 + MINUTE_MS).toISOString()} broker restart`]);
  // The restarted broker kept no retained messages: the hub says it is online again.
  const restartAt = runner.log.findIndex((l) => l.endsWith(' broker restart'));
  expect(runner.log.slice(restartAt).some((l) => l.endsWith('/online online=1'))).toBe(true);

  const after = dsp.command(ESME, { kind: 'readBalance', readBalance: {} });
  await dsp.send(after);
  await runner.runUntil(T0 + 2 * MINUTE_MS);
  const answers = dsp.responses(after.requestId);
  expect(answers).toHaveLength(1);
  expect(answers[0]?.at).toBe(T0 + MINUTE_MS);
  expect(answers[0]?.envelope.kind === 'wanResponse' && answers[0].envelope.wanResponse.response).toMatchObject({
    command: 'readBalance',
    outcome: 'success',
  });
  // Nothing was answered twice, before or after the restart.
  expect(dsp.responses(before.requestId)).toHaveLength(1);
}

describe('broker restart in a run', () => {
  it('over the embedded broker with the ACL: a command sent after the restart is answered, once', async () => {
    await restartScenario(embedded);
  });

  it.skipIf(skipMosquitto)(
    'over mosquitto with the password and ACL files: a command sent after the restart is answered, once',
    async () => {
      await restartScenario(mosquitto);
    },
  );

  it('is refused on a run without a broker', async () => {
    const clock = new VirtualClock(T0);
    const runner = new NetworkRunner(clock, new MemoryBus(clock));
    await expect(runner.brokerRestart()).rejects.toThrow(/no broker/);
  });
});
