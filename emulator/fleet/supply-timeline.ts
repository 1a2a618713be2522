import type { Instant } from '../../core/time/duration.ts';
import { MINUTE_MS } from '../../core/time/duration.ts';
import type { DisableCause, SupplyState } from '../devices/common/meter-types.ts';

/**
 * Why a consumer had no energy: the meter disabled itself for lack of credit,
 * it was armed and waiting for the consumer to press the button, or a remote
 * Disable turned it off. (Faults join this list with the network.)
 */
export type OffCause = 'credit' | 'armed' | 'remote';

export const OFF_CAUSES: readonly OffCause[] = ['credit', 'armed', 'remote'];

/** One span without supply. */
export interface OffInterval {
  readonly from: Instant;
  readonly to: Instant;
  readonly cause: OffCause;
}

/** Off-supply spans of one meter, recorded as its supply state changes. */
export class SupplyTimeline {
  readonly intervals: OffInterval[] = [];
  private since: Instant = 0;
  private cause: OffCause | null = null;

  /** Records the supply state from `at` on. */
  record(at: Instant, supply: SupplyState, disableCause: DisableCause | null): void {
    const cause = offCause(supply, disableCause);
    if (cause === this.cause) return;
    if (this.cause !== null && at > this.since) this.intervals.push({ from: this.since, to: at, cause: this.cause });
    this.cause = cause;
    this.since = at;
  }

  /** Closes an open span at the end of the run. */
  close(at: Instant): void {
    if (this.cause !== null && at > this.since) this.intervals.push({ from: this.since, to: at, cause: this.cause });
    this.cause = null;
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
