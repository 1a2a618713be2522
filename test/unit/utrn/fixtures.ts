/**
 * Shared material for the UTRN tests: the published reference key pair, EUIs,
 * and helpers. // DOMAIN §2.2, §5.3
 */
import { unwrap } from '../../../core/result.ts';
import { ecdhP256Shared, kaKeyPairFromSeed, type KaKeyPair } from '../../../emulator/devices/common/utrn/index.ts';

export const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s.replace(/[- ]/g, ''), 'hex'));
export const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

/** Supplier of the DCC reference test environment, and the ESME the reference top-ups target. */
export const REF_SUPPLIER_EUI = hex('90-B3-D5-1F-30-01-00-00');
export const REF_DEVICE_EUI = hex('00-DB-12-34-56-78-90-A0');
/** The Supplier's prepayment key-agreement private key (a published test key, not a secret). */
export const REF_SUPPLIER_PP_KA_PRIVATE = hex('39bc607f0213bbe33035a5148510a494a9bea6e3957e8baf5f4d4ac6df2b2254');
export const REF_SUPPLIER_PP_KA_PUBLIC = hex(
  '0405d9453cd909279a11c4d9bbf57344c41e9c39df138d0b48e05333db1e0a97f2df7eb8a6bd222b9f6bebd0aab86acce0bba8dcabef10f3bf15fa5057c763e421',
);
/** The device's key-agreement public key, from its published test certificate. */
export const REF_DEVICE_KA_PUBLIC = hex(
  '048f2052985d2db939a9371c8fef58acb6814b35d5bf2aa25f97f8d198b26dfe601add893fc4a1d98291f68e8429b715852367dc0f2c4902e6ff8a736ddc29c134',
);

/** A simulated Supplier with one electricity and one gas meter, keys from fixed seeds. */
export interface Premises {
  readonly supplier: KaKeyPair;
  readonly supplierEui: Uint8Array;
  readonly esme: { readonly eui: Uint8Array; readonly keys: KaKeyPair; readonly secret: Uint8Array };
  readonly gsme: { readonly eui: Uint8Array; readonly keys: KaKeyPair; readonly secret: Uint8Array };
}

export function premises(tag = 'p1'): Premises {
  const seed = (s: string): Uint8Array => new TextEncoder().encode(`${tag}/${s}`);
  const supplier = kaKeyPairFromSeed(seed('supplier-pp-ka'));
  const device = (name: string, eui: string) => {
    const keys = kaKeyPairFromSeed(seed(name));
    return { eui: hex(eui), keys, secret: unwrap(ecdhP256Shared(supplier.privateKey, keys.publicKey)) };
  };
  return {
    supplier,
    supplierEui: hex('90B3D51F30010000'),
    esme: device('esme', '00DB123456780001'),
    gsme: device('gsme', '00DB123456780002'),
  };
}
