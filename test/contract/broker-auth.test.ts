import { pbkdf2Sync, randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Eui64 } from '../../core/ids.ts';
import { unwrap } from '../../core/result.ts';
import { clientIdOf, grantsOf, type Principal } from '../../emulator/bus/acl.ts';
import { brokerHooks, credentialsFor, passwordFor } from '../../emulator/bus/broker-auth.ts';
import { mosquittoAclFile, mosquittoPasswordFile, mosquittoPasswordLine, writeMosquittoAuth } from '../../emulator/bus/mosquitto-acl.ts';
import { MqttBusFactory, type MqttBusOptions } from '../../emulator/bus/mqtt-bus.ts';
import type { Bus, BusMessage } from '../../emulator/bus/port.ts';
import {
  chOnlineTopic,
  CH_ONLINE_FILTER,
  hanInTopic,
  hanOutFilter,
  hanOutTopic,
  userAlertsTopic,
  userRequestsTopic,
  userResponsesTopic,
  USER_REQUESTS_FILTER,
  WAN_UP_FILTER,
  wanDownTopic,
  wanUpTopic,
} from '../../emulator/bus/topics.ts';
import { skipMosquitto, startTestEmbeddedBroker, startTestMosquitto, type TestBroker } from '../support/brokers.ts';

/**
 * Broker authorisation end to end (RELIABILITY §3.3, §3.4): the MQTT adapter
 * with `credentialsFor(secret)` against the embedded broker with
 * `brokerHooks(secret)` and against mosquitto with the files of
 * `writeMosquittoAuth` — one policy, `acl.ts`, behind both.
 *
 * The brokers refuse differently, and each test says precisely how; what
 * never differs is that nothing reaches a client that may not read it.
 */

const HUB = '00-DB-12-00-00-00-10-01' as Eui64;
const OTHER_HUB = '00-DB-12-00-00-00-10-02' as Eui64;
const ESME = '00-DB-12-00-00-00-00-02' as Eui64;
const GSME = '00-DB-12-00-00-00-00-03' as Eui64;
const USER = '90-B3-D5-1F-30-01-00-00' as Eui64;
const OTHER_USER = '90-B3-D5-1F-30-02-00-00' as Eui64;

const hub: Principal = { kind: 'hub', id: HUB };
const otherHub: Principal = { kind: 'hub', id: OTHER_HUB };
const esme: Principal = { kind: 'device', hub: HUB, id: ESME };
const gsme: Principal = { kind: 'device', hub: HUB, id: GSME };
const user: Principal = { kind: 'user', id: USER };
const otherUser: Principal = { kind: 'user', id: OTHER_USER };
const dsp: Principal = { kind: 'dsp' };
const observer: Principal = { kind: 'observer', name: 'watch' };
const PRINCIPALS = [hub, otherHub, esme, gsme, user, otherUser, dsp, observer];

const text = (s: string): Uint8Array => new TextEncoder().encode(s);
const decode = (m: BusMessage): string => new TextDecoder().decode(m.payload);

/** Collects what a handler receives, as `topic payload` lines. */
function recorder(): { readonly got: string[]; readonly handler: (m: BusMessage) => void } {
  const got: string[] = [];
  return { got, handler: (m) => void got.push(`${m.topic} ${decode(m)}`) };
}

/** How one broker answers what the policy refuses. */
interface BrokerUnderTest {
  readonly name: string;
  readonly skip: boolean;
  readonly start: (secret: Uint8Array) => Promise<TestBroker>;
  /** The `refused` reason for a wrong password, an unknown identity or no credentials at all. */
  readonly badPassword: string;
  readonly unknownIdentity: string;
  readonly anonymous: string;
  /**
   * What a refused SUBSCRIBE does. aedes: SUBACK 0x80, so `subscribe` rejects.
   * mosquitto 2.0's ACL file is checked on delivery, not on SUBSCRIBE: the
   * subscription is granted and never receives a topic the client may not read.
   */
  readonly refusedSubscribe: 'rejects' | 'granted, nothing delivered';
  /**
   * What a refused QoS 1 PUBLISH does. aedes closes the connection (MQTT 3.1.1
   * has no negative PUBACK), so `publish` rejects and the handle is closed.
   * mosquitto acknowledges it and drops it [MQTT-52]: `publish` resolves.
   */
  readonly refusedPublish: 'connection closed' | 'acknowledged, dropped';
}

