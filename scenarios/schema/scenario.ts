import type { Eui64 } from '../../core/ids.ts';
import type { Money } from '../../core/money.ts';
import type { Instant } from '../../core/time/duration.ts';
import type { LogNormal, Range, TopUpChannel } from '../../emulator/consumer/household.ts';
import type { Fuel } from '../../emulator/devices/common/meter-config.ts';
import type { PaymentMode, SupplyState } from '../../emulator/devices/common/meter-types.ts';
import type { LinkRef } from '../../emulator/bus/fault-plan.ts';
import type { Role } from '../../dsp/access/roles.ts';
import type { AdtThreshold } from '../../dsp/adt/adt-file.ts';
import type { DeviceType, PartyType } from '../../dsp/registry/registry.ts';
import type { ResponseCode } from '../../dsp/response-codes.ts';

/**
 * A scenario in its validated form: what `validateScenario` returns and the
 * runner consumes. Every default is filled in, every time is an `Instant`
 * (ms since the epoch, UTC), every amount of money is `Money` (1 unit =
 * £0.00001), every party is referred to by its scenario id.
 *
 * Files write times as ISO date-times or offsets from `start` (`+3d`,
 * `+2h30m`), durations as `6h`, `21d`, and money in pounds (`12.50`); the
 * format, each field's default and its source are in docs/scenarios.md.
 */
export interface Scenario {
  /** A short name, e.g. `solr-disorderly-exit`. Required. */
  readonly name: string;
  /** What the scenario shows, in a sentence or two. Default ''. */
  readonly description: string;
  /** One seed per run: the same seed gives the same run. Default '1'. */
  readonly seed: string;
  /** When the run starts. Default Monday 2026-01-05 00:00Z, a winter start. // DOMAIN §7.5 */
  readonly start: Instant;
  /** Length of the run, whole days 1..366. Default 28. // DOMAIN §9 (SoLR CoS 14–28 days) */
  readonly days: number;
  /** `start + days` — the first instant after the run; every timeline event is before it. */
  readonly end: Instant;
  readonly estate: Estate;
  readonly parties: Parties;
  readonly policy: Policy;
  /** What happens, in the file's order. Two events at the same instant happen in this order. // DOMAIN §7.2 */
  readonly timeline: readonly TimelineEvent[];
  /** What must hold, checked against the run. Inline `expect`s of service requests are here too, as `response` assertions. */
  readonly assertions: readonly Assertion[];
}

// ---------------------------------------------------------------- estate

/** DUIS `CSPRegion` values. // DOMAIN §3.3 [XSD] */
export const CSP_REGIONS = ['North', 'Central', 'South', '4G North', '4G Central', '4G South', 'SMETS1', 'Unknown'] as const;
export type CspRegion = (typeof CSP_REGIONS)[number];

/**
 * The failed supplier's estate: the premises whose consumers the run follows.
 * Every premises is registered to the failed supplier's MPID at the start.
 * The household parameters have the same meaning as in
 * `emulator/consumer/household.ts`; `householdDefaultsOf` maps them.
 */
export interface Estate {
  /** Number of premises, 1..1 000 000. Default 1 000. */
  readonly premises: number;
  /** Share of premises with a gas meter as well as electricity (the rest are electricity only). Default 0.7. UNVERIFIED */
  readonly dualFuelShare: number;
  /** Share of premises whose meters start in Prepayment mode (the rest in Credit). Default 0.13. // DOMAIN §7.4 (≈13 % of smart meters) */
  readonly prepaymentShare: number;
  /** Share of premises whose meters are SMETS1, reached through the S1SP. Default 0. // DOMAIN §6 */
  readonly smets1Share: number;
  /** Opening meter balance, drawn uniformly per meter. Default £5–£30. UNVERIFIED */
  readonly startBalance: MoneyRange;
  readonly consumption: Consumption;
  readonly topUp: TopUpBehaviour;
  /** Probability that a household accepts emergency credit when offered. Default 0.9. UNVERIFIED; DOMAIN §1.7 */
  readonly emergencyCreditTakeProbability: number;
  readonly enable: EnableBehaviour;
  /** Share of households that are vulnerable (PSR-like). Default 0.3. // DOMAIN §7.5; OPEN-QUESTIONS G4 */
  readonly vulnerableShare: number;
  readonly selfDisconnection: SelfDisconnection;
  /** Share of premises per CSP region; the shares sum to 1. Default an even split of North, Central, South. // OPEN-QUESTIONS D4 */
  readonly cspRegions: ReadonlyMap<CspRegion, number>;
}

