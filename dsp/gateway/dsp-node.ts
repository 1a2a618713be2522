import type { Eui64 } from '../../core/ids.ts';
import { unwrap } from '../../core/result.ts';
import type { Instant } from '../../core/time/duration.ts';
import type { VirtualClock } from '../../core/time/virtual-clock.ts';
import { encodeEnvelope } from '../../proto/codec.ts';
import type { Envelope, EnvelopeBody } from '../../proto/types.ts';
import { clientIdOf } from '../../emulator/bus/acl.ts';
import type { Bus, BusFactory, BusMessage } from '../../emulator/bus/port.ts';
import {
  CH_ONLINE_FILTER,
  parseTopic,
  USER_REQUESTS_FILTER,
  userAlertsTopic,
  userResponsesTopic,
  WAN_UP_FILTER,
  wanDownTopic,
} from '../../emulator/bus/topics.ts';
import { Inbox, type Inbound } from '../../emulator/network/inbox.ts';
import { describe, stamp, type LogSink } from '../../emulator/network/log-line.ts';
import type { DspOutput } from '../dsp-outputs.ts';
import type { Dsp } from '../dsp-service.ts';
import { EMULATOR_CODES } from '../response-codes.ts';

/**
 * The DSP on the bus: its User gateway and its side of the WAN.
 * // ARCHITECTURE "DSP"; docs/bus.md topic layout
 *
 * It connects as `dsp`, hears every User's `requests` topic, every comms
 * hub's `wan/…/up` and the hubs' retained online states, and publishes each
 * `DspOutput` to its one recipient: responses and alerts on that User's own
 * topics, commands on the hub's `wan/…/down`. The sender of a request is the
 * User named by the topic it arrived on — the broker lets each User publish
 * only there — never a field of the payload. // RELIABILITY SB02
 *
 * Like a comms hub it collects while the bus runs and handles on `drain`, in
 * canonical order, so a run gives the same log on any bus. It asks the clock
 * to wake it when the DSP has something due (a response deadline, a
 * future-dated request).
 */
export class DspNode {
  /** The DCC's EUI-64 as the originator of what the DSP sends. */
  readonly id: Eui64;
  readonly dsp: Dsp;
  readonly stats = { undecodable: 0, duplicates: 0, unexpected: 0, signedInfoRefused: 0 };
  private readonly clock: VirtualClock;
  private readonly log: LogSink;
  private readonly inbox = new Inbox();
  private prepared: Inbound[] = [];
  private bus: Bus | null = null;
  private counter = 0n;
  private wakeAt: Instant = Infinity;
  private readonly outstanding = new Set<Promise<void>>();

  constructor(
    clock: VirtualClock,
    dsp: Dsp,
    options: {
      readonly id: Eui64;
      readonly log?: LogSink;
      readonly onOutput?: (o: DspOutput) => void;
      /** While true the node's deadline wake does nothing (a scenario's DSP outage); whoever ends the pause runs what is due. */
      readonly paused?: () => boolean;
    },
  ) {
    this.clock = clock;
    this.dsp = dsp;
    this.id = options.id;
    this.log = options.log ?? (() => {});
    this.onOutput = options.onOutput;
    this.paused = options.paused;
  }

  private readonly paused: (() => boolean) | undefined;

  /** Hears every output as it is published (a scenario counts the commands it sends). */
  private readonly onOutput: ((o: DspOutput) => void) | undefined;

  /** Connects as `dsp` and subscribes (QoS 1). */
  async connect(factory: BusFactory): Promise<void> {
    const bus = unwrap(await factory.connect({ clientId: clientIdOf({ kind: 'dsp' }) }));
    await bus.subscribe(USER_REQUESTS_FILTER, this.inbox.handler, { qos: 1 });
    await bus.subscribe(WAN_UP_FILTER, this.inbox.handler, { qos: 1 });
    await bus.subscribe(CH_ONLINE_FILTER, this.onOnline, { qos: 1 });
    this.bus = bus;
  }

  /** Publishes still waiting for the bus's acknowledgement. */
  async flushed(): Promise<void> {
    while (this.outstanding.size > 0) await Promise.all([...this.outstanding]);
  }

  /** Takes what arrived and starts its signature checks in the background (`Dsp.prime`), so `drain` finds them done. */
  async prepare(): Promise<void> {
    const items = this.inbox.drain();
    this.prepared.push(...items);
    const now = this.clock.now();
    const checks: Promise<unknown>[] = [];
    for (const i of items)
      if (i.kind === 'envelope' && i.envelope.kind === 'serviceRequest') checks.push(this.dsp.prime(i.envelope.serviceRequest, now));
    await Promise.all(checks);
  }

  /** Handles everything received since the last drain; true if anything was. */
  drain(): boolean {
    let worked = false;
    const items = this.prepared.length > 0 ? this.prepared : this.inbox.drain();
    this.prepared = [];
    for (const item of items) {
      worked = true;
      this.handle(item);
    }
    this.planWake();
    return worked;
  }

  /** A hub's retained online state (a bare `0` or `1`, not an envelope): commands to an offline hub fail with E20. */
  private readonly onOnline = (m: BusMessage): void => {
    const route = parseTopic(m.topic);
    if (route.ok && route.value.kind === 'ch.online') this.dsp.hubOnline(route.value.chId, m.payload[0] === 0x31);
  };

