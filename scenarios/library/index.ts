import { formatInstant } from '../../core/time/uk-time.ts';
import type { Report, AssertionResult, PolicyResult } from '../report/report-model.ts';
import { REPORT_VERSION } from '../report/report-model.ts';
import { playSolr } from '../runner/play-solr.ts';
import { policyResult } from '../runner/policy-result.ts';
import { FAILED_SUPPLIER, SOLR, SRP_ID } from '../runner/solr-world.ts';
import type { PolicyName } from '../schema/scenario.ts';
import * as flagship from './solr-disorderly-exit.ts';

/**
 * The scenarios a user runs by name. Each plays one estate under one or more
 * policies from one seed and checks its assertions.
 */

/** How a library scenario is sized and seeded from the command line. */
export interface LibraryRunOptions {
  readonly premises?: number;
  readonly days?: number;
  readonly seed?: string;
  readonly policies?: readonly PolicyName[];
  /** Hears progress: policy i of n, day k of N. */
  readonly onProgress?: (policy: string, day: number, days: number) => void;
  /** Reads the wall clock, for the report's one wall-clock figure (the runner itself never does). */
  readonly wallClock?: () => number;
}

export interface LibraryScenario {
  readonly name: string;
  readonly description: string;
  readonly defaultPolicies: readonly PolicyName[];
  run(o: LibraryRunOptions): Report;
}

const solrDisorderlyExit: LibraryScenario = {
  name: flagship.NAME,
  description: flagship.DESCRIPTION,
  defaultPolicies: ['mp134b'],
  run(o) {
    const started = o.wallClock?.() ?? 0;
    const plans = flagship.flagshipPlans({
      ...(o.premises === undefined ? {} : { premises: o.premises }),
      ...(o.days === undefined ? {} : { days: o.days }),
      ...(o.seed === undefined ? {} : { seed: o.seed }),
      policies: o.policies ?? ['mp134b'],
    });
    const policies: PolicyResult[] = [];
    const assertions: AssertionResult[] = [];
    for (const plan of plans) {
      const played = playSolr(plan, (day, days) => o.onProgress?.(plan.policy, day, days));
      policies.push(policyResult(played));
      // The flagship's promises are MP134B's: the other policies are there to compare against.
      if (plan.policy === 'mp134b') assertions.push(...flagship.flagshipAssertions(played));
    }
    const first = plans[0];
    if (first === undefined) throw new RangeError('solr-disorderly-exit: no policy to run');
    const f = first.fleet;
    return {
      reportVersion: REPORT_VERSION,
      run: {
        scenario: flagship.NAME,
        description: flagship.DESCRIPTION,
        seed: f.seed,
        start: formatInstant(f.start),
        end: formatInstant(f.start + f.days * 86_400_000),
        days: f.days,
        premises: f.premises,
        bus: 'memory',
        wallClockSeconds: o.wallClock === undefined ? 0 : Math.round(((o.wallClock() - started) / 1000) * 10) / 10,
        assumptions: {
          prepaymentShare: {
            value: f.prepaymentShare,
            unit: 'share of homes',
            source: 'scenario (DOMAIN §7.4: 12–15 % nationally; a PPM-heavy small supplier)',
          },
          startBalance: {
            value: `£${f.startBalancePounds.min}–£${f.startBalancePounds.max}`,
            unit: 'GBP',
            source: 'default, UNVERIFIED (DOMAIN §9)',
          },
          srpSwitchRate: {
            value: first.steps.srpSwitch?.perHour ?? 0,
            unit: 'meters per hour',
            source: 'default, UNVERIFIED: no public figure for an SRP',
          },
          changeOfSupplierDays: {
            value: first.steps.changeOfSupplier?.spreadDays ?? 0,
            unit: 'days',
            source: 'DOMAIN §7.2 step 5 (2–4 weeks)',
          },
          vendingRetryHours: { value: 6, unit: 'hours', source: 'default, UNVERIFIED: how often a household tries again to buy a top-up' },
        },
        parties: [
          { id: FAILED_SUPPLIER, name: 'Failed supplier', role: 'Supplier whose licence is revoked; owns the estate at the start' },
          { id: SRP_ID, name: 'Shared Resource Provider', role: 'Agent of the failed supplier; in the SoLR Contingency role under MP134B' },
          { id: SOLR, name: 'Supplier of Last Resort', role: 'Takes the meters over by change of supplier' },
        ],
      },
      policies,
      assertions,
    };
  },
};

/** Every library scenario, by name. */
export const LIBRARY: ReadonlyMap<string, LibraryScenario> = new Map([[solrDisorderlyExit.name, solrDisorderlyExit]]);
