import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { pence, pounds } from '../../../core/money.ts';
import { unwrap } from '../../../core/result.ts';
import {
  DEFAULT_UTRN_ACCEPTOR_CONFIG as CONFIG,
  UTRN_ALERT,
  encodeUtrn,
  initialUtrnAcceptorState,
  isBadManualEntry,
  mintUtrn,
  parseUtrn,
  recordAccepted,
  recordBadEntry,
  verifyUtrn,
  type UtrnAcceptorState,
  type VerifyUtrnOptions,
} from '../../../emulator/devices/common/utrn/index.ts';
import { premises } from './fixtures.ts';

const p = premises();
const MIN = 60_000;

const mint = (top: bigint, credit = pence(500), device: 'esme' | 'gsme' = 'esme'): string =>
  unwrap(mintUtrn({ secret: p[device].secret, originator: p.supplierEui, target: p[device].eui, counter: top << 32n, credit }));

const esmeOptions: VerifyUtrnOptions = {
  now: 0,
  secret: p.esme.secret,
  ownEui: p.esme.eui,
  siblings: [{ eui: p.gsme.eui, secret: p.gsme.secret }],
  originator: p.supplierEui,
  entry: 'manual',
};
const verify = (s: UtrnAcceptorState, raw: unknown, over: Partial<VerifyUtrnOptions> = {}) =>
  verifyUtrn(s, raw, { ...esmeOptions, ...over });
const reasonOf = (v: ReturnType<typeof verify>) => (v.kind === 'rejected' ? [v.reason, v.alert] : [v.kind]);

/** Verifies and, when valid, records — what a meter does on each entry. */
function enter(s: UtrnAcceptorState, raw: string, over: Partial<VerifyUtrnOptions> = {}) {
  const v = verify(s, raw, over);
  return { v, s: v.kind === 'valid' ? recordAccepted(s, v.counter, CONFIG) : s };
}

describe('verifyUtrn', () => {
  it('accepts a keyed-in UTRN, inferring the full counter from 10 bits', () => {
    const v = verify(initialUtrnAcceptorState(), mint(1n, pounds(20)));
    expect(v).toMatchObject({ kind: 'valid', counter: 1n << 32n, credit: pounds(20) });
  });

  it('infers counters beyond 1024 from the floor', () => {
    const s = initialUtrnAcceptorState(1500n << 32n);
    expect(verify(s, mint(1501n))).toMatchObject({ kind: 'valid', counter: 1501n << 32n });
    expect(verify(s, mint(2524n))).toMatchObject({ kind: 'valid', counter: 2524n << 32n });
    // 1024 + 1 ahead of the floor aliases to 1501: cannot be keyed in, but works remotely.
    expect(reasonOf(verify(s, mint(2525n)))).toEqual(['not-authentic', 0x8f63]);
    expect(verify(s, mint(2525n), { entry: 'remote', fullCounter: 2525n << 32n })).toMatchObject({ kind: 'valid' });
  });

  it('rejects malformed input with the FieldError and no alert code', () => {
    const v = verify(initialUtrnAcceptorState(), '1234');
    expect(v).toMatchObject({ kind: 'rejected', reason: 'malformed', alert: UTRN_ALERT.malformed, error: { code: 'format' } });
    expect(reasonOf(verify(initialUtrnAcceptorState(), 42))).toEqual(['malformed', 0]);
  });

  it('rejects a used UTRN as duplicate (0x8F51), manual or remote', () => {
    const u = mint(3n);
    const { s } = enter(initialUtrnAcceptorState(), u);
    expect(reasonOf(verify(s, u))).toEqual(['duplicate', 0x8f51]);
    expect(reasonOf(verify(s, u, { entry: 'remote', fullCounter: 3n << 32n }))).toEqual(['duplicate', 0x8f51]);
    expect(reasonOf(verify(initialUtrnAcceptorState(5n << 32n), mint(2n)))).toEqual(['duplicate', 0x8f51]);
  });

  it("names a sibling meter's UTRN as not for this device (0x8F64)", () => {
    const gas = mint(1n, pence(500), 'gsme');
    expect(reasonOf(verify(initialUtrnAcceptorState(), gas))).toEqual(['not-for-this-device', 0x8f64]);
    expect(reasonOf(verify(initialUtrnAcceptorState(), gas, { siblings: [] }))).toEqual(['not-authentic', 0x8f63]);
  });

  it('rejects a UTRN made with another key, or with a forged MAC, as not authentic (0x8F63)', () => {
    const other = premises('elsewhere');
    const foreign = unwrap(
      mintUtrn({ secret: other.esme.secret, originator: p.supplierEui, target: p.esme.eui, counter: 1n << 32n, credit: pence(500) }),
    );
    expect(reasonOf(verify(initialUtrnAcceptorState(), foreign))).toEqual(['not-authentic', 0x8f63]);
    const f = unwrap(parseUtrn(mint(1n)));
    expect(reasonOf(verify(initialUtrnAcceptorState(), encodeUtrn({ ...f, mac: (f.mac ^ 1) >>> 0 })))).toEqual(['not-authentic', 0x8f63]);
    expect(reasonOf(verify(initialUtrnAcceptorState(), encodeUtrn({ ...f, value: f.value + 1 })))).toEqual(['not-authentic', 0x8f63]);
  });

  it('checks a remote full counter against the token', () => {
    const u = mint(9n);
    expect(verify(initialUtrnAcceptorState(), u, { entry: 'remote', fullCounter: 9n << 32n })).toMatchObject({
      kind: 'valid',
      counter: 9n << 32n,
    });
    expect(reasonOf(verify(initialUtrnAcceptorState(), u, { entry: 'remote', fullCounter: 1033n << 32n }))).toEqual([
      'not-authentic',
      0x8f63,
    ]);
    expect(reasonOf(verify(initialUtrnAcceptorState(), u, { entry: 'remote', fullCounter: (9n << 32n) + 1n }))).toEqual([
      'not-authentic',
      0x8f63,
    ]);
    expect(verify(initialUtrnAcceptorState(), u, { entry: 'remote' })).toMatchObject({ kind: 'valid', counter: 9n << 32n });
  });

  it('accepts tokens minted in sequence in any order within the window, then catches every replay', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: 5000n }),
        fc
          .integer({ min: 1, max: CONFIG.recentCounters + 1 })
          .chain((k) => fc.shuffledSubarray([...Array(k).keys()], { minLength: k, maxLength: k })),
        (start, order) => {
          let s = initialUtrnAcceptorState(start << 32n);
          const tokens = order.map((i) => ({ top: start + 1n + BigInt(i), utrn: mint(start + 1n + BigInt(i)) }));
          for (const t of tokens) {
            const r = enter(s, t.utrn);
            expect(r.v).toMatchObject({ kind: 'valid', counter: t.top << 32n });
            s = r.s;
          }
          expect(s.recent).toEqual([]); // no gaps left: everything folded into the floor
          expect(s.floor).toBe((start + BigInt(order.length)) << 32n);
          for (const t of tokens) expect(reasonOf(verify(s, t.utrn))).toEqual(['duplicate', 0x8f51]);
        },
      ),
      { numRuns: 40 },
    );
  });
});

