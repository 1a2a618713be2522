/**
 * A premises run by the `NetworkRunner` gives the same event log whether its
 * hub and meters have a connection each or are carried over a shard's one
 * connection — on the memory bus, and over MQTT through the embedded broker
 * and mosquitto with the shards' grants. The script ends with the hub's
 * connection killed, so the will the multiplexer publishes for it is in the
 * log too. Without mosquitto its test is skipped, with a warning (see
 * test/support/brokers.ts).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { pounds } from '../../core/money.ts';
import { unwrap } from '../../core/result.ts';
import { Rng } from '../../core/rng.ts';
import { DAY_MS, HOUR_MS, MINUTE_MS } from '../../core/time/duration.ts';
import { VirtualClock } from '../../core/time/virtual-clock.ts';
import { brokerHooks, credentialsFor } from '../../emulator/bus/broker-auth.ts';
import { brokerPolicyFor, planConnections, type ConnectionPlan } from '../../emulator/bus/connection-model.ts';
import { MemoryBus } from '../../emulator/bus/memory-bus.ts';
import { writeMosquittoAuth } from '../../emulator/bus/mosquitto-acl.ts';
import { MqttBusFactory } from '../../emulator/bus/mqtt-bus.ts';
import { MultiplexedBusFactory } from '../../emulator/bus/multiplexed-bus.ts';
import { NetworkRunner, type SettlingBus } from '../../emulator/network/runner.ts';
import { skipMosquitto, startTestEmbeddedBroker, startTestMosquitto, type TestBroker } from '../support/brokers.ts';
import { DspClient, ESME, GSME, HUB, premisesOptions, premisesPrincipals, T0 } from '../network/premises-fixture.ts';

const PER_SHARD = unwrap(planConnections(1, { model: { kind: 'per-shard' } }));

/** One premises through a day: commands, a WAN outage, a HAN link fault, a power cut, and the hub's connection killed. */
async function script(clock: VirtualClock, bus: SettlingBus, plan: ConnectionPlan, seed: number): Promise<string[]> {
  const rng = Rng.fromSeed(seed);
  const runner = new NetworkRunner(clock, bus, { connections: plan });
  expect(runner.bus instanceof MultiplexedBusFactory).toBe(plan.model === 'per-shard');
  const node = await runner.addHub(
    premisesOptions({
      esmeBalance: pounds(rng.int(25, 40) / 10),
      esmeWh: rng.int(1000, 1400),
      gsmeWakePhaseMs: rng.int(0, 29) * MINUTE_MS,
    }),
  );
  const dsp = await DspClient.connect(runner.bus, runner);
  await dsp.send(dsp.command(ESME, { kind: 'readSupplyStatus', readSupplyStatus: {} }));
  await dsp.send(dsp.command(GSME, { kind: 'readBalance', readBalance: {} }));
  await runner.runUntil(T0 + rng.int(1, 3) * HOUR_MS);
  runner.wanLink(HUB, false, clock.now() + MINUTE_MS);
  runner.wanLink(HUB, true, T0 + 12 * HOUR_MS);
  await dsp.send(dsp.command(ESME, { kind: 'balanceAdjust', balanceAdjust: { kind: 'adjust', amount: pounds(1) } }));
  runner.hanLink(HUB, ESME, false, T0 + 13 * HOUR_MS);
  runner.hubPower(HUB, false, T0 + 14 * HOUR_MS + rng.int(0, 59) * MINUTE_MS);
  runner.hubPower(HUB, true, T0 + 16 * HOUR_MS);
  runner.hanLink(HUB, ESME, true, T0 + 17 * HOUR_MS);
  await runner.runUntil(T0 + 13 * HOUR_MS);
  await dsp.send(dsp.command(ESME, { kind: 'readBalance', readBalance: {} }));
  await runner.runUntil(T0 + DAY_MS);
  await node.kill();
  await runner.quiesce();
  return [
    ...runner.log,
    ...dsp.got.map((r) => `${r.at} dsp ${r.envelope.kind} ${r.envelope.originator} ${r.envelope.counter}`),
    ...dsp.online.map((o) => `${o.at} dsp online ${o.topic} ${o.state}${o.retained ? ' retained' : ''}`),
  ];
}

