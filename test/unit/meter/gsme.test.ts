import { describe, expect, it } from 'vitest';
import { pounds } from '../../../core/money.ts';
import { DAY_MS, MINUTE_MS } from '../../../core/time/duration.ts';
import type { MeterEvent } from '../../../emulator/devices/common/meter-types.ts';
import { GSME_VARIANT } from '../../../emulator/devices/gsme/machine.ts';
import { esme, gsme, WEEKDAY_NOON, type MeterHarness } from '../../support/meter-harness.ts';

/** Ten minutes past a wake: a GSME with phase 0 is asleep. */
const ASLEEP_AT = WEEKDAY_NOON + 10 * MINUTE_MS;

/** Every command a comms hub or PPMID can send, at `now`. */
const wanAndPpmidCommands = (m: MeterHarness, now: number): MeterEvent[] => [
  { type: 'credit.utrn', now, via: 'remote', ...m.mint(pounds(1)) },
  { type: 'credit.utrn', now, via: 'ppmid', utrn: m.mint(pounds(1)).utrn },
  { type: 'ec.activate', now, via: 'ppmid' },
  { type: 'ec.activate', now, via: 'remote' },
  { type: 'supply.disable', now },
  { type: 'supply.arm', now },
  { type: 'supply.enable', now },
  { type: 'mode.set', now, mode: 'Credit' },
  { type: 'balance.adjust', now, kind: 'adjust', amount: pounds(1) },
  { type: 'config.debt', now, add: { paymentDebt: pounds(1) } },
  { type: 'read.supplyStatus', now },
  { type: 'read.prepayValues', now },
  { type: 'read.balance', now },
  { type: 'read.prepayConfig', now },
];

describe('GSME: a sleepy, battery-powered meter', () => {
  it('DOMAIN §1.10, §3.4: asleep, it answers every remote or PPMID command with asleep and changes nothing', () => {
    const m = gsme();
    m.runUntil(ASLEEP_AT);
    expect(m.awake()).toBe(false);
    const before = m.context;
    for (const e of wanAndPpmidCommands(m, ASLEEP_AT)) {
      expect(m.command(e), e.type).toMatchObject({ outcome: 'failure', reason: 'asleep' });
    }
    expect(m.context.ledger).toBe(before.ledger);
    expect(m.context.mode).toBe('Prepayment');
    expect(m.state).toBe('enabled');
  });

  it('DOMAIN §3.4: at its next wake (about every 30 minutes) the same commands are accepted', () => {
    const m = gsme();
    m.runUntil(ASLEEP_AT);
    const wake = m.nextWake();
    expect(wake).toBe(WEEKDAY_NOON + GSME_VARIANT.wake!.intervalMs);
    m.runUntil(wake);
    expect(m.command({ type: 'read.supplyStatus', now: wake }).outcome).toBe('success');
    expect(m.topUp(1, 'remote', wake).outcome).toBe('success');
    expect(m.command({ type: 'supply.disable', now: wake }).outcome).toBe('success');
    expect(m.state).toBe('disabled');
    // Asleep again once the listening window has passed.
    expect(m.command({ type: 'read.balance', now: wake + GSME_VARIANT.wake!.awakeMs })).toMatchObject({ reason: 'asleep' });
  });

  it('DOMAIN §3.4 [BOOST]: a button pressed at the meter wakes it, so commands are accepted at once', () => {
    const m = gsme();
    m.runUntil(ASLEEP_AT);
    expect(m.command({ type: 'supply.enableLocal', now: ASLEEP_AT, via: 'meter' })).toMatchObject({ reason: 'not-armed' });
    expect(m.command({ type: 'read.supplyStatus', now: ASLEEP_AT }).outcome).toBe('success');

    const n = gsme();
    n.runUntil(ASLEEP_AT);
    expect(n.topUp(5, 'meter').outcome).toBe('success');
    expect(n.topUp(5, 'ppmid').outcome).toBe('success');
    expect(n.command({ type: 'read.balance', now: ASLEEP_AT })).toMatchObject({
      outcome: 'success',
      body: { MeterBalancePrepaymentMode: n.balance },
    });
  });

  it('DOMAIN §1.5, §3.4: enabling an armed GSME at the meter works while it sleeps, and wakes it', () => {
    const m = gsme({ balance: 0 });
    m.topUp(10, 'meter');
    m.runUntil(ASLEEP_AT);
    expect(m.awake()).toBe(false);
    expect(m.command({ type: 'supply.enableLocal', now: ASLEEP_AT, via: 'meter' }).outcome).toBe('success');
    expect(m.state).toBe('enabled');
    expect(m.awake()).toBe(true);
  });

  it('DOMAIN §1.1 [MAP GCS40a–d]: in Credit mode a GSME charges a separate credit-mode balance and keeps the prepayment one', () => {
    const m = gsme({ balance: pounds(15) });
    m.command({ type: 'mode.set', now: m.now, mode: 'Credit' });
    m.runUntil(m.nextWake(m.now + 3 * DAY_MS));
    expect(m.balance).toBe(pounds(15));
    const creditModeBalance = m.context.ledger.creditModeBalance;
    expect(creditModeBalance).toBeLessThan(0);
    const r = m.command({ type: 'read.balance', now: m.now });
    expect(r.body).toEqual({ MeterBalance: creditModeBalance, MeterBalancePrepaymentMode: pounds(15), PaymentMode: 'Credit' });

    const e = esme({ balance: pounds(15) });
    e.command({ type: 'mode.set', now: e.now, mode: 'Credit' });
    e.advance(3 * DAY_MS);
    expect(e.balance).toBeLessThan(pounds(15));
    expect(e.context.ledger.creditModeBalance).toBe(0);
    expect(e.command({ type: 'read.balance', now: e.now }).body).toEqual({
      MeterBalance: e.balance,
      MeterBalancePrepaymentMode: null,
      PaymentMode: 'Credit',
    });
  });
});
