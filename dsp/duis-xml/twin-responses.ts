/**
 * The DSP's outputs as DUIS response documents: what a User's Receive
 * Response Service, or the synchronous answer to its POST, carries.
 * // DOMAIN §4.1, §4.3–§4.5
 */
import type { Eui64 } from '../../core/ids.ts';
import type { Instant } from '../../core/time/duration.ts';
import type { DccAlert, DeviceAlert, ServiceResponse } from '../../proto/types.ts';
import { parseSrv, serviceReferenceOf } from '../access/srv.ts';
import type { DuisResponse, DuisResponseBody } from './duis-response.ts';
import { preCommandPayload, TWIN_GBCS_VERSION } from './gbcs-payload.ts';

/** What a response needs besides the DSP's `ServiceResponse`: when, and which request it answers. */
export interface ResponseContext {
  readonly at: Instant;
  /** The SRV of the request answered; without it the document is a header only (the SR cannot be named). */
  readonly serviceReferenceVariant?: string;
  /** `<device EUI>:<User EUI>:<counter>` for a device's response. // DOMAIN §4.1 */
  readonly responseId?: string;
}

/**
 * A DSP `ServiceResponse` as a DUIS response: the header, and — when the SRV
 * is known — a ResponseMessage naming it, with the Pre-Command of a CV 4
 * transform (`GBCSVersion` twin-1, payload = Pre-Command ‖ 00) and the
 * response's named values. DCC names the SRV on acknowledgements and errors
 * too, so they get a ResponseMessage as well. // DOMAIN §4.3, §4.4
 */
export function responseOf(r: ServiceResponse, context: ResponseContext): DuisResponse {
  const header = {
    ...(r.requestId === '' ? {} : { requestId: r.requestId }),
    ...(context.responseId === undefined ? {} : { responseId: context.responseId }),
    responseCode: r.responseCode,
    responseDateTime: context.at,
  };
  const srv =
    context.serviceReferenceVariant === undefined ? undefined : parseSrv(context.serviceReferenceVariant, 'serviceReferenceVariant');
  if (srv === undefined || !srv.ok) return { header };
  const values = Object.keys(r.body).length === 0 ? {} : { values: r.body };
  const preCommand =
    r.preCommand === undefined ? {} : { preCommand: { gbcsVersion: TWIN_GBCS_VERSION, payload: preCommandPayload(r.preCommand) } };
  const body: DuisResponseBody = {
    kind: 'responseMessage',
    serviceReference: serviceReferenceOf(srv.value),
    serviceReferenceVariant: srv.value,
    ...preCommand,
    ...values,
  };
  return { header, body };
}

/**
 * A device alert routed to User `to`: ResponseID `<device>:<User>:<counter>`
 * (the counter defaults to the alert's instant in ms, as DCC's tools number
 * by epoch ms), ResponseCode I0 (UNVERIFIED: DUIS alerts' header code), and
 * the hex AlertCode. // DOMAIN §4.1, §4.5
 */
export function deviceAlertOf(a: DeviceAlert, to: Eui64, counter: bigint = BigInt(a.at)): DuisResponse {
  return {
    header: { responseId: `${a.device}:${to}:${counter}`, responseCode: 'I0', responseDateTime: a.at },
    body: { kind: 'deviceAlert', alertCode: a.code },
  };
}

/** A DCC Alert: its code and the twin's text, with the RequestID it concerns if any. // DOMAIN §4.5 */
export function dccAlertOf(a: DccAlert, at: Instant): DuisResponse {
  return {
    header: { ...(a.requestId === '' ? {} : { requestId: a.requestId }), responseCode: 'I0', responseDateTime: at },
    body: { kind: 'dccAlert', dccAlertCode: a.code, text: a.text, ...(a.requestId === '' ? {} : { requestId: a.requestId }) },
  };
}
