import { describe, expect, it } from 'vitest';
import { pounds } from '../../core/money.ts';
import { DAY_MS } from '../../core/time/duration.ts';
import { VirtualClock } from '../../core/time/virtual-clock.ts';
import { connectSampleEstate } from '../../dsp/gateway/sample-estate.ts';
import { sampleWorld, SRP, SUPPLIER_A, SUPPLIER_B, MPID_B } from '../../dsp/sample-world.ts';
import type { DuisUser } from '../../dsp/user/duis-user.ts';
import type { UserNode } from '../../dsp/gateway/user-node.ts';
import { MemoryBus } from '../../emulator/bus/memory-bus.ts';
import { NetworkRunner } from '../../emulator/network/runner.ts';
import type { ServiceRequestBody } from '../../proto/types.ts';

const credit: ServiceRequestBody = { kind: 'updatePaymentMode', updatePaymentMode: { kind: 'credit', credit: {} } };
// Tuesday 2026-06-02 12:00 BST: outside the default non-disablement hours.
const T0 = Date.UTC(2026, 5, 2, 11);

async function setUp(options: { smets1?: number } = {}) {
  const world = sampleWorld({ premises: 1, start: T0 - DAY_MS, ...options });
  const clock = new VirtualClock(T0);
  const runner = new NetworkRunner(clock, new MemoryBus(clock));
  // £1 at 500 Wh per half hour: the ESME runs out of credit (and emergency credit) within a day.
  const estate = await connectSampleEstate(world, runner, { balance: pounds(1) });
  await runner.quiesce();
  return { world, clock, runner, estate };
}

/** CV 4, then CV 5 with the Pre-Command signed: the whole critical flow over the bus. Returns the RequestID. */
async function criticalFlow(runner: NetworkRunner, node: UserNode, user: DuisUser, target: string, body: ServiceRequestBody) {
  const cv4 = user.request(target as never, '1.6', 4, body);
  node.send(cv4);
  await runner.quiesce();
  const pre = node.lastResponse(cv4.header.requestId);
  expect(pre?.responseCode).toBe('I0');
  node.send(user.signedSend(cv4, pre!.preCommand!, 5));
  await runner.quiesce();
  return cv4.header.requestId;
}

describe('the DSP on the memory bus', () => {
  it('SR 1.6 → Credit from the supplier reaches the meter, is executed once, and the supplier gets I99 then I0', async () => {
    const { world, runner, estate } = await setUp();
    const esme = estate.hubs[0]!.esme;
    const node = estate.user(world.supplierA);
    const req = await criticalFlow(runner, node, world.supplierA, esme.id, credit);
    expect(node.responsesTo(req).map((r) => r.responseCode)).toEqual(['I0', 'I99', 'I0']);
    expect(node.lastResponse(req)?.body['deviceOutcome']).toBe('success');
    expect(esme.context.mode).toBe('Credit');
    expect(world.dsp.ledger.inFlight()).toHaveLength(0);
  });

  it('MP134B: after supplier A fails, the SRP puts a credit-disabled meter into Credit mode — armed, not switched on', async () => {
    const { world, runner, estate, clock } = await setUp();
    const esme = estate.hubs[0]!.esme;
    await runner.runUntil(clock.now() + 2 * DAY_MS);
    expect(esme.context.supply).toBe('Disabled');
    const t = clock.now();
    const admin = world.dsp.admin;
    admin.revokeLicence(SUPPLIER_A, t);
    admin.setFailedSupplier(SUPPLIER_A, true, t);
    admin.appointSrp(SRP, SUPPLIER_A, t);
    admin.instruct('AUTH-1', SUPPLIER_A, SRP, t);
    admin.uploadAdt({ user: SRP, role: 'SoLRContingency', thresholds: [{ srv: '1.6', limit: 1000 }] }, t);
    const srp = estate.user(world.srp);
    const req = await criticalFlow(runner, srp, world.srp, esme.id, credit);
    expect(srp.responsesTo(req).map((r) => r.responseCode)).toEqual(['I0', 'I99', 'I0']);
    expect(esme.context.mode).toBe('Credit');
    // DOMAIN §1.6: a credit-disabled meter put into Credit mode is armed; the consumer must act.
    expect(esme.context.supply).toBe('Armed');
    // MP134B req 7: nothing about the SRP's request went to the failed supplier.
    expect(estate.user(world.supplierA).responsesTo(req)).toHaveLength(0);
  });

  it('Change of Supplier replaces the trust anchor: the DSP and the device then take the SoLR and refuse the failed supplier', async () => {
    const { world, runner, estate, clock } = await setUp();
    const esme = estate.hubs[0]!.esme;
    const t = clock.now();
    const out = world.dsp.admin.changeOfSupplier(esme.id, SUPPLIER_B, MPID_B, t);
    estate.dspNode.publishOutputs(out);
    await runner.quiesce();
    expect(esme.authority?.supplier.party).toBe(SUPPLIER_B);
    // The DSP refuses supplier A now (E4: not the registered supplier); B's request is executed.
    const nodeA = estate.user(world.supplierA);
    const cv4 = world.supplierA.request(esme.id, '1.6', 4, credit);
    nodeA.send(cv4);
    await runner.quiesce();
    expect(nodeA.lastResponse(cv4.header.requestId)?.responseCode).toBe('E4');
    expect(estate.user(world.supplierB).alerts.map((a) => ('code' in a && typeof a.code === 'string' ? a.code : ''))).toContain('N42');
    const b = await criticalFlow(runner, estate.user(world.supplierB), world.supplierB, esme.id, credit);
    expect(estate.user(world.supplierB).lastResponse(b)?.body['deviceOutcome']).toBe('success');
    expect(esme.context.mode).toBe('Credit');
  });

  it('SMETS1: the SRP sends the Service Request itself (CV 5, Credit body); the S1SP carries it to the meter', async () => {
    const { world, runner, estate, clock } = await setUp({ smets1: 1 });
    const esme = estate.hubs[0]!.esme;
    const t = clock.now();
    const admin = world.dsp.admin;
    admin.setFailedSupplier(SUPPLIER_A, true, t);
    admin.appointSrp(SRP, SUPPLIER_A, t);
    admin.instruct('AUTH-1', SUPPLIER_A, SRP, t);
    admin.uploadAdt({ user: SRP, role: 'SoLRContingency', thresholds: [{ srv: '1.6', limit: 10 }] }, t);
    const srp = estate.user(world.srp);
    const cv4 = world.srp.request(esme.id, '1.6', 4, credit);
    srp.send(cv4);
    const prepayment: ServiceRequestBody = {
      kind: 'updatePaymentMode',
      updatePaymentMode: {
        kind: 'prepayment',
        prepayment: { suspendDebtDisabled: false, suspendDebtEmergency: false, disablementThreshold: 0 },
      },
    };
    const wrong = world.srp.request(esme.id, '1.6', 5, prepayment);
    srp.send(wrong);
    const right = world.srp.request(esme.id, '1.6', 5, credit);
    srp.send(right);
    await runner.quiesce();
    expect(srp.lastResponse(cv4.header.requestId)?.responseCode).toBe('E12');
    expect(srp.lastResponse(wrong.header.requestId)?.responseCode).toBe('X5');
    const answers = srp.responsesTo(right.header.requestId);
    expect(answers.map((r) => r.responseCode)).toEqual(['I99', 'I0']);
    expect(answers[0]?.body['s1spInstruction']).toBe('S1SP-1');
    expect(esme.context.mode).toBe('Credit');
  });
});
