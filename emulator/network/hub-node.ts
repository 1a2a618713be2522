import type { SnapshotFrom } from 'xstate';
import type { Eui64 } from '../../core/ids.ts';
import { unwrap } from '../../core/result.ts';
import type { Instant } from '../../core/time/duration.ts';
import type { TimerHandle, VirtualClock } from '../../core/time/virtual-clock.ts';
import { encodeEnvelope } from '../../proto/codec.ts';
import { fromHanCommand, fromHanResponse, toHanCommand, toHanResponse, type HanMeterEvent } from '../../proto/han-mapping.ts';
import type { Envelope, EnvelopeBody, FailureReason, HanCommandKind, HanCommand } from '../../proto/types.ts';
import { clientIdOf } from '../bus/acl.ts';
import type { Bus, BusFactory } from '../bus/port.ts';
import { chOnlineTopic, hanInTopic, hanOutFilter, parseTopic, wanDownTopic, wanUpTopic } from '../bus/topics.ts';
import { chfMachine, type ChfEvent, type ChfMachine, type ToWan } from '../devices/chf/machine.ts';
import type { DeviceAlertMessage, RemoteCommand, UndeliverableReason } from '../devices/chf/hub-messages.ts';
import { isCriticalAlert } from '../devices/common/alerts.ts';
import { MachineStepper, type Effect } from '../devices/common/machine-stepper.ts';
import { nextWake } from '../devices/common/meter-logic.ts';
import { gpfDue, gpfMachine, type GpfEvent, type GpfMachine } from '../devices/gpf/machine.ts';
import { Inbox, type Inbound } from './inbox.ts';
import { describe, hex4, stamp, type LogSink } from './log-line.ts';
import { MeterOnBus, type MeterSpec, type NodeIo } from './meter-node.ts';

export type { MeterSpec } from './meter-node.ts';
export type { LogSink } from './log-line.ts';

/**
 * One premises on the bus: a comms hub (CHF and GPF machines) and its ESME
 * and GSME, each connected with its own identity. // DOMAIN §3.1, §3.2, §3.3, §3.4
 *
 * - The hub (`ch.<hub>`) hears `smets/wan/{hub}/down` and `smets/han/{hub}/+/out`;
 *   each meter (`dev.<hub>.<meter>`) hears its `smets/han/{hub}/{meter}/in`.
 * - A WAN command (an envelope with a `wanCommand`, or a `hanCommand` whose
 *   target is the device) goes through the CHF: `toHan` publishes it on the
 *   device's `in` topic, `toGpf` holds it in the GPF until the sleepy GSME next
 *   wakes (`nextWake`) and polls.
 * - A meter publishes its responses and alerts on its `out` topic; the hub
 *   passes them through the CHF (`han.reply`, `han.alert`), whose `toWan`
 *   publishes on `smets/wan/{hub}/up` — or queues alerts while the WAN is down.
 * - Credit events are planned on the virtual clock with `planDue`, as in the
 *   fleet; the GPF's collection deadline (0x819D) with `gpfDue`.
 *
 * - The hub connects with a last will of a retained `0` on `smets/ch/{hub}/online`
 *   and then publishes a retained `1` there, so the DSP (`ch/+/online`) sees
 *   a hub that drops off the bus.
 * - A recognisable request that cannot be carried out — a WAN command whose
 *   HAN command cannot be mapped, for another hub, or for a device the CHF
 *   will not deliver to (`undeliverable`) — is answered up the WAN with a
 *   failed `wanResponse` correlated by the request id; a meter answers a HAN
 *   command it cannot map with a failed `hanResponse`. Only what does not
 *   decode is just counted and logged.
 *
 * - Faults: `wanLink`, `power` (off: the hub hears nothing and loses what it
 *   held), `hanLink` (a device's HAN traffic is lost; the CHF refuses commands
 *   for it, raising 0x8F84 for the ESME) and `kill` (the connection drops).
 *
 * Nothing is handled inside a bus handler: messages wait in inboxes until the
 * runner calls `drain`, which handles them in canonical order. Nothing throws
 * out of a handler: an undecodable or unexpected payload is counted and logged.
 */

