import { DAY_MS, HOUR_MS, MINUTE_MS, type Instant } from '../../core/time/duration.ts';
import { formatInstant } from '../../core/time/uk-time.ts';
import { DEFAULT_FLEET_OPTIONS } from '../../emulator/fleet/fleet-options.ts';
import type { AssertionResult, Story, StoryEvent } from '../report/report-model.ts';
import { MAX_STORY_EVENTS } from '../report/report-model.ts';
import type { PlayedRun } from '../runner/play-solr.ts';
import type { SolrPlan } from '../runner/solr-plan.ts';
import type { MeterRef } from '../runner/solr-world.ts';
import { defaultLevers, policyPlan } from '../schema/policy-plan.ts';
import type { PolicyName } from '../schema/scenario.ts';

/**
 * `solr-disorderly-exit`, the flagship: a small supplier fails in January
 * with nobody left to sell top-ups; its Shared Resource Provider, instructed
 * by the Authority, switches its prepayment meters to Credit mode; the
 * Supplier of Last Resort takes the meters over one by one in the weeks
 * after. // SEED0 §2, §3; DOMAIN §7.2, §7.3
 *
 * Asserts, under MP134B: every prepayment consumer on supply when the SRP
 * acts stays on supply until the SoLR has taken over; consumers already off
 * for lack of credit are re-armed (back on as soon as they press the button);
 * the self-disconnected are re-armed, not switched on; every SR 1.6 the SRP
 * sends is Credit-only.
 */

export const NAME = 'solr-disorderly-exit';
export const DESCRIPTION =
  'A small supplier fails in January; its SRP puts its prepayment meters into Credit mode; the Supplier of Last Resort takes them over over three weeks.';

export interface FlagshipOptions {
  readonly premises?: number;
  readonly days?: number;
  readonly seed?: string;
  readonly policies?: readonly PolicyName[];
  /** Meters the SRP switches per hour. Default 2 000. UNVERIFIED: no public figure for an SRP's throughput. */
  readonly srpPerHour?: number;
  /**
   * Instead of a rate: about how many hours the SRP takes to get through the
   * estate's prepayment meters (40 % of homes, about 1.7 meters each), so a
   * comparison keeps its shape at any size.
   */
  readonly srpHours?: number;
  /** A share of comms hubs without WAN for `hours`, starting an hour before the SRP does. */
  readonly wanOutage?: { readonly share: number; readonly hours: number };
  /** Share of electricity meters that are SMETS1. Default 0. */
  readonly smets1Share?: number;
}

/** Monday 4 January 2027, 00:00 UTC: the run starts; the supplier stops selling top-ups on day 2. */
export const FLAGSHIP_START: Instant = Date.UTC(2027, 0, 4);

/** The plan under each policy, in order. Default size: 50 000 premises, 28 days, 40 % prepayment, dual fuel mix. */
export function flagshipPlans(o: FlagshipOptions = {}): SolrPlan[] {
  const start = FLAGSHIP_START;
  const days = o.days ?? 28;
  const d = (day: number, hour = 0): Instant => start + day * DAY_MS + hour * HOUR_MS;
  return (o.policies ?? ['mp134b']).map((name) => {
    const p = policyPlan({ name, levers: defaultLevers(name) });
    const licence = d(2, 9);
    const solr = d(4, 9);
    return {
      policy: name,
      description: p.summary,
      fleet: { ...DEFAULT_FLEET_OPTIONS, premises: o.premises ?? 50_000, days, start, seed: o.seed ?? 'solr-2027', prepaymentShare: 0.4 },
      smets1Share: o.smets1Share ?? 0,
      dsp: p.dspConfig,
      srpActsAs: p.srpActsAs,
      srpWindowMs: p.srpWindowMs,
      steps: {
        // DOMAIN §7.2: the supplier fails; its staff (and vending) are gone before the licence is revoked.
        vendingStops: d(1, 9),
        failedListed: licence,
        licenceRevoked: licence,
        revocationDelayedUntil: p.certificateRevocationDelayMs > 0 ? licence + p.certificateRevocationDelayMs : null,
        authorityInstruction: d(2, 12),
        adtUpload: { at: d(2, 13), limitPerDay: 1_000_000 },
        srpSwitch: { start: d(2, 14), perHour: srpRate(o) },
        // DOMAIN §7.2: a SoLR is appointed within days; Change of Supplier takes 2–4 weeks.
        solrAppointed: solr,
        transferDelayedUntil: p.mpidTransferDelayMs > 0 ? solr + p.mpidTransferDelayMs : null,
        changeOfSupplier: { start: d(6), spreadDays: Math.max(1, Math.min(21, days - 7)) },
        ...(o.wanOutage === undefined
          ? {}
          : { wanOutage: { start: d(2, 13), end: d(2, 13) + o.wanOutage.hours * HOUR_MS, share: o.wanOutage.share } }),
      },
    };
  });
}

