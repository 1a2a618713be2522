import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { HOUR_MS, MINUTE_MS, type Instant } from '../../../core/time/duration.ts';
import { SupplyTimeline } from '../../../emulator/fleet/supply-timeline.ts';
import type { PolicyResult } from '../../../scenarios/report/report-model.ts';
import { writeMarkdown } from '../../../scenarios/report/write-markdown.ts';
import { buildReport } from '../../../scenarios/runner/build-report.ts';
import { checkAssertions } from '../../../scenarios/runner/check-assertions.ts';
import { planOf, playScenario, type PlayedScenario } from '../../../scenarios/runner/play-scenario.ts';
import { policyResult } from '../../../scenarios/runner/policy-result.ts';
import { SRP_ID, type MeterRef, type SolrWorld } from '../../../scenarios/runner/solr-world.ts';
import { cspRegionOf } from '../../../scenarios/runner/world-faults.ts';
import { loadScenarioFile } from '../../../scenarios/schema/load.ts';
import { FAULT_KINDS, type Scenario } from '../../../scenarios/schema/scenario.ts';
import { validate } from '../report/json-schema-subset.ts';
import { faultScenario } from './fault-scenario.ts';

/**
 * Each fault of a scenario file, played in process on a small estate: what
 * it does to the comms hubs, the DSP, the SRP's requests and the consumers.
 * docs/scenarios.md "What each fault does"; DOMAIN §3.1, §3.3, §4.4.
 */

const START = Date.UTC(2027, 0, 4);

function play(s: Scenario): { played: PlayedScenario; world: SolrWorld; result: PolicyResult } {
  const plan = planOf(s);
  if (!plan.ok) throw new Error('no plan');
  const played = playScenario(s, plan.value);
  return { played, world: played.run.world, result: policyResult(played.run) };
}

/** The response codes the SRP received for requests to one meter, in order. */
const srpCodes = (world: SolrWorld, m: MeterRef): string[] =>
  (world.inbox.get(SRP_ID)?.responses ?? []).filter((r) => r.requestId.startsWith(`${SRP_ID}:${m.id}:`)).map((r) => r.responseCode);

/** Final answers only: not the acknowledgement (I99), not the CV 4 transform's Pre-Command. */
const finals = (world: SolrWorld, m: MeterRef): string[] =>
  (world.inbox.get(SRP_ID)?.responses ?? [])
    .filter((r) => r.requestId.startsWith(`${SRP_ID}:${m.id}:`) && r.responseCode !== 'I99' && r.preCommand === undefined)
    .map((r) => r.responseCode);

const electricity = (world: SolrWorld, index: number): MeterRef => {
  const m = world.meters.find((x) => x.premises.index === index && x.slot.fuel === 'electricity');
  if (m === undefined) throw new Error(`no electricity meter at premises ${index}`);
  return m;
};

/** Minutes a meter's supply was cut by a fault (its own off spans left out). */
const faultMinutes = (m: MeterRef): number => m.slot.timeline.faultIntervals().reduce((n, i) => n + (i.to - i.from), 0) / MINUTE_MS;

/** Every SRP request ends in exactly one final answer, and none is left in flight. */
function everyRequestAnsweredOnce(world: SolrWorld, result: PolicyResult): void {
  const byRequest = new Map<string, number>();
  for (const r of world.inbox.get(SRP_ID)?.responses ?? []) {
    if (r.responseCode === 'I99' || r.preCommand !== undefined) continue;
    byRequest.set(r.requestId, (byRequest.get(r.requestId) ?? 0) + 1);
  }
  expect(byRequest.size).toBeGreaterThan(0);
  for (const [id, n] of byRequest) expect(n, id).toBe(1);
  for (const u of result.serviceRequests) expect(u.inFlight, u.user).toBe(0);
}

