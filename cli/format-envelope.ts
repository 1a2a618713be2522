import type { Result } from '../core/result.ts';
import { describeAlert } from '../emulator/devices/common/alerts.ts';
import { parseTopic } from '../emulator/bus/topics.ts';
import { decodeEnvelope } from '../proto/codec.ts';
import type { DecodeError } from '../proto/decode-error.ts';
import type { Envelope, HanCommand, HanResponse, ServiceRequest } from '../proto/types.ts';

/**
 * How `smets-twin watch` prints a bus message: one line per message, pure and
 * total — whatever arrives, the answer is a line, never a throw.
 *
 * @example
 * formatEnvelope(topic, decodeEnvelope(payload));
 * // 2026-03-01T00:00:00.000Z smets/wan/…/up deviceAlert 00-DB-…-01 → 00-DB-…-02 0x8F0F creditBelowDisablement device=… critical
 * formatEnvelope(topic, decodeEnvelope(Uint8Array.of(0x0a, 0x05)));
 * // ! smets/wan/…/up undecodable: truncated: index out of range: 2 + 5 > 2
 */

/** One printed message, and whether its payload was unreadable. */
export interface FormattedMessage {
  readonly text: string;
  readonly undecodable: boolean;
}

/** A received payload as a line (or a JSON object with `json`). A comms hub's online state is not an envelope: it is read as `0` or `1`. */
export function formatPayload(
  topic: string,
  payload: Uint8Array,
  options: { readonly json?: boolean; readonly retained?: boolean } = {},
): FormattedMessage {
  const json = options.json === true;
  const route = parseTopic(topic);
  if (route.ok && route.value.kind === 'ch.online') {
    const state = onlineState(payload);
    if (state === undefined) {
      const error: DecodeError = { code: 'invalid', message: `online state must be "0" or "1", got ${payload.length} byte(s)` };
      return { text: json ? undecodableJson(topic, error) : undecodableLine(topic, error), undecodable: true };
    }
    const retained = options.retained === true;
    if (json) return { text: JSON.stringify({ topic, online: state, retained }), undecodable: false };
    const said = state === null ? 'online state cleared' : state ? 'online' : 'offline';
    return { text: `${safe(topic)} hub ${said}${retained ? ' (retained)' : ''}`, undecodable: false };
  }
  const decoded = decodeEnvelope(payload);
  return { text: json ? formatEnvelopeJson(topic, decoded) : formatEnvelope(topic, decoded), undecodable: !decoded.ok };
}

/**
 * One line: virtual time, topic, body kind, originator → target, request id
 * and the body's key fields; or `! <topic> undecodable: <code>: <message>`.
 * Text from the wire is escaped, so a message is always exactly one line.
 */
export function formatEnvelope(topic: string, decoded: Result<Envelope, DecodeError>): string {
  if (!decoded.ok) return undecodableLine(topic, decoded.error);
  const e = decoded.value;
  const requestId = e.requestId !== '' ? e.requestId : bodyRequestId(e);
  const fields = [
    isoTime(e.at),
    safe(topic),
    e.kind,
    `${id(e.originator)} → ${id(e.target)}`,
    ...(requestId === '' ? [] : [`req=${safe(requestId)}`]),
    ...bodyFields(e),
  ];
  return fields.join(' ');
}

/** The same message as one line of JSON: `{ topic, …envelope }`, 64-bit counters and bytes as strings (hex for bytes). */
export function formatEnvelopeJson(topic: string, decoded: Result<Envelope, DecodeError>): string {
  if (!decoded.ok) return undecodableJson(topic, decoded.error);
  return JSON.stringify({ topic, ...decoded.value }, (_key, value: unknown) => {
    if (typeof value === 'bigint') return value.toString();
    if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('hex');
    return value;
  });
}

function undecodableLine(topic: string, error: DecodeError): string {
  return `! ${safe(topic)} undecodable: ${error.code}: ${safe(error.message)}`;
}

function undecodableJson(topic: string, error: DecodeError): string {
  return JSON.stringify({ topic, undecodable: { code: error.code, message: error.message } });
}

