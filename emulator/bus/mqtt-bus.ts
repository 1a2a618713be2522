import { connect as mqttConnect, type IClientOptions, type IConnackPacket, type IPublishPacket, type MqttClient } from 'mqtt';
import { formatFieldError, type FieldError } from '../../core/errors.ts';
import { err, ok, type Result } from '../../core/result.ts';
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
import { backoffDelay, BusDisconnectedError, cancellableDelay, checkReconnectOptions, type ReconnectOptions } from './reconnect.ts';
import { checkTopicFilter, checkTopicName } from './topic-syntax.ts';
import { settleTopicOf } from './topics.ts';
import { checkIdentity, checkQos, type CheckedWill } from './identity-check.ts';

/**
 * The first levels of the adapter's private settle topics. Each client uses
 * only its own, `$smets/settle/{clientId}` (see `MqttBusFactory.settle`); the
 * leading `$` keeps them out of every filter that starts with a wildcard
 * [MQTT-4.7.2-1], so a `#` subscriber never sees them. A broker ACL must let a
 * client publish and subscribe to its own (mosquitto: `pattern readwrite $smets/settle/%c`).
 */
export { SETTLE_TOPIC_PREFIX, settleTopicOf } from './topics.ts';

/** What a client authenticates with, when the broker asks for it. */
export interface MqttCredentials {
  readonly username: string;
  readonly password?: string | Uint8Array;
}

/** Options of an MQTT bus. */
export interface MqttBusOptions {
  /** The broker: `mqtt://host:port`, `mqtts://…`, `ws://…` or `wss://…`. */
  readonly url: string;
  /** The credentials of a client id, or undefined to connect without any. Default: none. */
  readonly credentials?: (clientId: string) => MqttCredentials | undefined | Promise<MqttCredentials | undefined>;
  /** MQTT keepalive, in seconds (0: none). Default 30. */
  readonly keepaliveSeconds?: number;
  /** How long to wait for the broker's CONNACK before calling it unreachable, in ms. Default 5000. */
  readonly connectTimeoutMs?: number;
  /** How long `settle` may take before it gives up with an error, in ms. Default 10 000. */
  readonly settleTimeoutMs?: number;
  /**
   * `settle` returns at once when no client has done or received anything
   * since the bus was last found quiet, instead of a round trip through the
   * broker per client. Only for runs whose broker stays up: a broker that
   * goes away unannounced is noticed by a round trip. Default false.
   */
  readonly skipIdleSettle?: boolean;
  /**
   * Receives a handler's failure (a throw or a rejected promise). Default: the
   * failure is kept and thrown by the next `settle`, as the memory bus throws it
   * from the next clock run.
   */
  readonly onHandlerError?: (error: unknown, clientId: string, message: BusMessage) => void;
  /**
   * Reconnect after a dropped connection, with exponential backoff (see
   * `ReconnectOptions`). Default: off — a dropped connection ends the handle,
   * as the bus contract says. With it on:
   * - the handle stays open; `connected` is false from the drop until the
   *   client is connected again, and `onConnectionChange` hears both changes;
   * - on the broker's CONNACK without a session (always: sessions are clean)
   *   every live subscription is sent again, in one SUBSCRIBE, and only once
   *   the broker has acknowledged it is the client connected again; retained
   *   messages the broker replays for it are not delivered again;
   * - `publish` and `subscribe` while not connected reject with a
   *   `BusDisconnectedError` — nothing is queued; `unsubscribe` takes effect
   *   locally at once; calls waiting for an acknowledgement when the
   *   connection drops reject, and are not sent again;
   * - what was published while the client was not connected is lost to it;
   * - only the first `connect` reports `unreachable` or `refused`: later
   *   attempts retry until one succeeds or the handle is closed;
   * - `settle` waits for reconnecting clients (up to `settleTimeoutMs`);
   * - a takeover cannot be told from a dropped connection, except when this
   *   factory connects the same client id again: the older handle then ends
   *   as without reconnect. A client id connected elsewhere too would take the
   *   connection back and forth.
   */
  readonly reconnect?: ReconnectOptions;
  /** Told whenever a reconnecting client's connection drops (false) or is back (true). */
  readonly onConnectionChange?: (clientId: string, connected: boolean) => void;
}

