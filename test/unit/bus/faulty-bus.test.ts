import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { unwrap } from '../../../core/result.ts';
import { Rng } from '../../../core/rng.ts';
import { VirtualClock } from '../../../core/time/virtual-clock.ts';
import { EMPTY_FAULT_PLAN, parseFaultPlan, type FaultPlan, type LinkFaults } from '../../../emulator/bus/fault-plan.ts';
import { FaultyBusFactory } from '../../../emulator/bus/faulty-bus.ts';
import { MemoryBus } from '../../../emulator/bus/memory-bus.ts';
import type { Bus, BusMessage } from '../../../emulator/bus/port.ts';
import { busContract } from '../../contract/bus.contract.ts';

const T0 = Date.UTC(2026, 2, 1);
const text = (s: string): Uint8Array => new TextEncoder().encode(s);
const decode = (m: BusMessage): string => new TextDecoder().decode(m.payload);

/** Runs virtual time, and waits for handlers, until nothing at all is left to do. */
async function drain(clock: VirtualClock, bus: MemoryBus): Promise<void> {
  for (;;) {
    await bus.settle();
    const next = clock.nextTime();
    if (next === Infinity) return;
    clock.runUntil(next);
  }
}

function world(
  plan: FaultPlan,
  seed: number | string = 1,
): {
  clock: VirtualClock;
  memory: MemoryBus;
  faults: FaultyBusFactory;
  connect: (id: string) => Promise<Bus>;
  drain: () => Promise<void>;
} {
  const clock = new VirtualClock(T0);
  const memory = new MemoryBus(clock);
  const faults = new FaultyBusFactory(memory, { clock, plan, rng: Rng.fromSeed(seed) });
  return {
    clock,
    memory,
    faults,
    connect: async (clientId) => unwrap(await faults.connect({ clientId })),
    drain: () => drain(clock, memory),
  };
}

const planOf = (links: LinkFaults[], extra: Partial<FaultPlan> = {}): FaultPlan => ({ ...EMPTY_FAULT_PLAN, links, ...extra });

/** A subscriber on `t/#` that logs what arrives, with the virtual time. */
async function listen(w: ReturnType<typeof world>, id = 'sink'): Promise<{ at: number; topic: string; body: string }[]> {
  const log: { at: number; topic: string; body: string }[] = [];
  const sink = await w.connect(id);
  await sink.subscribe('t/#', (m) => void log.push({ at: w.clock.now(), topic: m.topic, body: decode(m) }), { qos: 1 });
  return log;
}

busContract('faulty bus, empty plan, over the memory bus', () => {
  const clock = new VirtualClock(T0);
  const memory = new MemoryBus(clock);
  const factory = new FaultyBusFactory(memory, { clock, plan: EMPTY_FAULT_PLAN, rng: Rng.fromSeed(globalThis.__testSeed) });
  return Promise.resolve({ factory, settle: () => memory.settle(), dispose: () => Promise.resolve() });
});

// Every publish matches a rule whose faults never fire: the rule path must keep the contract too.
busContract('faulty bus, rules that never fire, over the memory bus', () => {
  const clock = new VirtualClock(T0);
  const memory = new MemoryBus(clock);
  const plan = planOf([{ topic: '#', drop: 0, duplicate: 0, delay: { minMs: 0, maxMs: 0 } }]);
  const factory = new FaultyBusFactory(memory, { clock, plan, rng: Rng.fromSeed(globalThis.__testSeed) });
  return Promise.resolve({ factory, settle: () => drain(clock, memory), dispose: () => Promise.resolve() });
});

