import { afterEach, describe, expect, it } from 'vitest';
import { pounds } from '../../core/money.ts';
import { DAY_MS, HOUR_MS } from '../../core/time/duration.ts';
import { VirtualClock } from '../../core/time/virtual-clock.ts';
import { connectSampleEstate } from '../../dsp/gateway/sample-estate.ts';
import { MPID_B, sampleWorld, SRP, SUPPLIER_A, SUPPLIER_B } from '../../dsp/sample-world.ts';
import type { Principal } from '../../emulator/bus/acl.ts';
import { brokerHooks, credentialsFor } from '../../emulator/bus/broker-auth.ts';
import { MemoryBus } from '../../emulator/bus/memory-bus.ts';
import { writeMosquittoAuth } from '../../emulator/bus/mosquitto-acl.ts';
import { MqttBusFactory } from '../../emulator/bus/mqtt-bus.ts';
import { NetworkRunner, type SettlingBus } from '../../emulator/network/runner.ts';
import type { ServiceRequestBody } from '../../proto/types.ts';
import { skipMosquitto, startTestEmbeddedBroker, startTestMosquitto, type TestBroker } from '../support/brokers.ts';

const T0 = Date.UTC(2026, 5, 2, 11);
const credit: ServiceRequestBody = { kind: 'updatePaymentMode', updatePaymentMode: { kind: 'credit', credit: {} } };

/**
 * A supplier failure on two premises, over whichever bus: meters run out of
 * credit, supplier A fails, the SRP is quarantined until its ADT file
 * arrives, then puts both ESMEs into Credit; a request by supplier A itself
 * fails on its revoked certificate; Change of Supplier moves one premises to
 * supplier B, who then switches it back. Returns the run's event log and
 * the DSP's audit trail head.
 */
async function script(bus: (clock: VirtualClock) => SettlingBus): Promise<{ log: string[]; sat: string; ledger: unknown }> {
  const world = sampleWorld({ premises: 2, start: T0 - DAY_MS });
  const clock = new VirtualClock(T0);
  const runner = new NetworkRunner(clock, bus(clock));
  const estate = await connectSampleEstate(world, runner, { balance: pounds(1) });
  await runner.runUntil(T0 + DAY_MS);
  const admin = world.dsp.admin;
  const t = clock.now();
  admin.revokeLicence(SUPPLIER_A, t);
  admin.setFailedSupplier(SUPPLIER_A, true, t);
  admin.appointSrp(SRP, SUPPLIER_A, t);
  admin.instruct('AUTH-1', SUPPLIER_A, SRP, t);
  const srp = estate.user(world.srp);
  const flow = async (): Promise<void> => {
    const cv4s = world.premises.map((p) => world.srp.request(p.esme.id, '1.6', 4, credit));
    for (const r of cv4s) srp.send(r);
    await runner.quiesce();
    for (const r of cv4s) srp.send(world.srp.signedSend(r, srp.lastResponse(r.header.requestId)!.preCommand!, 5));
    await runner.quiesce();
  };
  await flow(); // quarantined: no ADT file yet
  admin.uploadAdt({ user: SRP, role: 'SoLRContingency', thresholds: [{ srv: '1.6', limit: 10 }] }, clock.now());
  await flow();
  const a = estate.user(world.supplierA);
  a.send(world.supplierA.request(world.premises[0]!.esme.id, '1.6', 4, credit)); // X3: revoked
  await runner.runUntil(clock.now() + HOUR_MS);
  estate.dspNode.publishOutputs(admin.changeOfSupplier(world.premises[1]!.esme.id, SUPPLIER_B, MPID_B, clock.now()));
  await runner.runUntil(clock.now() + HOUR_MS);
  const b = estate.user(world.supplierB);
  const cv4 = world.supplierB.request(world.premises[1]!.esme.id, '1.6', 4, credit);
  b.send(cv4);
  await runner.quiesce();
  b.send(world.supplierB.signedSend(cv4, b.lastResponse(cv4.header.requestId)!.preCommand!, 5));
  await runner.runUntil(clock.now() + DAY_MS);
  const totals = world.dsp.ledger.totals();
  return { log: runner.log, sat: world.dsp.sat.head(), ledger: totals };
}

function principals(world = sampleWorld({ premises: 2 })): Principal[] {
  const out: Principal[] = [{ kind: 'dsp' }];
  for (const p of world.premises) {
    out.push({ kind: 'hub', id: p.hub }, { kind: 'device', hub: p.hub, id: p.esme.id }, { kind: 'device', hub: p.hub, id: p.gsme.id });
  }
  for (const u of [world.supplierA, world.supplierB, world.srp, world.networkOperator]) out.push({ kind: 'user', id: u.id });
  return out;
}

describe('the DSP scenario gives the same event log and audit trail on every bus', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  async function overMqtt(start: (secret: Uint8Array) => Promise<TestBroker>) {
    const secret = new Uint8Array(32).fill(5);
    const broker = await start(secret);
    cleanups.push(() => broker.close());
    const factory = new MqttBusFactory({ url: broker.url, credentials: credentialsFor(secret) });
    cleanups.push(() => factory.closeAll());
    return script(() => factory);
  }

  it('memory bus and embedded aedes with the ACL', async () => {
    const memory = await script((clock) => new MemoryBus(clock));
    expect(memory.log.some((l) => l.includes('code=X9'))).toBe(true);
    expect(memory.log.some((l) => l.includes('code=X3'))).toBe(true);
    expect(memory.log.some((l) => l.includes('trust anchor supplier='))).toBe(true);
    const aedes = await overMqtt((secret) => startTestEmbeddedBroker(brokerHooks(secret)));
    expect(aedes.log).toEqual(memory.log);
    expect(aedes.sat).toEqual(memory.sat);
    expect(aedes.ledger).toEqual(memory.ledger);
  }, 60_000);

  it.skipIf(skipMosquitto)(
    'memory bus and mosquitto with the generated password and ACL files',
    async () => {
      const memory = await script((clock) => new MemoryBus(clock));
      const mosquitto = await overMqtt((secret) => startTestMosquitto((dir) => writeMosquittoAuth(dir, secret, principals())));
      expect(mosquitto.log).toEqual(memory.log);
      expect(mosquitto.sat).toEqual(memory.sat);
    },
    60_000,
  );
});
