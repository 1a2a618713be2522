import { formatFieldError, type FieldError } from '../../core/errors.ts';
import { err, ok, type Result } from '../../core/result.ts';
import type { Instant } from '../../core/time/duration.ts';
import type { VirtualClock } from '../../core/time/virtual-clock.ts';
import { FilterTrie } from './filter-trie.ts';
import type {
  Bus,
  BusFactory,
  BusIdentity,
  BusMessage,
  ConnectError,
  MessageHandler,
  PublishOptions,
  QoS,
  SubscribeOptions,
  Subscription,
} from './port.ts';
import { checkTopicFilter, checkTopicName, filterMatches, hasWildcard } from './topic-syntax.ts';
import { checkIdentity, checkQos } from './identity-check.ts';

/** Options of a memory bus. */
export interface MemoryBusOptions {
  /**
   * The one-way delay, in virtual milliseconds, of a client's link to the bus,
   * read once when the client connects. A message takes the publisher's link
   * plus each subscriber's; a retained message or a will, which the bus itself
   * sends, takes the subscriber's link only. Default: 0 for every client.
   */
  readonly linkLatency?: (clientId: string) => number;
}

/**
 * The deterministic bus: an in-process broker on the run's `VirtualClock`,
 * used by every scenario and fleet.
 *
 * A message is routed when it is published — the subscriptions that exist
 * then are its receivers, and a retained message replaces the topic's at
 * once — and delivered by clock events at the current instant plus the link
 * latencies. So nothing is delivered outside `clock.runUntil`, and deliveries
 * run in one canonical order: by delivery time, then by the order of the bus
 * operation that sent them (publish, the retained replay of a subscribe, a
 * will); the receivers of one message are called in the order they
 * subscribed. A delivery whose subscription ended or whose client closed
 * before it ran is dropped. Each receiver gets its own copy of the payload.
 *
 * Sessions are clean and nothing is lost in memory, so QoS 1 is delivered
 * exactly once and `duplicate` is never set; the QoS a receiver sees is still
 * the lower of the publish and subscription QoS, as on a broker.
 *
 * A handler that throws fails the run: the error leaves `clock.runUntil`. A
 * handler whose promise rejects fails it at the next clock run (the error is
 * thrown by a clock event at the current instant).
 *
 * @example
 * const bus = new MemoryBus(clock);
 * const hub = unwrap(await bus.connect({ clientId: 'ch-1' }));
 * await hub.subscribe(wanDownTopic(chId), onCommand, { qos: 1 });
 * await dsp.publish(wanDownTopic(chId), bytes, { qos: 1 });
 * await bus.settle(); // onCommand has run
 */
export class MemoryBus implements BusFactory {
  private readonly router: Router;

  /** @param clock the run's clock; every delivery is one of its events. */
  constructor(clock: VirtualClock, options: MemoryBusOptions = {}) {
    this.router = new Router(clock, options.linkLatency ?? (() => 0));
  }

  /** Deliveries scheduled and not yet run, at any time. */
  get pending(): number {
    return this.router.pendingCount;
  }

  /**
   * True when nothing is left to do at the current instant: no delivery is due
   * at or before `clock.now()` and no handler's promise is outstanding. A
   * runner advances virtual time only when the bus is quiet.
   */
  quiet(): boolean {
    return this.router.quiet();
  }

  /** Resolves once every handler promise outstanding (and any they lead to) has settled. */
  async idle(): Promise<void> {
    while (this.router.inFlight.size > 0) await Promise.allSettled([...this.router.inFlight]);
  }

  /**
   * Runs the clock at the current instant, and waits for handlers, until the
   * bus is quiet; time does not move. Call it from outside clock events.
   */
  async settle(): Promise<void> {
    const clock = this.router.clock;
    for (;;) {
      clock.runUntil(clock.now());
      await this.idle();
      if (this.quiet()) return;
    }
  }

  /** Connects a client; see `BusFactory.connect`. */
  connect(identity: BusIdentity): Promise<Result<Bus, ConnectError>> {
    return run(() => {
      const state = this.router.connect(identity);
      return state.ok ? ok(new MemoryBusClient(this.router, state.value)) : state;
    });
  }
}

