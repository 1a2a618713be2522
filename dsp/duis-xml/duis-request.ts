/**
 * A DUIS request document ↔ the twin's `ServiceRequest`. // DOMAIN §4.1, §4.2
 *
 * ```xml
 * <sr:Request xmlns:sr="http://www.dccinterface.co.uk/ServiceUserGateway" schemaVersion="5.4">
 *   <sr:Header>
 *     <sr:RequestID>90-B3-D5-1F-30-05-00-00:00-DB-12-00-00-00-00-01:1</sr:RequestID>
 *     <sr:CommandVariant>4</sr:CommandVariant>
 *     <sr:ServiceReference>1.6</sr:ServiceReference>
 *     <sr:ServiceReferenceVariant>1.6</sr:ServiceReferenceVariant>
 *   </sr:Header>
 *   <sr:Body><sr:UpdatePaymentMode><sr:Credit/></sr:UpdatePaymentMode></sr:Body>
 *   <ds:Signature>…</ds:Signature>
 * </sr:Request>
 * ```
 *
 * The business originator and target come from the RequestID. DUIS carries
 * no User Role: a User ID stands for one party in one role, so the gateway
 * that knows its Users supplies the role (`userRole`; UNVERIFIED reading of
 * DUIS/SEC, the twin's header needs one). Sequenced requests
 * (`FirstInSequence`, `PrecedingServiceRequestID`) are not modelled and are
 * refused rather than silently run out of sequence.
 */
import { parseRequestId, type Eui64 } from '../../core/ids.ts';
import { ok, type Result } from '../../core/result.ts';
import type { DuisRequestHeader, ServiceRequestBody } from '../../proto/types.ts';
import { parseSrv, serviceReferenceOf } from '../access/srv.ts';
import { field, leafText, readSequence, structure } from './duis-read.ts';
import { readRequestBody, requestBodyElement } from './duis-request-body.ts';
import { SCHEMA_VERSION, SR_NS } from './duis-namespaces.ts';
import { quote, type DuisXmlError } from './errors.ts';
import { DSIG_NS } from './xml-dsig.ts';
import { attribute, element, text, type XmlElement } from './xml-tree.ts';

/** The User Role a request is sent in: one code for every request, or looked up by the originator (undefined: none). */
export type UserRoleOf = string | ((originator: Eui64) => string | undefined);

/** What a request document says, as the twin's request without a signature. */
export type UnsignedRequest = { readonly header: DuisRequestHeader } & ServiceRequestBody;

/** The fields of a request the document carries: a `ServiceRequest` is one. */
export type RequestInput = {
  readonly header: Pick<DuisRequestHeader, 'requestId' | 'commandVariant' | 'serviceReference' | 'serviceReferenceVariant'>;
} & ServiceRequestBody;

const HEADER = [
  { name: 'RequestID' },
  { name: 'FirstInSequence', optional: true },
  { name: 'PrecedingServiceRequestID', optional: true },
  { name: 'CommandVariant' },
  { name: 'ServiceReference' },
  { name: 'ServiceReferenceVariant' },
] as const;

const isSignature = (c: XmlElement): boolean => c.ns === DSIG_NS && c.local === 'Signature';

/** The twin's request in a DUIS request document; every refusal names the element path. */
export function readRequest(root: XmlElement, userRole: UserRoleOf = ''): Result<UnsignedRequest, DuisXmlError> {
  if (root.ns !== SR_NS || root.local !== 'Request') {
    return structure(`/${root.local}`, `expected Request in ${SR_NS}, got {${root.ns}}${root.local}`);
  }
  const top = readSequence(root, '/Request', [{ name: 'Header' }, { name: 'Body' }], { skip: isSignature });
  if (!top.ok) return top;
  const header = readHeader(top.value['Header']!, userRole);
  if (!header.ok) return header;
  const body = readRequestBody(root, top.value['Body']!, '/Request/Body');
  if (!body.ok) return body;
  return ok({ header: header.value, ...body.value });
}

function readHeader(h: XmlElement, userRole: UserRoleOf): Result<DuisRequestHeader, DuisXmlError> {
  const p = '/Request/Header';
  const s = readSequence(h, p, HEADER);
  if (!s.ok) return s;
  for (const name of ['FirstInSequence', 'PrecedingServiceRequestID'] as const) {
    if (s.value[name] !== undefined) return structure(`${p}/${name}`, 'sequenced requests are not modelled by the twin');
  }
  const values: Record<string, string> = {};
  for (const { name } of HEADER) {
    const e = s.value[name];
    if (e === undefined) continue;
    const t = leafText(e, `${p}/${name}`);
    if (!t.ok) return t;
    values[name] = t.value;
  }
  const requestId = values['RequestID']!;
  const ids = parseRequestId(requestId, `${p}/RequestID`);
  if (!ids.ok) return field(`${p}/RequestID`, `expected ${ids.error.expected}, got ${ids.error.got}`);
  const cv = values['CommandVariant']!;
  // DOMAIN §4.2: CVs 1–8 are the User's; 9 is DCC-internal.
  if (!/^[1-8]$/.test(cv)) return field(`${p}/CommandVariant`, `expected 1–8, got ${quote(cv)}`);
  const srv = parseSrv(values['ServiceReferenceVariant'], `${p}/ServiceReferenceVariant`);
  if (!srv.ok) return field(`${p}/ServiceReferenceVariant`, `expected ${srv.error.expected}, got ${srv.error.got}`);
  const sr = values['ServiceReference']!;
  if (sr !== serviceReferenceOf(srv.value))
    return field(`${p}/ServiceReference`, `expected ${serviceReferenceOf(srv.value)} for SRV ${srv.value}, got ${quote(sr)}`);
  const role = typeof userRole === 'string' ? userRole : (userRole(ids.value.originator) ?? '');
  return ok({
    requestId,
    serviceReference: sr,
    serviceReferenceVariant: srv.value,
    commandVariant: Number(cv),
    businessOriginator: ids.value.originator,
    businessTarget: ids.value.target,
    userRole: role,
  });
}

/** The unsigned DUIS request document for `r` (sign it with `signDocument`). */
export function requestDocument(r: RequestInput): Result<XmlElement, DuisXmlError> {
  const body = requestBodyElement(r);
  if (!body.ok) return body;
  const h = r.header;
  const leaf = (local: string, value: string): XmlElement => element(SR_NS, 'sr', local, [text(value)]);
  return ok(
    element(
      SR_NS,
      'sr',
      'Request',
      [
        element(SR_NS, 'sr', 'Header', [
          leaf('RequestID', h.requestId),
          leaf('CommandVariant', String(h.commandVariant)),
          leaf('ServiceReference', h.serviceReference),
          leaf('ServiceReferenceVariant', h.serviceReferenceVariant),
        ]),
        element(SR_NS, 'sr', 'Body', [body.value]),
      ],
      [attribute('schemaVersion', SCHEMA_VERSION)],
    ),
  );
}