const BROKERS: readonly BrokerUnderTest[] = [
  {
    name: 'embedded broker with brokerHooks',
    skip: false,
    start: (secret) => startTestEmbeddedBroker(brokerHooks(secret)),
    badPassword: 'CONNACK 4: bad user name or password',
    unknownIdentity: 'CONNACK 4: bad user name or password',
    anonymous: 'CONNACK 5: not authorized',
    refusedSubscribe: 'rejects',
    refusedPublish: 'connection closed',
  },
  {
    name: 'mosquitto with the generated password and ACL files',
    skip: skipMosquitto,
    start: (secret) => startTestMosquitto((dir) => writeMosquittoAuth(dir, secret, PRINCIPALS)),
    // mosquitto 2.0 answers every failed authentication with 5 (not authorised).
    badPassword: 'CONNACK 5: not authorized',
    unknownIdentity: 'CONNACK 5: not authorized',
    anonymous: 'CONNACK 5: not authorized',
    refusedSubscribe: 'granted, nothing delivered',
    refusedPublish: 'acknowledged, dropped',
  },
];

for (const broker of BROKERS) {
  describe.skipIf(broker.skip)(`broker authorisation: ${broker.name}`, () => {
    let secret: Uint8Array;
    let running: TestBroker;
    const cleanups: (() => Promise<void>)[] = [];

    beforeEach(async () => {
      secret = new Uint8Array(randomBytes(32));
      running = await broker.start(secret);
      cleanups.push(() => running.close());
    });
    afterEach(async () => {
      for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    });

    const factory = (credentials: MqttBusOptions['credentials'] = credentialsFor(secret)): MqttBusFactory => {
      const f = new MqttBusFactory({ url: running.url, settleTimeoutMs: 5000, ...(credentials === undefined ? {} : { credentials }) });
      cleanups.push(() => f.closeAll());
      return f;
    };
    const connect = async (f: MqttBusFactory, p: Principal): Promise<Bus> => unwrap(await f.connect({ clientId: clientIdOf(p) }));

    it('a comms hub and the DSP talk over the WAN, the hub’s will included, with an observer watching', async () => {
      const f = factory();
      const [d, watcher] = [await connect(f, dsp), await connect(f, observer)];
      const h = unwrap(
        await f.connect({ clientId: clientIdOf(hub), will: { topic: chOnlineTopic(HUB), payload: text('0'), qos: 1, retain: true } }),
      );
      const atDsp = recorder();
      const atHub = recorder();
      const watched = recorder();
      await d.subscribe(WAN_UP_FILTER, atDsp.handler, { qos: 1 });
      await d.subscribe(CH_ONLINE_FILTER, atDsp.handler, { qos: 1 });
      await h.subscribe(wanDownTopic(HUB), atHub.handler, { qos: 1 });
      await watcher.subscribe('smets/#', watched.handler, { qos: 1 });
      await h.publish(chOnlineTopic(HUB), text('1'), { qos: 1, retain: true });
      await h.publish(wanUpTopic(HUB), text('alert'), { qos: 1 });
      await d.publish(wanDownTopic(HUB), text('command'), { qos: 1 });
      await f.settle();
      await h.kill();
      await f.settle();
      expect(atDsp.got).toEqual([`${chOnlineTopic(HUB)} 1`, `${wanUpTopic(HUB)} alert`, `${chOnlineTopic(HUB)} 0`]);
      expect(atHub.got).toEqual([`${wanDownTopic(HUB)} command`]);
      expect([...watched.got].sort()).toEqual([...atDsp.got, ...atHub.got].sort());
    });

    it('devices and their comms hub talk over the HAN', async () => {
      const f = factory();
      const [h, e, g] = [await connect(f, hub), await connect(f, esme), await connect(f, gsme)];
      const atHub = recorder();
      const atEsme = recorder();
      const atGsme = recorder();
      await h.subscribe(hanOutFilter(HUB), atHub.handler, { qos: 1 });
      await e.subscribe(hanInTopic(HUB, ESME), atEsme.handler, { qos: 1 });
      await g.subscribe(hanInTopic(HUB, GSME), atGsme.handler, { qos: 1 });
      await h.publish(hanInTopic(HUB, ESME), text('to esme'), { qos: 1 });
      await h.publish(hanInTopic(HUB, GSME), text('to gsme'), { qos: 1 });
      await e.publish(hanOutTopic(HUB, ESME), text('from esme'), { qos: 1 });
      await g.publish(hanOutTopic(HUB, GSME), text('from gsme'), { qos: 1 });
      await f.settle();
      expect([...atHub.got].sort()).toEqual([`${hanOutTopic(HUB, ESME)} from esme`, `${hanOutTopic(HUB, GSME)} from gsme`]);
      expect(atEsme.got).toEqual([`${hanInTopic(HUB, ESME)} to esme`]);
      expect(atGsme.got).toEqual([`${hanInTopic(HUB, GSME)} to gsme`]);
    });

    it('a user and the DSP exchange requests, responses and alerts', async () => {
      const f = factory();
      const [u, d] = [await connect(f, user), await connect(f, dsp)];
      const atDsp = recorder();
      const atUser = recorder();
      await d.subscribe(USER_REQUESTS_FILTER, atDsp.handler, { qos: 1 });
      await u.subscribe(userResponsesTopic(USER), atUser.handler, { qos: 1 });
      await u.subscribe(userAlertsTopic(USER), atUser.handler, { qos: 1 });
      await u.publish(userRequestsTopic(USER), text('request'), { qos: 1 });
      await d.publish(userResponsesTopic(USER), text('response'), { qos: 1 });
      await d.publish(userAlertsTopic(USER), text('alert'), { qos: 1 });
      await f.settle();
      expect(atDsp.got).toEqual([`${userRequestsTopic(USER)} request`]);
      expect(atUser.got).toEqual([`${userResponsesTopic(USER)} response`, `${userAlertsTopic(USER)} alert`]);
    });

    it('grants every subscription the policy gives each principal', async () => {
      const f = factory();
      for (const p of PRINCIPALS) {
        const bus = await connect(f, p);
        for (const filter of grantsOf(p).subscribe) await expect(bus.subscribe(filter, () => {})).resolves.toMatchObject({ filter });
      }
      await f.settle();
    });

    it('RELIABILITY SB01: a device cannot publish on another device’s topic, nor as its hub', async () => {
      const f = factory();
      const [h, d, g] = [await connect(f, hub), await connect(f, dsp), await connect(f, gsme)];
      const atHub = recorder();
      const atDsp = recorder();
      await h.subscribe(hanOutFilter(HUB), atHub.handler, { qos: 1 });
      await d.subscribe(WAN_UP_FILTER, atDsp.handler, { qos: 1 });
      for (const spoofed of [hanOutTopic(HUB, GSME), wanUpTopic(HUB)]) {
        // A fresh connection each time: on aedes the refusal ends it.
        const e = await connect(f, esme);
        const sent = e.publish(spoofed, text('spoof'), { qos: 1 });
        if (broker.refusedPublish === 'connection closed') {
          await expect(sent).rejects.toThrow(`Bus (${clientIdOf(esme)}): the connection was lost`);
          expect(e.closed).toBe(true);
        } else {
          await expect(sent).resolves.toBeUndefined();
          expect(e.closed).toBe(false);
        }
      }
      await g.publish(hanOutTopic(HUB, GSME), text('genuine'), { qos: 1 });
      await f.settle();
      expect(atHub.got).toEqual([`${hanOutTopic(HUB, GSME)} genuine`]);
      expect(atDsp.got).toEqual([]);
    });

    it('RELIABILITY SB04: a user cannot read another user’s responses, everything (#) or the broker ($SYS/#)', async () => {
      const f = factory();
      const [u, other, d] = [await connect(f, user), await connect(f, otherUser), await connect(f, dsp)];
      const leaked = recorder();
      const atOther = recorder();
      await other.subscribe(userResponsesTopic(OTHER_USER), atOther.handler, { qos: 1 });
      for (const filter of [userResponsesTopic(OTHER_USER), 'smets/dsp/users/+/responses', '#', '$SYS/#']) {
        const subscribed = u.subscribe(filter, leaked.handler, { qos: 1 });
        if (broker.refusedSubscribe === 'rejects') await expect(subscribed).rejects.toThrow(`the broker refused ${JSON.stringify(filter)}`);
        else await expect(subscribed).resolves.toMatchObject({ filter });
      }
      await d.publish(userResponsesTopic(OTHER_USER), text('private'), { qos: 1 });
      await d.publish(wanDownTopic(HUB), text('command'), { qos: 1 });
      await f.settle();
      expect(atOther.got).toEqual([`${userResponsesTopic(OTHER_USER)} private`]);
      // Not even mosquitto's retained $SYS statistics, replayed on SUBSCRIBE.
      expect(leaked.got).toEqual([]);
      expect(u.closed).toBe(false);
    });

    it.each(['a+b', 'a#', 'a/b'])(
      'RELIABILITY SB03: client id %j is refused by the adapter before it reaches the broker',
      async (clientId) => {
        const r = await factory().connect({ clientId });
        expect(r.ok ? 'connected' : { code: r.error.code, field: 'field' in r.error ? r.error.field.code : undefined }).toEqual({
          code: 'invalid-identity',
          field: 'format',
        });
      },
    );

    it.each(['__proto__', 'dsp.x', 'constructor', 'ch.00db120000001001'])(
      'RELIABILITY SB03: client id %j names no principal and is refused by the broker',
      async (clientId) => {
        const r = await factory().connect({ clientId });
        expect(r.ok ? 'connected' : r.error).toEqual({ code: 'refused', reason: broker.unknownIdentity });
      },
    );

    it('refuses a wrong password, another identity’s password, and no credentials at all', async () => {
      const wrong = await factory(() => ({ username: 'dsp', password: 'not-the-password' })).connect({ clientId: 'dsp' });
      const borrowed = await factory(() => ({ username: 'dsp', password: passwordFor(secret, clientIdOf(user)) })).connect({
        clientId: 'dsp',
      });
      const otherRun = await factory(credentialsFor(new Uint8Array(32))).connect({ clientId: 'dsp' });
      const anonymous = await factory(() => undefined).connect({ clientId: 'dsp' });
      expect([wrong, borrowed, otherRun].map((r) => (r.ok ? 'connected' : r.error))).toEqual(
        Array(3).fill({ code: 'refused', reason: broker.badPassword }),
      );
      expect(anonymous.ok ? 'connected' : anonymous.error).toEqual({ code: 'refused', reason: broker.anonymous });
    });
  });
}

