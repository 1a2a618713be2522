import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { mayPublish, maySubscribe, principalOf, type Principal, type ShardOf } from './acl.ts';
import type { BrokerPeer, EmbeddedBrokerOptions } from './embedded-broker.ts';
import type { MqttBusOptions, MqttCredentials } from './mqtt-bus.ts';

/**
 * Broker authentication and authorisation for the twin's own identities,
 * driven by the one policy in `acl.ts`.
 *
 * Every identity authenticates with user name = its client id and a password
 * derived from the run's secret, so nothing but the secret has to be stored
 * or handed out: the adapter derives each password when it connects, the
 * embedded broker derives it again to check, and `mosquitto-acl.ts` writes
 * the same passwords, hashed, for mosquitto.
 *
 * An MQTT acknowledgement is never business acceptance: CONNACK, SUBACK and
 * PUBACK say only that the broker let a packet through (MQTT 3.1.1 even
 * acknowledges a publish it refused, MQTT-52). Whether a request was accepted
 * is said by an application-level response. // RELIABILITY §1.4, §3.4
 */

/** The shortest run secret accepted, in bytes: 128 bits, so no password can be guessed. */
export const MIN_RUN_SECRET_BYTES = 16;

/** A fresh random run secret (32 bytes), for a run that does not bring its own. */
export function newRunSecret(): Uint8Array {
  return new Uint8Array(randomBytes(32));
}

// Labels keep the password apart from anything else derived from the same secret (mosquitto's salts).
const PASSWORD_LABEL = 'smets-twin/mqtt-password/v1\0';

/**
 * The broker password of a client id: HMAC-SHA256 keyed by the run secret,
 * base64url without padding (43 characters). Knowing one identity's password
 * tells nothing about another's.
 *
 * @throws RangeError when the secret is shorter than `MIN_RUN_SECRET_BYTES`.
 * @example
 * passwordFor(secret, 'ch.00DB1234567890A0'); // 43 characters of base64url
 */
export function passwordFor(secret: Uint8Array, clientId: string): string {
  return deriveFromSecret(secret, PASSWORD_LABEL, clientId).toString('base64url');
}

/**
 * HMAC-SHA256 of `label + clientId` keyed by the run secret: the one derivation
 * behind passwords here and salts in `mosquitto-acl.ts`.
 *
 * @throws RangeError when the secret is shorter than `MIN_RUN_SECRET_BYTES`.
 */
export function deriveFromSecret(secret: Uint8Array, label: string, clientId: string): Buffer {
  return createHmac('sha256', checkSecret(secret))
    .update(label + clientId, 'utf8')
    .digest();
}

/**
 * The `credentials` option of `MqttBusFactory` for a run secret: user name =
 * client id, password = `passwordFor(secret, clientId)`. It gives credentials
 * to any client id and leaves the refusal of one that names no principal to
 * the broker, which is the authority.
 *
 * @example
 * const bus = new MqttBusFactory({ url: broker.url, credentials: credentialsFor(secret) });
 */
export function credentialsFor(secret: Uint8Array): NonNullable<MqttBusOptions['credentials']> {
  const key = ownCopy(secret);
  return (clientId: string): MqttCredentials => ({ username: clientId, password: passwordFor(key, clientId) });
}

/** The embedded broker's hooks that `brokerHooks` fills in. */
export type BrokerHooks = Required<Pick<EmbeddedBrokerOptions, 'authenticate' | 'authorizePublish' | 'authorizeSubscribe'>>;

/** How the broker's policy is set up for a run. */
export interface BrokerPolicyOptions {
  /**
   * The shards that carry hubs and devices over one connection each
   * (`MultiplexedBusFactory`): `sim.<shard>` is then also granted the topics
   * of the hubs and devices this puts on it. Default: none — every hub and
   * device connects on its own.
   */
  readonly shards?: ShardOf;
}

/**
 * The hooks for `startEmbeddedBroker` that enforce `acl.ts`:
 * - `authenticate` refuses a client id that names no principal
 *   (`principalOf`), a user name other than the client id, and a missing or
 *   wrong password (compared in constant time);
 * - `authorizePublish` and `authorizeSubscribe` allow exactly what
 *   `mayPublish` and `maySubscribe` allow the principal of the client id,
 *   with `options.shards` for the shards' carried grants.
 *
 * The broker's answers are transport decisions only: a refused publish closes
 * the connection (MQTT 3.1.1 has no negative PUBACK), a refused subscription
 * is SUBACK 0x80, and an allowed one is no business acceptance either.
 *
 * @example
 * const broker = await startEmbeddedBroker(brokerHooks(secret, { shards: shardsByHub(4) }));
 */
export function brokerHooks(secret: Uint8Array, options: BrokerPolicyOptions = {}): BrokerHooks {
  const key = ownCopy(secret);
  const { shards } = options;
  return {
    authenticate: (peer, password) => {
      if (peer.username !== peer.clientId || password === undefined) return false;
      if (!principalOf(peer.clientId).ok) return false;
      const expected = Buffer.from(passwordFor(key, peer.clientId), 'utf8');
      // The length of a derived password is public (always 43); only its content is compared in constant time.
      return password.length === expected.length && timingSafeEqual(password, expected);
    },
    authorizePublish: (peer, topic) => {
      const principal = authenticated(peer);
      return principal !== undefined && mayPublish(principal, topic, shards);
    },
    authorizeSubscribe: (peer, filter) => {
      const principal = authenticated(peer);
      return principal !== undefined && maySubscribe(principal, filter, shards);
    },
  };
}

// Checked now rather than at the first connect, and copied so a caller reusing its buffer cannot change the passwords.
function ownCopy(secret: Uint8Array): Uint8Array {
  return new Uint8Array(checkSecret(secret));
}

function checkSecret(secret: Uint8Array): Uint8Array {
  if (!(secret instanceof Uint8Array) || secret.length < MIN_RUN_SECRET_BYTES) {
    throw new RangeError(`broker-auth: the run secret must be at least ${MIN_RUN_SECRET_BYTES} bytes`);
  }
  return secret;
}

// Only a peer that passed `authenticate` gets here, but the check is repeated so a hook used on its own still denies by default.
function authenticated(peer: BrokerPeer): Principal | undefined {
  if (peer.username !== peer.clientId) return undefined;
  const principal = principalOf(peer.clientId);
  return principal.ok ? principal.value : undefined;
}
