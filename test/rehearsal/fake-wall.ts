import type { WallClock } from '../../rehearsal/paced-clock.ts';

/**
 * A wall clock the test moves by hand: `advance` runs the timers that fall
 * due, in order of their due time (then of setting), each at its own instant.
 */
export class FakeWall implements WallClock {
  private t = 0;
  private seq = 0;
  private readonly timers = new Map<number, { at: number; fn: () => void }>();
  /** Every delay a timer was set with, in order. */
  readonly delays: number[] = [];

  now(): number {
    return this.t;
  }

  setTimer(fn: () => void, ms: number): () => void {
    const id = this.seq++;
    this.delays.push(ms);
    this.timers.set(id, { at: this.t + ms, fn });
    return () => void this.timers.delete(id);
  }

  /** Timers set and not yet fired or cancelled. */
  get pending(): number {
    return this.timers.size;
  }

  /** Moves the wall clock `ms` on, firing each timer due on the way at its due time. */
  advance(ms: number): void {
    const end = this.t + ms;
    for (;;) {
      let next: [number, { at: number; fn: () => void }] | undefined;
      for (const e of this.timers) if (e[1].at <= end && (next === undefined || e[1].at < next[1].at)) next = e;
      if (next === undefined) break;
      this.timers.delete(next[0]);
      this.t = Math.max(this.t, next[1].at);
      next[1].fn();
    }
    this.t = end;
  }
}