describe('planOf plays every fault', () => {
  it('a timeline with all five fault kinds has a plan (none is refused)', () => {
    const s = faultScenario([
      { at: '+3h', kind: 'wanOutage', share: 0.5, duration: '1h' },
      { at: '+4h', kind: 'hubPowerLoss', share: 0.5, duration: '1h' },
      { at: '+5h', kind: 'brokerRestart', duration: '10m' },
      { at: '+6h', kind: 'dspOutage', duration: '30m' },
      { at: '+7h', kind: 'messageLoss', link: 'smets/wan/+/up', drop: 0.5, duration: '1h' },
    ]);
    expect(planOf(s).ok).toBe(true);
  });
});

describe('SupplyTimeline: a power cut counts where the meter was not already off, so causes stay disjoint', () => {
  it('cuts out the spans the meter was off for its own cause, merges overlapping cuts and ends them with the run', () => {
    const t = new SupplyTimeline();
    const m = (n: number): Instant => START + n * MINUTE_MS;
    t.record(m(0), 'Enabled', null);
    t.record(m(30), 'Disabled', 'credit');
    t.record(m(60), 'Armed', null);
    t.record(m(70), 'Enabled', null);
    t.recordFault(m(10), m(50));
    t.recordFault(m(40), m(90));
    t.recordFault(m(100), m(200));
    t.close(m(150));
    expect(t.faultIntervals()).toEqual([
      { from: m(10), to: m(30) },
      { from: m(70), to: m(90) },
      { from: m(100), to: m(150) },
    ]);
    expect(t.minutesOff()).toEqual({ credit: 30, armed: 10, remote: 0 });
  });
});

describe('hubPowerLoss: the ESME powers the comms hub (DOMAIN §3.1, §3.3)', () => {
  const cutFrom = START + HOUR_MS + 50 * MINUTE_MS;
  const cutUntil = cutFrom + 3 * HOUR_MS;
  const { world, result } = play(faultScenario([{ at: '+1h50m', kind: 'hubPowerLoss', share: 0.5, duration: '3h' }], { dualFuelShare: 1 }));

  it('cuts a seeded share of the premises, and only they have minutes off with cause fault', () => {
    expect(world.powerCut.size).toBeGreaterThan(0);
    expect(world.powerCut.size).toBeLessThan(world.homes.length);
    for (const home of world.homes) {
      const e = electricity(world, home.index);
      if (world.powerCut.has(home.index)) expect(faultMinutes(e)).toBeGreaterThan(0);
      else expect(faultMinutes(e)).toBe(0);
    }
    const all = result.outcomes.all.meterMinutesOff;
    expect(all.fault).toBeGreaterThan(0);
    expect(all.fault).toBeLessThanOrEqual(world.powerCut.size * 180);
    expect(result.outcomes.all.consumersEverOff).toBeGreaterThanOrEqual(world.powerCut.size);
  });

  it('the gas meter, on its battery, keeps its supply', () => {
    for (const m of world.meters) if (m.slot.fuel === 'gas') expect(faultMinutes(m)).toBe(0);
  });

  it('a fault minute is never also a minute off for another cause: causes stay disjoint', () => {
    for (const m of world.meters) {
      for (const f of m.slot.timeline.faultIntervals()) {
        for (const own of m.slot.timeline.intervals) expect(f.to <= own.from || f.from >= own.to).toBe(true);
      }
    }
  });

  it("the cut homes' SR 1.6 get E20 while their hub is down, are retried hourly, and reach Credit mode after the power is back", () => {
    for (const index of world.powerCut) {
      const e = electricity(world, index);
      const codes = finals(world, e);
      expect(codes[0]).toBe('E20');
      expect(codes.at(-1)).toBe('I0');
      expect(codes.slice(0, -1).every((c) => c === 'E20')).toBe(true);
      expect(world.creditAt.get(e.id)).toBeGreaterThanOrEqual(cutUntil);
    }
    for (const home of world.homes) {
      if (world.powerCut.has(home.index)) continue;
      expect(finals(world, electricity(world, home.index))).toEqual(['I0']);
    }
    everyRequestAnsweredOnce(world, result);
  });
});

