import { err, ok, type Result } from '../core/result.ts';
import { serviceRequestToWire } from './dsp-wire.ts';
import { classifyReadError, decodeError, type DecodeError } from './decode-error.ts';
import { hanCommandFromWire, hanCommandToWire } from './han-wire.ts';
import { PACKAGE, root } from './schema.ts';
import type { PreCommand, ServiceRequest } from './types.ts';
import { InvalidMessage, readMessage, readString, readUint64, writeUint64, type Wire } from './wire-values.ts';

/**
 * The bytes that signatures cover. Both are protobuf encodings made by this
 * codec, whose output for a given value is always the same (fields in number
 * order, absent fields not written), so a signer and a verifier that hold the
 * same value compute the same bytes.
 */

const ServiceRequestType = root.lookupType(`${PACKAGE}.ServiceRequest`);
const PreCommandType = root.lookupType(`${PACKAGE}.PreCommand`);

/** The largest Pre-Command a device decodes: far above any real one. */
const MAX_PRE_COMMAND_BYTES = 4 * 1024;

/**
 * What the User's XML signature covers: the request without its signature.
 * // DOMAIN §4.1 (enveloped signature: the signature element is excluded)
 */
export function requestSignedContent(r: ServiceRequest): Uint8Array {
  const known = signedContents.get(r);
  if (known !== undefined) return known;
  const wire = { ...serviceRequestToWire(r, 'serviceRequest'), xmlSignature: undefined };
  const bytes = ServiceRequestType.encode(wire).finish();
  signedContents.set(r, bytes);
  return bytes;
}

/** Requests are immutable values: each one's signed content is encoded once, however many checks read it. */
const signedContents = new WeakMap<ServiceRequest, Uint8Array>();

/** A Pre-Command's bytes, as the DSP returns them for CV 4 and the User signs them. // DOMAIN §4.3 */
export function encodePreCommand(p: PreCommand): Uint8Array {
  const { authorisation: _dropped, ...command } = p.command;
  const wire: Wire = {
    requestId: p.requestId,
    remoteParty: p.remoteParty,
    device: p.device,
    counter: writeUint64(p.counter, 'preCommand.counter'),
    serviceReferenceVariant: p.serviceReferenceVariant,
    command: hanCommandToWire(command, 'preCommand.command'),
  };
  const problem = PreCommandType.verify(wire);
  if (problem !== null) throw new TypeError(`encodePreCommand: ${problem}`);
  // A copy of its own: the encoder's output is a view into a shared 8 KB slab, which a kept Pre-Command would keep alive.
  return new Uint8Array(PreCommandType.encode(wire).finish());
}

/** The Pre-Command in `bytes`, or why there is none; never throws (a device reads it off the HAN). */
export function decodePreCommand(bytes: Uint8Array): Result<PreCommand, DecodeError> {
  if (!(bytes instanceof Uint8Array)) return err(decodeError('invalid', `expected bytes, got ${typeof bytes}`));
  if (bytes.length > MAX_PRE_COMMAND_BYTES) return err(decodeError('oversized', `${bytes.length} bytes, at most ${MAX_PRE_COMMAND_BYTES}`));
  let m: Wire;
  try {
    m = PreCommandType.decode(bytes);
  } catch (thrown) {
    return err(classifyReadError(thrown));
  }
  const p = 'preCommand';
  try {
    return ok({
      requestId: readString(m, 'requestId', p),
      remoteParty: readString(m, 'remoteParty', p),
      device: readString(m, 'device', p),
      counter: readUint64(m, 'counter', p),
      serviceReferenceVariant: readString(m, 'serviceReferenceVariant', p),
      command: hanCommandFromWire(readMessage(m, 'command', p), `${p}.command`),
    });
  } catch (thrown) {
    if (thrown instanceof InvalidMessage) return err(decodeError('invalid', thrown.message));
    return err(decodeError('invalid', `unexpected: ${thrown instanceof Error ? thrown.message : String(thrown)}`));
  }
}
