import type { Money } from '../core/money.ts';
import type { Instant } from '../core/time/duration.ts';
import type { MeterFailure } from '../emulator/devices/common/meter-types.ts';
import type { PrepayConfig } from '../emulator/devices/common/prepay-config.ts';

/**
 * The bus messages of `proto/gbsm/v1/*.proto` as plain, exactly typed values:
 * what `decodeEnvelope` returns and `encodeEnvelope` takes. Field names are
 * the protobuf names in camelCase. A `oneof` becomes a union discriminated by
 * `kind`, the member's name, with the member's value under that same name:
 * `{ kind: 'hanCommand', hanCommand: … }`.
 *
 * 64-bit integers: money and instants are `number` (safe integers; anything
 * else on the wire is refused), counters are `bigint` (0..2^64-1).
 */

/** A message with no fields (a request without body). */
export type Empty = { readonly [field: string]: never };

// ---- Envelope (envelope.proto) ----

/** The header every bus message carries. // DOMAIN §4.1 */
export interface EnvelopeHeader {
  /** Unique per message, for deduplicating at-least-once delivery. */
  readonly messageId: string;
  /** DUIS RequestID `EUI:EUI:counter`, or '' when there is none. */
  readonly requestId: string;
  /** Sender's EUI-64, canonical form (not checked by the codec). */
  readonly originator: string;
  /** Addressee's EUI-64, canonical form (not checked by the codec). */
  readonly target: string;
  /** The originator's counter, 0..2^64-1. */
  readonly counter: bigint;
  /** Virtual time the message was sent. */
  readonly at: Instant;
}

/** The one body of an envelope. */
export type EnvelopeBody =
  | { readonly kind: 'hanCommand'; readonly hanCommand: HanCommand }
  | { readonly kind: 'hanResponse'; readonly hanResponse: HanResponse }
  | { readonly kind: 'deviceAlert'; readonly deviceAlert: DeviceAlert }
  | { readonly kind: 'wanCommand'; readonly wanCommand: WanCommand }
  | { readonly kind: 'wanResponse'; readonly wanResponse: WanResponse }
  | { readonly kind: 'serviceRequest'; readonly serviceRequest: ServiceRequest }
  | { readonly kind: 'serviceResponse'; readonly serviceResponse: ServiceResponse }
  | { readonly kind: 'dccAlert'; readonly dccAlert: DccAlert }
  | { readonly kind: 'clockBarrier'; readonly clockBarrier: ClockBarrier };

/** A bus message (`gbsm.v1.Envelope`); `schema_version` is the codec's business. */
export type Envelope = EnvelopeHeader & EnvelopeBody;

/** The kinds of envelope body. */
export type EnvelopeKind = EnvelopeBody['kind'];

// ---- HAN (han.proto) ----

/** Where a consumer or command acted. */
export type Via = 'meter' | 'ppmid' | 'remote';

/** A command to a meter over the HAN (a MeterEvent other than `clock.due`). */
export type HanCommand = {
  /** Correlates the response; absent when nothing waits for one. */
  readonly ref?: string;
  /** When the device acts on it. */
  readonly now: Instant;
  /** A critical command's signed Pre-Command; absent on commands that carry none. */
  readonly authorisation?: CommandAuthorisation;
} & HanCommandBody;

/** A signed Pre-Command on its way to the device. // DOMAIN §4.3 */
export interface CommandAuthorisation {
  /** The encoded `PreCommand`, exactly as signed. */
  readonly preCommand: Uint8Array;
  /** ECDSA P-256 / SHA-256, 64 bytes r‖s. */
  readonly signature: Uint8Array;
}

/** A critical command as the DSP transforms it for the User to sign (CV 4). // DOMAIN §4.3 */
export interface PreCommand {
  readonly requestId: string;
  /** The remote party whose Digital-Signing key must sign it. */
  readonly remoteParty: string;
  readonly device: string;
  readonly counter: bigint;
  readonly serviceReferenceVariant: string;
  /** The command, without `authorisation`. */
  readonly command: HanCommand;
}