export interface HubNodeOptions {
  readonly hub: Eui64;
  /** The GPF's own id: the device named by its alerts. */
  readonly gpf: Eui64;
  readonly esme: MeterSpec;
  readonly gsme: MeterSpec;
  /** The GPF's collection window before 0x819D (default the GPF's own). */
  readonly gpfCollectWithinMs?: number;
  /** The supplier's EUI-64 bytes, the originator UTRNs are checked against (default zeros). // DOMAIN §2.2 */
  readonly supplier?: Uint8Array;
}

export interface HubNodeStats {
  undecodable: number;
  duplicates: number;
  unexpected: number;
  /** Requests answered with a failure by the hub itself. */
  refused: number;
  /** Messages the hub did not hear: it was off, or the sender's HAN link was down. */
  ignored: number;
}

/** What a retained online state says: connected or not. // docs/bus.md topic layout */
export const ONLINE = Uint8Array.of(0x31);
export const OFFLINE = Uint8Array.of(0x30);

/** The failure reason a request the hub cannot deliver is answered with; the detail goes in the body. */
const UNDELIVERABLE_REASON: Record<UndeliverableReason, FailureReason> = {
  'not-joined': 'not-here',
  'han-link-down': 'not-here',
  'hub-off': 'not-here',
};

/** The request being routed through the CHF: what a failure answer names. */
interface Routing {
  readonly requestId: string;
  readonly device: string;
  readonly kind: HanCommandKind;
}

const steppers = { chf: new MachineStepper(chfMachine), gpf: new MachineStepper(gpfMachine) };

export class HubNode {
  readonly hub: Eui64;
  readonly gpfId: Eui64;
  readonly stats: HubNodeStats = { undecodable: 0, duplicates: 0, unexpected: 0, refused: 0, ignored: 0 };
  readonly esme: MeterOnBus;
  readonly gsme: MeterOnBus;
  chf: SnapshotFrom<ChfMachine>;
  gpf: SnapshotFrom<GpfMachine>;
  private readonly clock: VirtualClock;
  private readonly log: LogSink;
  private readonly inbox = new Inbox();
  private hubBus: Bus | null = null;
  private counter = 0n;
  private pollAt: Instant = Infinity;
  private gpfDueHandle: TimerHandle | null = null;
  private gpfDueAt: Instant = Infinity;
  private readonly outstanding = new Set<Promise<void>>();
  private routing: Routing | null = null;
  private killed = false;

  constructor(clock: VirtualClock, options: HubNodeOptions, log: LogSink) {
    this.clock = clock;
    this.log = log;
    this.hub = options.hub;
    this.gpfId = options.gpf;
    const now = clock.now();
    const supplier = options.supplier ?? new Uint8Array(8);
    const io: NodeIo = { clock, log, send: (bus, topic, e) => this.publish(bus, topic, e) };
    this.esme = new MeterOnBus('esme', options.hub, options.esme, supplier, io);
    this.gsme = new MeterOnBus('gsme', options.hub, options.gsme, supplier, io);
    this.chf = steppers.chf.start({ id: options.hub }).snapshot;
    this.gpf = steppers.gpf.start({
      id: options.gpf,
      gsme: options.gsme.id,
      ...(options.gpfCollectWithinMs !== undefined ? { collectWithinMs: options.gpfCollectWithinMs } : {}),
    }).snapshot;
    this.stepChf({ type: 'han.join', now, device: this.esme.id, deviceType: 'ESME' });
    this.stepChf({ type: 'han.join', now, device: this.gsme.id, deviceType: 'GSME' });
    this.stepChf({ type: 'han.join', now, device: this.gpfId, deviceType: 'GPF' });
  }

  /** Connects the hub and both meters with their own identities and subscribes them (QoS 1). */
  async connect(factory: BusFactory): Promise<void> {
    const online = chOnlineTopic(this.hub);
    const will = { topic: online, payload: OFFLINE, qos: 1, retain: true } as const;
    const hub = unwrap(await factory.connect({ clientId: clientIdOf({ kind: 'hub', id: this.hub }), will }));
    await hub.subscribe(wanDownTopic(this.hub), this.inbox.handler, { qos: 1 });
    await hub.subscribe(hanOutFilter(this.hub), this.inbox.handler, { qos: 1 });
    this.hubBus = hub;
    this.log(`${stamp(this.clock.now())} ${online} online=1`);
    await hub.publish(online, ONLINE, { qos: 1, retain: true });
    for (const m of [this.esme, this.gsme]) await m.connect(factory);
  }