// The broker's state and rules; file-local, so clients reach it and nothing else does.
class Router {
  readonly clock: VirtualClock;
  private readonly linkLatency: (clientId: string) => number;
  private readonly clients = new Map<string, ClientState>();
  private readonly trie = new FilterTrie<SubState>();
  private readonly retained = new Map<string, StoredMessage>();
  // Deliveries scheduled and not yet run, counted per delivery time, for quiet().
  private readonly due = new Map<Instant, number>();
  readonly inFlight = new Set<Promise<void>>();
  pendingCount = 0;
  private nextSubscription = 0;

  constructor(clock: VirtualClock, linkLatency: (clientId: string) => number) {
    this.clock = clock;
    this.linkLatency = linkLatency;
  }

  quiet(): boolean {
    if (this.inFlight.size > 0) return false;
    const now = this.clock.now();
    for (const at of this.due.keys()) if (at <= now) return false;
    return true;
  }

  connect(identity: BusIdentity): Result<ClientState, ConnectError> {
    const checked = checkIdentity(identity);
    if (!checked.ok) return err({ code: 'invalid-identity', field: checked.error });
    const w = checked.value;
    const will: StoredWill | undefined =
      w === undefined ? undefined : { message: { topic: w.topic, payload: w.payload, qos: w.qos }, retain: w.retain };
    const latency = this.linkLatency(identity.clientId);
    if (!(latency >= 0 && latency < Infinity)) {
      throw new RangeError(`MemoryBus: linkLatency(${identity.clientId}) must be a finite number >= 0, got ${latency}`);
    }
    const older = this.clients.get(identity.clientId);
    if (older !== undefined) this.drop(older, true); // [MQTT-3.1.4-2] the newer connection takes over
    const state: ClientState = { clientId: identity.clientId, latency, open: true, will, subscriptions: new Set() };
    this.clients.set(state.clientId, state);
    return ok(state);
  }

  /** Routes a message published by `from` (undefined: by the bus itself). */
  route(from: ClientState | undefined, message: StoredMessage, retain: boolean): void {
    // [MQTT-3.3.1-5, -10, -11] a retained publish replaces the topic's retained message; an empty one deletes it.
    if (retain) {
      if (message.payload.length === 0) this.retained.delete(message.topic);
      else this.retained.set(message.topic, message);
    }
    const receivers = this.trie.match(message.topic);
    if (receivers.length === 0) return;
    receivers.sort((a, b) => a.order - b.order);
    const up = from === undefined ? 0 : from.latency;
    const now = this.clock.now();
    // One clock event per delivery time; with no latency, one event per message.
    const byTime = new Map<Instant, SubState[]>();
    for (const sub of receivers) {
      const at = now + up + sub.client.latency;
      const group = byTime.get(at);
      if (group === undefined) byTime.set(at, [sub]);
      else group.push(sub);
    }
    for (const [at, group] of byTime) {
      this.schedule(at, () => {
        for (const sub of group) this.deliver(sub, message, false);
      });
    }
  }

  /** Registers a subscription and schedules the retained messages it matches. */
  subscribe(client: ClientState, filter: string, qos: QoS, handler: MessageHandler): SubState {
    const sub: SubState = { order: this.nextSubscription++, filter, qos, handler, client, active: true };
    this.trie.add(filter, sub);
    client.subscriptions.add(sub);
    const replay = this.retainedFor(filter);
    if (replay.length > 0) {
      this.schedule(this.clock.now() + client.latency, () => {
        for (const message of replay) this.deliver(sub, message, true);
      });
    }
    return sub;
  }

  /** Ends a subscription; deliveries already scheduled for it are dropped. */
  unsubscribe(sub: SubState): void {
    if (!sub.active) return;
    sub.active = false;
    this.trie.remove(sub.filter, sub);
    sub.client.subscriptions.delete(sub);
  }

  /** Closes a client, publishing its will when the drop is ungraceful. */
  drop(client: ClientState, withWill: boolean): void {
    if (!client.open) return;
    client.open = false;
    for (const sub of [...client.subscriptions]) this.unsubscribe(sub);
    if (this.clients.get(client.clientId) === client) this.clients.delete(client.clientId);
    const will = client.will;
    client.will = undefined;
    // [MQTT-3.1.2-8] the will is published when the connection ends without DISCONNECT; [MQTT-3.1.2-10] discarded on DISCONNECT.
    if (withWill && will !== undefined) this.route(undefined, will.message, will.retain);
  }

