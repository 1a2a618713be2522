import { HOUR_MS, SECOND_MS } from '../core/time/duration.ts';
import { DEFAULT_SOLR_CONTINGENCY_SRVS } from './access/access-matrix.ts';
import type { RoleCodes } from './access/roles.ts';
import type { DeviceType } from './registry/registry.ts';
import type { HighSPolicy } from './smki/signature.ts';

/**
 * The DSP's policy levers. Every default is documented in docs/dsp-rules.md;
 * the ones marked UNVERIFIED stand in for facts no public source settles
 * (OPEN-QUESTIONS.md), so a scenario can change them.
 */
export interface DspConfig {
  /**
   * The MP134B world: the SoLR Contingency role exists. Off, SRPs act under
   * the failed supplier's own role and credentials (the MP134A + MP185 world).
   * Default on. // OPEN-QUESTIONS A1
   */
  readonly solrContingencyRole: boolean;
  /** The role's code on the wire. Default `SC`. UNVERIFIED. // OPEN-QUESTIONS A2 */
  readonly roleCodes: RoleCodes;
  /** The SRVs the role may send. Default 1.6 only. // MP134B req 3 */
  readonly solrContingencySrvs: readonly string[];
  /** High-S ECDSA signatures: accepted (as OpenSSL and devices do) or refused. Default accept; replay is keyed on content. // RELIABILITY §1.5 */
  readonly highS: HighSPolicy;
  /** What an SRP gets once the failed supplier's MPIDs have moved to the SoLR. Default E4. UNVERIFIED. // OPEN-QUESTIONS A4; MP185 */
  readonly afterMpidTransferCode: 'E4' | 'X6';
  /** How long the DSP waits for a device's response before answering E21, per device type. UNVERIFIED. // OPEN-QUESTIONS D1, D3 */
  readonly responseTimeoutMs: Readonly<Record<DeviceType, number>>;
  /** DCC Alert codes; only the body is documented, so the N-codes are placeholders. UNVERIFIED. // OPEN-QUESTIONS E2 */
  readonly dccAlertCodes: {
    /** AD1 is the only non-N code and the presumed quarantine alert. // DOMAIN §4.5 */
    readonly quarantined: string;
    /** `CommandFailure`: a command the DSP could not get a response to. */
    readonly commandFailure: string;
    /** `SecurityCredentialsUpdated`: a device's supplier credentials were replaced. */
    readonly credentialsUpdated: string;
  };
  /** ADT threshold for roles other than SoLR Contingency without a file. Default unlimited. UNVERIFIED. // OPEN-QUESTIONS E3 */
  readonly adtDefaultLimit: number | 'unlimited';
}

export const DEFAULT_DSP_CONFIG: DspConfig = Object.freeze({
  solrContingencyRole: true,
  roleCodes: Object.freeze({ solrContingency: 'SC' }),
  solrContingencySrvs: DEFAULT_SOLR_CONTINGENCY_SRVS,
  highS: 'accept',
  afterMpidTransferCode: 'E4',
  responseTimeoutMs: Object.freeze({
    ESME: 60 * SECOND_MS,
    // The GPF holds a command until the GSME wakes (about every 30 min) and for at most 24 h. // OPEN-QUESTIONS D1
    GSME: 25 * HOUR_MS,
    PPMID: 60 * SECOND_MS,
    CHF: 60 * SECOND_MS,
    GPF: 60 * SECOND_MS,
  }),
  dccAlertCodes: Object.freeze({ quarantined: 'AD1', commandFailure: 'N12', credentialsUpdated: 'N42' }),
  adtDefaultLimit: 'unlimited',
});

/** The defaults with `overrides` applied. */
export function dspConfig(overrides: Partial<DspConfig> = {}): DspConfig {
  return Object.freeze({ ...DEFAULT_DSP_CONFIG, ...overrides });
}