  /** Publishes still waiting for the bus's acknowledgement. */
  async flushed(): Promise<void> {
    while (this.outstanding.size > 0) await Promise.all([...this.outstanding]);
  }

  /**
   * Fault injection: the hub's connection drops as in a crash (`Bus.kill`), so the
   * broker publishes its will, a retained `0` on its online topic. The hub handles
   * nothing more; its meters stay connected.
   */
  async kill(): Promise<void> {
    this.log(`${stamp(this.clock.now())} ${this.hub} killed`);
    this.killed = true;
    await this.hubBus?.kill();
  }

  /**
   * Takes what the meters received and starts checking the signatures of
   * critical commands in the background, so `drain` finds the verdicts ready.
   */
  async prepare(): Promise<void> {
    const checks: Promise<void>[] = [];
    for (const m of [this.esme, this.gsme]) {
      const authority = m.authority;
      if (authority === undefined) continue;
      for (const item of m.prepareInbound()) {
        if (item.kind === 'envelope' && item.envelope.kind === 'hanCommand') checks.push(authority.prime(item.envelope.hanCommand));
      }
    }
    await Promise.all(checks);
  }

  /** Handles everything received since the last drain, hub first; true if anything was. */
  drain(): boolean {
    let worked = false;
    for (const item of this.inbox.drain()) {
      worked = true;
      if (this.killed) continue;
      if (!this.hears(item.topic)) continue;
      if (this.admit('hub', item)) this.onHub(item.topic, item.envelope);
    }
    for (const m of [this.esme, this.gsme]) {
      for (const item of m.takeInbound()) {
        worked = true;
        if (this.admit(m.id, item)) this.onMeter(m, item.envelope);
      }
    }
    return worked;
  }

  /** Fault injection: the WAN link goes down or comes back (CHF `wan.link`). // DOMAIN §3.3 */
  wanLink(up: boolean): void {
    this.log(`${stamp(this.clock.now())} ${this.hub} wan.link up=${up}`);
    this.stepChf({ type: 'wan.link', now: this.clock.now(), up });
  }

  /**
   * Fault injection: the hub loses or regains power (CHF `power`). While off it
   * hears nothing — WAN commands and its meters' responses and alerts are lost —
   * the GSME cannot poll the GPF, and the alerts it held for the WAN are lost;
   * the device log survives. Its connection is kept, so it says its online state
   * itself (`0` while off). // DOMAIN §3.1, §3.3
   */
  power(on: boolean): void {
    const now = this.clock.now();
    this.log(`${stamp(now)} ${this.hub} power on=${on}`);
    if (on === this.isOn()) return;
    this.stepChf({ type: 'power', now, on });
    this.sayOnline(on);
    if (on) this.planGpf();
  }

  /** Fault injection: the HAN link to one device goes down or comes back (CHF `han.link`). // DOMAIN §3.2 */
  hanLink(device: Eui64, up: boolean): void {
    this.log(`${stamp(this.clock.now())} ${this.hub} han.link device=${device} up=${up}`);
    this.stepChf({ type: 'han.link', now: this.clock.now(), device, up });
    if (up && device === this.gsme.id) this.planGpf();
  }

  /** True while the hub is powered. */
  isOn(): boolean {
    return !this.chf.matches('off');
  }

  private linkDown(device: string): boolean {
    return this.chf.context.linkDown.includes(device);
  }

  /**
   * Says the hub's online state again: after a broker restart the broker has
   * forgotten every retained message, and the DSP reads this one.
   */
  announceOnline(): void {
    this.sayOnline(this.isOn());
  }

  private sayOnline(online: boolean): void {
    const bus = this.hubBus;
    if (bus === null || bus.closed) return;
    const topic = chOnlineTopic(this.hub);
    this.log(`${stamp(this.clock.now())} ${topic} online=${online ? 1 : 0}`);
    this.track(bus.publish(topic, online ? ONLINE : OFFLINE, { qos: 1, retain: true }));
  }