/** The command proper: one member per MeterEvent type, and the device's own security commands. */
export type HanCommandBody =
  | { readonly kind: 'creditUtrn'; readonly creditUtrn: CreditUtrn }
  | { readonly kind: 'ecActivate'; readonly ecActivate: { readonly via: Via } }
  | { readonly kind: 'supplyEnableLocal'; readonly supplyEnableLocal: { readonly via: Via } }
  | { readonly kind: 'supplyEnable'; readonly supplyEnable: Empty }
  | { readonly kind: 'supplyDisable'; readonly supplyDisable: Empty }
  | { readonly kind: 'supplyArm'; readonly supplyArm: Empty }
  | { readonly kind: 'modeSet'; readonly modeSet: ModeSet }
  | { readonly kind: 'configPrepay'; readonly configPrepay: { readonly prepay: PrepayConfigMessage } }
  | { readonly kind: 'configDebt'; readonly configDebt: ConfigDebt }
  | { readonly kind: 'balanceAdjust'; readonly balanceAdjust: BalanceAdjust }
  | { readonly kind: 'readSupplyStatus'; readonly readSupplyStatus: Empty }
  | { readonly kind: 'readPrepayValues'; readonly readPrepayValues: Empty }
  | { readonly kind: 'readBalance'; readonly readBalance: Empty }
  | { readonly kind: 'readPrepayConfig'; readonly readPrepayConfig: Empty }
  /** Change of Supplier (CS02b supplierByTransCoS): a security command for the device itself, not a meter event. // DOMAIN §5.3 */
  | { readonly kind: 'updateSupplierCredentials'; readonly updateSupplierCredentials: UpdateSupplierCredentials };

/** The supplier credentials a device is told to trust. // DOMAIN §5.3 */
export interface UpdateSupplierCredentials {
  readonly supplier: string;
  /** 65 bytes, uncompressed P-256. */
  readonly publicKey: Uint8Array;
}

/** The kinds of HAN command. */
export type HanCommandKind = HanCommandBody['kind'];

/** A UTRN to credit, with the full counter when the sender knows it. // DOMAIN §2.2 */
export interface CreditUtrn {
  readonly utrn: string;
  readonly via: Via;
  readonly counter?: bigint;
}

/** SR 1.6: credit mode, or prepayment mode with its settings. */
export type ModeSet =
  | { readonly kind: 'credit'; readonly credit: Empty }
  | {
      readonly kind: 'prepayment';
      readonly prepayment: {
        readonly disablementThreshold: Money;
        readonly suspendDebtDisabled: boolean;
        readonly suspendDebtEmergency: boolean;
      };
    };

/** `gbsm.v1.PrepayConfig`: the meter's prepay configuration itself, money in £0.00001. */
export type PrepayConfigMessage = PrepayConfig;

/** SR 2.3: registers to add and, optionally, new recovery settings. */
export interface ConfigDebt {
  readonly add: {
    readonly timeDebt1?: Money;
    readonly timeDebt2?: Money;
    readonly paymentDebt?: Money;
  };
  readonly debt?: DebtConfigMessage;
}

/** `gbsm.v1.DebtConfig`; an absent cap is `null` (uncapped). */
export interface DebtConfigMessage {
  readonly timeDebt1: TimeDebtRecoveryMessage;
  readonly timeDebt2: TimeDebtRecoveryMessage;
  readonly timeDebtCap: DebtCapMessage | null;
  readonly paymentDebtBasisPoints: number;
  readonly paymentDebtCap: DebtCapMessage | null;
}

export interface TimeDebtRecoveryMessage {
  readonly rate: Money;
  readonly period: 'hourly' | 'daily';
}

export interface DebtCapMessage {
  readonly amount: Money;
  readonly periodMs: number;
}

/** SR 1.5: adjust the meter balance by, or reset it to, an amount. */
export interface BalanceAdjust {
  readonly kind: 'adjust' | 'reset';
  readonly amount: Money;
}

/** The MeterEvent type a response answers, as the HAN names it. */
export type CommandType = HanCommandKind | 'clockDue';

/** Why a meter refused a command: the device's own reasons, one for one. */
export type FailureReason = MeterFailure;

/** A value of a response body, kept exactly: text, number, flag or null. */
export type BodyValue = string | number | boolean | null;

/** A meter's answer (MeterResponse) on the HAN. */
export interface HanResponse {
  readonly ref: string | null;
  readonly command: CommandType;
  readonly outcome: 'success' | 'failure';
  readonly reason?: FailureReason;
  /** Absent when the meter sent none, which differs from `{}`. */
  readonly body?: Readonly<Record<string, BodyValue>>;
}

// ---- WAN (wan.proto) ----

/** A HAN command the DSP sends through a comms hub to one device. */
export interface WanCommand {
  readonly commsHub: string;
  readonly device: string;
  readonly command: HanCommand;
}

/** A device's response carried back by its comms hub. */
export interface WanResponse {
  readonly commsHub: string;
  readonly device: string;
  readonly response: HanResponse;
}

// ---- DUIS (dsp.proto) ----

