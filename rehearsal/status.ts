import type { Eui64 } from '../core/ids.ts';
import { formatGbp } from '../core/money.ts';
import type { Instant } from '../core/time/duration.ts';
import { formatInstant, ukLocal } from '../core/time/uk-time.ts';
import type { DspOutput } from '../dsp/dsp-outputs.ts';
import { describeAlert } from '../emulator/devices/common/alerts.ts';
import { cloneLedger, walk } from '../emulator/devices/common/ledger.ts';
import { walkEnv } from '../emulator/devices/common/meter-logic.ts';
import type { MeterContext } from '../emulator/devices/common/meter-types.ts';
import { OFF_SUPPLY_CAUSES, type OffSupplyCause } from '../scenarios/report/report-model.ts';
import { CAUSE_WORDS, RESPONSE_CODE_WORDS } from '../scenarios/report/report-words.ts';
import type { ResponseCode } from '../dsp/response-codes.ts';
import type { MeterRef } from '../scenarios/runner/solr-world.ts';
import type { SupplyTimeline } from '../emulator/fleet/supply-timeline.ts';
import type { DeliveryCounts } from './delivery.ts';
import type { RehearsalWorld } from './rehearsal-world.ts';

/**
 * What the status page shows, as data: simulated time, consumers off supply
 * by the report's causes, the service requests and their response codes as
 * they happen, the recent alerts and who received them, and each device's
 * current state. Read at the paced instant (`PacedClock.inject`).
 */

/** Recent responses and alerts kept for the page. */
const RECENT = 40;

/** DCC Alert codes in words (the N-codes are the DSP's configurable placeholders). // DOMAIN §4.5 */
const DCC_ALERT_WORDS: Readonly<Record<string, string>> = {
  AD1: 'Request quarantined by anomaly detection',
  N12: 'Command failure: no response from the device',
  N42: 'Security credentials updated on a device (change of supplier)',
};

export interface RecentResponse {
  readonly at: string;
  readonly user: string;
  readonly userName: string;
  readonly requestId: string;
  readonly code: string;
  readonly words: string;
}

export interface RecentAlert {
  readonly at: string;
  readonly source: 'device' | 'dcc';
  readonly code: string;
  readonly words: string;
  /** The device an alert is about, or null (a DCC Alert names a request instead). */
  readonly device: string | null;
  /** Who received it. */
  readonly to: string;
  readonly toName: string;
}

export interface StatusSnapshot {
  readonly scenario: { readonly name: string; readonly description: string; readonly policy: string; readonly end: string };
  readonly time: {
    readonly virtual: string;
    readonly virtualMs: number;
    /** UK civil time of the virtual instant, `YYYY-MM-DD hh:mm`. */
    readonly ukLocal: string;
    readonly speed: number;
    /** How long the oldest event not yet run has been due, in virtual ms (0 while the twin keeps up). */
    readonly lagMs: number;
    readonly scenarioEnded: boolean;
  };
  readonly estate: { readonly premises: number; readonly meters: number; readonly paymentModes: Readonly<Record<string, number>> };
  readonly offSupply: {
    /** Consumers with at least one fuel off supply now. */
    readonly consumersOff: number;
    /** Consumers with a fuel off for each cause (a home off on two causes counts under both). */
    readonly consumers: Readonly<Record<OffSupplyCause, number>>;
    readonly meters: Readonly<Record<OffSupplyCause, number>>;
    readonly causes: readonly { readonly cause: OffSupplyCause; readonly words: string }[];
  };
  readonly requests: {
    /** Responses the DSP gave, by code, over all Users. */
    readonly responsesByCode: Readonly<Record<string, number>>;
    /** Per authenticated sender: the ledger's tallies and the responses it got by code. */
    readonly byUser: readonly {
      readonly user: string;
      readonly name: string;
      readonly received: number;
      readonly success: number;
      readonly error: number;
      readonly quarantined: number;
      readonly inFlight: number;
      readonly responsesByCode: Readonly<Record<string, number>>;
    }[];
    readonly recent: readonly RecentResponse[];
    readonly codeWords: Readonly<Record<string, string>>;
  };
  readonly alerts: { readonly total: number; readonly recent: readonly RecentAlert[] };
  readonly deliveries: readonly {
    readonly user: string;
    readonly name: string;
    readonly url: string | null;
    readonly counts: DeliveryCounts;
  }[];
  readonly parties: readonly {
    readonly id: string;
    readonly name: string;
    readonly aliases: readonly string[];
    readonly external: boolean;
  }[];
  /** A few meters' EUI-64s to look up. */
  readonly exampleDevices: readonly string[];
}