/** A client of the MQTT bus: the port's `Bus`, and the state of its connection. */
export interface MqttBus extends Bus {
  /** True while the connection to the broker is up (and, after a reconnect, its subscriptions are back); false once closed. */
  readonly connected: boolean;
  /** Calls `listener` on every change of `connected` by a drop or a reconnect (not on `close` or `kill`); returns a function that stops it. */
  onConnectionChange(listener: (connected: boolean) => void): () => void;
}

const PROTOCOLS = new Set(['mqtt:', 'mqtts:', 'ws:', 'wss:']);

// MQTT 3.1.1 §3.2.2.3: the CONNACK return codes. mqtt.js names them from the MQTT 5 table, which differs.
const CONNACK_REFUSALS = new Map<number, string>([
  [1, 'unacceptable protocol version'],
  [2, 'identifier rejected'],
  [3, 'server unavailable'],
  [4, 'bad user name or password'],
  [5, 'not authorized'],
]);

/**
 * The bus over a real MQTT broker (aedes, mosquitto, …) through mqtt.js:
 * one MQTT 3.1.1 connection per client identity, clean session, no automatic
 * reconnect — a dropped connection is a fault the twin must see, not hide —
 * unless `MqttBusOptions.reconnect` asks for it.
 *
 * It keeps the port's semantics where MQTT leaves room:
 * - Each `subscribe` call has its own handler. The broker holds one
 *   subscription per filter (at the highest QoS asked for it) and the adapter
 *   fans messages out locally, in subscription order, each receiver with its
 *   own copy of the payload and QoS = min(publish QoS, that subscription's QoS).
 * - Every `subscribe` sends a SUBSCRIBE, so the broker replays the retained
 *   messages; a replayed message (retain flag set) is the answer to one
 *   SUBSCRIBE, so it goes to one subscription only: the newest that matches
 *   its topic, never to older ones that already had theirs — whether they
 *   share its filter or only overlap it. Two subscriptions matching one
 *   retained topic made before the first one's replay has arrived cannot be
 *   told apart by the broker's packets: the newer gets both replays.
 * - A SUBSCRIBE to a filter whose UNSUBSCRIBE is still unanswered waits for
 *   the answer: aedes handles the packets of one read concurrently, and would
 *   otherwise apply the SUBSCRIBE first and the UNSUBSCRIBE last.
 * - A client with overlapping filters may see a message once per matching
 *   filter when the broker sends a copy per subscription (mosquitto does; MQTT
 *   3.1.1 §3.3.5 allows it). The twin's components do not overlap filters.
 * - Topics, filters and identities are checked with the memory bus's rules
 *   before any packet is sent; a bug rejects with a TypeError.
 * - A handler's failure does not reach mqtt.js (it would break the
 *   connection): see `MqttBusOptions.onHandlerError`.
 *
 * A takeover (a second connection with the same client id) is the broker's:
 * it drops the older connection, whose handle becomes `closed`, and publishes
 * its will.
 *
 * @example
 * const bus = new MqttBusFactory({ url: broker.url });
 * const hub = unwrap(await bus.connect({ clientId: 'ch.00DB1234567890A0' }));
 * await hub.subscribe(wanDownTopic(chId), onCommand, { qos: 1 });
 * await bus.settle(); // everything published so far is delivered and handled
 */
export class MqttBusFactory implements BusFactory {
  private readonly url: string;
  private readonly options: MqttBusOptions;
  private readonly tracker: Tracker;
  private readonly live = new Set<MqttBusClient>();
  private nextNonce = 0;

  /** @throws TypeError when the URL is not an mqtt, mqtts, ws or wss URL. */
  constructor(options: MqttBusOptions) {
    if (!URL.canParse(options.url) || !PROTOCOLS.has(new URL(options.url).protocol)) {
      throw new TypeError(`MqttBusFactory: url must be an mqtt://, mqtts://, ws:// or wss:// URL, got ${JSON.stringify(options.url)}`);
    }
    if (options.reconnect !== undefined) checkReconnectOptions(options.reconnect);
    this.url = options.url;
    this.options = options;
    this.tracker = new Tracker(options.onHandlerError);
  }

