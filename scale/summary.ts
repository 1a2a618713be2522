import type { RunOutcome } from './coordinator.ts';

/** A run's outcome as a printable record: counts, virtual times in ISO form, digests, wall time. */
export function summarise(o: RunOutcome): Record<string, unknown> {
  const iso = (t: number | null): string | null => (t === null ? null : new Date(t).toISOString());
  return {
    shards: o.shards.length,
    windows: o.windows,
    messages: o.messages,
    start: iso(o.start),
    end: iso(o.end),
    skippedMs: o.skippedMs,
    resultBytes: o.result.length,
    resultDigest: o.resultDigest,
    traceDigest: o.traceDigest,
    wallMs: Math.round(o.wallMs),
  };
}
