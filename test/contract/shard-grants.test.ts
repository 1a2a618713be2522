/**
 * The grants of a shard principal, `sim.<name>`, that carries hubs and
 * devices over one connection: the union of theirs, per hub and per device,
 * never a wildcard over hubs — the same whether a broker asks `mayPublish`
 * and `maySubscribe` (the embedded broker's hooks) or reads the enumerated
 * `shardGrantsOf` (mosquitto's ACL file).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { eui64FromIndex, type Eui64 } from '../../core/ids.ts';
import {
  clientIdOf,
  grantsOf,
  mayPublish,
  maySubscribe,
  roleGrantsOf,
  shardGrantsOf,
  shardsByHub,
  type Principal,
  type ShardOf,
} from '../../emulator/bus/acl.ts';
import { brokerHooks } from '../../emulator/bus/broker-auth.ts';
import { mosquittoAclFile, mosquittoPasswordFile } from '../../emulator/bus/mosquitto-acl.ts';
import { SIM_CLOCK_TOPIC, settleTopicOf } from '../../emulator/bus/topics.ts';

const hubAt = (i: number): Eui64 => eui64FromIndex(0x00db1300, i);
const deviceAt = (i: number): Eui64 => eui64FromIndex(0x00db1200, i);
/** Premises `i`: its hub and two devices. */
const premises = (i: number): Principal[] => [
  { kind: 'hub', id: hubAt(i) },
  { kind: 'device', hub: hubAt(i), id: deviceAt(2 * i) },
  { kind: 'device', hub: hubAt(i), id: deviceAt(2 * i + 1) },
];
const shardOf = (shards: ShardOf, p: Principal): { readonly kind: 'sim'; readonly name: string } => ({ kind: 'sim', name: shards(p)! });

