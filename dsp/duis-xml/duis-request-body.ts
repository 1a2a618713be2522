/**
 * The `sr:Body` of a DUIS request ↔ the twin's `ServiceRequestBody`, for
 * every body the twin models (proto/gbsm/v1/dsp.proto `oneof body`); any
 * other body element is kept as the `opaque` body: its bytes in exclusive
 * canonical form, which read back as the same element. // DOMAIN §4.10
 *
 * | element                           | SRV  | twin body                        |
 * | --------------------------------- | ---- | -------------------------------- |
 * | `UpdatePaymentMode`               | 1.6  | `updatePaymentMode`              |
 * | `TopUpDevice`                     | 2.2  | `topUpDevice`                    |
 * | `ReadInstantaneousPrepayValues`   | 4.3  | `readInstantaneousPrepayValues`  |
 * | `ReadMeterBalance`                | 4.18 | `readMeterBalance`               |
 * | `EnableSupply` … `ArmSupply`      | 7.1–7.3 | `enableSupply` …              |
 * | `ReadSupplyStatus`                | 7.4  | `readSupplyStatus`               |
 * | `SignedPreCommand`                | CV 5–7 | `signedPreCommand` (gbcs-payload.ts) |
 */
import { ok, type Result } from '../../core/result.ts';
import type { Empty, ServiceRequestBody, UpdatePaymentMode } from '../../proto/types.ts';
import { fromBase64, toBase64 } from './base64.ts';
import { empty, field, leafText, readSequence, structure } from './duis-read.ts';
import { SR_NS } from './duis-namespaces.ts';
import { quote, type DuisXmlError } from './errors.ts';
import { canonicalBytes } from './exc-c14n.ts';
import { signedPreCommandFromPayload, signedPreCommandPayload } from './gbcs-payload.ts';
import { formatDateTime, parseDateTime } from './xml-datetime.ts';
import { parseXml } from './xml-parser.ts';
import { childElements, element, text, type XmlElement, type XmlNode } from './xml-tree.ts';

type EmptyKind = 'readInstantaneousPrepayValues' | 'readMeterBalance' | 'enableSupply' | 'disableSupply' | 'armSupply' | 'readSupplyStatus';

/** Bodies with no content: element name ↔ kind. // DOMAIN §4.10 */
const EMPTY_BODIES: Readonly<Record<string, EmptyKind>> = {
  ReadInstantaneousPrepayValues: 'readInstantaneousPrepayValues',
  ReadMeterBalance: 'readMeterBalance',
  EnableSupply: 'enableSupply',
  DisableSupply: 'disableSupply',
  ArmSupply: 'armSupply',
  ReadSupplyStatus: 'readSupplyStatus',
};
const EMPTY_ELEMENT: Readonly<Record<EmptyKind, string>> = Object.fromEntries(
  Object.entries(EMPTY_BODIES).map(([k, v]) => [v, k]),
) as Record<EmptyKind, string>;

const sr = (local: string, children: readonly XmlNode[] = []): XmlElement => element(SR_NS, 'sr', local, children);
const leaf = (local: string, value: string): XmlElement => sr(local, [text(value)]);

/** The twin's body for `sr:Body` (`path` is its path); `root` is the document, for the opaque body's namespaces. */
export function readRequestBody(root: XmlElement, body: XmlElement, path: string): Result<ServiceRequestBody, DuisXmlError> {
  const [el, ...more] = childElements(body);
  if (el === undefined) return structure(path, 'the Body holds no request element');
  if (more.length > 0) return structure(`${path}/${more[0]!.local}`, 'the Body holds one request element');
  const loose = body.children.find((c) => c.kind === 'text' && /[^ \t\n\r]/.test(c.text));
  if (loose !== undefined) return structure(path, 'unexpected text in the Body');
  const p = `${path}/${el.local}`;
  const emptyKind = el.ns === SR_NS ? EMPTY_BODIES[el.local] : undefined;
  if (emptyKind !== undefined) {
    const e = empty(el, p);
    return e.ok ? ok(emptyBody(emptyKind)) : e;
  }
  if (el.ns === SR_NS && el.local === 'UpdatePaymentMode') {
    const u = readUpdatePaymentMode(el, p);
    return u.ok ? ok({ kind: 'updatePaymentMode', updatePaymentMode: u.value }) : u;
  }
  if (el.ns === SR_NS && el.local === 'TopUpDevice') {
    const s = readSequence(el, p, [{ name: 'UTRN' }]);
    if (!s.ok) return s;
    const utrn = leafText(s.value['UTRN']!, `${p}/UTRN`);
    if (!utrn.ok) return utrn;
    // DOMAIN §4.10: UTRN [0-9]{20} (XSD); whether it is valid is the device's question.
    if (!/^[0-9]{20}$/.test(utrn.value)) return field(`${p}/UTRN`, `expected 20 digits, got ${quote(utrn.value)}`);
    return ok({ kind: 'topUpDevice', topUpDevice: { utrn: utrn.value } });
  }
  if (el.ns === SR_NS && el.local === 'SignedPreCommand') {
    const s = readSequence(el, p, [{ name: 'GBCSPayload' }]);
    if (!s.ok) return s;
    const t = leafText(s.value['GBCSPayload']!, `${p}/GBCSPayload`);
    if (!t.ok) return t;
    const bytes = fromBase64(t.value);
    if (bytes === undefined) return field(`${p}/GBCSPayload`, 'expected base64');
    const signed = signedPreCommandFromPayload(bytes);
    return signed.ok ? ok({ kind: 'signedPreCommand', signedPreCommand: signed.value }) : field(`${p}/GBCSPayload`, signed.error);
  }
  // An SRV the twin does not model: kept as is, for the DSP to answer (X13 where it cannot act on it).
  return ok({ kind: 'opaque', opaque: canonicalBytes(root, { apex: el })! });
}