describe('brokerHooks', () => {
  const secret = new Uint8Array(randomBytes(32));
  const hooks = brokerHooks(secret);
  const id = clientIdOf(esme);
  const password = (s: string): Uint8Array => text(s);

  it('authenticates a principal with user name = client id and its derived password only', () => {
    expect(hooks.authenticate({ clientId: id, username: id }, password(passwordFor(secret, id)))).toBe(true);
    expect(hooks.authenticate({ clientId: id, username: clientIdOf(gsme) }, password(passwordFor(secret, id)))).toBe(false);
    expect(hooks.authenticate({ clientId: id, username: clientIdOf(gsme) }, password(passwordFor(secret, clientIdOf(gsme))))).toBe(false);
    expect(hooks.authenticate({ clientId: id, username: undefined }, password(passwordFor(secret, id)))).toBe(false);
    expect(hooks.authenticate({ clientId: id, username: id }, undefined)).toBe(false);
    expect(hooks.authenticate({ clientId: id, username: id }, password(passwordFor(secret, id).slice(1)))).toBe(false);
    // The right HMAC for an id that names no principal is still no identity.
    expect(hooks.authenticate({ clientId: 'dsp.x', username: 'dsp.x' }, password(passwordFor(secret, 'dsp.x')))).toBe(false);
  });

  it('authorises exactly what acl.ts grants, and nothing to a peer whose user name is not its client id', () => {
    const peer = { clientId: id, username: id };
    expect(hooks.authorizePublish(peer, hanOutTopic(HUB, ESME))).toBe(true);
    expect(hooks.authorizePublish(peer, hanOutTopic(HUB, GSME))).toBe(false);
    expect(hooks.authorizeSubscribe(peer, hanInTopic(HUB, ESME))).toBe(true);
    expect(hooks.authorizeSubscribe(peer, '#')).toBe(false);
    expect(hooks.authorizePublish({ clientId: id, username: 'dsp' }, hanOutTopic(HUB, ESME))).toBe(false);
    expect(hooks.authorizeSubscribe({ clientId: 'dsp', username: undefined }, WAN_UP_FILTER)).toBe(false);
  });

  it('refuses a run secret shorter than 16 bytes', () => {
    expect(() => brokerHooks(new Uint8Array(15))).toThrow(RangeError);
    expect(() => credentialsFor(new Uint8Array(8))).toThrow(RangeError);
  });
});

