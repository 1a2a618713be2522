import { pounds } from '../../core/money.ts';
import { DAY_MS, HOUR_MS, SECOND_MS } from '../../core/time/duration.ts';
import { DEFAULT_HOUSEHOLD } from '../../emulator/consumer/household.ts';
import { DEFAULT_FLEET_OPTIONS } from '../../emulator/fleet/fleet-options.ts';
import type { Batching, Estate, PolicyName } from './scenario.ts';

/**
 * Every default of the scenario format, with its source. docs/scenarios.md
 * lists them field by field. The household defaults are the fleet's own
 * (`DEFAULT_HOUSEHOLD`, `DEFAULT_FLEET_OPTIONS`), so a scenario that says
 * nothing about households behaves as `smets-twin fleet` does.
 */

/** Seed, start and length of a run: the fleet's. Start Monday 2026-01-05, a winter start. // DOMAIN §7.5; §9 (CoS 14–28 days) */
export const DEFAULT_SEED = DEFAULT_FLEET_OPTIONS.seed;
export const DEFAULT_START = DEFAULT_FLEET_OPTIONS.start;
export const DEFAULT_DAYS = DEFAULT_FLEET_OPTIONS.days;

/** The MP134B world is the DSP's default (`DspConfig.solrContingencyRole` on). // OPEN-QUESTIONS A1 */
export const DEFAULT_POLICY: PolicyName = 'mp134b';

/** About 13 % of smart meters were in prepayment mode at the end of 2021 and 2022. // DOMAIN §7.4 [MET-SM]; OPEN-QUESTIONS A9 */
export const DEFAULT_PREPAYMENT_SHARE = 0.13;

const h = DEFAULT_HOUSEHOLD;
const third = 1 / 3;

/** The estate when the file says nothing; each field's source is on `Estate` in scenario.ts. */
export const DEFAULT_ESTATE: Estate = {
  premises: DEFAULT_FLEET_OPTIONS.premises,
  dualFuelShare: h.dualFuelShare,
  prepaymentShare: DEFAULT_PREPAYMENT_SHARE,
  // All SMETS2 unless a scenario says otherwise: the SMETS1 path is its own scenario (smets1-estate). // DOMAIN §6
  smets1Share: 0,
  startBalance: { min: pounds(DEFAULT_FLEET_OPTIONS.startBalancePounds.min), max: pounds(DEFAULT_FLEET_OPTIONS.startBalancePounds.max) },
  consumption: { electricityKwhPerDay: h.electricityKwhPerDay, gasKwhPerDay: h.gasKwhPerDay, sizeSigma: h.sizeSigma },
  topUp: {
    amount: { min: pounds(h.topUp.amountPounds.min), max: pounds(h.topUp.amountPounds.max) },
    perWeek: h.topUp.perWeek,
    channels: h.topUp.channels,
    regularShare: h.topUp.regularShare,
    delayAfterLowCreditHours: h.topUp.delayAfterLowCreditHours,
    delayAfterOffSupplyHours: h.topUp.delayAfterOffSupplyHours,
  },
  emergencyCreditTakeProbability: h.emergencyCredit.takeProbability,
  enable: h.enable,
  vulnerableShare: h.vulnerableShare,
  selfDisconnection: h.selfDisconnection,
  // No source gives the regional split of a supplier's estate; an even split of the three CSP regions. UNVERIFIED // OPEN-QUESTIONS D4
  cspRegions: new Map([
    ['North', third],
    ['Central', third],
    ['South', third],
  ]),
};

/** SR 1.6 batches: 1 000 meters an hour. UNVERIFIED: no source gives an SRP's or SoLR's sending rate. */
export const DEFAULT_BATCHING: Batching = { batchSize: 1000, everyMs: HOUR_MS };

/** Change of Supplier spread over 21 days, the middle of 14–28. // DOMAIN §7.2 step 5, §9; OPEN-QUESTIONS A6 */
export const DEFAULT_COS_SPREAD_MS = 21 * DAY_MS;

/** A broker restart keeps it down 10 s. UNVERIFIED */
export const DEFAULT_BROKER_RESTART_MS = 10 * SECOND_MS;

/** Limits that keep a scenario within what one machine runs. */
export const MAX_TIMELINE_EVENTS = 10_000;
export const MAX_ASSERTIONS = 10_000;
export const MAX_OTHER_PARTIES = 100;
/** Faults and spreads last at most the longest run. */
export const MAX_DURATION_MS = 366 * DAY_MS;
