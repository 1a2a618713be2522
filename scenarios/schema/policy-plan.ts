import { DAY_MS } from '../../core/time/duration.ts';
import { DEFAULT_SOLR_CONTINGENCY_SRVS } from '../../dsp/access/access-matrix.ts';
import type { DspConfig } from '../../dsp/dsp-config.ts';
import type { ResponseCode } from '../../dsp/response-codes.ts';
import { SRP_WINDOW_MS } from '../../dsp/registry/registry.ts';
import type { Policy, PolicyLevers, PolicyName } from './scenario.ts';

/**
 * What each policy means for a run: which DSP configuration applies, when the
 * failed supplier's certificates are revoked and its MPIDs move, how its SRP
 * sends, and what stops the SRP. The runner builds the DSP and schedules the
 * admin operations from this; reports print it.
 * // DOMAIN §7.2, §7.3; MP134A; MP185; MP134B; docs/dsp-rules.md
 */

/** The levers a file may set for each policy; any other lever is an error, because that world has no such power. */
export const POLICY_LEVERS: ReadonlyMap<PolicyName, readonly (keyof PolicyLevers)[]> = new Map<PolicyName, readonly (keyof PolicyLevers)[]>(
  [
    // Certificates go with the licence and MPIDs with the SoLR appointment: nothing to delay. // DOMAIN §7.2 step 2
    ['none', []],
    // The SMKI PMA may delay certificate revocation. // MP134A
    ['mp134a', ['delayRevocationDays']],
    // … and the MPID transfer. // MP185
    ['mp134a+mp185', ['delayRevocationDays', 'delayMpidTransferDays']],
    // The SoLR Contingency role's own levers, on top of the delays (MP134A and MP185 were in force before MP134B was raised).
    [
      'mp134b',
      [
        'delayRevocationDays',
        'delayMpidTransferDays',
        'srpWindowDays',
        'solrContingencySrvs',
        'solrContingencyRoleCode',
        'afterMpidTransferCode',
      ],
    ],
  ],
);

/** Days the SMKI PMA delays by when a policy allows it and the file says nothing: the SoLR's Change of Supplier window. UNVERIFIED // DOMAIN §9 (14–28 days); OPEN-QUESTIONS A5 */
export const DEFAULT_PMA_DELAY_DAYS = 28;

/** The longest delay a lever may set: the longest run. // OPEN-QUESTIONS A5 suggests 0–90 */
export const MAX_LEVER_DAYS = 366;

const BASE_LEVERS: PolicyLevers = Object.freeze({
  delayRevocationDays: 0,
  delayMpidTransferDays: 0,
  srpWindowDays: SRP_WINDOW_MS / DAY_MS,
  solrContingencySrvs: DEFAULT_SOLR_CONTINGENCY_SRVS,
  solrContingencyRoleCode: 'SC',
  afterMpidTransferCode: 'E4',
});

/**
 * The levers of a policy when the file sets none.
 * - `none`: no delays.
 * - `mp134a`: certificates revoked 28 days after the licence.
 * - `mp134a+mp185`: certificates and MPIDs both 28 days late.
 * - `mp134b`: certificates at once (the role signs with the SRP's own certificate, so their revocation does not stop it), MPIDs 28 days late.
 */
export function defaultLevers(name: PolicyName): PolicyLevers {
  switch (name) {
    case 'none':
      return BASE_LEVERS;
    case 'mp134a':
      return Object.freeze({ ...BASE_LEVERS, delayRevocationDays: DEFAULT_PMA_DELAY_DAYS });
    case 'mp134a+mp185':
      return Object.freeze({ ...BASE_LEVERS, delayRevocationDays: DEFAULT_PMA_DELAY_DAYS, delayMpidTransferDays: DEFAULT_PMA_DELAY_DAYS });
    case 'mp134b':
      return Object.freeze({ ...BASE_LEVERS, delayMpidTransferDays: DEFAULT_PMA_DELAY_DAYS });
  }
}

/** An instant from which the SRP's requests for the failed supplier are refused, and with what. */
export interface SrpRefusal {
  /** The event that starts it. */
  readonly from: 'certificate-revocation' | 'mpid-transfer' | 'srp-window-end';
  readonly code: ResponseCode;
}

