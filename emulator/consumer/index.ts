/**
 * The household model: how much energy each premises draws, half hour by half
 * hour, and how its occupants top up, take emergency credit and restore supply.
 */
export { HALF_HOURS_PER_DAY, dayOfWeekFactor, loadShape, seasonalFactor, shapeTables } from './load-shapes.ts';
export type { Fuel, ShapeTables } from './load-shapes.ts';
export { householdProfile } from './household-profile.ts';
export {
  DEFAULT_HOUSEHOLD,
  createHousehold,
  enableDelayAfterExternalArm,
  enableDelayAfterOwnTopUp,
  nextRegularTopUp,
  takesEmergencyCredit,
  topUpAfterLowCredit,
  topUpAfterOffSupply,
} from './household.ts';
export type { Household, HouseholdDefaults, LogNormal, Range, TopUpChannel, TopUpDecision, TopUpTrigger } from './household.ts';
export { parseHouseholdDefaults } from './validate-household-defaults.ts';
