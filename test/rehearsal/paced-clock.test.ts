import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../core/time/virtual-clock.ts';
import { PacedClock } from '../../rehearsal/paced-clock.ts';
import { FakeWall } from './fake-wall.ts';

const T0 = Date.UTC(2027, 0, 4);

/** A virtual clock, a fake wall and a paced clock over them at `speed`, started. */
function paced(speed: number, sliceEvents?: number): { clock: VirtualClock; wall: FakeWall; p: PacedClock } {
  const clock = new VirtualClock(T0);
  const wall = new FakeWall();
  const p = new PacedClock({ clock, speed, wall, ...(sliceEvents === undefined ? {} : { sliceEvents }) });
  p.start();
  return { clock, wall, p };
}

describe('PacedClock: virtual time follows the wall clock × speed (ARCHITECTURE "Time")', () => {
  it('the paced instant is start + wall elapsed × speed', () => {
    const { wall, p } = paced(60);
    wall.advance(1000);
    expect(p.pacedNow()).toBe(T0 + 60_000);
    wall.advance(500);
    expect(p.pacedNow()).toBe(T0 + 90_000);
  });

  it('runs each event when the paced instant reaches it, not before, and at its own virtual time', () => {
    const clock = new VirtualClock(T0);
    const wall = new FakeWall();
    const ran: [string, number, number][] = [];
    clock.schedule(T0 + 60_000, () => ran.push(['a', clock.now(), wall.now()]));
    clock.schedule(T0 + 120_000, () => ran.push(['b', clock.now(), wall.now()]));
    new PacedClock({ clock, speed: 60, wall }).start();
    wall.advance(999);
    expect(ran).toEqual([]);
    wall.advance(1);
    expect(ran).toEqual([['a', T0 + 60_000, 1000]]);
    wall.advance(999);
    expect(ran).toHaveLength(1);
    wall.advance(1);
    expect(ran).toEqual([
      ['a', T0 + 60_000, 1000],
      ['b', T0 + 120_000, 2000],
    ]);
  });

  it('never runs virtual time ahead of the wall clock: at every event, virtual ≤ paced instant', () => {
    const { clock, wall, p } = paced(3600);
    const seen: number[] = [];
    const every = (t: number): void => {
      clock.schedule(t, () => {
        seen.push(clock.now());
        expect(clock.now()).toBeLessThanOrEqual(p.pacedNow());
        if (t < T0 + 10 * 3_600_000) every(t + 1_234_567);
      });
    };
    every(T0 + 1_000);
    p.poke();
    for (let i = 0; i < 200; i++) wall.advance(37);
    expect(seen.length).toBeGreaterThan(20);
    expect(clock.now()).toBeLessThanOrEqual(p.pacedNow());
  });

  it('keeps one timer for the next due event', () => {
    const { clock, wall, p } = paced(1);
    for (let i = 1; i <= 50; i++) clock.schedule(T0 + i * 1000, () => {});
    p.poke();
    expect(wall.pending).toBe(1);
    wall.advance(10_500);
    expect(clock.pending).toBe(40);
    expect(wall.pending).toBe(1);
  });

  it('re-arms for an earlier event when outside work schedules one at the paced instant', () => {
    const { clock, wall, p } = paced(1);
    let late = 0;
    clock.schedule(T0 + 3_600_000, () => late++);
    p.poke();
    wall.advance(10_000);
    const ran: number[] = [];
    // An outside request injected now schedules follow-up work 5 s of virtual time later.
    p.inject((now) => {
      expect(now).toBe(T0 + 10_000);
      clock.schedule(now + 5_000, () => ran.push(clock.now()));
    });
    wall.advance(4_999);
    expect(ran).toEqual([]);
    wall.advance(1);
    expect(ran).toEqual([T0 + 15_000]);
    expect(late).toBe(0);
  });

  it('inject brings virtual time to the paced instant, runs everything due first, then the work, then what the work made due now', () => {
    const { clock, wall, p } = paced(10);
    const order: string[] = [];
    clock.schedule(T0 + 5_000, () => order.push(`due@${clock.now() - T0}`));
    // No timer fired yet for it (the paced clock was not poked): inject must still run it first.
    wall.advance(1_000);
    const r = p.inject((now) => {
      order.push(`inject@${now - T0}`);
      clock.schedule(now, () => order.push(`after@${clock.now() - T0}`));
      return 42;
    });
    expect(r).toBe(42);
    expect(order).toEqual(['due@5000', 'inject@10000', 'after@10000']);
    expect(clock.now()).toBe(T0 + 10_000);
  });

  it('inject from inside a virtual event is a bug and throws', () => {
    const clock = new VirtualClock(T0);
    const wall = new FakeWall();
    const errors: unknown[] = [];
    const q = new PacedClock({ clock, speed: 1, wall, onError: (e) => errors.push(e) });
    clock.schedule(T0 + 10, () => q.inject(() => 0));
    q.start();
    wall.advance(10);
    expect(errors).toHaveLength(1);
    expect(String(errors[0])).toMatch(/inside a virtual event/);
    expect(q.running).toBe(false);
    expect(wall.pending).toBe(0);
  });

  it('stops cleanly: no timer left, and nothing runs after stop', () => {
    const { clock, wall, p } = paced(1);
    let ran = 0;
    clock.schedule(T0 + 1000, () => ran++);
    p.poke();
    expect(wall.pending).toBe(1);
    p.stop();
    expect(wall.pending).toBe(0);
    wall.advance(10_000);
    expect(ran).toBe(0);
    expect(() => p.inject(() => 0)).toThrow(/stopped/);
    p.stop();
    expect(p.running).toBe(false);
  });

  it('with a backlog larger than a slice, runs it in slices, yielding between them, and catches up in order', () => {
    const { clock, wall, p } = paced(1000, 10);
    const ran: number[] = [];
    for (let i = 0; i < 35; i++) clock.schedule(T0 + i, () => ran.push(i));
    p.poke();
    // The first tick at wall 0 runs the event at T0 only; then a second of wall time makes all due.
    wall.advance(1000);
    expect(ran).toEqual(Array.from({ length: 35 }, (_, i) => i));
    // Slices of 10 were set as 0 ms timers between them.
    expect(wall.delays.filter((d) => d === 0).length).toBeGreaterThanOrEqual(3);
    expect(p.lag()).toBe(0);
  });

  it('setSpeed keeps the time already passed and paces the rest at the new speed', () => {
    const { wall, p } = paced(1);
    wall.advance(1000);
    p.setSpeed(60);
    wall.advance(1000);
    expect(p.pacedNow()).toBe(T0 + 1000 + 60_000);
    expect(() => p.setSpeed(0)).toThrow(RangeError);
    expect(() => new PacedClock({ clock: new VirtualClock(T0), speed: Number.NaN })).toThrow(RangeError);
  });

  it('an event throwing (a bug) stops the paced clock and reports the error', () => {
    const clock = new VirtualClock(T0);
    const wall = new FakeWall();
    const errors: unknown[] = [];
    const p = new PacedClock({ clock, speed: 1, wall, onError: (e) => errors.push(e) });
    clock.schedule(T0 + 5, () => {
      throw new Error('boom');
    });
    clock.schedule(T0 + 6, () => {});
    p.start();
    wall.advance(100);
    expect(errors.map(String)).toEqual(['Error: boom']);
    expect(p.running).toBe(false);
    expect(wall.pending).toBe(0);
  });
});

