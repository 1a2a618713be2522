import type { FieldError } from '../../core/errors.ts';
import type { Result } from '../../core/result.ts';

/**
 * The bus port: what comms hubs, devices, the DSP and the runner see of the
 * network, whether it is the deterministic memory bus or MQTT. It is MQTT's
 * client model, narrowed to what the twin uses, so an MQTT client maps onto it
 * one to one: a `BusFactory` connects one client identity and gets a `Bus`
 * (one MQTT connection, clean session), which publishes and subscribes until it
 * is closed (DISCONNECT: no will) or killed (the connection drops: the will is
 * published).
 *
 * Both implementations pass `test/contract/bus.contract.ts`.
 *
 * Errors: what a broker may legitimately refuse (an identity) comes back as a
 * value from `connect`; a call that can only be a bug — a wildcard in a publish
 * topic, a malformed filter, using a closed client — rejects with a TypeError
 * that names the method and the client.
 */

/** The MQTT quality of service the twin uses: 0 at most once, 1 at least once. QoS 2 is not used. */
export type QoS = 0 | 1;

/** One message as a subscriber receives it. */
export interface BusMessage {
  /** The topic it was published to (never a filter). */
  readonly topic: string;
  /** The bytes published; each receiver gets its own copy. */
  readonly payload: Uint8Array;
  /** The lower of the publish QoS and the subscription's QoS. [MQTT-3.8.4-6] */
  readonly qos: QoS;
  /**
   * True only when the message comes from the retained store because this
   * subscription was made; false for live traffic, including live messages
   * that were published with `retain`. [MQTT-3.3.1-8, -9] (MQTT 5: Retain As Published off.)
   */
  readonly retain: boolean;
  /** True when the transport may have delivered this message before (a QoS 1 redelivery, MQTT DUP); absent or false otherwise. */
  readonly duplicate?: boolean;
}

/** How to publish. */
export interface PublishOptions {
  /** Default 0. */
  readonly qos?: QoS;
  /** Keep this as the topic's retained message; an empty payload deletes it. Default false. */
  readonly retain?: boolean;
}

/** How to subscribe. */
export interface SubscribeOptions {
  /** The highest QoS this subscription wants. Default 0. */
  readonly qos?: QoS;
}

/**
 * Receives a message. A returned promise is awaited by the bus's bookkeeping
 * (the memory bus is not quiet until it settles); a rejection is a bug that
 * fails the run.
 */
export type MessageHandler = (message: BusMessage) => void | Promise<void>;

/** A live subscription: one `subscribe` call, one handler. */
export interface Subscription {
  /** The topic filter, as given. */
  readonly filter: string;
  /** The QoS granted. */
  readonly qos: QoS;
  /** Stops delivery to this handler; later calls do nothing. */
  unsubscribe(): Promise<void>;
}

/** The last will: published by the bus on the client's behalf when its connection drops without `close`. */
export interface Will {
  readonly topic: string;
  readonly payload: Uint8Array;
  /** Default 0. */
  readonly qos?: QoS;
  /** Default false. */
  readonly retain?: boolean;
}

/** Who connects: the MQTT client id (see `checkClientId`) and an optional will. */
export interface BusIdentity {
  readonly clientId: string;
  readonly will?: Will;
}

/**
 * Why a connection was not made. `invalid-identity`: the client id or will is
 * malformed (both buses check it the same way); `refused`: a broker said no
 * (authentication, authorisation; MQTT CONNACK codes); `unreachable`: no broker answered.
 */
export type ConnectError =
  | { readonly code: 'invalid-identity'; readonly field: FieldError }
  | { readonly code: 'refused'; readonly reason: string }
  | { readonly code: 'unreachable'; readonly reason: string };

/**
 * One client's connection to the bus.
 *
 * Guarantees, on both buses: a subscription receives every matching message
 * published after its `subscribe` resolved, until `unsubscribe` or `close`
 * resolves; messages from one publisher on one topic arrive in publish order;
 * a QoS 1 message reaches each matching subscription at least once (exactly
 * once on the memory bus).
 */
export interface Bus {
  /** The client id it connected with. */
  readonly clientId: string;
  /** True once `close` or `kill` was called, or the connection was taken over by a newer one with the same client id. */
  readonly closed: boolean;
  /**
   * Publishes `payload` to `topic`. Resolves when the bus has accepted the
   * message (QoS 1: the broker acknowledged it) — never a sign that anyone has
   * processed it; business acceptance is an application-level response.
   * The payload is copied, so the caller may reuse its buffer at once.
   */
  publish(topic: string, payload: Uint8Array, options?: PublishOptions): Promise<void>;
  /**
   * Subscribes `handler` to `filter` (MQTT wildcards `+` and `#`). Matching
   * retained messages follow, flagged `retain`.
   */
  subscribe(filter: string, handler: MessageHandler, options?: SubscribeOptions): Promise<Subscription>;
  /** Disconnects gracefully: the will is discarded and nothing more is delivered. Idempotent. */
  close(): Promise<void>;
  /** Fault injection: drops the connection as a crash or network failure would, so the will is published. Idempotent. */
  kill(): Promise<void>;
}

/** Connects client identities to one bus (the memory bus, or a broker). */
export interface BusFactory {
  /**
   * Opens a clean-session connection for `identity`. An identity already
   * connected is taken over: the older connection is dropped as by `kill`
   * (its will is published). [MQTT-3.1.4-2]
   */
  connect(identity: BusIdentity): Promise<Result<Bus, ConnectError>>;
}
