import { fieldError, type FieldError } from '../../core/errors.ts';
import { toEui64, type Eui64 } from '../../core/ids.ts';
import { err, ok, type Result } from '../../core/result.ts';
import { checkTopicName } from './topic-syntax.ts';

/**
 * The topic layout of the twin's bus. This module is the one place that knows
 * it: everything else builds topics with the functions below and reads them
 * with `parseTopic`.
 *
 * | topic                                | from → to            | QoS | retained | carries                                                                  |
 * | ------------------------------------ | -------------------- | --- | -------- | ------------------------------------------------------------------------ |
 * | `smets/wan/{chId}/down`              | DSP → comms hub      | 1   | never    | commands for the hub and the devices on its HAN                          |
 * | `smets/wan/{chId}/up`                | comms hub → DSP      | 1   | never    | responses and alerts from the hub and its devices                        |
 * | `smets/han/{chId}/{deviceId}/in`     | comms hub → device   | 1   | never    | commands and other HAN traffic for one device                            |
 * | `smets/han/{chId}/{deviceId}/out`    | device → comms hub   | 1   | never    | one device's responses and alerts                                        |
 * | `smets/dsp/users/{userId}/requests`  | DCC user → DSP       | 1   | never    | service requests                                                         |
 * | `smets/dsp/users/{userId}/responses` | DSP → DCC user       | 1   | never    | service responses, only to the user that sent the request                |
 * | `smets/dsp/users/{userId}/alerts`    | DSP → DCC user       | 1   | never    | device and DCC alerts routed to that user                                |
 * | `smets/ch/{chId}/online`             | comms hub → anyone   | 1   | always   | `1` while connected; the hub's last will is a retained `0`               |
 * | `smets/sim/clock`                    | coordinator ↔ shards | 1   | never    | the virtual-time barrier between shards                                  |
 *
 * `{chId}` (comms hub), `{deviceId}` and `{userId}` (a DCC user id) are
 * EUI-64s in canonical form, `00-DB-12-34-56-78-90-A0`: upper-case hex,
 * hyphenated. Any other spelling is refused, so one device has exactly one
 * topic and a broker ACL can compare the level with the authenticated
 * identity; that also keeps `+`, `#` and `/` out of every level.
 * Commands are never taken from retained messages: only the online state is
 * retained.
 */

/** The first level of every topic of the twin. */
export const TOPIC_ROOT = 'smets';

/** Where a topic leads; `kind` is the dotted name of its row in the layout. */
export type TopicRoute =
  | { readonly kind: 'wan.down'; readonly chId: Eui64 }
  | { readonly kind: 'wan.up'; readonly chId: Eui64 }
  | { readonly kind: 'han.in'; readonly chId: Eui64; readonly deviceId: Eui64 }
  | { readonly kind: 'han.out'; readonly chId: Eui64; readonly deviceId: Eui64 }
  | { readonly kind: 'dsp.requests'; readonly userId: Eui64 }
  | { readonly kind: 'dsp.responses'; readonly userId: Eui64 }
  | { readonly kind: 'dsp.alerts'; readonly userId: Eui64 }
  | { readonly kind: 'ch.online'; readonly chId: Eui64 }
  | { readonly kind: 'sim.clock' };

/** The kinds of topic in the layout. */
export type TopicKind = TopicRoute['kind'];

/** The topic of the virtual-time barrier between shards. */
export const SIM_CLOCK_TOPIC = `${TOPIC_ROOT}/sim/clock`;

/**
 * The topic a route leads to. An id that is not a canonical EUI-64 is a bug
 * (the `Eui64` brand was forged): TypeError.
 *
 * @example
 * formatTopic({ kind: 'han.out', chId, deviceId }); // 'smets/han/90-B3-…/00-DB-…/out'
 */