  /** Connects a client; see `BusFactory.connect`. */
  async connect(identity: BusIdentity): Promise<Result<MqttBus, ConnectError>> {
    const checked = checkIdentity(identity);
    if (!checked.ok) return err({ code: 'invalid-identity', field: checked.error });
    const { clientId } = identity;
    const will = checked.value;
    const dial = (): Promise<MqttClient> => this.dial(clientId, will);
    this.tracker.activity++;
    const mqtt = await dial();
    const client = new MqttBusClient(clientId, mqtt, {
      tracker: this.tracker,
      nonce: () => ++this.nextNonce,
      onClosed: (c) => this.live.delete(c),
      dial,
      ...(this.options.reconnect === undefined ? {} : { reconnect: this.options.reconnect }),
      ...(this.options.onConnectionChange === undefined ? {} : { onConnectionChange: this.options.onConnectionChange }),
    });
    const connack = await handshake(mqtt);
    if (!connack.ok) return connack;
    // Reconnecting handles cannot see a takeover; one by this factory, at least, ends the older handle.
    for (const older of this.live) if (older.clientId === clientId) older.takenOver();
    // A connection that closed right after its CONNACK has ended the handle already; it returns closed.
    if (!client.closed) this.live.add(client);
    client.ready();
    return ok(client);
  }

  /**
   * Opens one MQTT connection for a client; `handshake` waits for its CONNACK.
   * Each connection, a reconnect's too, is a fresh mqtt.js client with mqtt.js'
   * own reconnect off: nothing it kept from an older connection is sent again.
   */
  private async dial(clientId: string, will: CheckedWill | undefined): Promise<MqttClient> {
    const credentials = await this.options.credentials?.(clientId);
    const options: IClientOptions = {
      clientId,
      protocolVersion: 4,
      clean: true,
      // No reconnect, no resubscribe, no queueing while offline: a lost connection ends this mqtt.js client.
      reconnectPeriod: 0,
      resubscribe: false,
      queueQoSZero: false,
      keepalive: this.options.keepaliveSeconds ?? 30,
      connectTimeout: this.options.connectTimeoutMs ?? 5000,
      ...(will === undefined
        ? {}
        : { will: { topic: will.topic, payload: Buffer.from(will.payload), qos: will.qos, retain: will.retain } }),
      ...(credentials === undefined ? {} : { username: credentials.username }),
      ...(credentials?.password === undefined ? {} : { password: Buffer.from(credentials.password) }),
    };
    // Not connectAsync: the handle's listeners must be on the client before any
    // packet is read, or a 'close' arriving with the CONNACK would be missed.
    const mqtt = mqttConnect(this.url, options);
    // Small packets answered by small packets (PUBACKs, settle markers): Nagle's algorithm would hold each back for an ACK.
    (mqtt.stream as { setNoDelay?: (noDelay: boolean) => unknown }).setNoDelay?.(true);
    return mqtt;
  }

  /**
   * Returns once everything this factory's clients published before the call
   * has been delivered to them and their handlers have finished — including
   * what those handlers published — then throws the first handler failure, if any.
   *
   * How, since a broker says nothing about delivery: by round trips. In a
   * round every live client publishes a QoS 1 marker to its own settle topic
   * and waits until the marker comes back (or its connection is gone). A
   * broker handles one connection's packets in order and delivers to one
   * connection in order, so when a client's marker returns, everything it
   * published before has been routed; and a message routed before a round
   * starts reaches its receiver before the receiver's marker of that round.
   * So two consecutive rounds in which nothing was published or received and
   * no handler ran mean the bus is quiet; any traffic starts the count again.
   * A will, or a takeover, is the broker's own doing when it notices a
   * dropped connection; that notice is on the wire before the next round's
   * markers, and on loopback both brokers act on it within the two rounds.
   * Only this factory's clients are covered: traffic from other processes on
   * the same broker is not waited for.
   *
   * @throws Error when not quiet within `settleTimeoutMs`.
   */
  async settle(): Promise<void> {
    // Nothing happened on any client since the bus was last found quiet: it still is. A runner asks at every
    // virtual instant, most of which put nothing on the bus; this spares them a round trip per client. Opt-in:
    // a broker that goes away (a restart) is only noticed by a round trip.
    if (this.options.skipIdleSettle === true && this.tracker.activity === this.quietAt && this.tracker.inFlight === 0) return;
    const limit = this.options.settleTimeoutMs ?? 10_000;
    const deadline = Date.now() + limit;
    const within = <T>(step: Promise<T>): Promise<T> => withDeadline(step, deadline, () => this.stuck(limit));
    let quietRounds = 0;
    while (quietRounds < 2) {
      await within(this.tracker.idle());
      this.tracker.rethrow();
      const before = this.tracker.activity;
      await within(Promise.all([...this.live].map((c) => c.roundTrip())));
      await within(this.tracker.idle());
      this.tracker.rethrow();
      quietRounds = this.tracker.activity === before ? quietRounds + 1 : 0;
    }
    this.quietAt = this.tracker.activity;
  }