  private handle(item: Inbound): void {
    const now = this.clock.now();
    if (item.kind === 'undecodable') {
      this.stats.undecodable++;
      this.log(`${stamp(now)} ${item.topic} undecodable by=dsp reason=${item.reason}`);
      return;
    }
    const e = item.envelope;
    if (item.kind === 'duplicate') {
      this.stats.duplicates++;
      this.log(`${stamp(now)} ${item.topic} duplicate by=dsp from=${e.originator} n=${e.counter}`);
      return;
    }
    const route = parseTopic(item.topic);
    if (!route.ok) return this.unexpected(item.topic, e);
    const r = route.value;
    if (r.kind === 'dsp.requests' && e.kind === 'serviceRequest') {
      const h = e.serviceRequest.header;
      this.log(`${stamp(now)} dsp request from=${r.userId} req=${h.requestId} srv=${h.serviceReferenceVariant} cv=${h.commandVariant}`);
      // The DSP verifies a `signed_info` signature trusting that the XML gateway checked its digest against the
      // document; a bus client could pair any SignedInfo it once signed with any request. So only the gateway may
      // send one. // docs/duis-xml.md "In the DSP: the signed_info path"
      if (e.serviceRequest.xmlSignature?.signedInfo !== undefined) return this.refuseSignedInfo(r.userId, h.requestId, now);
      return this.publishAll(this.dsp.submit(r.userId, e.serviceRequest, now));
    }
    if (r.kind === 'wan.up' && e.kind === 'wanResponse') return this.publishAll(this.dsp.deviceResponse(r.chId, e.wanResponse, now));
    if (r.kind === 'wan.up' && e.kind === 'deviceAlert') return this.publishAll(this.dsp.deviceAlert(e.deviceAlert, now));
    this.unexpected(item.topic, e);
  }

  /** A request over the bus with a `signed_info`: X2, counted as the DSP's rejected input, never submitted. */
  private refuseSignedInfo(user: Eui64, requestId: string, now: Instant): void {
    this.stats.signedInfoRefused++;
    this.dsp.stats.rejectedInput++;
    this.log(`${stamp(now)} dsp refused from=${user} req=${requestId} reason=signed-info-over-bus`);
    const reason = 'signed_info only through the XML gateway: a request on the bus is signed over its own content';
    this.publish({ kind: 'response', to: user, response: { requestId, responseCode: EMULATOR_CODES.X2, body: { reason } } });
  }

  private unexpected(topic: string, e: Envelope): void {
    this.stats.unexpected++;
    this.log(`${stamp(this.clock.now())} ${topic} unexpected by=dsp ${e.kind} from=${e.originator}`);
  }

  /** Wakes at the DSP's next deadline (only ever earlier than a wake already planned). */
  private planWake(): void {
    const next = this.dsp.nextDue();
    if (next === undefined || next >= this.wakeAt) return;
    const at = Math.max(next, this.clock.now());
    this.wakeAt = at;
    this.clock.schedule(at, () => {
      if (this.wakeAt === at) this.wakeAt = Infinity;
      if (this.paused?.() === true) return;
      this.publishAll(this.dsp.due(this.clock.now()));
      this.planWake();
    });
  }

  /** Publishes what the DSP decided outside a request (admin operations such as Change of Supplier). */
  publishOutputs(outputs: readonly DspOutput[]): void {
    this.publishAll(outputs);
    this.planWake();
  }

  private publishAll(outputs: readonly DspOutput[]): void {
    for (const o of outputs) this.publish(o);
  }

  private publish(o: DspOutput): void {
    this.onOutput?.(o);
    switch (o.kind) {
      case 'response':
        return this.send(userResponsesTopic(o.to), o.to, o.response.requestId, { kind: 'serviceResponse', serviceResponse: o.response });
      case 'dccAlert':
        return this.send(userAlertsTopic(o.to), o.to, o.alert.requestId, { kind: 'dccAlert', dccAlert: o.alert });
      case 'deviceAlert':
        return this.send(userAlertsTopic(o.to), o.to, '', { kind: 'deviceAlert', deviceAlert: o.alert });
      case 'command':
        return this.send(wanDownTopic(o.hub), o.device, o.requestId, {
          kind: 'wanCommand',
          wanCommand: { commsHub: o.hub, device: o.device, command: o.command },
        });
    }
  }

  private send(topic: string, target: string, requestId: string, body: EnvelopeBody): void {
    const bus = this.bus;
    if (bus === null) throw new Error('DspNode: publish before connect');
    this.counter++;
    const e: Envelope = {
      messageId: `${this.id}/${this.counter}`,
      requestId,
      originator: this.id,
      target,
      counter: this.counter,
      at: this.clock.now(),
      ...body,
    };
    this.log(`${stamp(e.at)} ${topic} dsp ${e.kind}${describeOutput(e)}`);
    if (bus.closed) return;
    const sent: Promise<void> = bus.publish(topic, encodeEnvelope(e), { qos: 1 }).finally(() => this.outstanding.delete(sent));
    this.outstanding.add(sent);
  }
}

function describeOutput(e: Envelope): string {
  if (e.kind === 'serviceResponse') return ` req=${e.requestId} code=${e.serviceResponse.responseCode}`;
  if (e.kind === 'dccAlert') return ` req=${e.requestId} code=${e.dccAlert.code}`;
  return describe(e);
}