describe('FaultyBusFactory: drop and duplicate', () => {
  it('drop = 1 loses everything on that link and nothing elsewhere', async () => {
    const w = world(planOf([{ client: 'lossy', drop: 1 }]));
    const log = await listen(w);
    const [lossy, fine] = [await w.connect('lossy'), await w.connect('fine')];
    for (let i = 0; i < 20; i++) {
      await lossy.publish('t/a', text(`l${i}`), { qos: 1 });
      await fine.publish('t/a', text(`f${i}`), { qos: 1 });
    }
    await w.drain();
    expect(log.map((e) => e.body)).toEqual(Array.from({ length: 20 }, (_, i) => `f${i}`));
    const stats = w.faults.stats();
    expect(stats.links.get('client:lossy')).toMatchObject({ published: 20, dropped: 20, forwarded: 0 });
    expect(stats.total).toMatchObject({ published: 40, dropped: 20, forwarded: 20 });
  });

  it('drop = 1 on a topic filter loses only the matching topics, from every publisher', async () => {
    const w = world(planOf([{ topic: 't/+/lost', drop: 1 }]));
    const log = await listen(w);
    const [a, b] = [await w.connect('a'), await w.connect('b')];
    await a.publish('t/x/lost', text('1'));
    await b.publish('t/y/lost', text('2'));
    await a.publish('t/x/kept', text('3'));
    await w.drain();
    expect(log.map((e) => e.body)).toEqual(['3']);
    expect(w.faults.stats().links.get('topic:t/+/lost')?.dropped).toBe(2);
  });

  it('duplicate = 1 delivers every message twice, in order', async () => {
    const w = world(planOf([{ client: 'echo', duplicate: 1 }]));
    const log = await listen(w);
    const echo = await w.connect('echo');
    for (const s of ['a', 'b', 'c']) await echo.publish('t/d', text(s), { qos: 1 });
    await w.drain();
    expect(log.map((e) => e.body)).toEqual(['a', 'a', 'b', 'b', 'c', 'c']);
    expect(w.faults.stats().links.get('client:echo')).toMatchObject({ duplicated: 3, forwarded: 6 });
  });

  it('still refuses a bad publish that a fault would have swallowed', async () => {
    const w = world(planOf([{ client: 'lossy', drop: 1 }]));
    const lossy = await w.connect('lossy');
    await expect(lossy.publish('t/+', text('x'))).rejects.toThrow(TypeError);
    await lossy.close();
    await expect(lossy.publish('t/a', text('x'))).rejects.toThrow(TypeError);
  });
});

describe('FaultyBusFactory: delay', () => {
  it('delivers within the bounds, only once runUntil passes the delay, first-in first-out', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer(), fc.integer({ min: 0, max: 500 }), fc.integer({ min: 0, max: 500 }), async (seed, a, b) => {
        const [minMs, maxMs] = a <= b ? [a, b] : [b, a];
        const w = world(planOf([{ client: 'slow', delay: { minMs, maxMs } }]), seed);
        const log = await listen(w);
        const slow = await w.connect('slow');
        for (let i = 0; i < 10; i++) await slow.publish('t/s', text(String(i)));
        if (minMs > 0) {
          w.clock.runUntil(T0 + minMs - 1);
          await w.memory.settle();
          expect(log).toEqual([]);
        }
        await w.drain();
        expect(log.map((e) => e.body)).toEqual(Array.from({ length: 10 }, (_, i) => String(i)));
        for (const e of log) expect(e.at - T0).toBeGreaterThanOrEqual(minMs);
        for (const e of log) expect(e.at - T0).toBeLessThanOrEqual(maxMs);
      }),
      { numRuns: 50 },
    );
  });

  it('loses a delayed message whose publisher closed before it left', async () => {
    const w = world(planOf([{ client: 'slow', delay: { minMs: 100, maxMs: 100 } }]));
    const log = await listen(w);
    const slow = await w.connect('slow');
    await slow.publish('t/s', text('x'));
    expect(w.faults.pending).toBe(1);
    await slow.close();
    await w.drain();
    expect(log).toEqual([]);
    expect(w.faults.stats().total).toMatchObject({ delayed: 1, lostOnClose: 1, forwarded: 0 });
  });
});

