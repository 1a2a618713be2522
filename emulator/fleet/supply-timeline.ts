import type { Instant } from '../../core/time/duration.ts';
import { MINUTE_MS } from '../../core/time/duration.ts';
import type { DisableCause, SupplyState } from '../devices/common/meter-types.ts';

/**
 * Why a consumer had no energy: the meter disabled itself for lack of credit,
 * it was armed and waiting for the consumer to press the button, or a remote
 * Disable turned it off. (A fault outside the meter is kept apart: `recordFault`.)
 */
export type OffCause = 'credit' | 'armed' | 'remote';

export const OFF_CAUSES: readonly OffCause[] = ['credit', 'armed', 'remote'];

/** One span without supply. */
export interface OffInterval {
  readonly from: Instant;
  readonly to: Instant;
  readonly cause: OffCause;
}

/** A span without supply because of a fault outside the meter (mains power lost at the premises). */
export interface FaultInterval {
  readonly from: Instant;
  readonly to: Instant;
}

/**
 * Off-supply spans of one meter, recorded as its supply state changes, and,
 * apart, the spans a fault outside the meter cut its supply (a scenario's
 * power cut): the meter's own state does not see those.
 */
export class SupplyTimeline {
  readonly intervals: OffInterval[] = [];
  private since: Instant = 0;
  private cause: OffCause | null = null;
  private readonly faults: FaultInterval[] = [];

  /** Records the supply state from `at` on. */
  record(at: Instant, supply: SupplyState, disableCause: DisableCause | null): void {
    const cause = offCause(supply, disableCause);
    if (cause === this.cause) return;
    if (this.cause !== null && at > this.since) this.intervals.push({ from: this.since, to: at, cause: this.cause });
    this.cause = cause;
    this.since = at;
  }

  /** Closes an open span at the end of the run; fault spans end there too. */
  close(at: Instant): void {
    if (this.cause !== null && at > this.since) this.intervals.push({ from: this.since, to: at, cause: this.cause });
    this.cause = null;
    for (let i = this.faults.length - 1; i >= 0; i--) {
      const f = this.faults[i] as FaultInterval;
      if (f.from >= at) this.faults.splice(i, 1);
      else if (f.to > at) this.faults[i] = { from: f.from, to: at };
    }
  }

  /** A fault cut the supply from `from` to `to` (mains power lost), whatever the meter's own state. */
  recordFault(from: Instant, to: Instant): void {
    if (to > from) this.faults.push({ from, to });
  }

  /**
   * The fault spans, merged, without the parts when the meter was already off
   * for its own cause: so each minute off has one cause, and a consumer's
   * minutes off are the union over causes.
   */
  faultIntervals(): FaultInterval[] {
    const merged: { from: Instant; to: Instant }[] = [];
    for (const f of [...this.faults].sort((a, b) => a.from - b.from)) {
      const last = merged[merged.length - 1];
      if (last !== undefined && f.from <= last.to) last.to = Math.max(last.to, f.to);
      else merged.push({ from: f.from, to: f.to });
    }
    const own = [...this.intervals].sort((a, b) => a.from - b.from);
    const out: FaultInterval[] = [];
    for (const f of merged) {
      let from = f.from;
      for (const o of own) {
        if (o.to <= from || o.from >= f.to) continue;
        if (o.from > from) out.push({ from, to: o.from });
        from = Math.max(from, o.to);
      }
      if (from < f.to) out.push({ from, to: f.to });
    }
    return out;
  }

  /** Whole minutes off supply by cause. */
  minutesOff(): Record<OffCause, number> {
    const out: Record<OffCause, number> = { credit: 0, armed: 0, remote: 0 };
    for (const i of this.intervals) out[i.cause] += (i.to - i.from) / MINUTE_MS;
    for (const c of OFF_CAUSES) out[c] = Math.round(out[c]);
    return out;
  }
}

function offCause(supply: SupplyState, cause: DisableCause | null): OffCause | null {
  if (supply === 'Enabled') return null;
  if (supply === 'Armed') return 'armed';
  return cause === 'remote' ? 'remote' : 'credit';
}