/** An inclusive range of money. */
export interface MoneyRange {
  readonly min: Money;
  readonly max: Money;
}

/** Consumption profiles. // DOMAIN §9, §7.5 */
export interface Consumption {
  /** Annual mean electricity use of a typical household. Default 7.5 kWh/day. // DOMAIN §9 */
  readonly electricityKwhPerDay: number;
  /** Annual mean gas use of a typical dual-fuel household. Default 32 kWh/day. // DOMAIN §9 */
  readonly gasKwhPerDay: number;
  /** Spread of household size (sigma of a mean-one log-normal multiplier). Default 0.35. // OPEN-QUESTIONS G2 */
  readonly sizeSigma: number;
}

/** How households top up. // DOMAIN §7.5, §9; OPEN-QUESTIONS G1 */
export interface TopUpBehaviour {
  /** One top-up, whole pounds. Default £10–£20. */
  readonly amount: MoneyRange;
  /** Top-ups a week of a household on a regular habit. Default 1–3. */
  readonly perWeek: Range;
  /** Shares of top-ups at the meter, on the PPMID, remotely; they sum to 1. Default 0.2 / 0.5 / 0.3. UNVERIFIED */
  readonly channels: { readonly meter: number; readonly ppmid: number; readonly remote: number };
  /** Share of households on a regular habit (the rest wait for the low-credit warning). Default 0.3. UNVERIFIED */
  readonly regularShare: number;
  /** Hours from the low-credit warning to the top-up. Default median 4, sigma 0.8. // DOMAIN §1.9 calibration */
  readonly delayAfterLowCreditHours: LogNormal;
  /** Hours from losing supply to the top-up. Default median 1, sigma 0.8. UNVERIFIED */
  readonly delayAfterOffSupplyHours: LogNormal;
}

/** How long households take to press "enable" on an armed meter. // DOMAIN §1.5, §1.6 */
export interface EnableBehaviour {
  /** Minutes after their own top-up armed it. Default median 2, sigma 0.7. UNVERIFIED */
  readonly afterOwnTopUpMinutes: LogNormal;
  /** Hours after an arm they did not cause (SR 1.6 → Credit). Default median 8, sigma 1. // DOMAIN §1.6 (UNVERIFIED) */
  readonly afterExternalArmHours: LogNormal;
}

/** Self-disconnection. // DOMAIN §1.9 [CA] */
export interface SelfDisconnection {
  /** Share of households that self-disconnect. Default 0.05. */
  readonly share: number;
  /** Share of them that are vulnerable. Default 0.88. */
  readonly vulnerableShare: number;
  /** Days off supply before they top up again. Default median 3, sigma 0.5. */
  readonly offSupplyDays: LogNormal;
}

// ---------------------------------------------------------------- parties

/** A party's id inside the scenario, e.g. `small`, `srp`. Timeline events and requests refer to parties by it. */
export type PartyId = string;

/** A DCC User of the scenario. // DOMAIN §4.6, §7.1 */
export interface Party {
  readonly id: PartyId;
  /** A name for reports. Default the id. */
  readonly name: string;
  /** Its EUI-64 entity identifier. Defaults follow the ZAZ1 test identities. // DOMAIN §4.6 */
  readonly eui64: Eui64;
  readonly type: PartyType;
  /**
   * The User Roles it is registered in. Suppliers default to IS and GS. The
   * SRP's role comes from the policy (`PolicyPlan.srpActsAs`), so it has none
   * here.
   */
  readonly roles: readonly Role[];
  /** A supplier's MPID (4 upper-case letters or digits); null for other parties. */
  readonly mpid: string | null;
}

