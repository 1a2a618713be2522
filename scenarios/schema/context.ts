import type { Instant } from '../../core/time/duration.ts';
import type { PolicyPlan } from './policy-plan.ts';
import type { CspRegion, Parties, Policy } from './scenario.ts';

/**
 * What the timeline and the assertions are checked against: the run's
 * bounds, the parties, the estate and the policy. A section that had errors
 * is marked unknown, and checks that depend on it are skipped, so one
 * mistake is reported once rather than again at every place it is used.
 */
export interface ScenarioContext {
  readonly start: Instant;
  /** `start + days`. */
  readonly end: Instant;
  /** Whether `start` and `days` were valid. */
  readonly runKnown: boolean;
  readonly parties: Parties;
  /** Whether the parties section was valid, so that every id it defines is in `parties.byId`. */
  readonly partiesKnown: boolean;
  /** The number of premises, or null when `estate.premises` was not valid. */
  readonly premises: number | null;
  /** The estate's CSP regions, or null when `estate.cspRegions` was not valid. */
  readonly regions: ReadonlySet<CspRegion> | null;
  readonly policy: Policy;
  readonly policyKnown: boolean;
  readonly plan: PolicyPlan;
}
