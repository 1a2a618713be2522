import { createMeterMachine } from '../common/meter-machine.ts';
import { MINUTE_MS } from '../../../core/time/duration.ts';
import type { MeterVariant } from '../common/meter-types.ts';

/**
 * SMETS2 gas meter: battery powered and sleepy (wakes about every 30 minutes,
 * or at once when the consumer presses a button); no remote Enable; gas is
 * turned back on only at the meter, never from the PPMID; separate balances
 * for prepayment and credit mode. // DOMAIN §1.1, §1.5, §1.10, §3.4
 */
export const GSME_VARIANT: MeterVariant = {
  fuel: 'gas',
  remoteEnable: false, // DOMAIN §1.5 [MATRIX]: SR 7.1 is ESME only
  localEnableVia: ['meter'], // DOMAIN §1.5 [BOOST; NPW]
  separateCreditBalance: true, // DOMAIN §1.1 [MAP GCS40a–d]
  wake: { intervalMs: 30 * MINUTE_MS, awakeMs: MINUTE_MS }, // DOMAIN §3.4; listening window UNVERIFIED
  batteryLifeDays: 15 * 365, // DOMAIN §1.10 "battery (~years)"; 15 years UNVERIFIED
};

export const gsmeMachine = createMeterMachine('gsme');