describe('FaultyBusFactory: reorder', () => {
  it('permutes a window but loses nothing (multiset of payloads kept) when nothing is dropped', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer(),
        fc.array(fc.string({ maxLength: 4 }), { maxLength: 30 }),
        fc.boolean(),
        fc.option(fc.record({ minMs: fc.integer({ min: 0, max: 50 }), maxMs: fc.integer({ min: 50, max: 100 }) }), { nil: undefined }),
        async (seed, bodies, duplicate, delay) => {
          const rule: LinkFaults = { client: 'mixer', drop: 0, reorder: { windowMs: 20 }, ...(delay === undefined ? {} : { delay }) };
          const w = world(planOf([duplicate ? { ...rule, duplicate: 1 } : rule]), seed);
          const log = await listen(w);
          const mixer = await w.connect('mixer');
          for (const [i, body] of bodies.entries()) {
            await mixer.publish(`t/${i % 3}`, text(body), { qos: 1 });
            if (i % 4 === 3) w.clock.runUntil(w.clock.now() + 7);
          }
          await w.drain();
          const sent = (duplicate ? bodies.flatMap((b) => [b, b]) : bodies).slice().sort();
          expect(log.map((e) => e.body).sort()).toEqual(sent);
        },
      ),
    );
  });

  it('does change the order of a window (seeded)', async () => {
    const w = world(planOf([{ client: 'mixer', reorder: true }]), 'reorder');
    const log = await listen(w);
    const mixer = await w.connect('mixer');
    const bodies = Array.from({ length: 20 }, (_, i) => String(i));
    for (const body of bodies) await mixer.publish('t/r', text(body));
    await w.drain();
    expect(log.map((e) => e.body)).not.toEqual(bodies);
    expect(log.map((e) => e.body).sort()).toEqual(bodies.slice().sort());
    expect(log.every((e) => e.at === T0)).toBe(true);
    expect(w.faults.stats().links.get('client:mixer')?.reordered).toBeGreaterThan(0);
  });
});

describe('FaultyBusFactory: outages', () => {
  it('holds what a down link publishes and releases it in order when it comes back', async () => {
    const w = world(EMPTY_FAULT_PLAN);
    const log = await listen(w);
    const [hub, other] = [await w.connect('hub'), await w.connect('other')];
    w.faults.linkDown('hub');
    expect(w.faults.isDown('hub')).toBe(true);
    for (let i = 0; i < 5; i++) await hub.publish('t/h', text(`h${i}`), { qos: 1 });
    await other.publish('t/o', text('o'));
    w.clock.runUntil(T0 + 60_000);
    await w.drain();
    expect(log.map((e) => e.body)).toEqual(['o']);
    expect(w.faults.held).toBe(5);
    w.faults.linkUp('hub');
    w.faults.linkUp('hub'); // idempotent
    await w.drain();
    expect(log.map((e) => e.body)).toEqual(['o', 'h0', 'h1', 'h2', 'h3', 'h4']);
    expect(log.slice(1).every((e) => e.at === T0 + 60_000)).toBe(true);
    expect(w.faults.stats().links.get('client:hub')).toMatchObject({ held: 5, released: 5 });
  });

  it('keeps a message held while any of its down links is still down', async () => {
    const w = world(planOf([], { down: [{ topic: 't/wan/#' }] }));
    const log = await listen(w);
    const hub = await w.connect('hub');
    w.faults.linkDown('hub');
    await hub.publish('t/wan/up', text('1'));
    w.faults.linkUp('hub');
    await w.drain();
    expect(log).toEqual([]);
    w.faults.linkUp('t/wan/#');
    await w.drain();
    expect(log.map((e) => e.body)).toEqual(['1']);
  });

  it("with whileDown 'drop' loses what a down link publishes", async () => {
    const w = world(planOf([], { whileDown: 'drop' }));
    const log = await listen(w);
    const hub = await w.connect('hub');
    w.faults.linkDown({ client: 'hub' });
    await hub.publish('t/h', text('lost'));
    w.faults.linkUp({ client: 'hub' });
    await hub.publish('t/h', text('kept'));
    await w.drain();
    expect(log.map((e) => e.body)).toEqual(['kept']);
    expect(w.faults.stats().links.get('client:hub')?.droppedWhileDown).toBe(1);
  });

  it('released messages then cross the link’s faults, still first-in first-out', async () => {
    const w = world(planOf([{ client: 'hub', delay: { minMs: 10, maxMs: 90 } }]));
    const log = await listen(w);
    const hub = await w.connect('hub');
    await hub.publish('t/h', text('before'));
    w.faults.linkDown('hub');
    await hub.publish('t/h', text('during'));
    w.faults.linkUp('hub');
    await w.drain();
    expect(log.map((e) => e.body)).toEqual(['before', 'during']);
  });

  it('refuses a malformed link as a TypeError', () => {
    const w = world(EMPTY_FAULT_PLAN);
    expect(() => w.faults.linkDown('bad id')).toThrow(TypeError);
    expect(() => w.faults.linkDown('t/#/x')).toThrow(TypeError);
  });
});

