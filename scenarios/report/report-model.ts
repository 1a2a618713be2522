import type { SatKind } from '../../dsp/audit/service-audit-trail.ts';

/**
 * What a scenario run reports: the run, the assumptions it used, one result
 * per policy run on the same estate and seed, and the assertions checked.
 * `report.json` is this value as JSON; `report.schema.json` beside this file
 * describes the same shape and must change with it.
 *
 * Conventions, so that every number carries its unit:
 * - instants are ISO-8601 UTC strings (`2026-01-05T00:00:00Z`, as
 *   `formatInstant` writes them);
 * - durations are whole or fractional minutes in fields named `…Minutes`, and
 *   the one wall-clock figure is `wallClockSeconds`;
 * - counts are plain integers of what the field names (consumers, meters,
 *   requests, alerts, records).
 *
 * Everything but `run.wallClockSeconds` is a pure function of the scenario
 * and its seed, so two runs of one scenario give reports that differ only
 * there.
 *
 * Size: totals, group tables, the time series and the distributions are
 * fixed-size or grow with the number of days, policies, Users and codes —
 * never with the number of premises. Only `consumers.records` is per
 * consumer, and it is bounded (see `ConsumerDetail`), so a report on 500 000
 * premises stays a few megabytes.
 */
export interface Report {
  /** The layout of this report; changes when a field changes meaning or goes. */
  readonly reportVersion: typeof REPORT_VERSION;
  readonly run: RunInfo;
  /** One result per policy, in the order the scenario names them. */
  readonly policies: readonly PolicyResult[];
  /** Every assertion checked, passed or failed, in the order the scenario names them. */
  readonly assertions: readonly AssertionResult[];
}

/** The current `reportVersion`. */
export const REPORT_VERSION = 1;

/** An ISO-8601 UTC date-time, e.g. `2026-01-05T00:00:00Z`. */
export type IsoInstant = string;

/** What was run. */
export interface RunInfo {
  /** The scenario's name, as its file gives it. Free text from a user's file: writers escape it. */
  readonly scenario: string;
  /** The scenario's own description in words, or `''`. */
  readonly description: string;
  /** The run seed: the same seed gives the same report (but for `wallClockSeconds`). */
  readonly seed: string;
  /** Virtual start and end of the run. */
  readonly start: IsoInstant;
  readonly end: IsoInstant;
  /** Simulated days, `end - start` in days. */
  readonly days: number;
  /** Premises (homes) in the estate, the same under every policy. */
  readonly premises: number;
  /** The message bus the run used, in words: `memory`, `aedes`, `mosquitto`, or a broker URL without credentials. */
  readonly bus: string;
  /** Wall-clock time the whole run took, all policies, in seconds. The only field that depends on the machine. */
  readonly wallClockSeconds: number;
  /**
   * The assumptions and parameters the run used, by name (e.g.
   * `emergencyCreditGbp`), each with its value, unit and where the value
   * comes from. In the order the parameter sheet gives them.
   */
  readonly assumptions: Readonly<Record<string, Assumption>>;
  /** The DCC Users and other parties the report names, so tables can show a name beside an id. */
  readonly parties: readonly Party[];
}

/** One assumption or parameter of the run. */
export interface Assumption {
  readonly value: string | number | boolean | null;
  /** The value's unit in words (`GBP`, `minutes`, `kWh per day`), or `''` for a unitless value. */
  readonly unit: string;
  /** Where the value comes from: a document and section, or `default, UNVERIFIED` and why. */
  readonly source: string;
}

/** A party the report names. */
export interface Party {
  /** Its identifier as it appears elsewhere in the report (an EUI-64 for DCC Users). */
  readonly id: string;
  /** A name a reader recognises, e.g. `SRP for Supplier A`. */
  readonly name: string;
  /** What it does in the scenario, in words, e.g. `Shared Resource Provider acting in the SoLR Contingency role`. */
  readonly role: string;
}

/**
 * Why a meter had no supply: it disabled itself for lack of credit; it was
 * armed and waiting for the consumer to press the button; a remote Disable
 * turned it off; or a fault (a device or communications failure the scenario
 * injected) left it off.
 */
export type OffSupplyCause = 'credit' | 'armed' | 'remote' | 'fault';

