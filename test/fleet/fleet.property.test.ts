import { test, expect } from 'vitest';
import fc from 'fast-check';
import { DEFAULT_FLEET_OPTIONS } from '../../emulator/fleet/fleet-options.ts';
import { runFleetShard } from '../../emulator/fleet/fleet-runner.ts';
import { DAY_MS } from '../../core/time/duration.ts';

// Each run walks a small fleet for days; a handful of runs per seed is plenty.
const runs = { numRuns: 12 };

test('same seed ⇒ same timeline, for any seed, start and estate size', () => {
  fc.assert(
    fc.property(
      fc.string({ minLength: 1, maxLength: 12 }),
      fc.integer({ min: 0, max: 364 }),
      fc.integer({ min: 1, max: 12 }),
      fc.integer({ min: 1, max: 6 }),
      (seed, startDay, premises, days) => {
        const o = { ...DEFAULT_FLEET_OPTIONS, seed, start: Date.UTC(2026, 0, 1) + startDay * DAY_MS, premises, days };
        const a = runFleetShard(o);
        const b = runFleetShard(o);
        expect(b.consumers).toEqual(a.consumers);
        expect(b.alerts).toEqual(a.alerts);
        expect(b.machineEvents).toBe(a.machineEvents);
      },
    ),
    runs,
  );
});

test('a premises has the same outcome whichever shard it runs in', () => {
  fc.assert(
    fc.property(fc.string({ minLength: 1, maxLength: 12 }), fc.integer({ min: 2, max: 12 }), (seed, premises) => {
      const o = { ...DEFAULT_FLEET_OPTIONS, seed, premises, days: 4 };
      const whole = runFleetShard(o);
      const cut = 1 + (seed.length % (premises - 1));
      const left = runFleetShard(o, 0, cut);
      const right = runFleetShard(o, cut, premises - cut);
      expect([...left.consumers, ...right.consumers]).toEqual(whole.consumers);
    }),
    runs,
  );
});
