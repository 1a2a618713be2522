import { MINUTE_MS, type Instant } from '../../core/time/duration.ts';
import { formatInstant } from '../../core/time/uk-time.ts';
import { verifyChain } from '../../dsp/audit/service-audit-trail.ts';
import { describeAlert } from '../../emulator/devices/common/alerts.ts';
import { mergeConsumerDetail, selectConsumerDetail } from '../report/consumer-detail.ts';
import {
  CONSUMER_GROUPS,
  type AlertCount,
  type ConsumerDetail,
  type ConsumerGroup,
  type ConsumerRecord,
  type FaultSummary,
  type GroupOutcome,
  type OffSupplySeries,
  type OffSupplyCause,
  type PolicyResult,
  type UserRequests,
} from '../report/report-model.ts';
import { summariseTimeToSafeMode } from '../report/time-to-safe-mode.ts';
import type { PlayedRun } from './play-solr.ts';
import type { SolrPlan } from './solr-plan.ts';

/**
 * A played run's outcomes in the report's terms: per group and cause, over
 * time, time to safe mode, requests, quarantines, alerts, the audit trail.
 */

/** What the DCC Alert codes mean, in words (the N-codes are the DSP's configurable placeholders). // DOMAIN §4.5 */
const DCC_ALERTS: Readonly<Record<string, string>> = {
  AD1: 'Request quarantined by anomaly detection',
  N12: 'Command failure: no response from the device',
  N42: 'Security credentials updated on a device (change of supplier)',
};

export function policyResult(run: PlayedRun, bucketMinutes = 60): PolicyResult {
  return assemblePolicyResult(run.plan, homesPart(run, bucketMinutes), dspPart(run));
}

/**
 * What the premises a world built say for the report: group sums, the
 * off-supply series, each covered meter's time to safe mode and the worst
 * consumers. Parts from the shards of a sharded run, in estate order, merge
 * (`mergeHomesParts`) into the whole estate's. // docs/scale-out.md "The SoLR world"
 */
export interface HomesPart {
  readonly groups: Readonly<Record<ConsumerGroup, GroupOutcome>>;
  readonly offSupplySeries: OffSupplySeries;
  readonly timeToSafeMode: { readonly instructedAt: Instant | null; readonly minutes: readonly (number | null)[] };
  readonly consumers: ConsumerDetail;
}

/** What the DSP and the Users say for the report; one shard of a sharded run holds them. */
export type DspPart = Pick<PolicyResult, 'serviceRequests' | 'quarantines' | 'alerts' | 'faults' | 'audit'>;

/** A policy's result from its premises' part and its DSP's. */
export function assemblePolicyResult(plan: SolrPlan, homes: HomesPart, dsp: DspPart): PolicyResult {
  const at = homes.timeToSafeMode.instructedAt;
  return {
    policy: plan.policy,
    description: plan.description,
    outcomes: homes.groups,
    offSupplySeries: homes.offSupplySeries,
    timeToSafeMode: summariseTimeToSafeMode(at === null ? null : formatInstant(at), homes.timeToSafeMode.minutes),
    ...dsp,
    consumers: homes.consumers,
  };
}

/** The parts of shards in estate order as one: sums, the series added up, the worst consumers of all. */
export function mergeHomesParts(parts: readonly HomesPart[]): HomesPart {
  const first = parts[0];
  if (first === undefined) throw new RangeError('mergeHomesParts: no part');
  const groups = Object.fromEntries(
    CONSUMER_GROUPS.map((g) => {
      const m = emptyGroup();
      for (const p of parts) {
        const o = p.groups[g];
        m.consumers += o.consumers;
        m.meters += o.meters;
        m.consumersEverOff += o.consumersEverOff;
        for (const k of Object.keys(m.meterMinutesOff) as OffSupplyCause[]) m.meterMinutesOff[k] += o.meterMinutesOff[k];
        m.consumerMinutesOff += o.consumerMinutesOff;
        m.maxConsumerMinutesOff = Math.max(m.maxConsumerMinutesOff, o.maxConsumerMinutesOff);
      }
      return [g, freeze(m)];
    }),
  ) as Record<ConsumerGroup, GroupOutcome>;
  const series = first.offSupplySeries.consumersOff.map((_, b) => parts.reduce((n, p) => n + (p.offSupplySeries.consumersOff[b] ?? 0), 0));
  return {
    groups,
    offSupplySeries: { ...first.offSupplySeries, consumersOff: series },
    timeToSafeMode: { instructedAt: first.timeToSafeMode.instructedAt, minutes: parts.flatMap((p) => p.timeToSafeMode.minutes) },
    consumers: mergeConsumerDetail(parts.map((p) => p.consumers)),
  };
}

