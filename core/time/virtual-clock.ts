import type { ActorOptions, AnyActorLogic } from 'xstate';
import type { Instant } from './duration.ts';
import { EventHeap } from './event-heap.ts';

// XState does not export its Clock interface by name; take it from the actor options.
type XStateClock = NonNullable<ActorOptions<AnyActorLogic>['clock']>;

/**
 * Identifies one scheduled event for `cancel`. It packs a handler slot and that
 * slot's generation, so a handle kept after its event ran (or was cancelled)
 * never cancels a later event that reuses the slot.
 */
export type TimerHandle = number & { readonly __timerHandle: true };

// 2^25 slots (33.5 million events pending at once) times 2^28 generations per
// slot stays within 2^53, so a handle is an exact integer.
const SLOT_SPACE = 2 ** 25;
const GEN_MASK = 2 ** 28 - 1;
// Purge cancelled events once they outnumber live ones (and are not a handful),
// so a run that keeps cancelling long time-outs does not grow without bound.
const PURGE_MIN = 1024;

/**
 * The one clock of a run: virtual time that moves only when events are run, in
 * (time, scheduling order). Events due at the same instant run first-in
 * first-out, and an event scheduled for the current instant by a running
 * handler runs within the same `runUntil`.
 *
 * It is also an XState `Clock`, so actors' delayed transitions (`after`) run
 * on virtual time: `createActor(machine, { clock })`.
 *
 * @example
 * const clock = new VirtualClock(Date.UTC(2026, 2, 1));
 * clock.schedule(clock.now() + HOUR_MS, () => meter.readRegisters());
 * clock.runUntil(clock.now() + DAY_MS);
 */
export class VirtualClock implements XStateClock {
  private nowMs: Instant;
  private readonly heap = new EventHeap(4096);
  // Slot tables: a handler per slot (undefined when free or cancelled) and its generation.
  private readonly fns: ((() => void) | undefined)[] = [];
  private gens = new Int32Array(4096);
  private freeSlots = new Int32Array(4096);
  private freeTop = 0;
  private live = 0;
  // Cancelled events still in the heap; their slots are freed when they surface.
  private dead = 0;
  private running = false;

  /** @param start the Instant the run starts at. */
  constructor(start: Instant) {
    if (!Number.isFinite(start)) throw new RangeError(`VirtualClock: start must be a finite Instant, got ${start}`);
    this.nowMs = start;
  }

  /** The current virtual time. */
  now(): Instant {
    return this.nowMs;
  }

  /** The number of scheduled events that have neither run nor been cancelled. */
  get pending(): number {
    return this.live;
  }

  /**
   * Runs `fn` at virtual time `at`. Scheduling in the past is a bug, not input: RangeError.
   *
   * @example
   * const h = clock.schedule(clock.now() + 30 * MINUTE_MS, sendProfileData);
   */
  schedule(at: Instant, fn: () => void): TimerHandle {
    if (!(at >= this.nowMs) || at === Infinity) {
      throw new RangeError(`VirtualClock.schedule: ${at} is before now (${this.nowMs}) or not finite`);
    }
    const slot = this.allocate(fn);
    this.heap.push(at, slot);
    this.live++;
    return (this.gens[slot]! * SLOT_SPACE + slot) as TimerHandle;
  }

  /**
   * Cancels a scheduled event. Returns false, and does nothing, when the event
   * already ran or was already cancelled. The heap entry is dropped lazily.
   */
  cancel(handle: TimerHandle): boolean {
    const slot = handle % SLOT_SPACE;
    const gen = (handle - slot) / SLOT_SPACE;
    if (!(slot >= 0 && slot < this.fns.length) || this.gens[slot] !== gen || this.fns[slot] === undefined) return false;
    this.fns[slot] = undefined;
    this.live--;
    this.dead++;
    if (this.dead > PURGE_MIN && this.dead > this.live) this.purge();
    return true;
  }

