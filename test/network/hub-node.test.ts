import { afterEach, describe, expect, it } from 'vitest';
import { pounds } from '../../core/money.ts';
import { Rng } from '../../core/rng.ts';
import { DAY_MS, HOUR_MS, MINUTE_MS } from '../../core/time/duration.ts';
import { VirtualClock } from '../../core/time/virtual-clock.ts';
import { brokerHooks, credentialsFor } from '../../emulator/bus/broker-auth.ts';
import { eui64FromIndex, eui64ToBytes } from '../../core/ids.ts';
import { unwrap } from '../../core/result.ts';
import { encodeEnvelope } from '../../proto/codec.ts';
import type { Envelope } from '../../proto/types.ts';
import { chOnlineTopic, hanInTopic } from '../../emulator/bus/topics.ts';
import { MemoryBus } from '../../emulator/bus/memory-bus.ts';
import { writeMosquittoAuth } from '../../emulator/bus/mosquitto-acl.ts';
import { MqttBusFactory } from '../../emulator/bus/mqtt-bus.ts';
import { ALERT } from '../../emulator/devices/common/alerts.ts';
import { mintUtrn } from '../../emulator/devices/common/utrn/mint-utrn.ts';
import { fleetKeys } from '../../emulator/fleet/fleet-keys.ts';
import { ALERT_UNDELIVERED_TO_ESME } from '../../emulator/devices/chf/machine.ts';
import { ALERT_GSME_COMMAND_NOT_RETRIEVED } from '../../emulator/devices/gpf/machine.ts';
import { NetworkRunner, type SettlingBus } from '../../emulator/network/runner.ts';
import { skipMosquitto, startTestEmbeddedBroker, startTestMosquitto, type TestBroker } from '../support/brokers.ts';
import {
  DspClient,
  ESME,
  GPF,
  GSME,
  HUB,
  premisesOptions,
  premisesPrincipals,
  STRANGER,
  T0,
  type PremisesSetup,
  type Received,
} from './premises-fixture.ts';

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

/** The supplier whose UTRNs the meters accept. */
const SUPPLIER = eui64FromIndex(0x00db5500, 1);

/** The HAN response a WAN response carries, or undefined. */
const answer = (r: Received | undefined) => (r?.envelope.kind === 'wanResponse' ? r.envelope.wanResponse.response : undefined);

describe('hub online state', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  const buses: [string, (clock: VirtualClock) => Promise<SettlingBus>][] = [
    ['the memory bus', (clock) => Promise.resolve(new MemoryBus(clock))],
    [
      'MQTT over the embedded broker with the ACL',
      async () => {
        const secret = new Uint8Array(32).fill(9);
        const broker = await startTestEmbeddedBroker(brokerHooks(secret));
        const factory = new MqttBusFactory({ url: broker.url, credentials: credentialsFor(secret) });
        cleanups.push(
          () => broker.close(),
          () => factory.closeAll(),
        );
        return factory;
      },
    ],
  ];

  it.each(buses)(
    'DOMAIN §3.3: on %s a hub says a retained 1 on ch/{hub}/online, and its will says 0 when it is killed',
    async (_, make) => {
      const clock = new VirtualClock(T0);
      const runner = new NetworkRunner(clock, await make(clock));
      const node = await runner.addHub(premisesOptions());
      const dsp = await DspClient.connect(runner.bus, runner);
      await runner.quiesce();
      const topic = chOnlineTopic(HUB);
      expect(dsp.online).toEqual([{ at: T0, topic, state: '1', retained: true }]);
      await runner.runUntil(T0 + MINUTE_MS);
      await node.kill();
      await runner.quiesce();
      expect(dsp.online.slice(1)).toEqual([{ at: T0 + MINUTE_MS, topic, state: '0', retained: false }]);
      // A DSP that looks later still reads the hub as offline.
      const late = await DspClient.connect(runner.bus, runner);
      await runner.quiesce();
      expect(late.online.map((o) => [o.state, o.retained])).toEqual([['0', true]]);
    },
  );
});

