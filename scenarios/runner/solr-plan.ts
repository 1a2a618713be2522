import type { Instant } from '../../core/time/duration.ts';
import type { DspConfig } from '../../dsp/dsp-config.ts';
import type { FleetOptions } from '../../emulator/fleet/fleet-options.ts';
import type { SolrWorldOptions } from './solr-world.ts';

/**
 * One supplier failure as the runner plays it: the estate, how the DSP is
 * configured, how the SRP acts, and when each step of the failure happens.
 * A scenario file (`scenarios/schema`) and a policy resolve to this.
 * // DOMAIN §7.2 (the timeline), §7.3; OPEN-QUESTIONS A1, A5, A6
 */
export interface SolrPlan {
  /** The policy's name, for the report. */
  readonly policy: string;
  readonly description: string;
  readonly fleet: FleetOptions;
  /** Share of electricity meters that are SMETS1 (reached through the S1SP). */
  readonly smets1Share: number;
  /** The estate's CSP regions and their shares (regional WAN outages). Default North, Central, South a third each. // DOMAIN §3.3 */
  readonly cspRegions?: ReadonlyMap<string, number>;
  readonly dsp: Partial<DspConfig>;
  /** The SRP in the SoLR Contingency role (MP134B), or acting as the failed supplier with its credentials. */
  readonly srpActsAs: 'solr-contingency' | 'failed-supplier';
  /** How long SRP arrangements may last after the SoLR date. // MP185 §3 */
  readonly srpWindowMs: number;
  readonly steps: SolrSteps;
  /** Other DCC Users of the run (scenario files): suppliers with no meters of the estate, network operators… */
  readonly others?: SolrWorldOptions['others'];
}

/** When each step happens; null for a step that does not happen under the policy. */
export interface SolrSteps {
  /** The failed supplier stops selling top-ups (no UTRNs, no remote top-ups). // SEED0 §2 */
  readonly vendingStops: Instant;
  /** SECAS puts the supplier on the failed-supplier list. // MP134B req 6 */
  readonly failedListed: Instant;
  /** The Authority revokes the licence; certificates revoked then or at `revocationDelayedUntil` (MP134A). */
  readonly licenceRevoked: Instant;
  readonly revocationDelayedUntil: Instant | null;
  /** The Authority instructs the SRP to put prepayment meters into Credit mode. // MP134B req 6; MP134A */
  readonly authorityInstruction: Instant | null;
  /** The SRP's ARO/SRO uploads an ADT file allowing SR 1.6 (MP134B req 4), with this limit per day. */
  readonly adtUpload: { readonly at: Instant; readonly limitPerDay: number } | null;
  /** The SRP switches the failed supplier's prepayment meters to Credit, this many per hour. */
  readonly srpSwitch: { readonly start: Instant; readonly perHour: number } | null;
  /** The Authority appoints the SoLR; MPIDs move then or at `transferDelayedUntil` (MP185). */
  readonly solrAppointed: Instant;
  readonly transferDelayedUntil: Instant | null;
  /** Change of Supplier, meter by meter, spread evenly over `spreadDays` from `start`; the SoLR sells top-ups for a meter from its change on. */
  readonly changeOfSupplier: { readonly start: Instant; readonly spreadDays: number } | null;
  /** A share of comms hubs lose their WAN from `start` to `end`: the DSP answers E20 for them meanwhile. // DOMAIN §3.3 */
  readonly wanOutage?: { readonly start: Instant; readonly end: Instant; readonly share: number };
  /** How long the SRP waits before trying a meter again after E20 or E21. Default 1 h. UNVERIFIED. */
  readonly srpRetryMs?: number;
}