  /** `tracker.activity` when the bus was last found quiet. */
  private quietAt = -1;

  /** Closes every client this factory connected and still open (gracefully: no wills). */
  async closeAll(): Promise<void> {
    await Promise.all([...this.live].map((c) => c.close()));
  }

  private stuck(limit: number): Error {
    return new Error(
      `MqttBusFactory.settle: the bus at ${this.url} was not quiet after ${limit} ms ` +
        `(${this.tracker.inFlight} handler(s) or call(s) in flight, ${this.live.size} client(s) open)`,
    );
  }
}

/** The bookkeeping all clients of one factory share: traffic seen, work in flight, handler failures. */
class Tracker {
  /** Bumped by every publish, subscribe, unsubscribe, connect, close, kill and received message. */
  activity = 0;
  /** Calls and handler promises not yet settled. */
  inFlight = 0;
  private readonly onHandlerError: MqttBusOptions['onHandlerError'];
  private failure: { readonly error: unknown } | undefined;
  private waiters: (() => void)[] = [];
  // One function for every tracked promise: a counter and no closure per call, on the path of every publish.
  private readonly release = (): void => {
    if (--this.inFlight > 0) return;
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  };

  constructor(onHandlerError: MqttBusOptions['onHandlerError']) {
    this.onHandlerError = onHandlerError;
  }

  /** Counts `work` as in flight until it settles; returns it unchanged. */
  track<T>(work: Promise<T>): Promise<T> {
    this.inFlight++;
    void work.then(this.release, this.release);
    return work;
  }

  /** Runs a handler; a throw or rejection is a bug, reported and never thrown into mqtt.js. */
  dispatch(clientId: string, handler: MessageHandler, message: BusMessage): void {
    try {
      const result = handler(message);
      if (result instanceof Promise) void this.track(result.catch((error: unknown) => this.fail(error, clientId, message)));
    } catch (error) {
      this.fail(error, clientId, message);
    }
  }

  async idle(): Promise<void> {
    while (this.inFlight > 0) await new Promise<void>((resolve) => this.waiters.push(resolve));
  }

  /** Throws the first handler failure not yet thrown. */
  rethrow(): void {
    const failure = this.failure;
    if (failure === undefined) return;
    this.failure = undefined;
    throw failure.error;
  }

  private fail(error: unknown, clientId: string, message: BusMessage): void {
    if (this.onHandlerError !== undefined) this.onHandlerError(error, clientId, message);
    else this.failure ??= { error };
  }
}

/** One `subscribe` call. */
interface LocalSubscription {
  /** Creation order across the client: receivers of one message are called in it. */
  readonly order: number;
  readonly qos: QoS;
  readonly handler: MessageHandler;
  active: boolean;
  /** Whether a retained message replayed by the broker is for this subscription: only the newest of a filter's. */
  awaitingReplay: boolean;
}

/** The broker's one subscription to a filter, and the local subscriptions behind it. */
interface FilterState {
  readonly subscriptions: Set<LocalSubscription>;
  /** The QoS asked of the broker: the highest ever asked on this filter (never lowered, which would replay retained messages). */
  brokerQos: QoS;
}

/** What a client's handle gets from its factory. */
interface ClientLink {
  readonly tracker: Tracker;
  readonly nonce: () => number;
  readonly onClosed: (client: MqttBusClient) => void;
  /** Opens another connection for this client (a reconnect). */
  readonly dial: () => Promise<MqttClient>;
  readonly reconnect?: ReconnectOptions;
  readonly onConnectionChange?: (clientId: string, connected: boolean) => void;
}