describe('FaultyBusFactory: determinism', () => {
  const mixed = (victim: LinkFaults): FaultPlan =>
    planOf([
      victim,
      { topic: 't/b/#', drop: 0.2, duplicate: 0.3, delay: { minMs: 0, maxMs: 40 } },
      { client: 'c', reorder: { windowMs: 15 }, duplicate: 0.5 },
    ]);

  async function runLog(plan: FaultPlan, seed: number): Promise<string[]> {
    const w = world(plan, seed);
    const log = await listen(w);
    const clients = [await w.connect('a'), await w.connect('b'), await w.connect('c')];
    for (let i = 0; i < 60; i++) {
      const c = clients[i % 3]!;
      await c.publish(`t/${c.clientId}/${i % 2}`, text(`${c.clientId}${i}`), { qos: 1 });
      if (i % 5 === 4) w.clock.runUntil(w.clock.now() + 9);
      if (i === 20) w.faults.linkDown('b');
      if (i === 40) w.faults.linkUp('b');
    }
    await w.drain();
    return log.map((e) => `${e.at - T0} ${e.topic} ${e.body}`);
  }

  it('same seed ⇒ same delivery log', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer(), async (seed) => {
        const plan = mixed({ client: 'a', drop: 0.3, delay: { minMs: 5, maxMs: 25 } });
        expect(await runLog(plan, seed)).toEqual(await runLog(plan, seed));
      }),
      { numRuns: 30 },
    );
  });

  it('a link’s draws do not depend on another link’s rule', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer(), async (seed) => {
        const onlyB = (log: string[]): string[] => log.filter((line) => line.includes(' t/b/'));
        const calm = await runLog(mixed({ client: 'a', drop: 0 }), seed);
        const wild = await runLog(mixed({ client: 'a', drop: 0.9, duplicate: 0.9, delay: { minMs: 1, maxMs: 99 } }), seed);
        expect(onlyB(wild)).toEqual(onlyB(calm));
      }),
      { numRuns: 30 },
    );
  });
});

