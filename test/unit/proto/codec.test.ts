import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeEnvelope, encodeEnvelope } from '../../../proto/codec.ts';
import { EnvelopeType } from '../../../proto/schema.ts';
import type { Envelope, EnvelopeHeader, EnvelopeKind } from '../../../proto/types.ts';
import { bodies, envelopeOf } from './arbitraries.ts';

const KINDS = Object.keys(bodies) as EnvelopeKind[];

const head: EnvelopeHeader = {
  messageId: 'm-1',
  requestId: '',
  originator: '00-DB-12-00-00-00-00-01',
  target: '00-DB-12-00-00-00-00-02',
  counter: 2n ** 64n - 1n,
  at: Date.UTC(2026, 2, 1),
};
const barrier: Envelope = {
  ...head,
  kind: 'clockBarrier',
  clockBarrier: { instant: Date.UTC(2026, 2, 1), shard: 3, quiet: true },
};

describe('encodeEnvelope / decodeEnvelope round trip', () => {
  it('covers every body kind of the schema', () => {
    const oneof = EnvelopeType.oneofs['body'];
    expect(oneof?.fieldsArray.map((f) => f.name).sort()).toEqual([...KINDS].sort());
  });

  it.each(KINDS)('gives back every %s exactly', (kind) => {
    fc.assert(
      fc.property(envelopeOf(kind), (e) => {
        const r = decodeEnvelope(encodeEnvelope(e));
        expect(r).toEqual({ ok: true, value: e });
      }),
    );
  });

  it('keeps a counter of 2^64-1, negative money and a far-future instant', () => {
    const e: Envelope = {
      ...head,
      at: Number.MAX_SAFE_INTEGER,
      kind: 'hanCommand',
      hanCommand: { now: -1, kind: 'balanceAdjust', balanceAdjust: { kind: 'adjust', amount: Number.MIN_SAFE_INTEGER } },
    };
    expect(decodeEnvelope(encodeEnvelope(e))).toEqual({ ok: true, value: e });
  });

  it('keeps -0, NaN, Infinity and a __proto__ key in a response body', () => {
    const body: Record<string, number | null> = { zero: -0, nan: NaN, inf: -Infinity, big: 2 ** 60, none: null };
    Object.defineProperty(body, '__proto__', { value: 1.5, enumerable: true });
    const e: Envelope = { ...head, kind: 'hanResponse', hanResponse: { ref: null, command: 'readBalance', outcome: 'success', body } };
    const r = decodeEnvelope(encodeEnvelope(e));
    expect(r.ok).toBe(true);
    if (!r.ok || r.value.kind !== 'hanResponse') return;
    const got = r.value.hanResponse.body ?? {};
    expect(Object.is(got['zero'], -0)).toBe(true);
    expect(Object.keys(got)).toEqual(['zero', 'nan', 'inf', 'big', 'none', '__proto__']);
    expect(Object.getOwnPropertyDescriptor(got, '__proto__')?.value).toBe(1.5);
    expect(Object.getPrototypeOf(got)).toBe(Object.prototype);
  });

  it('tells an absent body from an empty one, and an absent ref from an empty one', () => {
    const base = { command: 'supplyArm', outcome: 'success' } as const;
    for (const hanResponse of [
      { ...base, ref: null },
      { ...base, ref: '' },
      { ...base, ref: null, body: {} },
    ]) {
      const e: Envelope = { ...head, kind: 'hanResponse', hanResponse };
      expect(decodeEnvelope(encodeEnvelope(e))).toEqual({ ok: true, value: e });
    }
  });

  it('decodes bytes into copies, not views of the payload', () => {
    const e: Envelope = {
      ...head,
      kind: 'serviceRequest',
      serviceRequest: { header: header(), kind: 'opaque', opaque: Uint8Array.of(1, 2, 3) },
    };
    const bytes = encodeEnvelope(e);
    const r = decodeEnvelope(bytes);
    bytes.fill(0);
    expect(
      r.ok && r.value.kind === 'serviceRequest' && r.value.serviceRequest.kind === 'opaque' && [...r.value.serviceRequest.opaque],
    ).toEqual([1, 2, 3]);
  });
});

describe('encodeEnvelope refuses a bad message as a bug', () => {
  const bad: [string, unknown][] = [
    ['a counter above 2^64-1', { ...barrier, counter: 2n ** 64n }],
    ['a negative counter', { ...barrier, counter: -1n }],
    ['an unsafe instant', { ...barrier, at: 2 ** 60 }],
    ['a fractional instant', { ...barrier, at: 1.5 }],
    ['a negative shard', { ...barrier, clockBarrier: { ...barrier.clockBarrier, shard: -1 } }],
    ['a number for a string', { ...barrier, messageId: 7 }],
    ['a string for a bool', { ...barrier, clockBarrier: { ...barrier.clockBarrier, quiet: 'yes' } }],
    ['an unknown via', { ...head, kind: 'hanCommand', hanCommand: { now: 0, kind: 'ecActivate', ecActivate: { via: 'post' } } }],
  ];
  it.each(bad)('throws TypeError for %s', (_, e) => {
    expect(() => encodeEnvelope(e as Envelope)).toThrow(TypeError);
  });
});

function header(): Extract<Envelope, { kind: 'serviceRequest' }>['serviceRequest']['header'] {
  return {
    requestId: '90-B3-D5-1F-30-01-00-00:00-DB-12-34-56-78-90-A0:1002',
    serviceReference: '1.6',
    serviceReferenceVariant: '1.6',
    commandVariant: 4,
    businessOriginator: '90-B3-D5-1F-30-01-00-00',
    businessTarget: '00-DB-12-34-56-78-90-A0',
    userRole: 'IS',
  };
}
