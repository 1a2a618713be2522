import { describe, expect, it } from 'vitest';
import type { RequestId } from '../../../../core/ids.ts';
import { DAY_MS, HOUR_MS } from '../../../../core/time/duration.ts';
import { unwrap } from '../../../../core/result.ts';
import { SRV_CATALOGUE } from '../../../../dsp/access/srv-catalogue.ts';
import type { DspOutput } from '../../../../dsp/dsp-outputs.ts';
import { MPID_B, sampleWorld, SRP, SUPPLIER_A, SUPPLIER_B } from '../../../../dsp/sample-world.ts';
import { decodePreCommand, encodePreCommand } from '../../../../proto/signed-content.ts';
import type { ServiceRequestBody } from '../../../../proto/types.ts';
import {
  allowAdt,
  bodyFor,
  codes,
  commands,
  critical,
  CREDIT,
  dccAlerts,
  isCreditCommand,
  onlyCode,
  PREPAYMENT,
  responses,
  signerOf,
  solrReady,
  srpOwnSigning,
} from './support.ts';

const READ_STATUS: ServiceRequestBody = { kind: 'readSupplyStatus', readSupplyStatus: {} };

/** The sample world with supplier A failed, the SRP appointed and instructed from `t`, and (by default) an ADT file allowing 1.6. */
function solrWorld(options: { readonly adtLimit?: number | null; readonly smets1?: number } = {}) {
  const w = sampleWorld(options.smets1 === undefined ? {} : { smets1: options.smets1 });
  const t = w.start + HOUR_MS;
  solrReady(w, t, options.adtLimit === null ? {} : { adtLimit: options.adtLimit ?? 1000 });
  return { w, t, esme: w.premises[0]!.esme, gsme: w.premises[0]!.gsme };
}

