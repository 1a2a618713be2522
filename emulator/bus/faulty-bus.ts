import { formatFieldError } from '../../core/errors.ts';
import { ok, type Result } from '../../core/result.ts';
import type { Rng } from '../../core/rng.ts';
import type { Instant } from '../../core/time/duration.ts';
import type { VirtualClock } from '../../core/time/virtual-clock.ts';
import { linkCarries, linkKey, toLinkRef, type FaultPlan, type LinkFaults, type LinkRef, type WhileDown } from './fault-plan.ts';
import type {
  Bus,
  BusFactory,
  BusIdentity,
  ConnectError,
  MessageHandler,
  PublishOptions,
  QoS,
  SubscribeOptions,
  Subscription,
} from './port.ts';
import { checkTopicName } from './topic-syntax.ts';

/** How a fault layer is built. */
export interface FaultyBusOptions {
  /** The run's clock: delays, reorder windows and releases are its events. */
  readonly clock: VirtualClock;
  /** The faults; see `FaultPlan`. */
  readonly plan: FaultPlan;
  /** The one source of randomness; each link draws from `rng.fork(linkKey(link))`. */
  readonly rng: Rng;
}

/** What the fault layer did, counted in messages. */
export interface FaultCounts {
  /** Publishes accepted from clients (per link: those that reached the link's rule, after any outage). */
  readonly published: number;
  /** Messages handed to the underlying bus, copies included. */
  readonly forwarded: number;
  /** Lost by a `drop` rule. */
  readonly dropped: number;
  /** Extra copies sent by a `duplicate` rule. */
  readonly duplicated: number;
  /** Sent later than published by a `delay` rule. */
  readonly delayed: number;
  /** Sent in another place than they arrived within a reorder window. */
  readonly reordered: number;
  /** Kept back because a link was down (`whileDown: 'hold'`). */
  readonly held: number;
  /** Held messages sent on when their links came back up. */
  readonly released: number;
  /** Lost because a link was down (`whileDown: 'drop'`). */
  readonly droppedWhileDown: number;
  /** Lost because the publisher had closed (or was killed) before a delayed or held message left. */
  readonly lostOnClose: number;
}

/**
 * The counts, for the whole bus and per link (keyed by `linkKey`). A message
 * counts towards the link whose rule applied to it; outage counts go to the
 * first down link that stopped it.
 */
export interface FaultStats {
  readonly total: FaultCounts;
  readonly links: ReadonlyMap<string, FaultCounts>;
}

/**
 * A `BusFactory` that puts a `FaultPlan` between its clients and any other
 * bus factory, on the virtual clock and a seeded `Rng`, so every fault is
 * replayable from the seed.
 *
 * A publish goes through, in this order: the outage check (a link that is
 * down holds the message, to send it in publish order when it is back up, or
 * drops it, per `plan.whileDown`); then the rule of its link: `drop`,
 * `duplicate` (the copy follows the original through the rest), the reorder
 * window, and `delay`, which keeps the link first-in first-out. A message with
 * none of these goes to the underlying bus at once, so with an empty plan this
 * bus behaves exactly as the one it wraps.
 *
 * What it does not do: duplicates are simply published twice — the copy is a
 * second PUBLISH (MQTT DUP 0), so receivers do not see `duplicate` set; only a
 * client's publishes are faulted — wills and retained replays, which the
 * broker sends, are not, and a delayed message already on the wire is sent
 * even if its link goes down meanwhile. The promise of a publish that is held,
 * delayed or reordered resolves at once (the link took it); the promise of a
 * dropped one resolves too, as for a QoS 0 message lost on the way. A deferred
 * publish that the underlying bus rejects fails the run: the error is thrown
 * by a clock event.
 *
 * @example
 * const faults = new FaultyBusFactory(new MemoryBus(clock), { clock, rng: rng.fork('faults'), plan });
 * faults.linkDown('ch-1');
 * clock.runUntil(clock.now() + 60_000);
 * faults.linkUp('ch-1'); // what ch-1 published meanwhile is sent now, in order
 */
export class FaultyBusFactory implements BusFactory {
  private readonly inner: BusFactory;
  private readonly clock: VirtualClock;
  private readonly whileDown: WhileDown;
  private readonly rules: LinkState[];
  private readonly counters = new Map<string, Counters>();
  private readonly total = newCounters();
  private readonly down = new Map<string, LinkRef>();
  private readonly heldQueue: HeldMessage[] = [];
  private scheduled = 0;

  constructor(inner: BusFactory, options: FaultyBusOptions) {
    this.inner = inner;
    this.clock = options.clock;
    this.whileDown = options.plan.whileDown;
    this.rules = options.plan.links.map((link) => {
      const key = linkKey(link);
      return { link, key, rng: options.rng.fork(key), lastAt: -Infinity, window: undefined };
    });
    for (const link of options.plan.down) this.down.set(linkKey(link), link);
  }

