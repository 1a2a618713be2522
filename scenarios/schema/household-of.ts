import { UNITS_PER_POUND } from '../../core/money.ts';
import type { HouseholdDefaults } from '../../emulator/consumer/household.ts';
import type { Estate } from './scenario.ts';

/**
 * The household parameters of an estate, in the household model's own terms
 * (emulator/consumer/household.ts), for drawing its households. Top-up
 * amounts are whole pounds there; the validator has made sure they are.
 */
export function householdDefaultsOf(e: Estate): HouseholdDefaults {
  return {
    electricityKwhPerDay: e.consumption.electricityKwhPerDay,
    gasKwhPerDay: e.consumption.gasKwhPerDay,
    sizeSigma: e.consumption.sizeSigma,
    dualFuelShare: e.dualFuelShare,
    vulnerableShare: e.vulnerableShare,
    topUp: {
      amountPounds: { min: Math.round(e.topUp.amount.min / UNITS_PER_POUND), max: Math.round(e.topUp.amount.max / UNITS_PER_POUND) },
      perWeek: e.topUp.perWeek,
      channels: e.topUp.channels,
      regularShare: e.topUp.regularShare,
      delayAfterLowCreditHours: e.topUp.delayAfterLowCreditHours,
      delayAfterOffSupplyHours: e.topUp.delayAfterOffSupplyHours,
    },
    emergencyCredit: { takeProbability: e.emergencyCreditTakeProbability },
    enable: e.enable,
    selfDisconnection: e.selfDisconnection,
  };
}