describe('the SoLR Contingency role (MP134B)', () => {
  it('MP134B req 1: the role exists under code SC, can be given another code, and is E1 when the role is not in force', () => {
    const { w, t, esme } = solrWorld();
    expect(w.srp.role).toBe('SC');
    const run = critical(w.dsp, w.srp, esme.id, CREDIT, t);
    expect(codes(run.transform)).toEqual(['I0']);
    expect(codes(run.send!)).toEqual(['I99']);
    expect(commands(run.send!)).toHaveLength(1);

    // The code is configuration: under another code the role works, and `SC` is no role at all.
    const renamed = sampleWorld({ config: { roleCodes: { solrContingency: 'SOLRC' } } });
    solrReady(renamed, t, { adtLimit: 10 });
    expect(renamed.srp.role).toBe('SOLRC');
    const ok = critical(renamed.dsp, renamed.srp, esme.id, CREDIT, t);
    expect(codes(ok.send!)).toEqual(['I99']);
    expect(onlyCode(renamed.dsp.submit(SRP, renamed.srp.request(esme.id, '1.6', 4, CREDIT, { role: 'SC' }), t))).toBe('E1');

    // Without MP134B the role does not exist: CV 4 and CV 5 alike are E1.
    const off = sampleWorld({ config: { solrContingencyRole: false } });
    solrReady(off, t, { adtLimit: 10 });
    const cv4 = off.srp.request(esme.id, '1.6', 4, CREDIT);
    const refused = off.dsp.submit(SRP, cv4, t);
    expect(codes(refused)).toEqual(['E1']);
    expect(responses(refused)[0]!.preCommand).toBeUndefined();
    const forged = off.srp.signedSend(cv4, new Uint8Array([1, 2, 3]), 5);
    expect(onlyCode(off.dsp.submit(SRP, forged, t))).toBe('E1');
    expect(off.dsp.ledger.totals()).toMatchObject({ received: 2, error: 2, success: 0 });
  });

  it("MP134B req 2: the SRP has only an XML-signing certificate; a Pre-Command signed with its own or another supplier's key is X2, with the failed supplier's key (as agent) it is sent", () => {
    const { w, t, esme } = solrWorld();
    expect(w.smki.find(SRP, 'xmlSigning')).toBeDefined();
    expect(w.smki.find(SRP, 'digitalSigning')).toBeUndefined();

    const own = critical(w.dsp, w.srp, esme.id, CREDIT, t, { sign: signerOf(srpOwnSigning(w)) });
    expect(codes(own.transform)).toEqual(['I0']);
    expect(codes(own.send!)).toEqual(['X2']);
    expect(commands(own.send!)).toEqual([]);

    const other = critical(w.dsp, w.srp, esme.id, CREDIT, t + 1, { sign: signerOf(w.supplierBSigning) });
    expect(codes(other.send!)).toEqual(['X2']);
    expect(commands(other.send!)).toEqual([]);

    const agent = critical(w.dsp, w.srp, esme.id, CREDIT, t + 2, { sign: signerOf(w.supplierASigning) });
    expect(codes(agent.send!)).toEqual(['I99']);
    const [sent] = commands(agent.send!);
    expect(sent?.command.authorisation?.preCommand).toEqual(responses(agent.transform)[0]!.preCommand);
    expect(isCreditCommand(sent!.command)).toBe(true);
  });

  it('MP134B req 3: only SR 1.6 by default — every other SRV of the catalogue with every CV is E2; 1.6 takes CV 4–7 only', () => {
    const { w, t, esme } = solrWorld();
    let at = t;
    for (const e of SRV_CATALOGUE) {
      for (let cv = 1; cv <= 8; cv++) {
        const code = onlyCode(w.dsp.submit(SRP, w.srp.request(esme.id, e.srv, cv, bodyFor(e.srv)), ++at));
        if (e.srv !== '1.6') expect(code, `SRV ${e.srv} CV ${cv}`).toBe('E2');
        else if (cv < 4 || cv > 7) expect(code, `SRV 1.6 CV ${cv}`).toBe('E12');
        else expect(code, `SRV 1.6 CV ${cv}`).not.toMatch(/^E(2|12)$/);
      }
    }
    expect(w.dsp.matrix.solrContingencySrvs).toEqual(['1.6']);
  });

  it('MP134B req 3: extending solrContingencySrvs with 7.3 changes the decisions for 7.3 only', () => {
    const base = sampleWorld();
    const extended = sampleWorld({ config: { solrContingencySrvs: ['1.6', '7.3'] } });
    const t = base.start + HOUR_MS;
    solrReady(base, t, { adtLimit: 1000 });
    solrReady(extended, t, { adtLimit: 1000 });
    const target = base.premises[0]!.esme.id;
    const changed: string[] = [];
    let at = t;
    for (const e of SRV_CATALOGUE) {
      for (let cv = 1; cv <= 8; cv++) {
        at++;
        const a = onlyCode(base.dsp.submit(SRP, base.srp.request(target, e.srv, cv, bodyFor(e.srv)), at));
        const b = onlyCode(extended.dsp.submit(SRP, extended.srp.request(target, e.srv, cv, bodyFor(e.srv)), at));
        if (a !== b) changed.push(`${e.srv}/${cv}: ${a}→${b}`);
      }
    }
    expect(changed.length).toBeGreaterThan(0);
    expect(changed.filter((c) => !c.startsWith('7.3/'))).toEqual([]);
    // 7.3 is now eligible, and every other rule still holds: arming the supply is not a change to Credit.
    expect(changed).toContain('7.3/4: E2→X5');
    expect(changed).toContain('7.3/1: E2→E12');
  });

  it('MP134B req 4: with the default ADT of zero the send is quarantined (X9, AD1 to the sender, nothing sent); an upload lets it through up to the limit; a release sends it as a linked record', () => {
    const { w, t, esme } = solrWorld({ adtLimit: null });
    const q = critical(w.dsp, w.srp, esme.id, CREDIT, t);
    expect(codes(q.transform)).toEqual(['I0']);
    expect(codes(q.send!)).toEqual(['X9']);
    expect(commands(q.send!)).toEqual([]);
    expect(dccAlerts(q.send!)).toEqual([{ kind: 'dccAlert', to: SRP, alert: expect.objectContaining({ code: 'AD1' }) as unknown }]);
    const requestId = q.cv4.header.requestId as RequestId;
    const entry = w.dsp.ledger.get({ sender: SRP, requestId: requestId, phase: 'send' });
    expect(entry?.state === 'settled' && entry.outcome.kind).toBe('quarantined');
    const held = w.dsp.adt.quarantined(SRP);
    expect(held).toHaveLength(1);
    const reference = held[0]!.reference;
    expect(entry?.state === 'settled' && entry.outcome).toEqual({ kind: 'quarantined', reference });

    // An ADT file allowing two a day: two pass, the third is quarantined.
    const t2 = t + HOUR_MS;
    allowAdt(w.dsp, t2, 2);
    const sent = [1, 2, 3].map((i) => critical(w.dsp, w.srp, esme.id, CREDIT, t2 + i).send!);
    expect(sent.map(codes)).toEqual([['I99'], ['I99'], ['X9']]);
    expect(sent.map((o) => commands(o).length)).toEqual([1, 1, 0]);

    // Releasing the first quarantined request sends it, under a new ledger record linked to the quarantined one.
    const t3 = t2 + HOUR_MS;
    const released = w.dsp.release(SRP, reference, t3);
    expect(codes(released)).toEqual(['I99']);
    const [command] = commands(released);
    expect(command).toMatchObject({ device: esme.id, requestId, command: { kind: 'modeSet', ref: requestId } });
    const linked = w.dsp.ledger.get({ sender: SRP, requestId: requestId, phase: 'send', release: reference });
    expect(linked?.state).toBe('open');
    expect(w.dsp.ledger.get({ sender: SRP, requestId: requestId, phase: 'send' })?.state).toBe('settled');
    w.dsp.deviceResponse(
      esme.commsHub,
      { commsHub: esme.commsHub, device: esme.id, response: { ref: requestId, command: 'modeSet', outcome: 'success' } },
      t3 + 1,
    );
    const done = w.dsp.ledger.get({ sender: SRP, requestId: requestId, phase: 'send', release: reference });
    expect(done?.state === 'settled' && done.outcome.kind).toBe('success');
    // A second release of the same reference does nothing.
    expect(w.dsp.release(SRP, reference, t3 + 2)).toEqual([]);
  });

  it('MP134B req 5: the content must be a change to Credit — Prepayment at CV 4 is X5, a different signed Pre-Command is X4, SMETS1 bodies are checked themselves', () => {
    const { w, t, esme } = solrWorld();
    const prepay = w.dsp.submit(SRP, w.srp.request(esme.id, '1.6', 4, PREPAYMENT), t);
    expect(codes(prepay)).toEqual(['X5']);
    expect(responses(prepay)[0]!.preCommand).toBeUndefined();

    // A CV 4 for Credit, then a Pre-Command of the SRP's own making that says Prepayment, signed with the right key.
    const cv4 = w.srp.request(esme.id, '1.6', 4, CREDIT);
    const bytes = responses(w.dsp.submit(SRP, cv4, t + 1))[0]!.preCommand!;
    const pre = unwrap(decodePreCommand(bytes));
    const forged = encodePreCommand({ ...pre, command: { now: pre.command.now, ...PREPAYMENT_COMMAND } });
    const out = w.dsp.submit(SRP, w.srp.signedSend(cv4, forged, 5), t + 2);
    expect(codes(out)).toEqual(['X4']);
    expect(commands(out)).toEqual([]);

    // SMETS1: no Pre-Command (CV 4 is E12); the request body itself is the content.
    const s1 = solrWorld({ smets1: 1 });
    const meter = s1.w.premises.at(-1)!.esme;
    expect(meter.generation).toBe('SMETS1');
    expect(onlyCode(s1.w.dsp.submit(SRP, s1.w.srp.request(meter.id, '1.6', 4, CREDIT), s1.t))).toBe('E12');
    const bad = s1.w.dsp.submit(SRP, s1.w.srp.request(meter.id, '1.6', 5, PREPAYMENT), s1.t + 1);
    expect(codes(bad)).toEqual(['X5']);
    expect(commands(bad)).toEqual([]);
    for (const [cv, code, sends] of [
      [5, 'I99', 1],
      [6, 'I0', 0],
      [7, 'I99', 1],
    ] as const) {
      const good = s1.w.dsp.submit(SRP, s1.w.srp.request(meter.id, '1.6', cv, CREDIT), s1.t + 1 + cv);
      expect(codes(good), `SMETS1 CV ${cv}`).toEqual([code]);
      expect(commands(good).filter((c) => isCreditCommand(c.command))).toHaveLength(sends);
    }
  });

  it('MP134B req 5: every valid CV path (4 then 5, 6 or 7) works for Credit on the SMETS2 ESME and GSME', () => {
    const { w, t, esme, gsme } = solrWorld();
    let at = t;
    for (const device of [esme, gsme]) {
      for (const cv of [5, 6, 7] as const) {
        const run = critical(w.dsp, w.srp, device.id, CREDIT, ++at, { cv });
        expect(codes(run.transform)).toEqual(['I0']);
        const sent = run.send!;
        expect(codes(sent), `${device.type} CV ${cv}`).toEqual([cv === 6 ? 'I0' : 'I99']);
        expect(commands(sent), `${device.type} CV ${cv}`).toHaveLength(cv === 6 ? 0 : 1);
        if (cv !== 5) expect(responses(sent)[0]!.body['localCommand'], `${device.type} CV ${cv}`).toMatch(/^modeSet \(signed\)/);
      }
    }
  });

  it('MP134B req 6: X6 when the supplier is not on the failed list, X7 without an Authority instruction; withdrawal and removal apply from their instant', () => {
    const w = sampleWorld();
    const esme = w.premises[0]!.esme;
    const t = w.start + HOUR_MS;
    w.dsp.admin.appointSrp(SRP, SUPPLIER_A, t);
    allowAdt(w.dsp, t, 100);
    expect(codes(critical(w.dsp, w.srp, esme.id, CREDIT, t).transform)).toEqual(['X6']);
    w.dsp.admin.setFailedSupplier(SUPPLIER_A, true, t + 1);
    expect(codes(critical(w.dsp, w.srp, esme.id, CREDIT, t + 1).transform)).toEqual(['X7']);
    w.dsp.admin.instruct('AUTH-1', SUPPLIER_A, SRP, t + 2);
    expect(codes(critical(w.dsp, w.srp, esme.id, CREDIT, t + 2).send!)).toEqual(['I99']);

    // Withdrawn at t1: a request one millisecond before still passes, one at t1 is X7.
    const t1 = t + DAY_MS;
    expect(codes(critical(w.dsp, w.srp, esme.id, CREDIT, t1 - 1).send!)).toEqual(['I99']);
    // A transform obtained before the withdrawal is no licence to send after it.
    const early = w.srp.request(esme.id, '1.6', 4, CREDIT);
    const pre = responses(w.dsp.submit(SRP, early, t1 - 1))[0]!.preCommand!;
    w.dsp.admin.withdrawInstruction('AUTH-1', t1);
    expect(codes(w.dsp.submit(SRP, w.srp.signedSend(early, pre, 5), t1))).toEqual(['X7']);
    expect(codes(critical(w.dsp, w.srp, esme.id, CREDIT, t1).transform)).toEqual(['X7']);

    // A new instruction; then supplier A leaves the failed list at t2: X6 from that instant.
    const t2 = t1 + DAY_MS;
    w.dsp.admin.instruct('AUTH-2', SUPPLIER_A, SRP, t2 - 10);
    expect(codes(critical(w.dsp, w.srp, esme.id, CREDIT, t2 - 1).send!)).toEqual(['I99']);
    w.dsp.admin.setFailedSupplier(SUPPLIER_A, false, t2);
    expect(codes(critical(w.dsp, w.srp, esme.id, CREDIT, t2).transform)).toEqual(['X6']);
  });

  it('MP134B req 6: what is held is checked again when it is sent — a release after the withdrawal is X7, a future-dated SMETS1 request after removal from the list is X6', () => {
    const { w, t, esme } = solrWorld({ adtLimit: null });
    const q = critical(w.dsp, w.srp, esme.id, CREDIT, t);
    expect(codes(q.send!)).toEqual(['X9']);
    const reference = w.dsp.adt.quarantined(SRP)[0]!.reference;
    w.dsp.admin.withdrawInstruction('AUTH-1', t + 10);
    const released = w.dsp.release(SRP, reference, t + 20);
    expect(codes(released)).toEqual(['X7']);
    expect(commands(released)).toEqual([]);

    const s1 = solrWorld({ smets1: 1 });
    const meter = s1.w.premises.at(-1)!.esme;
    const executeAt = s1.t + DAY_MS;
    const body: ServiceRequestBody = {
      kind: 'updatePaymentMode',
      updatePaymentMode: { kind: 'credit', credit: {}, executionDateTime: executeAt },
    };
    const held = s1.w.dsp.submit(SRP, s1.w.srp.request(meter.id, '1.6', 5, body), s1.t);
    expect(codes(held)).toEqual(['I99']);
    expect(commands(held)).toEqual([]);
    s1.w.dsp.admin.setFailedSupplier(SUPPLIER_A, false, executeAt - 1);
    const due = s1.w.dsp.due(executeAt);
    expect(codes(due)).toEqual(['X6']);
    expect(commands(due)).toEqual([]);
    expect(dccAlerts(due).map((a) => [a.to, a.alert.code])).toEqual([[SRP, 'N12']]);
  });

  it("MP134B req 6 (RELIABILITY SA06): an SRP instructed for one failed supplier gets X7 on another failed supplier's devices until instructed for that one too", () => {
    const { w, t, esme } = solrWorld();
    // Premises 1 belongs to supplier B (registered to its MPID, trusting its key); B fails as well, and the SRP is appointed for it.
    const theirs = w.premises[1]!.esme;
    w.registry.register(theirs.mpxn, MPID_B, t);
    w.registry.setTrustAnchor(theirs.id, SUPPLIER_B, t);
    w.dsp.admin.setFailedSupplier(SUPPLIER_B, true, t);
    w.dsp.admin.appointSrp(SRP, SUPPLIER_B, t);
    const agentOfB = signerOf(w.supplierBSigning);
    expect(codes(critical(w.dsp, w.srp, theirs.id, CREDIT, t + 1).transform)).toEqual(['X7']);
    expect(codes(critical(w.dsp, w.srp, esme.id, CREDIT, t + 2).send!)).toEqual(['I99']);
    w.dsp.admin.instruct('AUTH-B', SUPPLIER_B, SRP, t + 3);
    // Signed with A's key, B's device refuses it (X2); with B's key, held as B's agent, it is sent.
    expect(codes(critical(w.dsp, w.srp, theirs.id, CREDIT, t + 4).send!)).toEqual(['X2']);
    const run = critical(w.dsp, w.srp, theirs.id, CREDIT, t + 5, { sign: agentOfB });
    expect(codes(run.send!)).toEqual(['I99']);
    const outcome = w.dsp.sat.records().find((r) => r.kind === 'outcome' && r.requestId === run.cv4.header.requestId);
    expect(outcome?.detail).toContain(`on behalf of ${SUPPLIER_B}`);
  });

  it('MP134B req 6 (RELIABILITY F15): a User suspended while its request is held gets E3 when it would be sent — on release, and at a future-dated execution time', () => {
    const { w, t, esme } = solrWorld({ adtLimit: null });
    expect(codes(critical(w.dsp, w.srp, esme.id, CREDIT, t).send!)).toEqual(['X9']);
    const reference = w.dsp.adt.quarantined(SRP)[0]!.reference;
    w.dsp.admin.setUserStatus(SRP, 'suspended', t + 10);
    const released = w.dsp.release(SRP, reference, t + 20);
    expect(codes(released)).toEqual(['E3']);
    expect(commands(released)).toEqual([]);

    const s1 = solrWorld({ smets1: 1 });
    const meter = s1.w.premises.at(-1)!.esme;
    const executeAt = s1.t + DAY_MS;
    const body: ServiceRequestBody = {
      kind: 'updatePaymentMode',
      updatePaymentMode: { kind: 'credit', credit: {}, executionDateTime: executeAt },
    };
    expect(codes(s1.w.dsp.submit(SRP, s1.w.srp.request(meter.id, '1.6', 5, body), s1.t))).toEqual(['I99']);
    // The failed supplier's own future-dated request too.
    const own = s1.w.dsp.submit(SUPPLIER_A, s1.w.supplierA.request(meter.id, '1.6', 5, body), s1.t + 1);
    expect(codes(own)).toEqual(['I99']);
    s1.w.dsp.admin.setUserStatus(SRP, 'suspended', s1.t + 10);
    s1.w.dsp.admin.setUserStatus(SUPPLIER_A, 'suspended', s1.t + 10);
    const due = s1.w.dsp.due(executeAt);
    expect(codes(due)).toEqual(['E3', 'E3']);
    expect(commands(due)).toEqual([]);
    expect(dccAlerts(due).map((a) => [a.to, a.alert.code])).toEqual([
      [SRP, 'N12'],
      [SUPPLIER_A, 'N12'],
    ]);
  });

  it('MP134B req 7: SAT records carry the SRP as sender and name the failed supplier; responses and DCC alerts go to the SRP only', () => {
    const { w, t, esme, gsme } = solrWorld({ adtLimit: 1 });
    const all: DspOutput[] = [];
    const ok = critical(w.dsp, w.srp, esme.id, CREDIT, t);
    all.push(...ok.transform, ...ok.send!);
    const quarantined = critical(w.dsp, w.srp, gsme.id, CREDIT, t + 1);
    all.push(...quarantined.transform, ...quarantined.send!);
    all.push(...w.dsp.submit(SRP, w.srp.request(esme.id, '1.6', 4, PREPAYMENT), t + 2));
    all.push(...w.dsp.submit(SRP, w.srp.request(esme.id, '7.4', 1, READ_STATUS), t + 3));
    // No device answers: E21 and a CommandFailure alert, to the SRP.
    all.push(...w.dsp.due(t + DAY_MS));
    expect(codes(all)).toEqual(['I0', 'I99', 'I0', 'X9', 'X5', 'E2', 'E21']);
    expect(dccAlerts(all).map((a) => a.alert.code)).toEqual(['AD1', 'N12']);
    for (const o of all) if (o.kind !== 'command') expect(o.to).toBe(SRP);

    const srpRecords = w.dsp.sat.records().filter((r) => r.kind !== 'admin' && r.requestId?.startsWith(SRP));
    expect(srpRecords.length).toBeGreaterThanOrEqual(12);
    for (const r of srpRecords) {
      expect(r.sender).toBe(SRP);
      expect(r.businessOriginator === null || r.businessOriginator === SRP).toBe(true);
    }
    // Every outcome of a request the gates let through names the failed supplier it acted for.
    const passedGates = srpRecords.filter((r) => r.kind === 'outcome' && r.code !== 'E2');
    expect(passedGates.map((r) => r.code)).toEqual(['I0', 'I0', 'X9', 'X5', 'E21']);
    for (const r of passedGates) expect(r.detail).toContain(`on behalf of ${SUPPLIER_A}`);
    expect(w.dsp.sat.records().some((r) => r.sender === SUPPLIER_A && r.kind !== 'admin')).toBe(false);
  });

  it('MP134B req 7: device alerts go to the supplier until its licence is revoked, then to its SRP', () => {
    const { w, t, esme } = solrWorld();
    const alert = { code: 0x8f0f, device: esme.id, at: t, critical: true };
    expect(w.dsp.deviceAlert(alert, t)).toEqual([{ kind: 'deviceAlert', to: SUPPLIER_A, alert }]);
    expect(w.dsp.deviceAlert(alert, t + 9)).toEqual([{ kind: 'deviceAlert', to: SUPPLIER_A, alert }]);
    w.dsp.admin.revokeLicence(SUPPLIER_A, t + 10);
    expect(w.dsp.deviceAlert(alert, t + 10)).toEqual([{ kind: 'deviceAlert', to: SRP, alert }]);
    const alerts = w.dsp.sat.records().filter((r) => r.kind === 'alert');
    expect(alerts.map((r) => [r.sender, r.businessOriginator])).toEqual([
      [SUPPLIER_A, SUPPLIER_A],
      [SUPPLIER_A, SUPPLIER_A],
      [SRP, SUPPLIER_A],
    ]);
  });

  it('MP185: once the MPIDs move to the SoLR the SRP gets E4 (or the configured code); a delayed transfer keeps it working until then; the window ends 90 days after the SoLR date (X8)', () => {
    const { w, t, esme } = solrWorld();
    const t2 = t + DAY_MS;
    expect(codes(critical(w.dsp, w.srp, esme.id, CREDIT, t2 - 1).send!)).toEqual(['I99']);
    w.dsp.admin.appointSolr(SUPPLIER_A, SUPPLIER_B, t2);
    expect(w.registry.responsibleSupplier(esme, t2)).toBe(SUPPLIER_B);
    expect(codes(critical(w.dsp, w.srp, esme.id, CREDIT, t2).transform)).toEqual(['E4']);

    const x6 = sampleWorld({ config: { afterMpidTransferCode: 'X6' } });
    solrReady(x6, t, { adtLimit: 10 });
    x6.dsp.admin.appointSolr(SUPPLIER_A, SUPPLIER_B, t2);
    expect(codes(critical(x6.dsp, x6.srp, esme.id, CREDIT, t2).transform)).toEqual(['X6']);

    // The SMKI PMA delays the transfer by 120 days: the SRP works until the window closes at 90 days (X8), E4 after the transfer.
    const delayed = solrWorld();
    const transfer = t2 + 120 * DAY_MS;
    delayed.w.dsp.admin.appointSolr(SUPPLIER_A, SUPPLIER_B, t2, { delayTransferUntil: transfer });
    const d = delayed.w;
    expect(codes(critical(d.dsp, d.srp, esme.id, CREDIT, t2 + 1).send!)).toEqual(['I99']);
    expect(codes(critical(d.dsp, d.srp, esme.id, CREDIT, t2 + 90 * DAY_MS - 1).send!)).toEqual(['I99']);
    expect(codes(critical(d.dsp, d.srp, esme.id, CREDIT, t2 + 90 * DAY_MS).transform)).toEqual(['X8']);
    expect(codes(critical(d.dsp, d.srp, esme.id, CREDIT, transfer).transform)).toEqual(['E4']);

    // A delay shorter than the window: passes until the transfer, E4 from it.
    const short = solrWorld();
    short.w.dsp.admin.appointSolr(SUPPLIER_A, SUPPLIER_B, t2, { delayTransferUntil: t2 + DAY_MS });
    expect(codes(critical(short.w.dsp, short.w.srp, esme.id, CREDIT, t2 + DAY_MS - 1).send!)).toEqual(['I99']);
    expect(codes(critical(short.w.dsp, short.w.srp, esme.id, CREDIT, t2 + DAY_MS).transform)).toEqual(['E4']);
  });

  it("MP134A: after the licence is revoked the supplier's own requests are X3 (at the delayed instant if the SMKI PMA delays it); the SRP, signing XML with its own certificate, still passes", () => {
    const { w, t, esme } = solrWorld();
    const t2 = t + DAY_MS;
    expect(onlyCode(w.dsp.submit(SUPPLIER_A, w.supplierA.request(esme.id, '7.4', 1, READ_STATUS), t2 - 1))).toBe('I99');
    w.dsp.admin.revokeLicence(SUPPLIER_A, t2);
    expect(onlyCode(w.dsp.submit(SUPPLIER_A, w.supplierA.request(esme.id, '7.4', 1, READ_STATUS), t2))).toBe('X3');
    expect(codes(critical(w.dsp, w.supplierA, esme.id, CREDIT, t2 + 1).transform)).toEqual(['X3']);
    const srp = critical(w.dsp, w.srp, esme.id, CREDIT, t2 + 2);
    expect(codes(srp.send!)).toEqual(['I99']);
    expect(commands(srp.send!)).toHaveLength(1);

    const delayed = solrWorld();
    const until = t2 + 30 * DAY_MS;
    delayed.w.dsp.admin.revokeLicence(SUPPLIER_A, t2, { delayRevocationUntil: until });
    const a = delayed.w.supplierA;
    expect(onlyCode(delayed.w.dsp.submit(SUPPLIER_A, a.request(esme.id, '7.4', 1, READ_STATUS), t2))).toBe('I99');
    expect(onlyCode(delayed.w.dsp.submit(SUPPLIER_A, a.request(esme.id, '7.4', 1, READ_STATUS), until - 1))).toBe('I99');
    expect(onlyCode(delayed.w.dsp.submit(SUPPLIER_A, a.request(esme.id, '7.4', 1, READ_STATUS), until))).toBe('X3');
    expect(codes(critical(delayed.w.dsp, delayed.w.srp, esme.id, CREDIT, until + 1).send!)).toEqual(['I99']);
  });
});

/** The HAN command of SR 1.6 to Prepayment, to forge a Pre-Command with. */
const PREPAYMENT_COMMAND = {
  kind: 'modeSet',
  modeSet: { kind: 'prepayment', prepayment: { disablementThreshold: 0, suspendDebtDisabled: false, suspendDebtEmergency: false } },
} as const;
