/**
 * DUIS response documents: acknowledgements, responses, device alerts and
 * DCC alerts, in the shape DCC sends them — `sr:Response` with `sr:Header`
 * { RequestID?, ResponseID?, ResponseCode, ResponseDateTime } and one of
 * `sr:ResponseMessage`, `sr:DeviceAlertMessage`, `sr:DCCAlertMessage` in
 * `sr:Body`. // DOMAIN §4.1, §4.3–§4.5
 *
 * Twin-specific content (documented in docs/duis-xml.md):
 * - a ResponseMessage's named values (the twin's `ServiceResponse.body`, e.g.
 *   `MeterBalance` for SR 4.18) as `ra:ResponseValues/ra:Value[@name]`, in
 *   place of the device's GBCS response the twin does not produce;
 * - a DCC Alert's body as `ra:TwinAlert { ra:RequestID?, ra:Text }` inside
 *   `sr:DCCAlert`, in place of DUIS's per-code alert structures;
 * - response codes include the twin's own `X…` codes (dsp/response-codes.ts).
 */
import type { Instant } from '../../core/time/duration.ts';
import { ok, type Result } from '../../core/result.ts';
import { fromBase64, toBase64 } from './base64.ts';
import { field, leafText, readSequence, structure } from './duis-read.ts';
import { RA_NS, SCHEMA_VERSION, SR_NS } from './duis-namespaces.ts';
import { quote, type DuisXmlError } from './errors.ts';
import { DSIG_NS } from './xml-dsig.ts';
import { formatDateTime, parseDateTime } from './xml-datetime.ts';
import { attribute, attributeValue, childElements, element, text, type XmlElement, type XmlNode } from './xml-tree.ts';

export interface DuisResponseHeader {
  readonly requestId?: string;
  /** `<device EUI>:<User EUI>:<counter>` on device responses and alerts. // DOMAIN §4.1 */
  readonly responseId?: string;
  /** e.g. I0, I99, E4, or a twin X-code. // DOMAIN §4.4 */
  readonly responseCode: string;
  readonly responseDateTime: Instant;
}

/** CV 4: the Pre-Command for the User to sign. // DOMAIN §4.3 */
export interface DuisPreCommand {
  readonly gbcsVersion: string;
  /** The GBCSPayload bytes (gbcs-payload.ts: Pre-Command ‖ 00). */
  readonly payload: Uint8Array;
}

export type DuisResponseBody =
  | {
      readonly kind: 'responseMessage';
      readonly serviceReference: string;
      readonly serviceReferenceVariant: string;
      readonly preCommand?: DuisPreCommand;
      /** Twin-specific named values. */
      readonly values?: Readonly<Record<string, string>>;
    }
  | { readonly kind: 'deviceAlert'; readonly alertCode: number }
  | { readonly kind: 'dccAlert'; readonly dccAlertCode: string; readonly text: string; readonly requestId?: string };

/** A DUIS response or alert; an acknowledgement may have no body. */
export interface DuisResponse {
  readonly header: DuisResponseHeader;
  readonly body?: DuisResponseBody;
}

const sr = (local: string, children: readonly XmlNode[] = []): XmlElement => element(SR_NS, 'sr', local, children);
const ra = (local: string, children: readonly XmlNode[] = [], attrs: XmlElement['attributes'] = []): XmlElement =>
  element(RA_NS, 'ra', local, children, attrs);
const leaf = (local: string, value: string): XmlElement => sr(local, [text(value)]);

/** The unsigned response document (sign it with the DSP's XML-signing key). */
export function responseDocument(r: DuisResponse): XmlElement {
  const h = r.header;
  const header = sr('Header', [
    ...(h.requestId === undefined ? [] : [leaf('RequestID', h.requestId)]),
    ...(h.responseId === undefined ? [] : [leaf('ResponseID', h.responseId)]),
    leaf('ResponseCode', h.responseCode),
    leaf('ResponseDateTime', formatDateTime(h.responseDateTime)),
  ]);
  const body = r.body === undefined ? [] : [sr('Body', [bodyElement(r.body)])];
  return element(SR_NS, 'sr', 'Response', [header, ...body], [attribute('schemaVersion', SCHEMA_VERSION)]);
}

