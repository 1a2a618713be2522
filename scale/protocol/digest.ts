import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';

/** Digests the runtime reports: SHA-256, hex. */

const utf8 = new TextEncoder();

/** SHA-256 of bytes or text, as 64 hex digits. */
export function sha256Hex(data: Uint8Array | string): string {
  return bytesToHex(sha256(typeof data === 'string' ? utf8.encode(data) : data));
}

/**
 * JSON with object keys sorted at every level, so two equal configurations
 * have one text (and one digest) however their keys were written.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (typeof v !== 'object' || v === null) return v;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v).sort()) {
    const value = sortKeys((v as Record<string, unknown>)[k]);
    // A `__proto__` key stays data, as in proto/wire-values.ts.
    Object.defineProperty(out, k, { value, enumerable: true, writable: true, configurable: true });
  }
  return out;
}
