import type { Instant } from '../../../core/time/duration.ts';
import type { CommandAuthorisation } from '../../../proto/types.ts';
import type { MeterEvent, MeterResponse } from '../common/meter-types.ts';

/** A command from the DSP for one device of this comms hub, correlated by `ref` (the DUIS RequestID). */
export interface RemoteCommand {
  readonly ref: string;
  /** The target device's EUI-64. */
  readonly target: string;
  readonly command: MeterEvent;
  /** A critical command's signed Pre-Command, carried to the device untouched: the hub does not check it, the device does. // DOMAIN §5.2 */
  readonly authorisation?: CommandAuthorisation;
}

/** A device alert on its way to the DSP. */
export interface DeviceAlertMessage {
  /** The device that raised it (the CHF or GPF for their own alerts). */
  readonly device: string;
  readonly code: number;
  readonly at: Instant;
}

/** A device's answer to a remote command. */
export interface DeviceReply {
  readonly device: string;
  readonly ref: string;
  readonly response: MeterResponse;
}

/**
 * HAN device types a comms hub keeps in its device log. // DOMAIN §3.1 [XSD DeviceType]
 * The GPF is on it too, so its own alerts share the hub's path to the WAN.
 */
export type HanDeviceType = 'ESME' | 'GSME' | 'GPF' | 'PPMID' | 'HCALCS' | 'IHD';

/** Why the hub could not pass a command on. */
export type UndeliverableReason = 'not-joined' | 'han-link-down' | 'hub-off';
