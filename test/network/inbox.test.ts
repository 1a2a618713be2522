import { describe, expect, it } from 'vitest';
import { encodeEnvelope } from '../../proto/codec.ts';
import type { Envelope } from '../../proto/types.ts';
import { Inbox } from '../../emulator/network/inbox.ts';

const envelope = (originator: string, counter: bigint): Envelope => ({
  messageId: `${originator}/${counter}`,
  requestId: '',
  originator,
  target: 'hub',
  counter,
  at: 0,
  kind: 'hanCommand',
  hanCommand: { now: 0, kind: 'readBalance', readBalance: {} },
});

const deliver = (inbox: Inbox, es: readonly Envelope[]): void => {
  for (const e of es) inbox.handler({ topic: 't', payload: encodeEnvelope(e), qos: 1, retain: false });
};

const order = (inbox: Inbox): string[] =>
  inbox.drain().map((i) => (i.kind === 'undecodable' ? 'undecodable' : `${i.kind} ${i.envelope.originator} ${i.envelope.counter}`));

describe('inbox', () => {
  it('hands over one instant’s messages in (originator, counter) order, whatever order they arrived in', () => {
    const es = [envelope('B', 1n), envelope('A', 10n), envelope('A', 2n), envelope('B', 0n)];
    const a = new Inbox();
    const b = new Inbox();
    deliver(a, es);
    deliver(b, [...es].reverse());
    const fromA = order(a);
    expect(fromA).toEqual(['envelope A 2', 'envelope A 10', 'envelope B 0', 'envelope B 1']);
    expect(order(b)).toEqual(fromA);
  });

  it('recognises a redelivery by (originator, counter), in one drain or a later one', () => {
    const inbox = new Inbox();
    deliver(inbox, [envelope('A', 1n), envelope('A', 1n)]);
    expect(order(inbox)).toEqual(['envelope A 1', 'duplicate A 1']);
    deliver(inbox, [envelope('A', 1n), envelope('A', 2n)]);
    expect(order(inbox)).toEqual(['duplicate A 1', 'envelope A 2']);
  });

  it('reports an undecodable payload with the DecodeError reason, first, and never throws', () => {
    const inbox = new Inbox();
    deliver(inbox, [envelope('A', 1n)]);
    inbox.handler({ topic: 't', payload: Uint8Array.of(0x0a, 0xff), qos: 1, retain: false });
    const [bad, good] = inbox.drain();
    expect(bad).toMatchObject({ kind: 'undecodable', topic: 't', reason: expect.stringMatching(/^truncated: /) as unknown });
    expect(good?.kind).toBe('envelope');
    expect(inbox.size).toBe(0);
  });
});