/** The premises' part of a played run. */
export function homesPart(run: PlayedRun, bucketMinutes = 60): HomesPart {
  const { world, end, plan } = run;
  const start = plan.fleet.start;
  const instructedAt = run.instructed.at;
  const instructed = new Set<string>(run.instructed.meters.map((m) => m.id));
  const records: ConsumerRecord[] = [];
  const groups = new Map<ConsumerGroup, MutableGroup>(CONSUMER_GROUPS.map((g) => [g, emptyGroup()]));
  const buckets = Math.max(1, Math.ceil((end - start) / (bucketMinutes * MINUTE_MS)));
  const series = new Array<number>(buckets).fill(0);
  const safeMinutes: (number | null)[] = [];

  for (const home of world.homes) {
    const meters = home.meters.map((slot) => {
      const id = slot.snapshot.context.id;
      const minutes = slot.timeline.minutesOff();
      // A power cut counts where the meter was not already off for its own cause: causes stay disjoint.
      const faults = slot.timeline.faultIntervals();
      const fault = Math.round(faults.reduce((n, i) => n + (i.to - i.from), 0) / MINUTE_MS);
      const covered = instructed.has(id) && instructedAt !== null;
      const credit = world.creditAt.get(id);
      const toSafe = covered && credit !== undefined ? Math.max(0, (credit - instructedAt) / MINUTE_MS) : null;
      if (covered) safeMinutes.push(toSafe);
      return {
        id,
        fuel: slot.fuel,
        paymentMode: world.startMode.get(id) === 'Prepayment' ? ('prepayment' as const) : ('credit' as const),
        minutesOff: { credit: minutes.credit, armed: minutes.armed, remote: minutes.remote, fault },
        instructedAt: covered ? formatInstant(instructedAt) : null,
        minutesToSafeMode: toSafe === null ? null : Math.round(toSafe),
        intervals: [...slot.timeline.intervals, ...faults],
      };
    });
    const union = unionOf(meters.flatMap((m) => m.intervals));
    const minutesOff = Math.round(union.reduce((n, i) => n + (i.to - i.from), 0) / MINUTE_MS);
    for (const i of union) {
      const first = Math.floor((i.from - start) / (bucketMinutes * MINUTE_MS));
      const last = Math.min(buckets - 1, Math.floor((i.to - 1 - start) / (bucketMinutes * MINUTE_MS)));
      for (let b = Math.max(0, first); b <= last; b++) series[b] = (series[b] ?? 0) + 1;
    }
    const prepayment = meters.some((m) => m.paymentMode === 'prepayment');
    const record: ConsumerRecord = {
      id: String(home.index),
      paymentMode: prepayment ? 'prepayment' : 'credit',
      vulnerable: home.household.vulnerable,
      selfDisconnecting: home.household.selfDisconnecting,
      minutesOff,
      meters: meters.map(({ intervals: _i, ...m }) => m),
    };
    records.push(record);
    const inGroups: ConsumerGroup[] = ['all', prepayment ? 'prepayment' : 'credit'];
    if (record.vulnerable) inGroups.push('vulnerable');
    if (record.selfDisconnecting) inGroups.push('selfDisconnecting');
    for (const g of inGroups) addTo(groups.get(g) as MutableGroup, record);
  }

  return {
    groups: Object.fromEntries(CONSUMER_GROUPS.map((g) => [g, freeze(groups.get(g) as MutableGroup)])) as Record<
      ConsumerGroup,
      GroupOutcome
    >,
    offSupplySeries: { start: formatInstant(start), bucketMinutes, consumersOff: series },
    timeToSafeMode: { instructedAt, minutes: safeMinutes },
    consumers: selectConsumerDetail(records),
  };
}

/** The DSP's and the Users' part of a played run. */
export function dspPart(run: PlayedRun): DspPart {
  const world = run.world;
  // One record at a time: the whole trail as objects would cost more than the world.
  const sat = world.dsp.sat;
  const byKind = sat.countByKind();
  const chain = verifyChain(sat, sat.head());
  const quarantined = world.dsp.ledger.totals().quarantined;
  const held = world.dsp.adt.quarantined().length;
  return {
    serviceRequests: serviceRequests(run),
    quarantines: {
      quarantined,
      released: 0,
      removed: 0,
      expired: Math.max(0, quarantined - held),
      heldAtEnd: held,
      byUser: quarantinesByUser(run),
    },
    alerts: alerts(run),
    faults: faultSummary(run),
    audit: {
      records: sat.length,
      byKind,
      chainVerifies: chain.ok,
      chainBreak: chain.ok ? null : chain.error,
      head: world.dsp.sat.head(),
    },
  };
}

