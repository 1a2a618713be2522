/**
 * Scheduler throughput: one million events with random times pushed and popped
 * through the bare EventHeap, then scheduled as closures on a VirtualClock and
 * run. Also a steady "hold" pattern (each event schedules the next), which is
 * how a running fleet uses the clock.
 *
 * Run: node --import tsx bench/scheduler.bench.ts
 */
import { Rng } from '../core/rng.ts';
import { EventHeap } from '../core/time/event-heap.ts';
import { DAY_MS, WEEK_MS } from '../core/time/duration.ts';
import { VirtualClock } from '../core/time/virtual-clock.ts';

const N = 1_000_000;
const T0 = Date.UTC(2026, 2, 1);
const rng = Rng.fromSeed('scheduler-bench');
const times = new Float64Array(N);
for (let i = 0; i < N; i++) times[i] = T0 + rng.int(0, WEEK_MS);

function heapPushPop(): number {
  const heap = new EventHeap();
  for (let i = 0; i < N; i++) heap.push(times[i]!, i);
  let check = 0;
  while (heap.size > 0) check ^= heap.pop();
  return check;
}

function clockScheduleRun(): number {
  const clock = new VirtualClock(T0);
  let ran = 0;
  for (let i = 0; i < N; i++) clock.schedule(times[i]!, () => ran++);
  clock.runUntil(T0 + WEEK_MS);
  return ran;
}

// 100 000 meters each rescheduling itself at a random delay: N events in total.
function clockHold(): number {
  const clock = new VirtualClock(T0);
  const meters = 100_000;
  const delays = rng.fork('delays');
  let ran = 0;
  const tick = (): void => {
    ran++;
    if (ran + clock.pending < N) clock.schedule(clock.now() + delays.int(1, DAY_MS), tick);
  };
  for (let i = 0; i < meters; i++) clock.schedule(T0 + delays.int(0, DAY_MS), tick);
  while (clock.runNext());
  return ran;
}

function measure(name: string, fn: () => number): void {
  fn(); // warm up the JIT
  const runs = 5;
  let best = Infinity;
  for (let r = 0; r < runs; r++) {
    const start = performance.now();
    fn();
    best = Math.min(best, performance.now() - start);
  }
  const perSecond = N / (best / 1000);
  console.log(`${name.padEnd(36)} ${best.toFixed(1).padStart(8)} ms   ${(perSecond / 1e6).toFixed(2)} M events/s`);
}

console.log(`${N.toLocaleString('en-GB')} events, best of 5`);
measure('EventHeap push + pop', heapPushPop);
measure('VirtualClock schedule + runUntil', clockScheduleRun);
measure('VirtualClock hold (100k meters)', clockHold);
