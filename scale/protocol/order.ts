import type { Instant } from '../../core/time/duration.ts';
import type { CrossMessage } from '../../proto/scale-codec.ts';

/**
 * The canonical order of cross messages, and the rules every message a shard
 * emits must keep. // docs/scale-out.md "Lookahead"
 */

/**
 * Canonical order: by delivery time, then sender key (code-unit order), then
 * the sender's sequence number. A total order on the messages of a run, since
 * (from, seq) is unique; it names no shard, so it is the same whichever shard
 * sent a message and however many there are.
 */
export function compareCanonical(a: CrossMessage, b: CrossMessage): number {
  if (a.deliverAt !== b.deliverAt) return a.deliverAt - b.deliverAt;
  if (a.from !== b.from) return a.from < b.from ? -1 : 1;
  return a.seq - b.seq;
}

/** Sorts in place into canonical order; returns the array. */
export function sortCanonical<T extends CrossMessage>(messages: T[]): T[] {
  return messages.sort(compareCanonical);
}

/**
 * The second of the first two messages in a canonically sorted list that
 * share (deliverAt, from, seq), or null: two such messages would be handled in
 * arrival order, so a run would no longer replay.
 */
export function findDuplicate(sorted: readonly CrossMessage[]): CrossMessage | null {
  for (let i = 1; i < sorted.length; i++) {
    const a = sorted[i - 1]!;
    const b = sorted[i]!;
    if (a.from === b.from && a.seq === b.seq && a.deliverAt === b.deliverAt) return b;
  }
  return null;
}

/** What a shard's run of one window must respect. */
export interface OutboundRules {
  readonly from: Instant;
  readonly until: Instant;
  readonly lookaheadMs: number;
  readonly shard: number;
  readonly shardOf: (key: string) => number;
}

/**
 * Why a window's outbound messages or next event break the protocol, or null
 * when they keep it: each sent in [from, until), delivered no sooner than the
 * lookahead, from a key this shard owns, with a safe sequence number; the next
 * event not before `until`.
 */
export function outboundProblem(rules: OutboundRules, outbound: readonly CrossMessage[], next: Instant | null): string | null {
  const { from, until, lookaheadMs, shard } = rules;
  if (next !== null && !(Number.isSafeInteger(next) && next >= until)) {
    return `next event ${String(next)} is before the end of the window ${until} (events before it must run in it)`;
  }
  for (let i = 0; i < outbound.length; i++) {
    const m = outbound[i]!;
    const which = `outbound message ${i} (from ${JSON.stringify(m.from)}, seq ${m.seq})`;
    if (!(Number.isSafeInteger(m.sentAt) && m.sentAt >= from && m.sentAt < until)) {
      return `${which} was sent at ${m.sentAt}, outside the window [${from}, ${until})`;
    }
    if (!(Number.isSafeInteger(m.deliverAt) && m.deliverAt >= m.sentAt + lookaheadMs)) {
      return `${which} is delivered at ${m.deliverAt}, sooner than the lookahead ${lookaheadMs} ms after it was sent (${m.sentAt})`;
    }
    if (!(Number.isSafeInteger(m.seq) && m.seq >= 0)) return `${which} has a bad sequence number`;
    if (typeof m.to !== 'string' || !(m.payload instanceof Uint8Array)) return `${which} has no addressee or payload`;
    const owner = rules.shardOf(m.from);
    if (owner !== shard) return `${which} is from a key owned by shard ${owner}, not this shard ${shard}`;
  }
  return null;
}
