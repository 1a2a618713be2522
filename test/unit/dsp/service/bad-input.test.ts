import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Eui64 } from '../../../../core/ids.ts';
import { HOUR_MS } from '../../../../core/time/duration.ts';
import type { DspOutput } from '../../../../dsp/dsp-outputs.ts';
import { sampleWorld, SRP, SUPPLIER_A, SUPPLIER_B } from '../../../../dsp/sample-world.ts';
import { decodeEnvelope, encodeEnvelope } from '../../../../proto/codec.ts';
import { requestSignedContent } from '../../../../proto/signed-content.ts';
import type { DuisRequestHeader, ServiceRequest, ServiceRequestBody } from '../../../../proto/types.ts';
import { codes, commands, CREDIT, onlyCode, signerOf } from './support.ts';

/**
 * Malformed requests (RELIABILITY §3.7 B03, B04; §3.5 SS07): each gets one specific code, nothing
 * throws, nothing is sent, and no prototype is touched. // DOMAIN §4.4, §4.8
 */

const READ_STATUS: ServiceRequestBody = { kind: 'readSupplyStatus', readSupplyStatus: {} };
const HUGE = 'x'.repeat(1 << 20);
const PROTO_NAMES = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty'];

let protoBefore: string[] = [];
beforeAll(() => {
  protoBefore = Object.getOwnPropertyNames(Object.prototype).sort();
});
afterAll(() => {
  // B03: nothing a request carried reached Object.prototype.
  expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(protoBefore);
  expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
});

function world() {
  const w = sampleWorld();
  const t = w.start + HOUR_MS;
  const esme = w.premises[0]!.esme;
  let counter = 1000n;
  /** A 7.4 read from supplier A with a fresh counter, its header changed by `change`, carrying `body`; signed by A unless `sign` is false. */
  const forge = (change: (h: DuisRequestHeader) => Partial<Record<keyof DuisRequestHeader, unknown>>, body = READ_STATUS, sign = true) => {
    const base = w.supplierA.request(esme.id, '7.4', 1, READ_STATUS, { counter: ++counter });
    const r = { header: { ...base.header, ...change(base.header) }, ...body } as ServiceRequest;
    return sign ? w.supplierA.sign(r) : r;
  };
  return { w, t, esme, forge };
}

/** Submits and checks the outputs are one response and nothing else. */
function answer(w: ReturnType<typeof world>['w'], sender: Eui64, r: ServiceRequest, at: number): string {
  let out: DspOutput[] = [];
  expect(() => (out = w.dsp.submit(sender, r, at))).not.toThrow();
  expect(out).toHaveLength(1);
  expect(commands(out)).toEqual([]);
  return onlyCode(out);
}

