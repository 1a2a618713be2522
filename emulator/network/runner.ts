import type { Instant } from '../../core/time/duration.ts';
import type { VirtualClock } from '../../core/time/virtual-clock.ts';
import type { BusFactory } from '../bus/port.ts';
import { HubNode, type HubNodeOptions } from './hub-node.ts';

/**
 * A bus the runner can wait on: `settle` returns once everything published so
 * far has been delivered and handled. `MemoryBus` (it runs the clock at the
 * current instant) and `MqttBusFactory` (round trips through the broker) both are.
 */
export interface SettlingBus extends BusFactory {
  settle(): Promise<void>;
}

/**
 * Runs premises on the bus on virtual time, the same way over the memory bus
 * and over MQTT. // ARCHITECTURE "Time"; docs/bus.md
 *
 * `runUntil(t)` moves instant by instant. At each instant it runs the clock's
 * events for that instant (credit events, GSME polls, GPF deadlines, script
 * operations), then waits for the bus to settle, then drains every node's
 * inboxes in canonical order (see `Inbox`), and repeats until nothing is left
 * to do at that instant: nothing published is undelivered or unhandled and no
 * event is due. Only then does time move on. So the event log depends on the
 * script and the seed, never on the transport.
 */
export class NetworkRunner {
  readonly clock: VirtualClock;
  readonly bus: SettlingBus;
  /** One line per handled message, per alert and per WAN publish: virtual time first, no wall-clock fields. */
  readonly log: string[] = [];
  readonly nodes: HubNode[] = [];

  constructor(clock: VirtualClock, bus: SettlingBus) {
    this.clock = clock;
    this.bus = bus;
  }

  /** Builds a premises, connects it and plans its first credit events. */
  async addHub(options: HubNodeOptions): Promise<HubNode> {
    const node = new HubNode(this.clock, options, (line) => this.log.push(line));
    await node.connect(this.bus);
    this.nodes.push(node);
    return node;
  }

  /** A script operation at virtual time `at` (a fault, a consumer action), run as a clock event. */
  at(at: Instant, operation: () => void): void {
    this.clock.schedule(at, operation);
  }

  /** Runs every instant up to and including `t`, each until quiet, and leaves the clock at `t`. */
  async runUntil(t: Instant): Promise<void> {
    await this.quiesce();
    for (;;) {
      const next = this.clock.nextTime();
      if (next > t) break;
      this.clock.runUntil(next);
      await this.quiesce();
    }
    if (t > this.clock.now()) this.clock.runUntil(t);
  }

  /** Everything due at the current instant: clock events, deliveries, handling — until nothing is left. */
  async quiesce(): Promise<void> {
    for (;;) {
      this.clock.runUntil(this.clock.now());
      for (const node of this.nodes) await node.flushed();
      await this.bus.settle();
      let worked = false;
      for (const node of this.nodes) worked = node.drain() || worked;
      if (!worked && this.clock.nextTime() > this.clock.now()) return;
    }
  }
}
