import type { LinkRef } from '../../emulator/bus/fault-plan.ts';
import type { Role } from '../../dsp/access/roles.ts';
import type { DeviceType, PartyType } from '../../dsp/registry/registry.ts';
import type { ResponseCode } from '../../dsp/response-codes.ts';
import type { Fuel } from '../../emulator/devices/common/meter-config.ts';
import type { PaymentMode, SupplyState } from '../../emulator/devices/common/meter-types.ts';
import type { CspRegion, EmptyBodyKind, MeterGroup, OutcomeMetric, PolicyLevers, PolicyName, VendingChannel } from './scenario.ts';

/**
 * A scenario as a file writes it, for TypeScript modules to type their
 * default export (`export default { … } satisfies ScenarioFile`). Every field
 * but `name` may be left out. The validator reads any value, typed or not;
 * these types only help authors. docs/scenarios.md describes each field.
 */

/** `2027-01-12T09:00:00Z`, a UK date `2027-01-12`, or an offset from the start `+3d`, `+2h30m`; a `Date` in a module. */
export type TimeText = string | Date;
/** `6h`, `21d`, `2h30m`, `500ms`. */
export type DurationText = string;
/** Pounds, to at most 5 decimal places: `12.50`. */
export type Pounds = number;

export interface ScenarioFile {
  readonly name: string;
  readonly description?: string;
  readonly seed?: string | number;
  /** Absolute only. */
  readonly start?: TimeText;
  readonly days?: number;
  readonly estate?: EstateFile;
  readonly parties?: PartiesFile;
  readonly policy?: PolicyName | PolicyFile;
  readonly timeline?: readonly TimelineEventFile[];
  readonly assertions?: readonly AssertionFile[];
}

interface RangeFile {
  readonly min?: number;
  readonly max?: number;
}

interface LogNormalFile {
  readonly median?: number;
  readonly sigma?: number;
}

export interface EstateFile {
  readonly premises?: number;
  readonly dualFuelShare?: number;
  readonly prepaymentShare?: number;
  readonly smets1Share?: number;
  readonly startBalance?: RangeFile;
  readonly consumption?: { readonly electricityKwhPerDay?: number; readonly gasKwhPerDay?: number; readonly sizeSigma?: number };
  readonly topUp?: {
    readonly amount?: RangeFile;
    readonly perWeek?: RangeFile;
    readonly channels?: { readonly meter?: number; readonly ppmid?: number; readonly remote?: number };
    readonly regularShare?: number;
    readonly delayAfterLowCreditHours?: LogNormalFile;
    readonly delayAfterOffSupplyHours?: LogNormalFile;
  };
  readonly emergencyCreditTakeProbability?: number;
  readonly enable?: { readonly afterOwnTopUpMinutes?: LogNormalFile; readonly afterExternalArmHours?: LogNormalFile };
  readonly vulnerableShare?: number;
  readonly selfDisconnection?: { readonly share?: number; readonly vulnerableShare?: number; readonly offSupplyDays?: LogNormalFile };
  readonly cspRegions?: CspRegion | { readonly [R in CspRegion]?: number };
}

export interface SupplierFile {
  readonly id?: string;
  readonly name?: string;
  readonly eui64?: string;
  readonly mpid?: string;
  readonly roles?: readonly ('IS' | 'ES' | 'GS')[];
}

export interface PartiesFile {
  readonly failedSupplier?: SupplierFile;
  readonly srp?: { readonly id?: string; readonly name?: string; readonly eui64?: string };
  readonly solr?: SupplierFile;
  readonly suppliers?: readonly (SupplierFile & { readonly id: string })[];
  readonly users?: readonly {
    readonly id: string;
    readonly name?: string;
    readonly eui64?: string;
    readonly type?: Exclude<PartyType, 'Supplier'>;
    readonly roles: readonly Role[];
  }[];
}

export type PolicyFile = { readonly name: PolicyName } & { readonly [K in keyof PolicyLevers]?: PolicyLevers[K] };

interface At {
  readonly at: TimeText;
}

interface BatchingFile {
  readonly batchSize?: number;
  readonly every?: DurationText;
}

export type RequestBodyFile =
  | { readonly kind: 'updatePaymentMode'; readonly mode: 'credit'; readonly executionAt?: TimeText }
  | {
      readonly kind: 'updatePaymentMode';
      readonly mode: 'prepayment';
      readonly executionAt?: TimeText;
      readonly suspendDebtDisabled?: boolean;
      readonly suspendDebtEmergency?: boolean;
      readonly disablementThreshold?: Pounds;
    }
  | { readonly kind: 'topUpDevice'; readonly amount: Pounds }
  | { readonly kind: 'topUpDevice'; readonly utrn: string }
  | { readonly kind: 'opaque'; readonly hex?: string }
  | { readonly kind: EmptyBodyKind };

