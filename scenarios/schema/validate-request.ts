import { fieldError } from '../../core/errors.ts';
import { toEui64, type Eui64 } from '../../core/ids.ts';
import type { Instant } from '../../core/time/duration.ts';
import { ROLES } from '../../dsp/access/roles.ts';
import type { DeviceType } from '../../dsp/registry/registry.ts';
import { DUIS_CODES, EMULATOR_CODES, type ResponseCode } from '../../dsp/response-codes.ts';
import type { Checker } from './checker.ts';
import { checkKeys, choiceExpected, get, readChoice, readList, readRecord } from './checker.ts';
import { Fields } from './fields.ts';
import { itemPath } from './paths.ts';
import { isPlainRecord } from './plain-data.ts';
import { EMPTY_BODY_KINDS, type RequestBody, type RequestTarget, type ResponseAssertion, type ServiceRequestEvent } from './scenario.ts';
import { readSrv } from './validate-policy.ts';

/**
 * A `serviceRequest` event: any User, any SRV, any Command Variant, any
 * body. Only the notation is checked — an SRV unknown to the catalogue or a
 * role the User does not hold is a request the DSP must refuse, and a
 * scenario may want exactly that. // DOMAIN §4.1–§4.4, §4.10
 */

export const REQUEST_KEYS = ['id', 'user', 'role', 'srv', 'commandVariant', 'signedSend', 'target', 'body', 'expect'] as const;

/** Every response code the DSP answers with. // dsp/response-codes.ts */
export const RESPONSE_CODES: readonly ResponseCode[] = [...Object.values(DUIS_CODES), ...Object.values(EMULATOR_CODES)];

/** A request id: letters, digits, `_ . - [ ]`, at most 80 (`timeline[3]` is the id of an unnamed request). */
const REQUEST_ID = /^[\w.[\]-]{1,80}$/;
const DEVICE_TYPES: readonly DeviceType[] = ['ESME', 'GSME', 'PPMID', 'CHF', 'GPF'];
const BODY_KINDS = ['updatePaymentMode', 'topUpDevice', 'opaque', ...EMPTY_BODY_KINDS] as const;
// The longest sequence of answers one request gets is a transform, an acknowledgement and a response; room for resends.
const MAX_EXPECTED_CODES = 16;
const MAX_OPAQUE_HEX = 8192;

export function readServiceRequest(
  f: Fields,
  at: Instant,
  index: number,
  timelinePath: string,
): { event: ServiceRequestEvent; expect: ResponseAssertion | null } {
  const c = f.c;
  const id = f.string(
    'id',
    { expected: 'a request id of letters, digits, _ . - [ ] (at most 80)', maxLength: 80, pattern: REQUEST_ID },
    itemPath(timelinePath, index),
  );
  const user = f.party('user', 'any');
  const role = f.optionalChoice('role', ROLES);
  const srvRaw = f.raw('srv');
  let srv = '';
  if (f.need('srv', 'an SRV as a string, e.g. "1.6"')) srv = readSrv(c, srvRaw, f.at('srv')) ?? '';
  const commandVariant = f.number('commandVariant', { min: 0, max: 99, integer: true, what: 'a Command Variant (1–8 are valid)' });
  const signedSend = readSignedSend(f, commandVariant);
  const target = readTarget(f);
  const body = readBody(f, at);
  const expect = f.has('expect') ? readExpect(c, f.raw('expect'), f.at('expect'), id) : null;
  return { event: { kind: 'serviceRequest', at, id, user, role, srv, commandVariant, signedSend, target, body }, expect };
}

/** 5, 6, 7 or `none`; only for CV 4, after whose transform the User signs the Pre-Command. Default 5. // DOMAIN §4.3 */
function readSignedSend(f: Fields, commandVariant: number): 5 | 6 | 7 | null {
  const raw = f.raw('signedSend');
  if (commandVariant !== 4) {
    if (raw !== undefined)
      f.c.add(fieldError(f.at('signedSend'), 'format', 'no signedSend: only a CV 4 request is signed and sent on', raw));
    return null;
  }
  if (raw === undefined) return 5;
  if (raw === 'none') return null;
  if (raw === 5 || raw === 6 || raw === 7) return raw;
  f.c.add(
    fieldError(f.at('signedSend'), typeof raw === 'number' || typeof raw === 'string' ? 'unknown-kind' : 'type', "5, 6, 7 or 'none'", raw),
  );
  return 5;
}

