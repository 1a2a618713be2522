import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EventHeap } from '../../../core/time/event-heap.ts';

// Small time ranges force many ties, which is where FIFO order can break.
const time = fc.integer({ min: 0, max: 20 });

describe('EventHeap', () => {
  it('pops in the order of a stable sort by (time, seq)', () => {
    fc.assert(
      fc.property(fc.array(time, { maxLength: 300 }), (times) => {
        const heap = new EventHeap(1); // start tiny so growth is exercised
        times.forEach((t, i) => expect(heap.push(t, i)).toBe(i));
        const expected = times.map((t, i) => ({ t, i })).sort((a, b) => a.t - b.t);
        const popped: { t: number; i: number }[] = [];
        while (heap.size > 0) {
          const i = heap.pop();
          expect(heap.lastSeq).toBe(i);
          popped.push({ t: heap.lastTime, i });
        }
        expect(popped).toEqual(expected);
        expect(heap.peekTime()).toBe(Infinity);
      }),
    );
  });

  it('matches a sorted-list model under interleaved pushes and pops', () => {
    const op = fc.oneof(
      time.map((t) => ({ push: t })),
      fc.constant({ push: null }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 400 }), (ops) => {
        const heap = new EventHeap(2);
        const model: { t: number; seq: number }[] = [];
        let payload = 0;
        for (const o of ops) {
          if (o.push !== null) {
            const seq = heap.push(o.push, payload++);
            model.push({ t: o.push, seq });
            model.sort((a, b) => a.t - b.t || a.seq - b.seq);
          } else if (model.length > 0) {
            const want = model.shift()!;
            expect(heap.peekTime()).toBe(want.t);
            expect(heap.pop()).toBe(want.seq); // payloads were pushed in seq order
            expect(heap.lastTime).toBe(want.t);
          } else {
            expect(() => heap.pop()).toThrow(RangeError);
          }
          expect(heap.size).toBe(model.length);
        }
      }),
    );
  });

  it('retain drops events and keeps the order of the rest', () => {
    fc.assert(
      fc.property(fc.array(time, { maxLength: 300 }), fc.integer({ min: 2, max: 5 }), (times, k) => {
        const heap = new EventHeap();
        times.forEach((t, i) => heap.push(t, i));
        const removed = heap.retain((p) => p % k !== 0);
        const expected = times
          .map((t, i) => ({ t, i }))
          .filter(({ i }) => i % k !== 0)
          .sort((a, b) => a.t - b.t);
        expect(removed).toBe(times.length - expected.length);
        const popped: { t: number; i: number }[] = [];
        while (heap.size > 0) popped.push({ i: heap.pop(), t: heap.lastTime });
        expect(popped).toEqual(expected);
      }),
    );
  });

  it('rejects non-finite times and non-int32 payloads', () => {
    const heap = new EventHeap();
    expect(() => heap.push(Number.NaN, 1)).toThrow(RangeError);
    expect(() => heap.push(Infinity, 1)).toThrow(RangeError);
    expect(() => heap.push(1, 2 ** 31)).toThrow(RangeError);
    expect(() => heap.push(1, 1.5)).toThrow(RangeError);
    expect(() => heap.peekPayload()).toThrow(RangeError);
    heap.push(5, -7);
    expect(heap.peekPayload()).toBe(-7);
    heap.clear();
    expect(heap.size).toBe(0);
  });
});
