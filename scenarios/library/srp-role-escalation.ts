import { DAY_MS, HOUR_MS, type Instant } from '../../core/time/duration.ts';
import { SRV_CATALOGUE } from '../../dsp/access/srv-catalogue.ts';
import type { ServiceRequest, ServiceRequestBody, ServiceResponse } from '../../proto/types.ts';
import type { AssertionResult } from '../report/report-model.ts';
import type { Script } from '../runner/play-solr.ts';
import { FAILED_SUPPLIER, SRP_ID, type SolrWorld } from '../runner/solr-world.ts';

/**
 * `srp-role-escalation`: the SoLR Contingency User tries everything MP134B
 * says it may not do, at the moments it may not do it, and each attempt must
 * be refused with its code; nothing it tries reaches a meter.
 * // MP134B req 3–7; RELIABILITY §3.3 SA01–SA09, §3.6
 */

export const NAME = 'srp-role-escalation';
export const DESCRIPTION =
  'The SRP in the SoLR Contingency role tries every other SRV, Prepayment mode, devices of a supplier that has not failed, requests without ADT, without an Authority instruction, after its window, and replays; each must be refused with its code.';

/** One attempt: what the SRP tries, the codes it may get, and what it got. */
export interface Attempt {
  readonly name: string;
  readonly expected: readonly string[];
  readonly got: string[];
  readonly requestIds: Set<string>;
}

const CREDIT: ServiceRequestBody = { kind: 'updatePaymentMode', updatePaymentMode: { kind: 'credit', credit: {} } };
const PREPAYMENT: ServiceRequestBody = {
  kind: 'updatePaymentMode',
  updatePaymentMode: {
    kind: 'prepayment',
    prepayment: { suspendDebtDisabled: false, suspendDebtEmergency: false, disablementThreshold: 0 },
  },
};

/**
 * The attempts, scheduled around the flagship's timeline (vending stops day 1,
 * licence revoked and supplier listed day 2 09:00, instruction 12:00, ADT file
 * 13:00, SoLR appointed day 4, Change of Supplier from day 6). The SRP's window
 * is shortened to `windowDays` after the SoLR date so its end falls in the run.
 */
