import { once } from 'node:events';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { Aedes, type AuthenticateError, type Client } from 'aedes';
import { MAX_CLIENT_ID_LENGTH } from './client-id.ts';
import { settleTopicOf } from './topics.ts';

/** Who is asking the broker: the client id it connected with and the user name it authenticated as. */
export interface BrokerPeer {
  readonly clientId: string;
  readonly username: string | undefined;
}

/**
 * Options of the embedded broker. The hooks are pure decisions — allow or
 * deny — so the bus's authorisation policy can plug in; without a hook,
 * everything is allowed.
 */
export interface EmbeddedBrokerOptions {
  /** The TCP port; 0 (the default) picks a free one. */
  readonly port?: number;
  /** A loopback address: 127.0.0.1 (the default), ::1 or localhost. */
  readonly host?: string;
  /** May this peer connect with this password? A refusal is CONNACK 4 (bad user name or password), or 5 (not authorised) without a user name. */
  readonly authenticate?: (peer: BrokerPeer, password: Uint8Array | undefined) => boolean;
  /** May this peer publish to this topic (wills included)? A refusal closes the connection, as MQTT 3.1.1 has no negative PUBACK [MQTT-3.3.5-2]. */
  readonly authorizePublish?: (peer: BrokerPeer, topic: string) => boolean;
  /** May this peer subscribe with this filter? A refusal is SUBACK 0x80. */
  readonly authorizeSubscribe?: (peer: BrokerPeer, filter: string) => boolean;
}

/** A running embedded broker. */
export interface EmbeddedBroker {
  /** Where clients connect: `mqtt://127.0.0.1:{port}`. */
  readonly url: string;
  readonly port: number;
  /** Disconnects every client (no DISCONNECT from them, so wills are published) and stops listening. Idempotent. */
  close(): Promise<void>;
  /** The clients connected now. */
  stats(): { readonly clients: number };
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

/**
 * Starts an aedes broker in this process, listening on loopback only: the
 * twin's broker when no external one is given, and the tests' real broker.
 * State is in memory; client ids may be as long as the bus allows
 * (`MAX_CLIENT_ID_LENGTH`, above aedes' default of 23).
 *
 * Each client may always publish and subscribe to its own settle topic
 * (`settleTopicOf(clientId)`), which `MqttBusFactory.settle` needs; every
 * other topic goes to the hooks.
 *
 * @example
 * const broker = await startEmbeddedBroker();
 * const bus = new MqttBusFactory({ url: broker.url });
 * // …
 * await broker.close();
 */
export async function startEmbeddedBroker(options: EmbeddedBrokerOptions = {}): Promise<EmbeddedBroker> {
  const host = options.host ?? '127.0.0.1';
  if (!LOOPBACK.has(host))
    throw new RangeError(`startEmbeddedBroker: host must be a loopback address (127.0.0.1, ::1, localhost), got ${host}`);
  const port = options.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new RangeError(`startEmbeddedBroker: port must be 0..65535, got ${port}`);

  // aedes' Client has no user name; remember the one each client authenticated with.
  const usernames = new WeakMap<Client, string | undefined>();
  const peer = (client: Client): BrokerPeer => ({ clientId: client.id, username: usernames.get(client) });
  const { authenticate, authorizePublish, authorizeSubscribe } = options;

  const aedes = await Aedes.createBroker({
    maxClientsIdLength: MAX_CLIENT_ID_LENGTH,
    authenticate: (client, username, password, done) => {
      usernames.set(client, username);
      if (authenticate === undefined || authenticate({ clientId: client.id, username }, password)) {
        done(null, true);
        return;
      }
      // CONNACK 5 (not authorised) for a client that gave no user name, 4 (bad user name or password) for one that did.
      const refusal: AuthenticateError =
        username === undefined
          ? Object.assign(new Error('not authorised'), { returnCode: 5 as const })
          : Object.assign(new Error('bad user name or password'), { returnCode: 4 as const });
      done(refusal, false);
    },
    authorizePublish: (client, packet, done) => {
      // A null client is the broker itself ($SYS); a client's own settle topic is always its own.
      if (client === null || authorizePublish === undefined || packet.topic === settleTopicOf(client.id)) {
        done(null);
        return;
      }
      done(authorizePublish(peer(client), packet.topic) ? null : new Error(`not authorised to publish to ${packet.topic}`));
    },
    authorizeSubscribe: (client, subscription, done) => {
      if (authorizeSubscribe === undefined || subscription.topic === settleTopicOf(client.id)) {
        done(null, subscription);
        return;
      }
      done(null, authorizeSubscribe(peer(client), subscription.topic) ? subscription : null);
    },
  });

  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.setNoDelay(true); // see MqttBusFactory: MQTT's small acknowledgements must not wait for Nagle
    socket.once('close', () => sockets.delete(socket));
    aedes.handle(socket);
  });
  try {
    server.listen(port, host);
    await once(server, 'listening');
  } catch (error) {
    await new Promise<void>((resolve) => aedes.close(() => resolve()));
    throw error;
  }
  const bound = (server.address() as AddressInfo).port;
  const url = `mqtt://${host.includes(':') ? `[${host}]` : host}:${bound}`;

  let closing: Promise<void> | undefined;
  return {
    url,
    port: bound,
    stats: () => ({ clients: aedes.connectedClients }),
    close: () => {
      closing ??= (async () => {
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        await new Promise<void>((resolve) => aedes.close(() => resolve()));
        // aedes closes its clients; any socket still open (mid-handshake) is cut so the server can stop.
        for (const socket of sockets) socket.destroy();
        await stopped;
      })();
      return closing;
    },
  };
}