export function formatTopic(route: TopicRoute): string {
  switch (route.kind) {
    case 'wan.down':
      return `${TOPIC_ROOT}/wan/${anId(route.chId, 'chId')}/down`;
    case 'wan.up':
      return `${TOPIC_ROOT}/wan/${anId(route.chId, 'chId')}/up`;
    case 'han.in':
      return `${TOPIC_ROOT}/han/${anId(route.chId, 'chId')}/${anId(route.deviceId, 'deviceId')}/in`;
    case 'han.out':
      return `${TOPIC_ROOT}/han/${anId(route.chId, 'chId')}/${anId(route.deviceId, 'deviceId')}/out`;
    case 'dsp.requests':
      return `${TOPIC_ROOT}/dsp/users/${anId(route.userId, 'userId')}/requests`;
    case 'dsp.responses':
      return `${TOPIC_ROOT}/dsp/users/${anId(route.userId, 'userId')}/responses`;
    case 'dsp.alerts':
      return `${TOPIC_ROOT}/dsp/users/${anId(route.userId, 'userId')}/alerts`;
    case 'ch.online':
      return `${TOPIC_ROOT}/ch/${anId(route.chId, 'chId')}/online`;
    case 'sim.clock':
      return SIM_CLOCK_TOPIC;
  }
}

/** `smets/wan/{chId}/down`: DSP → comms hub. */
export const wanDownTopic = (chId: Eui64): string => formatTopic({ kind: 'wan.down', chId });
/** `smets/wan/{chId}/up`: comms hub → DSP. */
export const wanUpTopic = (chId: Eui64): string => formatTopic({ kind: 'wan.up', chId });
/** `smets/han/{chId}/{deviceId}/in`: comms hub → device. */
export const hanInTopic = (chId: Eui64, deviceId: Eui64): string => formatTopic({ kind: 'han.in', chId, deviceId });
/** `smets/han/{chId}/{deviceId}/out`: device → comms hub. */
export const hanOutTopic = (chId: Eui64, deviceId: Eui64): string => formatTopic({ kind: 'han.out', chId, deviceId });
/** `smets/dsp/users/{userId}/requests`: DCC user → DSP. */
export const userRequestsTopic = (userId: Eui64): string => formatTopic({ kind: 'dsp.requests', userId });
/** `smets/dsp/users/{userId}/responses`: DSP → DCC user. */
export const userResponsesTopic = (userId: Eui64): string => formatTopic({ kind: 'dsp.responses', userId });
/** `smets/dsp/users/{userId}/alerts`: DSP → DCC user. */
export const userAlertsTopic = (userId: Eui64): string => formatTopic({ kind: 'dsp.alerts', userId });
/** `smets/ch/{chId}/online`: a comms hub's retained online state. */
export const chOnlineTopic = (chId: Eui64): string => formatTopic({ kind: 'ch.online', chId });

/** `smets/han/{chId}/+/out`: what a comms hub subscribes to, to hear every device on its HAN. */
export const hanOutFilter = (chId: Eui64): string => `${TOPIC_ROOT}/han/${anId(chId, 'chId')}/+/out`;
/** `smets/wan/+/up`: what the DSP subscribes to, to hear every comms hub. */
export const WAN_UP_FILTER = `${TOPIC_ROOT}/wan/+/up`;
/** `smets/dsp/users/+/requests`: what the DSP subscribes to, to hear every user. */
export const USER_REQUESTS_FILTER = `${TOPIC_ROOT}/dsp/users/+/requests`;
/** `smets/ch/+/online`: every comms hub's online state. */
export const CH_ONLINE_FILTER = `${TOPIC_ROOT}/ch/+/online`;

/**
 * Reads a topic of the layout. Anything else is an error value: a string that
 * is not an MQTT topic name, a topic outside the layout (`unknown-kind`), a
 * known topic of the wrong shape, or an id that is not a canonical EUI-64
 * (`format`, with the path naming the level, e.g. `topic.chId`).
 *
 * @example
 * parseTopic('smets/wan/00-DB-12-34-56-78-90-A0/up'); // ok({ kind: 'wan.up', chId: '00-DB-12-34-56-78-90-A0' })
 */
