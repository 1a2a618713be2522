import { createMeterMachine } from '../common/meter-machine.ts';
import type { MeterVariant } from '../common/meter-types.ts';

/**
 * SMETS2 electricity meter: mains powered and always listening; remote
 * Enable (SR 7.1) exists; the consumer may re-enable an armed supply at the
 * meter or on the PPMID. // DOMAIN §1.5, §1.10
 */
export const ESME_VARIANT: MeterVariant = {
  fuel: 'electricity',
  remoteEnable: true,
  localEnableVia: ['meter', 'ppmid'], // DOMAIN §1.5 [MAP PECS03]
  separateCreditBalance: false,
  wake: null,
  batteryLifeDays: null,
};

export const esmeMachine = createMeterMachine('esme');
