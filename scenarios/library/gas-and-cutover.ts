import { createFastSigner } from '../../core/crypto/ecdsa.ts';
import { DAY_MS, HOUR_MS, MINUTE_MS, type Instant } from '../../core/time/duration.ts';
import { encodePreCommand } from '../../proto/signed-content.ts';
import type { ServiceRequestBody } from '../../proto/types.ts';
import type { AssertionResult } from '../report/report-model.ts';
import type { PlayedRun, Script } from '../runner/play-solr.ts';
import { FAILED_SUPPLIER } from '../runner/solr-world.ts';

/**
 * `gas-sleepy-meters` and `change-of-supplier-cutover`: two checks on the
 * flagship's failure. // DOMAIN §3.4, §5.3
 */

/** A GSME listens about every 30 minutes; a command waits in the GPF until then. // DOMAIN §3.4 */
const GSME_WAKE_MS = 30 * MINUTE_MS;

/** Gas meters: every one the SRP switches is in Credit mode by its next wake after the request, and no sooner than the electricity. */
export function gasAssertions(run: PlayedRun): AssertionResult[] {
  if (run.plan.policy !== 'mp134b') return [];
  const gas = run.instructed.meters.filter((m) => m.slot.fuel === 'gas');
  const waits: number[] = [];
  const late = gas.filter((m) => {
    const sent = run.world.firstSent.get(m.id);
    const credit = run.world.creditAt.get(m.id);
    if (sent === undefined || credit === undefined) return true;
    waits.push(credit - sent);
    return credit - sent > GSME_WAKE_MS;
  });
  const max = waits.length === 0 ? 0 : Math.max(...waits) / MINUTE_MS;
  const mean = waits.length === 0 ? 0 : waits.reduce((a, b) => a + b, 0) / waits.length / MINUTE_MS;
  return [
    {
      name: 'every gas meter the SRP switches is in Credit mode by its next wake',
      policy: run.plan.policy,
      passed: gas.length > 0 && late.length === 0,
      expected: `each of the ${gas.length} gas meters in Credit mode within 30 minutes of the SRP's request (the GSME wakes about every 30 minutes)`,
      actual: `${gas.length - late.length} in time; waits mean ${mean.toFixed(1)} min, longest ${max.toFixed(1)} min`,
      story: null,
    },
  ];
}

/**
 * WAN outage: every prepayment meter behind a cut hub is in Credit mode within
 * two hours of its WAN returning (the SRP retries hourly), and no request is
 * left without an outcome. // DOMAIN §3.3, §4.4; RELIABILITY §2
 */
export function wanAssertions(run: PlayedRun): AssertionResult[] {
  const o = run.plan.steps.wanOutage;
  if (o === undefined || run.plan.policy !== 'mp134b') return [];
  const behind = run.instructed.meters.filter((m) => run.wanCut.has(m.hub));
  const late = behind.filter((m) => {
    const at = run.world.creditAt.get(m.id);
    return at === undefined || at > o.end + 2 * HOUR_MS;
  });
  const inFlight = run.world.dsp.ledger.inFlight().length;
  return [
    {
      name: 'meters behind the WAN outage are put into Credit mode soon after it ends',
      policy: run.plan.policy,
      passed: behind.length > 0 && late.length === 0,
      expected: `each of the ${behind.length} prepayment meters behind a cut hub in Credit mode within 2 h of the WAN returning`,
      actual: late.length === 0 ? 'as expected' : `${late.length} later or never`,
      story: null,
    },
    {
      name: 'every request the SRP sent during the outage ended with an answer',
      policy: run.plan.policy,
      passed: inFlight === 0,
      expected: 'no request without an outcome at the end of the run',
      actual: `${inFlight} in flight`,
      story: null,
    },
  ];
}

/** What the cutover check found. */
export interface Cutover {
  failedRefusedByDsp: string | null;
  failedRefusedByDevice: string | null;
  solrAnswer: string | null;
  solrDeviceOutcome: string | null;
}

const PREPAYMENT: ServiceRequestBody = {
  kind: 'updatePaymentMode',
  updatePaymentMode: {
    kind: 'prepayment',
    prepayment: { suspendDebtDisabled: false, suspendDebtEmergency: false, disablementThreshold: 0 },
  },
};

/**
 * On a meter the SoLR has taken over: the failed supplier's request is refused
 * by the DSP; a command signed with the failed supplier's key, delivered to the
 * device past the DSP, is refused by the device; the SoLR's own request (back
 * to Prepayment) is carried out. // DOMAIN §5.3
 */
export function cutoverScript(start: Instant, found: Cutover): Script {
  return (w, at) => {
    at(start + 10 * DAY_MS, () => {
      const now = w.clock.now();
      const m = w.meters.find(
        (x) => !x.smets1 && x.slot.fuel === 'electricity' && w.dsp.registry.trustAnchor(x.id, now) !== FAILED_SUPPLIER,
      );
      if (m === undefined) return;
      w.critical(w.failed, m, '1.6', { kind: 'updatePaymentMode', updatePaymentMode: { kind: 'credit', credit: {} } }, (r) => {
        found.failedRefusedByDsp = r.responseCode;
      });
      const requestId = `${FAILED_SUPPLIER}:${m.id}:${Number.MAX_SAFE_INTEGER}`;
      const command = { kind: 'supplyDisable' as const, supplyDisable: {} };
      const preCommand = encodePreCommand({
        requestId,
        remoteParty: FAILED_SUPPLIER,
        device: m.id,
        counter: BigInt(Number.MAX_SAFE_INTEGER),
        serviceReferenceVariant: '7.2',
        command: { ...command, now: 0 },
      });
      const signing = w.smki.find(FAILED_SUPPLIER, 'digitalSigning');
      const key = w.failedSigningKey;
      if (signing !== undefined && m.slot.authority !== undefined) {
        const signature = createFastSigner({ privateKey: key, publicKey: signing.publicKey })(preCommand);
        const verdict = m.slot.authority.admit({ ...command, ref: requestId, now, authorisation: { preCommand, signature } });
        found.failedRefusedByDevice = verdict.ok ? 'accepted' : verdict.why;
      }
      at(now + HOUR_MS, () =>
        w.critical(w.solr, m, '1.6', PREPAYMENT, (r) => {
          found.solrAnswer = r.responseCode;
          found.solrDeviceOutcome = r.body['deviceOutcome'] ?? null;
        }),
      );
    });
  };
}

export function cutoverAssertions(found: Cutover, policy: string): AssertionResult[] {
  const a = (name: string, passed: boolean, expected: string, actual: string): AssertionResult => ({
    name,
    policy,
    passed,
    expected,
    actual,
    story: null,
  });
  return [
    a(
      'the failed supplier is refused by the DSP after change of supplier',
      found.failedRefusedByDsp === 'E4' || found.failedRefusedByDsp === 'X3',
      'refused: X3 (its certificates are revoked) or E4 (no longer the registered supplier)',
      found.failedRefusedByDsp ?? 'no answer',
    ),
    a(
      "the failed supplier's signature is refused by the device after change of supplier",
      found.failedRefusedByDevice !== null && found.failedRefusedByDevice !== 'accepted',
      'refused: the device trusts the SoLR now',
      found.failedRefusedByDevice ?? 'not tried',
    ),
    a(
      "the SoLR's request is carried out by the device",
      found.solrAnswer === 'I0' && found.solrDeviceOutcome === 'success',
      'I0, device outcome success',
      `${found.solrAnswer ?? 'no answer'}, device outcome ${found.solrDeviceOutcome ?? 'none'}`,
    ),
  ];
}