export function parseTopic(topic: string, path = 'topic'): Result<TopicRoute, FieldError> {
  const name = checkTopicName(topic, path);
  if (!name.ok) return name;
  const levels = topic.split('/');
  if (levels[0] !== TOPIC_ROOT) return err(fieldError(path, 'unknown-kind', `a topic under ${TOPIC_ROOT}/`, topic));
  // Switches, not lookup objects: a level such as '__proto__' must not find anything.
  switch (levels[1]) {
    case 'wan': {
      const dir = levels[3];
      if (levels.length !== 4 || (dir !== 'down' && dir !== 'up')) return shape(path, 'smets/wan/{chId}/down|up', topic);
      const chId = readId(levels[2], `${path}.chId`);
      return chId.ok ? ok(dir === 'down' ? { kind: 'wan.down', chId: chId.value } : { kind: 'wan.up', chId: chId.value }) : chId;
    }
    case 'han': {
      const dir = levels[4];
      if (levels.length !== 5 || (dir !== 'in' && dir !== 'out')) return shape(path, 'smets/han/{chId}/{deviceId}/in|out', topic);
      const chId = readId(levels[2], `${path}.chId`);
      if (!chId.ok) return chId;
      const deviceId = readId(levels[3], `${path}.deviceId`);
      if (!deviceId.ok) return deviceId;
      return ok({ kind: dir === 'in' ? 'han.in' : 'han.out', chId: chId.value, deviceId: deviceId.value });
    }
    case 'dsp': {
      const leaf = levels[4];
      if (levels.length !== 5 || levels[2] !== 'users' || (leaf !== 'requests' && leaf !== 'responses' && leaf !== 'alerts')) {
        return shape(path, 'smets/dsp/users/{userId}/requests|responses|alerts', topic);
      }
      const userId = readId(levels[3], `${path}.userId`);
      if (!userId.ok) return userId;
      const kind = leaf === 'requests' ? 'dsp.requests' : leaf === 'responses' ? 'dsp.responses' : 'dsp.alerts';
      return ok({ kind, userId: userId.value });
    }
    case 'ch': {
      if (levels.length !== 4 || levels[3] !== 'online') return shape(path, 'smets/ch/{chId}/online', topic);
      const chId = readId(levels[2], `${path}.chId`);
      return chId.ok ? ok({ kind: 'ch.online', chId: chId.value }) : chId;
    }
    case 'sim':
      return topic === SIM_CLOCK_TOPIC ? ok({ kind: 'sim.clock' }) : shape(path, SIM_CLOCK_TOPIC, topic);
    default:
      return err(fieldError(path, 'unknown-kind', 'a topic of smets/wan, smets/han, smets/dsp/users, smets/ch or smets/sim', topic));
  }
}

const CANONICAL = 'a canonical EUI-64 such as 00-DB-12-34-56-78-90-A0';

// Only the canonical spelling is accepted: toEui64 also reads lower case,
// colons and bare hex, and two spellings of one id would be two topics.
function readId(level: string | undefined, path: string): Result<Eui64, FieldError> {
  const id = toEui64(level, path);
  if (id.ok && id.value === level) return id;
  return err(fieldError(path, 'format', CANONICAL, level));
}

function anId(id: Eui64, name: string): Eui64 {
  const r = readId(id, name);
  if (!r.ok) throw new TypeError(`topics: ${name} must be ${CANONICAL}, got ${r.error.got}`);
  return r.value;
}

function shape(path: string, expected: string, topic: string): Result<never, FieldError> {
  return err(fieldError(path, 'format', expected, topic));
}

/**
 * Each client's private settle topic: an MQTT runner loops a marker through it to know that
 * everything published before has been delivered. The leading `$` keeps it out of `#` and `+`.
 */
export const SETTLE_TOPIC_PREFIX = '$smets/settle/';

/** The settle topic of one client id. */
export const settleTopicOf = (clientId: string): string => `${SETTLE_TOPIC_PREFIX}${clientId}`;