interface MutableGroup {
  consumers: number;
  meters: number;
  consumersEverOff: number;
  meterMinutesOff: Record<OffSupplyCause, number>;
  consumerMinutesOff: number;
  maxConsumerMinutesOff: number;
}

const emptyGroup = (): MutableGroup => ({
  consumers: 0,
  meters: 0,
  consumersEverOff: 0,
  meterMinutesOff: { credit: 0, armed: 0, remote: 0, fault: 0 },
  consumerMinutesOff: 0,
  maxConsumerMinutesOff: 0,
});

function addTo(g: MutableGroup, c: ConsumerRecord): void {
  g.consumers++;
  g.meters += c.meters.length;
  if (c.minutesOff > 0) g.consumersEverOff++;
  for (const m of c.meters) for (const k of Object.keys(g.meterMinutesOff) as OffSupplyCause[]) g.meterMinutesOff[k] += m.minutesOff[k];
  g.consumerMinutesOff += c.minutesOff;
  g.maxConsumerMinutesOff = Math.max(g.maxConsumerMinutesOff, c.minutesOff);
}

const freeze = (g: MutableGroup): GroupOutcome => ({ ...g, meterMinutesOff: { ...g.meterMinutesOff } });

/** What the faults did to messages. */
function faultSummary(run: PlayedRun): FaultSummary {
  const f = run.world.faults;
  return {
    alertsQueued: f.alertsQueued,
    alertsDeliveredLate: f.alertsDeliveredLate,
    alertsQueuedAtEnd: run.world.alertsQueuedNow,
    alertsLost: f.alertsLost,
    lostAtOfflineHub: f.lostAtOfflineHub,
    heldForDsp: f.heldForDsp,
    messagesLost: f.messagesLost,
  };
}

/** The union of off-supply spans (any cause): a home off on both fuels at once counts once. */
function unionOf(intervals: readonly { readonly from: Instant; readonly to: Instant }[]): { from: Instant; to: Instant }[] {
  const sorted = [...intervals].sort((a, b) => a.from - b.from);
  const out: { from: Instant; to: Instant }[] = [];
  for (const i of sorted) {
    const last = out[out.length - 1];
    if (last !== undefined && i.from <= last.to) last.to = Math.max(last.to, i.to);
    else out.push({ from: i.from, to: i.to });
  }
  return out;
}

function serviceRequests(run: PlayedRun): UserRequests[] {
  const byUser = new Map<
    string,
    { received: number; success: number; error: number; quarantined: number; inFlight: number; byCode: Map<string, number> }
  >();
  for (const e of run.world.dsp.ledger.entries()) {
    let u = byUser.get(e.key.sender);
    if (u === undefined)
      byUser.set(e.key.sender, (u = { received: 0, success: 0, error: 0, quarantined: 0, inFlight: 0, byCode: new Map() }));
    u.received++;
    if (e.state === 'open') {
      u.inFlight++;
      continue;
    }
    const code = e.outcome.kind === 'quarantined' ? 'X9' : e.outcome.code;
    u[e.outcome.kind]++;
    u.byCode.set(code, (u.byCode.get(code) ?? 0) + 1);
  }
  return [...byUser].map(([user, u]) => ({
    user,
    received: u.received,
    success: u.success,
    error: u.error,
    quarantined: u.quarantined,
    inFlight: u.inFlight,
    byCode: Object.fromEntries([...u.byCode].sort()),
  }));
}

function quarantinesByUser(run: PlayedRun): Record<string, number> {
  const out: Record<string, number> = {};
  for (const e of run.world.dsp.ledger.entries()) {
    if (e.state === 'settled' && e.outcome.kind === 'quarantined') out[e.key.sender] = (out[e.key.sender] ?? 0) + 1;
  }
  return out;
}

function alerts(run: PlayedRun): AlertCount[] {
  const counts = new Map<string, AlertCount & { count: number }>();
  for (const [user, inbox] of run.world.inbox) {
    for (const a of inbox.alerts) {
      const source = a.code.startsWith('0x') ? ('device' as const) : ('dcc' as const);
      const key = `${source}|${a.code}|${user}`;
      const c = counts.get(key);
      if (c !== undefined) c.count++;
      else {
        const description = source === 'device' ? describeAlert(Number.parseInt(a.code, 16)) : (DCC_ALERTS[a.code] ?? 'DCC alert');
        counts.set(key, { source, code: a.code, description, recipient: user, count: 1 });
      }
    }
  }
  return [...counts.values()].sort((a, b) => b.count - a.count || (a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
}