function emptyBody(kind: EmptyKind): ServiceRequestBody {
  const none: Empty = {};
  return { kind, [kind]: none } as ServiceRequestBody;
}

/** SR 1.6 `UpdatePaymentMode { ExecutionDateTime?, (Credit | Prepayment) }`. // DOMAIN §4.10 */
function readUpdatePaymentMode(el: XmlElement, p: string): Result<UpdatePaymentMode, DuisXmlError> {
  const s = readSequence(el, p, [
    { name: 'ExecutionDateTime', optional: true },
    { name: 'Credit', optional: true },
    { name: 'Prepayment', optional: true },
  ]);
  if (!s.ok) return s;
  const { ExecutionDateTime: when, Credit: credit, Prepayment: prepayment } = s.value;
  if ((credit === undefined) === (prepayment === undefined)) return structure(p, 'expected Credit or Prepayment (one of them)');
  const at: { executionDateTime?: number } = {};
  if (when !== undefined) {
    const t = leafText(when, `${p}/ExecutionDateTime`);
    if (!t.ok) return t;
    const instant = parseDateTime(t.value);
    if (instant === undefined)
      return field(`${p}/ExecutionDateTime`, `expected an xs:dateTime with a zone, e.g. 2026-01-01T00:00:00Z, got ${quote(t.value)}`);
    at.executionDateTime = instant;
  }
  if (credit !== undefined) {
    const e = empty(credit, `${p}/Credit`);
    return e.ok ? ok({ ...at, kind: 'credit', credit: {} }) : e;
  }
  const q = `${p}/Prepayment`;
  const pp = readSequence(prepayment!, q, [
    { name: 'SuspendDebtDisabled' },
    { name: 'SuspendDebtEmergency' },
    { name: 'DisablementThreshold' },
  ]);
  if (!pp.ok) return pp;
  const disabled = readBoolean(pp.value['SuspendDebtDisabled']!, `${q}/SuspendDebtDisabled`);
  if (!disabled.ok) return disabled;
  const emergency = readBoolean(pp.value['SuspendDebtEmergency']!, `${q}/SuspendDebtEmergency`);
  if (!emergency.ok) return emergency;
  // DOMAIN §1.2: DUIS money is a bare integer, taken as £0.00001 units like the twin's Money (UNVERIFIED).
  const threshold = readInteger(pp.value['DisablementThreshold']!, `${q}/DisablementThreshold`);
  if (!threshold.ok) return threshold;
  return ok({
    ...at,
    kind: 'prepayment',
    prepayment: { suspendDebtDisabled: disabled.value, suspendDebtEmergency: emergency.value, disablementThreshold: threshold.value },
  });
}

function readBoolean(e: XmlElement, path: string): Result<boolean, DuisXmlError> {
  const t = leafText(e, path);
  if (!t.ok) return t;
  if (t.value === 'true' || t.value === '1') return ok(true);
  if (t.value === 'false' || t.value === '0') return ok(false);
  return field(path, `expected true or false, got ${quote(t.value)}`);
}

function readInteger(e: XmlElement, path: string): Result<number, DuisXmlError> {
  const t = leafText(e, path);
  if (!t.ok) return t;
  const n = /^[+-]?[0-9]{1,16}$/.test(t.value) ? Number(t.value) : NaN;
  return Number.isSafeInteger(n) ? ok(n === 0 ? 0 : n) : field(path, `expected an integer, got ${quote(t.value)}`);
}

/** The `sr:` request element for a twin body; an opaque body must be the bytes of one XML element. */
export function requestBodyElement(body: ServiceRequestBody): Result<XmlElement, DuisXmlError> {
  const path = '/Request/Body';
  switch (body.kind) {
    case 'updatePaymentMode': {
      const u = body.updatePaymentMode;
      const when = u.executionDateTime === undefined ? [] : [leaf('ExecutionDateTime', formatDateTime(u.executionDateTime))];
      const mode =
        u.kind === 'credit'
          ? sr('Credit')
          : sr('Prepayment', [
              leaf('SuspendDebtDisabled', String(u.prepayment.suspendDebtDisabled)),
              leaf('SuspendDebtEmergency', String(u.prepayment.suspendDebtEmergency)),
              leaf('DisablementThreshold', String(u.prepayment.disablementThreshold)),
            ]);
      return ok(sr('UpdatePaymentMode', [...when, mode]));
    }
    case 'topUpDevice':
      return ok(sr('TopUpDevice', [leaf('UTRN', body.topUpDevice.utrn)]));
    case 'signedPreCommand': {
      const payload = signedPreCommandPayload(body.signedPreCommand);
      if (!payload.ok) return field(`${path}/SignedPreCommand/GBCSPayload`, payload.error);
      return ok(sr('SignedPreCommand', [leaf('GBCSPayload', toBase64(payload.value))]));
    }
    case 'opaque': {
      const parsed = parseXml(body.opaque);
      return parsed.ok ? parsed : field(path, `an opaque body must be one XML element in UTF-8: ${parsed.error.detail}`);
    }
    case 'readInstantaneousPrepayValues':
    case 'readMeterBalance':
    case 'enableSupply':
    case 'disableSupply':
    case 'armSupply':
    case 'readSupplyStatus':
      return ok(sr(EMPTY_ELEMENT[body.kind]));
  }
}