export const OFF_SUPPLY_CAUSES: readonly OffSupplyCause[] = ['credit', 'armed', 'remote', 'fault'];

/**
 * The groups outcomes are split by. A consumer is in `prepayment` when at
 * least one of its meters was in prepayment mode at the start of the run,
 * and in `credit` otherwise, so those two partition `all`; `vulnerable` and
 * `selfDisconnecting` are subsets of `all` that may overlap.
 */
export type ConsumerGroup = 'all' | 'prepayment' | 'credit' | 'vulnerable' | 'selfDisconnecting';

export const CONSUMER_GROUPS: readonly ConsumerGroup[] = ['all', 'prepayment', 'credit', 'vulnerable', 'selfDisconnecting'];

/** The result of running the estate under one policy. */
export interface PolicyResult {
  /** The policy's name, as the scenario gives it. Free text from a user's file: writers escape it. */
  readonly policy: string;
  /** What the policy does, in words, or `''`. */
  readonly description: string;
  /** Outcomes for all consumers and for each group. */
  readonly outcomes: Readonly<Record<ConsumerGroup, GroupOutcome>>;
  readonly offSupplySeries: OffSupplySeries;
  readonly timeToSafeMode: TimeToSafeMode;
  /** Service requests per authenticated sender, in order of each sender's first request. */
  readonly serviceRequests: readonly UserRequests[];
  readonly quarantines: QuarantineSummary;
  /** Device and DCC alerts by source, code and recipient; largest count first. */
  readonly alerts: readonly AlertCount[];
  /** The DSP's Service Audit Trail, or null when the policy ran without a DSP. */
  readonly audit: AuditSummary | null;
  /** What the scenario's faults did to messages (all zero in a run without faults). */
  readonly faults: FaultSummary;
  readonly consumers: ConsumerDetail;
}

/**
 * What the scenario's faults did to messages, counted. Alerts raised behind
 * an offline comms hub are queued or, when its queue is full, lost:
 * `alertsQueued = alertsDeliveredLate + alertsQueuedAtEnd`. docs/scenarios.md "Faults".
 */
export interface FaultSummary {
  /** Device alerts raised while their comms hub was offline (WAN outage, power cut, broker down) and queued in it. */
  readonly alertsQueued: number;
  /** Of them, sent up when the hub was back online. */
  readonly alertsDeliveredLate: number;
  /** Still queued when the run ended. */
  readonly alertsQueuedAtEnd: number;
  /** Alerts raised behind an offline hub whose queue was full: lost. */
  readonly alertsLost: number;
  /** Commands that reached, and meter answers that left, an offline comms hub: lost (the DSP answers E21 at its deadline). */
  readonly lostAtOfflineHub: number;
  /** Messages to or from the DSP held at its edge while it was unreachable (DSP outage, broker down), handed on when it was back. */
  readonly heldForDsp: number;
  /** Messages lost on a link by a message-loss fault. */
  readonly messagesLost: number;
}

/** Outcomes of one group of consumers under one policy. */
export interface GroupOutcome {
  /** Consumers (premises) in the group. */
  readonly consumers: number;
  /** Their meters (a dual-fuel home has two). */
  readonly meters: number;
  /** Consumers with at least one fuel off supply at some moment of the run. */
  readonly consumersEverOff: number;
  /**
   * Minutes off supply added over the group's meters, by cause. A dual-fuel
   * home off on both fuels for an hour counts 120 meter-minutes.
   */
  readonly meterMinutesOff: Readonly<Record<OffSupplyCause, number>>;
  /** Minutes in which a consumer had at least one fuel off, added over the group's consumers. */
  readonly consumerMinutesOff: number;
  /** The longest any one consumer of the group had at least one fuel off, in minutes (0 when none was). */
  readonly maxConsumerMinutesOff: number;
}

/**
 * Consumers off supply over time. Bucket `i` covers
 * `[start + i·bucketMinutes, start + (i+1)·bucketMinutes)`, the last one
 * cut at the run's end; `consumersOff[i]` is the number of consumers that
 * had at least one fuel off supply at any moment of that bucket, so a short
 * outage is never lost between samples.
 */
