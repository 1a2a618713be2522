import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { unwrap } from '../../core/result.ts';
import type { CrossMessage, Done } from '../../proto/scale-codec.ts';
import { CoordinatorCore, type CoordinatorEffect } from '../../scale/protocol/coordinator-core.ts';
import { runInProcess } from '../../scale/protocol/in-process.ts';
import { compareCanonical, sortCanonical } from '../../scale/protocol/order.ts';
import { parseToyConfig, toyEngine } from '../../scale/toy-engine.ts';

// Determinism of delivery: messages delivered in a window reach their shard in (deliverAt, from, seq) order,
// whatever order they crossed the broker in, and a run's result does not depend on the interleaving. docs/scale-out.md "Determinism"

const L = 1_000;
const T0 = Date.UTC(2026, 2, 1);
const KEYS = ['a0', 'a1', 'b0', 'b1', 'c0', 'c1'];
const shardOf = (key: string): number => key.charCodeAt(0) - 97;

/** Messages with unique (from, seq), sent in window 1 [T0, T0+L), due within three windows. */
const messages: fc.Arbitrary<CrossMessage[]> = fc
  .uniqueArray(fc.tuple(fc.constantFrom(...KEYS), fc.nat(50)), { selector: ([from, seq]) => `${from}#${seq}`, maxLength: 40 })
  .chain((names) =>
    fc.tuple(
      ...names.map(([from, seq]) =>
        fc
          .record({
            sentAt: fc.integer({ min: T0, max: T0 + L - 1 }),
            extra: fc.integer({ min: 0, max: 2 * L }),
            to: fc.constantFrom(...KEYS),
            payload: fc.uint8Array({ maxLength: 3 }),
          })
          .map(({ sentAt, extra, to, payload }): CrossMessage => ({ sentAt, deliverAt: sentAt + L + extra, from, to, seq, payload })),
      ),
    ),
  );

const label = (m: CrossMessage): string => `${m.deliverAt}/${m.from}/${m.seq}`;

describe(`canonical delivery order (seed ${globalThis.__testSeed})`, () => {
  it('sorts any arrival order of the same messages into one order: by delivery time, then sender key, then seq', () => {
    fc.assert(
      fc.property(
        messages.chain((ms) => fc.tuple(fc.constant(ms), fc.shuffledSubarray(ms, { minLength: ms.length }))),
        ([ms, shuffled]) => {
          const a = sortCanonical([...ms]).map(label);
          expect(sortCanonical([...shuffled]).map(label)).toEqual(a);
          const byTuple = [...ms].sort((x, y) => x.deliverAt - y.deliverAt || (x.from < y.from ? -1 : x.from > y.from ? 1 : x.seq - y.seq));
          expect(a).toEqual(byTuple.map(label));
          for (let i = 1; i < ms.length; i++)
            expect(compareCanonical(sortCanonical([...ms])[i - 1]!, sortCanonical([...ms])[i]!)).toBeLessThan(0);
        },
      ),
    );
  });

  it('releases the same windows with the same inbound lists whatever order the done reports arrive in', () => {
    const run = (ms: readonly CrossMessage[], order: readonly number[]): string[] => {
      const c = new CoordinatorCore({
        runId: 'p',
        shards: 3,
        terms: { engineKind: 'toy', seed: '1', scenarioDigest: 'd', lookaheadMs: L, routing: 'coordinator' },
        end: null,
        shardOf,
      });
      const client = (k: number): string => `sim.p-s${k}-0`;
      for (const k of [0, 1, 2])
        c.hello(client(k), {
          shard: k,
          shardCount: 3,
          engineKind: 'toy',
          seed: '1',
          scenarioDigest: 'd',
          lookaheadMs: L,
          routing: 'coordinator',
        });
      for (const k of [0, 1, 2]) c.done(client(k), doneOf(0, T0, []));
      const log: string[] = [];
      const record = (effects: readonly CoordinatorEffect[]): void => {
        for (const e of effects) {
          if (e.kind === 'released') log.push(`W${e.window.window} [${e.window.from}, ${e.window.until})`);
          if (e.kind === 'send' && e.body.kind === 'release') log.push(`${e.to}: ${e.body.release.inbound.map(label).join(' ')}`);
        }
      };
      // Window 1: each shard reports its own messages, in the given order of shards, each list in the order given.
      for (const k of order)
        record(
          c.done(
            client(k),
            doneOf(
              1,
              null,
              ms.filter((m) => shardOf(m.from) === k),
            ),
          ),
        );
      // Later windows: nobody sends anything more; the coordinator delivers what is pending.
      for (let w = 2; c.phase === 'running'; w++) for (const k of order) record(c.done(client(k), doneOf(w, null, [])));
      return log;
    };
    fc.assert(
      fc.property(messages, fc.shuffledSubarray([0, 1, 2], { minLength: 3 }), fc.func(fc.integer()), (ms, order, key) => {
        const reordered = [...ms].sort((a, b) => key(label(a)) - key(label(b)));
        expect(run(reordered, order)).toEqual(run(ms, [0, 1, 2]));
      }),
    );
  });

  it('gives one result for any interleaving of the broker, any shard count and either routing', () => {
    const config = unwrap(parseToyConfig({ seed: globalThis.__testSeed, entities: 40, durationMs: 15_000, tickMeanMs: 2_000 }));
    const spec = { kind: toyEngine, config };
    const reference = runInProcess({ spec, shards: 1 }).result;
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4 }),
        fc.constantFrom('coordinator' as const, 'direct' as const),
        fc.boolean(),
        fc.infiniteStream(fc.nat()),
        (shards, routing, autoAssign, picks) => {
          const it = picks[Symbol.iterator]();
          const r = runInProcess({ spec, shards, routing, autoAssign, choose: (n) => it.next().value! % n });
          expect(r.result).toEqual(reference);
        },
      ),
      { numRuns: 40 },
    );
  });
});

function doneOf(window: number, next: number | null, outbound: CrossMessage[]): Done {
  return { window, next, outbound, outboundCount: outbound.length, sentTo: [], earliestOutbound: null, digest: '' };
}