  /** Events the fault layer has scheduled on the clock and not yet run (delays, reorder windows). */
  get pending(): number {
    return this.scheduled;
  }

  /** Messages held by links that are down. */
  get held(): number {
    return this.heldQueue.length;
  }

  /** Whether a link is down. */
  isDown(link: string | LinkRef): boolean {
    return this.down.has(linkKey(this.ref(link, 'isDown')));
  }

  /**
   * Takes a link down: a client id, or a topic filter (a string holding `/`,
   * `+` or `#`, or `{ topic }`). The link need not have a rule. Idempotent.
   */
  linkDown(link: string | LinkRef): void {
    const ref = this.ref(link, 'linkDown');
    this.down.set(linkKey(ref), ref);
  }

  /** Brings a link back up and sends, in publish order, every held message that no other down link still stops. Idempotent. */
  linkUp(link: string | LinkRef): void {
    const ref = this.ref(link, 'linkUp');
    if (!this.down.delete(linkKey(ref))) return;
    const still: HeldMessage[] = [];
    const go: HeldMessage[] = [];
    for (const held of this.heldQueue) (this.blocker(held.message) === undefined ? go : still).push(held);
    this.heldQueue.length = 0;
    this.heldQueue.push(...still);
    this.detached(() => {
      for (const held of go) {
        this.count(held.blockedBy, 'released');
        if (held.from.closed) this.count(held.blockedBy, 'lostOnClose');
        else void this.afterOutage(held.from, held.message);
      }
    });
  }

  /** The counts so far; a snapshot. */
  stats(): FaultStats {
    const links = new Map<string, FaultCounts>();
    for (const [key, c] of this.counters) links.set(key, { ...c });
    return { total: { ...this.total }, links };
  }

  /** Connects through the underlying factory; see `BusFactory.connect`. */
  async connect(identity: BusIdentity): Promise<Result<Bus, ConnectError>> {
    const r = await this.inner.connect(identity);
    return r.ok ? ok(new FaultyBusClient(r.value, (from, message) => this.accept(from, message))) : r;
  }

  // A publish from a client, already checked.
  private accept(from: Bus, message: Message): Promise<void> {
    this.total.published++;
    const blockedBy = this.blocker(message);
    if (blockedBy !== undefined) {
      if (this.whileDown === 'drop') {
        this.count(blockedBy, 'droppedWhileDown');
      } else {
        this.count(blockedBy, 'held');
        this.heldQueue.push({ from, message, blockedBy });
      }
      return Promise.resolve();
    }
    return this.afterOutage(from, message);
  }

  // The rule of the message's link: drop, duplicate, reorder window, delay.
  private afterOutage(from: Bus, message: Message): Promise<void> {
    const rule = this.rules.find((r) => linkCarries(r.link, message.from, message.topic));
    if (rule === undefined) return this.forward(from, message, undefined);
    this.count(rule.key, 'published', false);
    const spec = rule.link;
    if (spec.drop !== undefined && spec.drop > 0 && rule.rng.chance(spec.drop)) {
      this.count(rule.key, 'dropped');
      return Promise.resolve();
    }
    const copies = spec.duplicate !== undefined && spec.duplicate > 0 && rule.rng.chance(spec.duplicate) ? 2 : 1;
    if (copies === 2) this.count(rule.key, 'duplicated');
    const sends: Promise<void>[] = [];
    for (let i = 0; i < copies; i++) {
      if (spec.reorder !== undefined && spec.reorder !== false) this.enterWindow(rule, from, message);
      else sends.push(this.delay(rule, from, message));
    }
    return sends.length === 1 ? sends[0]! : Promise.all(sends).then(() => undefined);
  }

  private enterWindow(rule: LinkState, from: Bus, message: Message): void {
    if (rule.window !== undefined) {
      rule.window.push({ from, message });
      return;
    }
    const window: Queued[] = [{ from, message }];
    rule.window = window;
    const reorder = rule.link.reorder;
    const windowMs = typeof reorder === 'object' ? reorder.windowMs : 0;
    this.later(this.clock.now() + windowMs, () => {
      rule.window = undefined;
      const order = window.map((_, i) => i);
      // Fisher–Yates on the link's own stream.
      for (let i = order.length - 1; i > 0; i--) {
        const j = rule.rng.int(0, i);
        [order[i], order[j]] = [order[j]!, order[i]!];
      }
      for (let k = 0; k < order.length; k++) {
        const i = order[k]!;
        if (i !== k) this.count(rule.key, 'reordered');
        const q = window[i]!;
        void this.delay(rule, q.from, q.message);
      }
    });
  }

