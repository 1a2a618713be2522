import type { Money } from '../../../core/money.ts';
import type { Instant } from '../../../core/time/duration.ts';
import type { ConsumptionProfile } from './profile.ts';
import type { Ledger } from './ledger.ts';
import type { Fuel, MeterConfig } from './meter-config.ts';
import type { PrepayConfig } from './prepay-config.ts';
import type { DebtConfig } from './debt.ts';
import type { UtrnAcceptorState, UtrnSibling } from './utrn/utrn-acceptor.ts';

/** DUIS SupplyStateType. // DOMAIN §1.5 [MMC] */
export type SupplyState = 'Enabled' | 'Disabled' | 'Armed';
/** DUIS PaymentMode. // DOMAIN §1.1 [MMC] */
export type PaymentMode = 'Credit' | 'Prepayment';
/** Why supply is not Enabled: ran out of credit, or a remote Disable (SR 7.2). */
export type DisableCause = 'credit' | 'remote';
/** Where a consumer or command acted: at the meter, on the PPMID, or over the WAN. */
export type Via = 'meter' | 'ppmid' | 'remote';

/** What differs between an ESME and a GSME; everything else is shared. // DOMAIN §1.10 */
export interface MeterVariant {
  readonly fuel: Fuel;
  /** SR 7.1 Enable Supply exists for electricity only. // DOMAIN §1.5 [MATRIX] */
  readonly remoteEnable: boolean;
  /** Where a consumer may enable an armed supply: gas only at the GSME. // DOMAIN §1.5 [MAP PECS03] */
  readonly localEnableVia: readonly ('meter' | 'ppmid')[];
  /** GSME keeps a credit-mode balance apart from the prepayment one. // DOMAIN §1.1 */
  readonly separateCreditBalance: boolean;
  /** Sleepy device: wakes every interval (DOMAIN §3.4), or at once on a button press. Null = always awake. */
  readonly wake: WakeSchedule | null;
  /** Battery life in days from installation, null for mains power. // DOMAIN §1.10 */
  readonly batteryLifeDays: number | null;
}

export interface WakeSchedule {
  /** About every 30 minutes. // DOMAIN §3.4 [SECMP0015] */
  readonly intervalMs: number;
  /** How long the device listens once awake (UNVERIFIED, configurable). */
  readonly awakeMs: number;
}

/** The supplier credentials a meter checks UTRNs against. // DOMAIN §2.2 */
export interface MeterCredentials {
  /** This device's EUI-64 bytes. */
  readonly ownEui: Uint8Array;
  /** The supplier's EUI-64 bytes (UTRN originator). */
  readonly supplier: Uint8Array;
  /** ECDH secret between the supplier's prepayment KA key and this device's KA key. */
  readonly secret: Uint8Array;
  /** Other meters of the premises, to tell "not for this device" from "not authentic". */
  readonly siblings: readonly UtrnSibling[];
}

/** Everything a meter machine starts from. */
export interface MeterInput {
  readonly id: string;
  readonly variant: MeterVariant;
  readonly config: MeterConfig;
  readonly profile: ConsumptionProfile;
  readonly credentials: MeterCredentials;
  readonly at: Instant;
  readonly mode: PaymentMode;
  readonly meterBalance: Money;
  /** Offset of this device's wake cycle within the interval (sleepy devices). */
  readonly wakePhaseMs?: number;
}

