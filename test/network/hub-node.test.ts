import { afterEach, describe, expect, it } from 'vitest';
import { pounds } from '../../core/money.ts';
import { Rng } from '../../core/rng.ts';
import { DAY_MS, HOUR_MS, MINUTE_MS } from '../../core/time/duration.ts';
import { VirtualClock } from '../../core/time/virtual-clock.ts';
import { brokerHooks, credentialsFor } from '../../emulator/bus/broker-auth.ts';
import { MemoryBus } from '../../emulator/bus/memory-bus.ts';
import { MqttBusFactory } from '../../emulator/bus/mqtt-bus.ts';
import { ALERT } from '../../emulator/devices/common/alerts.ts';
import { ALERT_GSME_COMMAND_NOT_RETRIEVED } from '../../emulator/devices/gpf/machine.ts';
import { NetworkRunner, type SettlingBus } from '../../emulator/network/runner.ts';
import { startTestEmbeddedBroker } from '../support/brokers.ts';
import { DspClient, ESME, GPF, GSME, premisesOptions, T0, type PremisesSetup } from './premises-fixture.ts';

async function onMemoryBus(setup: PremisesSetup = {}) {
  const clock = new VirtualClock(T0);
  const runner = new NetworkRunner(clock, new MemoryBus(clock));
  const node = await runner.addHub(premisesOptions(setup));
  const dsp = await DspClient.connect(runner.bus, runner);
  return { clock, runner, node, dsp };
}

describe('hub node on the memory bus', () => {
  it('DOMAIN §3.2: a supply read and an SR 1.6 mode change reach the ESME and are answered on wan/up', async () => {
    const { runner, node, dsp } = await onMemoryBus({ esmeMode: 'Credit' });
    const read = dsp.command(ESME, { kind: 'readSupplyStatus', readSupplyStatus: {} });
    const mode = dsp.command(ESME, {
      kind: 'modeSet',
      modeSet: { kind: 'prepayment', prepayment: { disablementThreshold: 0, suspendDebtDisabled: false, suspendDebtEmergency: false } },
    });
    await dsp.send(read);
    await dsp.send(mode);
    await runner.quiesce();
    const [r1] = dsp.responses(read.requestId);
    const [r2] = dsp.responses(mode.requestId);
    expect(r1?.envelope.kind === 'wanResponse' && r1.envelope.wanResponse.response).toMatchObject({
      command: 'readSupplyStatus',
      outcome: 'success',
    });
    expect(r2?.envelope.kind === 'wanResponse' && r2.envelope.wanResponse.response).toMatchObject({
      command: 'modeSet',
      outcome: 'success',
    });
    expect(r1?.at).toBe(T0);
    expect(node.esme.snapshot.context.mode).toBe('Prepayment');
  });

  it('DOMAIN §3.2: takes a bare hanCommand on wan/down, addressed to the device by the envelope target', async () => {
    const { runner, dsp } = await onMemoryBus();
    const wrapped = dsp.command(ESME, { kind: 'readBalance', readBalance: {} });
    if (wrapped.kind !== 'wanCommand') throw new Error('fixture');
    const { wanCommand, ...header } = wrapped;
    await dsp.send({ ...header, target: ESME, kind: 'hanCommand', hanCommand: wanCommand.command });
    await runner.quiesce();
    const [r] = dsp.responses(wrapped.requestId);
    expect(r?.envelope.kind === 'wanResponse' && r.envelope.wanResponse.response).toMatchObject({
      command: 'readBalance',
      outcome: 'success',
    });
  });

  it('DOMAIN §3.4: a command for the sleepy GSME waits in the GPF for its next wake and is answered after it', async () => {
    const { runner, dsp } = await onMemoryBus({ gsmeWakePhaseMs: 10 * MINUTE_MS });
    const read = dsp.command(GSME, { kind: 'readBalance', readBalance: {} });
    await dsp.send(read);
    await runner.runUntil(T0 + 9 * MINUTE_MS);
    expect(dsp.responses(read.requestId)).toEqual([]);
    await runner.runUntil(T0 + 11 * MINUTE_MS);
    const [r] = dsp.responses(read.requestId);
    expect(r?.at).toBe(T0 + 10 * MINUTE_MS);
    expect(r?.envelope.kind === 'wanResponse' && r.envelope.wanResponse.response.outcome).toBe('success');
  });

  it('DOMAIN §3.2: a GSME command not collected within the GPF window raises 0x819D up the WAN', async () => {
    const { runner, dsp } = await onMemoryBus({ gsmeWakePhaseMs: 10 * MINUTE_MS, gpfCollectWithinMs: 5 * MINUTE_MS });
    const read = dsp.command(GSME, { kind: 'readBalance', readBalance: {} });
    await dsp.send(read);
    await runner.runUntil(T0 + 20 * MINUTE_MS);
    const [alert] = dsp.alerts(ALERT_GSME_COMMAND_NOT_RETRIEVED);
    expect(alert?.at).toBe(T0 + 5 * MINUTE_MS);
    expect(alert?.envelope.kind === 'deviceAlert' && alert.envelope.deviceAlert.device).toBe(GPF);
    expect(dsp.responses(read.requestId).map((r) => r.at)).toEqual([T0 + 10 * MINUTE_MS]);
  });

  it('DOMAIN §3.3: during a WAN outage a credit alert is queued in the hub and delivered when the WAN returns', async () => {
    const { runner, node, dsp } = await onMemoryBus({ esmeBalance: pounds(2.1), esmeWh: 1000 });
    runner.at(T0 + MINUTE_MS, () => node.wanLink(false));
    runner.at(T0 + 3 * HOUR_MS, () => node.wanLink(true));
    await runner.runUntil(T0 + 3 * HOUR_MS - 1);
    expect(dsp.alerts(ALERT.lowCredit)).toEqual([]);
    expect(runner.log.some((l) => l.includes(`alert device=${ESME} code=0x810D`))).toBe(true);
    await runner.runUntil(T0 + 3 * HOUR_MS);
    const [low] = dsp.alerts(ALERT.lowCredit);
    expect(low?.at).toBe(T0 + 3 * HOUR_MS);
    expect(low?.envelope.kind === 'deviceAlert' && low.envelope.deviceAlert.at).toBeLessThan(T0 + 3 * HOUR_MS);
  });

  it('RELIABILITY §3.3: one command delivered twice changes the meter once', async () => {
    const { runner, node, dsp } = await onMemoryBus();
    const before = node.esme.snapshot.context.ledger.meterBalance;
    const adjust = dsp.command(ESME, { kind: 'balanceAdjust', balanceAdjust: { kind: 'adjust', amount: pounds(1) } });
    await dsp.send(adjust);
    await dsp.send(adjust);
    await runner.quiesce();
    await dsp.send(adjust); // and again, later: QoS 1 redelivery
    await runner.quiesce();
    expect(node.esme.snapshot.context.ledger.meterBalance - before).toBe(pounds(1));
    expect(dsp.responses(adjust.requestId)).toHaveLength(1);
    expect(node.stats.duplicates).toBe(2);
  });

  it('counts and logs an undecodable payload, and goes on', async () => {
    const { runner, node, dsp } = await onMemoryBus();
    await dsp.sendBytes(Uint8Array.of(0xff, 0xff, 0xff));
    const read = dsp.command(ESME, { kind: 'readBalance', readBalance: {} });
    await dsp.send(read);
    await runner.quiesce();
    expect(node.stats.undecodable).toBe(1);
    expect(runner.log.filter((l) => l.includes('undecodable'))).toHaveLength(1);
    expect(dsp.responses(read.requestId)).toHaveLength(1);
  });
});