  /** False (and logged) for what the hub cannot hear: anything while it is off, a device's traffic while its HAN link is down. */
  private hears(topic: string): boolean {
    const route = parseTopic(topic);
    const device = route.ok && route.value.kind === 'han.out' ? route.value.deviceId : null;
    const why = !this.isOn() ? 'hub off' : device !== null && this.linkDown(device) ? 'han link down' : null;
    if (why === null) return true;
    this.stats.ignored++;
    this.log(`${stamp(this.clock.now())} ${topic} ignored (${why})`);
    return false;
  }

  /** Counts and logs what is not a fresh envelope; true when `item` is one to handle. */
  private admit(who: string, item: Inbound): item is Extract<Inbound, { kind: 'envelope' }> {
    const at = stamp(this.clock.now());
    if (item.kind === 'undecodable') {
      this.stats.undecodable++;
      this.log(`${at} ${item.topic} undecodable by=${who} reason=${item.reason}`);
      return false;
    }
    const e = item.envelope;
    this.log(`${at} ${item.topic} ${item.kind === 'duplicate' ? 'duplicate' : e.kind} from=${e.originator} n=${e.counter}${describe(e)}`);
    if (item.kind === 'duplicate') this.stats.duplicates++;
    return item.kind === 'envelope';
  }

  private onHub(topic: string, e: Envelope): void {
    const route = parseTopic(topic);
    const now = this.clock.now();
    if (route.ok && route.value.kind === 'wan.down') {
      const target = e.kind === 'wanCommand' ? e.wanCommand.device : e.kind === 'hanCommand' ? e.target : null;
      const han = e.kind === 'wanCommand' ? e.wanCommand.command : e.kind === 'hanCommand' ? e.hanCommand : null;
      if (target === null || han === null) return this.unexpected(topic, e);
      const ref = han.ref ?? (e.requestId !== '' ? e.requestId : e.messageId);
      const routing: Routing = { requestId: ref, device: target, kind: han.kind };
      if (e.kind === 'wanCommand' && e.wanCommand.commsHub !== this.hub) {
        this.unexpected(topic, e, `for hub ${e.wanCommand.commsHub}`);
        return this.refuse(routing, 'not-here', { refused: 'wrong-hub' });
      }
      if (han.kind === 'updateSupplierCredentials') return this.toSecurity(routing, { ...han, ref, now });
      const event = fromHanCommand({ ...han, now });
      if (!event.ok) {
        this.unexpected(topic, e, event.error.message);
        return this.refuse(routing, 'not-supported', { refused: event.error.message });
      }
      const command: RemoteCommand = {
        ref,
        target,
        command: { ...event.value, ref },
        ...(han.authorisation === undefined ? {} : { authorisation: han.authorisation }),
      };
      this.routing = routing;
      try {
        return this.stepChf({ type: 'wan.command', now, command });
      } finally {
        this.routing = null;
      }
    }
    if (route.ok && route.value.kind === 'han.out') {
      const device = route.value.deviceId;
      if (e.kind === 'hanResponse' && e.hanResponse.command === 'updateSupplierCredentials') {
        // The device's security layer answered, not its meter: straight up the WAN, as it came down. // DOMAIN §5.3
        if (!this.wanUp()) return this.log(`${stamp(now)} ${this.hub} response lost (WAN down) req=${e.hanResponse.ref ?? e.requestId}`);
        const wanResponse = { commsHub: this.hub, device, response: e.hanResponse };
        return this.fromHub(wanUpTopic(this.hub), this.hub, e.hanResponse.ref ?? e.requestId, { kind: 'wanResponse', wanResponse });
      }
      if (e.kind === 'hanResponse') {
        const response = fromHanResponse(e.hanResponse);
        return this.stepChf({ type: 'han.reply', now, reply: { device, ref: response.ref ?? e.requestId, response } });
      }
      if (e.kind === 'deviceAlert')
        return this.stepChf({ type: 'han.alert', now, alert: { device, code: e.deviceAlert.code, at: e.deviceAlert.at } });
    }
    this.unexpected(topic, e);
  }