/** A device's state now, for `GET /api/devices/:eui`. */
export type DeviceState =
  | {
      readonly kind: 'meter';
      readonly id: string;
      readonly type: 'ESME' | 'GSME';
      readonly generation: 'SMETS1' | 'SMETS2';
      readonly premises: number;
      readonly mpxn: string;
      readonly hub: string;
      readonly hubOnline: boolean;
      readonly paymentMode: string;
      readonly supply: string;
      readonly offCause: OffSupplyCause | null;
      /** The meter balance at the virtual instant, in units of £0.00001 and in words. */
      readonly balance: { readonly units: number; readonly gbp: string; readonly at: string };
      readonly emergencyCreditInUse: boolean;
      readonly supplier: { readonly id: string | null; readonly name: string | null; readonly mpid: string | null };
      readonly trustAnchor: string | null;
    }
  | {
      readonly kind: 'commsHub';
      readonly id: string;
      readonly online: boolean;
      readonly premises: number;
      readonly meters: readonly string[];
    };

/** Counts the DSP's outputs as the world sends them on. */
export class StatusBoard {
  private readonly rw: RehearsalWorld;
  private readonly codes = new Map<string, number>();
  private readonly userCodes = new Map<string, Map<string, number>>();
  private readonly recentResponses: RecentResponse[] = [];
  private readonly recentAlerts: RecentAlert[] = [];
  private alertCount = 0;

  constructor(rw: RehearsalWorld) {
    this.rw = rw;
  }

  /** Hears one output of the DSP at virtual instant `at`. */
  observe(o: DspOutput, at: Instant): void {
    if (o.kind === 'command') return;
    const when = formatInstant(at);
    if (o.kind === 'response') {
      const code = o.response.responseCode;
      this.codes.set(code, (this.codes.get(code) ?? 0) + 1);
      let mine = this.userCodes.get(o.to);
      if (mine === undefined) this.userCodes.set(o.to, (mine = new Map<string, number>()));
      mine.set(code, (mine.get(code) ?? 0) + 1);
      push(this.recentResponses, {
        at: when,
        user: o.to,
        userName: this.nameOf(o.to),
        requestId: o.response.requestId,
        code,
        words: codeWords(code),
      });
      return;
    }
    this.alertCount++;
    push(
      this.recentAlerts,
      o.kind === 'deviceAlert'
        ? {
            at: when,
            source: 'device',
            code: `0x${o.alert.code.toString(16).toUpperCase().padStart(4, '0')}`,
            words: describeAlert(o.alert.code).slice(7),
            device: o.alert.device,
            to: o.to,
            toName: this.nameOf(o.to),
          }
        : {
            at: when,
            source: 'dcc',
            code: o.alert.code,
            words: DCC_ALERT_WORDS[o.alert.code] ?? o.alert.text,
            device: null,
            to: o.to,
            toName: this.nameOf(o.to),
          },
    );
  }

  /** The whole status at virtual instant `now`. */
  snapshot(
    now: Instant,
    speed: number,
    lagMs: number,
    deliveries: readonly { user: string; url: string | null; counts: DeliveryCounts }[],
  ): StatusSnapshot {
    const { world } = this.rw;
    const consumers = zeroCauses();
    const meters = zeroCauses();
    const modes: Record<string, number> = {};
    let consumersOff = 0;
    let meterCount = 0;
    for (const home of world.homes) {
      const causes = new Set<OffSupplyCause>();
      const powerCut = world.powerCut.has(home.index);
      for (const slot of home.meters) {
        meterCount++;
        const c = slot.snapshot.context;
        modes[c.mode] = (modes[c.mode] ?? 0) + 1;
        const cause = offCauseOf(c, powerCut && faultAt(slot.timeline, now));
        if (cause === null) continue;
        meters[cause]++;
        causes.add(cause);
      }
      for (const cause of causes) consumers[cause]++;
      if (causes.size > 0) consumersOff++;
    }
    const ledger = world.dsp.ledger.counts();
    const senders = new Set<string>([...ledger.keys(), ...this.userCodes.keys()]);
    const local = ukLocal(now);
    const minute = local.minuteOfDay;
    return {
      scenario: { name: this.rw.name, description: this.rw.description, policy: this.rw.policy, end: formatInstant(this.rw.end) },
      time: {
        virtual: formatInstant(now),
        virtualMs: now,
        ukLocal: `${local.year}-${pad(local.month)}-${pad(local.day)} ${pad(Math.floor(minute / 60))}:${pad(minute % 60)}`,
        speed,
        lagMs,
        scenarioEnded: now >= this.rw.end,
      },
      estate: { premises: world.homes.length, meters: meterCount, paymentModes: modes },
      offSupply: {
        consumersOff,
        consumers,
        meters,
        causes: OFF_SUPPLY_CAUSES.map((cause) => ({ cause, words: CAUSE_WORDS[cause] })),
      },
      requests: {
        responsesByCode: sortedRecord(this.codes),
        byUser: [...senders].map((user) => {
          const c = ledger.get(user as Eui64);
          return {
            user,
            name: this.nameOf(user),
            received: c?.received ?? 0,
            success: c?.success ?? 0,
            error: c?.error ?? 0,
            quarantined: c?.quarantined ?? 0,
            inFlight: c?.inFlight ?? 0,
            responsesByCode: sortedRecord(this.userCodes.get(user) ?? new Map<string, number>()),
          };
        }),
        recent: [...this.recentResponses].reverse(),
        codeWords: Object.fromEntries([...this.codes.keys()].map((c) => [c, codeWords(c)])),
      },
      alerts: { total: this.alertCount, recent: [...this.recentAlerts].reverse() },
      deliveries: deliveries.map((d) => ({ ...d, name: this.nameOf(d.user) })),
      parties: this.rw.parties.map((p) => ({
        id: p.id,
        name: p.name,
        aliases: p.aliases,
        external: this.rw.external.some((x) => x.id === p.id),
      })),
      exampleDevices: world.meters.slice(0, 6).map((m) => m.id),
    };
  }