/** Who takes part. // DOMAIN §7.1 */
export interface Parties {
  /** The supplier that fails; owns the estate at the start. Default id `failed`, EUI-64 of ZAZ1 supplier A, MPID SUPA. */
  readonly failedSupplier: Party;
  /** Its Shared Resource Provider, its agent from the start. Default id `srp`, 90-B3-D5-1F-30-05-00-00. // DOMAIN §7.1 */
  readonly srp: Party;
  /** The Supplier of Last Resort. Default id `solr`, EUI-64 of ZAZ1 supplier B, MPID SUPB. */
  readonly solr: Party;
  /** Other suppliers, with no premises of the estate. Default none. */
  readonly suppliers: readonly Party[];
  /** Other DCC Users (network operators, others). Default none. */
  readonly users: readonly Party[];
  /** Every party by id. */
  readonly byId: ReadonlyMap<PartyId, Party>;
}

// ---------------------------------------------------------------- policy

/**
 * The regulatory world. // DOMAIN §7.2, §7.3; MP134A; MP185; MP134B
 * - `none`: certificates revoked with the licence, MPIDs move at SoLR appointment.
 * - `mp134a`: the SMKI PMA delays certificate revocation, so the SRP can act as the failed supplier — until the MPIDs move at SoLR appointment.
 * - `mp134a+mp185`: certificate revocation and MPID transfer both delayed.
 * - `mp134b`: the SoLR Contingency role: the SRP acts in its own role, 1.6 to Credit only, with ADT and Authority instruction.
 * `policyPlan` (policy-plan.ts) says exactly what each changes.
 */
export const POLICY_NAMES = ['none', 'mp134a', 'mp134a+mp185', 'mp134b'] as const;
export type PolicyName = (typeof POLICY_NAMES)[number];

/** A policy and its levers, every lever filled in (from the file, or the policy's default). */
export interface Policy {
  readonly name: PolicyName;
  readonly levers: PolicyLevers;
}

/** The levers inside the policies. Which apply to which policy: `POLICY_LEVERS` in policy-plan.ts. */
export interface PolicyLevers {
  /** Days from licence revocation to certificate revocation (the SMKI PMA's delay). // MP134A; OPEN-QUESTIONS A5 */
  readonly delayRevocationDays: number;
  /** Days from SoLR appointment to the MPID transfer (the SMKI PMA's delay). // MP185; OPEN-QUESTIONS A5 */
  readonly delayMpidTransferDays: number;
  /** How long SoLR–SRP arrangements may last after the SoLR date. Default 90. // MP185 §3; DOMAIN §7.2 step 6 */
  readonly srpWindowDays: number;
  /** The SRVs the SoLR Contingency role may send. Default ['1.6']. // MP134B req 3 */
  readonly solrContingencySrvs: readonly string[];
  /** The SoLR Contingency role's wire code. Default `SC`. UNVERIFIED // OPEN-QUESTIONS A2 */
  readonly solrContingencyRoleCode: string;
  /** What an SRP gets once the failed supplier's MPIDs have moved. Default E4. UNVERIFIED // OPEN-QUESTIONS A4; MP185 */
  readonly afterMpidTransferCode: 'E4' | 'X6';
}

// ---------------------------------------------------------------- timeline

/** What every timeline event has. */
interface At {
  /** When it happens, within the run: `start <= at < end`. */
  readonly at: Instant;
}

/** The channels a supplier sells credit through. // DOMAIN §2.3 */
export const VENDING_CHANNELS = ['utrn', 'remote', 'phone'] as const;
/** `utrn`: codes to key in at the meter or PPMID; `remote`: top-ups sent over the air; `phone`: the customer line (help, emergency credit). */
export type VendingChannel = (typeof VENDING_CHANNELS)[number];

/** The failed supplier stops selling: no new UTRNs, no remote top-ups, no phone line. // DOMAIN §7.1 ("may have no staff") */
export interface VendingStopsEvent extends At {
  readonly kind: 'vendingStops';
  /** Default the failed supplier. */
  readonly supplier: PartyId;
  /** Default all three. */
  readonly channels: readonly VendingChannel[];
}

/** A supplier starts selling to consumers whose meters have moved to it by Change of Supplier. // DOMAIN §7.2 step 5 */
export interface VendingStartsEvent extends At {
  readonly kind: 'vendingStarts';
  /** Default the SoLR. */
  readonly supplier: PartyId;
  /** Default all three. */
  readonly channels: readonly VendingChannel[];
}