function bodyFields(e: Envelope): string[] {
  switch (e.kind) {
    case 'hanCommand':
      return hanCommandFields(e.hanCommand);
    case 'hanResponse':
      return hanResponseFields(e.hanResponse);
    case 'deviceAlert': {
      const a = e.deviceAlert;
      return [describeAlert(a.code), `device=${id(a.device)}`, ...(a.critical ? ['critical'] : [])];
    }
    case 'wanCommand':
      return [`hub=${id(e.wanCommand.commsHub)}`, `device=${id(e.wanCommand.device)}`, ...hanCommandFields(e.wanCommand.command)];
    case 'wanResponse':
      return [`hub=${id(e.wanResponse.commsHub)}`, `device=${id(e.wanResponse.device)}`, ...hanResponseFields(e.wanResponse.response)];
    case 'serviceRequest':
      return serviceRequestFields(e.serviceRequest);
    case 'serviceResponse': {
      const r = e.serviceResponse;
      return [`code=${safe(r.responseCode)}`, ...(r.preCommand === undefined ? [] : [`preCommand=${r.preCommand.length}B`])];
    }
    case 'dccAlert':
      return [safe(e.dccAlert.code), safe(JSON.stringify(e.dccAlert.text))];
    case 'clockBarrier': {
      const b = e.clockBarrier;
      return [`shard=${b.shard}`, `instant=${isoTime(b.instant)}`, b.quiet ? 'quiet' : 'busy'];
    }
  }
}

function hanCommandFields(c: HanCommand): string[] {
  const fields: string[] = [c.kind];
  switch (c.kind) {
    case 'creditUtrn':
      fields.push(`via=${c.creditUtrn.via}`);
      break;
    case 'ecActivate':
      fields.push(`via=${c.ecActivate.via}`);
      break;
    case 'supplyEnableLocal':
      fields.push(`via=${c.supplyEnableLocal.via}`);
      break;
    case 'modeSet':
      fields.push(`mode=${c.modeSet.kind}`);
      break;
    case 'balanceAdjust':
      fields.push(c.balanceAdjust.kind);
      break;
    default:
      break;
  }
  if (c.ref !== undefined) fields.push(`ref=${safe(c.ref)}`);
  return fields;
}

function hanResponseFields(r: HanResponse): string[] {
  return [
    r.command,
    r.outcome,
    ...(r.reason === undefined ? [] : [`reason=${r.reason}`]),
    ...(r.ref === null ? [] : [`ref=${safe(r.ref)}`]),
  ];
}

function serviceRequestFields(s: ServiceRequest): string[] {
  const { serviceReference, serviceReferenceVariant, commandVariant } = s.header;
  return [
    `sr=${safe(serviceReference) || '-'}`,
    ...(serviceReferenceVariant !== '' && serviceReferenceVariant !== serviceReference ? [`srv=${safe(serviceReferenceVariant)}`] : []),
    `cv=${commandVariant}`,
    s.kind,
    ...(s.kind === 'updatePaymentMode' ? [`mode=${s.updatePaymentMode.kind}`] : []),
  ];
}

/** The request id a body carries, for an envelope whose header has none. */
function bodyRequestId(e: Envelope): string {
  switch (e.kind) {
    case 'serviceRequest':
      return e.serviceRequest.header.requestId;
    case 'serviceResponse':
      return e.serviceResponse.requestId;
    case 'dccAlert':
      return e.dccAlert.requestId;
    default:
      return '';
  }
}

/** `true` online, `false` offline, `null` a cleared retained state (empty payload); undefined for anything else. */
function onlineState(payload: Uint8Array): boolean | null | undefined {
  if (payload.length === 0) return null;
  if (payload.length !== 1) return undefined;
  return payload[0] === 0x31 ? true : payload[0] === 0x30 ? false : undefined;
}

// Date covers ±8.64e15 ms; an instant beyond that (the codec allows any safe integer) is printed as a number.
const MAX_DATE_MS = 8.64e15;

/** Virtual time as ISO 8601 UTC, or `@<ms>` outside the range of a Date. */
export function isoTime(ms: number): string {
  return Number.isFinite(ms) && Math.abs(ms) <= MAX_DATE_MS ? new Date(ms).toISOString() : `@${ms}`;
}

const id = (s: string): string => (s === '' ? '-' : safe(s));

// Control, format and line-separator characters from the wire would break the one-line-per-message layout (or a terminal).
const UNSAFE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu;

/** Text from the wire with every control or format character escaped as `\u{…}`. */
export function safe(s: string): string {
  return s.replace(UNSAFE, (c) => `\\u{${c.codePointAt(0)?.toString(16) ?? '?'}}`);
}