  /**
   * Runs every event due at or before `t` in (time, scheduling order), moving
   * `now` to each event's time and finally to `t`; returns how many ran.
   *
   * @example
   * clock.runUntil(ukNextLocalDayStart(clock.now()));
   */
  runUntil(t: Instant): number {
    if (!(t >= this.nowMs) || t === Infinity) {
      throw new RangeError(`VirtualClock.runUntil: ${t} is before now (${this.nowMs}) or not finite`);
    }
    return this.runTo(t, true);
  }

  /**
   * Runs every event due before `t` (not at it), then moves `now` to `t`: the
   * events at `t` stay pending. A sharded run uses it to hand a message over
   * at its delivery instant ahead of that instant's local events.
   */
  runBefore(t: Instant): number {
    if (!(t >= this.nowMs) || t === Infinity) {
      throw new RangeError(`VirtualClock.runBefore: ${t} is before now (${this.nowMs}) or not finite`);
    }
    return this.runTo(t, false);
  }

  /** Runs the events due before `t` (and at it, when `inclusive`), then moves `now` to `t`. */
  private runTo(t: Instant, inclusive: boolean): number {
    this.enter();
    let count = 0;
    try {
      const heap = this.heap;
      // peekTime is Infinity when the heap is empty, so this also ends the loop.
      while (inclusive ? heap.peekTime() <= t : heap.peekTime() < t) {
        const slot = heap.pop();
        const fn = this.fns[slot];
        if (fn === undefined) {
          this.dead--;
          this.release(slot);
          continue;
        }
        this.nowMs = heap.lastTime;
        // Free the slot before the call: the handler may reschedule at once.
        this.release(slot);
        this.live--;
        count++;
        fn();
      }
      this.nowMs = t;
    } finally {
      this.running = false;
    }
    return count;
  }

  /** Runs the next live event, moving `now` to its time; false when none is pending. */
  runNext(): boolean {
    this.enter();
    try {
      const heap = this.heap;
      while (heap.size > 0) {
        const slot = heap.pop();
        const fn = this.fns[slot];
        this.release(slot);
        if (fn === undefined) {
          this.dead--;
          continue;
        }
        this.nowMs = heap.lastTime;
        this.live--;
        fn();
        return true;
      }
      return false;
    } finally {
      this.running = false;
    }
  }

  /** The time of the next live event, or Infinity when none is pending. */
  nextTime(): Instant {
    const heap = this.heap;
    while (heap.size > 0) {
      const slot = heap.peekPayload();
      if (this.fns[slot] !== undefined) return heap.peekTime();
      heap.pop();
      this.dead--;
      this.release(slot);
    }
    return Infinity;
  }

  /** XState `Clock`: runs `fn` after `ms` of virtual time (negative or NaN counts as 0). */
  setTimeout(fn: () => void, ms: number): TimerHandle {
    return this.schedule(this.nowMs + (ms > 0 ? ms : 0), fn);
  }

  /** XState `Clock`: cancels a time-out set with `setTimeout`. */
  clearTimeout(id: TimerHandle): void {
    this.cancel(id);
  }

  // Running events from inside a handler would move time under the outer run.
  private enter(): void {
    if (this.running) throw new Error('VirtualClock: runUntil/runNext called from inside a handler');
    this.running = true;
  }

  private allocate(fn: () => void): number {
    if (this.freeTop > 0) {
      const slot = this.freeSlots[--this.freeTop]!;
      this.fns[slot] = fn;
      return slot;
    }
    const slot = this.fns.length;
    if (slot >= SLOT_SPACE) throw new RangeError(`VirtualClock: more than ${SLOT_SPACE} events pending`);
    if (slot === this.gens.length) {
      const gens = new Int32Array(slot * 2);
      gens.set(this.gens);
      this.gens = gens;
      const free = new Int32Array(slot * 2);
      free.set(this.freeSlots);
      this.freeSlots = free;
    }
    this.fns.push(fn);
    return slot;
  }

  private release(slot: number): void {
    this.fns[slot] = undefined;
    this.gens[slot] = (this.gens[slot]! + 1) & GEN_MASK;
    this.freeSlots[this.freeTop++] = slot;
  }

  private purge(): void {
    this.heap.retain((slot) => {
      if (this.fns[slot] !== undefined) return true;
      this.release(slot);
      return false;
    });
    this.dead = 0;
  }
}