/**
 * The Authority revokes a supplier's licence; its SMKI certificates are
 * revoked at `certificatesRevokedAt` (= `at` unless the policy lets the SMKI
 * PMA delay it). `DspAdmin.revokeLicence`. // DOMAIN §7.2 steps 1–3; MP134A
 */
export interface LicenceRevokedEvent extends At {
  readonly kind: 'licenceRevoked';
  /** Default the failed supplier. */
  readonly supplier: PartyId;
  /** From the file's `certificatesRevoked`, else `at + delayRevocationDays`. */
  readonly certificatesRevokedAt: Instant;
}

/** SECAS puts a supplier on the failed-supplier list, or takes it off. `DspAdmin.setFailedSupplier`. // MP134B req 6 */
export interface FailedSupplierListEvent extends At {
  readonly kind: 'failedSupplierList';
  /** Default the failed supplier. */
  readonly supplier: PartyId;
  /** Default true. */
  readonly listed: boolean;
}

/**
 * The Authority appoints the SoLR; the failed supplier's MPIDs move to it at
 * `mpidsTransferAt` (= `at` unless the policy lets the SMKI PMA delay it).
 * `DspAdmin.appointSolr`. // DOMAIN §7.2 steps 2, 4; MP185
 */
export interface SolrAppointedEvent extends At {
  readonly kind: 'solrAppointed';
  /** Default the failed supplier. */
  readonly failed: PartyId;
  /** Default the SoLR. */
  readonly solr: PartyId;
  /** From the file's `mpidsTransferred`, else `at + delayMpidTransferDays`. */
  readonly mpidsTransferAt: Instant;
}

/** An SRP becomes a supplier's agent (the scenario's SRP is the failed supplier's from the start). `DspAdmin.appointSrp`. // DOMAIN §7.1 */
export interface SrpAppointedEvent extends At {
  readonly kind: 'srpAppointed';
  /** Default the scenario's SRP. */
  readonly srp: PartyId;
  /** Default the failed supplier. */
  readonly supplier: PartyId;
  /** When the arrangement ends; null for open-ended (the SRP window still applies). */
  readonly until: Instant | null;
}

/** The Authority instructs an SRP to act for a failed supplier. `DspAdmin.instruct`. // MP134B req 6; MP134A */
export interface AuthorityInstructionEvent extends At {
  readonly kind: 'authorityInstruction';
  /** The instruction's reference, unique in the scenario. Default `instruction-<index>`. */
  readonly reference: string;
  /** Default the scenario's SRP. */
  readonly srp: PartyId;
  /** Default the failed supplier. */
  readonly supplier: PartyId;
}

/** The Authority withdraws an earlier instruction. `DspAdmin.withdrawInstruction`. */
export interface InstructionWithdrawnEvent extends At {
  readonly kind: 'instructionWithdrawn';
  /** An earlier `authorityInstruction`'s reference. */
  readonly reference: string;
}

/** A User's ARO/SRO uploads an Anomaly Detection Threshold file. `DspAdmin.uploadAdt`. // MP134B req 4; DOMAIN §4.7 */
export interface AdtUploadEvent extends At {
  readonly kind: 'adtUpload';
  /** Default the scenario's SRP. */
  readonly user: PartyId;
  /** Default SoLRContingency. */
  readonly role: Role;
  readonly thresholds: readonly AdtThreshold[];
}

/** The DCC suspends or restores a User. `DspAdmin.setUserStatus`. // DOMAIN §4.4 E3 */
export interface UserStatusEvent extends At {
  readonly kind: 'userStatus';
  readonly user: PartyId;
  readonly status: 'active' | 'suspended';
}

/** How a batch of SR 1.6 requests is paced. UNVERIFIED: no source gives an SRP's or SoLR's sending rate. */
export interface Batching {
  /** Meters per batch. Default 1 000. */
  readonly batchSize: number;
  /** Time between the starts of two batches. Default 1 h. */
  readonly everyMs: number;
}

/**
 * The SRP switches the failed supplier's prepayment meters to Credit ("safe
 * mode") with SR 1.6, in batches: CV 4 and the signed CV 5 for SMETS2, CV 5
 * for SMETS1. Meters already in Credit are left alone. // DOMAIN §7.2 step 3, §1.6; MP134B req 3, 5
 */
