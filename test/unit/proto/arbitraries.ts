import fc from 'fast-check';
import type { DebtConfig } from '../../../emulator/devices/common/debt.ts';
import type { MeterFailure, MeterResponse } from '../../../emulator/devices/common/meter-types.ts';
import type { PrepayConfig } from '../../../emulator/devices/common/prepay-config.ts';
import { toHanCommand, toHanResponse, type HanMeterEvent } from '../../../proto/han-mapping.ts';
import type {
  DuisRequestHeader,
  Envelope,
  Via,
  EnvelopeBody,
  EnvelopeHeader,
  EnvelopeKind,
  ServiceRequestBody,
} from '../../../proto/types.ts';

/** Random bus messages for the codec properties: every field, edge values included. */

const U64_MAX = 2n ** 64n - 1n;

/** Any well-formed Unicode text (lone surrogates cannot be UTF-8 and are not messages). */
export const text = fc.string({ unit: 'grapheme', maxLength: 24 });
/** Money: mostly everyday amounts, sometimes the extremes, negative included. */
export const money = fc.oneof(fc.integer({ min: -10_000_000, max: 10_000_000 }), fc.maxSafeInteger());
export const instant = fc.oneof(fc.integer({ min: Date.UTC(2020, 0, 1), max: Date.UTC(2040, 0, 1) }), fc.maxSafeInteger());
export const u32 = fc.integer({ min: 0, max: 0xffff_ffff });
export const u64 = fc.oneof(fc.bigInt({ min: 0n, max: 1000n }), fc.bigInt({ min: 0n, max: U64_MAX }), fc.constant(U64_MAX));
export const eui = fc
  .uint8Array({ minLength: 8, maxLength: 8 })
  .map((b) => Array.from(b, (x) => x.toString(16).toUpperCase().padStart(2, '0')).join('-'));
const via = fc.constantFrom<Via>('meter', 'ppmid', 'remote');
const ref = fc.record({ ref: text }, { requiredKeys: [] });
const command = <T extends object>(fields: fc.Arbitrary<T>): fc.Arbitrary<T & { now: number; ref?: string }> =>
  fc.tuple(fields, instant, ref).map(([f, now, r]) => ({ ...f, now, ...r }));

export const prepayConfig: fc.Arbitrary<PrepayConfig> = fc.record({
  lowCreditThreshold: money,
  emergencyCreditThreshold: money,
  emergencyCreditLimit: money,
  disablementThreshold: money,
  maxMeterBalance: money,
  maxCreditThreshold: money,
  suspendDebtDisabled: fc.boolean(),
  suspendDebtEmergency: fc.boolean(),
});

const period = fc.constantFrom<'hourly' | 'daily'>('hourly', 'daily');
const cap = fc.option(fc.record({ amount: money, periodMs: fc.maxSafeInteger() }), { nil: null });
export const debtConfig: fc.Arbitrary<DebtConfig> = fc.record({
  timeDebt1: fc.record({ rate: money, period }),
  timeDebt2: fc.record({ rate: money, period }),
  timeDebtCap: cap,
  paymentDebtBasisPoints: fc.integer({ min: 0, max: 10_000 }),
  paymentDebtCap: cap,
});

