import type { Eui64 } from '../../core/ids.ts';
import { unwrap } from '../../core/result.ts';
import type { VirtualClock } from '../../core/time/virtual-clock.ts';
import { encodeEnvelope } from '../../proto/codec.ts';
import type { EnvelopeBody } from '../../proto/types.ts';
import { clientIdOf } from '../../emulator/bus/acl.ts';
import type { Bus, BusFactory } from '../../emulator/bus/port.ts';
import { parseTopic, wanDownTopic, wanUpTopic } from '../../emulator/bus/topics.ts';
import { Inbox } from '../../emulator/network/inbox.ts';

/**
 * The WAN ends of a scenario estate's comms hubs on the bus: each hub connects
 * with its own identity (`ch.<EUI>`, so the broker's ACL holds), hears its
 * `wan/…/down` and says its meters' answers and alerts on `wan/…/up`. What
 * happens behind the hub — the HAN and the meters — stays in process, where
 * the fleet engine runs it. // ARCHITECTURE "Bus" (HAN in process for large fleets)
 */
export class HubGateway {
  private readonly clock: VirtualClock;
  private readonly inbox = new Inbox();
  private readonly buses = new Map<string, Bus>();
  private readonly counters = new Map<string, bigint>();
  private readonly outstanding = new Set<Promise<void>>();
  private readonly onCommand: (device: string, command: Extract<EnvelopeBody, { kind: 'wanCommand' }>['wanCommand']['command']) => void;
  readonly stats = { undecodable: 0, unexpected: 0 };

  constructor(clock: VirtualClock, onCommand: HubGateway['onCommand']) {
    this.clock = clock;
    this.onCommand = onCommand;
  }

  /** Connects each hub and subscribes it to its WAN down topic (QoS 1). */
  async connect(factory: BusFactory, hubs: Iterable<Eui64>): Promise<void> {
    for (const hub of hubs) {
      const bus = unwrap(await factory.connect({ clientId: clientIdOf({ kind: 'hub', id: hub }) }));
      await bus.subscribe(wanDownTopic(hub), this.inbox.handler, { qos: 1 });
      this.buses.set(hub, bus);
    }
  }

  /** Says something up hub `hub`'s WAN. */
  up(hub: Eui64, body: EnvelopeBody): void {
    const bus = this.buses.get(hub);
    if (bus === undefined || bus.closed) return;
    const counter = (this.counters.get(hub) ?? 0n) + 1n;
    this.counters.set(hub, counter);
    const requestId = body.kind === 'wanResponse' ? (body.wanResponse.response.ref ?? '') : '';
    const bytes = encodeEnvelope({
      messageId: `${hub}/${counter}`,
      requestId,
      originator: hub,
      target: '',
      counter,
      at: this.clock.now(),
      ...body,
    });
    const sent: Promise<void> = bus.publish(wanUpTopic(hub), bytes, { qos: 1 }).finally(() => this.outstanding.delete(sent));
    this.outstanding.add(sent);
  }

  async flushed(): Promise<void> {
    while (this.outstanding.size > 0) await Promise.all([...this.outstanding]);
  }

  /** Hands every command that came down to its meter, in canonical order. */
  drain(): boolean {
    let worked = false;
    for (const item of this.inbox.drain()) {
      worked = true;
      if (item.kind === 'undecodable') {
        this.stats.undecodable++;
        continue;
      }
      if (item.kind === 'duplicate') continue;
      const e = item.envelope;
      const route = parseTopic(item.topic);
      if (!route.ok || route.value.kind !== 'wan.down' || e.kind !== 'wanCommand' || e.wanCommand.commsHub !== route.value.chId) {
        this.stats.unexpected++;
        continue;
      }
      this.onCommand(e.wanCommand.device, e.wanCommand.command);
    }
    return worked;
  }

  /** Closes every hub's connection. */
  async close(): Promise<void> {
    await Promise.all([...this.buses.values()].map((b) => b.close()));
  }
}