describe('wanOutage: alerts wait in the comms hub and go up when the WAN is back (DOMAIN §3.3)', () => {
  // Low balances make the meters raise low-credit and emergency-credit alerts during the outage.
  const outageEnd: Instant = START + 10 * MINUTE_MS + 12 * HOUR_MS;
  const { world, result } = play(
    faultScenario([{ at: '+10m', kind: 'wanOutage', share: 1, duration: '12h' }], { startBalance: { min: 0.5, max: 1.5 } }, 1),
  );

  it('every alert raised behind the outage is queued, none lost, and all are sent up when it ends', () => {
    const f = result.faults;
    expect(f.alertsQueued).toBeGreaterThan(0);
    expect(f.alertsLost).toBe(0);
    expect(f.alertsDeliveredLate).toBe(f.alertsQueued);
    expect(f.alertsQueuedAtEnd).toBe(0);
    const delivered = [...world.inbox.values()].flatMap((i) => i.alerts).filter((a) => a.code.startsWith('0x') && a.at === outageEnd);
    expect(delivered.length).toBe(f.alertsQueued);
  });

  it('nothing a User hears of a device arrives while the WAN is down', () => {
    const during = [...world.inbox.values()]
      .flatMap((i) => i.alerts)
      .filter((a) => a.code.startsWith('0x') && a.at > START + 10 * MINUTE_MS && a.at < outageEnd);
    expect(during).toEqual([]);
  });
});

describe('wanOutage.region: premises have a CSP region from the seed', () => {
  const outage = { at: '+1h50m', kind: 'wanOutage', share: 1, region: 'North', duration: '1h' };

  it('without a region, the share is of every hub', () => {
    const { world } = play(faultScenario([{ ...outage, region: undefined }], { cspRegions: { North: 0.5, South: 0.5 } }, 1));
    expect(world.wanCut.size).toBe(world.homes.length);
  });

  it('an estate all in the North loses every hub', () => {
    const { world } = play(faultScenario([outage], { cspRegions: 'North' }, 1));
    expect(world.wanCut.size).toBe(world.homes.length);
  });

  it('in a mixed estate exactly the hubs of the North premises are cut', () => {
    const shares = { North: 0.5, South: 0.5 };
    const { world } = play(faultScenario([outage], { premises: 12, cspRegions: shares }, 1));
    const north = world.homes.filter((h) => cspRegionOf('faults', h.index, new Map(Object.entries(shares))) === 'North');
    expect(north.length).toBeGreaterThan(0);
    expect(north.length).toBeLessThan(world.homes.length);
    expect([...world.wanCut].sort()).toEqual(north.map((h) => electricity(world, h.index).hub).sort());
  });
});

describe('dspOutage: what is sent to the DSP waits and is handled when it is back', () => {
  const from = START + 2 * HOUR_MS + 10 * MINUTE_MS;
  const until = from + HOUR_MS;
  const { world, result } = play(faultScenario([{ at: '+2h10m', kind: 'dspOutage', duration: '1h' }], { premises: 12 }));

  it('requests sent during the outage are held, then handled at its end', () => {
    expect(result.faults.heldForDsp).toBeGreaterThan(0);
    const sat = world.dsp.sat.records();
    expect(sat.some((r) => r.kind === 'request' && r.at > from && r.at < until)).toBe(false);
    expect(sat.filter((r) => r.kind === 'request' && r.at === until).length).toBeGreaterThan(0);
  });

  it('nothing is lost: every SR the SRP sent ends in exactly one final answer, and every meter reaches Credit mode', () => {
    everyRequestAnsweredOnce(world, result);
    for (const m of world.meters) {
      expect(finals(world, m)).toEqual(['I0']);
      expect(world.creditAt.has(m.id)).toBe(true);
    }
  });
});