export function escalationScript(start: Instant, attempts: Attempt[], leaked: { count: number }): Script {
  const d = (day: number, hour = 0): Instant => start + day * DAY_MS + hour * HOUR_MS;
  const add = (name: string, expected: readonly string[]): Attempt => {
    const a: Attempt = { name, expected, got: [], requestIds: new Set() };
    attempts.push(a);
    return a;
  };
  return (w, at) => {
    const electric = w.meters.filter((m) => !m.smets1 && m.slot.fuel === 'electricity');
    const target = (): string => electric[0]?.id ?? '';
    const other = (): string => electric[1]?.id ?? '';
    w.watchCommands((requestId) => {
      for (const a of attempts) if (a.requestIds.has(requestId)) leaked.count++;
    });
    const send = (a: Attempt, r: ServiceRequest): void => {
      a.requestIds.add(r.header.requestId);
      w.watchResponse(SRP_ID, r.header.requestId, (resp) => a.got.push(resp.responseCode));
      w.deliver(w.dsp.submit(SRP_ID, r, w.clock.now()));
    };
    // Before the ADT file: default zero, so quarantined. // MP134B req 4
    at(d(2, 12), () => {
      const a = add('SR 1.6 before any ADT file is quarantined (X9)', ['X9']);
      const cv4 = w.srp.request(target() as never, '1.6', 4, CREDIT);
      a.requestIds.add(cv4.header.requestId);
      const pre = submitFirst(w, cv4);
      if (pre?.preCommand !== undefined) send(a, w.srp.signedSend(cv4, pre.preCommand, 5));
    });
    at(d(2, 13) + HOUR_MS / 2, () => {
      // Every other SRV of the catalogue, with a Command Variant it allows. // MP134B req 3
      const others = add('every SRV other than 1.6 is refused (E2)', ['E2']);
      for (const e of SRV_CATALOGUE) {
        if (e.srv === '1.6') continue;
        const cv = e.commandVariants[0] ?? 1;
        send(others, w.srp.request(target() as never, e.srv, cv, { kind: 'opaque', opaque: new Uint8Array(0) }));
      }
      // Prepayment, not Credit. // MP134B req 5
      send(add('SR 1.6 to Prepayment is refused (X5)', ['X5']), w.srp.request(target() as never, '1.6', 4, PREPAYMENT));
      // A counter already used, to another device. // RELIABILITY §3.6 SR02, SR05
      send(
        add('a request with a used counter is refused (X10)', ['X10']),
        w.srp.request(other() as never, '1.6', 4, CREDIT, { counter: 1n }),
      );
    });
    // Without an Authority instruction: withdrawn for an hour. // MP134B req 6
    at(d(3, 10), () => {
      w.dsp.admin.withdrawInstruction('AUTHORITY-1', w.clock.now());
      send(add('SR 1.6 without an Authority instruction is refused (X7)', ['X7']), w.srp.request(target() as never, '1.6', 4, CREDIT));
      w.dsp.admin.instruct('AUTHORITY-2', FAILED_SUPPLIER, SRP_ID, w.clock.now() + HOUR_MS);
    });
    // A device its supplier no longer supplies: after its Change of Supplier it belongs to the SoLR, which has not failed. // MP134B req 6
    at(d(7), () => {
      const taken = w.meters.find((m) => w.dsp.registry.trustAnchor(m.id, w.clock.now()) !== FAILED_SUPPLIER && !m.smets1);
      if (taken === undefined) return;
      send(
        add('SR 1.6 to a device of a supplier that has not failed is refused (X6)', ['X6', 'E4']),
        w.srp.request(taken.id, '1.6', 4, CREDIT),
      );
    });
    // After the SRP's window. // MP185 §3
    at(d(4, 9) + w.dsp.registry.srpWindowMs + HOUR_MS, () => {
      const m = w.meters.find((x) => !x.smets1 && w.dsp.registry.trustAnchor(x.id, w.clock.now()) === FAILED_SUPPLIER);
      if (m === undefined) return;
      send(
        add('SR 1.6 after the SRP window is refused (X8, or E4 once the MPIDs have moved)', ['X8', 'E4']),
        w.srp.request(m.id, '1.6', 4, CREDIT),
      );
    });
  };
}

/** Submits a transform and returns its answer (the Pre-Command, or the refusal). */
function submitFirst(w: SolrWorld, r: ServiceRequest): ServiceResponse | undefined {
  const out = w.dsp.submit(SRP_ID, r, w.clock.now());
  w.deliver(out);
  return out.find((o) => o.kind === 'response')?.response;
}

/** Each attempt as an assertion: every answer one of the expected codes. */
export function escalationAssertions(attempts: readonly Attempt[], policy: string, commandsToMeters: number): AssertionResult[] {
  const out: AssertionResult[] = attempts.map((a) => {
    const wrong = a.got.filter((c) => !a.expected.includes(c));
    return {
      name: a.name,
      policy,
      passed: a.got.length > 0 && wrong.length === 0,
      expected: `every attempt answered ${a.expected.join(' or ')}`,
      actual: a.got.length === 0 ? 'no answer' : `${a.got.length} answered: ${summarise(a.got)}`,
      story: null,
    };
  });
  out.push({
    name: 'nothing the SRP tried beyond its rights reached a meter',
    policy,
    passed: commandsToMeters === 0,
    expected: 'no command from a refused attempt on the WAN',
    actual: `${commandsToMeters} commands`,
    story: null,
  });
  return out;
}

function summarise(codes: readonly string[]): string {
  const n = new Map<string, number>();
  for (const c of codes) n.set(c, (n.get(c) ?? 0) + 1);
  return [...n].map(([c, k]) => `${c}×${k}`).join(', ');
}