describe('recordAccepted', () => {
  it('keeps out-of-order counters above a gap, then forfeits the gap when the window overflows', () => {
    let s = initialUtrnAcceptorState();
    for (const top of [2n, 3n, 4n, 5n, 6n]) s = recordAccepted(s, top << 32n, CONFIG);
    expect(s).toMatchObject({ floor: 0n, recent: [2n << 32n, 3n << 32n, 4n << 32n, 5n << 32n, 6n << 32n] });
    expect(verify(s, mint(1n))).toMatchObject({ kind: 'valid', counter: 1n << 32n });
    s = recordAccepted(s, 7n << 32n, CONFIG);
    expect(s).toMatchObject({ floor: 7n << 32n, recent: [] });
    expect(reasonOf(verify(s, mint(1n)))).toEqual(['duplicate', 0x8f51]);
  });

  it('is idempotent and ignores counters at or below the floor', () => {
    const s = recordAccepted(initialUtrnAcceptorState(), 3n << 32n, CONFIG);
    expect(recordAccepted(s, 3n << 32n, CONFIG)).toBe(s);
    const f = initialUtrnAcceptorState(10n << 32n);
    expect(recordAccepted(f, 4n << 32n)).toBe(f);
  });
});

describe('manual-entry lockout', () => {
  const bad = '00000000000000000000';

  it('suspends keypad entry on the 5th bad entry in 10 minutes, for an hour', () => {
    let s = initialUtrnAcceptorState();
    for (let i = 0; i < 5; i++) {
      const now = i * MIN;
      const v = verify(s, bad, { now });
      expect(isBadManualEntry(v, 'manual')).toBe(true);
      const r = recordBadEntry(s, now, CONFIG);
      expect(r.lockedNow).toBe(i === 4);
      s = r.state;
    }
    expect(s.lockedUntil).toBe(4 * MIN + 60 * MIN);
    const good = mint(1n);
    const locked = verify(s, good, { now: 30 * MIN });
    expect(reasonOf(locked)).toEqual(['locked-out', UTRN_ALERT.lockedOut]);
    expect(UTRN_ALERT.lockedOut).toBe(0x81c5);
    expect(UTRN_ALERT.manualEntrySuspended).toBe(0x81c4);
    expect(isBadManualEntry(locked, 'manual')).toBe(false);
    expect(recordBadEntry(s, 30 * MIN, CONFIG)).toEqual({ state: s, lockedNow: false });
    // Remote top-ups are not affected.
    expect(verify(s, good, { now: 30 * MIN, entry: 'remote', fullCounter: 1n << 32n })).toMatchObject({ kind: 'valid' });
    // The lockout expires.
    expect(reasonOf(verify(s, good, { now: 64 * MIN - 1 }))).toEqual(['locked-out', 0x81c5]);
    expect(verify(s, good, { now: 64 * MIN })).toMatchObject({ kind: 'valid' });
    expect(recordBadEntry(s, 64 * MIN, CONFIG)).toMatchObject({ lockedNow: false, state: { badEntries: [64 * MIN] } });
  });

  it('forgets bad entries older than the window', () => {
    let s = initialUtrnAcceptorState();
    for (const t of [0, 1, 2, 3]) s = recordBadEntry(s, t * MIN, CONFIG).state;
    const r = recordBadEntry(s, 10 * MIN, CONFIG); // the entry at 0 is now 10 min old: out of the window
    expect(r.lockedNow).toBe(false);
    expect(r.state.badEntries).toEqual([MIN, 2 * MIN, 3 * MIN, 10 * MIN]);
    expect(recordBadEntry(r.state, 10 * MIN + 1, CONFIG).lockedNow).toBe(true);
  });

  it('counts only rejected manual entries', () => {
    const s = initialUtrnAcceptorState();
    expect(isBadManualEntry(verify(s, mint(1n)), 'manual')).toBe(false);
    expect(isBadManualEntry(verify(s, bad, { entry: 'remote' }), 'remote')).toBe(false);
    expect(isBadManualEntry(verify(s, mint(1n, pence(1), 'gsme')), 'manual')).toBe(true);
  });

  it('has the documented defaults', () => {
    expect(CONFIG).toEqual({ recentCounters: 5, lockoutBadEntries: 5, lockoutWindowMs: 10 * MIN, lockoutMs: 60 * MIN });
  });
});