export interface SrpSwitchToCreditEvent extends At, Batching {
  readonly kind: 'srpSwitchToCredit';
  /** Default the scenario's SRP. */
  readonly srp: PartyId;
  /** Whose meters. Default the failed supplier. */
  readonly supplier: PartyId;
  /** Default both. */
  readonly fuels: readonly Fuel[];
}

/**
 * Change of Supplier for every meter of the estate, one meter at a time at
 * instants spread uniformly over `spreadMs` from `at`. `DspAdmin.changeOfSupplier`.
 * // DOMAIN §7.2 step 5, §9 (14–28 days); OPEN-QUESTIONS A6
 */
export interface ChangeOfSupplierEvent extends At {
  readonly kind: 'changeOfSupplier';
  /** Default the failed supplier. */
  readonly from: PartyId;
  /** Default the SoLR. */
  readonly to: PartyId;
  /** Default 21 days. */
  readonly spreadMs: number;
  /** Default both. */
  readonly fuels: readonly Fuel[];
}

/**
 * The SoLR switches meters that were in Prepayment at the start back to
 * Prepayment with SR 1.6, once their Change of Supplier to it is done, in
 * batches. // OPEN-QUESTIONS A7
 */
export interface SolrSwitchToPrepaymentEvent extends At, Batching {
  readonly kind: 'solrSwitchToPrepayment';
  /** Default the SoLR. */
  readonly solr: PartyId;
  /** Default both. */
  readonly fuels: readonly Fuel[];
  /** The body's disablement threshold. Default £0. // DOMAIN §9 */
  readonly disablementThreshold: Money;
  /** Suspend debt recovery while disabled. Default true. UNVERIFIED */
  readonly suspendDebtDisabled: boolean;
  /** Suspend debt recovery on emergency credit. Default true. UNVERIFIED */
  readonly suspendDebtEmergency: boolean;
}

/** The WAN is down for a share of comms hubs (optionally of one CSP region). // DOMAIN §3.3; OPEN-QUESTIONS D2 */
export interface WanOutageEvent extends At {
  readonly kind: 'wanOutage';
  /** Share of the hubs (of the region, if one is named) that lose the WAN. Default 1. */
  readonly share: number;
  /** Only hubs of this region; null for all regions. Default null. */
  readonly region: CspRegion | null;
  readonly durationMs: number;
}

/** Mains power is lost at a share of premises: the ESME powers the comms hub, so both go quiet. // DOMAIN §3.1, §3.3 */
export interface HubPowerLossEvent extends At {
  readonly kind: 'hubPowerLoss';
  /** Default 1. */
  readonly share: number;
  readonly durationMs: number;
}

/** The MQTT broker restarts; every client reconnects. */
export interface BrokerRestartEvent extends At {
  readonly kind: 'brokerRestart';
  /** How long it is down. Default 10 s. */
  readonly durationMs: number;
}

/** The DSP is unreachable: nothing reaches it or leaves it. */
export interface DspOutageEvent extends At {
  readonly kind: 'dspOutage';
  readonly durationMs: number;
}

/** Messages on one bus link are lost with a probability for a while. // emulator/bus/fault-plan.ts */
export interface MessageLossEvent extends At {
  readonly kind: 'messageLoss';
  /** A client's uplink or a topic filter. */
  readonly link: LinkRef;
  /** Probability a message is lost. Default 1. */
  readonly drop: number;
  readonly durationMs: number;
}

/** Where a request goes. */
export type RequestTarget =
  /** A device of a premises of the estate (index 0..premises-1). A GSME exists only at dual-fuel premises. */
  | { readonly kind: 'premises'; readonly premises: number; readonly device: DeviceType }
  /** Any EUI-64, in the inventory or not (E19). */
  | { readonly kind: 'eui64'; readonly eui64: Eui64 };

/** SR 1.6 to Credit. // DOMAIN §4.10 */
export interface CreditModeBody {
  readonly kind: 'updatePaymentMode';
  readonly mode: 'credit';
  /** Future-dated execution; null = now. */
  readonly executionAt: Instant | null;
}

