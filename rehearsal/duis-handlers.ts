import { parseRequestId, type Eui64 } from '../core/ids.ts';
import type { Instant } from '../core/time/duration.ts';
import { roleCode } from '../dsp/access/roles.ts';
import { parseSrv, serviceReferenceOf, type Srv } from '../dsp/access/srv.ts';
import {
  acceptRequest,
  childElements,
  formatDuisXmlError,
  parseXml,
  responseOf,
  SR_NS,
  textOf,
  writeResponse,
  type DuisResponse,
  type DuisXmlError,
  type XmlLimits,
} from '../dsp/duis-xml/index.ts';
import type { ResponseCode } from '../dsp/response-codes.ts';
import type { ServiceRequest, ServiceResponse } from '../proto/types.ts';
import type { SolrWorld } from '../scenarios/runner/solr-world.ts';
import { DUIS_SERVICES, type DuisContext, type DuisHandler, type DuisHandlers, type DuisReply, type DuisService } from './duis-slot.ts';

/**
 * The DSP's DUIS XML gateway behind the three web services: a User's signed
 * request document in, the DSP's signed answer out, synchronously.
 * // DOMAIN §4.1–§4.4, §4.8; docs/rehearsal.md "DUIS web services"
 *
 * 1. `acceptRequest` reads the document safely and checks its signature's
 *    structure, algorithms and digest; the X509IssuerSerial must name a
 *    certificate of the world's SMKI. A refusal here is HTTP 400 with a
 *    DSP-signed DUIS response naming the refusal (`refusalOf`).
 * 2. The sender is the subject of that certificate (the User it certifies);
 *    its User Role comes from its registry record, as the twin's own
 *    `DuisUser`s send in theirs (the SRP in SoLR Contingency, `SC`).
 * 3. The Command Variant must belong to the service (E13, after the
 *    signature is checked: DOMAIN §4.8 steps 1, 3).
 * 4. The request goes through the world's edge (`SolrWorld.submit`), where a
 *    scripted DSP outage holds it and a message loss loses it; the DSP
 *    verifies the signature over the SignedInfo, checks the certificate and
 *    everything else, and answers.
 * 5. The DSP's answer to the request — I99, I0 with the Pre-Command for CV 4,
 *    an E- or X-code — is the HTTP answer, signed with the DSP's XML-signing
 *    key (role 0x89). Everything after it (the device's I0, E21, alerts) is
 *    POSTed to the User's Receive Response Service URL.
 */

/** The Command Variants each web service takes. // DOMAIN §4.2 */
export const SERVICE_COMMAND_VARIANTS: Readonly<Record<DuisService, readonly number[]>> = {
  serviceS: [1, 3, 5, 7],
  serviceT: [4],
  serviceD: [2, 6, 8],
};

/** The content type of every DUIS document the twin sends. */
export const DUIS_CONTENT_TYPE = 'application/xml; charset=utf-8';

/**
 * The DSP's answers that say the document itself is not acceptable —
 * unreadable, not signed as it claims, or by a certificate the DSP does not
 * take — answered with HTTP 400; every other DUIS answer is HTTP 200.
 */
export const BAD_REQUEST_CODES: ReadonlySet<string> = new Set<ResponseCode>(['X1', 'X2', 'X3', 'X12']);

/** The response code a refusal of the XML layer is answered with. */
export function refusalCode(e: DuisXmlError['code']): 'X1' | 'X2' | 'X12' {
  if (e === 'signature-unknown-certificate') return 'X12';
  if (e.startsWith('signature-')) return 'X2';
  // xml-… (unreadable, refused constructs, limits) and duis-… (not a DUIS request document).
  return 'X1';
}

export interface DuisXmlHandlerOptions {
  /** Limits on the documents read. Default `DEFAULT_XML_LIMITS` (256 KiB, depth 32). */
  readonly limits?: Partial<XmlLimits>;
}

/** The three DUIS web services on the DUIS XML layer. */
export function duisXmlHandlers(options: DuisXmlHandlerOptions = {}): Readonly<Record<DuisService, DuisHandler>> {
  const out = {} as Record<DuisService, DuisHandler>;
  for (const s of DUIS_SERVICES) out[s] = (body, ctx) => handle(s, body, ctx, options);
  return out;
}

/** The handlers `serve` wires in and `startRehearsal` uses by default. */
export const DUIS_XML_HANDLERS: DuisHandlers = duisXmlHandlers();

