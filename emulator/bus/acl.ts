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
  /** The virtual-time coordinator and its shards. */
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

export function grantsOf(p: Principal): Grants {
  // Every client may loop a marker through its own settle topic: how an MQTT runner knows traffic has drained.
  const settle = settleTopicOf(clientIdOf(p));
  const own = roleGrants(p);
  return { publish: [...own.publish, settle], subscribe: [...own.subscribe, settle] };
}

function roleGrants(p: Principal): Grants {
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

/** May this principal publish to this topic? */
export function mayPublish(p: Principal, topic: string): boolean {
  return grantsOf(p).publish.some((f) => filterMatches(f, topic));
}

/**
 * May this principal subscribe with this filter? Only if every topic the
 * filter could match is one it may read: `#` or `$SYS/#` are refused unless
 * a grant covers them.
 */
export function maySubscribe(p: Principal, filter: string): boolean {
  return grantsOf(p).subscribe.some((g) => filterCovers(g, filter));
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
