import { ok, err, type Result } from '../../core/result.ts';
import { fieldError, type FieldError } from '../../core/errors.ts';
import { toEui64, type Eui64 } from '../../core/ids.ts';
import { TOPIC_ROOT, SIM_CLOCK_TOPIC, settleTopicOf } from './topics.ts';
import { filterMatches } from './topic-syntax.ts';

/**
 * Who is on the bus, and what each may publish and subscribe to. Every comms
 * hub, device, user and the DSP connects with its own identity and may touch
 * only its own topics; an MQTT acknowledgement is never business acceptance.
 * // ARCHITECTURE "Bus", RELIABILITY §3.3, §3.4
 *
 * The same policy drives the embedded broker's hooks and the ACL file
 * generated for an external broker.
 */
export type Principal =
  | { readonly kind: 'hub'; readonly id: Eui64 }
  | { readonly kind: 'device'; readonly hub: Eui64; readonly id: Eui64 }
  | { readonly kind: 'user'; readonly id: Eui64 }
  | { readonly kind: 'dsp' }
  /** A read-only watcher of the twin's own traffic (never `$SYS`, never publishes). */
  | { readonly kind: 'observer'; readonly name: string }
  /**
   * The virtual-time coordinator and its shards. A shard may also carry hubs
   * and devices over its one connection (see `ShardOf`), and is then granted
   * their topics too.
   */
  | { readonly kind: 'sim'; readonly name: string };

/** An EUI-64 as it appears in a client id: 16 upper-case hex digits. */
const compact = (e: Eui64): string => e.replaceAll('-', '');

/**
 * The client id (and broker username) of a principal: `ch.<hub>`,
 * `dev.<hub>.<device>`, `user.<id>`, `dsp`, `obs.<name>`, `sim.<name>`.
 * Within MQTT's and the bus's client-id rules (≤ 64 of `[0-9A-Za-z_.:-]`).
 */
export function clientIdOf(p: Principal): string {
  switch (p.kind) {
    case 'hub':
      return `ch.${compact(p.id)}`;
    case 'device':
      return `dev.${compact(p.hub)}.${compact(p.id)}`;
    case 'user':
      return `user.${compact(p.id)}`;
    case 'dsp':
      return 'dsp';
    case 'observer':
      return `obs.${p.name}`;
    case 'sim':
      return `sim.${p.name}`;
  }
}

const NAME = /^[0-9A-Za-z_-]{1,40}$/;

/** The principal a client id names, or why it names none. */
export function principalOf(clientId: unknown, path = 'clientId'): Result<Principal, FieldError> {
  if (typeof clientId !== 'string') return err(fieldError(path, 'type', 'a client id string', clientId));
  const parts = clientId.split('.');
  const eui = (s: string | undefined, at: string): Result<Eui64, FieldError> =>
    s !== undefined && /^[0-9A-F]{16}$/.test(s)
      ? toEui64(s, at)
      : err(fieldError(at, 'format', '16 upper-case hex digits of an EUI-64', s));
  switch (parts[0]) {
    case 'ch': {
      if (parts.length !== 2) break;
      const id = eui(parts[1], path);
      return id.ok ? ok({ kind: 'hub', id: id.value }) : id;
    }
    case 'dev': {
      if (parts.length !== 3) break;
      const hub = eui(parts[1], path);
      if (!hub.ok) return hub;
      const id = eui(parts[2], path);
      return id.ok ? ok({ kind: 'device', hub: hub.value, id: id.value }) : id;
    }
    case 'user': {
      if (parts.length !== 2) break;
      const id = eui(parts[1], path);
      return id.ok ? ok({ kind: 'user', id: id.value }) : id;
    }
    case 'dsp':
      if (parts.length === 1) return ok({ kind: 'dsp' });
      break;
    case 'obs':
    case 'sim': {
      const name = parts[1];
      if (parts.length !== 2 || name === undefined || !NAME.test(name)) break;
      return ok(parts[0] === 'obs' ? { kind: 'observer', name } : { kind: 'sim', name });
    }
    default:
      break;
  }
  return err(fieldError(path, 'format', 'ch.<EUI>, dev.<hub EUI>.<device EUI>, user.<EUI>, dsp, obs.<name> or sim.<name>', clientId));
}

