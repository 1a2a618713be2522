import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Eui64 } from '../../core/ids.ts';
import { unwrap } from '../../core/result.ts';
import type { Bus, BusFactory, BusMessage, Will } from '../../emulator/bus/port.ts';
import { chOnlineTopic } from '../../emulator/bus/topics.ts';

/**
 * What every implementation of the bus port must do: the memory bus, and the
 * MQTT adapter over a real broker. A test publishes, calls `settle()` — which
 * returns once everything published so far has been delivered and handled
 * (memory bus: run the clock until quiet; MQTT: wait on the network) — and
 * then looks at what arrived.
 */
export interface BusHarness {
  readonly factory: BusFactory;
  /** Returns once every message published so far has been delivered and its handlers have finished. */
  readonly settle: () => Promise<void>;
  /** Releases the bus (and broker) after a test. */
  readonly dispose: () => Promise<void>;
}

const HUB = '00-DB-12-34-56-78-90-A0' as Eui64;
const bytes = (...values: number[]): Uint8Array => Uint8Array.from(values);
const text = (s: string): Uint8Array => new TextEncoder().encode(s);
const decode = (m: BusMessage): string => new TextDecoder().decode(m.payload);

/** Collects what a handler receives. */
function recorder(): {
  readonly got: BusMessage[];
  readonly handler: (m: BusMessage) => void;
  /** The topics received, sorted. */ topics(): string[];
} {
  const got: BusMessage[] = [];
  // Sorted: MQTT orders messages per topic only, so a test over several topics must not depend on their interleaving.
  return { got, handler: (m) => void got.push(m), topics: () => got.map((m) => m.topic).sort() };
}

/**
 * The bus contract as a vitest `describe` block, run against the bus that
 * `makeFactory` builds afresh for every test.
 *
 * @example
 * busContract('memory bus', async () => { const bus = new MemoryBus(clock); return { factory: bus, settle: () => bus.settle(), dispose: async () => {} }; });
 */