/** The DUIS request header. // DOMAIN §4.1 */
export interface DuisRequestHeader {
  readonly requestId: string;
  /** ServiceReference, e.g. '1.6'. */
  readonly serviceReference: string;
  /** ServiceReferenceVariant, e.g. '1.6' or '4.1.1'. */
  readonly serviceReferenceVariant: string;
  /** CommandVariant 1–8; not checked by the codec (the DSP answers E12). */
  readonly commandVariant: number;
  readonly businessOriginator: string;
  readonly businessTarget: string;
  /** The User Role code the request is sent in ('' when none was given). */
  readonly userRole: string;
}

/** The User's signature over a request (DUIS XML-DSig). // DOMAIN §4.1 */
export interface XmlSignature {
  readonly certificateSerial: bigint;
  readonly signature: Uint8Array;
  /**
   * For a request read from signed DUIS XML: the exclusive-canonical
   * SignedInfo the signature is over (whose Reference digest the XML gateway
   * checked against the document the request came from). Absent: the
   * signature is over `requestSignedContent(request)`.
   */
  readonly signedInfo?: Uint8Array;
}

/** A DUIS Service Request: header, the User's signature, and one body. */
export type ServiceRequest = {
  readonly header: DuisRequestHeader;
  /** Absent on an unsigned request. */
  readonly xmlSignature?: XmlSignature;
} & ServiceRequestBody;

export type ServiceRequestBody =
  | { readonly kind: 'signedPreCommand'; readonly signedPreCommand: SignedPreCommand }
  | { readonly kind: 'opaque'; readonly opaque: Uint8Array }
  | { readonly kind: 'updatePaymentMode'; readonly updatePaymentMode: UpdatePaymentMode }
  | { readonly kind: 'topUpDevice'; readonly topUpDevice: { readonly utrn: string } }
  | { readonly kind: 'readInstantaneousPrepayValues'; readonly readInstantaneousPrepayValues: Empty }
  | { readonly kind: 'readMeterBalance'; readonly readMeterBalance: Empty }
  | { readonly kind: 'enableSupply'; readonly enableSupply: Empty }
  | { readonly kind: 'disableSupply'; readonly disableSupply: Empty }
  | { readonly kind: 'armSupply'; readonly armSupply: Empty }
  | { readonly kind: 'readSupplyStatus'; readonly readSupplyStatus: Empty };

/** The kinds of Service Request body. */
export type ServiceRequestKind = ServiceRequestBody['kind'];

/** CV 5/6/7: a Pre-Command and the User's signature over it. // DOMAIN §4.3 */
export interface SignedPreCommand {
  readonly command: Uint8Array;
  readonly signature: Uint8Array;
}

/** SR 1.6 UpdatePaymentMode. // DOMAIN §4.10 */
export type UpdatePaymentMode = {
  /** Future-dated execution; absent = now. */
  readonly executionDateTime?: Instant;
} & (
  | { readonly kind: 'credit'; readonly credit: Empty }
  | {
      readonly kind: 'prepayment';
      readonly prepayment: {
        readonly suspendDebtDisabled: boolean;
        readonly suspendDebtEmergency: boolean;
        readonly disablementThreshold: Money;
      };
    }
);

/** A DUIS response: acknowledgement, Pre-Command (CV 4) or device response. // DOMAIN §4.3 */
export interface ServiceResponse {
  readonly requestId: string;
  /** ResponseCode, e.g. 'I0', 'I99', 'E4'. // DOMAIN §4.4 */
  readonly responseCode: string;
  readonly preCommand?: Uint8Array;
  readonly body: Readonly<Record<string, string>>;
}

// ---- Alerts (alerts.proto) ----

/** A Device Alert as the device raised it. // DOMAIN §4.5 */
export interface DeviceAlert {
  /** GBCS alert code, e.g. 0x8F0F (emulator/devices/common/alerts.ts). */
  readonly code: number;
  readonly device: string;
  readonly at: Instant;
  readonly critical: boolean;
}

/** A DCC Alert. // DOMAIN §4.5 */
export interface DccAlert {
  /** DCCAlertCode, e.g. 'N12'. */
  readonly code: string;
  readonly text: string;
  /** '' when the alert concerns no request. */
  readonly requestId: string;
}

// ---- Simulation (sim.proto) ----

/** A shard's report at the virtual-time barrier. */
export interface ClockBarrier {
  readonly instant: Instant;
  readonly shard: number;
  /** Everything the shard published for `instant` has been delivered and handled. */
  readonly quiet: boolean;
}