/** SR 1.6 to Prepayment. // DOMAIN §4.10 */
export interface PrepaymentModeBody {
  readonly kind: 'updatePaymentMode';
  readonly mode: 'prepayment';
  readonly executionAt: Instant | null;
  readonly suspendDebtDisabled: boolean;
  readonly suspendDebtEmergency: boolean;
  readonly disablementThreshold: Money;
}

/** SR 2.2: a UTRN the runner mints for the target with the sender's key, or one written out (which may be bad). // DOMAIN §2.2 */
export interface TopUpDeviceBody {
  readonly kind: 'topUpDevice';
  readonly utrn: { readonly kind: 'mint'; readonly amount: Money } | { readonly kind: 'literal'; readonly utrn: string };
}

/** Bodies with no fields. */
export const EMPTY_BODY_KINDS = [
  'readInstantaneousPrepayValues',
  'readMeterBalance',
  'enableSupply',
  'disableSupply',
  'armSupply',
  'readSupplyStatus',
] as const;
export type EmptyBodyKind = (typeof EMPTY_BODY_KINDS)[number];

/** A request body the twin does not model, as hex bytes (the DSP answers X13 or X1). */
export interface OpaqueBody {
  readonly kind: 'opaque';
  /** Even-length hex, possibly empty. */
  readonly hex: string;
}

/** A Service Request body. // proto/types.ts ServiceRequestBody */
export type RequestBody = CreditModeBody | PrepaymentModeBody | TopUpDeviceBody | { readonly kind: EmptyBodyKind } | OpaqueBody;

/**
 * Any User sends any Service Request — including ones that must fail. The
 * header is what is written; nothing is checked against the access matrix
 * here, because the DSP's answer is what the scenario is about. // DOMAIN §4.1–§4.3
 */
export interface ServiceRequestEvent extends At {
  readonly kind: 'serviceRequest';
  /** Its id for assertions: the file's `id`, else `timeline[<index>]`. Unique. */
  readonly id: string;
  /** The sender. */
  readonly user: PartyId;
  /**
   * The User Role in the header; null = the runner's default: a supplier's role
   * for the device's fuel (IS for ESME, GS for GSME), the SRP's per the policy
   * plan, another User's first role.
   */
  readonly role: Role | null;
  /** Syntactically an SRV (`1.6`, `4.1.1`); it may be unknown to the catalogue (X11). */
  readonly srv: string;
  /** 0..99; 1–8 are valid, anything else is answered E12. */
  readonly commandVariant: number;
  /** After a CV 4 transform (I0), the User signs the Pre-Command and sends it with this CV; null = stop at the transform. Default 5 for CV 4, else null. // DOMAIN §4.3 */
  readonly signedSend: 5 | 6 | 7 | null;
  readonly target: RequestTarget;
  readonly body: RequestBody;
}

/** A household tops up one meter. // DOMAIN §2.3 */
export interface ConsumerTopUpEvent extends At {
  readonly kind: 'consumerTopUp';
  /** Premises index, 0..premises-1. */
  readonly premises: number;
  /** Default electricity. */
  readonly fuel: Fuel;
  /** Whole pounds or not: any amount the meter's UTRN limit allows. */
  readonly amount: Money;
  /** Default meter. */
  readonly channel: TopUpChannel;
}

/** A household presses "enable" on an armed meter. // DOMAIN §1.5 */
export interface ConsumerEnableEvent extends At {
  readonly kind: 'consumerEnable';
  readonly premises: number;
  /** Default electricity. */
  readonly fuel: Fuel;
  /** Default meter. Gas can only be enabled at the meter. // OPEN-QUESTIONS B3 */
  readonly via: 'meter' | 'ppmid';
}

/** A household takes emergency credit. // DOMAIN §1.7 */
export interface ConsumerEmergencyCreditEvent extends At {
  readonly kind: 'consumerEmergencyCredit';
  readonly premises: number;
  /** Default electricity. */
  readonly fuel: Fuel;
  /** Default meter. */
  readonly via: 'meter' | 'ppmid';
}

