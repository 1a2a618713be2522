import type { Eui64 } from '../../core/ids.ts';
import type { Instant } from '../../core/time/duration.ts';
import type { VirtualClock } from '../../core/time/virtual-clock.ts';
import { busForPlan, type ConnectionPlan } from '../bus/connection-model.ts';
import type { BusFactory } from '../bus/port.ts';
import { HubNode, type HubNodeOptions } from './hub-node.ts';
import { stamp } from './log-line.ts';

/**
 * A bus the runner can wait on: `settle` returns once everything published so
 * far has been delivered and handled. `MemoryBus` (it runs the clock at the
 * current instant) and `MqttBusFactory` (round trips through the broker) both
 * are, and so is a `MultiplexedBusFactory` over either.
 */
export interface SettlingBus extends BusFactory {
  settle(): Promise<void>;
}

/**
 * The broker of an MQTT run, as the runner's `brokerRestart` fault needs it:
 * something that stops the broker and starts it again on the same address.
 */
export interface RestartableBroker {
  /** Stops the broker (every connection drops; what it kept in memory is gone) and starts it again where clients reconnect. */
  restart(): Promise<void>;
}

/** Anything else on the bus the runner drains with the premises: the DSP, DCC Users. */
export interface RunnerNode {
  /** Resolves once its publishes are acknowledged. */
  flushed(): Promise<void>;
  /** Handles what it received; true if there was anything. */
  drain(): boolean;
  /**
   * Optional: takes what it received for the next `drain` and does the
   * asynchronous part of handling it (verifying signatures in the
   * background) so that `drain` stays synchronous. Changes no outcome.
   */
  prepare?(): Promise<void>;
}

/** Options of a run. */
export interface NetworkRunnerOptions {
  /**
   * The broker of an MQTT run whose bus reconnects (`MqttBusOptions.reconnect`),
   * for `brokerRestart`. Default: none (the memory bus has no broker).
   */
  readonly broker?: RestartableBroker;
  /**
   * How the premises' hubs and devices reach the bus (`planConnections`):
   * per client, each with its own connection, or carried over one connection
   * per shard. Default: per client. The broker's policy must be built from
   * the same plan (`brokerPolicyFor`).
   */
  readonly connections?: ConnectionPlan;
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
  /** The other nodes, drained after the premises in the order attached. */
  readonly others: RunnerNode[] = [];
  private readonly broker: RestartableBroker | undefined;

  /** @param bus the bus the run's clients connect through; under a per-shard `options.connections`, the shards' connections. */
  constructor(clock: VirtualClock, bus: SettlingBus, options: NetworkRunnerOptions = {}) {
    this.clock = clock;
    this.bus = options.connections === undefined ? bus : busForPlan(bus, options.connections);
    this.broker = options.broker;
  }

  /** Builds a premises, connects it and plans its first credit events. */
  async addHub(options: HubNodeOptions): Promise<HubNode> {
    const node = new HubNode(this.clock, options, (line) => this.log.push(line));
    await node.connect(this.bus);
    this.nodes.push(node);
    return node;
  }

  /** Adds a node that is already connected (the DSP, a DCC User) to what each instant drains. */
  attach(node: RunnerNode): void {
    this.others.push(node);
  }

  /** A script operation at virtual time `at` (a fault, a consumer action), run as a clock event. */
  at(at: Instant, operation: () => void): void {
    this.clock.schedule(at, operation);
  }

  /**
   * Fault: the WAN link of comms hub `hub` goes down or comes back (CHF `wan.link`),
   * at virtual time `at` (default: now, at once). // DOMAIN §3.3
   */
  wanLink(hub: Eui64, up: boolean, at?: Instant): void {
    this.fault(at, () => this.node(hub).wanLink(up));
  }

  /**
   * Fault: comms hub `hub` loses or regains power (CHF `power`), at virtual time `at`
   * (default: now, at once). While off it hears nothing and its meters' alerts are lost. // DOMAIN §3.1
   */
  hubPower(hub: Eui64, on: boolean, at?: Instant): void {
    this.fault(at, () => this.node(hub).power(on));
  }

  /**
   * Fault: the HAN link between comms hub `hub` and `device` goes down or comes back
   * (CHF `han.link`), at virtual time `at` (default: now, at once). A command for an
   * ESME whose link is down raises 0x8F84 up the WAN. // DOMAIN §3.2
   */
  hanLink(hub: Eui64, device: Eui64, up: boolean, at?: Instant): void {
    this.fault(at, () => this.node(hub).hanLink(device, up));
  }

  /**
   * Fault: the broker stops and starts again, at the current instant: every
   * connection drops, and the bus's clients reconnect and resubscribe (the bus
   * must be built with `reconnect`). Time does not move meanwhile; this returns
   * once every client is connected again and the instant is quiet. What was in
   * the broker — messages in flight, retained states — is lost with it, as with
   * mosquitto without persistence.
   *
   * @throws Error on a run without a broker (see `NetworkRunnerOptions.broker`).
   */
  async brokerRestart(): Promise<void> {
    if (this.broker === undefined) throw new Error('NetworkRunner.brokerRestart: this run has no broker (NetworkRunnerOptions.broker)');
    await this.quiesce();
    this.log.push(`${stamp(this.clock.now())} broker restart`);
    await this.broker.restart();
    // Settling waits for the reconnecting clients, so nothing at this instant runs before they are back.
    await this.bus.settle();
    // The restarted broker kept nothing: each hub says its online state again.
    for (const node of this.nodes) node.announceOnline();
    await this.bus.settle();
    await this.quiesce();
  }

  /** The node of a comms hub; an unknown hub is a bug in the script. */
  node(hub: Eui64): HubNode {
    const node = this.nodes.find((n) => n.hub === hub);
    if (node === undefined) throw new RangeError(`NetworkRunner: no comms hub ${hub}`);
    return node;
  }

  private fault(at: Instant | undefined, operation: () => void): void {
    if (at === undefined) operation();
    else this.at(at, operation);
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
      for (const node of this.others) await node.flushed();
      await this.bus.settle();
      await Promise.all([...this.nodes.map((n) => n.prepare()), ...this.others.map((n) => n.prepare?.())]);
      let worked = false;
      for (const node of this.nodes) worked = node.drain() || worked;
      for (const node of this.others) worked = node.drain() || worked;
      if (!worked && this.clock.nextTime() > this.clock.now()) return;
    }
  }
}
