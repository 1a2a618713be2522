/**
 * Why bytes from the bus are not a message this twin can act on. Decoding
 * never throws: a receiver logs or answers a DecodeError and carries on.
 *
 * - `oversized`: longer than the receiver accepts; refused before parsing.
 * - `truncated`: the bytes end inside a field.
 * - `wrong-wire-type`: a tag with a wire type protobuf does not define (6, 7)
 *   or an end-group (4) outside a group. A known field sent with another
 *   *defined* wire type is skipped like an unknown field, as protobuf
 *   decoders do.
 * - `invalid`: well-formed protobuf that is not a valid message: a missing
 *   required member, an unknown enum value, money outside the safe integers,
 *   malformed UTF-8.
 * - `unknown-type`: an envelope with no body this schema knows.
 * - `unsupported-version`: `schema_version` other than this codec's.
 */
export interface DecodeError {
  readonly code: DecodeErrorCode;
  readonly message: string;
}

export type DecodeErrorCode = 'oversized' | 'truncated' | 'wrong-wire-type' | 'invalid' | 'unknown-type' | 'unsupported-version';

/** A DecodeError. */
export const decodeError = (code: DecodeErrorCode, message: string): DecodeError => ({ code, message });

/**
 * Classifies what protobufjs threw while reading: it signals running off the
 * end with RangeError "index out of range" and an undefined wire type with
 * "invalid wire type"; everything else (bad varints, illegal tags, invalid
 * UTF-8, nesting too deep) is invalid input.
 */
export function classifyReadError(thrown: unknown): DecodeError {
  const message = thrown instanceof Error ? thrown.message : String(thrown);
  if (thrown instanceof RangeError && message.startsWith('index out of range')) return decodeError('truncated', message);
  if (message.startsWith('invalid wire type')) return decodeError('wrong-wire-type', message);
  return decodeError('invalid', message);
}
