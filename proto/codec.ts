import { err, ok, type Result } from '../core/result.ts';
import { classifyReadError, decodeError, type DecodeError } from './decode-error.ts';
import { bodyFromWire, ENVELOPE_KINDS, envelopeOf, envelopeToWire, headerFromWire } from './envelope-wire.ts';
import { EnvelopeType, SCHEMA_VERSION } from './schema.ts';
import type { Envelope, EnvelopeKind } from './types.ts';
import { InvalidMessage, type Wire } from './wire-values.ts';

/**
 * Bus payloads: an `Envelope` to protobuf bytes and back.
 *
 * @example
 * const bytes = encodeEnvelope({ messageId: 'm1', requestId: '', originator, target, counter: 1n, at: now,
 *   kind: 'clockBarrier', clockBarrier: { instant: now, shard: 0, quiet: true } });
 * const r = decodeEnvelope(bytes);
 * if (r.ok && r.value.kind === 'clockBarrier') console.log(r.value.clockBarrier.quiet);
 */

/** What a receiver accepts unless told otherwise: far above any bus message. */
export const DEFAULT_MAX_BYTES = 64 * 1024;

/**
 * The protobuf encoding of an envelope, stamped with `SCHEMA_VERSION`.
 * The envelope is checked first (protobufjs `verify`, and the integer ranges
 * protobufjs would silently truncate): a bad envelope is a bug in its sender,
 * so this throws TypeError rather than put a wrong message on the bus.
 */
export function encodeEnvelope(e: Envelope): Uint8Array {
  const wire = envelopeToWire(e);
  const problem = EnvelopeType.verify(wire);
  if (problem !== null) throw new TypeError(`encodeEnvelope: ${problem}`);
  return EnvelopeType.encode(wire).finish();
}

/**
 * The envelope in `bytes`, or why there is none. Never throws: payloads come
 * from the network. Unknown fields (from a newer schema of the same version)
 * are skipped.
 */
export function decodeEnvelope(bytes: Uint8Array, maxBytes = DEFAULT_MAX_BYTES): Result<Envelope, DecodeError> {
  if (!(bytes instanceof Uint8Array)) return err(decodeError('invalid', `expected bytes, got ${typeof bytes}`));
  // Refuse before parsing, so a huge payload costs nothing.
  if (bytes.length > maxBytes) return err(decodeError('oversized', `${bytes.length} bytes, at most ${maxBytes} accepted`));
  let m: Wire;
  try {
    m = EnvelopeType.decode(bytes);
  } catch (thrown) {
    return err(classifyReadError(thrown));
  }
  // Version first: a newer schema may carry a body this one cannot see.
  const version = m['schemaVersion'];
  if (version !== SCHEMA_VERSION) {
    return err(decodeError('unsupported-version', `schema_version ${String(version)}, this codec reads ${SCHEMA_VERSION}`));
  }
  const kind = m['body'];
  if (!isKind(kind)) return err(decodeError('unknown-type', 'envelope without a body this schema knows'));
  try {
    return ok(envelopeOf(headerFromWire(m), bodyFromWire(m, kind)));
  } catch (thrown) {
    if (thrown instanceof InvalidMessage) return err(decodeError('invalid', thrown.message));
    // A checker bug must not take a receiver down either; say so plainly.
    return err(decodeError('invalid', `unexpected: ${thrown instanceof Error ? thrown.message : String(thrown)}`));
  }
}

const KINDS: ReadonlySet<string> = new Set(ENVELOPE_KINDS);
const isKind = (k: unknown): k is EnvelopeKind => typeof k === 'string' && KINDS.has(k);
