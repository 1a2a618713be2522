import { formatGbp } from '../../core/money.ts';
import { formatInstant } from '../../core/time/uk-time.ts';
import type { AssertionResult, PolicyResult } from '../report/report-model.ts';
import type { Assertion, OutcomeMetric, Scenario } from '../schema/scenario.ts';
import type { PlayedScenario } from './play-scenario.ts';

/**
 * A scenario file's assertions, checked against its run: each with what it
 * expected and what the run gave, in words with units. // docs/scenarios.md
 */
export function checkAssertions(s: Scenario, played: PlayedScenario, result: PolicyResult): AssertionResult[] {
  return s.assertions.map((a, i) => check(a, i, s, played, result));
}

function check(a: Assertion, i: number, s: Scenario, played: PlayedScenario, result: PolicyResult): AssertionResult {
  const policy = s.policy.name;
  const r = (name: string, passed: boolean, expected: string, actual: string): AssertionResult => ({
    name,
    policy,
    passed,
    expected,
    actual,
    story: null,
  });
  switch (a.kind) {
    case 'response': {
      const got = played.answers.get(a.request) ?? [];
      const last = got[got.length - 1];
      if (a.expect.match === 'final') {
        return r(
          `request ${a.request} ends ${a.expect.code}`,
          last === a.expect.code,
          a.expect.code,
          got.length === 0 ? 'no answer' : got.join(', '),
        );
      }
      const want = a.expect.codes.join(', ');
      return r(`request ${a.request} gets ${want}`, got.join(', ') === want, want, got.join(', ') || 'no answer');
    }
    case 'deviceState': {
      const o = played.observed.get(i);
      const found = o?.kind === 'deviceState' ? o.found : null;
      const where = `premises ${a.premises} ${a.fuel} meter at ${formatInstant(a.at)}`;
      const want = [
        a.supply === null ? null : `supply ${a.supply}`,
        a.paymentMode === null ? null : `mode ${a.paymentMode}`,
        a.balance === null
          ? null
          : `balance ${a.balance.min === null ? '' : `≥ ${formatGbp(a.balance.min)}`} ${a.balance.max === null ? '' : `≤ ${formatGbp(a.balance.max)}`}`.trim(),
      ]
        .filter((x) => x !== null)
        .join(', ');
      if (found === null) return r(where, false, want, 'no such meter');
      const ok =
        (a.supply === null || found.supply === a.supply) &&
        (a.paymentMode === null || found.mode === a.paymentMode) &&
        (a.balance === null ||
          ((a.balance.min === null || found.balance >= a.balance.min) && (a.balance.max === null || found.balance <= a.balance.max)));
      return r(where, ok, want, `supply ${found.supply}, mode ${found.mode}, balance ${formatGbp(found.balance)}`);
    }
    case 'stateShare': {
      const o = played.observed.get(i);
      const share = o?.kind === 'stateShare' && o.of > 0 ? o.matching / o.of : 0;
      const what = [a.supply === null ? null : `supply ${a.supply}`, a.paymentMode === null ? null : `mode ${a.paymentMode}`]
        .filter((x) => x !== null)
        .join(', ');
      const name = `share of ${a.group} meters with ${what} at ${formatInstant(a.at)}`;
      const ok = (a.min === null || share >= a.min) && (a.max === null || share <= a.max);
      const actual = o?.kind === 'stateShare' ? `${o.matching} of ${o.of} (${(share * 100).toFixed(1)} %)` : 'not observed';
      return r(
        name,
        ok,
        bounds(a.min, a.max, (x) => `${(x * 100).toFixed(1)} %`),
        actual,
      );
    }
    case 'outcome': {
      const v = metric(a.metric, played, result);
      const ok = (a.min === null || v >= a.min) && (a.max === null || v <= a.max);
      return r(a.metric, ok, bounds(a.min, a.max, String), String(Math.round(v * 1000) / 1000));
    }
  }
}

const bounds = (min: number | null, max: number | null, f: (x: number) => string): string =>
  [min === null ? null : `at least ${f(min)}`, max === null ? null : `at most ${f(max)}`].filter((x) => x !== null).join(' and ');

function metric(m: OutcomeMetric, played: PlayedScenario, result: PolicyResult): number {
  const all = result.outcomes.all;
  const totals = played.run.world.dsp.ledger.totals();
  switch (m) {
    case 'consumersOffSupply':
      return all.consumersEverOff;
    case 'consumersOffSupplyShare':
      return all.consumers === 0 ? 0 : all.consumersEverOff / all.consumers;
    case 'vulnerableConsumersOffSupply':
      return result.outcomes.vulnerable.consumersEverOff;
    case 'meanHoursOffPerAffectedConsumer':
      return all.consumersEverOff === 0 ? 0 : all.consumerMinutesOff / all.consumersEverOff / 60;
    case 'meterHoursOffCredit':
      return all.meterMinutesOff.credit / 60;
    case 'meterHoursOffArmed':
      return all.meterMinutesOff.armed / 60;
    case 'meterHoursOffRemote':
      return all.meterMinutesOff.remote / 60;
    case 'topUpsRejected':
      return played.run.world.fleetWorld.stats.topUpsRejected;
    case 'metersSwitchedToCredit':
      return played.run.world.creditAt.size;
    case 'requestsRefused':
      return totals.error;
    case 'requestsQuarantined':
      return totals.quarantined;
  }
}