/** One premises, a few commands and a day of credit events, seeded: the event log. */
async function script(clock: VirtualClock, bus: SettlingBus, seed: number): Promise<string[]> {
  const rng = Rng.fromSeed(seed);
  const runner = new NetworkRunner(clock, bus);
  const node = await runner.addHub(
    premisesOptions({
      esmeBalance: pounds(rng.int(25, 40) / 10),
      esmeWh: rng.int(1000, 1400),
      gsmeWakePhaseMs: rng.int(0, 29) * MINUTE_MS,
    }),
  );
  const dsp = await DspClient.connect(bus, runner);
  await dsp.send(dsp.command(ESME, { kind: 'readSupplyStatus', readSupplyStatus: {} }));
  await dsp.send(dsp.command(GSME, { kind: 'readBalance', readBalance: {} }));
  await dsp.send(dsp.command(ESME, { kind: 'readPrepayValues', readPrepayValues: {} }));
  await runner.runUntil(T0 + rng.int(1, 3) * HOUR_MS);
  runner.at(clock.now() + MINUTE_MS, () => node.wanLink(false));
  runner.at(T0 + 12 * HOUR_MS, () => node.wanLink(true));
  await dsp.send(dsp.command(ESME, { kind: 'balanceAdjust', balanceAdjust: { kind: 'adjust', amount: pounds(1) } }));
  await dsp.send(dsp.command(GSME, { kind: 'supplyArm', supplyArm: {} }));
  await runner.runUntil(T0 + DAY_MS);
  return [...runner.log, ...dsp.got.map((r) => `${r.at} dsp ${r.envelope.kind} ${r.envelope.originator} ${r.envelope.counter}`)];
}

describe('determinism across buses', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  it('the same script gives the same event log on the memory bus and on MQTT over the embedded broker with the ACL', async () => {
    const seed = globalThis.__testSeed;
    const clockM = new VirtualClock(T0);
    const memory = await script(clockM, new MemoryBus(clockM), seed);

    const secret = new Uint8Array(32).fill(7);
    const broker = await startTestEmbeddedBroker(brokerHooks(secret));
    const factory = new MqttBusFactory({ url: broker.url, credentials: credentialsFor(secret) });
    cleanups.push(
      () => broker.close(),
      () => factory.closeAll(),
    );
    const mqtt = await script(new VirtualClock(T0), factory, seed);

    expect(memory.length).toBeGreaterThan(20);
    // The script did what it is for: credit alerts, a GSME poll, and alerts held through the outage.
    const back = memory.findIndex((l) => l.includes('wan.link up=true'));
    expect(memory.some((l) => l.includes('alert device='))).toBe(true);
    expect(memory.some((l) => l.includes(' poll held='))).toBe(true);
    expect(memory[back + 1]).toMatch(/ up deviceAlert /);
    expect(mqtt).toEqual(memory);
  }, 60_000);
});
