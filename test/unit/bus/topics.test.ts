import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { eui64FromBytes, type Eui64 } from '../../../core/ids.ts';
import {
  CH_ONLINE_FILTER,
  chOnlineTopic,
  formatTopic,
  hanInTopic,
  hanOutFilter,
  hanOutTopic,
  parseTopic,
  SIM_CLOCK_TOPIC,
  USER_REQUESTS_FILTER,
  userAlertsTopic,
  userRequestsTopic,
  userResponsesTopic,
  WAN_UP_FILTER,
  wanDownTopic,
  wanUpTopic,
  type TopicRoute,
} from '../../../emulator/bus/topics.ts';
import { checkTopicFilter, checkTopicName, filterMatches } from '../../../emulator/bus/topic-syntax.ts';

const CH = '00-DB-12-34-56-78-90-A0' as Eui64;
const DEV = '00-DB-12-34-56-78-90-A1' as Eui64;
const USER = '90-B3-D5-1F-30-01-00-00' as Eui64;

const eui64 = fc.uint8Array({ minLength: 8, maxLength: 8 }).map((b) => eui64FromBytes(b));
const route: fc.Arbitrary<TopicRoute> = fc.oneof(
  eui64.map((chId) => ({ kind: 'wan.down', chId }) as const),
  eui64.map((chId) => ({ kind: 'wan.up', chId }) as const),
  fc.tuple(eui64, eui64).map(([chId, deviceId]) => ({ kind: 'han.in', chId, deviceId }) as const),
  fc.tuple(eui64, eui64).map(([chId, deviceId]) => ({ kind: 'han.out', chId, deviceId }) as const),
  eui64.map((userId) => ({ kind: 'dsp.requests', userId }) as const),
  eui64.map((userId) => ({ kind: 'dsp.responses', userId }) as const),
  eui64.map((userId) => ({ kind: 'dsp.alerts', userId }) as const),
  eui64.map((chId) => ({ kind: 'ch.online', chId }) as const),
  fc.constant({ kind: 'sim.clock' } as const),
);

function codeOf(topic: string): string | undefined {
  const r = parseTopic(topic);
  return r.ok ? undefined : r.error.code;
}