  private onMeter(m: MeterOnBus, e: Envelope): void {
    if (e.kind !== 'hanCommand') return this.unexpected(hanInTopic(this.hub, m.id), e);
    const ref = e.hanCommand.ref ?? e.requestId;
    let han: HanCommand = { ...e.hanCommand, now: this.clock.now() };
    // DOMAIN §5.2: the device checks a critical command's signature against its trust anchor before acting.
    if (m.authority !== undefined && e.originator === this.hub) {
      const verdict = m.authority.admit(han);
      if (!verdict.ok) {
        this.log(`${stamp(this.clock.now())} ${m.id} refused ${han.kind} req=${ref} why=${verdict.why}`);
        return m.refuse(ref, han.kind, 'not-authorised');
      }
      han = verdict.command;
    }
    if (han.kind === 'updateSupplierCredentials') {
      if (m.authority === undefined) return m.refuse(ref, han.kind, 'not-supported');
      m.authority.replaceSupplier({ party: han.updateSupplierCredentials.supplier, publicKey: han.updateSupplierCredentials.publicKey });
      this.log(`${stamp(this.clock.now())} ${m.id} trust anchor supplier=${han.updateSupplierCredentials.supplier}`);
      return m.answer(ref, han.kind);
    }
    const event = fromHanCommand(han);
    if (!event.ok) {
      this.unexpected(hanInTopic(this.hub, m.id), e, event.error.message);
      return m.refuse(ref, han.kind, 'not-supported');
    }
    m.step(event.value);
  }

  /** Answers a request up the WAN with a failure, correlated by its request id; lost while the WAN is down. // DOMAIN §3.3 */
  private refuse(r: Routing, reason: FailureReason, body: Record<string, string>): void {
    this.stats.refused++;
    if (!this.wanUp()) {
      this.log(`${stamp(this.clock.now())} ${this.hub} failure lost (WAN down) req=${r.requestId}`);
      return;
    }
    const response = { ref: r.requestId, command: r.kind, outcome: 'failure' as const, reason, body };
    const wanResponse = { commsHub: this.hub, device: r.device, response };
    this.fromHub(wanUpTopic(this.hub), this.hub, r.requestId, { kind: 'wanResponse', wanResponse });
  }

  private unexpected(topic: string, e: Envelope, why = `no ${e.kind} here`): void {
    this.stats.unexpected++;
    this.log(`${stamp(this.clock.now())} ${topic} refused from=${e.originator} n=${e.counter} why=${why}`);
  }

  private stepChf(event: ChfEvent): void {
    const r = steppers.chf.step(this.chf, event);
    this.chf = r.snapshot;
    for (const effect of r.effects) this.onChfEffect(effect);
  }

  private onChfEffect(effect: Effect): void {
    const now = this.clock.now();
    switch (effect.type) {
      case 'toHan': {
        const p = effect.params as { device: Eui64; command: RemoteCommand };
        return this.toDevice(p.device, p.command);
      }
      case 'toGpf':
        return this.stepGpf({ type: 'command.hold', now, command: (effect.params as { command: RemoteCommand }).command });
      case 'toWan':
        return this.toWan(effect.params as ToWan);
      case 'undeliverable': {
        const p = effect.params as { ref: string; target: string; reason: UndeliverableReason };
        this.log(`${stamp(now)} ${this.hub} undeliverable req=${p.ref} device=${p.target} why=${p.reason}`);
        // The CHF says so only while it routes a WAN command, so `routing` names the request.
        if (this.routing !== null) this.refuse(this.routing, UNDELIVERABLE_REASON[p.reason], { undeliverable: p.reason });
        return;
      }
      default:
        this.log(`${stamp(now)} ${this.hub} ${effect.type} ${JSON.stringify(effect.params)}`);
    }
  }

  private stepGpf(event: GpfEvent): void {
    const r = steppers.gpf.step(this.gpf, event);
    this.gpf = r.snapshot;
    for (const effect of r.effects) {
      if (effect.type === 'handOver') this.toDevice(this.gsme.id, (effect.params as { command: RemoteCommand }).command);
      else if (effect.type === 'alert') {
        const p = effect.params as { device: string; code: number; at: Instant };
        this.log(`${stamp(p.at)} alert device=${p.device} code=${hex4(p.code)}`);
        this.gpfAlert({ device: p.device, code: p.code, at: p.at });
      }
    }
    this.planGpf();
  }

  /** A GPF alert takes the hub's path: up now, into the outage queue, or lost with the hub off. // DOMAIN §3.3 */
  private gpfAlert(alert: DeviceAlertMessage): void {
    this.stepChf({ type: 'han.alert', now: this.clock.now(), alert });
  }

