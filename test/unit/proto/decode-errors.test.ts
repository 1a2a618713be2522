import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeEnvelope, DEFAULT_MAX_BYTES, encodeEnvelope } from '../../../proto/codec.ts';
import type { DecodeErrorCode } from '../../../proto/decode-error.ts';
import { EnvelopeType } from '../../../proto/schema.ts';
import type { Envelope } from '../../../proto/types.ts';
import { envelope } from './arbitraries.ts';

const CODES: readonly DecodeErrorCode[] = ['oversized', 'truncated', 'wrong-wire-type', 'invalid', 'unknown-type', 'unsupported-version'];

const utrnCommand: Envelope = {
  messageId: 'm-7',
  requestId: '90-B3-D5-1F-30-01-00-00:00-DB-12-34-56-78-90-A0:1002',
  originator: '90-B3-D5-1F-30-01-00-00',
  target: '00-DB-12-34-56-78-90-A0',
  counter: 1002n,
  at: Date.UTC(2026, 2, 1, 18),
  kind: 'hanCommand',
  hanCommand: {
    now: Date.UTC(2026, 2, 1, 18),
    ref: 'r',
    kind: 'creditUtrn',
    creditUtrn: { utrn: '12345678901234567890', via: 'remote', counter: 5n },
  },
};

/** Raw protobufjs encoding, bypassing the codec's checks, for messages the codec would never write. */
const raw = (o: Record<string, unknown>): Uint8Array => EnvelopeType.encode(o).finish();

const codeOf = (bytes: Uint8Array, max?: number): string => {
  const r = decodeEnvelope(bytes, max);
  return r.ok ? 'ok' : r.error.code;
};

