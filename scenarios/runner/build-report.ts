import { DAY_MS } from '../../core/time/duration.ts';
import { formatInstant } from '../../core/time/uk-time.ts';
import { REPORT_VERSION, type AssertionResult, type PolicyResult, type Report } from '../report/report-model.ts';
import type { SolrPlan } from './solr-plan.ts';
import { FAILED_SUPPLIER, SOLR, SRP_ID } from './solr-world.ts';

/**
 * A run's report from its plan, results and assertions. `parties` names the
 * three parties (default: their roles in words).
 */
export function buildReport(
  name: string,
  description: string,
  first: SolrPlan,
  policies: PolicyResult[],
  assertions: AssertionResult[],
  wallMs: number,
  parties: { readonly failed?: string; readonly srp?: string; readonly solr?: string } = {},
  bus = 'in-process (no message bus)',
): Report {
  const f = first.fleet;
  return {
    reportVersion: REPORT_VERSION,
    run: {
      scenario: name,
      description,
      seed: f.seed,
      start: formatInstant(f.start),
      end: formatInstant(f.start + f.days * DAY_MS),
      days: f.days,
      premises: f.premises,
      bus,
      wallClockSeconds: Math.round(wallMs / 100) / 10,
      assumptions: {
        prepaymentShare: {
          value: f.prepaymentShare,
          unit: 'share of homes',
          source: 'scenario (DOMAIN §7.4: 12–15 % nationally; a PPM-heavy small supplier)',
        },
        smets1Share: { value: first.smets1Share, unit: 'share of electricity meters', source: 'scenario' },
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
        {
          id: FAILED_SUPPLIER,
          name: parties.failed ?? 'Failed supplier',
          role: 'Supplier whose licence is revoked; owns the estate at the start',
        },
        {
          id: SRP_ID,
          name: parties.srp ?? 'Shared Resource Provider',
          role: 'Agent of the failed supplier; in the SoLR Contingency role under MP134B',
        },
        { id: SOLR, name: parties.solr ?? 'Supplier of Last Resort', role: 'Takes the meters over by change of supplier' },
      ],
    },
    policies,
    assertions,
  };
}
