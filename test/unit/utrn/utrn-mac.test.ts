import { p256 } from '@noble/curves/nist.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { unwrap } from '../../../core/result.ts';
import {
  deriveUtrnKey,
  deriveUtrnKeyOnDevice,
  ecdhP256Shared,
  encodeUtrn,
  kaKeyPairFromSeed,
  mintUtrn,
  parseUtrn,
  ptutHigh,
  utrnKeyFromSecret,
  utrnMac,
  type UtrnFields,
} from '../../../emulator/devices/common/utrn/index.ts';
import { pence, pounds } from '../../../core/money.ts';
import {
  REF_DEVICE_EUI,
  REF_DEVICE_KA_PUBLIC,
  REF_SUPPLIER_EUI,
  REF_SUPPLIER_PP_KA_PRIVATE,
  REF_SUPPLIER_PP_KA_PUBLIC,
  hex,
  toHex,
} from './fixtures.ts';

// Published reference top-ups for the reference Supplier → ESME pair (DOMAIN §2.2).
const REFERENCE: { counter: bigint; fields: Omit<UtrnFields, 'mac'>; utrn: string }[] = [
  { counter: 1n << 32n, fields: { counterLow10: 1, valueClass: 'pounds', value: 100 }, utrn: '73943333457189043313' },
  { counter: 4n << 32n, fields: { counterLow10: 4, valueClass: 'pennies', value: 1234 }, utrn: '73947252416745201637' },
  // The SR 2.2 / CS01a reference request: RequestID counter 12884901888 = 3 << 32, £10.
  { counter: 12_884_901_888n, fields: { counterLow10: 3, valueClass: 'pounds', value: 10 }, utrn: '73946144332040217315' },
];

describe('UTRN MAC known answers', () => {
  it.each(REFERENCE)('reproduces $utrn', ({ counter, fields, utrn }) => {
    const key = unwrap(deriveUtrnKey(REF_SUPPLIER_PP_KA_PRIVATE, REF_DEVICE_KA_PUBLIC, REF_SUPPLIER_EUI, REF_DEVICE_EUI, counter));
    const mac = utrnMac(key, REF_SUPPLIER_EUI, REF_DEVICE_EUI, counter, ptutHigh(fields));
    expect(encodeUtrn({ ...fields, mac })).toBe(utrn);
  });

  it('mints the reference UTRNs from Money', () => {
    const secret = unwrap(ecdhP256Shared(REF_SUPPLIER_PP_KA_PRIVATE, REF_DEVICE_KA_PUBLIC));
    const base = { secret, originator: REF_SUPPLIER_EUI, target: REF_DEVICE_EUI };
    expect(mintUtrn({ ...base, counter: 1n << 32n, credit: pounds(100) })).toEqual({ ok: true, value: '73943333457189043313' });
    expect(mintUtrn({ ...base, counter: 4n << 32n, credit: pence(1234) })).toEqual({ ok: true, value: '73947252416745201637' });
    const rtds = { ...base, counter: 12_884_901_888n, credit: pounds(10), valueClass: 'pounds' } as const;
    expect(mintUtrn(rtds)).toEqual({ ok: true, value: '73946144332040217315' });
  });

  it('decodes the SR 2.2 / CS01a reference request to counter 3, £10', () => {
    expect(parseUtrn('73946144332040217315')).toMatchObject({ ok: true, value: { counterLow10: 3, valueClass: 'pounds', value: 10 } });
  });
});

describe('UTRN key derivation', () => {
  it('gives the device the same key as the Supplier', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 1, maxLength: 16 }),
        fc.uint8Array({ minLength: 1, maxLength: 16 }),
        fc.bigInt({ min: 1n, max: 0xffff_ffffn }),
        (s1, s2, top) => {
          const supplier = kaKeyPairFromSeed(s1);
          const device = kaKeyPairFromSeed(Uint8Array.of(0xff, ...s2));
          const counter = top << 32n;
          const a = unwrap(deriveUtrnKey(supplier.privateKey, device.publicKey, REF_SUPPLIER_EUI, REF_DEVICE_EUI, counter));
          const b = unwrap(deriveUtrnKeyOnDevice(device.privateKey, supplier.publicKey, REF_SUPPLIER_EUI, REF_DEVICE_EUI, counter));
          expect(toHex(a)).toBe(toHex(b));
          expect(a).toHaveLength(16);
        },
      ),
      { numRuns: 30 },
    );
  });

  it('derives a different key for every counter and target', () => {
    const z = unwrap(ecdhP256Shared(REF_SUPPLIER_PP_KA_PRIVATE, REF_DEVICE_KA_PUBLIC));
    const k1 = toHex(utrnKeyFromSecret(z, REF_SUPPLIER_EUI, REF_DEVICE_EUI, 1n << 32n));
    expect(toHex(utrnKeyFromSecret(z, REF_SUPPLIER_EUI, REF_DEVICE_EUI, 2n << 32n))).not.toBe(k1);
    expect(toHex(utrnKeyFromSecret(z, REF_SUPPLIER_EUI, hex('00DB1234567890A1'), 1n << 32n))).not.toBe(k1);
  });

  it('rejects malformed keys as FieldErrors and wrong-sized EUIs as bugs', () => {
    expect(deriveUtrnKey(new Uint8Array(31), REF_DEVICE_KA_PUBLIC, REF_SUPPLIER_EUI, REF_DEVICE_EUI, 1n).ok).toBe(false);
    expect(deriveUtrnKey(new Uint8Array(32), REF_DEVICE_KA_PUBLIC, REF_SUPPLIER_EUI, REF_DEVICE_EUI, 1n).ok).toBe(false);
    expect(deriveUtrnKey(REF_SUPPLIER_PP_KA_PRIVATE, REF_DEVICE_KA_PUBLIC.subarray(1), REF_SUPPLIER_EUI, REF_DEVICE_EUI, 1n).ok).toBe(
      false,
    );
    expect(() => utrnKeyFromSecret(new Uint8Array(32), new Uint8Array(7), REF_DEVICE_EUI, 1n)).toThrow(TypeError);
    expect(() => utrnMac(new Uint8Array(16), REF_SUPPLIER_EUI, REF_DEVICE_EUI, -1n, 0)).toThrow(RangeError);
  });

  it('makes key pairs deterministically from a seed, matching the published public key form', () => {
    const a = kaKeyPairFromSeed(hex('01'));
    expect(toHex(kaKeyPairFromSeed(hex('01')).privateKey)).toBe(toHex(a.privateKey));
    expect(toHex(kaKeyPairFromSeed(hex('02')).privateKey)).not.toBe(toHex(a.privateKey));
    expect(toHex(a.publicKey)).toBe(toHex(p256.getPublicKey(a.privateKey, false)));
    expect(p256.utils.isValidSecretKey(a.privateKey)).toBe(true);
    expect(toHex(REF_SUPPLIER_PP_KA_PUBLIC)).toBe(toHex(p256.getPublicKey(REF_SUPPLIER_PP_KA_PRIVATE, false)));
  });
});
