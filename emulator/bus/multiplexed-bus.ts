import { formatFieldError, type FieldError } from '../../core/errors.ts';
import { err, ok, type Result } from '../../core/result.ts';
import { clientIdOf, filterCovers, principalOf, roleGrantsOf, type Grants, type ShardOf } from './acl.ts';
import type { Bus, BusFactory, BusIdentity, ConnectError, MessageHandler, PublishOptions, SubscribeOptions, Subscription } from './port.ts';
import { checkTopicFilter, checkTopicName, filterMatches } from './topic-syntax.ts';
import { checkIdentity, checkQos, type CheckedWill } from './identity-check.ts';

/** Options of a multiplexed bus. */
export interface MultiplexedBusOptions {
  /**
   * The shard that carries a client id, or undefined for a client that gets a
   * connection of its own from the inner factory, exactly as without the
   * multiplexer. Built from a `ShardOf` with `shardOfClient`, so the broker's
   * grants (`brokerHooks`, `writeMosquittoAuth` with the same `ShardOf`) and
   * the multiplexer agree on who is where. A name must be one `sim.<name>`
   * reads back as (`principalOf`): 1 to 40 of `[0-9A-Za-z_-]`.
   */
  readonly shardOf: (clientId: string) => string | undefined;
  /**
   * Who decides what a logical client may do, since the broker sees only the shard:
   * - `'acl'` (the default): `acl.ts`. A logical client must be a comms hub
   *   or a device, and may publish and subscribe only where its role may
   *   (`roleGrantsOf`);
   * - `'open'`: any client id the bus accepts, anywhere — for a broker that
   *   authorises nobody either.
   */
  readonly policy?: 'acl' | 'open';
}

/** What a multiplexed bus holds, for reports. */
export interface MultiplexedBusStats {
  /** Shard connections open. */
  readonly shards: number;
  /** Logical clients connected through them. */
  readonly logicalClients: number;
  /** Clients with a connection of their own (`shardOf` gave undefined), as far as this factory knows them to be open. */
  readonly directClients: number;
}

/**
 * The `shardOf` of `MultiplexedBusOptions` for a `ShardOf`: the shard that
 * carries the hub or device a client id names; undefined for any other id.
 *
 * @example
 * const shards = shardsByHub(8);
 * const bus = new MultiplexedBusFactory(mqtt, { shardOf: shardOfClient(shards) });
 * const broker = await startEmbeddedBroker(brokerHooks(secret, { shards }));
 */
export function shardOfClient(shards: ShardOf): (clientId: string) => string | undefined {
  return (clientId) => {
    const p = principalOf(clientId);
    if (!p.ok || (p.value.kind !== 'hub' && p.value.kind !== 'device')) return undefined;
    return shards(p.value);
  };
}

/**
 * Many logical clients over one connection per shard: the connection model
 * for fleets too large for a socket per comms hub (docs/bus.md "Connection
 * model"). It wraps any `BusFactory` — the memory bus, the MQTT adapter — and
 * is itself one, so a logical client connects, publishes, subscribes, closes
 * and is killed as on the bus it wraps; the broker sees one client per
 * shard, `sim.<shard>`, and the multiplexer does the rest, on nothing but
 * the inner bus (no sockets, timers or wall-clock time of its own):
 *
 * - Identity: a logical client id and will are checked as every bus checks
 *   them (`invalid-identity`). A newer logical connection with the same id
 *   takes over: the older one is dropped as by `kill`. [MQTT-3.1.4-2] Only
 *   this factory's clients are known: the same id connected through another
 *   process is not taken over.
 * - Authorisation (`policy: 'acl'`): the broker authorises the shard, so the
 *   multiplexer authorises each logical client against its own identity,
 *   before anything reaches the shared connection, refusing as the embedded
 *   broker does: an id that names no hub or device, or a will on a topic it
 *   may not publish, is `refused` at connect; a subscription outside its
 *   grants rejects (the client stays connected: SUBACK 0x80); a publish
 *   outside them rejects and drops the logical client, as by `kill` (its will
 *   is published) — MQTT 3.1.1 has no negative PUBACK.
 * - Subscriptions: each logical `subscribe` is one `subscribe` on the shard's
 *   connection, whose adapter holds one broker subscription per filter
 *   however many logical clients share it (reference-counted: the broker
 *   hears UNSUBSCRIBE when the last goes) and hands each message to every
 *   subscription that matches, each with its own copy, found in a tree of
 *   filters (`FilterTrie`). The shared connection subscribes at QoS 1, and
 *   each logical subscriber gets min(publish QoS, its own QoS): brokers do not
 *   agree on the QoS of a message that matches two subscriptions of one
 *   connection. The broker's retained
 *   messages follow every SUBSCRIBE, even for a filter the connection holds
 *   already — MQTT 3.1.1 replaces the subscription without interrupting the
 *   flow and sends them again [MQTT-3.8.4-3] — and the adapter gives them to
 *   that newest subscription only: so a logical client subscribing late gets
 *   the retained messages, flagged `retain`, and the others do not get them
 *   again. Two subscriptions to one filter made before the first one's
 *   retained messages have arrived cannot be told apart by the broker's
 *   packets: the newer gets both replays.
 * - Will: the broker cannot publish a logical client's will, so `kill` (and
 *   a takeover, and a refused publish) publishes it on the shard's
 *   connection, after the client's subscriptions have stopped; `close`
 *   discards it. If the shard's connection itself drops, every client on it
 *   is closed and no will is published: the broker knew only the shard's.
 *
 * `settle` is the inner factory's, so a `NetworkRunner` runs on this as on
 * the bus it wraps.
 *
 * @example
 * const shards = shardsByHub(4);
 * const mqtt = new MqttBusFactory({ url: broker.url, credentials: credentialsFor(secret) });
 * const bus = new MultiplexedBusFactory(mqtt, { shardOf: shardOfClient(shards) });
 * const hub = unwrap(await bus.connect({ clientId: 'ch.00DB1234567890A0', will })); // over sim.shard-N
 */