export function busContract(name: string, makeFactory: () => Promise<BusHarness>): void {
  describe(`bus contract: ${name}`, () => {
    let harness: BusHarness;
    beforeEach(async () => {
      harness = await makeFactory();
    });
    afterEach(async () => {
      await harness.dispose();
    });

    const connect = async (clientId: string, will?: Will): Promise<Bus> =>
      unwrap(await harness.factory.connect(will === undefined ? { clientId } : { clientId, will }));
    const settle = (): Promise<void> => harness.settle();

    describe('publish and subscribe', () => {
      it('delivers the published bytes, every byte value intact', async () => {
        const [pub, sub] = [await connect('c-pub'), await connect('c-sub')];
        const r = recorder();
        await sub.subscribe('contract/bytes', r.handler);
        const all = Uint8Array.from({ length: 256 }, (_, i) => i);
        await pub.publish('contract/bytes', all);
        await settle();
        expect(r.got).toHaveLength(1);
        const m = r.got[0]!;
        expect(m.topic).toBe('contract/bytes');
        expect([...m.payload]).toEqual([...all]);
        expect(m.qos).toBe(0);
        expect(m.retain).toBe(false);
        expect(m.duplicate ?? false).toBe(false);
      });

      it('delivers an empty payload', async () => {
        const [pub, sub] = [await connect('c-pub'), await connect('c-sub')];
        const r = recorder();
        await sub.subscribe('contract/empty', r.handler);
        await pub.publish('contract/empty', new Uint8Array(0));
        await settle();
        expect(r.got.map((m) => m.payload.length)).toEqual([0]);
      });

      it('delivers what was published even if the publisher reuses its buffer afterwards', async () => {
        const [pub, sub] = [await connect('c-pub'), await connect('c-sub')];
        const r = recorder();
        await sub.subscribe('contract/copy', r.handler);
        const buffer = bytes(1, 2, 3);
        await pub.publish('contract/copy', buffer);
        buffer.fill(9);
        await settle();
        expect([...r.got[0]!.payload]).toEqual([1, 2, 3]);
      });

      it('gives every receiver its own bytes: one that writes to its payload changes nothing for others', async () => {
        const [pub, a, b] = [await connect('c-pub'), await connect('c-a'), await connect('c-b')];
        const scribble = (m: BusMessage): void => void m.payload.fill(0);
        await a.subscribe('contract/own', scribble);
        const rb = recorder();
        await b.subscribe('contract/own', rb.handler);
        await pub.publish('contract/own', bytes(7, 7), { retain: true });
        await settle();
        const late = await connect('c-late');
        await late.subscribe('contract/own', scribble);
        await settle();
        const later = await connect('c-later');
        const rl = recorder();
        await later.subscribe('contract/own', rl.handler);
        await settle();
        expect(rb.got.map((m) => [...m.payload])).toEqual([[7, 7]]);
        expect(rl.got.map((m) => [...m.payload])).toEqual([[7, 7]]);
      });

      it('delivers to a publisher subscribed to its own topic', async () => {
        const self = await connect('c-self');
        const r = recorder();
        await self.subscribe('contract/echo', r.handler);
        await self.publish('contract/echo', text('hi'));
        await settle();
        expect(r.got.map(decode)).toEqual(['hi']);
      });

      it('delivers to every subscriber, and only on matching topics', async () => {
        const [pub, a, b] = [await connect('c-pub'), await connect('c-a'), await connect('c-b')];
        const ra = recorder();
        const rb = recorder();
        await a.subscribe('contract/x', ra.handler);
        await b.subscribe('contract/x', rb.handler);
        await pub.publish('contract/x', text('1'));
        await pub.publish('contract/y', text('2'));
        await pub.publish('contract/x/z', text('3'));
        await settle();
        expect(ra.got.map(decode)).toEqual(['1']);
        expect(rb.got.map(decode)).toEqual(['1']);
      });

      it('+ matches exactly one level', async () => {
        const [pub, sub] = [await connect('c-pub'), await connect('c-sub')];
        const r = recorder();
        await sub.subscribe('contract/+/out', r.handler);
        for (const t of ['contract/a/out', 'contract/b/out', 'contract/a/in', 'contract/a/b/out', 'contract/out', 'other/a/out']) {
          await pub.publish(t, text(t));
        }
        await settle();
        expect(r.topics()).toEqual(['contract/a/out', 'contract/b/out']);
      });

      it('# matches the parent level and every level below it', async () => {
        const [pub, sub] = [await connect('c-pub'), await connect('c-sub')];
        const r = recorder();
        await sub.subscribe('contract/tree/#', r.handler);
        for (const t of ['contract/tree', 'contract/tree/a', 'contract/tree/a/b/c', 'contract/treehouse', 'contract/other/a']) {
          await pub.publish(t, text(t));
        }
        await settle();
        expect(r.topics()).toEqual(['contract/tree', 'contract/tree/a', 'contract/tree/a/b/c']);
      });

      it('unsubscribe stops delivery', async () => {
        const [pub, sub] = [await connect('c-pub'), await connect('c-sub')];
        const r = recorder();
        const subscription = await sub.subscribe('contract/u', r.handler);
        expect(subscription.filter).toBe('contract/u');
        await pub.publish('contract/u', text('before'));
        await settle();
        await subscription.unsubscribe();
        await pub.publish('contract/u', text('after'));
        await settle();
        expect(r.got.map(decode)).toEqual(['before']);
        await subscription.unsubscribe(); // a second call does nothing
      });

      it('keeps each publisher’s messages on a topic in publish order, at QoS 0 and QoS 1', async () => {
        const [p1, p2, sub] = [await connect('c-p1'), await connect('c-p2'), await connect('c-sub')];
        const r = recorder();
        await sub.subscribe('contract/order/+', r.handler, { qos: 1 });
        const sends: Promise<void>[] = [];
        for (let i = 0; i < 40; i++) {
          sends.push(p1.publish('contract/order/q0', text(`a${i}`)));
          sends.push(p2.publish('contract/order/q1', text(`b${i}`), { qos: 1 }));
        }
        await Promise.all(sends);
        await settle();
        const of = (topic: string): string[] => r.got.filter((m) => m.topic === topic).map(decode);
        expect(of('contract/order/q0')).toEqual(Array.from({ length: 40 }, (_, i) => `a${i}`));
        expect(of('contract/order/q1')).toEqual(Array.from({ length: 40 }, (_, i) => `b${i}`));
      });

      it('a handler may publish, and its message is delivered before settle returns', async () => {
        const [asker, answerer] = [await connect('c-asker'), await connect('c-answerer')];
        const answers = recorder();
        await asker.subscribe('contract/answer', answers.handler);
        await answerer.subscribe('contract/ask', async (m) => {
          await Promise.resolve();
          await answerer.publish('contract/answer', text(`re:${decode(m)}`), { qos: 1 });
        });
        await asker.publish('contract/ask', text('q'), { qos: 1 });
        await settle();
        expect(answers.got.map(decode)).toEqual(['re:q']);
      });
    });

    describe('QoS', () => {
      it('a QoS 1 message to a QoS 1 subscription arrives once, as QoS 1', async () => {
        const [pub, sub] = [await connect('c-pub'), await connect('c-sub')];
        const r = recorder();
        const subscription = await sub.subscribe('contract/q', r.handler, { qos: 1 });
        expect(subscription.qos).toBe(1);
        await pub.publish('contract/q', text('one'), { qos: 1 });
        await settle();
        expect(r.got.map((m) => [decode(m), m.qos])).toEqual([['one', 1]]);
      });

      it('delivers at the lower of the publish and subscription QoS', async () => {
        const [pub, low, high] = [await connect('c-pub'), await connect('c-low'), await connect('c-high')];
        const rl = recorder();
        const rh = recorder();
        await low.subscribe('contract/q', rl.handler, { qos: 0 });
        await high.subscribe('contract/q', rh.handler, { qos: 1 });
        await pub.publish('contract/q', text('q1'), { qos: 1 });
        await pub.publish('contract/q', text('q0'), { qos: 0 });
        await settle();
        expect(rl.got.map((m) => m.qos)).toEqual([0, 0]);
        expect(rh.got.map((m) => m.qos)).toEqual([1, 0]);
      });
    });

    describe('retained messages', () => {
      it('reach a later subscriber flagged retain; live subscribers see retain false', async () => {
        const [pub, early] = [await connect('c-pub'), await connect('c-early')];
        const re = recorder();
        await early.subscribe('contract/state', re.handler);
        await pub.publish('contract/state', text('on'), { qos: 1, retain: true });
        await settle();
        const late = await connect('c-late');
        const rl = recorder();
        await late.subscribe('contract/+', rl.handler, { qos: 1 });
        await settle();
        expect(re.got.map((m) => [decode(m), m.retain])).toEqual([['on', false]]);
        expect(rl.got.map((m) => [m.topic, decode(m), m.retain, m.qos])).toEqual([['contract/state', 'on', true, 1]]);
      });

      it('keep only the newest retained message of a topic', async () => {
        const pub = await connect('c-pub');
        await pub.publish('contract/state', text('old'), { retain: true });
        await pub.publish('contract/state', text('new'), { retain: true });
        await settle();
        const late = await connect('c-late');
        const r = recorder();
        await late.subscribe('contract/state', r.handler);
        await settle();
        expect(r.got.map(decode)).toEqual(['new']);
      });

      it('are cleared by an empty retained payload, which live subscribers still receive', async () => {
        const [pub, live] = [await connect('c-pub'), await connect('c-live')];
        const rLive = recorder();
        await live.subscribe('contract/state', rLive.handler);
        await pub.publish('contract/state', text('on'), { retain: true });
        await pub.publish('contract/state', new Uint8Array(0), { retain: true });
        await settle();
        expect(rLive.got.map((m) => m.payload.length)).toEqual([2, 0]);
        const late = await connect('c-late');
        const r = recorder();
        await late.subscribe('contract/#', r.handler);
        await settle();
        expect(r.got).toEqual([]);
      });

      it('are not kept for messages published without retain', async () => {
        const pub = await connect('c-pub');
        await pub.publish('contract/plain', text('x'));
        await settle();
        const late = await connect('c-late');
        const r = recorder();
        await late.subscribe('contract/plain', r.handler);
        await settle();
        expect(r.got).toEqual([]);
      });
    });

    describe('last will and closing', () => {
      const online = chOnlineTopic(HUB);
      const will: Will = { topic: online, payload: text('0'), qos: 1, retain: true };

      it('publishes the will when a client is killed, retained when asked', async () => {
        const watcher = await connect('c-watcher');
        const r = recorder();
        await watcher.subscribe('smets/ch/+/online', r.handler, { qos: 1 });
        const hub = await connect('c-hub', will);
        await hub.publish(online, text('1'), { qos: 1, retain: true });
        await settle();
        await hub.kill();
        await settle();
        expect(hub.closed).toBe(true);
        expect(r.got.map((m) => [m.topic, decode(m), m.retain])).toEqual([
          [online, '1', false],
          [online, '0', false],
        ]);
        const late = await connect('c-late');
        const rl = recorder();
        await late.subscribe(online, rl.handler);
        await settle();
        expect(rl.got.map((m) => [decode(m), m.retain])).toEqual([['0', true]]);
      });

      it('does not publish the will on close', async () => {
        const watcher = await connect('c-watcher');
        const r = recorder();
        await watcher.subscribe(online, r.handler);
        const hub = await connect('c-hub', will);
        await hub.close();
        await settle();
        expect(hub.closed).toBe(true);
        expect(r.got).toEqual([]);
        await hub.close(); // idempotent
        await hub.kill(); // already closed: still no will
        await settle();
        expect(r.got).toEqual([]);
      });

      it('delivers nothing to a closed client, and refuses its publish and subscribe', async () => {
        const [pub, sub] = [await connect('c-pub'), await connect('c-sub')];
        const r = recorder();
        await sub.subscribe('contract/c', r.handler);
        await sub.close();
        await pub.publish('contract/c', text('x'));
        await settle();
        expect(r.got).toEqual([]);
        await expect(sub.publish('contract/c', text('x'))).rejects.toThrow(TypeError);
        await expect(sub.subscribe('contract/c', r.handler)).rejects.toThrow(TypeError);
      });

      it('a newer connection with the same client id takes over; the older one drops with its will', async () => {
        const watcher = await connect('c-watcher');
        const seen = recorder();
        await watcher.subscribe(online, seen.handler);
        const first = await connect('c-hub', will);
        const r1 = recorder();
        await first.subscribe('contract/t', r1.handler);
        await settle();
        const second = await connect('c-hub');
        const r2 = recorder();
        await second.subscribe('contract/t', r2.handler);
        await settle();
        await watcher.publish('contract/t', text('x'));
        await settle();
        expect(first.closed).toBe(true);
        expect(second.closed).toBe(false);
        expect(seen.got.map(decode)).toEqual(['0']);
        expect(r1.got).toEqual([]);
        expect(r2.got.map(decode)).toEqual(['x']);
      });
    });

    describe('validation', () => {
      it('refuses wildcards, NUL and empty topics in publish, as a TypeError', async () => {
        const pub = await connect('c-pub');
        for (const topic of ['contract/+', 'contract/#', '+', '#', 'contract/a+b', '', 'contract/\u0000']) {
          await expect(pub.publish(topic, text('x')), JSON.stringify(topic)).rejects.toThrow(TypeError);
        }
      });

      it('refuses malformed filters in subscribe, as a TypeError', async () => {
        const sub = await connect('c-sub');
        for (const filter of ['contract/#/x', 'contract/a#', 'contract/+a', 'contract/a+/b', '', 'contract/\u0000']) {
          await expect(
            sub.subscribe(filter, () => {}),
            JSON.stringify(filter),
          ).rejects.toThrow(TypeError);
        }
      });

      it('refuses client ids outside the safe alphabet at connect, as a value', async () => {
        for (const clientId of ['', 'a/b', 'a+b', '#', 'a b', 'a\u0000b', 'x'.repeat(65)]) {
          const r = await harness.factory.connect({ clientId });
          expect(r.ok, JSON.stringify(clientId)).toBe(false);
          if (!r.ok) expect(r.error.code).toBe('invalid-identity');
        }
      });

      it('refuses a will with a wildcard topic at connect, as a value', async () => {
        const r = await harness.factory.connect({ clientId: 'c-hub', will: { topic: 'smets/ch/+/online', payload: text('0') } });
        expect(r.ok ? 'ok' : r.error.code).toBe('invalid-identity');
      });

      it('treats prototype names as plain names: client ids, topic levels and wills', async () => {
        const watcher = await connect('constructor');
        const r = recorder();
        await watcher.subscribe('contract/__proto__/+', r.handler);
        const proto = await connect('__proto__', { topic: 'contract/__proto__/toString', payload: text('gone') });
        await proto.publish('contract/__proto__/constructor', text('hello'));
        await settle();
        await proto.kill();
        await settle();
        expect(r.got.map((m) => [m.topic, decode(m)])).toEqual([
          ['contract/__proto__/constructor', 'hello'],
          ['contract/__proto__/toString', 'gone'],
        ]);
      });
    });
  });
}