export interface OffSupplySeries {
  readonly start: IsoInstant;
  /** Bucket length in minutes; 60 unless the scenario sets another. */
  readonly bucketMinutes: number;
  readonly consumersOff: readonly number[];
}

/**
 * Minutes from the Authority's instruction (to put a failed supplier's
 * prepayment meters into Credit mode) to Credit mode applied on each meter the
 * instruction covered. Built with `summariseTimeToSafeMode`.
 */
export interface TimeToSafeMode {
  /** When the Authority instructed, or null when no instruction was given under this policy. */
  readonly instructedAt: IsoInstant | null;
  /** Meters an instruction covered. */
  readonly meters: number;
  /** Of them, meters put into Credit mode before the run ended. */
  readonly applied: number;
  /** Of them, meters still not in Credit mode at the end: `meters - applied`. */
  readonly never: number;
  /** Percentiles over the applied meters, in minutes; null when none was applied. Nearest-rank: pN is the smallest value with at least N % of the values at or below it. */
  readonly percentilesMinutes: Percentiles | null;
  /** Applied meters by band of minutes, the bands of `SAFE_MODE_BANDS` in order, every band present. */
  readonly bands: readonly SafeModeBand[];
}

/** Summary percentiles, all in minutes. */
export interface Percentiles {
  readonly p50: number;
  readonly p90: number;
  readonly p95: number;
  readonly p99: number;
  readonly max: number;
}

/** One band of the time-to-safe-mode distribution: meters with `fromMinutes ≤ t < toMinutes`. */
export interface SafeModeBand {
  /** The band in words, e.g. `1–2 h`. */
  readonly label: string;
  readonly fromMinutes: number;
  /** Null for the last, open band. */
  readonly toMinutes: number | null;
  readonly meters: number;
}

/**
 * The fixed bands of time to safe mode, the same for every policy so their
 * distributions line up side by side. Chosen in units a reader thinks in —
 * within the hour, within the day, within the week — not equal widths.
 */
export const SAFE_MODE_BANDS: readonly { readonly label: string; readonly fromMinutes: number; readonly toMinutes: number | null }[] = [
  { label: 'under 15 min', fromMinutes: 0, toMinutes: 15 },
  { label: '15–30 min', fromMinutes: 15, toMinutes: 30 },
  { label: '30–60 min', fromMinutes: 30, toMinutes: 60 },
  { label: '1–2 h', fromMinutes: 60, toMinutes: 120 },
  { label: '2–4 h', fromMinutes: 120, toMinutes: 240 },
  { label: '4–8 h', fromMinutes: 240, toMinutes: 480 },
  { label: '8–24 h', fromMinutes: 480, toMinutes: 1440 },
  { label: '1–2 days', fromMinutes: 1440, toMinutes: 2880 },
  { label: '2–7 days', fromMinutes: 2880, toMinutes: 10080 },
  { label: '7 days or more', fromMinutes: 10080, toMinutes: null },
];

/**
 * The service requests of one authenticated sender (for an SRP in the SoLR
 * Contingency role, the SRP, not the supplier it acts for). Counted as DSP
 * ledger records: a critical request's transform (Command Variant 4) and its
 * send are two. `received = success + error + quarantined + inFlight`.
 */
export interface UserRequests {
  /** The sender's id (EUI-64); `run.parties` names it. */
  readonly user: string;
  readonly received: number;
  readonly success: number;
  readonly error: number;
  readonly quarantined: number;
  /** Still without an outcome at the end of the run. */
  readonly inFlight: number;
  /** Response code (`I0`, `E4`, `X9`…) → settled requests that ended with it; a quarantined request counts under `X9`. */
  readonly byCode: Readonly<Record<string, number>>;
}

/** Requests held by anomaly detection. `quarantined = released + removed + expired + heldAtEnd`. */
export interface QuarantineSummary {
  readonly quarantined: number;
  /** Released by the User and sent on. */
  readonly released: number;
  /** Removed by the User without sending. */
  readonly removed: number;
  /** No longer releasable when the hold expired. */
  readonly expired: number;
  /** Still held when the run ended. */
  readonly heldAtEnd: number;
  /** User id → requests quarantined. */
  readonly byUser: Readonly<Record<string, number>>;
}