describe('determinism across connection models', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  async function onMemory(plan: ConnectionPlan, seed: number): Promise<string[]> {
    const clock = new VirtualClock(T0);
    return script(clock, new MemoryBus(clock), plan, seed);
  }

  /** The script over MQTT through `broker`, started with the run secret and the plan's grants. */
  async function overMqtt(plan: ConnectionPlan, seed: number, start: (secret: Uint8Array) => Promise<TestBroker>): Promise<string[]> {
    const secret = new Uint8Array(32).fill(7);
    const broker = await start(secret);
    cleanups.push(() => broker.close());
    const factory = new MqttBusFactory({ url: broker.url, credentials: credentialsFor(secret) });
    cleanups.push(() => factory.closeAll());
    return script(new VirtualClock(T0), factory, plan, seed);
  }

  it('per shard on the memory bus gives the event log of per client, the hub’s will included', async () => {
    const seed = globalThis.__testSeed;
    const perClient = await onMemory({ model: 'per-client' }, seed);
    expect(perClient.length).toBeGreaterThan(20);
    expect(perClient.some((l) => l.includes('alert device='))).toBe(true);
    expect(perClient.some((l) => l.includes('why=han-link-down'))).toBe(true);
    expect(perClient.at(-1)).toMatch(/dsp online smets\/ch\/.*\/online 0$/);
    expect(await onMemory(PER_SHARD, seed)).toEqual(perClient);
  });

  it('per shard over MQTT through the embedded broker with the shards’ grants gives the same event log', async () => {
    const seed = globalThis.__testSeed;
    const perClient = await onMemory({ model: 'per-client' }, seed);
    const mqtt = await overMqtt(PER_SHARD, seed, (secret) => startTestEmbeddedBroker(brokerHooks(secret, brokerPolicyFor(PER_SHARD))));
    expect(mqtt).toEqual(perClient);
  }, 60_000);

  it.skipIf(skipMosquitto)(
    'per shard over MQTT through mosquitto with the generated shard grants gives the same event log',
    async () => {
      const seed = globalThis.__testSeed;
      const perClient = await onMemory({ model: 'per-client' }, seed);
      const mqtt = await overMqtt(PER_SHARD, seed, (secret) =>
        startTestMosquitto((dir) => writeMosquittoAuth(dir, secret, premisesPrincipals(), brokerPolicyFor(PER_SHARD))),
      );
      expect(mqtt).toEqual(perClient);
    },
    60_000,
  );
});

describe('connection model', () => {
  it('is per client up to the threshold and per shard above it, with the shards needed for the fleet', () => {
    expect(unwrap(planConnections(10_000))).toEqual({ model: 'per-client' });
    const large = unwrap(planConnections(100_000));
    expect(large.model === 'per-shard' && large.shardCount).toBe(1_000);
    const lowered = unwrap(planConnections(2_000, { perShardAbove: 1_000, hubsPerShard: 250 }));
    expect(lowered.model === 'per-shard' && lowered.shardCount).toBe(8);
    expect(unwrap(planConnections(100_000, { model: 'per-client' }))).toEqual({ model: 'per-client' });
    const forced = unwrap(planConnections(10, { model: { kind: 'per-shard', hubsPerShard: 3 } }));
    expect(forced.model === 'per-shard' && forced.shardCount).toBe(4);
  });

  it('spreads hubs over the shards, each premises on one, and only hubs and devices', () => {
    const plan = unwrap(planConnections(4_000, { model: { kind: 'per-shard', hubsPerShard: 1_000 } }));
    if (plan.model !== 'per-shard') throw new Error('per-shard expected');
    const counts = new Map<string, number>();
    for (let i = 0; i < 4_000; i++) {
      const id = `00-DB-12-00-00-${((i >> 8) & 0xff).toString(16).padStart(2, '0').toUpperCase()}-${(i & 0xff).toString(16).padStart(2, '0').toUpperCase()}-01`;
      const shard = plan.shards({ kind: 'hub', id: id as typeof HUB });
      counts.set(shard ?? 'none', (counts.get(shard ?? 'none') ?? 0) + 1);
    }
    expect([...counts.keys()].sort()).toEqual(['shard-0', 'shard-1', 'shard-2', 'shard-3']);
    for (const n of counts.values()) expect(n).toBeGreaterThan(800);
    expect(plan.shards({ kind: 'device', hub: HUB, id: ESME })).toBe(plan.shards({ kind: 'hub', id: HUB }));
    expect(plan.shards({ kind: 'dsp' })).toBeUndefined();
  });

  it('refuses bad options as values naming the option', () => {
    const code = (r: ReturnType<typeof planConnections>): string => (r.ok ? 'ok' : `${r.error.path} ${r.error.code}`);
    expect(code(planConnections(-1))).toBe('hubs range');
    expect(code(planConnections(10, { perShardAbove: 1.5 }))).toBe('perShardAbove range');
    expect(code(planConnections(10, { model: { kind: 'per-shard', hubsPerShard: 0 } }))).toBe('hubsPerShard range');
    expect(code(planConnections(10, { model: 'per-hub' as never }))).toBe('model unknown-kind');
  });
});
