import type { DuisRequestHeader, ServiceRequest, ServiceResponse, UpdatePaymentMode } from './types.ts';
import {
  InvalidMessage,
  isPresent,
  mapRecord,
  readBool,
  readBytes,
  readInt64,
  readMap,
  readMessage,
  readOneof,
  readString,
  readUint32,
  readUint64,
  setOwn,
  writeInt64,
  writeUint32,
  writeUint64,
  type Wire,
} from './wire-values.ts';

/** ServiceRequest and ServiceResponse (dsp.proto) to and from protobufjs objects. // DOMAIN §4.1–§4.4 */

// ---- ServiceRequest ----

/** A ServiceRequest as protobufjs writes it. */
export function serviceRequestToWire(r: ServiceRequest, path: string): Wire {
  const h = r.header;
  const header = {
    requestId: h.requestId,
    serviceReference: h.serviceReference,
    serviceReferenceVariant: h.serviceReferenceVariant,
    commandVariant: writeUint32(h.commandVariant, `${path}.header.commandVariant`),
    businessOriginator: h.businessOriginator,
    businessTarget: h.businessTarget,
    userRole: h.userRole,
  };
  const xmlSignature =
    r.xmlSignature === undefined
      ? undefined
      : {
          certificateSerial: writeUint64(r.xmlSignature.certificateSerial, `${path}.xmlSignature.certificateSerial`),
          signature: r.xmlSignature.signature,
          signedInfo: r.xmlSignature.signedInfo,
        };
  return { header, xmlSignature, [r.kind]: requestBodyToWire(r, `${path}.${r.kind}`) };
}

function requestBodyToWire(r: ServiceRequest, p: string): unknown {
  switch (r.kind) {
    case 'signedPreCommand':
      return { command: r.signedPreCommand.command, signature: r.signedPreCommand.signature };
    case 'opaque':
      return r.opaque;
    case 'updatePaymentMode':
      return updatePaymentModeToWire(r.updatePaymentMode, p);
    case 'topUpDevice':
      return { utrn: r.topUpDevice.utrn };
    case 'readInstantaneousPrepayValues':
    case 'readMeterBalance':
    case 'enableSupply':
    case 'disableSupply':
    case 'armSupply':
    case 'readSupplyStatus':
      return {};
  }
}

function updatePaymentModeToWire(u: UpdatePaymentMode, p: string): Wire {
  const executionDateTime = u.executionDateTime === undefined ? undefined : writeInt64(u.executionDateTime, `${p}.executionDateTime`);
  if (u.kind === 'credit') return { executionDateTime, credit: {} };
  const pp = u.prepayment;
  return {
    executionDateTime,
    prepayment: {
      suspendDebtDisabled: pp.suspendDebtDisabled,
      suspendDebtEmergency: pp.suspendDebtEmergency,
      disablementThreshold: writeInt64(pp.disablementThreshold, `${p}.prepayment.disablementThreshold`),
    },
  };
}

/** A decoded ServiceRequest, checked. */
export function serviceRequestFromWire(m: Wire, path: string): ServiceRequest {
  const r = requestFromWire(m, path);
  if (!isPresent(m, 'xmlSignature')) return r;
  const w = readMessage(m, 'xmlSignature', path);
  const p = `${path}.xmlSignature`;
  const signature = { certificateSerial: readUint64(w, 'certificateSerial', p), signature: readBytes(w, 'signature', p) };
  return Object.assign(r, {
    xmlSignature: isPresent(w, 'signedInfo') ? { ...signature, signedInfo: readBytes(w, 'signedInfo', p) } : signature,
  });
}

function requestFromWire(m: Wire, path: string): ServiceRequest {
  const header = headerFromWire(readMessage(m, 'header', path), `${path}.header`);
  const kind = readOneof(m, 'body');
  const p = `${path}.${kind}`;
  switch (kind) {
    case 'signedPreCommand': {
      const w = readMessage(m, kind, path);
      return { header, kind, signedPreCommand: { command: readBytes(w, 'command', p), signature: readBytes(w, 'signature', p) } };
    }
    case 'opaque':
      return { header, kind, opaque: readBytes(m, kind, path) };
    case 'updatePaymentMode':
      return { header, kind, updatePaymentMode: updatePaymentModeFromWire(readMessage(m, kind, path), p) };
    case 'topUpDevice':
      return { header, kind, topUpDevice: { utrn: readString(readMessage(m, kind, path), 'utrn', p) } };
    case 'readInstantaneousPrepayValues':
      return { header, kind, readInstantaneousPrepayValues: {} };
    case 'readMeterBalance':
      return { header, kind, readMeterBalance: {} };
    case 'enableSupply':
      return { header, kind, enableSupply: {} };
    case 'disableSupply':
      return { header, kind, disableSupply: {} };
    case 'armSupply':
      return { header, kind, armSupply: {} };
    case 'readSupplyStatus':
      return { header, kind, readSupplyStatus: {} };
    default:
      throw new InvalidMessage(`${path}.body`, 'a Service Request body', kind);
  }
}

function headerFromWire(w: Wire, p: string): DuisRequestHeader {
  return {
    requestId: readString(w, 'requestId', p),
    serviceReference: readString(w, 'serviceReference', p),
    serviceReferenceVariant: readString(w, 'serviceReferenceVariant', p),
    commandVariant: readUint32(w, 'commandVariant', p),
    businessOriginator: readString(w, 'businessOriginator', p),
    businessTarget: readString(w, 'businessTarget', p),
    userRole: readString(w, 'userRole', p),
  };
}

function updatePaymentModeFromWire(w: Wire, p: string): UpdatePaymentMode {
  const when: { executionDateTime?: number } = {};
  if (isPresent(w, 'executionDateTime')) when.executionDateTime = readInt64(w, 'executionDateTime', p);
  const mode = readOneof(w, 'mode');
  if (mode === 'credit') return Object.assign(when, { kind: 'credit' as const, credit: {} });
  if (mode !== 'prepayment') throw new InvalidMessage(`${p}.mode`, 'credit or prepayment', mode);
  const pp = readMessage(w, mode, p);
  const q = `${p}.prepayment`;
  return Object.assign(when, {
    kind: 'prepayment' as const,
    prepayment: {
      suspendDebtDisabled: readBool(pp, 'suspendDebtDisabled', q),
      suspendDebtEmergency: readBool(pp, 'suspendDebtEmergency', q),
      disablementThreshold: readInt64(pp, 'disablementThreshold', q),
    },
  });
}

// ---- ServiceResponse ----

/** A ServiceResponse as protobufjs writes it. */
export function serviceResponseToWire(r: ServiceResponse): Wire {
  return {
    requestId: r.requestId,
    responseCode: r.responseCode,
    preCommand: r.preCommand,
    body: mapRecord(r.body, (v) => v),
  };
}

/** A decoded ServiceResponse, checked. */
export function serviceResponseFromWire(m: Wire, path: string): ServiceResponse {
  const map = readMap(m, 'body', path);
  const body: Record<string, string> = {};
  for (const k of Object.keys(map)) setOwn(body, k, readString(map, k, `${path}.body`));
  const out: { -readonly [K in keyof ServiceResponse]: ServiceResponse[K] } = {
    requestId: readString(m, 'requestId', path),
    responseCode: readString(m, 'responseCode', path),
    body,
  };
  if (isPresent(m, 'preCommand')) out.preCommand = readBytes(m, 'preCommand', path);
  return out;
}