export type TimelineEventFile = At &
  (
    | { readonly kind: 'vendingStops' | 'vendingStarts'; readonly supplier?: string; readonly channels?: readonly VendingChannel[] }
    | { readonly kind: 'licenceRevoked'; readonly supplier?: string; readonly certificatesRevoked?: TimeText }
    | { readonly kind: 'failedSupplierList'; readonly supplier?: string; readonly listed?: boolean }
    | { readonly kind: 'solrAppointed'; readonly failed?: string; readonly solr?: string; readonly mpidsTransferred?: TimeText }
    | { readonly kind: 'srpAppointed'; readonly srp?: string; readonly supplier?: string; readonly until?: TimeText | null }
    | { readonly kind: 'authorityInstruction'; readonly reference?: string; readonly srp?: string; readonly supplier?: string }
    | { readonly kind: 'instructionWithdrawn'; readonly reference: string }
    | {
        readonly kind: 'adtUpload';
        readonly user?: string;
        readonly role?: Role;
        readonly thresholds: readonly { readonly srv: string; readonly limit: number; readonly period?: DurationText }[];
      }
    | { readonly kind: 'userStatus'; readonly user: string; readonly status: 'active' | 'suspended' }
    | ({
        readonly kind: 'srpSwitchToCredit';
        readonly srp?: string;
        readonly supplier?: string;
        readonly fuels?: readonly Fuel[];
      } & BatchingFile)
    | {
        readonly kind: 'changeOfSupplier';
        readonly from?: string;
        readonly to?: string;
        readonly spread?: DurationText;
        readonly fuels?: readonly Fuel[];
      }
    | ({
        readonly kind: 'solrSwitchToPrepayment';
        readonly solr?: string;
        readonly fuels?: readonly Fuel[];
        readonly disablementThreshold?: Pounds;
        readonly suspendDebtDisabled?: boolean;
        readonly suspendDebtEmergency?: boolean;
      } & BatchingFile)
    | { readonly kind: 'wanOutage'; readonly share?: number; readonly region?: CspRegion | null; readonly duration: DurationText }
    | { readonly kind: 'hubPowerLoss'; readonly share?: number; readonly duration: DurationText }
    | { readonly kind: 'brokerRestart'; readonly duration?: DurationText }
    | { readonly kind: 'dspOutage'; readonly duration: DurationText }
    | { readonly kind: 'messageLoss'; readonly link: string | LinkRef; readonly drop?: number; readonly duration: DurationText }
    | {
        readonly kind: 'serviceRequest';
        readonly id?: string;
        readonly user: string;
        readonly role?: Role | null;
        readonly srv: string;
        readonly commandVariant: number;
        readonly signedSend?: 5 | 6 | 7 | 'none';
        readonly target: { readonly premises: number; readonly device?: DeviceType } | { readonly eui64: string };
        readonly body: RequestBodyFile;
        readonly expect?: ResponseCode | readonly ResponseCode[];
      }
    | {
        readonly kind: 'consumerTopUp';
        readonly premises: number;
        readonly fuel?: Fuel;
        readonly amount: Pounds;
        readonly channel?: 'meter' | 'ppmid' | 'remote';
      }
    | {
        readonly kind: 'consumerEnable' | 'consumerEmergencyCredit';
        readonly premises: number;
        readonly fuel?: Fuel;
        readonly via?: 'meter' | 'ppmid';
      }
  );

export type AssertionFile =
  | { readonly kind: 'response'; readonly request: string; readonly code: ResponseCode }
  | { readonly kind: 'response'; readonly request: string; readonly codes: readonly ResponseCode[] }
  | {
      readonly kind: 'deviceState';
      readonly at: TimeText;
      readonly premises: number;
      readonly fuel?: Fuel;
      readonly supply?: SupplyState;
      readonly paymentMode?: PaymentMode;
      readonly balance?: { readonly min?: Pounds; readonly max?: Pounds };
    }
  | {
      readonly kind: 'stateShare';
      readonly at: TimeText;
      readonly group?: MeterGroup;
      readonly fuels?: readonly Fuel[];
      readonly supply?: SupplyState;
      readonly paymentMode?: PaymentMode;
      readonly min?: number;
      readonly max?: number;
    }
  | { readonly kind: 'outcome'; readonly metric: OutcomeMetric; readonly min?: number; readonly max?: number };