/** Every MeterEvent that crosses the HAN, each field random. */
export const meterEvent: fc.Arbitrary<HanMeterEvent> = fc.oneof(
  command(
    fc.record(
      { type: fc.constant('credit.utrn' as const), utrn: fc.stringMatching(/^\d{20}$/), via, counter: u64 },
      { requiredKeys: ['type', 'utrn', 'via'] },
    ),
  ),
  command(fc.record({ type: fc.constant('ec.activate' as const), via })),
  command(fc.record({ type: fc.constant('supply.enableLocal' as const), via: fc.constantFrom('meter' as const, 'ppmid' as const) })),
  command(fc.record({ type: fc.constant('supply.enable' as const) })),
  command(fc.record({ type: fc.constant('supply.disable' as const) })),
  command(fc.record({ type: fc.constant('supply.arm' as const) })),
  command(fc.record({ type: fc.constant('mode.set' as const), mode: fc.constant('Credit' as const) })),
  command(
    fc.record({
      type: fc.constant('mode.set' as const),
      mode: fc.constant('Prepayment' as const),
      disablementThreshold: money,
      suspendDebtDisabled: fc.boolean(),
      suspendDebtEmergency: fc.boolean(),
    }),
  ),
  command(fc.record({ type: fc.constant('config.prepay' as const), prepay: prepayConfig })),
  command(
    fc.record(
      {
        type: fc.constant('config.debt' as const),
        add: fc.record({ timeDebt1: money, timeDebt2: money, paymentDebt: money }, { requiredKeys: [] }),
        debt: debtConfig,
      },
      { requiredKeys: ['type', 'add'] },
    ),
  ),
  command(
    fc.record({ type: fc.constant('balance.adjust' as const), kind: fc.constantFrom('adjust' as const, 'reset' as const), amount: money }),
  ),
  command(fc.record({ type: fc.constant('read.supplyStatus' as const) })),
  command(fc.record({ type: fc.constant('read.prepayValues' as const) })),
  command(fc.record({ type: fc.constant('read.balance' as const) })),
  command(fc.record({ type: fc.constant('read.prepayConfig' as const) })),
);

export const METER_EVENT_TYPES = [
  'credit.utrn',
  'ec.activate',
  'supply.enableLocal',
  'supply.enable',
  'supply.disable',
  'supply.arm',
  'mode.set',
  'config.prepay',
  'config.debt',
  'balance.adjust',
  'read.supplyStatus',
  'read.prepayValues',
  'read.balance',
  'read.prepayConfig',
] as const satisfies readonly HanMeterEvent['type'][];

const FAILURES: readonly MeterFailure[] = [
  'not-supported',
  'not-armed',
  'not-here',
  'asleep',
  'ec-not-available',
  'utrn-rejected',
  'over-max-credit',
  'over-max-balance',
];

/** Body values as meters give them, and every awkward number: -0, NaN, ±Infinity, beyond 2^53. */
const bodyValue = fc.oneof(text, money, fc.double(), fc.boolean(), fc.constant(null));

export const meterResponse: fc.Arbitrary<MeterResponse> = fc.record(
  {
    ref: fc.option(text, { nil: null }),
    command: fc.constantFrom('clock.due' as const, ...METER_EVENT_TYPES),
    outcome: fc.constantFrom('success' as const, 'failure' as const),
    reason: fc.constantFrom(...FAILURES),
    body: fc.dictionary(text, bodyValue, { maxKeys: 6 }),
  },
  { requiredKeys: ['ref', 'command', 'outcome'] },
);

const bytes = fc.uint8Array({ maxLength: 80 });

const duisHeader: fc.Arbitrary<DuisRequestHeader> = fc.record({
  requestId: fc.tuple(eui, eui, u64).map(([a, b, n]) => `${a}:${b}:${n}`),
  serviceReference: text,
  serviceReferenceVariant: text,
  commandVariant: u32,
  businessOriginator: eui,
  businessTarget: eui,
  userRole: fc.constantFrom('IS', 'GS', 'SC', ''),
});

const xmlSignature = fc.record({ certificateSerial: u64, signature: bytes });

const requestBody: fc.Arbitrary<ServiceRequestBody> = fc.oneof(
  fc.record({ command: bytes, signature: bytes }).map((signedPreCommand) => ({ kind: 'signedPreCommand' as const, signedPreCommand })),
  bytes.map((opaque) => ({ kind: 'opaque' as const, opaque })),
  fc
    .tuple(
      fc.record({ executionDateTime: instant }, { requiredKeys: [] }),
      fc.option(fc.record({ suspendDebtDisabled: fc.boolean(), suspendDebtEmergency: fc.boolean(), disablementThreshold: money }), {
        nil: null,
      }),
    )
    .map(([when, prepayment]) => ({
      kind: 'updatePaymentMode' as const,
      updatePaymentMode:
        prepayment === null ? { ...when, kind: 'credit' as const, credit: {} } : { ...when, kind: 'prepayment' as const, prepayment },
    })),
  fc.stringMatching(/^\d{20}$/).map((utrn) => ({ kind: 'topUpDevice' as const, topUpDevice: { utrn } })),
  fc.constant({ kind: 'readInstantaneousPrepayValues' as const, readInstantaneousPrepayValues: {} }),
  fc.constant({ kind: 'readMeterBalance' as const, readMeterBalance: {} }),
  fc.constant({ kind: 'enableSupply' as const, enableSupply: {} }),
  fc.constant({ kind: 'disableSupply' as const, disableSupply: {} }),
  fc.constant({ kind: 'armSupply' as const, armSupply: {} }),
  fc.constant({ kind: 'readSupplyStatus' as const, readSupplyStatus: {} }),
);

