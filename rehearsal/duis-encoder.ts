import { parseRequestId, type Eui64, type RequestId } from '../core/ids.ts';
import type { Instant } from '../core/time/duration.ts';
import { dccAlertOf, deviceAlertOf, responseOf, writeResponse, type ResponseContext } from '../dsp/duis-xml/index.ts';
import type { ServiceResponse } from '../proto/types.ts';
import type { SolrWorld } from '../scenarios/runner/solr-world.ts';
import type { OutputEncoder } from './delivery.ts';
import { DUIS_CONTENT_TYPE } from './duis-handlers.ts';

/**
 * What the DSP POSTs to a User's Receive Response Service: each asynchronous
 * response or alert as a DUIS `sr:Response` document signed with the DSP's
 * XML-signing key (role 0x89), as DCC sends them. // DOMAIN §4.1, §4.3–§4.5
 *
 * - a response (the device's I0, E21…): `responseOf`, naming the SRV of the
 *   request it answers (from the DSP's ledger); a device's response carries
 *   ResponseID `<device>:<User>:<counter>`, the reverse of the RequestID;
 * - a device alert: `deviceAlertOf`, ResponseID `<device>:<User>:<epoch ms>`;
 * - a DCC Alert: `dccAlertOf`, at the instant the DSP raised it.
 */
export function duisXmlEncoder(world: SolrWorld): OutputEncoder {
  return (o, at) => {
    const doc =
      o.kind === 'response'
        ? responseOf(o.response, responseContext(world, o.to, o.response, at))
        : o.kind === 'deviceAlert'
          ? deviceAlertOf(o.alert, o.to)
          : dccAlertOf(o.alert, at);
    return { contentType: DUIS_CONTENT_TYPE, body: writeResponse(doc, world.dspXml) };
  };
}

/** The SRV a response answers (the ledger's record of the request) and, for a device's response, its ResponseID. */
function responseContext(world: SolrWorld, user: Eui64, r: ServiceResponse, at: Instant): ResponseContext {
  const requestId = r.requestId as RequestId;
  const ledger = world.dsp.ledger;
  const entry = ledger.get({ sender: user, requestId, phase: 'send' }) ?? ledger.get({ sender: user, requestId, phase: 'transform' });
  const ids = parseRequestId(r.requestId, 'requestId');
  // DOMAIN §4.1: a device's response names the device, then the User, then the counter.
  const fromDevice = r.body['deviceOutcome'] !== undefined && ids.ok;
  return {
    at,
    ...(entry === undefined ? {} : { serviceReferenceVariant: entry.info.srv }),
    ...(fromDevice && ids.ok ? { responseId: `${ids.value.target}:${user}:${ids.value.counter}` } : {}),
  };
}