  /** The GSME's next poll (its next wake) while the GPF holds anything, and the GPF's collection deadline. // DOMAIN §3.4 */
  private planGpf(): void {
    const c = this.gpf.context;
    const now = this.clock.now();
    if (c.queue.length > 0 && this.pollAt === Infinity) {
      const at = nextWake(this.gsme.context, now);
      this.pollAt = at;
      this.clock.schedule(at, () => {
        this.pollAt = Infinity;
        // The GSME cannot reach the GPF: it polls again once the hub is on and the link is up (see `power`, `hanLink`).
        if (!this.isOn() || this.linkDown(this.gsme.id)) return this.log(`${stamp(at)} ${this.gsme.id} poll missed`);
        this.log(`${stamp(at)} ${this.gsme.id} poll held=${this.gpf.context.queue.length}`);
        this.stepGpf({ type: 'gsme.poll', now: at });
      });
    }
    const due = gpfDue(c);
    if (due === this.gpfDueAt) return;
    if (this.gpfDueHandle !== null) this.clock.cancel(this.gpfDueHandle);
    this.gpfDueAt = due;
    this.gpfDueHandle = Number.isFinite(due)
      ? this.clock.schedule(Math.max(due, now), () => {
          this.gpfDueHandle = null;
          this.gpfDueAt = Infinity;
          this.stepGpf({ type: 'clock.due', now: this.clock.now() });
        })
      : null;
  }

  /**
   * Change of Supplier's credential update goes to the device's security
   * layer directly: it is not a meter event for the CHF to route. // DOMAIN §5.3
   */
  private toSecurity(r: Routing, han: HanCommand): void {
    const m = [this.esme, this.gsme].find((x) => x.id === r.device);
    if (m === undefined) return this.refuse(r, 'not-here', { refused: 'not a meter of this hub' });
    this.fromHub(hanInTopic(this.hub, m.id), m.id, r.requestId, { kind: 'hanCommand', hanCommand: han });
  }

  private toDevice(device: Eui64, c: RemoteCommand): void {
    const plain = toHanCommand(c.command as HanMeterEvent);
    const han: HanCommand = c.authorisation === undefined ? plain : { ...plain, authorisation: c.authorisation };
    this.fromHub(hanInTopic(this.hub, device), device, c.ref, { kind: 'hanCommand', hanCommand: han });
  }

  private toWan(p: ToWan): void {
    if ('alert' in p) {
      const a = p.alert;
      const body: EnvelopeBody = {
        kind: 'deviceAlert',
        deviceAlert: { code: a.code, device: a.device, at: a.at, critical: isCriticalAlert(a.code) },
      };
      return this.fromHub(wanUpTopic(this.hub), this.hub, '', body);
    }
    const r = p.reply;
    const body: EnvelopeBody = {
      kind: 'wanResponse',
      wanResponse: { commsHub: this.hub, device: r.device, response: toHanResponse(r.response) },
    };
    this.fromHub(wanUpTopic(this.hub), this.hub, r.ref, body);
  }

  private fromHub(topic: string, target: string, requestId: string, body: EnvelopeBody): void {
    this.counter++;
    const e = this.envelope(this.hub, this.counter, target, requestId, body);
    if (topic === wanUpTopic(this.hub)) this.log(`${stamp(e.at)} ${topic} up ${e.kind} n=${e.counter}${describe(e)}`);
    this.publish(this.hubBus, topic, e);
  }

  private wanUp(): boolean {
    return this.chf.matches({ on: 'wanUp' });
  }

  private envelope(from: string, counter: bigint, target: string, requestId: string, body: EnvelopeBody): Envelope {
    return { messageId: `${from}/${counter}`, requestId, originator: from, target, counter, at: this.clock.now(), ...body };
  }

  private publish(bus: Bus | null, topic: string, e: Envelope): void {
    if (bus === null) throw new Error(`HubNode ${this.hub}: publish before connect`);
    if (bus.closed) {
      this.log(`${stamp(this.clock.now())} ${topic} not sent (connection closed) n=${e.counter}`);
      return;
    }
    this.track(bus.publish(topic, encodeEnvelope(e), { qos: 1 }));
  }

  private track(sent: Promise<void>): void {
    const tracked: Promise<void> = sent.finally(() => this.outstanding.delete(tracked));
    this.outstanding.add(tracked);
  }
}
