import type { Instant } from '../core/time/duration.ts';
import type { VirtualClock } from '../core/time/virtual-clock.ts';

/**
 * Paced mode: a run's `VirtualClock` driven by the wall clock times a speed
 * factor, for live rehearsals where outside systems talk to the twin.
 * // ARCHITECTURE "Time" (two pacing modes over the same core)
 *
 * The paced instant is `start + wall elapsed × speed`. Every virtual event
 * runs when the paced instant reaches it, never before: one wall timer is
 * armed for the next due event and re-armed whenever that changes. Outside
 * code (an HTTP request, an admin action) acts through `inject`, which brings
 * virtual time up to the paced instant, runs the work there, then runs
 * whatever became due.
 *
 * When the machine cannot keep up, virtual time lags the paced instant:
 * events run in slices of `sliceEvents`, yielding to I/O between slices, and
 * `lag()` says how far behind the world is. It never runs ahead.
 */

/** The wall clock and its timers, injectable so tests can drive time by hand. */
export interface WallClock {
  /** Milliseconds on a monotonic clock (`performance.now()`). */
  now(): number;
  /** Calls `fn` after `ms` wall milliseconds; returns a function that cancels it. */
  setTimer(fn: () => void, ms: number): () => void;
}

/** The process's wall clock: `performance.now` and `setTimeout`. */
export const SYSTEM_WALL_CLOCK: WallClock = {
  now: () => performance.now(),
  setTimer: (fn, ms) => {
    const t = setTimeout(fn, ms);
    return () => clearTimeout(t);
  },
};

export interface PacedClockOptions {
  readonly clock: VirtualClock;
  /** Virtual milliseconds per wall millisecond: 1 for a rehearsal in real time, 60 to watch a day in 24 minutes. */
  readonly speed: number;
  /** Default `SYSTEM_WALL_CLOCK`. */
  readonly wall?: WallClock;
  /** At most this many events per timer callback before yielding to I/O. Default 20 000. */
  readonly sliceEvents?: number;
  /** Hears an exception thrown by a virtual event (a bug): the paced clock has stopped by then. Default: rethrow. */
  readonly onError?: (e: unknown) => void;
}

