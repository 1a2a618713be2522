import type { Instant } from '../../core/time/duration.ts';

/**
 * A value that changes at known instants: what the registry keeps for every
 * fact the DSP decides on (who owns an MPID, which MPID an MPxN is registered
 * to, whether a supplier is on the failed list). Reading it "at t" answers for
 * that instant, so a decision never depends on when the question is asked and
 * the history stays for the audit.
 *
 * Changes are appended in time order; a change at the same instant as the
 * last one replaces it (the later admin call wins, as it would in a log).
 */
export class Timeline<T> {
  // Replaced, not pushed to, on a change: a registry holds a few timelines per device, most with one or two entries,
  // and an array that grows by `push` reserves room for seventeen.
  private instants: Instant[];
  private values: T[];

  /** `initial` holds from the beginning of time. */
  constructor(initial: T) {
    this.instants = [Number.NEGATIVE_INFINITY];
    this.values = [initial];
  }

  /**
   * From `at` on, the value is `value`.
   * @throws RangeError when `at` is before the last change: history is not rewritten.
   */
  set(at: Instant, value: T): void {
    const last = this.instants.length - 1;
    const lastAt = this.instants[last] as Instant;
    if (at < lastAt) throw new RangeError(`Timeline.set: ${at} is before the last change at ${lastAt}`);
    if (at === lastAt) this.values[last] = value;
    else {
      this.instants = this.instants.concat(at);
      this.values = this.values.concat([value]);
    }
  }

  /** The value at instant `t` (a change at `t` already holds). */
  at(t: Instant): T {
    // Binary search for the last change at or before t.
    let lo = 0;
    let hi = this.instants.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.instants[mid] as Instant) <= t) lo = mid;
      else hi = mid - 1;
    }
    return this.values[lo] as T;
  }

  /** The latest value. */
  get current(): T {
    return this.values[this.values.length - 1] as T;
  }

  /** Every change after the initial value, oldest first. */
  changes(): readonly { readonly at: Instant; readonly value: T }[] {
    return this.instants.slice(1).map((at, i) => ({ at, value: this.values[i + 1] as T }));
  }
}