export interface MeterContext {
  readonly id: string;
  readonly variant: MeterVariant;
  readonly profile: ConsumptionProfile;
  readonly credentials: MeterCredentials;
  readonly installedAt: Instant;
  readonly wakePhaseMs: number;
  config: MeterConfig;
  ledger: Ledger;
  mode: PaymentMode;
  /** Mirrors the machine state, so pure functions over the context know it. */
  supply: SupplyState;
  cause: DisableCause | null;
  /** 0x810D has been raised and credit has not recovered since. */
  lowCredit: boolean;
  /** Emergency credit is on offer (0x8119 raised). */
  ecOffered: boolean;
  /** 0x81AA has been raised for the emergency credit now in use. */
  ecExhausted: boolean;
  /** Disablement is suspended by a non-disablement period until this instant. // DOMAIN §1.8 */
  suspendedUntil: Instant | null;
  /** The next arming came from emergency credit on a disabled meter (0x8168, not 0x8F32). */
  armedByEc: boolean;
  utrn: UtrnAcceptorState;
  /** Awake until this instant after a consumer pressed a button (sleepy devices). */
  awakeUntil: Instant;
  valveOperations: number;
  now: Instant;
}

/** Correlates a command with its response (the DUIS RequestID, or any string in tests). */
interface Command {
  readonly now: Instant;
  readonly ref?: string;
}

export type MeterEvent =
  /** A scheduled instant has been reached: a credit threshold, the end of a non-disablement period. */
  | { readonly type: 'clock.due'; readonly now: Instant }
  /** A UTRN typed at the meter or PPMID, or delivered by SR 2.2 (with its full counter). */
  | (Command & { readonly type: 'credit.utrn'; readonly utrn: string; readonly via: Via; readonly counter?: bigint })
  /** Emergency credit selected by the consumer or SR 2.5. // DOMAIN §1.7 */
  | (Command & { readonly type: 'ec.activate'; readonly via: Via })
  /** The consumer confirms re-enabling an armed supply. // DOMAIN §1.5 */
  | (Command & { readonly type: 'supply.enableLocal'; readonly via: 'meter' | 'ppmid' })
  /** SR 7.1 / 7.2 / 7.3. */
  | (Command & { readonly type: 'supply.enable' })
  | (Command & { readonly type: 'supply.disable' })
  | (Command & { readonly type: 'supply.arm' })
  /** SR 1.6 Update Payment Mode. // DOMAIN §1.1, §1.6 */
  | (Command & { readonly type: 'mode.set'; readonly mode: 'Credit' })
  | (Command & {
      readonly type: 'mode.set';
      readonly mode: 'Prepayment';
      readonly disablementThreshold: Money;
      readonly suspendDebtDisabled: boolean;
      readonly suspendDebtEmergency: boolean;
    })
  /** SR 2.1 Update Prepay Configuration (already validated). */
  | (Command & { readonly type: 'config.prepay'; readonly prepay: PrepayConfig })
  /** SR 2.3 Update Debt: registers to add and, optionally, new recovery settings. */
  | (Command & { readonly type: 'config.debt'; readonly add: DebtRegisters; readonly debt?: DebtConfig })
  /** SR 1.5 Update Meter Balance. */
  | (Command & { readonly type: 'balance.adjust'; readonly kind: 'adjust' | 'reset'; readonly amount: Money })
  /** SR 7.4, 4.3, 4.18, 4.13. */
  | (Command & { readonly type: 'read.supplyStatus' })
  | (Command & { readonly type: 'read.prepayValues' })
  | (Command & { readonly type: 'read.balance' })
  | (Command & { readonly type: 'read.prepayConfig' });

export interface DebtRegisters {
  readonly timeDebt1?: Money;
  readonly timeDebt2?: Money;
  readonly paymentDebt?: Money;
}

/** A meter's answer to a command, handed to whoever carries it back. */
export interface MeterResponse {
  readonly ref: string | null;
  readonly command: MeterEvent['type'];
  readonly outcome: 'success' | 'failure';
  readonly reason?: MeterFailure;
  readonly body?: Readonly<Record<string, string | number | boolean | null>>;
}

export type MeterFailure =
  | 'not-supported'
  | 'not-armed'
  | 'not-here'
  | 'asleep'
  | 'ec-not-available'
  | 'utrn-rejected'
  | 'over-max-credit'
  | 'over-max-balance'
  /** A critical remote command without a valid signature from the supplier the device trusts. // DOMAIN §5.2 */
  | 'not-authorised';