describe('requests the hub cannot carry out', () => {
  it('DOMAIN §1.5: a WAN command whose HAN command cannot be mapped is answered with a failure, not only logged', async () => {
    const { runner, node, dsp } = await onMemoryBus();
    const enable = dsp.command(ESME, { kind: 'supplyEnableLocal', supplyEnableLocal: { via: 'remote' } });
    await dsp.send(enable);
    await runner.quiesce();
    const [r] = dsp.responses(enable.requestId);
    expect(answer(r)).toMatchObject({ ref: enable.requestId, command: 'supplyEnableLocal', outcome: 'failure', reason: 'not-supported' });
    expect(r?.envelope.kind === 'wanResponse' && r.envelope.wanResponse.device).toBe(ESME);
    expect(node.stats).toMatchObject({ unexpected: 1, refused: 1 });
  });

  it('DOMAIN §3.1: a command for a device not on the device log is answered not-here (CHF undeliverable)', async () => {
    const { runner, dsp } = await onMemoryBus();
    const read = dsp.command(STRANGER, { kind: 'readBalance', readBalance: {} });
    await dsp.send(read);
    await runner.quiesce();
    const [r] = dsp.responses(read.requestId);
    expect(answer(r)).toMatchObject({
      command: 'readBalance',
      outcome: 'failure',
      reason: 'not-here',
      body: { undeliverable: 'not-joined' },
    });
    expect(runner.log.some((l) => l.includes(`undeliverable req=${read.requestId} device=${STRANGER} why=not-joined`))).toBe(true);
  });

  it('a WAN command naming another comms hub is answered with a failure', async () => {
    const { runner, dsp } = await onMemoryBus();
    const read = dsp.commandVia(STRANGER, ESME, { kind: 'readBalance', readBalance: {} });
    await dsp.send(read);
    await runner.quiesce();
    expect(answer(dsp.responses(read.requestId)[0])).toMatchObject({
      outcome: 'failure',
      reason: 'not-here',
      body: { refused: 'wrong-hub' },
    });
  });

  it('a meter answers a HAN command it cannot map with a failed hanResponse, which goes up the WAN', async () => {
    const { clock, runner, dsp } = await onMemoryBus();
    const injector = unwrap(await runner.bus.connect({ clientId: 'sim.injector' }));
    const e: Envelope = {
      messageId: 'injector/1',
      requestId: 'bad-1',
      originator: HUB,
      target: ESME,
      counter: 1_000n,
      at: clock.now(),
      kind: 'hanCommand',
      hanCommand: { ref: 'bad-1', now: clock.now(), kind: 'supplyEnableLocal', supplyEnableLocal: { via: 'remote' } },
    };
    await injector.publish(hanInTopic(HUB, ESME), encodeEnvelope(e), { qos: 1 });
    await runner.quiesce();
    expect(answer(dsp.responses('bad-1')[0])).toMatchObject({ command: 'supplyEnableLocal', outcome: 'failure', reason: 'not-supported' });
  });

  it('an undecodable payload is only counted and logged: nothing goes up', async () => {
    const { runner, node, dsp } = await onMemoryBus();
    await dsp.sendBytes(Uint8Array.of(0x0a, 0xff));
    await runner.quiesce();
    expect(node.stats.undecodable).toBe(1);
    expect(dsp.got).toEqual([]);
  });
});