/** Everything that can happen on the timeline, discriminated by `kind`. */
export type TimelineEvent =
  | VendingStopsEvent
  | VendingStartsEvent
  | LicenceRevokedEvent
  | FailedSupplierListEvent
  | SolrAppointedEvent
  | SrpAppointedEvent
  | AuthorityInstructionEvent
  | InstructionWithdrawnEvent
  | AdtUploadEvent
  | UserStatusEvent
  | SrpSwitchToCreditEvent
  | ChangeOfSupplierEvent
  | SolrSwitchToPrepaymentEvent
  | WanOutageEvent
  | HubPowerLossEvent
  | BrokerRestartEvent
  | DspOutageEvent
  | MessageLossEvent
  | ServiceRequestEvent
  | ConsumerTopUpEvent
  | ConsumerEnableEvent
  | ConsumerEmergencyCreditEvent;

export type TimelineKind = TimelineEvent['kind'];

/** The timeline kinds that are faults. */
export const FAULT_KINDS = [
  'wanOutage',
  'hubPowerLoss',
  'brokerRestart',
  'dspOutage',
  'messageLoss',
] as const satisfies readonly TimelineKind[];

// ---------------------------------------------------------------- assertions

/**
 * The response codes the sender of a service request receives for its
 * RequestID. `final`: the last one is `code` (a refusal, or the device's
 * answer I0, E20, E21, or X9 when quarantined). `sequence`: exactly these, in
 * order — e.g. a CV 4 request sent on with CV 5 and executed: I0, I99, I0.
 */
export interface ResponseAssertion {
  readonly kind: 'response';
  /** A `serviceRequest`'s id. */
  readonly request: string;
  readonly expect:
    | { readonly match: 'final'; readonly code: ResponseCode }
    | { readonly match: 'sequence'; readonly codes: readonly ResponseCode[] };
}

/** One meter's state at an instant. At least one of `supply`, `paymentMode`, `balance` is set. */
export interface DeviceStateAssertion {
  readonly kind: 'deviceState';
  readonly at: Instant;
  readonly premises: number;
  /** Default electricity. */
  readonly fuel: Fuel;
  readonly supply: SupplyState | null;
  readonly paymentMode: PaymentMode | null;
  /** Bounds on the meter balance; either end may be null. */
  readonly balance: { readonly min: Money | null; readonly max: Money | null } | null;
}

/** The groups of meters a `stateShare` assertion counts over. */
export const METER_GROUPS = ['all', 'prepayment', 'credit'] as const;
/** `prepayment`/`credit`: the meters in that mode at the start. */
export type MeterGroup = (typeof METER_GROUPS)[number];

/** The share of a group's meters in a state at an instant lies within bounds. */
export interface StateShareAssertion {
  readonly kind: 'stateShare';
  readonly at: Instant;
  /** Default prepayment. */
  readonly group: MeterGroup;
  /** Default both. */
  readonly fuels: readonly Fuel[];
  /** At least one of `supply` and `paymentMode`; a meter counts when it matches every one given. */
  readonly supply: SupplyState | null;
  readonly paymentMode: PaymentMode | null;
  /** Share bounds, 0..1; either may be null, not both. */
  readonly min: number | null;
  readonly max: number | null;
}

/** Outcome metrics of a run, for thresholds. Counts unless the name says otherwise. // docs/scenarios.md */
export const OUTCOME_METRICS = [
  'consumersOffSupply',
  'consumersOffSupplyShare',
  'vulnerableConsumersOffSupply',
  'meanHoursOffPerAffectedConsumer',
  'meterHoursOffCredit',
  'meterHoursOffArmed',
  'meterHoursOffRemote',
  'topUpsRejected',
  'metersSwitchedToCredit',
  'requestsRefused',
  'requestsQuarantined',
] as const;
export type OutcomeMetric = (typeof OUTCOME_METRICS)[number];

/** A metric of the whole run lies within bounds (either may be null, not both). */
export interface OutcomeAssertion {
  readonly kind: 'outcome';
  readonly metric: OutcomeMetric;
  readonly min: number | null;
  readonly max: number | null;
}

/** What must hold, discriminated by `kind`. */
export type Assertion = ResponseAssertion | DeviceStateAssertion | StateShareAssertion | OutcomeAssertion;

export type AssertionKind = Assertion['kind'];