function bodyElement(b: DuisResponseBody): XmlElement {
  switch (b.kind) {
    case 'responseMessage': {
      const pre = b.preCommand;
      const values = b.values === undefined ? [] : Object.keys(b.values).sort();
      return sr('ResponseMessage', [
        leaf('ServiceReference', b.serviceReference),
        leaf('ServiceReferenceVariant', b.serviceReferenceVariant),
        ...(pre === undefined
          ? []
          : [sr('PreCommand', [leaf('GBCSVersion', pre.gbcsVersion), leaf('GBCSPayload', toBase64(pre.payload))])]),
        ...(values.length === 0
          ? []
          : [
              ra(
                'ResponseValues',
                values.map((k) => ra('Value', [text(b.values![k]!)], [attribute('name', k)])),
              ),
            ]),
      ]);
    }
    case 'deviceAlert':
      return sr('DeviceAlertMessage', [leaf('AlertCode', b.alertCode.toString(16).toUpperCase().padStart(4, '0'))]);
    case 'dccAlert':
      return sr('DCCAlertMessage', [
        leaf('DCCAlertCode', b.dccAlertCode),
        sr('DCCAlert', [
          ra('TwinAlert', [...(b.requestId === undefined ? [] : [ra('RequestID', [text(b.requestId)])]), ra('Text', [text(b.text)])]),
        ]),
      ]);
  }
}

const isSignature = (c: XmlElement): boolean => c.ns === DSIG_NS && c.local === 'Signature';

/** The response a DUIS response document states; every refusal names the element path. */
export function readResponse(root: XmlElement): Result<DuisResponse, DuisXmlError> {
  if (root.ns !== SR_NS || root.local !== 'Response')
    return structure(`/${root.local}`, `expected Response in ${SR_NS}, got {${root.ns}}${root.local}`);
  const top = readSequence(root, '/Response', [{ name: 'Header' }, { name: 'Body', optional: true }], { skip: isSignature });
  if (!top.ok) return top;
  const p = '/Response/Header';
  const h = readSequence(top.value['Header']!, p, [
    { name: 'RequestID', optional: true },
    { name: 'ResponseID', optional: true },
    { name: 'ResponseCode' },
    { name: 'ResponseDateTime' },
  ]);
  if (!h.ok) return h;
  const texts: Record<string, string> = {};
  for (const [name, e] of Object.entries(h.value)) {
    if (e === undefined) continue;
    const t = leafText(e, `${p}/${name}`);
    if (!t.ok) return t;
    texts[name] = t.value;
  }
  const at = parseDateTime(texts['ResponseDateTime']!);
  if (at === undefined)
    return field(`${p}/ResponseDateTime`, `expected an xs:dateTime with a zone, got ${quote(texts['ResponseDateTime']!)}`);
  const header: DuisResponseHeader = {
    ...(texts['RequestID'] === undefined ? {} : { requestId: texts['RequestID'] }),
    ...(texts['ResponseID'] === undefined ? {} : { responseId: texts['ResponseID'] }),
    responseCode: texts['ResponseCode']!,
    responseDateTime: at,
  };
  const bodyEl = top.value['Body'];
  if (bodyEl === undefined) return ok({ header });
  const body = readBody(bodyEl, '/Response/Body');
  return body.ok ? ok({ header, body: body.value }) : body;
}