/** What a principal may publish to and subscribe to, as MQTT filters. */
export interface Grants {
  readonly publish: readonly string[];
  readonly subscribe: readonly string[];
}

const R = TOPIC_ROOT;

/**
 * What a principal may publish and subscribe to on its own connection. A
 * `sim` principal carrying hubs and devices may do more: see `shardGrantsOf`.
 */
export function grantsOf(p: Principal): Grants {
  // Every client may loop a marker through its own settle topic: how an MQTT runner knows traffic has drained.
  const settle = settleTopicOf(clientIdOf(p));
  const own = roleGrantsOf(p);
  return { publish: [...own.publish, settle], subscribe: [...own.subscribe, settle] };
}

/**
 * What a principal's role allows on its topics, without its own settle topic:
 * what a shard may do on its behalf when it carries it over the shard's
 * connection (the settle topic belongs to the connection, so to the shard).
 */
export function roleGrantsOf(p: Principal): Grants {
  switch (p.kind) {
    case 'hub':
      return {
        publish: [`${R}/wan/${p.id}/up`, `${R}/han/${p.id}/+/in`, `${R}/ch/${p.id}/online`],
        subscribe: [`${R}/wan/${p.id}/down`, `${R}/han/${p.id}/+/out`],
      };
    case 'device':
      return { publish: [`${R}/han/${p.hub}/${p.id}/out`], subscribe: [`${R}/han/${p.hub}/${p.id}/in`] };
    case 'user':
      return {
        publish: [`${R}/dsp/users/${p.id}/requests`],
        subscribe: [`${R}/dsp/users/${p.id}/responses`, `${R}/dsp/users/${p.id}/alerts`],
      };
    case 'dsp':
      return {
        publish: [`${R}/wan/+/down`, `${R}/dsp/users/+/responses`, `${R}/dsp/users/+/alerts`],
        subscribe: [`${R}/wan/+/up`, `${R}/dsp/users/+/requests`, `${R}/ch/+/online`],
      };
    case 'observer':
      return { publish: [], subscribe: [`${R}/#`] };
    case 'sim':
      return { publish: [SIM_CLOCK_TOPIC], subscribe: [SIM_CLOCK_TOPIC] };
  }
}

/**
 * May this principal publish to this topic? With `shards`, a `sim.<name>`
 * principal may also publish what the hubs and devices it carries may.
 */
export function mayPublish(p: Principal, topic: string, shards?: ShardOf): boolean {
  if (grantsOf(p).publish.some((f) => filterMatches(f, topic))) return true;
  return carries(p, topic, shards, (owner) => roleGrantsOf(owner).publish.some((f) => filterMatches(f, topic)));
}

/**
 * May this principal subscribe with this filter? Only if every topic the
 * filter could match is one it may read: `#` or `$SYS/#` are refused unless
 * a grant covers them. With `shards`, a `sim.<name>` principal may also
 * subscribe as the hubs and devices it carries may.
 */
export function maySubscribe(p: Principal, filter: string, shards?: ShardOf): boolean {
  if (grantsOf(p).subscribe.some((g) => filterCovers(g, filter))) return true;
  return carries(p, filter, shards, (owner) => roleGrantsOf(owner).subscribe.some((g) => filterCovers(g, filter)));
}

/**
 * Which shard carries a hub or device identity over the shard's one
 * connection, `sim.<shard>`; undefined for an identity that connects on its
 * own. Only hubs and devices are carried: any answer for another kind of
 * principal is ignored. The broker's grants and the multiplexer must be
 * given the same function. A function rather than a table, so a broker
 * answers for 100 000 hubs without holding a list. // docs/bus.md "Connection model"
 */
export type ShardOf = (p: Principal) => string | undefined;

/**
 * Spreads comms hubs over `count` shards named `shard-0` … `shard-{count-1}`
 * by a hash of the hub's EUI-64; each device goes with its hub, so one
 * premises is on one connection.
 *
 * @throws RangeError when `count` is not an integer from 1 to 100 000.
 * @example
 * const shards = shardsByHub(4);
 * shards({ kind: 'hub', id }); // 'shard-2'
 */
