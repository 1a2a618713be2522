import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createActor, createMachine } from 'xstate';
import { HOUR_MS, SECOND_MS } from '../../../core/time/duration.ts';
import { VirtualClock, type TimerHandle } from '../../../core/time/virtual-clock.ts';

const T0 = Date.UTC(2026, 2, 1);

describe('VirtualClock', () => {
  it('runs events in time order and shows each event its own time', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 1000 }), { maxLength: 200 }), (offsets) => {
        const clock = new VirtualClock(T0);
        const seen: [number, number][] = [];
        offsets.forEach((o, i) => clock.schedule(T0 + o, () => seen.push([clock.now() - T0, i])));
        expect(clock.pending).toBe(offsets.length);
        expect(clock.runUntil(T0 + 1000)).toBe(offsets.length);
        const expected = offsets.map((o, i): [number, number] => [o, i]).sort((a, b) => a[0] - b[0]);
        expect(seen).toEqual(expected);
        expect(clock.pending).toBe(0);
      }),
    );
  });

  it('runs events at the same instant first-in first-out', () => {
    const clock = new VirtualClock(T0);
    const seen: number[] = [];
    for (let i = 0; i < 50; i++) clock.schedule(T0 + 10, () => seen.push(i));
    clock.runUntil(T0 + 10);
    expect(seen).toEqual([...Array(50).keys()]);
  });

  it('leaves now at t, runs only events due by t and counts them', () => {
    const clock = new VirtualClock(T0);
    let ran = 0;
    clock.schedule(T0 + 5, () => ran++);
    clock.schedule(T0 + 15, () => ran++);
    expect(clock.runUntil(T0 + 10)).toBe(1);
    expect(clock.now()).toBe(T0 + 10);
    expect(clock.runUntil(T0 + 10)).toBe(0);
    expect(clock.runUntil(T0 + 15)).toBe(1);
    expect(ran).toBe(2);
    expect(clock.runUntil(T0 + HOUR_MS)).toBe(0);
    expect(clock.now()).toBe(T0 + HOUR_MS);
  });

  it('runs events that handlers schedule for the current instant in the same run', () => {
    const clock = new VirtualClock(T0);
    const seen: string[] = [];
    clock.schedule(T0 + 1, () => {
      seen.push('a');
      clock.schedule(clock.now(), () => {
        seen.push('c');
        clock.schedule(clock.now(), () => seen.push('e'));
      });
    });
    clock.schedule(T0 + 1, () => seen.push('b'));
    clock.schedule(T0 + 1, () => clock.schedule(T0 + 3, () => seen.push('after')));
    clock.schedule(T0 + 2, () => seen.push('d'));
    expect(clock.runUntil(T0 + 2)).toBe(6);
    expect(seen).toEqual(['a', 'b', 'c', 'e', 'd']);
    expect(clock.pending).toBe(1);
  });

  it('cancels events, once, and never a later event that reuses the slot', () => {
    const clock = new VirtualClock(T0);
    const seen: string[] = [];
    const a = clock.schedule(T0 + 1, () => seen.push('a'));
    clock.schedule(T0 + 2, () => seen.push('b'));
    expect(clock.cancel(a)).toBe(true);
    expect(clock.cancel(a)).toBe(false);
    expect(clock.pending).toBe(1);
    clock.runUntil(T0 + 2);
    expect(seen).toEqual(['b']);
    // a's slot is free again: a stale handle must not touch its new occupant.
    const c = clock.schedule(T0 + 3, () => seen.push('c'));
    expect(clock.cancel(a)).toBe(false);
    clock.runUntil(T0 + 3);
    expect(seen).toEqual(['b', 'c']);
    expect(clock.cancel(c)).toBe(false);
    expect(clock.cancel(-1 as TimerHandle)).toBe(false);
    expect(clock.cancel(123456789 as TimerHandle)).toBe(false);
  });

  it('matches a model under random schedules, cancels and runs, including bulk purges', () => {
    type Op = { kind: 'schedule'; dt: number } | { kind: 'cancel'; pick: number } | { kind: 'run'; dt: number };
    const op: fc.Arbitrary<Op> = fc.oneof(
      { weight: 4, arbitrary: fc.integer({ min: 0, max: 50 }).map((dt): Op => ({ kind: 'schedule', dt })) },
      { weight: 3, arbitrary: fc.nat().map((pick): Op => ({ kind: 'cancel', pick })) },
      { weight: 1, arbitrary: fc.integer({ min: 0, max: 30 }).map((dt): Op => ({ kind: 'run', dt })) },
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 3000 }), (ops) => {
        const clock = new VirtualClock(0);
        const model = new Map<number, { at: number; handle: TimerHandle }>(); // id → pending event
        const ran: number[] = [];
        const handles: TimerHandle[] = [];
        let id = 0;
        for (const o of ops) {
          if (o.kind === 'schedule') {
            const myId = id++;
            const at = clock.now() + o.dt;
            const handle = clock.schedule(at, () => ran.push(myId));
            model.set(myId, { at, handle });
            handles.push(handle);
          } else if (o.kind === 'cancel' && handles.length > 0) {
            const k = o.pick % handles.length;
            const wasPending = model.has(k);
            expect(clock.cancel(handles[k]!)).toBe(wasPending);
            model.delete(k);
          } else if (o.kind === 'run') {
            const until = clock.now() + o.dt;
            const due = [...model.entries()].filter(([, e]) => e.at <= until).sort((x, y) => x[1].at - y[1].at || x[0] - y[0]);
            ran.length = 0;
            expect(clock.runUntil(until)).toBe(due.length);
            expect(ran).toEqual(due.map(([k]) => k));
            for (const [k] of due) model.delete(k);
          }
          expect(clock.pending).toBe(model.size);
        }
        const next = Math.min(...[...model.values()].map((e) => e.at));
        expect(clock.nextTime()).toBe(next);
      }),
      { numRuns: 30 },
    );
  });

  it('purges thousands of cancelled events without losing live ones', () => {
    const clock = new VirtualClock(T0);
    let ran = 0;
    const live = clock.schedule(T0 + 10 * HOUR_MS, () => ran++);
    for (let i = 0; i < 10_000; i++) clock.cancel(clock.schedule(T0 + 24 * HOUR_MS, () => ran--));
    expect(clock.pending).toBe(1);
    expect(clock.runUntil(T0 + 48 * HOUR_MS)).toBe(1);
    expect(ran).toBe(1);
    expect(clock.cancel(live)).toBe(false);

    // A purge triggered from inside a running handler leaves the run consistent.
    const later = Array.from({ length: 3000 }, (_, i) => clock.schedule(clock.now() + 10 + i, () => ran++));
    clock.schedule(clock.now() + 1, () => later.slice(0, 2990).forEach((h) => clock.cancel(h)));
    expect(clock.runUntil(clock.now() + 10_000)).toBe(11);
    expect(ran).toBe(11);
    expect(clock.pending).toBe(0);
  });

  it('runNext runs one live event at a time, skipping cancelled ones', () => {
    const clock = new VirtualClock(T0);
    const seen: number[] = [];
    clock.cancel(clock.schedule(T0 + 1, () => seen.push(1)));
    clock.schedule(T0 + 2, () => seen.push(2));
    clock.schedule(T0 + 3, () => seen.push(3));
    expect(clock.nextTime()).toBe(T0 + 2);
    expect(clock.runNext()).toBe(true);
    expect(clock.now()).toBe(T0 + 2);
    expect(clock.runNext()).toBe(true);
    expect(clock.runNext()).toBe(false);
    expect(seen).toEqual([2, 3]);
    expect(clock.nextTime()).toBe(Infinity);
  });

  it('treats scheduling in the past, bad times and re-entrant runs as bugs', () => {
    const clock = new VirtualClock(T0);
    expect(() => clock.schedule(T0 - 1, () => undefined)).toThrow(RangeError);
    expect(() => clock.schedule(Number.NaN, () => undefined)).toThrow(RangeError);
    expect(() => clock.schedule(Infinity, () => undefined)).toThrow(RangeError);
    expect(() => clock.runUntil(T0 - 1)).toThrow(RangeError);
    expect(() => new VirtualClock(Number.NaN)).toThrow(RangeError);
    clock.schedule(T0 + 1, () => clock.runUntil(T0 + 2));
    expect(() => clock.runUntil(T0 + 1)).toThrow(/inside a handler/);
    // The clock is still usable after a handler throws.
    clock.schedule(T0 + 2, () => undefined);
    expect(clock.runUntil(T0 + 2)).toBe(1);
  });

  it('runBefore runs what is due before an instant, fractional times too, and leaves that instant pending', () => {
    const clock = new VirtualClock(T0);
    const seen: string[] = [];
    clock.schedule(T0 + 9.5, () => seen.push('9.5'));
    clock.schedule(T0 + 10, () => seen.push('10'));
    clock.schedule(T0 + 3, () => seen.push('3'));
    expect(clock.runBefore(T0 + 10)).toBe(2);
    expect(seen).toEqual(['3', '9.5']);
    expect(clock.now()).toBe(T0 + 10);
    // Something scheduled now, at the delivery instant, runs after what was already due then.
    clock.schedule(T0 + 10, () => seen.push('10 later'));
    expect(clock.runBefore(T0 + 10)).toBe(0);
    clock.runUntil(T0 + 10);
    expect(seen).toEqual(['3', '9.5', '10', '10 later']);
    expect(() => clock.runBefore(T0 + 5)).toThrow(RangeError);
  });

  it('drives XState delayed transitions on virtual time', () => {
    const machine = createMachine({
      initial: 'waiting',
      states: {
        waiting: { after: { 5000: 'timedOut' }, on: { REPLY: 'answered' } },
        timedOut: {},
        answered: {},
      },
    });
    const clock = new VirtualClock(T0);
    const actor = createActor(machine, { clock }).start();
    expect(clock.pending).toBe(1);
    clock.runUntil(T0 + 5 * SECOND_MS - 1);
    expect(actor.getSnapshot().value).toBe('waiting');
    clock.runUntil(T0 + 5 * SECOND_MS);
    expect(actor.getSnapshot().value).toBe('timedOut');

    // Leaving the state early clears the time-out through clearTimeout.
    const other = createActor(machine, { clock }).start();
    expect(clock.pending).toBe(1);
    other.send({ type: 'REPLY' });
    expect(clock.pending).toBe(0);
    clock.runUntil(clock.now() + HOUR_MS);
    expect(other.getSnapshot().value).toBe('answered');
  });
});
