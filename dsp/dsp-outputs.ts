import type { Eui64 } from '../core/ids.ts';
import type { DccAlert, DeviceAlert, HanCommand, ServiceResponse } from '../proto/types.ts';

/**
 * What the DSP sends, as values: the service decides, the gateway publishes.
 * Every output names its one recipient. // ARCHITECTURE "DSP"; MP134B req 7
 */
export type DspOutput =
  /** A response to the User that sent the request: acknowledgement, Pre-Command, device response or error. */
  | { readonly kind: 'response'; readonly to: Eui64; readonly response: ServiceResponse }
  /** A DCC Alert to a User. */
  | { readonly kind: 'dccAlert'; readonly to: Eui64; readonly alert: DccAlert }
  /** A device alert routed to a User. */
  | { readonly kind: 'deviceAlert'; readonly to: Eui64; readonly alert: DeviceAlert }
  /** A command to a device through its comms hub over the WAN. */
  | { readonly kind: 'command'; readonly hub: Eui64; readonly device: Eui64; readonly requestId: string; readonly command: HanCommand };