export class MultiplexedBusFactory implements BusFactory {
  private readonly inner: BusFactory;
  private readonly shardOf: (clientId: string) => string | undefined;
  private readonly policy: 'acl' | 'open';
  private readonly shards = new Map<string, Shard>();
  private readonly opening = new Map<string, Promise<Result<Shard, ConnectError>>>();
  private readonly logical = new Map<string, LogicalClient>();
  private readonly direct = new Set<Bus>();

  /** @param inner the bus the shard connections (and clients outside any shard) are made on. */
  constructor(inner: BusFactory, options: MultiplexedBusOptions) {
    if (options.policy !== undefined && options.policy !== 'acl' && options.policy !== 'open') {
      throw new TypeError(`MultiplexedBusFactory: policy must be 'acl' or 'open', got ${JSON.stringify(options.policy)}`);
    }
    this.inner = inner;
    this.shardOf = options.shardOf;
    this.policy = options.policy ?? 'acl';
  }

  /** What this factory holds open now. */
  stats(): MultiplexedBusStats {
    for (const bus of this.direct) if (bus.closed) this.direct.delete(bus);
    let shards = 0;
    for (const shard of this.shards.values()) if (!shard.bus.closed) shards++;
    let logicalClients = 0;
    for (const client of this.logical.values()) if (!client.closed) logicalClients++;
    return { shards, logicalClients, directClients: this.direct.size };
  }

  /**
   * Connects a client; see `BusFactory.connect`. A logical client's
   * `unreachable` or `refused` may also be its shard's connection failing.
   *
   * @throws TypeError (as a rejection) when `shardOf` names a shard that is no `sim.<name>`.
   */
  async connect(identity: BusIdentity): Promise<Result<Bus, ConnectError>> {
    const checked = checkIdentity(identity);
    if (!checked.ok) return err({ code: 'invalid-identity', field: checked.error });
    const { clientId } = identity;
    const name = this.shardOf(clientId);
    if (name === undefined) return this.connectDirect(identity);
    const shardId = shardClientId(name);
    const grants = this.admit(clientId, checked.value);
    if (!grants.ok) return grants;
    const shard = await this.shard(name, shardId);
    if (!shard.ok) return shard;
    // [MQTT-3.1.4-2] the newer connection takes over: the older drops with its will.
    const older = this.logical.get(clientId);
    if (older !== undefined) void older.end(true);
    const client = new LogicalClient(clientId, shard.value, grants.value, checked.value, (c) => {
      if (this.logical.get(c.clientId) === c) this.logical.delete(c.clientId);
      shard.value.clients.delete(c);
    });
    this.logical.set(clientId, client);
    shard.value.clients.add(client);
    return ok(client);
  }

  /**
   * Runs the inner factory's `settle`: everything published so far, by any
   * client of the inner bus, delivered and handled.
   *
   * @throws TypeError (as a rejection) when the inner factory has no `settle`.
   */
  settle(): Promise<void> {
    const inner = this.inner as BusFactory & { settle?: () => Promise<void> };
    if (typeof inner.settle !== 'function') {
      return Promise.reject(new TypeError('MultiplexedBusFactory.settle: the inner bus factory has no settle'));
    }
    return inner.settle();
  }