describe('parseFaultPlan', () => {
  it('reads a full plan and the empty one', () => {
    const raw = {
      links: [
        { client: 'ch-1', drop: 0.1, duplicate: 0, delay: { minMs: 5, maxMs: 50 } },
        { topic: 'smets/wan/+/up', reorder: true },
        { topic: 'smets/han/#', reorder: { windowMs: 100 } },
      ],
      down: [{ client: 'dsp' }],
      whileDown: 'drop',
    };
    expect(parseFaultPlan(raw, 'faults')).toEqual({ ok: true, value: raw });
    expect(parseFaultPlan(undefined)).toEqual({ ok: true, value: EMPTY_FAULT_PLAN });
    expect(parseFaultPlan({})).toEqual({ ok: true, value: EMPTY_FAULT_PLAN });
  });

  it.each([
    ['not an object', 7, 'faults', 'type'],
    ['an array', [], 'faults', 'type'],
    ['unknown top-level key', { link: [] }, 'faults.link', 'unknown-kind'],
    ['links not an array', { links: {} }, 'faults.links', 'type'],
    ['a link that is not an object', { links: ['ch-1'] }, 'faults.links[0]', 'type'],
    ['unknown rule key', { links: [{ client: 'a', loss: 0.1 }] }, 'faults.links[0].loss', 'unknown-kind'],
    ['no client or topic', { links: [{ drop: 0.1 }] }, 'faults.links[0].client', 'required'],
    ['both client and topic', { links: [{ client: 'a', topic: 'b' }] }, 'faults.links[0]', 'format'],
    ['a bad client id', { links: [{ client: 'a/b' }] }, 'faults.links[0].client', 'format'],
    ['a bad filter', { links: [{ topic: 'smets/#/x' }] }, 'faults.links[0].topic', 'format'],
    ['an empty filter', { links: [{ topic: '' }] }, 'faults.links[0].topic', 'required'],
    ['drop above 1', { links: [{ client: 'a', drop: 1.5 }] }, 'faults.links[0].drop', 'range'],
    ['drop below 0', { links: [{ client: 'a', drop: -0.1 }] }, 'faults.links[0].drop', 'range'],
    ['duplicate not a number', { links: [{ client: 'a', duplicate: '0.5' }] }, 'faults.links[0].duplicate', 'type'],
    ['duplicate NaN', { links: [{ client: 'a', duplicate: Number.NaN }] }, 'faults.links[0].duplicate', 'type'],
    ['delay min > max', { links: [{ client: 'a', delay: { minMs: 10, maxMs: 5 } }] }, 'faults.links[0].delay.maxMs', 'order'],
    ['delay missing max', { links: [{ client: 'a', delay: { minMs: 10 } }] }, 'faults.links[0].delay.maxMs', 'required'],
    ['delay negative', { links: [{ client: 'a', delay: { minMs: -1, maxMs: 5 } }] }, 'faults.links[0].delay.minMs', 'range'],
    ['delay fractional', { links: [{ client: 'a', delay: { minMs: 0, maxMs: 1.5 } }] }, 'faults.links[0].delay.maxMs', 'type'],
    ['delay beyond a day', { links: [{ client: 'a', delay: { minMs: 0, maxMs: 86_400_001 } }] }, 'faults.links[0].delay.maxMs', 'range'],
    [
      'delay unknown key',
      { links: [{ client: 'a', delay: { minMs: 0, maxMs: 1, jitter: 1 } }] },
      'faults.links[0].delay.jitter',
      'unknown-kind',
    ],
    ['reorder not boolean', { links: [{ client: 'a', reorder: 'yes' }] }, 'faults.links[0].reorder', 'type'],
    ['reorder window unknown key', { links: [{ client: 'a', reorder: { size: 3 } }] }, 'faults.links[0].reorder.size', 'unknown-kind'],
    ['a link listed twice', { links: [{ client: 'a' }, { client: 'a', drop: 1 }] }, 'faults.links[1]', 'format'],
    ['down not an array', { down: 'dsp' }, 'faults.down', 'type'],
    ['a bad down link', { down: [{ topic: 'a/+b' }] }, 'faults.down[0].topic', 'format'],
    ['a down link with a rule', { down: [{ client: 'a', drop: 1 }] }, 'faults.down[0].drop', 'unknown-kind'],
    ['an unknown whileDown', { whileDown: 'queue' }, 'faults.whileDown', 'unknown-kind'],
    ['a prototype key', JSON.parse('{"__proto__": {"drop": 1}}') as unknown, 'faults.__proto__', 'unknown-kind'],
  ])('refuses %s', (_name, raw, path, code) => {
    const r = parseFaultPlan(raw, 'faults');
    expect(r.ok).toBe(false);
    if (!r.ok) expect([r.error.path, r.error.code]).toEqual([path, code]);
  });
});