describe('PacedClock.skipTo: a rehearsal starts where the interesting part begins', () => {
  it('runs every event due by the target at once, in order and at its own instant, then paces on from the target', () => {
    const { clock, wall, p } = paced(60);
    const ran: [string, number][] = [];
    clock.schedule(T0 + 3_600_000, () => ran.push(['a', clock.now()]));
    clock.schedule(T0 + 7_200_000, () => ran.push(['b', clock.now()]));
    clock.schedule(T0 + 10_800_000, () => ran.push(['c', clock.now()]));
    p.poke();
    expect(p.skipTo(T0 + 7_200_000)).toBe(2);
    expect(ran).toEqual([
      ['a', T0 + 3_600_000],
      ['b', T0 + 7_200_000],
    ]);
    expect(p.pacedNow()).toBe(T0 + 7_200_000);
    // From there at 60×: the last event is an hour on, a minute of wall time.
    wall.advance(59_999);
    expect(ran).toHaveLength(2);
    wall.advance(1);
    expect(ran.at(-1)).toEqual(['c', T0 + 10_800_000]);
  });

  it('never back in time; not once stopped', () => {
    const { wall, p } = paced(60);
    wall.advance(1000);
    expect(() => p.skipTo(T0)).toThrow(RangeError);
    p.stop();
    expect(() => p.skipTo(T0 + 3_600_000)).toThrow(/stopped/);
  });
});
