import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { unwrap } from '../../../core/result.ts';
import { VirtualClock } from '../../../core/time/virtual-clock.ts';
import { MemoryBus, type MemoryBusOptions } from '../../../emulator/bus/memory-bus.ts';
import type { Bus, BusMessage, Subscription } from '../../../emulator/bus/port.ts';
import { filterMatches } from '../../../emulator/bus/topic-syntax.ts';

const T0 = Date.UTC(2026, 2, 1);
const text = (s: string): Uint8Array => new TextEncoder().encode(s);
const decode = (m: BusMessage): string => new TextDecoder().decode(m.payload);

function world(options: MemoryBusOptions = {}): { clock: VirtualClock; bus: MemoryBus; connect: (id: string) => Promise<Bus> } {
  const clock = new VirtualClock(T0);
  const bus = new MemoryBus(clock, options);
  return { clock, bus, connect: async (clientId) => unwrap(await bus.connect({ clientId })) };
}

describe('MemoryBus: delivery on the virtual clock', () => {
  it('delivers only inside clock.runUntil, and is quiet once the instant has run', async () => {
    const { clock, bus, connect } = world();
    const [pub, sub] = [await connect('pub'), await connect('sub')];
    const seen: number[] = [];
    await sub.subscribe('t', () => void seen.push(clock.now()));
    expect(bus.quiet()).toBe(true);
    await pub.publish('t', text('x'));
    await Promise.resolve();
    expect(seen).toEqual([]);
    expect(bus.quiet()).toBe(false);
    expect(bus.pending).toBe(1);
    clock.runUntil(T0);
    expect(seen).toEqual([T0]);
    expect(bus.quiet()).toBe(true);
    expect(bus.pending).toBe(0);
  });

  it('delivers a message published by a handler within the same runUntil, after what was already due', async () => {
    const { clock, connect } = world();
    const [a, b] = [await connect('a'), await connect('b')];
    const log: string[] = [];
    await b.subscribe('ping', (m) => {
      log.push(`ping ${decode(m)}`);
      void b.publish('pong', m.payload);
    });
    await a.subscribe('pong', (m) => void log.push(`pong ${decode(m)}`));
    await a.publish('ping', text('1'));
    await a.publish('ping', text('2'));
    expect(clock.runUntil(T0)).toBe(4);
    expect(log).toEqual(['ping 1', 'ping 2', 'pong 1', 'pong 2']);
  });

  it('calls the receivers of one message in the order they subscribed, across clients', async () => {
    const { clock, connect } = world();
    const [x, y, z] = [await connect('x'), await connect('y'), await connect('z')];
    const order: string[] = [];
    await z.subscribe('t/#', () => void order.push('z#'));
    await x.subscribe('t/a', () => void order.push('x'));
    await y.subscribe('+/a', () => void order.push('y+'));
    await z.subscribe('t/a', () => void order.push('z'));
    await x.publish('t/a', text(''));
    clock.runUntil(T0);
    expect(order).toEqual(['z#', 'x', 'y+', 'z']);
  });

  it('drops a scheduled delivery when its subscription ends or its client closes first', async () => {
    const { clock, bus, connect } = world();
    const [pub, s1, s2] = [await connect('pub'), await connect('s1'), await connect('s2')];
    const seen: string[] = [];
    const first = await s1.subscribe('t', () => void seen.push('s1'));
    await s2.subscribe('t', () => void seen.push('s2'));
    await pub.publish('t', text('x'));
    await first.unsubscribe();
    await s2.close();
    clock.runUntil(T0);
    expect(seen).toEqual([]);
    expect(bus.quiet()).toBe(true);
  });

  it('replays retained messages for a wildcard subscription in topic order', async () => {
    const { clock, connect } = world();
    const pub = await connect('pub');
    for (const t of ['r/c', 'r/a', 'r/b']) await pub.publish(t, text(t), { retain: true });
    await pub.publish('r/a', text('r/a2'), { retain: true });
    clock.runUntil(T0);
    const sub = await connect('sub');
    const got: string[] = [];
    await sub.subscribe('r/+', (m) => void got.push(decode(m)));
    clock.runUntil(T0);
    expect(got).toEqual(['r/a2', 'r/b', 'r/c']);
  });
});