/** setTimeout's longest delay (about 24.8 days); longer waits re-arm when it fires. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export class PacedClock {
  readonly clock: VirtualClock;
  private readonly wall: WallClock;
  private readonly sliceEvents: number;
  private readonly onError: (e: unknown) => void;
  private factor: number;
  /** The paced instant is `virtualAnchor + (wall.now() - wallAnchor) × factor`. */
  private virtualAnchor: Instant;
  private wallAnchor = 0;
  private cancelTimer: (() => void) | null = null;
  /** The virtual instant the armed timer is for (Infinity when none is armed). */
  private armedFor: Instant = Infinity;
  private state: 'idle' | 'running' | 'stopped' = 'idle';
  private busy = false;

  constructor(options: PacedClockOptions) {
    checkSpeed(options.speed);
    this.clock = options.clock;
    this.factor = options.speed;
    this.wall = options.wall ?? SYSTEM_WALL_CLOCK;
    this.sliceEvents = options.sliceEvents ?? 20_000;
    if (!(Number.isInteger(this.sliceEvents) && this.sliceEvents >= 1)) {
      throw new RangeError(`PacedClock: sliceEvents must be a whole number ≥ 1, got ${this.sliceEvents}`);
    }
    this.onError =
      options.onError ??
      ((e) => {
        throw e;
      });
    this.virtualAnchor = this.clock.now();
  }

  /** Anchors the clock's current virtual instant to the wall clock's now, and runs from there. */
  start(): void {
    if (this.state !== 'idle') throw new Error(`PacedClock.start: already ${this.state}`);
    this.state = 'running';
    this.virtualAnchor = this.clock.now();
    this.wallAnchor = this.wall.now();
    this.arm();
  }

  /** Stops pacing: cancels the timer; virtual time stays where it is. Safe to call twice. */
  stop(): void {
    this.state = 'stopped';
    this.disarm();
  }

  get running(): boolean {
    return this.state === 'running';
  }

  get speed(): number {
    return this.factor;
  }

  /** Changes the speed from the current paced instant on (time already passed keeps its pace). */
  setSpeed(speed: number): void {
    checkSpeed(speed);
    this.virtualAnchor = this.pacedNow();
    this.wallAnchor = this.wall.now();
    this.factor = speed;
    this.disarm();
    if (this.state === 'running') this.arm();
  }

  /** Where virtual time should be now: `start + wall elapsed × speed`, never behind the clock itself. */
  pacedNow(): Instant {
    if (this.state === 'idle') return this.clock.now();
    const t = this.virtualAnchor + Math.floor((this.wall.now() - this.wallAnchor) * this.factor);
    return Math.max(t, this.clock.now());
  }

  /** How long the oldest event not yet run has been due, in virtual milliseconds: 0 while the world keeps up. */
  lag(): number {
    const paced = this.pacedNow();
    const next = this.clock.nextTime();
    return next <= paced ? paced - next : 0;
  }

  /**
   * Runs `fn` at the paced instant: first every event due by then, in order,
   * then `fn` with that instant, then whatever `fn` made due at it. The timer
   * is re-armed for the next event afterwards, so work `fn` schedules runs
   * when its time comes. Calling it from inside a virtual event is a bug.
   *
   * @example
   * const out = paced.inject((now) => world.dsp.submit(sender, request, now));
   */
  inject<T>(fn: (now: Instant) => T): T {
    if (this.busy) throw new Error('PacedClock.inject: called from inside a virtual event or another inject');
    if (this.state === 'stopped') throw new Error('PacedClock.inject: the paced clock is stopped');
    this.busy = true;
    try {
      const now = this.pacedNow();
      this.clock.runUntil(now);
      const result = fn(now);
      this.clock.runUntil(now);
      return result;
    } finally {
      this.busy = false;
      if (this.state === 'running') this.arm();
    }
  }

  /**
   * Jumps ahead: runs every event due by `target` at once, in order, and
   * paces on from `target` (at the same speed). For a rehearsal that starts
   * where the interesting part begins — after the Authority's instruction,
   * say. An instant before the paced one is a bug: RangeError. Returns the
   * number of events run.
   */
  skipTo(target: Instant): number {
    if (this.busy) throw new Error('PacedClock.skipTo: called from inside a virtual event or an inject');
    if (this.state === 'stopped') throw new Error('PacedClock.skipTo: the paced clock is stopped');
    const now = this.pacedNow();
    if (!(Number.isFinite(target) && target >= now))
      throw new RangeError(`PacedClock.skipTo: ${target} is before the paced instant ${now}`);
    this.busy = true;
    let n = 0;
    try {
      while (this.clock.nextTime() <= target) {
        this.clock.runNext();
        n++;
      }
      this.clock.runUntil(target);
    } finally {
      this.busy = false;
    }
    this.virtualAnchor = target;
    this.wallAnchor = this.wall.now();
    this.disarm();
    if (this.state === 'running') this.arm();
    return n;
  }

  /** Re-arms the timer for the clock's next event; for code that scheduled on the clock outside `inject`. */
  poke(): void {
    if (this.state === 'running' && !this.busy) this.arm();
  }

  private tick(): void {
    this.cancelTimer = null;
    this.armedFor = Infinity;
    if (this.state !== 'running') return;
    this.busy = true;
    let caughtUp: boolean;
    try {
      caughtUp = this.advance(this.pacedNow());
    } catch (e) {
      this.busy = false;
      this.stop();
      this.onError(e);
      return;
    }
    this.busy = false;
    if (caughtUp) this.arm();
    else this.arm(0);
  }

  /** Runs events due by `target`, at most a slice of them; true when none due by `target` is left. */
  private advance(target: Instant): boolean {
    const c = this.clock;
    let n = 0;
    while (c.nextTime() <= target) {
      if (n++ >= this.sliceEvents) return false;
      c.runNext();
    }
    c.runUntil(target);
    return true;
  }

  /** One timer, for the next due event (or `delay` wall ms, to go on with a backlog). */
  private arm(delay?: number): void {
    const next = this.clock.nextTime();
    if (delay === undefined && next === Infinity) {
      this.disarm();
      return;
    }
    const at = delay === undefined ? next : -Infinity;
    if (this.cancelTimer !== null && this.armedFor === at) return;
    this.disarm();
    const wait = delay ?? Math.max(0, Math.ceil((next - this.pacedNow()) / this.factor));
    this.armedFor = at;
    this.cancelTimer = this.wall.setTimer(() => this.tick(), Math.min(wait, MAX_TIMER_MS));
  }

  private disarm(): void {
    this.cancelTimer?.();
    this.cancelTimer = null;
    this.armedFor = Infinity;
  }
}

function checkSpeed(speed: number): void {
  if (!(Number.isFinite(speed) && speed > 0)) throw new RangeError(`PacedClock: speed must be a finite number > 0, got ${speed}`);
}
