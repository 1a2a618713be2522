import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { DeviceAlert } from '../../../proto/types.ts';
import { cspRegionOf, HubOutages, MessageLosses } from '../../../scenarios/runner/world-faults.ts';

/**
 * The fault bookkeeping's invariants, on the run's fast-check seed (printed
 * by test/setup.ts; replay with SEED=…). docs/scenarios.md "What each fault does".
 */

const HUB = '00-DB-14-00-00-00-00-00';
const alert = (n: number): DeviceAlert => ({ code: 0x810d, device: '00-DB-12-00-00-00-00-00', at: n, critical: false });

/** What can happen at one hub: an outage starts or ends, a meter behind it raises an alert. */
const op = fc.constantFrom('down', 'up', 'alert', 'alert', 'alert');

describe('the comms hub alert queue (DOMAIN §3.3; the CHF model)', () => {
  it('raised while offline = delivered late + lost + still queued; delivered in the order raised; the oldest kept when full', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 6 }), fc.array(op, { maxLength: 60 }), (limit, ops) => {
        const hubs = new HubOutages(limit);
        let outages = 0;
        let n = 0;
        let raised = 0;
        let lost = 0;
        let episode: DeviceAlert[] = [];
        const delivered: DeviceAlert[] = [];
        for (const o of ops) {
          if (o === 'down') {
            expect(hubs.down(HUB)).toBe(outages === 0);
            outages++;
          } else if (o === 'up') {
            const back = hubs.up(HUB);
            if (outages === 0) expect(back).toBeNull();
            else if (--outages > 0) expect(back).toBeNull();
            else {
              // Oldest first, and exactly the first `limit` of the episode.
              expect(back).toEqual(episode.slice(0, limit));
              delivered.push(...(back ?? []));
              episode = [];
            }
          } else if (hubs.offline(HUB)) {
            const a = alert(n++);
            raised++;
            episode.push(a);
            if (!hubs.queue(HUB, a)) lost++;
          }
          expect(hubs.offline(HUB)).toBe(outages > 0);
        }
        expect(delivered.length + lost + hubs.queued).toBe(raised);
        expect(delivered.map((a) => a.at)).toEqual([...delivered.map((a) => a.at)].sort((x, y) => x - y));
      }),
    );
  });
});

describe('message loss', () => {
  const messages = fc.uniqueArray(fc.tuple(fc.string({ minLength: 1, maxLength: 6 }), fc.integer({ min: 0, max: 9 })), {
    selector: ([key]) => key,
    minLength: 1,
    maxLength: 30,
  });

  it('the same messages are lost whatever order a transport hands them over in', () => {
    fc.assert(
      fc.property(messages, fc.double({ min: 0, max: 1, noNaN: true }), fc.nat(), (list, drop, salt) => {
        const verdicts = (order: readonly (readonly [string, number])[]): Map<string, boolean> => {
          const losses = new MessageLosses();
          losses.add(`seed:${salt}`, { topic: 'smets/wan/+/up' }, drop, 0, 100);
          return new Map(order.map(([key, n]) => [key, losses.lost(10, 'ch.00DB140000000000', `smets/wan/${HUB}/up`, key, `${key}|${n}`)]));
        };
        const reversed = [...list].reverse();
        expect(verdicts(reversed)).toEqual(verdicts(list));
      }),
    );
  });

  it('asking about one message twice gives one verdict, and drop 0 or 1 is never or always', () => {
    fc.assert(
      fc.property(messages, fc.constantFrom(0, 1, 0.5), (list, drop) => {
        const losses = new MessageLosses();
        losses.add('seed', { client: 'dsp' }, drop, 0, 100);
        for (const [key, n] of list) {
          const first = losses.lost(50, 'dsp', 'smets/wan/x/down', key, `${key}|${n}`);
          expect(losses.lost(50, 'dsp', 'smets/wan/x/down', key, `${key}|${n}`)).toBe(first);
          if (drop === 0) expect(first).toBe(false);
          if (drop === 1) expect(first).toBe(true);
          // Outside its window, or on another link, a rule loses nothing.
          expect(losses.lost(100, 'dsp', 'smets/wan/x/down', key, `${key}|late`)).toBe(false);
          expect(losses.lost(50, 'ch.00DB140000000000', 'smets/wan/x/up', key, `${key}|${n}`)).toBe(false);
        }
      }),
    );
  });
});

describe('CSP regions of premises', () => {
  it('are drawn by the estate shares, one region when there is one, the same for the same seed and index', () => {
    const shares = new Map([
      ['North', 0.25],
      ['South', 0.75],
    ]);
    fc.assert(
      fc.property(fc.string(), fc.nat({ max: 100_000 }), (seed, index) => {
        const r = cspRegionOf(seed, index, shares);
        expect(['North', 'South']).toContain(r);
        expect(cspRegionOf(seed, index, shares)).toBe(r);
        expect(cspRegionOf(seed, index, new Map([['4G Central', 1]]))).toBe('4G Central');
      }),
    );
    const north = Array.from({ length: 4000 }, (_, i) => cspRegionOf('regions', i, shares)).filter((r) => r === 'North').length;
    expect(north / 4000).toBeGreaterThan(0.2);
    expect(north / 4000).toBeLessThan(0.3);
  });
});
