import { serviceRequestFromWire, serviceRequestToWire, serviceResponseFromWire, serviceResponseToWire } from './dsp-wire.ts';
import { hanCommandFromWire, hanCommandToWire, hanResponseFromWire, hanResponseToWire } from './han-wire.ts';
import { SCHEMA_VERSION } from './schema.ts';
import type { Envelope, EnvelopeBody, EnvelopeHeader } from './types.ts';
import {
  readBool,
  readInt64,
  readMessage,
  readString,
  readUint32,
  readUint64,
  writeInt64,
  writeUint32,
  writeUint64,
  type Wire,
} from './wire-values.ts';

/**
 * The Envelope (envelope.proto) and the small bodies (alerts, WAN, clock
 * barrier) to and from protobufjs objects; the HAN and DUIS bodies have
 * their own modules.
 */

/** An Envelope as protobufjs writes it, stamped with this schema's version. */
export function envelopeToWire(e: Envelope): Wire {
  return {
    schemaVersion: SCHEMA_VERSION,
    messageId: e.messageId,
    requestId: e.requestId,
    originator: e.originator,
    target: e.target,
    counter: writeUint64(e.counter, 'counter'),
    at: writeInt64(e.at, 'at'),
    [e.kind]: bodyToWire(e),
  };
}

function bodyToWire(b: EnvelopeBody): Wire {
  switch (b.kind) {
    case 'hanCommand':
      return hanCommandToWire(b.hanCommand, 'hanCommand');
    case 'hanResponse':
      return hanResponseToWire(b.hanResponse, 'hanResponse');
    case 'deviceAlert': {
      const a = b.deviceAlert;
      return {
        code: writeUint32(a.code, 'deviceAlert.code'),
        device: a.device,
        at: writeInt64(a.at, 'deviceAlert.at'),
        critical: a.critical,
      };
    }
    case 'wanCommand': {
      const w = b.wanCommand;
      return { commsHub: w.commsHub, device: w.device, command: hanCommandToWire(w.command, 'wanCommand.command') };
    }
    case 'wanResponse': {
      const w = b.wanResponse;
      return { commsHub: w.commsHub, device: w.device, response: hanResponseToWire(w.response, 'wanResponse.response') };
    }
    case 'serviceRequest':
      return serviceRequestToWire(b.serviceRequest, 'serviceRequest');
    case 'serviceResponse':
      return serviceResponseToWire(b.serviceResponse);
    case 'dccAlert':
      return { code: b.dccAlert.code, text: b.dccAlert.text, requestId: b.dccAlert.requestId };
    case 'clockBarrier': {
      const c = b.clockBarrier;
      return { instant: writeInt64(c.instant, 'clockBarrier.instant'), shard: writeUint32(c.shard, 'clockBarrier.shard'), quiet: c.quiet };
    }
  }
}

/** The header of a decoded envelope, checked. */
export function headerFromWire(m: Wire): EnvelopeHeader {
  const p = 'envelope';
  return {
    messageId: readString(m, 'messageId', p),
    requestId: readString(m, 'requestId', p),
    originator: readString(m, 'originator', p),
    target: readString(m, 'target', p),
    counter: readUint64(m, 'counter', p),
    at: readInt64(m, 'at', p),
  };
}

/** The body of a decoded envelope whose oneof member is `kind`, checked. */
export function bodyFromWire(m: Wire, kind: EnvelopeBody['kind']): EnvelopeBody {
  const w = readMessage(m, kind, 'envelope');
  switch (kind) {
    case 'hanCommand':
      return { kind, hanCommand: hanCommandFromWire(w, kind) };
    case 'hanResponse':
      return { kind, hanResponse: hanResponseFromWire(w, kind) };
    case 'deviceAlert':
      return {
        kind,
        deviceAlert: {
          code: readUint32(w, 'code', kind),
          device: readString(w, 'device', kind),
          at: readInt64(w, 'at', kind),
          critical: readBool(w, 'critical', kind),
        },
      };
    case 'wanCommand':
      return {
        kind,
        wanCommand: {
          commsHub: readString(w, 'commsHub', kind),
          device: readString(w, 'device', kind),
          command: hanCommandFromWire(readMessage(w, 'command', kind), `${kind}.command`),
        },
      };
    case 'wanResponse':
      return {
        kind,
        wanResponse: {
          commsHub: readString(w, 'commsHub', kind),
          device: readString(w, 'device', kind),
          response: hanResponseFromWire(readMessage(w, 'response', kind), `${kind}.response`),
        },
      };
    case 'serviceRequest':
      return { kind, serviceRequest: serviceRequestFromWire(w, kind) };
    case 'serviceResponse':
      return { kind, serviceResponse: serviceResponseFromWire(w, kind) };
    case 'dccAlert':
      return {
        kind,
        dccAlert: { code: readString(w, 'code', kind), text: readString(w, 'text', kind), requestId: readString(w, 'requestId', kind) },
      };
    case 'clockBarrier':
      return {
        kind,
        clockBarrier: { instant: readInt64(w, 'instant', kind), shard: readUint32(w, 'shard', kind), quiet: readBool(w, 'quiet', kind) },
      };
  }
}

/** The envelope body kinds, in schema order. */
export const ENVELOPE_KINDS: readonly EnvelopeBody['kind'][] = [
  'hanCommand',
  'hanResponse',
  'deviceAlert',
  'wanCommand',
  'wanResponse',
  'serviceRequest',
  'serviceResponse',
  'dccAlert',
  'clockBarrier',
];

/** Combines a checked header and body (Object.assign: a spread costs more than the rest of decoding). */
export const envelopeOf = (header: EnvelopeHeader, body: EnvelopeBody): Envelope => Object.assign(header, body);