/** Meters the SRP switches per hour. */
function srpRate(o: FlagshipOptions): number {
  if (o.srpHours === undefined) return o.srpPerHour ?? 2000;
  const meters = (o.premises ?? 50_000) * 0.4 * 1.7;
  return Math.max(1, Math.round(meters / o.srpHours));
}

/** The flagship's assertions on one played run. */
export function flagshipAssertions(run: PlayedRun): AssertionResult[] {
  return flagshipWords(run.plan, flagshipFacts(run));
}

/**
 * What the flagship's assertions count on a played run, before the words:
 * for each promise, the meters it covers, how many broke it, and the story
 * of the first that did (estate order). The facts of the shards of a sharded
 * run add up (`mergeFlagshipFacts`) to the whole estate's.
 */
export interface FlagshipFacts {
  readonly promises: readonly PromiseFacts[];
  /** SR 1.6 commands put on the WAN for the SRP, and how many were not a change to Credit. // MP134B req 5 */
  readonly srpCommands: { readonly sent: number; readonly notCredit: number };
}

export interface PromiseFacts {
  readonly covered: number;
  readonly broken: number;
  readonly story: Story | null;
}

/** The facts of disjoint parts of an estate, in estate order, as the whole estate's. */
export function mergeFlagshipFacts(parts: readonly FlagshipFacts[]): FlagshipFacts {
  const n = parts[0]?.promises.length ?? 0;
  return {
    promises: Array.from({ length: n }, (_, i) => {
      const each = parts.map((p) => p.promises[i] as PromiseFacts);
      return {
        covered: each.reduce((k, p) => k + p.covered, 0),
        broken: each.reduce((k, p) => k + p.broken, 0),
        story: each.find((p) => p.story !== null)?.story ?? null,
      };
    }),
    srpCommands: {
      sent: parts.reduce((k, p) => k + p.srpCommands.sent, 0),
      notCredit: parts.reduce((k, p) => k + p.srpCommands.notCredit, 0),
    },
  };
}

/** The facts of one played run (the meters its world built). */
export function flagshipFacts(run: PlayedRun): FlagshipFacts {
  const srpCommands = { sent: run.srpCommands, notCredit: run.srpNonCreditCommands };
  const sw = run.plan.steps.srpSwitch;
  if (sw === null) return { promises: [], srpCommands };
  const instructed = run.instructed.meters;
  const tookOver = (m: MeterRef): Instant => run.changedAt.get(m.id) ?? run.end;

  // "When the SRP acts" is per meter: when its Credit mode takes effect there, or (refused, never applied) when its
  // SR 1.6 went out. A batch takes hours and a gas meter hears its command only at its next wake (DOMAIN §3.4): a
  // meter that runs out before then was off before the SRP's action reached it, and must be re-armed. `actedAt` is
  // the last instant before the action. // MP134B req 5; SEED0 §3
  const actedAt = (m: MeterRef): Instant => {
    const applied = run.world.creditAt.get(m.id);
    return applied !== undefined ? applied - 1 : (run.world.firstSent.get(m.id) ?? sw.start);
  };
  const offAt = (m: MeterRef, t: Instant): string | null => m.slot.timeline.intervals.find((i) => i.from <= t && t < i.to)?.cause ?? null;
  const facts = (covered: readonly MeterRef[], broken: readonly MeterRef[]): PromiseFacts => {
    const first = broken[0];
    return { covered: covered.length, broken: broken.length, story: first === undefined ? null : storyOf(run, first) };
  };

  // 1. On supply when the SRP acted ⇒ never off for lack of credit until the SoLR took over.
  const onWhenActed = instructed.filter((m) => offAt(m, actedAt(m)) === null);
  const lost = onWhenActed.filter((m) =>
    m.slot.timeline.intervals.some((i) => i.cause === 'credit' && i.from > actedAt(m) && i.from < tookOver(m)),
  );
  // 2. Off for lack of credit when the SRP acted ⇒ re-armed: Credit mode applied, never off for credit again.
  const offWhenActed = instructed.filter((m) => offAt(m, actedAt(m)) === 'credit');
  const notRearmed = offWhenActed.filter((m) => {
    const at = run.world.creditAt.get(m.id);
    return at === undefined || m.slot.timeline.intervals.some((i) => i.cause === 'credit' && i.from > at);
  });
  // 3. Self-disconnected ⇒ armed, not switched on: the first state after Credit mode is Armed (the consumer must act). // DOMAIN §1.6
  const selfOff = offWhenActed.filter((m) => m.premises.household.selfDisconnecting);
  const switchedOn = selfOff.filter((m) => {
    const at = run.world.creditAt.get(m.id);
    if (at === undefined) return false;
    return !m.slot.timeline.intervals.some((i) => i.cause === 'armed' && i.from === at) && m.slot.snapshot.context.supply !== 'Armed';
  });
  return { promises: [facts(onWhenActed, lost), facts(offWhenActed, notRearmed), facts(selfOff, switchedOn)], srpCommands };
}

