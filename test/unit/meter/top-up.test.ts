import { describe, expect, it } from 'vitest';
import { pounds } from '../../../core/money.ts';
import { unwrap } from '../../../core/result.ts';
import { HOUR_MS, MINUTE_MS } from '../../../core/time/duration.ts';
import { ALERT } from '../../../emulator/devices/common/alerts.ts';
import { encodeUtrn, parseUtrn } from '../../../emulator/devices/common/utrn/index.ts';
import { esme, meterConfig } from '../../support/meter-harness.ts';

const { creditAddedLocally, utrnDuplicate, utrnNotForThisDevice, utrnNotAuthentic, overMaxCredit, overMaxBalance } = ALERT;
const { utrnEntrySuspended, utrnLockedOut } = ALERT;

/** A UTRN with a valid check digit whose MAC no key produced. */
const forge = (utrn: string): string => {
  const f = unwrap(parseUtrn(utrn));
  return encodeUtrn({ ...f, mac: (f.mac ^ 0x5a5a5a5a) >>> 0 });
};

describe('UTRN top-ups', () => {
  it('DOMAIN §2.2, §2.3: a valid UTRN adds its credit; typed at the meter or PPMID it raises 0x810E, delivered remotely it does not', () => {
    const m = esme({ balance: pounds(10) });
    const atMeter = m.send({ type: 'credit.utrn', now: m.now, via: 'meter', utrn: m.mint(pounds(5)).utrn });
    expect(atMeter.alerts).toEqual([creditAddedLocally]);
    expect(atMeter.responses[0]).toMatchObject({ outcome: 'success', body: { credit: pounds(5), toBalance: pounds(5) } });
    const onPpmid = m.send({ type: 'credit.utrn', now: m.now, via: 'ppmid', utrn: m.mint(pounds(5)).utrn });
    expect(onPpmid.alerts).toEqual([creditAddedLocally]);
    const { utrn, counter } = m.mint(pounds(5));
    const remote = m.send({ type: 'credit.utrn', now: m.now, via: 'remote', utrn, counter });
    expect(remote.alerts).toEqual([]);
    expect(remote.responses[0]?.outcome).toBe('success');
    expect(m.balance).toBe(pounds(25));
  });

  it('DOMAIN §2.2: a UTRN entered twice is rejected as a duplicate (0x8F51), keyed in or remote', () => {
    const m = esme();
    const { utrn, counter } = m.mint(pounds(5));
    m.enterUtrn(utrn, 'meter');
    const again = m.send({ type: 'credit.utrn', now: m.now, via: 'ppmid', utrn });
    expect(again.alerts).toEqual([utrnDuplicate]);
    expect(again.responses[0]).toMatchObject({ outcome: 'failure', reason: 'utrn-rejected', body: { reason: 'duplicate' } });
    expect(m.send({ type: 'credit.utrn', now: m.now, via: 'remote', utrn, counter }).alerts).toEqual([utrnDuplicate]);
    expect(m.balance).toBe(pounds(25));
  });

  it("DOMAIN §2.2, §2.3: the sibling meter's UTRN is rejected as not for this device (0x8F64)", () => {
    const m = esme();
    const r = m.send({ type: 'credit.utrn', now: m.now, via: 'meter', utrn: m.mint(pounds(5), 'gsme').utrn });
    expect(r.alerts).toEqual([utrnNotForThisDevice]);
    expect(r.responses[0]).toMatchObject({ outcome: 'failure', reason: 'utrn-rejected', body: { reason: 'not-for-this-device' } });
    expect(m.balance).toBe(pounds(20));
  });

  it('DOMAIN §2.2: a forged UTRN is rejected as not authentic (0x8F63)', () => {
    const m = esme();
    const r = m.send({ type: 'credit.utrn', now: m.now, via: 'meter', utrn: forge(m.mint(pounds(5)).utrn) });
    expect(r.alerts).toEqual([utrnNotAuthentic]);
    expect(r.responses[0]).toMatchObject({ outcome: 'failure', body: { reason: 'not-authentic' } });
  });

  it('DOMAIN §1.2: a UTRN above the maximum credit threshold is refused (0x8F5B) and adds nothing', () => {
    const m = esme({ config: meterConfig('esme', { prepay: { maxCreditThreshold: pounds(30) } }) });
    const r = m.send({ type: 'credit.utrn', now: m.now, via: 'meter', utrn: m.mint(pounds(50)).utrn });
    expect(r.alerts).toEqual([overMaxCredit]);
    expect(r.responses[0]).toMatchObject({ outcome: 'failure', reason: 'over-max-credit' });
    expect(m.balance).toBe(pounds(20));
    expect(m.topUp(30).outcome).toBe('success');
  });

  it('DOMAIN §1.2: a UTRN that would take the balance above the maximum meter balance is refused (0x8F47)', () => {
    const m = esme({ balance: pounds(240) });
    const r = m.send({ type: 'credit.utrn', now: m.now, via: 'remote', ...m.mint(pounds(20)) });
    expect(r.alerts).toEqual([overMaxBalance]);
    expect(r.responses[0]).toMatchObject({ outcome: 'failure', reason: 'over-max-balance' });
    expect(m.balance).toBe(pounds(240));
    expect(m.topUp(10).outcome).toBe('success');
  });

  it('DOMAIN §2.3, OPEN-QUESTIONS C2: five bad keyed-in entries in 10 minutes lock the keypad (0x81C4); entries then fail with 0x81C5 but remote top-ups still work', () => {
    const m = esme();
    const t0 = m.now;
    for (let i = 0; i < 4; i++) {
      const r = m.send({
        type: 'credit.utrn',
        now: t0 + i * MINUTE_MS,
        via: i % 2 ? 'ppmid' : 'meter',
        utrn: forge(m.mint(pounds(1)).utrn),
      });
      expect(r.alerts).toEqual([utrnNotAuthentic]);
    }
    const fifth = m.send({ type: 'credit.utrn', now: t0 + 4 * MINUTE_MS, via: 'meter', utrn: forge(m.mint(pounds(1)).utrn) });
    expect(fifth.alerts).toEqual([utrnNotAuthentic, utrnEntrySuspended]);
    const good = m.mint(pounds(5));
    const locked = m.send({ type: 'credit.utrn', now: t0 + 5 * MINUTE_MS, via: 'meter', utrn: good.utrn });
    expect(locked.alerts).toEqual([utrnLockedOut]);
    expect(locked.responses[0]).toMatchObject({ outcome: 'failure', reason: 'utrn-rejected', body: { reason: 'locked-out' } });
    expect(m.send({ type: 'credit.utrn', now: t0 + 6 * MINUTE_MS, via: 'ppmid', utrn: good.utrn }).alerts).toEqual([utrnLockedOut]);
    const remote = m.send({ type: 'credit.utrn', now: t0 + 6 * MINUTE_MS, via: 'remote', ...good });
    expect(remote.responses[0]?.outcome).toBe('success');
    // The lockout lasts an hour from the fifth bad entry.
    const after = m.send({ type: 'credit.utrn', now: t0 + 4 * MINUTE_MS + HOUR_MS, via: 'meter', utrn: m.mint(pounds(5)).utrn });
    expect(after.alerts).toEqual([creditAddedLocally]);
  });

  it('DOMAIN §2.3: bad entries spread wider than the window do not lock the keypad', () => {
    const m = esme();
    for (let i = 0; i < 8; i++) {
      const r = m.send({ type: 'credit.utrn', now: m.now + 3 * MINUTE_MS, via: 'meter', utrn: forge(m.mint(pounds(1)).utrn) });
      expect(r.alerts).toEqual([utrnNotAuthentic]);
    }
  });
});