function readTarget(f: Fields): RequestTarget {
  const path = f.at('target');
  const expected = 'an object { premises, device } or { eui64 }';
  if (!f.need('target', expected)) return { kind: 'premises', premises: 0, device: 'ESME' };
  const r = readRecord(f.c, f.raw('target'), path, ['premises', 'device', 'eui64'], expected);
  const t = new Fields(f.c, r, path, f.ctx);
  if (t.has('eui64')) {
    if (t.has('premises') || t.has('device'))
      f.c.add(fieldError(path, 'format', 'either { premises, device } or { eui64 }, not both', 'both'));
    const eui64 = f.c.take(toEui64(t.raw('eui64'), t.at('eui64')), '' as Eui64);
    return { kind: 'eui64', eui64 };
  }
  return { kind: 'premises', premises: t.premises('premises'), device: t.choice('device', DEVICE_TYPES, 'ESME') };
}

function readBody(f: Fields, at: Instant): RequestBody {
  const path = f.at('body');
  const expected = `an object { kind, … } with kind one of ${BODY_KINDS.join(', ')}`;
  if (!f.need('body', expected)) return { kind: 'readMeterBalance' };
  const raw = f.raw('body');
  if (!isPlainRecord(raw)) {
    f.c.add(fieldError(path, 'type', expected, raw));
    return { kind: 'readMeterBalance' };
  }
  const b = new Fields(f.c, raw, path, f.ctx);
  const kindRaw = get(raw, 'kind');
  const kind = BODY_KINDS.find((k) => k === kindRaw);
  if (kind === undefined) {
    const code = kindRaw === undefined ? 'required' : typeof kindRaw === 'string' ? 'unknown-kind' : 'type';
    f.c.add(
      fieldError(
        b.at('kind'),
        code,
        typeof kindRaw === 'string' ? choiceExpected(kindRaw, BODY_KINDS) : `one of ${BODY_KINDS.join(', ')}`,
        kindRaw,
      ),
    );
    return { kind: 'readMeterBalance' };
  }
  switch (kind) {
    case 'updatePaymentMode': {
      const mode = b.choice('mode', ['credit', 'prepayment'] as const);
      const prepaymentKeys = ['suspendDebtDisabled', 'suspendDebtEmergency', 'disablementThreshold'];
      checkKeys(f.c, raw, path, ['kind', 'mode', 'executionAt', ...(mode === 'prepayment' || !b.has('mode') ? prepaymentKeys : [])]);
      const executionAt = b.laterTime('executionAt', at, "the request's own time") ?? null;
      if (mode === 'credit') return { kind, mode, executionAt };
      return {
        kind,
        mode,
        executionAt,
        suspendDebtDisabled: b.bool('suspendDebtDisabled', true),
        suspendDebtEmergency: b.bool('suspendDebtEmergency', true),
        disablementThreshold: b.pounds('disablementThreshold', { min: -250, max: 250 }, 0),
      };
    }
    case 'topUpDevice': {
      checkKeys(f.c, raw, path, ['kind', 'amount', 'utrn']);
      if (b.has('utrn')) {
        if (b.has('amount')) f.c.add(fieldError(path, 'format', 'either amount (a UTRN minted for the target) or utrn, not both', 'both'));
        const utrn = b.string('utrn', { expected: 'a UTRN as a string of up to 40 characters', maxLength: 40 });
        return { kind, utrn: { kind: 'literal', utrn } };
      }
      return { kind, utrn: { kind: 'mint', amount: b.topUpAmount('amount') } };
    }
    case 'opaque': {
      checkKeys(f.c, raw, path, ['kind', 'hex']);
      const hex = b.string(
        'hex',
        { expected: 'bytes as an even number of hex digits', maxLength: MAX_OPAQUE_HEX, pattern: /^(?:[0-9A-Fa-f]{2})*$/ },
        '',
      );
      return { kind, hex: hex.toLowerCase() };
    }
    default:
      checkKeys(f.c, raw, path, ['kind']);
      return { kind };
  }
}

/** `E4` (the final answer) or `[I0, I99, I0]` (every answer, in order). */
export function readExpect(c: Checker, raw: unknown, path: string, request: string): ResponseAssertion {
  const fallback: ResponseAssertion = { kind: 'response', request, expect: { match: 'final', code: 'I0' } };
  if (typeof raw === 'string') return { ...fallback, expect: { match: 'final', code: readChoice(c, raw, path, RESPONSE_CODES, 'I0') } };
  if (!Array.isArray(raw)) {
    c.add(fieldError(path, 'type', 'a response code (the final answer) or a list of them (every answer, in order)', raw));
    return fallback;
  }
  const list = readList(c, raw, path, MAX_EXPECTED_CODES, 'a list of response codes');
  if (raw.length === 0) c.add(fieldError(path, 'required', 'at least one response code', raw));
  const codes = list.map((v, i) => readChoice(c, v, itemPath(path, i), RESPONSE_CODES, 'I0'));
  return { ...fallback, expect: { match: 'sequence', codes } };
}