  /** Closes every logical client (gracefully: no wills), then the shard connections and the direct clients this factory opened. */
  async closeAll(): Promise<void> {
    await Promise.all([...this.logical.values()].map((c) => c.close()));
    const shards = [...this.shards.values()];
    this.shards.clear();
    await Promise.all([...shards.map((s) => s.bus.close()), ...[...this.direct].map((b) => b.close())]);
    this.direct.clear();
  }

  private async connectDirect(identity: BusIdentity): Promise<Result<Bus, ConnectError>> {
    const r = await this.inner.connect(identity);
    if (r.ok) {
      for (const bus of this.direct) if (bus.closed) this.direct.delete(bus);
      this.direct.add(r.value);
    }
    return r;
  }

  /** The grants of a logical client under the policy, or why it may not connect. */
  private admit(clientId: string, will: CheckedWill | undefined): Result<Grants | 'all', ConnectError> {
    if (this.policy === 'open') return ok('all');
    const principal = principalOf(clientId);
    if (!principal.ok) return err({ code: 'refused', reason: `not authorized: ${clientId} names no identity` });
    const p = principal.value;
    if (p.kind !== 'hub' && p.kind !== 'device') {
      return err({ code: 'refused', reason: `not authorized: a shard carries comms hubs and devices only, not ${clientId}` });
    }
    const grants = roleGrantsOf(p);
    if (will !== undefined && !mayPublish(grants, will.topic)) {
      return err({ code: 'refused', reason: `not authorized: ${clientId} may not publish its will on ${will.topic}` });
    }
    return ok(grants);
  }

  /** The open connection of shard `name`, made on first use and again after it was lost. */
  private async shard(name: string, shardId: string): Promise<Result<Shard, ConnectError>> {
    const known = this.shards.get(name);
    if (known !== undefined && !known.bus.closed) return ok(known);
    if (known !== undefined) {
      // Lost: its clients were closed with it, and are forgotten now.
      this.shards.delete(name);
      for (const client of [...known.clients]) void client.end(false);
    }
    let opening = this.opening.get(name);
    if (opening === undefined) {
      opening = this.inner.connect({ clientId: shardId }).then((r) => {
        this.opening.delete(name);
        if (!r.ok) return r;
        const shard: Shard = { name, bus: r.value, clients: new Set() };
        this.shards.set(name, shard);
        return ok(shard);
      });
      this.opening.set(name, opening);
    }
    return opening;
  }
}

/** One shard: its connection on the inner bus, and the logical clients on it. */
interface Shard {
  readonly name: string;
  readonly bus: Bus;
  readonly clients: Set<LogicalClient>;
}

/** One logical `subscribe`: its subscription on the shard's connection, once made. */
interface LogicalSubscription {
  active: boolean;
  inner: Subscription | undefined;
}

/** A logical client: a `Bus` whose traffic goes over its shard's connection. */
class LogicalClient implements Bus {
  readonly clientId: string;
  private readonly shard: Shard;
  private readonly grants: Grants | 'all';
  private will: CheckedWill | undefined;
  private readonly subscriptions = new Set<LogicalSubscription>();
  private readonly onEnded: (client: LogicalClient) => void;
  private ended = false;
  private ending: Promise<void> | undefined;

  constructor(clientId: string, shard: Shard, grants: Grants | 'all', will: CheckedWill | undefined, onEnded: (c: LogicalClient) => void) {
    this.clientId = clientId;
    this.shard = shard;
    this.grants = grants;
    this.will = will;
    this.onEnded = onEnded;
  }

  get closed(): boolean {
    return this.ended || this.shard.bus.closed;
  }

  publish(topic: string, payload: Uint8Array, options: PublishOptions = {}): Promise<void> {
    return run(() => {
      this.assertOpen('publish');
      const name = checkTopicName(topic);
      if (!name.ok) throw this.bug('publish', name.error);
      const qos = checkQos(options.qos, 'options.qos');
      if (!qos.ok) throw this.bug('publish', qos.error);
      if (!(payload instanceof Uint8Array)) throw new TypeError(`Bus.publish (${this.clientId}): payload must be a Uint8Array`);
      if (this.grants !== 'all' && !mayPublish(this.grants, topic)) {
        // As the embedded broker does: no negative PUBACK in MQTT 3.1.1, so the connection goes, and the will is published.
        void this.end(true);
        throw new Error(
          `Bus.publish (${this.clientId}): not authorized to publish on ${JSON.stringify(topic)}; the connection was dropped`,
        );
      }
      return this.shard.bus.publish(topic, payload, { qos: qos.value, retain: options.retain === true });
    });
  }