/** The flagship's assertions in words, from their facts. */
export function flagshipWords(plan: SolrPlan, f: FlagshipFacts): AssertionResult[] {
  const sw = plan.steps.srpSwitch;
  if (sw === null) return [];
  const policy = plan.policy;
  const [onWhenActed, offWhenActed, selfOff] = f.promises as [PromiseFacts, PromiseFacts, PromiseFacts];
  return [
    result(
      'prepayment consumers on supply when the SRP acts stay on supply until the SoLR takes over',
      policy,
      `none of the ${onWhenActed.covered} prepayment meters on supply when the SRP's Credit mode reaches them (the SRP starts ${formatInstant(sw.start)}) runs out of credit before its change of supplier`,
      onWhenActed,
      (n) => `${n} meters ran out of credit after Credit mode reached them and before their change of supplier`,
    ),
    result(
      'consumers already off for lack of credit are re-armed',
      policy,
      `all ${offWhenActed.covered} meters off for lack of credit when the SRP acts are put into Credit mode and armed`,
      offWhenActed,
      (n) => `${n} meters off for lack of credit were not re-armed`,
    ),
    result(
      'the self-disconnected are re-armed, not switched on',
      policy,
      `each of the ${selfOff.covered} self-disconnected meters is armed when put into Credit mode, and stays off until the consumer presses the button`,
      selfOff,
      (n) => `${n} self-disconnected meters were switched on without the consumer`,
    ),
    // 4. MP134B req 5: every SR 1.6 the SRP put on the WAN is a change to Credit.
    {
      name: 'every SR 1.6 from the SRP is Credit-only',
      policy,
      passed: f.srpCommands.notCredit === 0,
      expected: 'every command the SRP’s requests put on the WAN changes payment mode to Credit',
      actual: `${f.srpCommands.sent} commands sent for the SRP, ${f.srpCommands.notCredit} of them not a change to Credit`,
      story: null,
    },
  ];
}

function result(name: string, policy: string, expected: string, facts: PromiseFacts, actual: (n: number) => string): AssertionResult {
  return {
    name,
    policy,
    passed: facts.broken === 0,
    expected,
    actual: facts.broken === 0 ? 'as expected' : actual(facts.broken),
    story: facts.story,
  };
}

/** The shortest story of one meter: what happened to its supply, the SRP's action, its change of supplier. */
function storyOf(run: PlayedRun, m: MeterRef): Story {
  const fuel = m.slot.fuel === 'electricity' ? 'Electricity' : 'Gas';
  const events: { at: Instant; text: string }[] = [];
  const sw = run.plan.steps.srpSwitch;
  if (sw !== null) events.push({ at: sw.start, text: `The SRP starts switching prepayment meters to Credit mode (${sw.perHour} an hour)` });
  for (const i of m.slot.timeline.intervals) {
    const why = i.cause === 'credit' ? 'credit exhausted' : i.cause === 'armed' ? 'armed, waiting for the consumer' : 'disabled remotely';
    events.push({ at: i.from, text: `${fuel} meter off supply: ${why} (${Math.round((i.to - i.from) / MINUTE_MS)} min)` });
  }
  const sent = run.world.firstSent.get(m.id);
  if (sent !== undefined)
    events.push({ at: sent, text: `The SRP's request to put the ${fuel.toLowerCase()} meter into Credit mode goes out` });
  const credit = run.world.creditAt.get(m.id);
  if (credit !== undefined) events.push({ at: credit, text: `${fuel} meter put into Credit mode by the SRP` });
  const cos = run.changedAt.get(m.id);
  if (cos !== undefined) events.push({ at: cos, text: `${fuel} meter taken over by the Supplier of Last Resort` });
  events.sort((a, b) => a.at - b.at);
  const story: StoryEvent[] = events.slice(0, MAX_STORY_EVENTS).map((e) => ({ at: formatInstant(e.at), text: e.text }));
  return {
    consumer: String(m.premises.index),
    devices: [{ id: m.id, kind: m.slot.fuel === 'electricity' ? 'ESME' : 'GSME' }],
    events: story,
  };
}
