import { Rng } from '../../core/rng.ts';
import type { Instant } from '../../core/time/duration.ts';
import { linkCarries, type LinkRef } from '../../emulator/bus/fault-plan.ts';
import { DEFAULT_ALERT_QUEUE_LIMIT } from '../../emulator/devices/chf/machine.ts';
import type { DeviceAlert } from '../../proto/types.ts';
import { CSP_REGIONS } from '../schema/scenario.ts';

/**
 * The bookkeeping of a scenario's faults at the world's edge (`SolrWorld`):
 * which comms hubs are offline and the alerts queued in them, which links
 * lose messages, and what the faults did, counted. The world routes; this
 * remembers. Same semantics in process and on every bus, because the world
 * is the edge in both. // docs/scenarios.md "Faults"
 */

/** What the faults of a run did, counted in messages. */
export interface FaultTally {
  /** Device alerts raised behind an offline comms hub and queued there. // DOMAIN §3.3 */
  alertsQueued: number;
  /** Queued alerts sent up when their hub was back online. */
  alertsDeliveredLate: number;
  /** Alerts raised behind an offline hub whose queue was full: the CHF keeps the oldest and counts the rest. */
  alertsLost: number;
  /** Commands that reached, and meter answers that left, a comms hub while it was offline: lost (the DSP times out, E21). */
  lostAtOfflineHub: number;
  /** Messages held at the DSP's edge while it was unreachable (either way), handed on when it was back. */
  heldForDsp: number;
  /** Messages lost on a link by a `messageLoss` fault. */
  messagesLost: number;
}

export const noFaults = (): FaultTally => ({
  alertsQueued: 0,
  alertsDeliveredLate: 0,
  alertsLost: 0,
  lostAtOfflineHub: 0,
  heldForDsp: 0,
  messagesLost: 0,
});

/**
 * Comms hubs offline: a hub is offline while at least one outage holds it
 * (a WAN outage, a power cut at its premises, the broker down), so outages
 * that overlap end one at a time. Device alerts raised meanwhile wait in the
 * hub's queue, at most `limit`; a full queue keeps the oldest and counts the
 * newcomer lost, as the CHF model does. // DOMAIN §3.3; emulator/devices/chf/machine.ts
 */
export class HubOutages {
  readonly limit: number;
  private readonly outages = new Map<string, number>();
  private readonly queues = new Map<string, DeviceAlert[]>();

  constructor(limit = DEFAULT_ALERT_QUEUE_LIMIT) {
    this.limit = limit;
  }

  offline(hub: string): boolean {
    return (this.outages.get(hub) ?? 0) > 0;
  }

  /** One more outage at `hub`; true when the hub was online until now. */
  down(hub: string): boolean {
    const n = this.outages.get(hub) ?? 0;
    this.outages.set(hub, n + 1);
    return n === 0;
  }

  /** One outage at `hub` ends; when it was the last, the hub is online and this is what it queued, oldest first (else null). */
  up(hub: string): DeviceAlert[] | null {
    const n = this.outages.get(hub) ?? 0;
    if (n > 1) {
      this.outages.set(hub, n - 1);
      return null;
    }
    if (n === 0) return null;
    this.outages.delete(hub);
    const queued = this.queues.get(hub) ?? [];
    this.queues.delete(hub);
    return queued;
  }

  /** Queues an alert behind the offline hub; false when the queue is full and the alert is lost. */
  queue(hub: string, alert: DeviceAlert): boolean {
    let q = this.queues.get(hub);
    if (q === undefined) this.queues.set(hub, (q = []));
    if (q.length >= this.limit) return false;
    q.push(alert);
    return true;
  }

  /** Alerts still queued in offline hubs. */
  get queued(): number {
    let n = 0;
    for (const q of this.queues.values()) n += q.length;
    return n;
  }
}

/**
 * Seeded message loss on links, each for a while: a client's uplink
 * (`{ client }`, ids as `clientIdOf` gives them) or the messages published to
 * topics matching a filter (`{ topic }`). A message takes the first rule,
 * in the order added, whose window holds `now` and whose link carries it
 * (as `FaultPlan` does).
 *
 * Whether it is lost is drawn from the rule's label, the topic, a `key` that
 * names what the message is about (a device, a User and a target…) and how
 * many messages with that key the rule has seen: not from a shared stream
 * and not from run-wide counters such as RequestIDs, so the verdict does not
 * depend on the order in which a transport hands over messages of one
 * instant — in process and on a bus the same messages are lost. A message
 * asked about again (by its full `identity`) gets the same verdict.
 */
export class MessageLosses {
  private readonly rules: {
    readonly label: string;
    readonly link: LinkRef;
    readonly drop: number;
    readonly from: Instant;
    readonly until: Instant;
    readonly seen: Map<string, number>;
    readonly verdicts: Map<string, boolean>;
  }[] = [];

  add(label: string, link: LinkRef, drop: number, from: Instant, until: Instant): void {
    this.rules.push({ label, link, drop, from, until, seen: new Map(), verdicts: new Map() });
  }

  /** Whether the message `identity` (about `key`), published by `clientId` to `topic` at `now`, is lost. */
  lost(now: Instant, clientId: string, topic: string, key: string, identity: string): boolean {
    for (const r of this.rules) {
      if (now < r.from || now >= r.until || !linkCarries(r.link, clientId, topic)) continue;
      const known = r.verdicts.get(`${topic}|${identity}`);
      if (known !== undefined) return known;
      const n = (r.seen.get(`${topic}|${key}`) ?? 0) + 1;
      r.seen.set(`${topic}|${key}`, n);
      const lost = r.drop >= 1 || (r.drop > 0 && Rng.fromSeed(`${r.label}|${topic}|${key}|${n}`).chance(r.drop));
      r.verdicts.set(`${topic}|${identity}`, lost);
      return lost;
    }
    return false;
  }
}

/** The default CSP regions of an estate: North, Central and South, a third each. // OPEN-QUESTIONS D4 */
export const EVEN_REGIONS: ReadonlyMap<string, number> = new Map([
  ['North', 1 / 3],
  ['Central', 1 / 3],
  ['South', 1 / 3],
]);

/**
 * The CSP region of premises `index`: drawn once per premises from the run's
 * seed (`fork('csp-region').fork(index)`), by the estate's shares taken in
 * DUIS order (DOMAIN §3.3), so premises keep their region whatever the size
 * of the estate. An estate in one region has every premises in it.
 */
export function cspRegionOf(seed: string, index: number, shares: ReadonlyMap<string, number>): string {
  const regions = CSP_REGIONS.filter((r) => (shares.get(r) ?? 0) > 0);
  const last = regions[regions.length - 1];
  if (last === undefined) return 'Unknown';
  if (regions.length === 1) return last;
  const u = Rng.fromSeed(seed).fork('csp-region').fork(index).float();
  let sum = 0;
  for (const r of regions) {
    sum += shares.get(r) ?? 0;
    if (u < sum) return r;
  }
  return last;
}
