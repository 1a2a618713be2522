import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toHanCommand } from '../../../proto/han-mapping.ts';
import { decodePreCommand, encodePreCommand, requestSignedContent } from '../../../proto/signed-content.ts';
import type { PreCommand, ServiceRequest } from '../../../proto/types.ts';
import { bodies, eui, meterEvent, u64 } from './arbitraries.ts';

const preCommand: fc.Arbitrary<PreCommand> = fc.record({
  requestId: fc.string(),
  remoteParty: eui,
  device: eui,
  counter: u64,
  serviceReferenceVariant: fc.constantFrom('1.6', '7.3', '2.1'),
  command: meterEvent.map(toHanCommand),
});

describe('Pre-Command bytes', () => {
  it('decode(encode(p)) is p, and encoding is a function of the value alone', () => {
    fc.assert(
      fc.property(preCommand, (p) => {
        const bytes = encodePreCommand(p);
        const back = decodePreCommand(bytes);
        expect(back).toEqual({ ok: true, value: p });
        expect(encodePreCommand(structuredClone(p))).toEqual(bytes);
      }),
    );
  });

  it('leaves out an authorisation carried by the command: a signature never covers itself', () => {
    fc.assert(
      fc.property(preCommand, fc.uint8Array({ minLength: 1, maxLength: 64 }), (p, sig) => {
        const signed = { ...p, command: { ...p.command, authorisation: { preCommand: sig, signature: sig } } };
        expect(encodePreCommand(signed)).toEqual(encodePreCommand(p));
      }),
    );
  });

  it('answers any bytes with a value or a decode error, never a throw', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        const r = decodePreCommand(bytes);
        expect(typeof r.ok).toBe('boolean');
      }),
    );
    expect(decodePreCommand(new Uint8Array(5000))).toMatchObject({ ok: false, error: { code: 'oversized' } });
    expect(decodePreCommand('x' as unknown as Uint8Array)).toMatchObject({ ok: false, error: { code: 'invalid' } });
  });
});

describe('the content an XML signature covers', () => {
  it('is the same whatever signature the request carries, and changes with any header field', () => {
    fc.assert(
      fc.property(bodies.serviceRequest, fc.uint8Array({ maxLength: 64 }), u64, (b, sig, serial) => {
        const r: ServiceRequest = b.serviceRequest;
        const withSig: ServiceRequest = { ...r, xmlSignature: { certificateSerial: serial, signature: sig } };
        expect(requestSignedContent(withSig)).toEqual(requestSignedContent(r));
        const other: ServiceRequest = { ...r, header: { ...r.header, commandVariant: r.header.commandVariant === 5 ? 4 : 5 } };
        expect(requestSignedContent(other)).not.toEqual(requestSignedContent(r));
      }),
    );
  });
});