describe('MemoryBus: link latency', () => {
  const latency = { linkLatency: (id: string) => ({ pub: 10, sub: 25 })[id] ?? 0 };

  it('delays a message by the publisher’s link plus the subscriber’s', async () => {
    const { clock, bus, connect } = world(latency);
    const [pub, sub] = [await connect('pub'), await connect('sub')];
    const at: number[] = [];
    await sub.subscribe('t', () => void at.push(clock.now() - T0));
    await pub.publish('t', text('x'));
    clock.runUntil(T0);
    expect(bus.quiet()).toBe(true); // nothing due now, though a delivery is on its way
    expect(bus.pending).toBe(1);
    clock.runUntil(T0 + 34);
    expect(at).toEqual([]);
    clock.runUntil(T0 + 35);
    expect(at).toEqual([35]);
  });

  it('delays retained replays and wills by the subscriber’s link only', async () => {
    const { clock, connect, bus } = world(latency);
    const pub = await connect('pub');
    await pub.publish('keep', text('k'), { retain: true });
    clock.runUntil(T0 + 100);
    const sub = await connect('sub');
    const at: [string, number][] = [];
    await sub.subscribe('#', (m) => void at.push([m.topic, clock.now() - T0]));
    const dying = unwrap(await bus.connect({ clientId: 'pub2', will: { topic: 'gone', payload: text('') } }));
    await dying.kill();
    clock.runUntil(T0 + 200);
    expect(at).toEqual([
      ['keep', 125],
      ['gone', 125],
    ]);
  });

  it('refuses a link latency that is negative or not finite', async () => {
    for (const bad of [-1, Number.NaN, Infinity]) {
      const { bus } = world({ linkLatency: () => bad });
      await expect(bus.connect({ clientId: 'c' })).rejects.toThrow(RangeError);
    }
  });
});

describe('MemoryBus: handlers', () => {
  it('lets an error thrown by a handler leave clock.runUntil', async () => {
    const { clock, connect } = world();
    const c = await connect('c');
    await c.subscribe('t', () => {
      throw new Error('handler bug');
    });
    await c.publish('t', text(''));
    expect(() => clock.runUntil(T0)).toThrow('handler bug');
  });

  it('waits for async handlers before it is quiet, and fails the next clock run when one rejects', async () => {
    const { clock, bus, connect } = world();
    const c = await connect('c');
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const done: string[] = [];
    await c.subscribe('slow', async () => {
      await gate;
      done.push('slow');
    });
    await c.subscribe('bad', () => Promise.reject(new Error('async handler bug')));
    await c.publish('slow', text(''));
    clock.runUntil(T0);
    expect(bus.quiet()).toBe(false);
    const idle = bus.idle();
    release();
    await idle;
    expect(done).toEqual(['slow']);
    expect(bus.quiet()).toBe(true);
    await c.publish('bad', text(''));
    await expect(bus.settle()).rejects.toThrow('async handler bug');
  });
});

// ---- determinism against a reference model ----

type Op =
  | { readonly kind: 'sub'; readonly client: number; readonly filter: string }
  | { readonly kind: 'unsub'; readonly index: number }
  | { readonly kind: 'pub'; readonly client: number; readonly topic: string; readonly qos: 0 | 1 }
  | { readonly kind: 'advance'; readonly ms: number };

const CLIENTS = 3;
const client = fc.integer({ min: 0, max: CLIENTS - 1 });
const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('sub' as const), client, filter: fc.constantFrom('a', 'a/b', '+', 'a/+', '#', 'a/#', '+/b') }),
  fc.record({ kind: fc.constant('unsub' as const), index: fc.nat() }),
  fc.record({
    kind: fc.constant('pub' as const),
    client,
    topic: fc.constantFrom('a', 'a/b', 'b', 'b/b'),
    qos: fc.constantFrom(0 as const, 1 as const),
  }),
  fc.record({ kind: fc.constant('advance' as const), ms: fc.integer({ min: 0, max: 15 }) }),
);