/** A client's handle on an MQTT bus. */
class MqttBusClient implements MqttBus {
  readonly clientId: string;
  // The current connection; a reconnect replaces it.
  private mqtt: MqttClient;
  private readonly tracker: Tracker;
  private readonly nonce: () => number;
  private readonly onClosed: (client: MqttBusClient) => void;
  private readonly link: ClientLink;
  private readonly listeners = new Set<(connected: boolean) => void>();
  // Up and, after a reconnect, resubscribed.
  private up = false;
  // Whether the first connection was accepted: before, a drop is a failed `connect`, never a reconnect.
  private accepted = false;
  private reconnecting = false;
  private noReconnect = false;
  private pause: { cancel(): void } | undefined;
  private readonly settleTopic: string;
  private readonly filters = new Map<string, FilterState>();
  // The same filters as a tree of levels: a message finds its filters in the depth of its topic, not the number of
  // filters — a shard's connection (MultiplexedBusFactory) holds a few for each of thousands of comms hubs.
  private readonly trie = new FilterTrie<FilterState>();
  // UNSUBSCRIBEs sent and not yet answered, by filter: a SUBSCRIBE to the same filter waits for the answer.
  private readonly unsubscribing = new Map<string, Promise<void>>();
  private readonly markers = new Map<number, () => void>();
  // Calls waiting for the broker's acknowledgement; they fail if the connection is lost first.
  private readonly awaitingAck = new Set<AwaitedAck>();
  private open = true;
  private ending: Promise<void> | undefined;
  private settleSubscription: Promise<void> | undefined;
  private nextOrder = 0;

  constructor(clientId: string, mqtt: MqttClient, link: ClientLink) {
    this.clientId = clientId;
    this.mqtt = mqtt;
    this.link = link;
    this.tracker = link.tracker;
    this.nonce = link.nonce;
    this.onClosed = link.onClosed;
    this.settleTopic = settleTopicOf(clientId);
    this.attach(mqtt);
  }

  get closed(): boolean {
    return !this.open;
  }

  get connected(): boolean {
    return this.open && this.up;
  }

  onConnectionChange(listener: (connected: boolean) => void): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  /** The first connection was accepted. */
  ready(): void {
    this.accepted = true;
    this.up = true;
  }

  /** This factory connected the same client id again: the broker drops this connection for good. */
  takenOver(): void {
    this.noReconnect = true;
  }

  // Listens to one connection; events of a connection that is no longer the current one are ignored.
  private attach(mqtt: MqttClient): void {
    mqtt.on('message', (topic, payload, packet) => {
      if (mqtt === this.mqtt) this.receive(topic, payload, packet);
    });
    mqtt.on('close', () => this.dropped(mqtt));
    // Errors after the connect are followed by 'close', which ends the connection; an
    // EventEmitter without an 'error' listener would throw them instead.
    mqtt.on('error', () => {});
  }

  private dropped(mqtt: MqttClient): void {
    if (mqtt !== this.mqtt) return;
    const reconnect = this.link.reconnect;
    if (reconnect === undefined || !this.accepted || this.noReconnect || !this.open) {
      this.lost();
      return;
    }
    this.failPending();
    mqtt.end(true); // releases what mqtt.js kept for this connection; nothing of it is sent again
    if (this.reconnecting) return; // an attempt failed: the loop tries again
    this.reconnecting = true;
    this.up = false;
    this.settleSubscription = undefined;
    this.tracker.activity++;
    this.announce(false);
    // Tracked, so `settle` waits for the client to be back.
    void this.tracker.track(this.reconnectLoop(reconnect));
  }

  private async reconnectLoop(options: ReconnectOptions): Promise<void> {
    try {
      for (let attempt = 0; this.open; attempt++) {
        const pause = cancellableDelay(backoffDelay(options, attempt));
        this.pause = pause;
        await pause.done;
        this.pause = undefined;
        if (!this.open) return;
        let mqtt: MqttClient;
        try {
          mqtt = await this.link.dial();
        } catch {
          continue; // the credentials provider failed: try again later
        }
        this.mqtt = mqtt;
        this.attach(mqtt);
        if (!this.open) {
          mqtt.end(true);
          return;
        }
        const connack = await handshake(mqtt);
        if (!connack.ok || !this.open || mqtt !== this.mqtt) continue;
        if (!(await this.resubscribe(connack.value))) continue;
        if (!this.open || mqtt !== this.mqtt) continue;
        this.up = true;
        this.tracker.activity++;
        this.announce(true);
        return;
      }
    } finally {
      this.reconnecting = false;
      this.pause = undefined;
    }
  }