export function shardsByHub(count: number): ShardOf {
  if (!Number.isInteger(count) || count < 1 || count > 100_000) {
    throw new RangeError(`shardsByHub: count must be an integer from 1 to 100000, got ${count}`);
  }
  return (p) => {
    if (p.kind !== 'hub' && p.kind !== 'device') return undefined;
    return `shard-${fnv1a(p.kind === 'hub' ? p.id : p.hub) % count}`;
  };
}

/**
 * The grants of shard `name` carrying, out of `principals`, the hubs and
 * devices `shards` puts on it: its own (`grantsOf`) and the union of theirs
 * (`roleGrantsOf`), each topic once, per hub and device — never a
 * wildcard over hubs. What a broker's ACL file must list for it.
 */
export function shardGrantsOf(name: string, principals: readonly Principal[], shards: ShardOf): Grants {
  const shard: Principal = { kind: 'sim', name };
  const own = grantsOf(shard);
  const publish = new Set(own.publish);
  const subscribe = new Set(own.subscribe);
  for (const p of principals) {
    if (!isCarried(p) || shards(p) !== name) continue;
    const carried = roleGrantsOf(p);
    for (const f of carried.publish) publish.add(f);
    for (const f of carried.subscribe) subscribe.add(f);
  }
  return { publish: [...publish], subscribe: [...subscribe] };
}

/** The shard principal that carries `p`, if any. */
export function carrierOf(p: Principal, shards: ShardOf | undefined): Principal | undefined {
  if (shards === undefined || !isCarried(p)) return undefined;
  const name = shards(p);
  return name === undefined ? undefined : { kind: 'sim', name };
}

const isCarried = (p: Principal): boolean => p.kind === 'hub' || p.kind === 'device';

/**
 * Whether shard `p` carries an owner of `topicOrFilter` that may use it. The
 * owners are read from the topic's levels — the hub of `wan/{hub}/…`,
 * `ch/{hub}/…` and `han/{hub}/…`, and the device of `han/{hub}/{device}/…` —
 * so a broker needs no list of the fleet; a wildcard in those levels names no owner.
 */
function carries(p: Principal, topicOrFilter: string, shards: ShardOf | undefined, owns: (owner: Principal) => boolean): boolean {
  if (p.kind !== 'sim' || shards === undefined) return false;
  for (const owner of ownersNamedBy(topicOrFilter)) if (shards(owner) === p.name && owns(owner)) return true;
  return false;
}

function ownersNamedBy(topicOrFilter: string): Principal[] {
  const levels = topicOrFilter.split('/');
  if (levels[0] !== R) return [];
  const hub = canonicalEui(levels[2]);
  if (hub === undefined) return [];
  switch (levels[1]) {
    case 'wan':
    case 'ch':
      return [{ kind: 'hub', id: hub }];
    case 'han': {
      const device = canonicalEui(levels[3]);
      return device === undefined
        ? [{ kind: 'hub', id: hub }]
        : [
            { kind: 'hub', id: hub },
            { kind: 'device', hub, id: device },
          ];
    }
    default:
      return [];
  }
}

// Only the canonical spelling names an owner, as in the topic layout.
function canonicalEui(level: string | undefined): Eui64 | undefined {
  const id = toEui64(level, 'level');
  return id.ok && id.value === level ? id.value : undefined;
}

// FNV-1a, 32 bits: stable across runs and machines, so a fleet's shards do not depend on where it runs.
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** True if every topic `inner` matches is also matched by `outer`. */
export function filterCovers(outer: string, inner: string): boolean {
  const o = outer.split('/');
  const i = inner.split('/');
  for (let k = 0; k < o.length; k++) {
    const a = o[k];
    if (a === '#') return !(i[0]?.startsWith('$') ?? false) || o[0]?.startsWith('$') === true;
    const b = i[k];
    if (b === undefined) return false;
    if (b === '#') return false;
    if (a === '+') {
      if (k === 0 && b.startsWith('$')) return false;
      continue;
    }
    if (a !== b) return false;
  }
  return i.length === o.length;
}