  /** A meter's or comms hub's state at `now`, or undefined when the estate has no such device. */
  device(id: string, now: Instant): DeviceState | undefined {
    const { world } = this.rw;
    const m = world.meter(id);
    if (m !== undefined) return this.meterState(m, now);
    const mine = world.meters.filter((x) => x.hub === id);
    const first = mine[0];
    if (first === undefined) return undefined;
    return { kind: 'commsHub', id, online: world.hubUp(id), premises: first.premises.index, meters: mine.map((x) => x.id) };
  }

  private meterState(m: MeterRef, now: Instant): DeviceState {
    const { world } = this.rw;
    const c = m.slot.snapshot.context;
    // The ledger is charged up to its last event; charge a copy up to now, as the meter would when asked.
    const ledger = cloneLedger(c.ledger);
    if (now > ledger.at) walk(ledger, walkEnv(c), now, null);
    const record = world.registry.device(m.id);
    const supplier = record === undefined ? null : world.registry.responsibleSupplier(record, now);
    return {
      kind: 'meter',
      id: m.id,
      type: m.slot.fuel === 'electricity' ? 'ESME' : 'GSME',
      generation: m.smets1 ? 'SMETS1' : 'SMETS2',
      premises: m.premises.index,
      mpxn: record?.mpxn ?? '',
      hub: m.hub,
      hubOnline: world.hubUp(m.hub),
      paymentMode: c.mode,
      supply: c.supply,
      offCause: offCauseOf(c, world.powerCut.has(m.premises.index) && faultAt(m.slot.timeline, now)),
      balance: { units: ledger.meterBalance, gbp: formatGbp(ledger.meterBalance), at: formatInstant(Math.max(now, c.ledger.at)) },
      emergencyCreditInUse: ledger.ecInUse,
      supplier: {
        id: supplier,
        name: supplier === null ? null : this.nameOf(supplier),
        mpid: record === undefined ? null : world.registry.registeredMpid(record.mpxn, now),
      },
      trustAnchor: world.registry.trustAnchor(m.id, now),
    };
  }

  private nameOf(id: string): string {
    return this.rw.parties.find((p) => p.id === id)?.name ?? id;
  }
}

/** Why a meter is off supply now, in the report's causes: its own state first, then a fault outside it (a power cut); null when on. */
function offCauseOf(c: Pick<MeterContext, 'supply' | 'cause'>, fault: boolean): OffSupplyCause | null {
  if (c.supply === 'Armed') return 'armed';
  if (c.supply === 'Disabled') return c.cause === 'remote' ? 'remote' : 'credit';
  return fault ? 'fault' : null;
}

/** Whether a fault outside the meter cuts its supply at `now`. */
function faultAt(timeline: SupplyTimeline, now: Instant): boolean {
  return timeline.faultIntervals().some((f) => f.from <= now && now < f.to);
}

function codeWords(code: string): string {
  return (RESPONSE_CODE_WORDS as Readonly<Record<string, string>>)[code as ResponseCode] ?? 'response';
}

function zeroCauses(): Record<OffSupplyCause, number> {
  return { credit: 0, armed: 0, remote: 0, fault: 0 };
}

function sortedRecord(m: ReadonlyMap<string, number>): Record<string, number> {
  return Object.fromEntries([...m].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function push<T>(ring: T[], item: T): void {
  ring.push(item);
  if (ring.length > RECENT) ring.shift();
}

const pad = (n: number): string => String(n).padStart(2, '0');