  private delay(rule: LinkState, from: Bus, message: Message): Promise<void> {
    const delay = rule.link.delay;
    if (delay === undefined || delay.maxMs === 0) return this.forward(from, message, rule.key);
    const wanted = this.clock.now() + (delay.maxMs > delay.minMs ? rule.rng.int(delay.minMs, delay.maxMs) : delay.minMs);
    // First-in first-out: never before the message sent ahead of it on this link.
    const at = Math.max(wanted, rule.lastAt);
    rule.lastAt = at;
    this.count(rule.key, 'delayed');
    this.later(at, () => void this.forward(from, message, rule.key));
    return Promise.resolve();
  }

  private forward(from: Bus, message: Message, key: string | undefined): Promise<void> {
    if (from.closed) {
      this.count(key, 'lostOnClose');
      return Promise.resolve();
    }
    this.count(key, 'forwarded');
    const sent = from.publish(message.topic, message.payload, { qos: message.qos, retain: message.retain });
    if (!this.deferred) return sent;
    // Sent by a clock event: nobody awaits it, so a rejection is surfaced through the clock.
    sent.catch((error: unknown) => {
      this.clock.schedule(this.clock.now(), () => {
        throw error;
      });
    });
    return Promise.resolve();
  }

  // True while the layer sends on its own (a clock event, a release): nobody awaits those publishes.
  private deferred = false;

  private later(at: Instant, fn: () => void): void {
    this.scheduled++;
    this.clock.schedule(at, () => {
      this.scheduled--;
      this.detached(fn);
    });
  }

  private detached(fn: () => void): void {
    const was = this.deferred;
    this.deferred = true;
    try {
      fn();
    } finally {
      this.deferred = was;
    }
  }

  private blocker(message: Message): string | undefined {
    for (const [key, link] of this.down) if (linkCarries(link, message.from, message.topic)) return key;
    return undefined;
  }

  private count(key: string | undefined, kind: keyof Counters, inTotal = true): void {
    if (inTotal) this.total[kind]++;
    if (key === undefined) return;
    let c = this.counters.get(key);
    if (c === undefined) {
      c = newCounters();
      this.counters.set(key, c);
    }
    c[kind]++;
  }

  private ref(link: string | LinkRef, method: string): LinkRef {
    const r = toLinkRef(link);
    if (!r.ok) throw new TypeError(`FaultyBusFactory.${method}: ${formatFieldError(r.error)}`);
    return r.value;
  }
}

/** A client's handle: publishes go through the fault layer, everything else straight to the underlying bus. */
class FaultyBusClient implements Bus {
  readonly clientId: string;
  private readonly inner: Bus;
  private readonly accept: (from: Bus, message: Message) => Promise<void>;

  constructor(inner: Bus, accept: (from: Bus, message: Message) => Promise<void>) {
    this.inner = inner;
    this.accept = accept;
    this.clientId = inner.clientId;
  }

  get closed(): boolean {
    return this.inner.closed;
  }

  publish(topic: string, payload: Uint8Array, options: PublishOptions = {}): Promise<void> {
    // A faulted message must fail as the underlying bus would: check what it checks, before any fault applies.
    if (this.inner.closed) return Promise.reject(new TypeError(`Bus.publish (${this.clientId}): the client is closed`));
    const name = checkTopicName(topic);
    if (!name.ok) return Promise.reject(new TypeError(`Bus.publish (${this.clientId}): ${formatFieldError(name.error)}`));
    if (!(payload instanceof Uint8Array))
      return Promise.reject(new TypeError(`Bus.publish (${this.clientId}): payload must be a Uint8Array`));
    const qos = options.qos ?? 0;
    if (qos !== 0 && qos !== 1) return Promise.reject(new TypeError(`Bus.publish (${this.clientId}): options.qos must be 0 or 1`));
    return this.accept(this.inner, { from: this.clientId, topic, payload: payload.slice(), qos, retain: options.retain === true });
  }

  subscribe(filter: string, handler: MessageHandler, options?: SubscribeOptions): Promise<Subscription> {
    return this.inner.subscribe(filter, handler, options);
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  kill(): Promise<void> {
    return this.inner.kill();
  }
}

interface Message {
  readonly from: string;
  readonly topic: string;
  readonly payload: Uint8Array;
  readonly qos: QoS;
  readonly retain: boolean;
}

interface Queued {
  readonly from: Bus;
  readonly message: Message;
}

interface HeldMessage extends Queued {
  readonly blockedBy: string;
}

interface LinkState {
  readonly link: LinkFaults;
  readonly key: string;
  readonly rng: Rng;
  /** When the last delayed message of this link leaves. */
  lastAt: number;
  /** The open reorder window, if any. */
  window: Queued[] | undefined;
}

type Counters = { -readonly [K in keyof FaultCounts]: number };

function newCounters(): Counters {
  return {
    published: 0,
    forwarded: 0,
    dropped: 0,
    duplicated: 0,
    delayed: 0,
    reordered: 0,
    held: 0,
    released: 0,
    droppedWhileDown: 0,
    lostOnClose: 0,
  };
}
