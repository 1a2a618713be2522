import { describe, expect, it } from 'vitest';
import type { Report } from '../../../scenarios/report/report-model.ts';
import { LIBRARY } from '../../../scenarios/library/index.ts';
import { buildReport } from '../../../scenarios/runner/build-report.ts';
import { playScenarioOnBus, type BusChoice } from '../../../scenarios/runner/bus-run.ts';
import { checkAssertions } from '../../../scenarios/runner/check-assertions.ts';
import { planOf, playScenario, type PlayedScenario } from '../../../scenarios/runner/play-scenario.ts';
import { policyResult } from '../../../scenarios/runner/policy-result.ts';
import type { Scenario } from '../../../scenarios/schema/scenario.ts';
import { faultScenario } from '../runner/fault-scenario.ts';

/** A report without the fields that name the machine and the bus. */
const comparable = (r: Report): unknown => ({ ...r, run: { ...r.run, wallClockSeconds: 0, bus: '' } });

describe('one scenario, the same report in process, on the memory bus and on the embedded MQTT broker', () => {
  it('solr-disorderly-exit (none and MP134B): outcomes, requests, alerts and the audit trail head agree', async () => {
    const flagship = LIBRARY.get('solr-disorderly-exit')!;
    const o = { premises: 30, days: 5, seed: 'bus', policies: ['none', 'mp134b'] as const };
    const direct = await flagship.run({ ...o, policies: [...o.policies] });
    const memory = await flagship.run({ ...o, policies: [...o.policies], bus: { kind: 'memory' } });
    const embedded = await flagship.run({ ...o, policies: [...o.policies], bus: { kind: 'embedded' } });
    expect(memory.run.bus).toBe('memory');
    expect(embedded.run.bus).toBe('embedded MQTT broker (aedes)');
    // The run did something worth comparing: requests refused under none, meters switched under MP134B.
    expect(direct.policies.map((p) => Object.keys(p.serviceRequests[0]?.byCode ?? {}))).toEqual([['X3'], ['I0']]);
    expect(comparable(memory)).toEqual(comparable(direct));
    expect(comparable(embedded)).toEqual(comparable(memory));
  }, 120_000);
});

/** A scenario file's report, played in process (no `bus`) or on a bus. */
async function fileReport(s: Scenario, bus?: BusChoice): Promise<Report> {
  const plan = planOf(s);
  if (!plan.ok) throw new Error('no plan');
  const played: PlayedScenario = bus === undefined ? playScenario(s, plan.value) : await playScenarioOnBus(s, plan.value, bus);
  const result = policyResult(played.run);
  return buildReport(s.name, s.description, plan.value, [result], checkAssertions(s, played, result), 0, {}, '');
}

describe('a scenario file with every kind of fault: the same report in process, on the memory bus and on the embedded broker', () => {
  it('WAN outages, a power cut, a DSP outage, message loss and a broker restart give one report JSON', async () => {
    // One flow per instant (the SRP sends a meter every 7 minutes; outages short enough to hold one request), so
    // nothing depends on the order in which one instant's messages are handled. docs/scenarios.md "How a run works".
    const s = faultScenario(
      [
        { at: '+1h50m', kind: 'wanOutage', share: 0.4, duration: '2h' },
        { at: '+2h03m', kind: 'hubPowerLoss', share: 0.3, duration: '9h' },
        { at: '+2h12m', kind: 'dspOutage', duration: '5m' },
        { at: '+2h25m', kind: 'messageLoss', link: 'smets/wan/+/up', drop: 0.5, duration: '3h' },
        { at: '+2h40m', kind: 'brokerRestart', duration: '5m' },
        { at: '+6h', kind: 'wanOutage', share: 1, duration: '4h30m' },
      ],
      { premises: 6, dualFuelShare: 0.5, startBalance: { min: 0.5, max: 3 } },
    );
    const direct = await fileReport(s);
    const memory = await fileReport(s, { kind: 'memory' });
    const embedded = await fileReport(s, { kind: 'embedded' });
    // Every fault did something worth comparing.
    const f = direct.policies[0]!.faults;
    expect(f.alertsQueued).toBeGreaterThan(0);
    expect(f.heldForDsp).toBeGreaterThan(0);
    expect(f.messagesLost).toBeGreaterThan(0);
    expect(direct.policies[0]!.outcomes.all.meterMinutesOff.fault).toBeGreaterThan(0);
    expect(Object.keys(direct.policies[0]!.serviceRequests[0]?.byCode ?? {})).toEqual(['E20', 'E21', 'I0']);
    expect(JSON.stringify(memory)).toBe(JSON.stringify(direct));
    expect(JSON.stringify(embedded)).toBe(JSON.stringify(memory));
  }, 120_000);
});