describe('shard grants', () => {
  const shards = shardsByHub(3);
  const fleet = Array.from({ length: 12 }, (_, i) => premises(i)).flat();

  it('a shard may use exactly the topics of the hubs and devices it carries, besides its own', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: fleet.length - 1 }), fc.integer({ min: 0, max: fleet.length - 1 }), (a, b) => {
        const owner = fleet[a]!;
        const other = fleet[b]!;
        const carrier = shardOf(shards, owner);
        const grants = roleGrantsOf(other);
        const carried = shards(other) === carrier.name;
        for (const topic of grants.publish.filter((f) => !f.includes('+'))) expect(mayPublish(carrier, topic, shards)).toBe(carried);
        for (const filter of grants.subscribe) expect(maySubscribe(carrier, filter, shards)).toBe(carried);
      }),
    );
  });

  it('agrees with the enumerated grants a broker’s ACL file lists', () => {
    const carrier = shardOf(shards, fleet[0]!);
    const listed = shardGrantsOf(carrier.name, fleet, shards);
    const members = fleet.filter((p) => shards(p) === carrier.name);
    expect(members.length).toBeGreaterThan(0);
    expect([...listed.publish].sort()).toEqual(
      [...new Set([SIM_CLOCK_TOPIC, settleTopicOf(clientIdOf(carrier)), ...members.flatMap((p) => roleGrantsOf(p).publish)])].sort(),
    );
    expect([...listed.subscribe].sort()).toEqual(
      [...new Set([SIM_CLOCK_TOPIC, settleTopicOf(clientIdOf(carrier)), ...members.flatMap((p) => roleGrantsOf(p).subscribe)])].sort(),
    );
    // Least privilege: per hub, never a wildcard in the hub level.
    for (const f of [...listed.publish, ...listed.subscribe]) expect(f.split('/')[2]).not.toMatch(/^[+#]$/);
    for (const f of listed.publish) expect(mayPublish(carrier, f.replace('+', deviceAt(0)), shards)).toBe(true);
  });

  it('never covers everything, another shard’s hubs, the DSP’s topics or the members’ own settle topics', () => {
    const carrier = shardOf(shards, fleet[0]!);
    const stranger = fleet.find((p) => p.kind === 'hub' && shards(p) !== carrier.name)!;
    const member = fleet.find((p) => p.kind === 'hub' && shards(p) === carrier.name)!;
    if (member.kind !== 'hub' || stranger.kind !== 'hub') throw new Error('fixture');
    for (const filter of ['#', 'smets/#', 'smets/wan/+/down', 'smets/han/+/+/in', `smets/wan/${stranger.id}/down`, '$SYS/#']) {
      expect(maySubscribe(carrier, filter, shards), filter).toBe(false);
    }
    for (const topic of [`smets/wan/${stranger.id}/up`, `smets/wan/${member.id}/down`, settleTopicOf(clientIdOf(member))]) {
      expect(mayPublish(carrier, topic, shards), topic).toBe(false);
    }
    // Without the shards, a sim principal has its own grants only, as before.
    expect(mayPublish(carrier, `smets/wan/${member.id}/up`)).toBe(false);
    expect(grantsOf(carrier)).toEqual({
      publish: [SIM_CLOCK_TOPIC, settleTopicOf(clientIdOf(carrier))],
      subscribe: [SIM_CLOCK_TOPIC, settleTopicOf(clientIdOf(carrier))],
    });
  });

  it('reach the embedded broker’s hooks', () => {
    const hooks = brokerHooks(new Uint8Array(32).fill(1), { shards });
    const member = fleet[0]!;
    if (member.kind !== 'hub') throw new Error('fixture');
    const peer = { clientId: clientIdOf(shardOf(shards, member)), username: clientIdOf(shardOf(shards, member)) };
    expect(hooks.authorizePublish(peer, `smets/wan/${member.id}/up`)).toBe(true);
    expect(hooks.authorizeSubscribe(peer, `smets/han/${member.id}/+/out`)).toBe(true);
    expect(brokerHooks(new Uint8Array(32).fill(1)).authorizePublish(peer, `smets/wan/${member.id}/up`)).toBe(false);
  });

  it('are written to mosquitto’s files as a user block per shard, with a password line each', () => {
    const one = premises(1);
    const only: ShardOf = (p) => (p.kind === 'hub' || p.kind === 'device' ? 'a' : undefined);
    const acl = mosquittoAclFile(one, { shards: only });
    const block = acl
      .trimEnd()
      .split('\n\n')
      .find((b) => b.startsWith('user sim.a\n'));
    expect(block?.split('\n')).toEqual([
      'user sim.a',
      `topic write ${SIM_CLOCK_TOPIC}`,
      'topic write $smets/settle/sim.a',
      ...one.flatMap((p) => roleGrantsOf(p).publish.map((f) => `topic write ${f}`)),
      `topic read ${SIM_CLOCK_TOPIC}`,
      'topic read $smets/settle/sim.a',
      ...one.flatMap((p) => roleGrantsOf(p).subscribe.map((f) => `topic read ${f}`)),
    ]);
    expect(
      mosquittoPasswordFile(new Uint8Array(32).fill(1), one, { shards: only })
        .split('\n')
        .map((l) => l.split(':')[0]),
    ).toContain('sim.a');
    // A shard name that would not read back as a principal cannot be written into the files.
    expect(() => mosquittoAclFile(one, { shards: () => 'a\nuser dsp' })).toThrow(TypeError);
  });

  it('spreads hubs over shards by a stable hash, and refuses a shard count out of range', () => {
    expect(shardsByHub(4)({ kind: 'hub', id: '00-DB-12-00-00-00-10-01' as Eui64 })).toBe(
      shardsByHub(4)({ kind: 'hub', id: '00-DB-12-00-00-00-10-01' as Eui64 }),
    );
    expect(shardsByHub(1)({ kind: 'user', id: hubAt(1) })).toBeUndefined();
    for (const bad of [0, 1.5, 100_001, Number.NaN]) expect(() => shardsByHub(bad)).toThrow(RangeError);
  });
});