describe('malformed requests (RELIABILITY §3.7)', () => {
  it('a missing, garbage or non-canonical RequestID is X1, and the request is counted as rejected input', () => {
    const { w, t, esme, forge } = world();
    const ids: unknown[] = [
      '',
      'garbage',
      undefined,
      null,
      42,
      `${SUPPLIER_A}:${esme.id}`,
      `${SUPPLIER_A}:${esme.id}:1:2`,
      `${SUPPLIER_A.toLowerCase()}:${esme.id}:1`,
      `${SUPPLIER_A}:${esme.id.replaceAll('-', '')}:1`,
      `${SUPPLIER_A}:${esme.id}:`,
      HUGE,
    ];
    for (const [i, requestId] of ids.entries())
      expect(
        answer(
          w,
          SUPPLIER_A,
          forge(() => ({ requestId }), READ_STATUS, false),
          t + i,
        ),
        String(requestId).slice(0, 40),
      ).toBe('X1');
    expect(w.dsp.stats.rejectedInput).toBe(ids.length);
    expect(w.dsp.ledger.totals().received).toBe(0);
    expect(w.dsp.sat.length).toBe(0);
  });

  it("a header whose Business Originator or Target is not the RequestID's is X1; a RequestID naming another originator than the sender is E1", () => {
    const { w, t, forge } = world();
    expect(
      answer(
        w,
        SUPPLIER_A,
        forge(() => ({ businessOriginator: SUPPLIER_B })),
        t,
      ),
    ).toBe('X1');
    expect(
      answer(
        w,
        SUPPLIER_A,
        forge(() => ({ businessTarget: w.premises[1]!.esme.id })),
        t + 1,
      ),
    ).toBe('X1');
    expect(
      answer(
        w,
        SUPPLIER_A,
        forge(() => ({ businessOriginator: 'not-an-eui' })),
        t + 2,
      ),
    ).toBe('X1');
    // Supplier A's correctly signed request arriving on supplier B's topic: B cannot send as A.
    expect(
      answer(
        w,
        SUPPLIER_B,
        forge(() => ({})),
        t + 3,
      ),
    ).toBe('E1');
    // The SRP naming the failed supplier as Business Originator (RELIABILITY SA09).
    const srpAsA = w.srp.request(w.premises[0]!.esme.id, '1.6', 4, CREDIT);
    const spoofed = w.srp.sign({ ...srpAsA, header: { ...srpAsA.header, businessOriginator: SUPPLIER_A } });
    expect(answer(w, SRP, spoofed, t + 4)).toBe('X1');
    expect(w.dsp.ledger.totals().received).toBe(0);
  });

  it('an SRV of valid form that is not in the catalogue is X11; one of invalid form, or a Service Reference that does not match, is X1', () => {
    const { w, t, forge } = world();
    for (const [i, srv] of ['99.9', '1.3', '4.1', '6.2.99'].entries()) {
      expect(
        answer(
          w,
          SUPPLIER_A,
          forge(() => ({ serviceReferenceVariant: srv, serviceReference: srv.split('.').slice(0, 2).join('.') }), {
            kind: 'opaque',
            opaque: new Uint8Array(1),
          }),
          t + i,
        ),
        srv,
      ).toBe('X11');
    }
    const badForm: unknown[] = ['abc', '', '1.06', '1', '1.2.3.4', '0.1', '1.6 ', 7.4, null, HUGE, ...PROTO_NAMES];
    for (const [i, srv] of badForm.entries()) {
      const r = forge(() => ({ serviceReferenceVariant: srv }), READ_STATUS, typeof srv === 'string');
      expect(answer(w, SUPPLIER_A, r, t + 10 + i), String(srv).slice(0, 20)).toBe('X1');
    }
    expect(
      answer(
        w,
        SUPPLIER_A,
        forge(() => ({ serviceReference: '7.5' })),
        t + 50,
      ),
    ).toBe('X1');
  });

  it('a Command Variant outside 1..8 (0, 9, 1e9, −1, 1.5, NaN, text) is E12', () => {
    const { w, t, forge } = world();
    const cvs: unknown[] = [0, 9, 1e9, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, '1', null];
    for (const [i, commandVariant] of cvs.entries()) {
      expect(
        answer(
          w,
          SUPPLIER_A,
          forge(() => ({ commandVariant }), READ_STATUS, false),
          t + i,
        ),
        String(commandVariant),
      ).toBe('E12');
    }
  });

  it('a body that does not belong to the SRV is X1', () => {
    const { w, t, forge } = world();
    expect(
      answer(
        w,
        SUPPLIER_A,
        forge(() => ({}), CREDIT),
        t,
      ),
    ).toBe('X1');
    const wrongKinds = ['__proto__', 'constructor', 'toString'].map((kind) => ({ kind, [kind]: {} }) as unknown as ServiceRequestBody);
    for (const [i, body] of wrongKinds.entries())
      expect(
        answer(
          w,
          SUPPLIER_A,
          forge(() => ({}), body, false),
          t + 1 + i,
        ),
        body.kind,
      ).toBe('X1');
  });

  it('prototype names and huge strings as role codes, EUIs and SRVs get E1 or X1, and reach no prototype', () => {
    const { w, t, esme, forge } = world();
    let at = t;
    for (const name of [...PROTO_NAMES, HUGE, '', 'sc', 'SC ']) {
      expect(
        answer(
          w,
          SUPPLIER_A,
          forge(() => ({ userRole: name })),
          ++at,
        ),
        `role ${name.slice(0, 20)}`,
      ).toBe('E1');
      expect(
        answer(
          w,
          SUPPLIER_A,
          forge(() => ({ requestId: `${name}:${esme.id}:1`, businessOriginator: name }), READ_STATUS, false),
          ++at,
        ),
      ).toBe('X1');
      expect(
        answer(
          w,
          SUPPLIER_A,
          forge(() => ({ requestId: `${SUPPLIER_A}:${name}:1`, businessTarget: name }), READ_STATUS, false),
          ++at,
        ),
      ).toBe('X1');
      expect(
        answer(
          w,
          name as Eui64,
          forge(() => ({})),
          ++at,
        ),
        `sender ${name.slice(0, 20)}`,
      ).toBe('E1');
    }
    // The other doors into the DSP take the same names without harm.
    expect(w.dsp.release(name(0), '__proto__', ++at)).toEqual([]);
    expect(w.dsp.deviceAlert({ code: 1, device: '__proto__', at, critical: false }, ++at)).toEqual([]);
    const ref = { ref: '__proto__', command: 'modeSet' as const, outcome: 'success' as const };
    expect(w.dsp.deviceResponse(name(1), { commsHub: '__proto__', device: 'constructor', response: ref }, ++at)).toEqual([]);
    const adt = JSON.parse(
      '{"user":"__proto__","role":"constructor","thresholds":[{"srv":"__proto__","limit":1}],"__proto__":{"polluted":1}}',
    ) as unknown;
    expect(w.dsp.admin.uploadAdt(adt, ++at).ok).toBe(false);
    expect(w.dsp.stats.unexpectedResponses).toBe(1);
    expect(w.dsp.ledger.totals().received).toBe(0);
  });

  it("SS07: unsigned is X2; another User's certificate, an unknown serial or a non-XML certificate is X12; a signature by another key is X2", () => {
    const { w, t, forge } = world();
    expect(
      answer(
        w,
        SUPPLIER_A,
        forge(() => ({}), READ_STATUS, false),
        t,
      ),
    ).toBe('X2');

    const withSig = (serial: bigint, signature?: Uint8Array): ServiceRequest => {
      const r = forge(() => ({}));
      return { ...r, xmlSignature: { certificateSerial: serial, signature: signature ?? r.xmlSignature!.signature } };
    };
    const srpXml = w.smki.find(SRP, 'xmlSigning')!;
    const aXml = w.smki.find(SUPPLIER_A, 'xmlSigning')!;
    expect(answer(w, SUPPLIER_A, withSig(srpXml.serial), t + 1)).toBe('X12');
    expect(answer(w, SUPPLIER_A, withSig(999_999n), t + 2)).toBe('X12');
    expect(answer(w, SUPPLIER_A, withSig(w.supplierASigning.certificate.serial), t + 3)).toBe('X12');

    // Supplier A's own XML certificate, but the signature is by its Digital-Signing key, or malformed.
    const r = forge(() => ({}));
    const byDs = signerOf(w.supplierASigning)(requestSignedContent(r));
    expect(answer(w, SUPPLIER_A, { ...r, xmlSignature: { certificateSerial: aXml.serial, signature: byDs } }, t + 4)).toBe('X2');
    const other = forge(() => ({}));
    const bySrp = w.srp.sign(other).xmlSignature!.signature;
    expect(answer(w, SUPPLIER_A, { ...other, xmlSignature: { certificateSerial: aXml.serial, signature: bySrp } }, t + 5)).toBe('X2');
    for (const [i, bytes] of [
      new Uint8Array(0),
      new Uint8Array(63),
      new Uint8Array(64),
      new Uint8Array(65).fill(0xff),
      new Uint8Array(64).fill(0xff),
    ].entries()) {
      expect(answer(w, SUPPLIER_A, withSig(aXml.serial, bytes), t + 6 + i), `signature of ${bytes.length} bytes`).toBe('X2');
    }
  });

  it('a RequestID refused for its signature stays refused: sent again, even with a valid signature, it is refused (X2 or X10), never executed, and opens no second record', () => {
    const { w, t, forge } = world();
    const r = forge(() => ({}));
    const broken = { ...r, xmlSignature: { certificateSerial: r.xmlSignature!.certificateSerial, signature: new Uint8Array(64) } };
    expect(answer(w, SUPPLIER_A, broken, t)).toBe('X2');
    expect(['X2', 'X10']).toContain(answer(w, SUPPLIER_A, r, t + 1));
    expect(['X2', 'X10']).toContain(answer(w, SUPPLIER_A, broken, t + 2));
    expect(w.dsp.ledger.totals()).toMatchObject({ received: 1, error: 1 });
  });

  it('B02: random bytes and mutated envelopes never make decodeEnvelope throw; every decoded request gets exactly one answer and never a second command', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 512 }), (bytes) => {
        const r = decodeEnvelope(bytes);
        expect(typeof r.ok).toBe('boolean');
      }),
      { numRuns: 3000 },
    );

    const { w, t, esme } = world();
    const valid = w.supplierA.request(esme.id, '7.4', 1, READ_STATUS);
    // A copy as a plain Uint8Array: the codec may hand back a Buffer, whose slice() is a view, not a copy.
    const envelope = Uint8Array.from(
      encodeEnvelope({
        messageId: 'm-1',
        requestId: valid.header.requestId,
        originator: SUPPLIER_A,
        target: esme.id,
        counter: 1n,
        at: t,
        kind: 'serviceRequest',
        serviceRequest: valid,
      }),
    );
    let at = t;
    const sent = new Map<string, number>();
    let submitted = 0;
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(envelope.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }),
        (flips) => {
          const bytes = envelope.slice();
          for (const [i, b] of flips) bytes[i] = b;
          const d = decodeEnvelope(bytes);
          if (!d.ok) return;
          const e = d.value;
          if (e.kind !== 'serviceRequest') return;
          submitted++;
          let out: DspOutput[] = [];
          expect(() => (out = w.dsp.submit(SUPPLIER_A, e.serviceRequest, ++at))).not.toThrow();
          expect(codes(out)).toHaveLength(1);
          for (const c of commands(out)) sent.set(c.requestId, (sent.get(c.requestId) ?? 0) + 1);
        },
      ),
      { numRuns: 2000 },
    );
    for (const [requestId, n] of sent) expect(n, requestId).toBe(1);
    expect(submitted).toBeGreaterThan(500);
  });
});

/** A name that is not an EUI-64 but a prototype key, as a sender. */
function name(i: number): Eui64 {
  return PROTO_NAMES[i % PROTO_NAMES.length] as Eui64;
}