/** Alerts of one code to one recipient. */
export interface AlertCount {
  /** `device`: raised by a meter or hub (code `0x8F0F`…); `dcc`: raised by the DCC (code `N12`, `AD1`…). */
  readonly source: 'device' | 'dcc';
  readonly code: string;
  /** What the alert means, in words. */
  readonly description: string;
  /** The User it was routed to (an id `run.parties` names), or null when it reached no User (shown to the consumer only). */
  readonly recipient: string | null;
  readonly count: number;
}

/** The Service Audit Trail at the end of the run. */
export interface AuditSummary {
  readonly records: number;
  readonly byKind: Readonly<Record<SatKind, number>>;
  /** Whether every record's hash links to the one before and the last to the head kept apart. */
  readonly chainVerifies: boolean;
  /** Where the chain breaks, when it does. */
  readonly chainBreak: { readonly index: number; readonly reason: string } | null;
  /** Hash of the last record, lower-case hex (64 zeros for an empty trail). */
  readonly head: string;
}

/**
 * Per-consumer detail, bounded: a report on 500 000 premises cannot list
 * every home. `records` holds the consumers `rule` selects, worst first (most
 * minutes with any fuel off, then a meter never put into Credit mode, then
 * by id), at most `limit` of them; `selected` says how many the rule chose
 * before the cap, so a reader sees what was left out. Built with
 * `selectConsumerDetail`.
 */
export interface ConsumerDetail {
  /** Which consumers are listed, in words. */
  readonly rule: string;
  /** The cap on `records`. */
  readonly limit: number;
  /** Consumers the rule selected, before the cap. */
  readonly selected: number;
  readonly records: readonly ConsumerRecord[];
}

/** One consumer's outcome. */
export interface ConsumerRecord {
  /** The premises id. */
  readonly id: string;
  /** Payment mode at the start: `prepayment` when any of its meters was in prepayment mode. */
  readonly paymentMode: 'prepayment' | 'credit';
  readonly vulnerable: boolean;
  readonly selfDisconnecting: boolean;
  /** Minutes with at least one fuel off. */
  readonly minutesOff: number;
  readonly meters: readonly MeterRecord[];
}

/** One meter's outcome. */
export interface MeterRecord {
  /** The meter's device id (EUI-64). */
  readonly id: string;
  readonly fuel: 'electricity' | 'gas';
  readonly paymentMode: 'prepayment' | 'credit';
  readonly minutesOff: Readonly<Record<OffSupplyCause, number>>;
  /** When an Authority instruction covered this meter, or null when none did. */
  readonly instructedAt: IsoInstant | null;
  /** Minutes from that instruction to Credit mode applied; null when never applied or never instructed. */
  readonly minutesToSafeMode: number | null;
}

/** The result of one assertion of the scenario. */
export interface AssertionResult {
  /** The assertion's name, as the scenario gives it. */
  readonly name: string;
  /** The policy it was checked under, or null for an assertion across policies. */
  readonly policy: string | null;
  readonly passed: boolean;
  /** What should hold, in words with units, e.g. `no vulnerable consumer off supply for more than 60 minutes`. */
  readonly expected: string;
  /** What the run gave, in words with units, e.g. `3 vulnerable consumers; the longest 412 minutes`. */
  readonly actual: string;
  /** For a failure, the shortest story that shows it; null when the assertion passed or no single consumer shows it. */
  readonly story: Story | null;
}

/** One consumer's story: who, which devices, and what happened, in order. */
export interface Story {
  /** The premises id. */
  readonly consumer: string;
  readonly devices: readonly StoryDevice[];
  /** At most `MAX_STORY_EVENTS`, in time order. */
  readonly events: readonly StoryEvent[];
}

/** A device in a story. */
export interface StoryDevice {
  readonly id: string;
  /** `ESME` (electricity meter), `GSME` (gas meter), `PPMID` (in-home display), `CHF` or `GPF` (comms hub). */
  readonly kind: string;
}

/** One thing that happened, in plain words. */
export interface StoryEvent {
  readonly at: IsoInstant;
  /** e.g. `Electricity meter disabled supply: credit exhausted`. */
  readonly text: string;
}

/** The most events a story holds: a story is the shortest that shows the failure, not a log. */
export const MAX_STORY_EVENTS = 30;
