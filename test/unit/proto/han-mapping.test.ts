import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { MeterResponse } from '../../../emulator/devices/common/meter-types.ts';
import { DEFAULT_PREPAY_CONFIG } from '../../../emulator/devices/common/prepay-config.ts';
import { DEFAULT_DEBT_CONFIG } from '../../../emulator/devices/common/debt.ts';
import { decodeEnvelope, encodeEnvelope } from '../../../proto/codec.ts';
import { fromHanCommand, fromHanResponse, toHanCommand, toHanResponse, type HanMeterEvent } from '../../../proto/han-mapping.ts';
import type { EnvelopeHeader, HanCommand, HanResponse } from '../../../proto/types.ts';
import { METER_EVENT_TYPES, meterEvent, meterResponse } from './arbitraries.ts';

const head: EnvelopeHeader = {
  messageId: 'm',
  requestId: '',
  originator: '00-DB-12-00-00-00-00-01',
  target: '00-DB-12-00-00-00-00-02',
  counter: 1n,
  at: 0,
};

/** A HAN command through the bus: encoded in an envelope, decoded, checked. */
function overTheWire(c: HanCommand): HanCommand {
  const r = decodeEnvelope(encodeEnvelope({ ...head, kind: 'hanCommand', hanCommand: c }));
  if (!r.ok || r.value.kind !== 'hanCommand') throw new Error(`did not come back: ${JSON.stringify(r.ok ? r.value.kind : r.error)}`);
  return r.value.hanCommand;
}

function responseOverTheWire(h: HanResponse): HanResponse {
  const r = decodeEnvelope(encodeEnvelope({ ...head, kind: 'wanResponse', wanResponse: { commsHub: 'h', device: 'd', response: h } }));
  if (!r.ok || r.value.kind !== 'wanResponse') throw new Error('did not come back');
  return r.value.wanResponse.response;
}

describe('MeterEvent ↔ HanCommand', () => {
  it.each(METER_EVENT_TYPES)('gives back every %s exactly, also through the codec', (type) => {
    fc.assert(
      fc.property(
        meterEvent.filter((e) => e.type === type),
        (e) => {
          expect(fromHanCommand(toHanCommand(e))).toEqual({ ok: true, value: e });
          expect(fromHanCommand(overTheWire(toHanCommand(e)))).toEqual({ ok: true, value: e });
        },
      ),
    );
  });

  it('keeps an absent ref and counter absent, and an empty ref empty', () => {
    const events: HanMeterEvent[] = [
      { type: 'credit.utrn', now: 5, utrn: '12345678901234567890', via: 'ppmid' },
      { type: 'credit.utrn', now: 5, ref: '', utrn: '12345678901234567890', via: 'remote', counter: 0n },
    ];
    for (const e of events) {
      const back = fromHanCommand(overTheWire(toHanCommand(e)));
      expect(back).toEqual({ ok: true, value: e });
      expect(back.ok && Object.keys(back.value).sort()).toEqual(Object.keys(e).sort());
    }
  });

  it('carries the default prepay and debt configurations', () => {
    const e: HanMeterEvent = { type: 'config.debt', now: 1, add: { paymentDebt: -1 }, debt: DEFAULT_DEBT_CONFIG };
    expect(fromHanCommand(overTheWire(toHanCommand(e)))).toEqual({ ok: true, value: e });
    const p: HanMeterEvent = { type: 'config.prepay', now: 1, prepay: DEFAULT_PREPAY_CONFIG };
    expect(fromHanCommand(overTheWire(toHanCommand(p)))).toEqual({ ok: true, value: p });
  });

  it('refuses a local enable from anywhere but the premises', () => {
    const c: HanCommand = { now: 0, kind: 'supplyEnableLocal', supplyEnableLocal: { via: 'remote' } };
    expect(fromHanCommand(overTheWire(c))).toMatchObject({ ok: false, error: { code: 'invalid', message: /supplyEnableLocal\.via/ } });
  });
});

describe('MeterResponse ↔ HanResponse', () => {
  it('gives back every response exactly, also through the codec', () => {
    fc.assert(
      fc.property(meterResponse, (r) => {
        expect(fromHanResponse(toHanResponse(r))).toEqual(r);
        expect(fromHanResponse(responseOverTheWire(toHanResponse(r)))).toEqual(r);
      }),
    );
  });

  it('carries the bodies the meters give', () => {
    const responses: MeterResponse[] = [
      { ref: 'a', command: 'read.supplyStatus', outcome: 'success', body: { SupplyState: 'Armed', RemainingBatteryCapacity: null } },
      { ref: 'b', command: 'credit.utrn', outcome: 'failure', reason: 'utrn-rejected', body: { reason: 'duplicate' } },
      { ref: null, command: 'ec.activate', outcome: 'success', body: { alreadyActive: true } },
      { ref: null, command: 'read.prepayConfig', outcome: 'success', body: { ...DEFAULT_PREPAY_CONFIG } },
      { ref: 'c', command: 'clock.due', outcome: 'success' },
    ];
    for (const r of responses) expect(fromHanResponse(responseOverTheWire(toHanResponse(r)))).toEqual(r);
  });
});