describe('decodeEnvelope on bad input', () => {
  it('decodes every prefix of a valid encoding to an envelope or a DecodeError, never throwing', () => {
    fc.assert(
      fc.property(envelope, (e) => {
        const bytes = encodeEnvelope(e);
        for (let n = 0; n < bytes.length; n++) {
          const r = decodeEnvelope(bytes.subarray(0, n));
          if (!r.ok) expect(CODES).toContain(r.error.code);
        }
      }),
    );
  });

  it('reports a cut inside the body as truncated', () => {
    const bytes = encodeEnvelope(utrnCommand);
    expect(codeOf(bytes.subarray(0, bytes.length - 3))).toBe('truncated');
    expect(decodeEnvelope(bytes.subarray(0, bytes.length - 1))).toMatchObject({ ok: false, error: { message: /index out of range/ } });
  });

  it('never throws on random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        const r = decodeEnvelope(bytes);
        if (!r.ok) expect(CODES).toContain(r.error.code);
      }),
    );
  });

  it('never throws on a valid encoding with random bytes flipped', () => {
    fc.assert(
      fc.property(envelope, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }), (e, flips) => {
        const bytes = encodeEnvelope(e);
        for (const [at, value] of flips) bytes[at % bytes.length] = value;
        const r = decodeEnvelope(bytes);
        if (!r.ok) expect(CODES).toContain(r.error.code);
      }),
    );
  });

  it.each([
    ['6', 0x0e],
    ['7', 0x0f],
    ['4 (end group outside a group)', 0x0c],
  ])('reports wire type %s as wrong-wire-type', (_, tag) => {
    const bytes = Uint8Array.from([...encodeEnvelope(utrnCommand), tag, 0]);
    expect(decodeEnvelope(bytes)).toMatchObject({ ok: false, error: { code: 'wrong-wire-type', message: /invalid wire type/ } });
  });

  it('skips a known field sent with another defined wire type, as protobuf decoders do', () => {
    // Field 7 (`at`, a varint) as fixed64: ignored like an unknown field, so `at` reads 0.
    const bytes = Uint8Array.from([...encodeEnvelope({ ...utrnCommand, at: 0 }), (7 << 3) | 1, 1, 2, 3, 4, 5, 6, 7, 8]);
    expect(decodeEnvelope(bytes)).toEqual({ ok: true, value: { ...utrnCommand, at: 0 } });
  });

  it('refuses more than maxBytes before parsing', () => {
    expect(codeOf(new Uint8Array(DEFAULT_MAX_BYTES + 1))).toBe('oversized');
    expect(codeOf(new Uint8Array(64 * 1024).fill(0xff))).not.toBe('oversized');
    const bytes = encodeEnvelope(utrnCommand);
    expect(codeOf(bytes, bytes.length)).toBe('ok');
    expect(codeOf(bytes, bytes.length - 1)).toBe('oversized');
  });

  it('reports an envelope without a body as unknown-type', () => {
    expect(codeOf(raw({ schemaVersion: 1, messageId: 'm' }))).toBe('unknown-type');
  });

  it('reports a body from a later schema (an unknown field number) as unknown-type', () => {
    const future = Uint8Array.from([...raw({ schemaVersion: 1, messageId: 'm' }), (41 << 3) | 2, 2, 8, 1]);
    expect(codeOf(future)).toBe('unknown-type');
  });

  it.each([0, 2, 0xffff_ffff])('reports schema_version %i as unsupported-version', (v) => {
    const bytes = raw({ schemaVersion: v, messageId: 'm', clockBarrier: { instant: 1, shard: 0, quiet: true } });
    expect(decodeEnvelope(bytes)).toMatchObject({
      ok: false,
      error: { code: 'unsupported-version', message: new RegExp(`schema_version ${v}`) },
    });
  });

  it('reports empty input as unsupported-version (no version at all)', () => {
    expect(codeOf(new Uint8Array(0))).toBe('unsupported-version');
  });

  const invalid: [string, Record<string, unknown>, RegExp][] = [
    ['a HAN command without a command', { hanCommand: { now: 1 } }, /hanCommand\.command/],
    ['an unknown Via', { hanCommand: { ecActivate: { via: 9 } } }, /ecActivate\.via.*Via.*9/],
    ['Via unspecified', { hanCommand: { ecActivate: {} } }, /ecActivate\.via/],
    ['money beyond 2^53', { hanCommand: { balanceAdjust: { kind: 1, amount: 2 ** 60 } } }, /amount: expected a safe integer/],
    ['an instant beyond 2^53', { at: -(2 ** 60), clockBarrier: {} }, /envelope\.at/],
    ['a response without outcome', { hanResponse: { command: 2 } }, /hanResponse\.outcome/],
    ['a body value with nothing in it', { hanResponse: { command: 2, outcome: 1, body: { values: { k: {} } } } }, /body\.values\.k\.value/],
    ['a Service Request without header', { serviceRequest: { readMeterBalance: {} } }, /serviceRequest\.header/],
    ['a Service Request without body', { serviceRequest: { header: {} } }, /serviceRequest\.body/],
    ['a WAN command without its HAN command', { wanCommand: { commsHub: 'h' } }, /wanCommand\.command/],
    ['a payment mode without mode', { serviceRequest: { header: {}, updatePaymentMode: {} } }, /updatePaymentMode\.mode/],
    ['config.debt without registers', { hanCommand: { configDebt: {} } }, /configDebt\.add/],
  ];
  it.each(invalid)('reports %s as invalid', (_, body, message) => {
    const r = decodeEnvelope(raw({ schemaVersion: 1, ...body }));
    expect(r).toMatchObject({ ok: false, error: { code: 'invalid', message } });
  });

  it('reports malformed UTF-8 as invalid', () => {
    // Field 2 (message_id), length 2, bytes C3 28: not UTF-8.
    const bytes = Uint8Array.from([...raw({ schemaVersion: 1, clockBarrier: {} }), 0x12, 2, 0xc3, 0x28]);
    expect(codeOf(bytes)).toBe('invalid');
  });

  it('reports a varint longer than ten bytes as invalid', () => {
    const bytes = Uint8Array.from([0x08, ...new Array<number>(11).fill(0x80), 0x01]);
    expect(codeOf(bytes)).toBe('invalid');
  });

  it('reports groups nested past the recursion limit as invalid', () => {
    // Field 9 (unknown) start-group, 10 000 times: skipping it must not blow the stack.
    const bytes = Uint8Array.from([...raw({ schemaVersion: 1, clockBarrier: {} }), ...new Array<number>(10_000).fill((9 << 3) | 3)]);
    expect(decodeEnvelope(bytes)).toMatchObject({ ok: false, error: { code: 'invalid', message: /max depth/ } });
  });

  it('takes the last of two bodies, as protobuf does for a oneof', () => {
    const bytes = Uint8Array.from([
      ...raw({ schemaVersion: 1, clockBarrier: { shard: 1 } }),
      ...raw({ dccAlert: { code: 'N12', text: 't', requestId: '' } }),
    ]);
    const r = decodeEnvelope(bytes);
    expect(r.ok && r.value.kind).toBe('dccAlert');
  });
});