/** A delivery as logged: [time since T0, receiving client, subscription index, topic, payload, qos]. */
type Entry = [number, number, number, string, string, number];

async function runOnBus(ops: readonly Op[], latencies: readonly number[]): Promise<Entry[]> {
  const clock = new VirtualClock(T0);
  const bus = new MemoryBus(clock, { linkLatency: (id) => latencies[Number(id.slice(1))]! });
  const clients: Bus[] = [];
  for (let i = 0; i < CLIENTS; i++) clients.push(unwrap(await bus.connect({ clientId: `c${i}` })));
  const subs: Subscription[] = [];
  const log: Entry[] = [];
  let n = 0;
  for (const op of ops) {
    switch (op.kind) {
      case 'sub': {
        const index = subs.length;
        subs.push(
          await clients[op.client]!.subscribe(
            op.filter,
            (m) => void log.push([clock.now() - T0, op.client, index, m.topic, decode(m), m.qos]),
            {
              qos: 1,
            },
          ),
        );
        break;
      }
      case 'unsub':
        await subs[op.index % Math.max(1, subs.length)]?.unsubscribe();
        break;
      case 'pub':
        await clients[op.client]!.publish(op.topic, text(`m${n++}`), { qos: op.qos });
        break;
      case 'advance':
        clock.runUntil(clock.now() + op.ms);
        break;
    }
  }
  clock.runUntil(clock.now() + 1_000);
  return log;
}

// The documented order, written out plainly: routed at publish, delivered at
// publish time + both links, in (time, publish sequence, subscription order).
function runOnModel(ops: readonly Op[], latencies: readonly number[]): Entry[] {
  const subs: { client: number; filter: string; active: boolean }[] = [];
  const pending: { at: number; seq: number; sub: number; topic: string; payload: string; qos: number }[] = [];
  const log: Entry[] = [];
  let now = 0;
  let seq = 0;
  const runTo = (t: number): void => {
    now = t;
    const due = pending.filter((d) => d.at <= t).sort((x, y) => x.at - y.at || x.seq - y.seq || x.sub - y.sub);
    for (const d of due) {
      pending.splice(pending.indexOf(d), 1);
      if (subs[d.sub]!.active) log.push([d.at, subs[d.sub]!.client, d.sub, d.topic, d.payload, d.qos]);
    }
  };
  for (const op of ops) {
    switch (op.kind) {
      case 'sub':
        subs.push({ client: op.client, filter: op.filter, active: true });
        break;
      case 'unsub': {
        const s = subs[op.index % Math.max(1, subs.length)];
        if (s !== undefined) s.active = false;
        break;
      }
      case 'pub': {
        const payload = `m${seq}`;
        subs.forEach((s, i) => {
          if (s.active && filterMatches(s.filter, op.topic)) {
            pending.push({ at: now + latencies[op.client]! + latencies[s.client]!, seq, sub: i, topic: op.topic, payload, qos: op.qos });
          }
        });
        seq++;
        break;
      }
      case 'advance':
        runTo(now + op.ms);
        break;
    }
  }
  runTo(now + 1_000);
  return log;
}

describe('MemoryBus: determinism', () => {
  it('gives the same delivery log for the same operations, in the documented canonical order', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(opArb, { maxLength: 40 }),
        fc.array(fc.integer({ min: 0, max: 6 }), { minLength: CLIENTS, maxLength: CLIENTS }),
        async (ops, latencies) => {
          const first = await runOnBus(ops, latencies);
          const second = await runOnBus(ops, latencies);
          expect(second).toEqual(first);
          expect(first).toEqual(runOnModel(ops, latencies));
        },
      ),
    );
  });
});