describe('faults on virtual time', () => {
  it('DOMAIN §3.1: a hub without power hears nothing — commands go unanswered, alerts are lost — and works again when it is back', async () => {
    const { runner, node, dsp } = await onMemoryBus({ esmeBalance: pounds(2.1), esmeWh: 1000 });
    runner.hubPower(HUB, false, T0 + MINUTE_MS);
    runner.hubPower(HUB, true, T0 + 3 * HOUR_MS);
    await runner.runUntil(T0 + 2 * MINUTE_MS);
    const lost = dsp.command(ESME, { kind: 'readBalance', readBalance: {} });
    await dsp.send(lost);
    await runner.runUntil(T0 + 3 * HOUR_MS - 1);
    expect(node.isOn()).toBe(false);
    expect(runner.log.some((l) => l.includes(`alert device=${ESME} code=0x810D`))).toBe(true);
    await runner.runUntil(T0 + 3 * HOUR_MS + MINUTE_MS);
    const read = dsp.command(ESME, { kind: 'readBalance', readBalance: {} });
    await dsp.send(read);
    await runner.quiesce();
    expect(dsp.alerts(ALERT.lowCredit)).toEqual([]);
    expect(dsp.responses(lost.requestId)).toEqual([]);
    expect(answer(dsp.responses(read.requestId)[0])?.outcome).toBe('success');
    expect(node.stats.ignored).toBeGreaterThanOrEqual(2);
    expect(runner.log.some((l) => l.includes('/out ignored (hub off)'))).toBe(true);
    expect(dsp.online.map((o) => [o.at, o.state])).toEqual([
      [T0, '1'],
      [T0 + MINUTE_MS, '0'],
      [T0 + 3 * HOUR_MS, '1'],
    ]);
  });

  it('DOMAIN §3.2: with the ESME’s HAN link down a command for it fails and the hub raises 0x8F84 up the WAN', async () => {
    const { runner, dsp } = await onMemoryBus();
    runner.hanLink(HUB, ESME, false, T0 + MINUTE_MS);
    runner.hanLink(HUB, ESME, true, T0 + 10 * MINUTE_MS);
    await runner.runUntil(T0 + 2 * MINUTE_MS);
    const read = dsp.command(ESME, { kind: 'readBalance', readBalance: {} });
    await dsp.send(read);
    await runner.quiesce();
    expect(answer(dsp.responses(read.requestId)[0])).toMatchObject({
      command: 'readBalance',
      outcome: 'failure',
      reason: 'not-here',
      body: { undeliverable: 'han-link-down' },
    });
    const [alert] = dsp.alerts(ALERT_UNDELIVERED_TO_ESME);
    expect(alert?.at).toBe(T0 + 2 * MINUTE_MS);
    expect(alert?.envelope.kind === 'deviceAlert' && alert.envelope.deviceAlert.device).toBe(HUB);
    await runner.runUntil(T0 + 10 * MINUTE_MS);
    const again = dsp.command(ESME, { kind: 'readBalance', readBalance: {} });
    await dsp.send(again);
    await runner.quiesce();
    expect(answer(dsp.responses(again.requestId)[0])?.outcome).toBe('success');
    expect(dsp.alerts(ALERT_UNDELIVERED_TO_ESME)).toHaveLength(1);
  });

  it('DOMAIN §3.4: with the GSME’s HAN link down it cannot poll; the held command is collected once the link is back', async () => {
    const { runner, dsp } = await onMemoryBus({ gsmeWakePhaseMs: 10 * MINUTE_MS });
    runner.hanLink(HUB, GSME, false, T0 + MINUTE_MS);
    runner.hanLink(HUB, GSME, true, T0 + 20 * MINUTE_MS);
    const read = dsp.command(GSME, { kind: 'readBalance', readBalance: {} });
    await dsp.send(read);
    await runner.runUntil(T0 + 19 * MINUTE_MS);
    expect(runner.log.some((l) => l.includes(`${GSME} poll missed`))).toBe(true);
    expect(dsp.responses(read.requestId)).toEqual([]);
    await runner.runUntil(T0 + HOUR_MS);
    const [r] = dsp.responses(read.requestId);
    expect(r?.at).toBeGreaterThanOrEqual(T0 + 20 * MINUTE_MS);
    expect(answer(r)?.outcome).toBe('success');
  });

  it('DOMAIN §3.3: the GPF’s 0x819D waits out a WAN outage in the same queue as device alerts, and goes up in the order raised', async () => {
    const { runner, node, dsp } = await onMemoryBus({
      esmeBalance: pounds(2.1),
      esmeWh: 1000,
      gsmeWakePhaseMs: 10 * MINUTE_MS,
      gpfCollectWithinMs: 5 * MINUTE_MS,
    });
    const read = dsp.command(GSME, { kind: 'readBalance', readBalance: {} });
    await dsp.send(read);
    runner.wanLink(HUB, false, T0 + MINUTE_MS);
    runner.wanLink(HUB, true, T0 + 3 * HOUR_MS);
    await runner.runUntil(T0 + 3 * HOUR_MS - 1);
    expect(dsp.alerts(ALERT_GSME_COMMAND_NOT_RETRIEVED)).toEqual([]);
    await runner.runUntil(T0 + 3 * HOUR_MS);
    const up = dsp.got.filter((r) => r.envelope.kind === 'deviceAlert');
    const raised = up.map((r) => (r.envelope.kind === 'deviceAlert' ? [r.envelope.deviceAlert.device, r.envelope.deviceAlert.code] : []));
    expect(raised).toEqual(
      expect.arrayContaining([
        [GPF, ALERT_GSME_COMMAND_NOT_RETRIEVED],
        [ESME, ALERT.lowCredit],
      ]),
    );
    const ats = up.map((r) => (r.envelope.kind === 'deviceAlert' ? r.envelope.deviceAlert.at : 0));
    expect(ats).toEqual([...ats].sort((a, b) => a - b));
    expect(up.every((r) => r.at === T0 + 3 * HOUR_MS)).toBe(true);
    // The GSME's answer, given during the outage, is lost (the DSP times out, E21).
    expect(dsp.responses(read.requestId)).toEqual([]);
    expect(node.chf.context.repliesLost).toBe(1);
  });

  it('DOMAIN §3.1: a hub that loses power loses the GPF alerts it held for the WAN', async () => {
    const { runner, node, dsp } = await onMemoryBus({ gsmeWakePhaseMs: 10 * MINUTE_MS, gpfCollectWithinMs: 5 * MINUTE_MS });
    await dsp.send(dsp.command(GSME, { kind: 'readBalance', readBalance: {} }));
    runner.wanLink(HUB, false, T0 + MINUTE_MS);
    runner.hubPower(HUB, false, T0 + 6 * MINUTE_MS);
    runner.hubPower(HUB, true, T0 + 7 * MINUTE_MS);
    await runner.runUntil(T0 + HOUR_MS);
    expect(runner.log.some((l) => l.includes(`alert device=${node.gpfId} code=0x819D`))).toBe(true);
    expect(node.chf.context.queue).toEqual([]);
    expect(dsp.alerts(ALERT_GSME_COMMAND_NOT_RETRIEVED)).toEqual([]);
  });
});

