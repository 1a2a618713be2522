/**
 * A binary min-heap of scheduled events, ordered by time and then by the order
 * of insertion, so events due at the same instant come out first-in first-out.
 *
 * Everything lives in three parallel typed arrays (times, sequence numbers,
 * payloads) that double when full: pushing and popping allocate nothing, which
 * keeps a fleet of millions of scheduled events off the garbage collector. The
 * payload is an int32 chosen by the caller, typically an index into its own
 * table of handlers.
 *
 * @example
 * const h = new EventHeap();
 * h.push(20, 7); h.push(10, 8);
 * h.pop(); // 8, with h.lastTime === 10
 */
export class EventHeap {
  private times: Float64Array;
  private seqs: Float64Array;
  private payloads: Int32Array;
  private n = 0;
  // A float64 counts exactly to 2^53: more events than any run will ever push.
  private nextSeq = 0;
  private poppedTime = Number.NaN;
  private poppedSeq = Number.NaN;

  /** @param initialCapacity slots reserved up front; the heap grows by doubling. */
  constructor(initialCapacity = 1024) {
    const cap = Math.max(1, Math.floor(initialCapacity));
    this.times = new Float64Array(cap);
    this.seqs = new Float64Array(cap);
    this.payloads = new Int32Array(cap);
  }

  /** The number of events in the heap. */
  get size(): number {
    return this.n;
  }

  /** The time of the event last returned by `pop` (NaN before the first pop). */
  get lastTime(): number {
    return this.poppedTime;
  }

  /** The sequence number of the event last returned by `pop` (NaN before the first pop). */
  get lastSeq(): number {
    return this.poppedSeq;
  }

  /**
   * Adds an event and returns its sequence number (0, 1, 2… in push order).
   * A time that is not finite or a payload that is not an int32 is a bug: RangeError.
   *
   * @example
   * const seq = heap.push(clockNow + 1_000, handlerIndex);
   */
  push(time: number, payload: number): number {
    if (!(time > -Infinity && time < Infinity)) throw new RangeError(`EventHeap.push: time must be finite, got ${time}`);
    if ((payload | 0) !== payload) throw new RangeError(`EventHeap.push: payload must be an int32, got ${payload}`);
    if (this.n === this.times.length) this.grow();
    const times = this.times;
    const seqs = this.seqs;
    const pays = this.payloads;
    const seq = this.nextSeq++;
    // Sift up by moving parents into the hole. The new event has the largest
    // sequence number, so a parent with an equal time already comes first.
    let i = this.n++;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const pt = times[p]!;
      if (pt <= time) break;
      times[i] = pt;
      seqs[i] = seqs[p]!;
      pays[i] = pays[p]!;
      i = p;
    }
    times[i] = time;
    seqs[i] = seq;
    pays[i] = payload;
    return seq;
  }

  /** The time of the earliest event, or Infinity when the heap is empty. */
  peekTime(): number {
    return this.n > 0 ? this.times[0]! : Infinity;
  }

  /** The payload of the earliest event; RangeError when the heap is empty. */
  peekPayload(): number {
    if (this.n === 0) throw new RangeError('EventHeap.peekPayload: the heap is empty');
    return this.payloads[0]!;
  }

  /**
   * Removes the earliest event and returns its payload; its time and sequence
   * number are then in `lastTime` and `lastSeq`. Popping an empty heap is a bug: RangeError.
   */
  pop(): number {
    const n = this.n;
    if (n === 0) throw new RangeError('EventHeap.pop: the heap is empty');
    const payload = this.payloads[0]!;
    this.poppedTime = this.times[0]!;
    this.poppedSeq = this.seqs[0]!;
    const last = n - 1;
    this.n = last;
    if (last > 0) this.refillRoot(last);
    return payload;
  }

  /**
   * Keeps only the events whose payload passes `keep`, in O(size), and returns
   * how many were removed. Sequence numbers are kept, so the order of the
   * survivors does not change. Used to purge cancelled events in bulk.
   */
  retain(keep: (payload: number) => boolean): number {
    const times = this.times;
    const seqs = this.seqs;
    const pays = this.payloads;
    const n = this.n;
    let w = 0;
    for (let r = 0; r < n; r++) {
      const p = pays[r]!;
      if (!keep(p)) continue;
      times[w] = times[r]!;
      seqs[w] = seqs[r]!;
      pays[w] = p;
      w++;
    }
    this.n = w;
    // Floyd's bottom-up heap construction: linear in the number of survivors.
    for (let i = (w >> 1) - 1; i >= 0; i--) this.siftDown(i, times[i]!, seqs[i]!, pays[i]!, w);
    return n - w;
  }

  /** Removes every event. Sequence numbers keep counting, so order stays global. */
  clear(): void {
    this.n = 0;
  }

  /**
   * Fills the hole at the root with the entry at index `n` (now outside the
   * heap), bottom-up (Floyd): walk the hole down along the earlier child to a
   * leaf, then sift the moved entry up. The moved entry came from the bottom
   * and nearly always belongs near it, so this needs about half the
   * comparisons of a plain sift-down.
   */
  private refillRoot(n: number): void {
    const times = this.times;
    const seqs = this.seqs;
    const pays = this.payloads;
    const t = times[n]!;
    const s = seqs[n]!;
    const p = pays[n]!;
    let i = 0;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      const r = c + 1;
      if (r < n) {
        const ct = times[c]!;
        const rt = times[r]!;
        if (rt < ct || (rt === ct && seqs[r]! < seqs[c]!)) c = r;
      }
      times[i] = times[c]!;
      seqs[i] = seqs[c]!;
      pays[i] = pays[c]!;
      i = c;
    }
    while (i > 0) {
      const q = (i - 1) >> 1;
      const qt = times[q]!;
      if (qt < t || (qt === t && seqs[q]! < s)) break;
      times[i] = qt;
      seqs[i] = seqs[q]!;
      pays[i] = pays[q]!;
      i = q;
    }
    times[i] = t;
    seqs[i] = s;
    pays[i] = p;
  }

  /** Places (t, s, p) at hole `i` or below, among the first `n` entries. */
  private siftDown(i: number, t: number, s: number, p: number, n: number): void {
    const times = this.times;
    const seqs = this.seqs;
    const pays = this.payloads;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      let ct = times[c]!;
      let cs = seqs[c]!;
      const r = c + 1;
      if (r < n) {
        const rt = times[r]!;
        if (rt < ct || (rt === ct && seqs[r]! < cs)) {
          c = r;
          ct = rt;
          cs = seqs[r]!;
        }
      }
      if (t < ct || (t === ct && s < cs)) break;
      times[i] = ct;
      seqs[i] = cs;
      pays[i] = pays[c]!;
      i = c;
    }
    times[i] = t;
    seqs[i] = s;
    pays[i] = p;
  }

  private grow(): void {
    const cap = this.times.length * 2;
    const times = new Float64Array(cap);
    const seqs = new Float64Array(cap);
    const pays = new Int32Array(cap);
    times.set(this.times);
    seqs.set(this.seqs);
    pays.set(this.payloads);
    this.times = times;
    this.seqs = seqs;
    this.payloads = pays;
  }
}