function handle(service: DuisService, body: string, ctx: DuisContext, options: DuisXmlHandlerOptions): DuisReply {
  const { world, now } = ctx;
  const accepted = acceptRequest(body, {
    ...(options.limits === undefined ? {} : { limits: options.limits }),
    certificates: world.smki,
  });
  if (!accepted.ok) return xmlRefusal(world, now, body, accepted.error, options);
  const { request, signer } = accepted.value;
  // acceptRequest found it: the sender is the User the signing certificate certifies.
  const certificate = world.smki.byIssuerSerial(signer.issuerName, signer.serial);
  if (certificate === undefined) throw new Error('duis-handlers: a certificate acceptRequest found is gone');
  const sender = certificate.subject;
  const h = request.header;
  const req: ServiceRequest = { ...request, header: { ...h, userRole: userRoleOf(world, sender, h.businessTarget) } };
  const srv = h.serviceReferenceVariant;

  if (!SERVICE_COMMAND_VARIANTS[service].includes(h.commandVariant)) {
    // DOMAIN §4.8: the signature and the certificate are checked before the URL.
    const sig = req.xmlSignature;
    if (sig?.signedInfo !== undefined) {
      const checked = world.smki.verify(sig.certificateSerial, sender, 'xmlSigning', now, sig.signedInfo, sig.signature);
      if (!checked.ok)
        return answer(
          world,
          now,
          { requestId: h.requestId, responseCode: checked.error.code, body: { reason: checked.error.reason } },
          srv,
        );
    }
    const right = DUIS_SERVICES.find((s) => SERVICE_COMMAND_VARIANTS[s].includes(h.commandVariant));
    const reason = `Command Variant ${h.commandVariant} goes to ${right === undefined ? 'no web service' : `/api/v1/${right}`}, not /api/v1/${service}`;
    return answer(world, now, { requestId: h.requestId, responseCode: 'E13', body: { reason } }, srv);
  }

  // Only the DSP's own answer to this request is inline: each output list of `Dsp.submit` holds exactly one response.
  const submitted = ctx.submit(sender, req, (o) => o.kind === 'response');
  switch (submitted.kind) {
    case 'held':
      return plain(
        202,
        `held: the DSP is unreachable (a scripted outage); the request ${h.requestId} waits at its edge and is handled when the DSP is back; its answers will be POSTed to your Receive Response Service URL\n`,
      );
    case 'lost':
      return plain(
        504,
        `lost: the request ${h.requestId} was lost on its way to the DSP (a scripted message loss); the DSP never saw it\n`,
      );
    case 'handled': {
      const first = submitted.outputs.find((o) => o.kind === 'response');
      if (first?.kind !== 'response') throw new Error(`duis-handlers: the DSP gave no response to ${h.requestId}`);
      return answer(world, now, first.response, srv);
    }
  }
}

/**
 * The User Role a sender's requests go in: the role of its registry record
 * (the SRP's SoLR Contingency role, as its code). A supplier holds IS and GS:
 * a gas meter's requests go in GS, others in its first role, as the twin's
 * own DuisUsers send them. Unknown senders get none (the DSP answers E1).
 * UNVERIFIED: DUIS carries no role; a User ID stands for one party in one role. // DOMAIN §4.6
 */
export function userRoleOf(world: SolrWorld, sender: Eui64, target: string): string {
  const roles = world.registry.user(sender)?.roles ?? [];
  const type = world.registry.device(target)?.type;
  const byFuel = type === 'GSME' ? 'GS' : type === 'ESME' ? 'IS' : undefined;
  const role = byFuel !== undefined && roles.includes(byFuel) ? byFuel : roles[0];
  return role === undefined ? '' : roleCode(role, world.dsp.config.roleCodes);
}

/** The DSP's answer as a signed DUIS response: HTTP 400 for a refused document, else 200. */
function answer(world: SolrWorld, at: Instant, r: ServiceResponse, srv: string): DuisReply {
  const doc = responseOf(r, { at, serviceReferenceVariant: srv });
  return signed(world, BAD_REQUEST_CODES.has(r.responseCode) ? 400 : 200, doc);
}

/**
 * A refusal of the XML layer, as a DSP-signed DUIS response: ResponseCode
 * X1, X2 or X12 (`refusalCode`), and the refusal itself in
 * `ra:ResponseValues` — `refusal` (the code, e.g. `xml-external-entity-refused`),
 * `path`, `reason`. The RequestID and SRV are named when the document could
 * be read that far; otherwise ServiceReference and its Variant are empty.
 */
function xmlRefusal(world: SolrWorld, at: Instant, body: string, e: DuisXmlError, options: DuisXmlHandlerOptions): DuisReply {
  const said = e.code.startsWith('xml-') ? {} : headerOf(body, options);
  const values: Record<string, string> = { refusal: e.code, path: e.path, reason: formatDuisXmlError(e) };
  const doc: DuisResponse = {
    header: {
      ...(said.requestId === undefined ? {} : { requestId: said.requestId }),
      responseCode: refusalCode(e.code),
      responseDateTime: at,
    },
    body: {
      kind: 'responseMessage',
      serviceReference: said.srv === undefined ? '' : serviceReferenceOf(said.srv),
      serviceReferenceVariant: said.srv ?? '',
      values,
    },
  };
  return signed(world, 400, doc);
}

/** The RequestID and SRV a request document states, where they are well-formed; for naming them in a refusal. */
function headerOf(body: string, options: DuisXmlHandlerOptions): { requestId?: string; srv?: Srv } {
  const root = parseXml(body, options.limits);
  if (!root.ok || root.value.ns !== SR_NS) return {};
  const header = childElements(root.value).find((c) => c.ns === SR_NS && c.local === 'Header');
  if (header === undefined) return {};
  const leaf = (name: string): string | undefined => {
    const e = childElements(header).find((c) => c.ns === SR_NS && c.local === name);
    return e === undefined ? undefined : textOf(e).trim();
  };
  const rid = leaf('RequestID');
  const srv = valid(leaf('ServiceReferenceVariant'));
  return {
    ...(rid !== undefined && parseRequestId(rid, 'RequestID').ok ? { requestId: rid } : {}),
    ...(srv === undefined ? {} : { srv }),
  };
}

function valid(raw: string | undefined): Srv | undefined {
  if (raw === undefined) return undefined;
  const srv = parseSrv(raw, 'ServiceReferenceVariant');
  return srv.ok ? srv.value : undefined;
}

function signed(world: SolrWorld, status: number, doc: DuisResponse): DuisReply {
  return { status, contentType: DUIS_CONTENT_TYPE, body: writeResponse(doc, world.dspXml) };
}

function plain(status: number, text: string): DuisReply {
  return { status, contentType: 'text/plain; charset=utf-8', body: text };
}