  subscribe(filter: string, handler: MessageHandler, options: SubscribeOptions = {}): Promise<Subscription> {
    return run(async () => {
      this.assertOpen('subscribe');
      const checked = checkTopicFilter(filter);
      if (!checked.ok) throw this.bug('subscribe', checked.error);
      const qos = checkQos(options.qos, 'options.qos');
      if (!qos.ok) throw this.bug('subscribe', qos.error);
      if (typeof handler !== 'function') throw new TypeError(`Bus.subscribe (${this.clientId}): handler must be a function`);
      if (this.grants !== 'all' && !this.grants.subscribe.some((g) => filterCovers(g, filter))) {
        throw new Error(`Bus.subscribe (${this.clientId}): refused ${JSON.stringify(filter)}: not authorized for this identity`);
      }
      const local: LogicalSubscription = { active: true, inner: undefined };
      this.subscriptions.add(local);
      const granted = qos.value;
      // Delivery stops the moment the logical subscription or client ends, before the shard's connection hears of it.
      const deliver: MessageHandler = (message) => {
        if (!local.active) return;
        return handler(message.qos <= granted ? message : { ...message, qos: granted });
      };
      let inner: Subscription;
      try {
        // Always QoS 1 on the shared connection, and the logical QoS here: a broker may deliver a message at the QoS of
        // another subscription that matches it on the same connection (aedes does, for a retained replay).
        inner = await this.shard.bus.subscribe(filter, deliver, { qos: 1 });
      } catch (error) {
        local.active = false;
        this.subscriptions.delete(local);
        throw error;
      }
      local.inner = inner;
      // Ended while the shard's connection was subscribing: undo it there too.
      if (!local.active) await inner.unsubscribe();
      return { filter, qos: granted, unsubscribe: () => this.unsubscribe(local) };
    });
  }

  close(): Promise<void> {
    return this.end(false);
  }

  kill(): Promise<void> {
    return this.end(true);
  }

  /**
   * Ends the client: its deliveries stop at once; with `withWill`, its will
   * is published on the shard's connection, as the broker would on a drop.
   */
  end(withWill: boolean): Promise<void> {
    if (this.ending !== undefined) return this.ending;
    const wasOpen = !this.closed;
    this.ended = true;
    this.onEnded(this);
    const work: Promise<void>[] = [...this.subscriptions].map((s) => this.unsubscribe(s));
    const will = this.will;
    this.will = undefined;
    // [MQTT-3.1.2-8] published when the connection ends without DISCONNECT; [MQTT-3.1.2-10] discarded on it.
    if (withWill && wasOpen && will !== undefined) {
      // A shard connection lost meanwhile loses the will with it, as a broker that is gone would.
      work.push(this.shard.bus.publish(will.topic, will.payload, { qos: will.qos, retain: will.retain }).catch(() => {}));
    }
    this.ending = Promise.all(work).then(() => {});
    return this.ending;
  }

  private unsubscribe(local: LogicalSubscription): Promise<void> {
    if (!local.active) return Promise.resolve();
    local.active = false;
    this.subscriptions.delete(local);
    // Not yet made on the shard's connection: `subscribe` undoes it when it is.
    return local.inner?.unsubscribe().catch(() => {}) ?? Promise.resolve();
  }

  private assertOpen(method: string): void {
    if (this.closed) throw new TypeError(`Bus.${method} (${this.clientId}): the client is closed`);
  }

  private bug(method: string, error: FieldError): TypeError {
    return new TypeError(`Bus.${method} (${this.clientId}): ${formatFieldError(error)}`);
  }
}

function mayPublish(grants: Grants, topic: string): boolean {
  return grants.publish.some((f) => filterMatches(f, topic));
}

/** The client id of a shard's connection; a name that does not read back as `sim.<name>` is a bug in `shardOf`. */
function shardClientId(name: string): string {
  const id = clientIdOf({ kind: 'sim', name });
  const p = principalOf(id);
  if (!p.ok || p.value.kind !== 'sim' || p.value.name !== name) {
    throw new TypeError(
      `MultiplexedBusFactory: shardOf gave ${JSON.stringify(name)}, which is not a shard name (1 to 40 of [0-9A-Za-z_-])`,
    );
  }
  return id;
}

// Runs `fn` now — so a publish reaches the shard's connection at the call, in call order — and turns a throw into a rejection.
function run<T>(fn: () => T | Promise<T>): Promise<T> {
  return new Promise<T>((resolve) => resolve(fn()));
}