describe('mosquitto password and ACL files', () => {
  const secret = new Uint8Array(randomBytes(32));

  it('writes mosquitto_passwd’s hashed form: $7$, 101 iterations, a 12-byte salt, PBKDF2-HMAC-SHA512 of the derived password', () => {
    const id = clientIdOf(hub);
    const line = mosquittoPasswordLine(secret, id);
    const match = /^ch\.00DB120000001001:\$7\$101\$([A-Za-z0-9+/]{16})\$([A-Za-z0-9+/]{86}==)$/.exec(line);
    expect(match).not.toBeNull();
    const salt = Buffer.from(match![1]!, 'base64');
    expect(pbkdf2Sync(passwordFor(secret, id), salt, 101, 64, 'sha512').toString('base64')).toBe(match![2]);
  });

  it('is deterministic: sorted by client id, duplicates once, whatever the input order', () => {
    const reversed = [...PRINCIPALS].reverse();
    expect(mosquittoAclFile(reversed)).toBe(mosquittoAclFile([...PRINCIPALS, hub]));
    expect(mosquittoPasswordFile(secret, reversed)).toBe(mosquittoPasswordFile(secret, [...PRINCIPALS, dsp]));
    const users = mosquittoAclFile(PRINCIPALS)
      .split('\n')
      .filter((l) => l.startsWith('user '));
    expect(users).toEqual(PRINCIPALS.map((p) => `user ${clientIdOf(p)}`).sort());
  });

  it('gives each principal its grants as topic write and topic read lines', () => {
    expect(mosquittoAclFile([esme])).toBe(
      [
        '# Generated from the bus policy (emulator/bus/acl.ts) for one run of the twin.',
        '',
        `user ${clientIdOf(esme)}`,
        `topic write ${hanOutTopic(HUB, ESME)}`,
        `topic write $smets/settle/${clientIdOf(esme)}`,
        `topic read ${hanInTopic(HUB, ESME)}`,
        `topic read $smets/settle/${clientIdOf(esme)}`,
        '',
      ].join('\n'),
    );
  });

  it('refuses a principal whose client id could not be read back, so nothing can be injected into the files', () => {
    const forged: Principal = { kind: 'observer', name: 'x\nuser dsp' };
    expect(() => mosquittoAclFile([forged])).toThrow(TypeError);
    expect(() => mosquittoPasswordFile(secret, [forged])).toThrow(TypeError);
  });
});
