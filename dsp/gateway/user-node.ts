import { unwrap } from '../../core/result.ts';
import type { VirtualClock } from '../../core/time/virtual-clock.ts';
import { encodeEnvelope } from '../../proto/codec.ts';
import type { DccAlert, DeviceAlert, ServiceRequest, ServiceResponse } from '../../proto/types.ts';
import { clientIdOf } from '../../emulator/bus/acl.ts';
import type { Bus, BusFactory } from '../../emulator/bus/port.ts';
import { userAlertsTopic, userRequestsTopic, userResponsesTopic } from '../../emulator/bus/topics.ts';
import { Inbox } from '../../emulator/network/inbox.ts';
import type { DuisUser } from '../user/duis-user.ts';

/**
 * A DCC User on the bus: it publishes its signed Service Requests on its own
 * `requests` topic and collects what the DSP sends to its `responses` and
 * `alerts` topics. It connects as `user.<EUI>`, so the broker lets it see
 * nothing of any other User. // docs/bus.md; RELIABILITY SB04
 */
export class UserNode {
  readonly user: DuisUser;
  /** Every response received, in the order handled. */
  readonly responses: ServiceResponse[] = [];
  /** Every DCC and device alert received, in the order handled. */
  readonly alerts: (DccAlert | DeviceAlert)[] = [];
  private readonly clock: VirtualClock;
  private readonly inbox = new Inbox();
  private bus: Bus | null = null;
  private counter = 0n;
  private readonly outstanding = new Set<Promise<void>>();
  private readonly waiting = new Map<string, ServiceResponse[]>();

  constructor(
    clock: VirtualClock,
    user: DuisUser,
    hooks: { readonly onResponse?: (r: ServiceResponse) => void; readonly onAlert?: (a: DccAlert | DeviceAlert) => void } = {},
  ) {
    this.clock = clock;
    this.user = user;
    this.hooks = hooks;
  }

  /** Hear each response and alert as it is handled. */
  private readonly hooks: { readonly onResponse?: (r: ServiceResponse) => void; readonly onAlert?: (a: DccAlert | DeviceAlert) => void };

  async connect(factory: BusFactory): Promise<void> {
    const bus = unwrap(await factory.connect({ clientId: clientIdOf({ kind: 'user', id: this.user.id }) }));
    await bus.subscribe(userResponsesTopic(this.user.id), this.inbox.handler, { qos: 1 });
    await bus.subscribe(userAlertsTopic(this.user.id), this.inbox.handler, { qos: 1 });
    this.bus = bus;
  }

  /** Publishes a request (QoS 1). */
  send(request: ServiceRequest): void {
    const bus = this.bus;
    if (bus === null) throw new Error(`UserNode ${this.user.id}: send before connect`);
    this.counter++;
    const bytes = encodeEnvelope({
      messageId: `${this.user.id}/${this.counter}`,
      requestId: request.header.requestId,
      originator: this.user.id,
      target: request.header.businessTarget,
      counter: this.counter,
      at: this.clock.now(),
      kind: 'serviceRequest',
      serviceRequest: request,
    });
    const sent: Promise<void> = bus
      .publish(userRequestsTopic(this.user.id), bytes, { qos: 1 })
      .finally(() => this.outstanding.delete(sent));
    this.outstanding.add(sent);
  }

  /** The responses received for a RequestID, oldest first. */
  responsesTo(requestId: string): readonly ServiceResponse[] {
    return this.waiting.get(requestId) ?? [];
  }

  /** The latest response for a RequestID, if any. */
  lastResponse(requestId: string): ServiceResponse | undefined {
    const all = this.waiting.get(requestId);
    return all === undefined ? undefined : all[all.length - 1];
  }

  async flushed(): Promise<void> {
    while (this.outstanding.size > 0) await Promise.all([...this.outstanding]);
  }

  drain(): boolean {
    let worked = false;
    for (const item of this.inbox.drain()) {
      worked = true;
      if (item.kind !== 'envelope') continue;
      const e = item.envelope;
      if (e.kind === 'serviceResponse') {
        this.responses.push(e.serviceResponse);
        const list = this.waiting.get(e.serviceResponse.requestId);
        if (list === undefined) this.waiting.set(e.serviceResponse.requestId, [e.serviceResponse]);
        else list.push(e.serviceResponse);
        this.hooks.onResponse?.(e.serviceResponse);
      } else if (e.kind === 'dccAlert') {
        this.alerts.push(e.dccAlert);
        this.hooks.onAlert?.(e.dccAlert);
      } else if (e.kind === 'deviceAlert') {
        this.alerts.push(e.deviceAlert);
        this.hooks.onAlert?.(e.deviceAlert);
      }
    }
    return worked;
  }
}