  private retainedFor(filter: string): StoredMessage[] {
    if (!hasWildcard(filter)) {
      const one = this.retained.get(filter);
      return one === undefined ? [] : [one];
    }
    const found: StoredMessage[] = [];
    for (const [topic, message] of this.retained) if (filterMatches(filter, topic)) found.push(message);
    // In topic order, so the replay does not depend on the history of the store.
    return found.sort((a, b) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : 0));
  }

  private deliver(sub: SubState, message: StoredMessage, retain: boolean): void {
    if (!sub.active) return;
    const delivered: BusMessage = {
      topic: message.topic,
      payload: message.payload.slice(),
      qos: message.qos < sub.qos ? message.qos : sub.qos,
      retain,
    };
    const result = sub.handler(delivered);
    if (result instanceof Promise) this.track(result);
  }

  private track(result: Promise<void>): void {
    const settled: Promise<void> = result.then(
      () => {
        this.inFlight.delete(settled);
      },
      (error: unknown) => {
        this.inFlight.delete(settled);
        // Surface the failure through the clock, where the runner will meet it.
        this.schedule(this.clock.now(), () => {
          throw error;
        });
      },
    );
    this.inFlight.add(settled);
  }

  private schedule(at: Instant, fn: () => void): void {
    this.pendingCount++;
    this.due.set(at, (this.due.get(at) ?? 0) + 1);
    this.clock.schedule(at, () => {
      this.pendingCount--;
      const left = this.due.get(at)! - 1;
      if (left === 0) this.due.delete(at);
      else this.due.set(at, left);
      fn();
    });
  }
}

/** A client's handle on the memory bus. */
class MemoryBusClient implements Bus {
  readonly clientId: string;
  private readonly router: Router;
  private readonly state: ClientState;

  constructor(router: Router, state: ClientState) {
    this.router = router;
    this.state = state;
    this.clientId = state.clientId;
  }

  get closed(): boolean {
    return !this.state.open;
  }

  publish(topic: string, payload: Uint8Array, options: PublishOptions = {}): Promise<void> {
    return run(() => {
      this.assertOpen('publish');
      const name = checkTopicName(topic);
      if (!name.ok) throw this.bug('publish', name.error);
      const qos = checkQos(options.qos, 'options.qos');
      if (!qos.ok) throw this.bug('publish', qos.error);
      if (!(payload instanceof Uint8Array)) throw new TypeError(`Bus.publish (${this.clientId}): payload must be a Uint8Array`);
      this.router.route(this.state, { topic, payload: payload.slice(), qos: qos.value }, options.retain === true);
    });
  }

  subscribe(filter: string, handler: MessageHandler, options: SubscribeOptions = {}): Promise<Subscription> {
    return run(() => {
      this.assertOpen('subscribe');
      const checked = checkTopicFilter(filter);
      if (!checked.ok) throw this.bug('subscribe', checked.error);
      const qos = checkQos(options.qos, 'options.qos');
      if (!qos.ok) throw this.bug('subscribe', qos.error);
      const sub = this.router.subscribe(this.state, filter, qos.value, handler);
      const router = this.router;
      return {
        filter,
        qos: qos.value,
        unsubscribe: () => run(() => router.unsubscribe(sub)),
      };
    });
  }

  close(): Promise<void> {
    return run(() => this.router.drop(this.state, false));
  }

  kill(): Promise<void> {
    return run(() => this.router.drop(this.state, true));
  }

  private assertOpen(method: string): void {
    if (!this.state.open) throw new TypeError(`Bus.${method} (${this.clientId}): the client is closed`);
  }

  private bug(method: string, error: FieldError): TypeError {
    return new TypeError(`Bus.${method} (${this.clientId}): ${formatFieldError(error)}`);
  }
}

interface StoredMessage {
  readonly topic: string;
  readonly payload: Uint8Array;
  readonly qos: QoS;
}

interface StoredWill {
  readonly message: StoredMessage;
  readonly retain: boolean;
}

interface ClientState {
  readonly clientId: string;
  readonly latency: number;
  open: boolean;
  will: StoredWill | undefined;
  readonly subscriptions: Set<SubState>;
}

interface SubState {
  /** Global subscription order: receivers of one message are called in it. */
  readonly order: number;
  readonly filter: string;
  readonly qos: QoS;
  readonly handler: MessageHandler;
  readonly client: ClientState;
  active: boolean;
}

// Runs `fn` now — so routing happens at the call, in call order — and turns a
// throw into a rejected promise, as an asynchronous transport would report it.
function run<T>(fn: () => T): Promise<T> {
  return new Promise<T>((resolve) => resolve(fn()));
}