  /**
   * Sends every live subscription again, unless the broker kept the session;
   * true once the broker has acknowledged them. A failure (a refusal, the
   * connection lost again) ends this connection, and the loop tries again.
   */
  private async resubscribe(connack: IConnackPacket): Promise<boolean> {
    if (connack.sessionPresent) return true;
    const filters = Object.fromEntries([...this.filters].map(([filter, state]) => [filter, { qos: state.brokerQos }]));
    // Retained messages replayed for these SUBSCRIBEs were delivered before the drop (or were there before it).
    for (const state of this.filters.values()) for (const local of state.subscriptions) local.awaitingReplay = false;
    if (Object.keys(filters).length === 0) return true;
    const mqtt = this.mqtt;
    try {
      await new Promise<void>((resolve, reject) => this.send((done) => mqtt.subscribe(filters, done), resolve, reject));
      return true;
    } catch {
      if (mqtt === this.mqtt) mqtt.end(true);
      return false;
    }
  }

  private announce(connected: boolean): void {
    this.link.onConnectionChange?.(this.clientId, connected);
    for (const listener of [...this.listeners]) listener(connected);
  }

  private assertConnected(method: string): void {
    if (!this.up) throw new BusDisconnectedError(method, this.clientId);
  }

  publish(topic: string, payload: Uint8Array, options: PublishOptions = {}): Promise<void> {
    return this.tracker.track(
      new Promise<void>((resolve, reject) => {
        this.assertOpen('publish');
        this.assertConnected('publish');
        const name = checkTopicName(topic);
        if (!name.ok) throw this.bug('publish', name.error);
        const qos = checkQos(options.qos, 'options.qos');
        if (!qos.ok) throw this.bug('publish', qos.error);
        if (!(payload instanceof Uint8Array)) throw new TypeError(`Bus.publish (${this.clientId}): payload must be a Uint8Array`);
        this.tracker.activity++;
        // Buffer.from copies, so the caller may reuse its buffer at once; the write happens now, in call order.
        this.send(
          (done) => this.mqtt.publish(topic, Buffer.from(payload), { qos: qos.value, retain: options.retain === true }, done),
          resolve,
          reject,
        );
      }),
    );
  }

  subscribe(filter: string, handler: MessageHandler, options: SubscribeOptions = {}): Promise<Subscription> {
    return this.tracker.track(
      new Promise<Subscription>((resolve, reject) => {
        this.assertOpen('subscribe');
        this.assertConnected('subscribe');
        const checked = checkTopicFilter(filter);
        if (!checked.ok) throw this.bug('subscribe', checked.error);
        const qos = checkQos(options.qos, 'options.qos');
        if (!qos.ok) throw this.bug('subscribe', qos.error);
        if (typeof handler !== 'function') throw new TypeError(`Bus.subscribe (${this.clientId}): handler must be a function`);
        let state = this.filters.get(filter);
        if (state === undefined) {
          state = { subscriptions: new Set<LocalSubscription>(), brokerQos: qos.value };
          this.filters.set(filter, state);
          this.trie.add(filter, state);
        }
        // The broker replays the retained messages for this SUBSCRIBE; they are the new subscription's alone.
        for (const older of state.subscriptions) older.awaitingReplay = false;
        if (qos.value > state.brokerQos) state.brokerQos = qos.value;
        // Registered before the SUBSCRIBE leaves: the replay may be read in the same chunk as the SUBACK.
        const local: LocalSubscription = { order: this.nextOrder++, qos: qos.value, handler, active: true, awaitingReplay: true };
        state.subscriptions.add(local);
        this.tracker.activity++;
        const subscription: Subscription = { filter, qos: qos.value, unsubscribe: () => this.unsubscribe(filter, local) };
        const subscribe = (): void =>
          this.send(
            (done) => this.mqtt.subscribe([filter], { qos: state.brokerQos }, done),
            () => resolve(subscription),
            (error) => {
              this.drop(filter, local);
              reject(new Error(`Bus.subscribe (${this.clientId}): the broker refused ${JSON.stringify(filter)}: ${error.message}`));
            },
          );
        const unsubscribing = this.unsubscribing.get(filter);
        if (unsubscribing === undefined) return subscribe();
        void unsubscribing.then(() => {
          if (!local.active) return reject(new TypeError(`Bus.subscribe (${this.clientId}): the client is closed`));
          // The connection dropped meanwhile: a reconnect sends this filter with the others.
          if (!this.up) {
            this.drop(filter, local);
            return reject(new BusDisconnectedError('subscribe', this.clientId));
          }
          subscribe();
        });
      }),
    );
  }

