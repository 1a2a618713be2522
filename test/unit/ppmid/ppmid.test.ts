import { describe, expect, it } from 'vitest';
import { MachineStepper } from '../../../emulator/devices/common/machine-stepper.ts';
import { ppmidMachine } from '../../../emulator/devices/ppmid/machine.ts';

const stepper = new MachineStepper(ppmidMachine);
const now = Date.UTC(2026, 0, 5, 12);

function paired(fuels: readonly ('electricity' | 'gas')[] = ['electricity', 'gas']) {
  let s = stepper.start({ id: 'ppmid-1' }).snapshot;
  for (const fuel of fuels) s = stepper.step(s, { type: 'han.join', now, fuel, meterId: `${fuel}-meter` }).snapshot;
  return s;
}

describe('PPMID', () => {
  it('DOMAIN §2.1 (PECS01, PCS01): a UTRN typed on the PPMID goes to the meter of that fuel', () => {
    for (const fuel of ['electricity', 'gas'] as const) {
      const r = stepper.step(paired(), { type: 'consumer.utrn', now, fuel, utrn: '73946144332040217315' });
      expect(r.effects).toEqual([
        {
          type: 'forward',
          params: { fuel, meterId: `${fuel}-meter`, event: { type: 'credit.utrn', now, utrn: '73946144332040217315', via: 'ppmid' } },
        },
      ]);
    }
  });

  it('DOMAIN §1.7 (PECS02, PCS02): emergency credit selected on the PPMID is asked of the meter', () => {
    const r = stepper.step(paired(), { type: 'consumer.emergencyCredit', now, fuel: 'gas' });
    expect(r.effects).toEqual([
      { type: 'forward', params: { fuel: 'gas', meterId: 'gas-meter', event: { type: 'ec.activate', now, via: 'ppmid' } } },
    ]);
  });

  it('DOMAIN §1.5 (PECS03): the PPMID enables electricity, never gas', () => {
    const elec = stepper.step(paired(), { type: 'consumer.enable', now, fuel: 'electricity' });
    expect(elec.effects).toEqual([
      {
        type: 'forward',
        params: { fuel: 'electricity', meterId: 'electricity-meter', event: { type: 'supply.enableLocal', now, via: 'ppmid' } },
      },
    ]);
    const gas = stepper.step(paired(), { type: 'consumer.enable', now, fuel: 'gas' });
    expect(gas.effects).toEqual([{ type: 'show', params: { message: 'enable-gas-at-the-meter', fuel: 'gas' } }]);
  });

  it('DOMAIN §2.1: with no meter of that fuel paired, the screen says so and nothing is sent', () => {
    const unpaired = stepper.start({ id: 'ppmid-2' }).snapshot;
    expect(stepper.step(unpaired, { type: 'consumer.utrn', now, fuel: 'electricity', utrn: '1' }).effects).toEqual([
      { type: 'show', params: { message: 'no-meter-paired', fuel: 'electricity' } },
    ]);
    const elecOnly = paired(['electricity']);
    expect(stepper.step(elecOnly, { type: 'consumer.emergencyCredit', now, fuel: 'gas' }).effects).toEqual([
      { type: 'show', params: { message: 'no-meter-paired', fuel: 'gas' } },
    ]);
  });

  it('DOMAIN §2.1: unjoining the last meter leaves the PPMID unpaired; unjoining one keeps the other', () => {
    let s = paired();
    s = stepper.step(s, { type: 'han.unjoin', now, fuel: 'gas' }).snapshot;
    expect(s.value).toBe('paired');
    expect(s.context.meters).toEqual({ electricity: 'electricity-meter' });
    s = stepper.step(s, { type: 'han.unjoin', now, fuel: 'electricity' }).snapshot;
    expect(s.value).toBe('unpaired');
    expect(s.context.meters).toEqual({});
  });

  it('DOMAIN §2.1: the display shows what the meter last reported', () => {
    const s = stepper.step(paired(), {
      type: 'display.update',
      now,
      fuel: 'electricity',
      credit: 150_000,
      ecOffered: true,
      ecInUse: false,
      supply: 'Enabled',
      mode: 'Prepayment',
    }).snapshot;
    expect(s.context.display.electricity).toEqual({
      at: now,
      credit: 150_000,
      ecOffered: true,
      ecInUse: false,
      supply: 'Enabled',
      mode: 'Prepayment',
    });
  });
});