/** The body of each envelope kind. */
export const bodies: { readonly [K in EnvelopeKind]: fc.Arbitrary<Extract<EnvelopeBody, { kind: K }>> } = {
  hanCommand: fc
    .tuple(meterEvent, fc.option(fc.record({ preCommand: bytes, signature: bytes }), { nil: undefined }))
    .map(([e, authorisation]) => ({
      kind: 'hanCommand' as const,
      hanCommand: authorisation === undefined ? toHanCommand(e) : { ...toHanCommand(e), authorisation },
    })),
  hanResponse: meterResponse.map((r) => ({ kind: 'hanResponse' as const, hanResponse: toHanResponse(r) })),
  deviceAlert: fc
    .record({ code: u32, device: eui, at: instant, critical: fc.boolean() })
    .map((deviceAlert) => ({ kind: 'deviceAlert' as const, deviceAlert })),
  wanCommand: fc
    .record({ commsHub: eui, device: eui, command: meterEvent.map(toHanCommand) })
    .map((wanCommand) => ({ kind: 'wanCommand' as const, wanCommand })),
  wanResponse: fc
    .record({ commsHub: eui, device: eui, response: meterResponse.map(toHanResponse) })
    .map((wanResponse) => ({ kind: 'wanResponse' as const, wanResponse })),
  serviceRequest: fc.tuple(duisHeader, requestBody, fc.option(xmlSignature, { nil: undefined })).map(([header, body, sig]) => ({
    kind: 'serviceRequest' as const,
    serviceRequest: sig === undefined ? { header, ...body } : { header, xmlSignature: sig, ...body },
  })),
  serviceResponse: fc
    .record(
      {
        requestId: text,
        responseCode: fc.constantFrom('I0', 'I99', 'E4', 'E12', 'E010101'),
        preCommand: bytes,
        body: fc.dictionary(text, text),
      },
      { requiredKeys: ['requestId', 'responseCode', 'body'] },
    )
    .map((serviceResponse) => ({ kind: 'serviceResponse' as const, serviceResponse })),
  dccAlert: fc
    .record({ code: fc.constantFrom('N12', 'N24', 'AD1', 'N999'), text, requestId: text })
    .map((dccAlert) => ({ kind: 'dccAlert' as const, dccAlert })),
  clockBarrier: fc
    .record({ instant, shard: u32, quiet: fc.boolean() })
    .map((clockBarrier) => ({ kind: 'clockBarrier' as const, clockBarrier })),
};

export const header: fc.Arbitrary<EnvelopeHeader> = fc.record({
  messageId: text,
  requestId: fc.oneof(
    fc.constant(''),
    fc.tuple(eui, eui, u64).map(([a, b, n]) => `${a}:${b}:${n}`),
  ),
  originator: eui,
  target: eui,
  counter: u64,
  at: instant,
});

/** An envelope of one kind. */
export const envelopeOf = (kind: EnvelopeKind): fc.Arbitrary<Envelope> =>
  fc.tuple(header, bodies[kind] as fc.Arbitrary<EnvelopeBody>).map(([h, b]) => ({ ...h, ...b }));

/** An envelope of any kind. */
export const envelope: fc.Arbitrary<Envelope> = fc.oneof(...(Object.keys(bodies) as EnvelopeKind[]).map(envelopeOf));