/** What a policy means for a run. */
export interface PolicyPlan {
  readonly name: PolicyName;
  /** One line for reports. */
  readonly summary: string;
  /** Over the DSP defaults: `dspConfig(plan.dspConfig)`. */
  readonly dspConfig: Pick<DspConfig, 'solrContingencyRole' | 'solrContingencySrvs' | 'roleCodes' | 'afterMpidTransferCode'>;
  /** The registry's SRP window (`new Registry({ srpWindowMs })`). // MP185 §3 */
  readonly srpWindowMs: number;
  /** Licence revocation to certificate revocation, when a `licenceRevoked` event does not say. 0 = at once. // MP134A */
  readonly certificateRevocationDelayMs: number;
  /** SoLR appointment to the MPID transfer, when a `solrAppointed` event does not say. 0 = at once. // MP185 */
  readonly mpidTransferDelayMs: number;
  /**
   * How the SRP sends. `failed-supplier`: under the failed supplier's own
   * identity, roles and certificates, which it holds as agent (DOMAIN §7.1).
   * `solr-contingency`: as itself in the SoLR Contingency role with its own
   * XML-signing certificate, signing Pre-Commands with the failed supplier's
   * key. // MP134B req 1, 2
   */
  readonly srpActsAs: 'failed-supplier' | 'solr-contingency';
  /** SECAS puts a supplier on the failed-supplier list when its licence is revoked. // MP134B req 6; OPEN-QUESTIONS A8 */
  readonly listFailedAtLicenceRevocation: boolean;
  /** What the SRP needs before the DSP lets it act (each missing one is a refusal): the listing (X6), an instruction (X7), an ADT file (else X9). // MP134B req 4, 6 */
  readonly srpNeeds: readonly ('failed-supplier-list' | 'authority-instruction' | 'adt-file')[];
  /** What stops the SRP, in time order when the delays are the defaults. */
  readonly srpRefusals: readonly SrpRefusal[];
}

/**
 * What `policy` means for a run, as data. Pure; the same policy always gives
 * the same plan.
 *
 * | policy         | certificates revoked   | MPIDs move             | SRP sends as     | SRP refused from                                   |
 * | -------------- | ---------------------- | ---------------------- | ---------------- | -------------------------------------------------- |
 * | `none`         | with the licence       | at SoLR appointment    | failed supplier  | licence revocation (X3), SoLR appointment (E4)     |
 * | `mp134a`       | licence + delay        | at SoLR appointment    | failed supplier  | certificate revocation (X3), SoLR appointment (E4) |
 * | `mp134a+mp185` | licence + delay        | appointment + delay    | failed supplier  | certificate revocation (X3), MPID transfer (E4)    |
 * | `mp134b`       | licence + delay (0)    | appointment + delay    | SoLR Contingency | MPID transfer (E4), SRP window end (X8)            |
 *
 * @example
 * policyPlan({ name: 'mp134b', levers: defaultLevers('mp134b') }).dspConfig.solrContingencyRole; // true
 */
export function policyPlan(policy: Policy): PolicyPlan {
  const l = policy.levers;
  const levers = POLICY_LEVERS.get(policy.name) ?? [];
  // A lever the policy does not have keeps its base value, so a plan never shows a power its world lacks.
  const lever = <K extends keyof PolicyLevers>(k: K): PolicyLevers[K] => (levers.includes(k) ? l[k] : BASE_LEVERS[k]);
  const contingency = policy.name === 'mp134b';
  const certificateRevocationDelayMs = lever('delayRevocationDays') * DAY_MS;
  const mpidTransferDelayMs = lever('delayMpidTransferDays') * DAY_MS;
  const afterMpidTransferCode = lever('afterMpidTransferCode');
  return {
    name: policy.name,
    summary: SUMMARIES.get(policy.name) ?? policy.name,
    dspConfig: {
      solrContingencyRole: contingency,
      solrContingencySrvs: lever('solrContingencySrvs'),
      roleCodes: { solrContingency: lever('solrContingencyRoleCode') },
      afterMpidTransferCode,
    },
    srpWindowMs: lever('srpWindowDays') * DAY_MS,
    certificateRevocationDelayMs,
    mpidTransferDelayMs,
    srpActsAs: contingency ? 'solr-contingency' : 'failed-supplier',
    listFailedAtLicenceRevocation: true,
    srpNeeds: contingency ? ['failed-supplier-list', 'authority-instruction', 'adt-file'] : [],
    srpRefusals: contingency
      ? [
          { from: 'mpid-transfer', code: afterMpidTransferCode },
          { from: 'srp-window-end', code: 'X8' },
        ]
      : // Outside the role the DSP cannot tell the SRP from the supplier: a revoked XML-signing certificate is X3, and once the
        // MPIDs have moved the registration check refuses the supplier with E4. // docs/dsp-rules.md "MP134A and MP185"
        [
          { from: 'certificate-revocation', code: 'X3' },
          { from: 'mpid-transfer', code: 'E4' },
        ],
  };
}

const SUMMARIES: ReadonlyMap<PolicyName, string> = new Map<PolicyName, string>([
  ['none', 'no SoLR modifications: certificates revoked with the licence, MPIDs move at SoLR appointment'],
  ['mp134a', 'MP134A: the SMKI PMA delays certificate revocation; MPIDs move at SoLR appointment'],
  ['mp134a+mp185', 'MP134A + MP185: the SMKI PMA delays certificate revocation and the MPID transfer'],
  ['mp134b', 'MP134B: the SRP acts in the SoLR Contingency role (SR 1.6 to Credit only, ADT, Authority instruction)'],
]);