function readBody(b: XmlElement, path: string): Result<DuisResponseBody, DuisXmlError> {
  const s = readSequence(b, path, [
    { name: 'ResponseMessage', optional: true },
    { name: 'DeviceAlertMessage', optional: true },
    { name: 'DCCAlertMessage', optional: true },
  ]);
  if (!s.ok) return s;
  const present = Object.values(s.value).filter((e) => e !== undefined);
  if (present.length !== 1) return structure(path, 'expected one of ResponseMessage, DeviceAlertMessage, DCCAlertMessage');
  const { ResponseMessage: message, DeviceAlertMessage: deviceAlert, DCCAlertMessage: dccAlert } = s.value;
  if (message !== undefined) return readResponseMessage(message, `${path}/ResponseMessage`);
  if (deviceAlert !== undefined) {
    const p = `${path}/DeviceAlertMessage`;
    const d = readSequence(deviceAlert, p, [{ name: 'AlertCode' }, { name: 'GBCSPayload', optional: true }]);
    if (!d.ok) return d;
    const code = leafText(d.value['AlertCode']!, `${p}/AlertCode`);
    if (!code.ok) return code;
    if (!/^[0-9A-Fa-f]{4}$/.test(code.value)) return field(`${p}/AlertCode`, `expected 4 hex digits, got ${quote(code.value)}`);
    return ok({ kind: 'deviceAlert', alertCode: parseInt(code.value, 16) });
  }
  const p = `${path}/DCCAlertMessage`;
  const d = readSequence(dccAlert!, p, [{ name: 'DCCAlertCode' }, { name: 'DCCAlert' }]);
  if (!d.ok) return d;
  const code = leafText(d.value['DCCAlertCode']!, `${p}/DCCAlertCode`);
  if (!code.ok) return code;
  const alert = readSequence(d.value['DCCAlert']!, `${p}/DCCAlert`, [{ name: 'TwinAlert' }], { ns: RA_NS });
  if (!alert.ok) return alert;
  const q = `${p}/DCCAlert/TwinAlert`;
  const twin = readSequence(alert.value['TwinAlert']!, q, [{ name: 'RequestID', optional: true }, { name: 'Text' }], { ns: RA_NS });
  if (!twin.ok) return twin;
  const t = leafText(twin.value['Text']!, `${q}/Text`);
  if (!t.ok) return t;
  const rid = twin.value['RequestID'];
  const requestId = rid === undefined ? undefined : leafText(rid, `${q}/RequestID`);
  if (requestId !== undefined && !requestId.ok) return requestId;
  return ok({
    kind: 'dccAlert',
    dccAlertCode: code.value,
    text: t.value,
    ...(requestId === undefined ? {} : { requestId: requestId.value }),
  });
}

function readResponseMessage(m: XmlElement, p: string): Result<DuisResponseBody, DuisXmlError> {
  const s = readSequence(
    m,
    p,
    [
      { name: 'ServiceReference' },
      { name: 'ServiceReferenceVariant' },
      { name: 'PreCommand', optional: true },
      { name: 'GBCSPayload', optional: true },
    ],
    { skip: (c) => c.ns === RA_NS },
  );
  if (!s.ok) return s;
  const srText = leafText(s.value['ServiceReference']!, `${p}/ServiceReference`);
  if (!srText.ok) return srText;
  const srvText = leafText(s.value['ServiceReferenceVariant']!, `${p}/ServiceReferenceVariant`);
  if (!srvText.ok) return srvText;
  let preCommand: DuisPreCommand | undefined;
  const pre = s.value['PreCommand'];
  if (pre !== undefined) {
    const q = `${p}/PreCommand`;
    const pc = readSequence(pre, q, [{ name: 'GBCSVersion' }, { name: 'GBCSPayload' }]);
    if (!pc.ok) return pc;
    const version = leafText(pc.value['GBCSVersion']!, `${q}/GBCSVersion`);
    if (!version.ok) return version;
    const payloadText = leafText(pc.value['GBCSPayload']!, `${q}/GBCSPayload`);
    if (!payloadText.ok) return payloadText;
    const payload = fromBase64(payloadText.value);
    if (payload === undefined) return field(`${q}/GBCSPayload`, 'expected base64');
    preCommand = { gbcsVersion: version.value, payload };
  }
  const values = readValues(m, p);
  if (!values.ok) return values;
  return ok({
    kind: 'responseMessage',
    serviceReference: srText.value,
    serviceReferenceVariant: srvText.value,
    ...(preCommand === undefined ? {} : { preCommand }),
    ...(values.value === undefined ? {} : { values: values.value }),
  });
}

/** The twin's `ra:ResponseValues`, read apart from the `sr:` sequence it follows. */
function readValues(m: XmlElement, p: string): Result<Readonly<Record<string, string>> | undefined, DuisXmlError> {
  const holders = childElements(m).filter((c) => c.ns === RA_NS);
  if (holders.length === 0) return ok(undefined);
  const [holder, ...more] = holders;
  if (more.length > 0 || holder!.local !== 'ResponseValues')
    return structure(`${p}/${holders[holders.length - 1]!.local}`, 'expected one ra:ResponseValues');
  const q = `${p}/ResponseValues`;
  const out: Record<string, string> = {};
  for (const v of childElements(holder!)) {
    const name = attributeValue(v, 'name');
    if (v.ns !== RA_NS || v.local !== 'Value' || name === undefined) return structure(`${q}/${v.local}`, 'expected ra:Value with a name');
    if (Object.hasOwn(out, name)) return structure(`${q}/Value`, `the value ${quote(name)} is given twice`);
    Object.defineProperty(out, name, {
      value: v.children.reduce((s, c) => (c.kind === 'text' ? s + c.text : s), ''),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return ok(out);
}