describe('a UTRN top-up over the bus', () => {
  it('DOMAIN §2.2: a remote credit.utrn minted with the ESME’s secret and the full counter is accepted, once', async () => {
    const supplier = eui64ToBytes(SUPPLIER);
    const [secret] = fleetKeys('network-test', 0, 1).secrets;
    if (secret === undefined) throw new Error('fixture');
    const { runner, node, dsp } = await onMemoryBus({ esmeSecret: secret, supplier });
    const counter = 1n << 32n;
    const utrn = unwrap(mintUtrn({ secret, originator: supplier, target: eui64ToBytes(ESME), counter, credit: pounds(10) }));
    const before = node.esme.snapshot.context.ledger.meterBalance;
    const topUp = dsp.command(ESME, { kind: 'creditUtrn', creditUtrn: { utrn, via: 'remote', counter } });
    await dsp.send(topUp);
    await runner.quiesce();
    expect(answer(dsp.responses(topUp.requestId)[0])).toMatchObject({ ref: topUp.requestId, command: 'creditUtrn', outcome: 'success' });
    expect(node.esme.snapshot.context.ledger.meterBalance - before).toBe(pounds(10));
    // The same token again, as a new request: the meter refuses it.
    const replay = dsp.command(ESME, { kind: 'creditUtrn', creditUtrn: { utrn, via: 'remote', counter } });
    await dsp.send(replay);
    await runner.quiesce();
    expect(answer(dsp.responses(replay.requestId)[0])).toMatchObject({ outcome: 'failure', reason: 'utrn-rejected' });
    expect(node.esme.snapshot.context.ledger.meterBalance - before).toBe(pounds(10));
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
  runner.hanLink(HUB, ESME, false, T0 + 13 * HOUR_MS);
  runner.hubPower(HUB, false, T0 + 14 * HOUR_MS + rng.int(0, 59) * MINUTE_MS);
  runner.hubPower(HUB, true, T0 + 16 * HOUR_MS);
  runner.hanLink(HUB, ESME, true, T0 + 17 * HOUR_MS);
  await runner.runUntil(T0 + 13 * HOUR_MS);
  // The ESME is out of reach: a failure and 0x8F84 come back.
  await dsp.send(dsp.command(ESME, { kind: 'readBalance', readBalance: {} }));
  await runner.runUntil(T0 + 15 * HOUR_MS);
  // The hub is off: nothing answers.
  await dsp.send(dsp.command(GSME, { kind: 'readBalance', readBalance: {} }));
  await runner.runUntil(T0 + DAY_MS);
  return [...runner.log, ...dsp.got.map((r) => `${r.at} dsp ${r.envelope.kind} ${r.envelope.originator} ${r.envelope.counter}`)];
}

describe('determinism across buses', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  /** The script over MQTT through `broker`, started with the run secret; the factory and the broker are closed after the test. */
  async function overMqtt(seed: number, start: (secret: Uint8Array) => Promise<TestBroker>): Promise<string[]> {
    const secret = new Uint8Array(32).fill(7);
    const broker = await start(secret);
    cleanups.push(() => broker.close());
    const factory = new MqttBusFactory({ url: broker.url, credentials: credentialsFor(secret) });
    cleanups.push(() => factory.closeAll());
    return script(new VirtualClock(T0), factory, seed);
  }

  async function onMemory(seed: number): Promise<string[]> {
    const clock = new VirtualClock(T0);
    const memory = await script(clock, new MemoryBus(clock), seed);
    expect(memory.length).toBeGreaterThan(20);
    // The script did what it is for: credit alerts, a GSME poll, and alerts held through the outage.
    const back = memory.findIndex((l) => l.includes('wan.link up=true'));
    expect(memory.some((l) => l.includes('alert device='))).toBe(true);
    expect(memory.some((l) => l.includes(' poll held='))).toBe(true);
    expect(memory[back + 1]).toMatch(/ up deviceAlert /);
    expect(memory.some((l) => l.includes('why=han-link-down'))).toBe(true);
    expect(memory.some((l) => l.includes('/down ignored (hub off)'))).toBe(true);
    return memory;
  }

  it('the same script gives the same event log on the memory bus and on MQTT over the embedded broker with the ACL', async () => {
    const seed = globalThis.__testSeed;
    const memory = await onMemory(seed);
    const mqtt = await overMqtt(seed, (secret) => startTestEmbeddedBroker(brokerHooks(secret)));
    expect(mqtt).toEqual(memory);
  }, 60_000);

  it.skipIf(skipMosquitto)(
    'the same script gives the same event log on the memory bus and on MQTT over mosquitto with the generated password and ACL files',
    async () => {
      const seed = globalThis.__testSeed;
      const memory = await onMemory(seed);
      const mqtt = await overMqtt(seed, (secret) => startTestMosquitto((dir) => writeMosquittoAuth(dir, secret, premisesPrincipals())));
      expect(mqtt).toEqual(memory);
    },
    60_000,
  );
});