  close(): Promise<void> {
    if (this.ending !== undefined) return this.ending;
    const wasOpen = this.open;
    const wasUp = this.up;
    this.shut();
    // end(false) sends DISCONNECT, so the broker discards the will [MQTT-3.1.2-10]. Without a
    // connection (a reconnect under way) there is nothing to disconnect, nor to wait for.
    this.ending = wasOpen ? this.tracker.track(this.mqtt.endAsync(!wasUp).catch(() => {})) : Promise.resolve();
    return this.ending;
  }

  kill(): Promise<void> {
    if (this.ending !== undefined) return this.ending;
    const wasOpen = this.open;
    this.shut();
    // end(true) destroys the stream without DISCONNECT: to the broker, a crash, so it publishes the will [MQTT-3.1.2-8].
    this.ending = wasOpen ? this.tracker.track(this.mqtt.endAsync(true).catch(() => {})) : Promise.resolve();
    return this.ending;
  }

  /**
   * One settle round trip: publishes a marker to this client's settle topic
   * and resolves when it comes back, or when the connection is gone.
   */
  async roundTrip(): Promise<void> {
    // A reconnecting client has nothing in transit; `settle` waits for its reconnect instead.
    if (!this.open || !this.up) return;
    this.settleSubscription ??= new Promise<void>((resolve, reject) => {
      this.send((done) => this.mqtt.subscribe([this.settleTopic], { qos: 1 }, done), resolve, reject);
    });
    try {
      await this.settleSubscription;
    } catch (error) {
      if (!this.open || !this.up) return;
      throw new Error(`MqttBusFactory.settle (${this.clientId}): cannot subscribe to ${this.settleTopic}`, { cause: error });
    }
    if (!this.open || !this.up) return;
    const nonce = this.nonce();
    const back = new Promise<void>((resolve) => this.markers.set(nonce, resolve));
    await new Promise<void>((resolve, reject) =>
      this.send((done) => this.mqtt.publish(this.settleTopic, String(nonce), { qos: 1 }, done), resolve, reject),
    ).catch(() => this.markers.get(nonce)?.());
    await back;
  }

  private unsubscribe(filter: string, local: LocalSubscription): Promise<void> {
    if (!local.active) return Promise.resolve();
    this.tracker.activity++;
    // Delivery to this handler stops now, before the broker hears of it.
    const last = this.drop(filter, local);
    // Without a connection the broker has no subscription to remove; a reconnect will not send it again.
    if (!last || !this.open || !this.up) return Promise.resolve();
    const answered = new Promise<void>((resolve) => {
      // A connection lost meanwhile has unsubscribed everything anyway.
      this.send(
        (done) => this.mqtt.unsubscribe([filter], done),
        resolve,
        () => resolve(),
      );
    });
    this.unsubscribing.set(filter, answered);
    void answered.then(() => {
      if (this.unsubscribing.get(filter) === answered) this.unsubscribing.delete(filter);
    });
    return this.tracker.track(answered);
  }

  /** Removes a local subscription; true when it was the filter's last, so the broker's can go. */
  private drop(filter: string, local: LocalSubscription): boolean {
    local.active = false;
    local.awaitingReplay = false;
    const state = this.filters.get(filter);
    if (state === undefined || !state.subscriptions.delete(local)) return false;
    if (state.subscriptions.size > 0) return false;
    this.filters.delete(filter);
    this.trie.remove(filter, state);
    return true;
  }

  private receive(topic: string, payload: Buffer, packet: IPublishPacket): void {
    if (topic === this.settleTopic) {
      const nonce = Number(payload.toString());
      const back = this.markers.get(nonce);
      this.markers.delete(nonce);
      back?.();
      return;
    }
    if (!this.open) return;
    this.tracker.activity++;
    const retain = packet.retain;
    const receivers: LocalSubscription[] = [];
    if (retain) {
      // A replay answers one SUBSCRIBE: the newest subscription it matches.
      let newest: LocalSubscription | undefined;
      for (const state of this.trie.match(topic)) {
        for (const local of state.subscriptions)
          if (local.awaitingReplay && (newest === undefined || local.order > newest.order)) newest = local;
      }
      if (newest !== undefined) receivers.push(newest);
    } else {
      for (const state of this.trie.match(topic)) for (const local of state.subscriptions) if (local.active) receivers.push(local);
      if (receivers.length > 1) receivers.sort((a, b) => a.order - b.order);
    }
    const published: QoS = packet.qos === 0 ? 0 : 1;
    for (const local of receivers) {
      // An earlier handler may have unsubscribed this one, or closed the client.
      if (!local.active || !this.open) continue;
      const message: BusMessage = {
        topic,
        payload: new Uint8Array(payload),
        qos: published < local.qos ? published : local.qos,
        retain,
        ...(packet.dup ? { duplicate: true } : {}),
      };
      this.tracker.dispatch(this.clientId, local.handler, message);
    }
  }

