import { decodeEnvelope } from '../../proto/codec.ts';
import type { Envelope } from '../../proto/types.ts';
import type { BusMessage } from '../bus/port.ts';

/**
 * What one bus client of a premises has received and not yet handled.
 * // ARCHITECTURE "Time"; docs/bus.md "Payloads"
 *
 * Handlers only collect: the runner drains every inbox once the bus is quiet
 * at the current instant, and a drain hands the messages over in a canonical
 * order — by (originator, counter, message id) — so the order in which a
 * broker happened to deliver them never shows. An MQTT broker orders messages
 * per publisher and topic only; the memory bus orders them by clock events.
 *
 * At-least-once delivery (QoS 1 redelivery, or a sender publishing the same
 * envelope twice) is recognised by (originator, counter): the second copy is
 * reported as a duplicate and its effect does not happen again. The keys seen
 * are kept for the life of the run (a premises' traffic over days is small).
 */
export type Inbound =
  | { readonly kind: 'envelope'; readonly topic: string; readonly envelope: Envelope }
  | { readonly kind: 'duplicate'; readonly topic: string; readonly envelope: Envelope }
  | { readonly kind: 'undecodable'; readonly topic: string; readonly reason: string; readonly hex: string };

export class Inbox {
  private pending: { readonly topic: string; readonly payload: Uint8Array }[] = [];
  private readonly seen = new Set<string>();

  /** The bus handler: keeps the message for the next drain; never throws. */
  readonly handler = (m: BusMessage): void => {
    this.pending.push({ topic: m.topic, payload: m.payload });
  };

  get size(): number {
    return this.pending.length;
  }

  /** Everything received since the last drain, decoded, deduplicated and in canonical order. */
  drain(): Inbound[] {
    const batch = this.pending;
    this.pending = [];
    const bad: Inbound[] = [];
    const good: { topic: string; envelope: Envelope }[] = [];
    for (const m of batch) {
      const r = decodeEnvelope(m.payload);
      if (r.ok) good.push({ topic: m.topic, envelope: r.value });
      else bad.push({ kind: 'undecodable', topic: m.topic, reason: `${r.error.code}: ${r.error.message}`, hex: hex(m.payload) });
    }
    bad.sort((a, b) => compare(a.topic, b.topic) || compare(a.kind === 'undecodable' ? a.hex : '', b.kind === 'undecodable' ? b.hex : ''));
    good.sort((a, b) => compareEnvelopes(a.envelope, b.envelope) || compare(a.topic, b.topic));
    const out: Inbound[] = [...bad];
    for (const g of good) {
      const key = `${g.envelope.originator}#${g.envelope.counter}`;
      const duplicate = this.seen.has(key);
      this.seen.add(key);
      out.push({ kind: duplicate ? 'duplicate' : 'envelope', topic: g.topic, envelope: g.envelope });
    }
    return out;
  }
}

/** The canonical order of envelopes handled by one receiver at one instant: originator, counter, message id. */
export function compareEnvelopes(a: Envelope, b: Envelope): number {
  return (
    compare(a.originator, b.originator) || (a.counter < b.counter ? -1 : a.counter > b.counter ? 1 : 0) || compare(a.messageId, b.messageId)
  );
}

const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