describe('messageLoss: a comms hub whose uplink loses everything', () => {
  const { world, result } = play(
    faultScenario([{ at: '+1h50m', kind: 'messageLoss', link: { client: 'ch.00DB140000000000' }, drop: 1, duration: '1h30m' }]),
  );
  const first = electricity(world, 0);

  it("the meter's answers are lost: the DSP answers E21, the SRP retries hourly, and the retry after the loss succeeds", () => {
    expect(first.hub).toBe('00-DB-14-00-00-00-00-00');
    const codes = finals(world, first);
    expect(codes.slice(0, 2)).toEqual(['E21', 'E21']);
    expect(codes.at(-1)).toBe('I0');
    expect(result.faults.messagesLost).toBe(codes.filter((c) => c === 'E21').length);
    expect(srpCodes(world, first).filter((c) => c === 'E21').length).toBe(2);
  });

  it('the other hubs are not touched', () => {
    for (const home of world.homes.slice(1)) expect(finals(world, electricity(world, home.index))).toEqual(['I0']);
    everyRequestAnsweredOnce(world, result);
  });

  it('a drop below 1 loses a seeded part of the messages: the same part on every run', () => {
    const s = faultScenario([{ at: '+1h50m', kind: 'messageLoss', link: 'smets/wan/+/up', drop: 0.5, duration: '2h' }], { premises: 12 });
    const a = play(s).result.faults.messagesLost;
    expect(a).toBeGreaterThan(0);
    expect(play(s).result.faults.messagesLost).toBe(a);
  });
});

describe('brokerRestart: every hub and the DSP unreachable at once', () => {
  // From before the SRP starts until after: its first requests wait, and the low balances raise alerts meanwhile.
  const from = START + 10 * MINUTE_MS;
  const until = from + 12 * HOUR_MS;
  const { world, result } = play(
    faultScenario([{ at: '+10m', kind: 'brokerRestart', duration: '12h' }], { premises: 12, startBalance: { min: 0.5, max: 1.5 } }),
  );

  it('alerts wait in the hubs and requests wait at the DSP, then everything flows when the broker is back', () => {
    const f = result.faults;
    expect(f.alertsQueued).toBeGreaterThan(0);
    expect(f.alertsDeliveredLate).toBe(f.alertsQueued);
    expect(f.heldForDsp).toBeGreaterThan(0);
    const sat = world.dsp.sat.records();
    expect(sat.some((r) => r.at > from && r.at < until && (r.kind === 'request' || r.kind === 'alert'))).toBe(false);
    expect(sat.filter((r) => r.kind === 'alert' && r.at === until).length).toBeGreaterThan(0);
    everyRequestAnsweredOnce(world, result);
    for (const m of world.meters) expect(world.creditAt.has(m.id)).toBe(true);
  });
});

describe('scenarios/examples/faults.yaml', () => {
  it('uses every kind of fault, runs at 50 premises with its assertions holding, and its report fits the schema', async () => {
    const loaded = await loadScenarioFile('scenarios/examples/faults.yaml');
    if (!loaded.ok) throw new Error(JSON.stringify(loaded.error));
    const s = { ...loaded.value, estate: { ...loaded.value.estate, premises: 50 } };
    expect(new Set(s.timeline.map((e) => e.kind).filter((k) => (FAULT_KINDS as readonly string[]).includes(k)))).toEqual(
      new Set(FAULT_KINDS),
    );
    const plan = planOf(s);
    if (!plan.ok) throw new Error('no plan');
    const played = playScenario(s, plan.value);
    const result = policyResult(played.run);
    const assertions = checkAssertions(s, played, result);
    expect(assertions.filter((a) => !a.passed)).toEqual([]);
    expect(result.faults.heldForDsp).toBeGreaterThan(0);
    expect(result.outcomes.all.meterMinutesOff.fault).toBeGreaterThan(0);
    const report = buildReport(s.name, s.description, plan.value, [result], assertions, 0);
    const schema = JSON.parse(readFileSync('scenarios/report/report.schema.json', 'utf8')) as Record<string, unknown>;
    expect(validate(schema, JSON.parse(JSON.stringify(report)))).toEqual([]);
    expect(writeMarkdown(report)).toContain('## Faults');
  });
});