describe('topic layout', () => {
  it('builds the documented topics', () => {
    expect(wanDownTopic(CH)).toBe('smets/wan/00-DB-12-34-56-78-90-A0/down');
    expect(wanUpTopic(CH)).toBe('smets/wan/00-DB-12-34-56-78-90-A0/up');
    expect(hanInTopic(CH, DEV)).toBe('smets/han/00-DB-12-34-56-78-90-A0/00-DB-12-34-56-78-90-A1/in');
    expect(hanOutTopic(CH, DEV)).toBe('smets/han/00-DB-12-34-56-78-90-A0/00-DB-12-34-56-78-90-A1/out');
    expect(userRequestsTopic(USER)).toBe('smets/dsp/users/90-B3-D5-1F-30-01-00-00/requests');
    expect(userResponsesTopic(USER)).toBe('smets/dsp/users/90-B3-D5-1F-30-01-00-00/responses');
    expect(userAlertsTopic(USER)).toBe('smets/dsp/users/90-B3-D5-1F-30-01-00-00/alerts');
    expect(chOnlineTopic(CH)).toBe('smets/ch/00-DB-12-34-56-78-90-A0/online');
    expect(SIM_CLOCK_TOPIC).toBe('smets/sim/clock');
  });

  it('round-trips every route through formatTopic and parseTopic, and every topic is a valid MQTT topic name', () => {
    fc.assert(
      fc.property(route, (r) => {
        const topic = formatTopic(r);
        expect(checkTopicName(topic).ok).toBe(true);
        expect(parseTopic(topic)).toEqual({ ok: true, value: r });
      }),
    );
  });

  it('gives distinct routes distinct topics', () => {
    fc.assert(fc.property(route, route, (a, b) => (formatTopic(a) === formatTopic(b)) === (JSON.stringify(a) === JSON.stringify(b))));
  });

  it('has filters that are valid and match exactly their rows', () => {
    for (const f of [hanOutFilter(CH), WAN_UP_FILTER, USER_REQUESTS_FILTER, CH_ONLINE_FILTER]) expect(checkTopicFilter(f).ok).toBe(true);
    fc.assert(
      fc.property(route, (r) => {
        const topic = formatTopic(r);
        expect(filterMatches(hanOutFilter(CH), topic)).toBe(r.kind === 'han.out' && r.chId === CH);
        expect(filterMatches(WAN_UP_FILTER, topic)).toBe(r.kind === 'wan.up');
        expect(filterMatches(USER_REQUESTS_FILTER, topic)).toBe(r.kind === 'dsp.requests');
        expect(filterMatches(CH_ONLINE_FILTER, topic)).toBe(r.kind === 'ch.online');
      }),
    );
  });

  it('refuses ids that are not canonical EUI-64s, naming the level', () => {
    const bad = ['+', '#', 'a/b', '__proto__', 'constructor', '00-db-12-34-56-78-90-a0', '00:DB:12:34:56:78:90:A0', '00DB1234567890A0', ''];
    for (const id of bad) {
      for (const [topic, path] of [
        [`smets/wan/${id}/down`, 'topic.chId'],
        [`smets/han/${CH}/${id}/out`, 'topic.deviceId'],
        [`smets/han/${id}/${DEV}/in`, 'topic.chId'],
        [`smets/dsp/users/${id}/alerts`, 'topic.userId'],
        [`smets/ch/${id}/online`, 'topic.chId'],
      ] as const) {
        const r = parseTopic(topic);
        expect(r.ok, topic).toBe(false);
        // An id with '/' changes the number of levels, and '+'/'#' are not topic names at all.
        if (!r.ok && !/[/+#]/.test(id)) expect([r.error.code, r.error.path], topic).toEqual(['format', path]);
      }
    }
  });

  it('refuses topics outside the layout or of the wrong shape', () => {
    expect(codeOf('other/wan/x/down')).toBe('unknown-kind');
    expect(codeOf('smets/lan/x')).toBe('unknown-kind');
    expect(codeOf('smets/__proto__/x')).toBe('unknown-kind');
    expect(codeOf('smets/constructor')).toBe('unknown-kind');
    expect(codeOf('smets')).toBe('unknown-kind');
    for (const topic of [
      `smets/wan/${CH}`,
      `smets/wan/${CH}/sideways`,
      `smets/wan/${CH}/down/extra`,
      `smets/han/${CH}/${DEV}`,
      `smets/han/${CH}/${DEV}/both`,
      `smets/han/${CH}/in`,
      `smets/dsp/user/${USER}/requests`,
      `smets/dsp/users/${USER}/orders`,
      `smets/dsp/users/${USER}`,
      `smets/ch/${CH}/offline`,
      `smets/ch/${CH}/online/now`,
      'smets/sim/clock/tick',
      'smets/sim/__proto__',
      `/smets/wan/${CH}/down`,
    ]) {
      expect(codeOf(topic), topic).toBe(topic.startsWith('/') ? 'unknown-kind' : 'format');
    }
  });

  it('refuses strings that are not MQTT topic names before reading the layout', () => {
    expect(codeOf('')).toBe('required');
    expect(codeOf('smets/wan/+/up')).toBe('format');
    expect(codeOf('smets/#')).toBe('format');
    expect(codeOf('smets/sim/clock\u0000')).toBe('format');
    expect(codeOf(`smets/${'x'.repeat(70_000)}`)).toBe('range');
  });

  it('throws a TypeError when a builder is handed a forged id', () => {
    for (const id of ['+', '#', 'a/b', '__proto__', '00-db-12-34-56-78-90-a0']) {
      expect(() => wanDownTopic(id as Eui64)).toThrow(TypeError);
      expect(() => hanOutTopic(CH, id as Eui64)).toThrow(TypeError);
      expect(() => hanOutFilter(id as Eui64)).toThrow(TypeError);
      expect(() => userResponsesTopic(id as Eui64)).toThrow(TypeError);
    }
  });
});