  /** Sends through mqtt.js and settles with its acknowledgement — or with an error if the connection is lost first. */
  private send(write: (done: (error?: Error | null) => void) => void, resolve: () => void, reject: (error: Error) => void): void {
    // A record rather than a named closure: this runs for every publish.
    const awaited: AwaitedAck = { resolve, reject };
    this.awaitingAck.add(awaited);
    write((error) => this.acknowledged(awaited, error ?? undefined));
  }

  /** Settles an awaited acknowledgement once: with the broker's answer, or the connection's loss. */
  private acknowledged(awaited: AwaitedAck, error: Error | undefined): void {
    if (!this.awaitingAck.delete(awaited)) return;
    if (error === undefined) awaited.resolve();
    else awaited.reject(error);
  }

  /** Ends the handle locally: nothing more is delivered, calls are refused. */
  private shut(): void {
    if (!this.open) return;
    this.open = false;
    this.up = false;
    this.pause?.cancel();
    this.tracker.activity++;
    for (const state of this.filters.values()) {
      for (const local of state.subscriptions) {
        local.active = false;
        local.awaitingReplay = false;
      }
    }
    for (const [filter, state] of this.filters) this.trie.remove(filter, state);
    this.filters.clear();
    this.onClosed(this);
  }

  // The connection is gone: closed by us, taken over, or dropped by the network or the broker.
  private lost(): void {
    this.shut();
    this.failPending();
  }

  // Calls waiting for an acknowledgement, and settle markers, are not answered on a lost connection.
  private failPending(): void {
    for (const awaited of [...this.awaitingAck]) this.acknowledged(awaited, new Error(`Bus (${this.clientId}): the connection was lost`));
    for (const back of this.markers.values()) back();
    this.markers.clear();
  }

  private assertOpen(method: string): void {
    if (!this.open) throw new TypeError(`Bus.${method} (${this.clientId}): the client is closed`);
  }

  private bug(method: string, error: FieldError): TypeError {
    return new TypeError(`Bus.${method} (${this.clientId}): ${formatFieldError(error)}`);
  }
}

/** A call waiting for mqtt.js to say it was sent (QoS 0) or acknowledged (QoS 1, SUBACK, UNSUBACK). */
interface AwaitedAck {
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
}

/** A CONNACK refusal (mqtt.js gives its return code as a numeric `code`) is `refused`; anything else is `unreachable`. */
function toConnectError(error: Error): ConnectError {
  const code: unknown = (error as Error & { code?: unknown }).code;
  if (typeof code === 'number') {
    return { code: 'refused', reason: `CONNACK ${code}: ${CONNACK_REFUSALS.get(code) ?? error.message}` };
  }
  return { code: 'unreachable', reason: typeof code === 'string' ? `${code}: ${error.message}` : error.message };
}

/** Waits for the broker's CONNACK on a fresh connection: the packet, or why there is none (the connection is then ended). */
function handshake(mqtt: MqttClient): Promise<Result<IConnackPacket, ConnectError>> {
  return new Promise((resolve) => {
    const done = (result: Result<IConnackPacket, ConnectError>): void => {
      mqtt.off('connect', onConnect);
      mqtt.off('error', onError);
      mqtt.off('close', onClose);
      resolve(result);
    };
    const onConnect = (connack: IConnackPacket): void => done(ok(connack));
    const onError = (error: Error): void => {
      mqtt.end(true);
      done(err(toConnectError(error)));
    };
    const onClose = (): void => done(err({ code: 'unreachable', reason: 'the connection closed before the broker accepted it' }));
    mqtt.on('connect', onConnect);
    mqtt.on('error', onError);
    mqtt.on('close', onClose);
  });
}

function withDeadline<T>(step: Promise<T>, deadline: number, timeout: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(timeout()), Math.max(0, deadline - Date.now()));
  });
  return Promise.race([step, expired]).finally(() => clearTimeout(timer));
}
