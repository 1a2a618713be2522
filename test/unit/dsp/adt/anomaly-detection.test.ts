import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { FieldError } from '../../../../core/errors.ts';
import type { Eui64 } from '../../../../core/ids.ts';
import { DAY_MS, HOUR_MS, MINUTE_MS } from '../../../../core/time/duration.ts';
import { DEFAULT_ADT_PERIOD_MS, parseAdtFile } from '../../../../dsp/adt/adt-file.ts';
import { AnomalyDetection } from '../../../../dsp/adt/anomaly-detection.ts';

const SRP = '90-B3-D5-1F-30-05-00-00' as Eui64;
const SUPPLIER = '90-B3-D5-1F-30-01-00-00' as Eui64;
const T0 = Date.UTC(2026, 2, 1);

const errorsOf = (raw: unknown): readonly FieldError[] => {
  const r = parseAdtFile(raw);
  return r.ok ? [] : r.error;
};
const paths = (raw: unknown): string[] => errorsOf(raw).map((e) => `${e.path} ${e.code}`);

describe('parseAdtFile // DOMAIN §4.7', () => {
  it('reads a file, canonicalising the user and defaulting the period to 24 h', () => {
    const r = parseAdtFile({ user: '90b3d51f30050000', role: 'SoLRContingency', thresholds: [{ srv: '1.6', limit: 500 }] });
    expect(r).toEqual({
      ok: true,
      value: { user: SRP, role: 'SoLRContingency', thresholds: [{ srv: '1.6', limit: 500, periodMs: DEFAULT_ADT_PERIOD_MS }] },
    });
    expect(DEFAULT_ADT_PERIOD_MS).toBe(DAY_MS);
  });

  it('reports every mistake with its field path', () => {
    expect(
      paths({
        user: 'not-an-eui',
        role: 'Landlord',
        extra: 1,
        thresholds: [
          { srv: '1.6', limit: -1 },
          { srv: '1.6x', limit: 2.5, periodMs: 0 },
          { srv: 1.6, limit: '3', colour: 'red' },
          { limit: 1, periodMs: 32 * DAY_MS },
          { srv: '2.2', limit: 1, periodMs: 1.5 },
          'x',
        ],
      }),
    ).toEqual([
      'adt.extra unknown-kind',
      'adt.user format',
      'adt.role unknown-kind',
      'adt.thresholds[0].limit range',
      'adt.thresholds[1].srv format',
      'adt.thresholds[1].limit type',
      'adt.thresholds[1].periodMs range',
      'adt.thresholds[2].colour unknown-kind',
      'adt.thresholds[2].srv type',
      'adt.thresholds[2].limit type',
      'adt.thresholds[3].srv required',
      'adt.thresholds[3].periodMs range',
      'adt.thresholds[4].periodMs type',
      'adt.thresholds[5] type',
    ]);
  });

  it('refuses missing fields, non-objects, repeated SRVs and prototype keys', () => {
    expect(paths({})).toEqual(['adt.user required', 'adt.role required', 'adt.thresholds required']);
    expect(paths([])).toEqual(['adt type']);
    expect(paths(null)).toEqual(['adt type']);
    expect(
      paths({
        user: SRP,
        role: 'IS',
        thresholds: [
          { srv: '2.2', limit: 1 },
          { srv: '2.2', limit: 2 },
        ],
      }),
    ).toEqual(['adt.thresholds[1].srv format']);
    expect(paths(JSON.parse('{"user":"90-B3-D5-1F-30-05-00-00","role":"IS","thresholds":[],"__proto__":{"x":1}}'))).toEqual([
      'adt.__proto__ unknown-kind',
    ]);
    expect(paths({ user: SRP, role: 'IS', thresholds: { srv: '2.2' } })).toEqual(['adt.thresholds type']);
    expect(paths({ user: SRP, role: 'IS', thresholds: [{ srv: '2.2', limit: null }] })).toEqual(['adt.thresholds[0].limit type']);
    expect(paths({ user: SRP, role: 'IS', thresholds: [{ srv: '2.2', limit: 1, periodMs: null }] })).toEqual([
      'adt.thresholds[0].periodMs type',
    ]);
    expect(paths({ user: SRP, role: 'IS', thresholds: [{ srv: '2.2', limit: Number.MAX_SAFE_INTEGER + 1 }] })).toEqual([
      'adt.thresholds[0].limit range',
    ]);
    expect(paths({ user: SRP, role: 'IS', thresholds: Array.from({ length: 257 }, (_, i) => ({ srv: `9.${i}`, limit: 1 })) })).toEqual([
      'adt.thresholds too-many',
    ]);
  });
});

describe('AnomalyDetection defaults', () => {
  it('quarantines every SoLR Contingency request until an ADT file permits it // MP134B req 4', () => {
    const adt = new AnomalyDetection<string>();
    expect(adt.thresholdFor(SRP, 'SoLRContingency', '1.6')).toMatchObject({ limit: 0, source: 'default' });
    const v = adt.admit(SRP, 'SoLRContingency', '1.6', T0, 'req-1');
    expect(v).toEqual({ kind: 'quarantine', reference: '00000000000000000001', breach: 'ADUserThresholdBreach' });

    expect(adt.upload({ user: SRP, role: 'SoLRContingency', thresholds: [{ srv: '1.6', limit: 2 }] }, T0 + 1).ok).toBe(true);
    expect(adt.admit(SRP, 'SoLRContingency', '1.6', T0 + 2, 'req-2')).toEqual({ kind: 'admit' });
    // SRVs the file does not list keep the zero default.
    expect(adt.admit(SRP, 'SoLRContingency', '2.2', T0 + 3, 'req-3').kind).toBe('quarantine');
    // Another user in the same role is not permitted by this user's file.
    expect(adt.admit(SUPPLIER, 'SoLRContingency', '1.6', T0 + 4, 'req-4').kind).toBe('quarantine');
  });

  it('lets other roles through by default, or up to a configured default limit (UNVERIFIED)', () => {
    const open = new AnomalyDetection();
    expect(open.thresholdFor(SUPPLIER, 'IS', '2.2')).toEqual({ limit: 'unlimited', source: 'default' });
    for (let i = 0; i < 1000; i++) expect(open.admit(SUPPLIER, 'IS', '2.2', T0, i).kind).toBe('admit');

    const capped = new AnomalyDetection({ defaultLimit: 2, defaultPeriodMs: HOUR_MS });
    expect(capped.admit(SUPPLIER, 'IS', '2.2', T0, 1).kind).toBe('admit');
    expect(capped.admit(SUPPLIER, 'IS', '2.2', T0, 2).kind).toBe('admit');
    expect(capped.admit(SUPPLIER, 'IS', '2.2', T0, 3).kind).toBe('quarantine');
    expect(capped.admit(SUPPLIER, 'GS', '2.2', T0, 4).kind).toBe('admit'); // per role
    expect(capped.admit(SUPPLIER, 'IS', '4.3', T0, 5).kind).toBe('admit'); // per SRV
    expect(capped.admit(SUPPLIER, 'IS', '2.2', T0 + HOUR_MS, 6).kind).toBe('admit'); // the window rolled on
  });

  it('refuses a bad configuration as a bug', () => {
    expect(() => new AnomalyDetection({ defaultLimit: -1 })).toThrow(RangeError);
    expect(() => new AnomalyDetection({ defaultPeriodMs: 0 })).toThrow(RangeError);
    expect(() => new AnomalyDetection({ holdMs: 1.5 })).toThrow(RangeError);
  });
});

describe('AnomalyDetection uploads', () => {
  it('replaces the (user, role) thresholds wholesale, and changes nothing on a bad file', () => {
    const adt = new AnomalyDetection();
    adt.upload(
      {
        user: SUPPLIER,
        role: 'IS',
        thresholds: [
          { srv: '2.2', limit: 5 },
          { srv: '4.3', limit: 1 },
        ],
      },
      T0,
    );
    expect(adt.thresholdFor(SUPPLIER, 'IS', '4.3')).toMatchObject({ limit: 1, source: 'file' });
    const bad = adt.upload({ user: SUPPLIER, role: 'IS', thresholds: [{ srv: '4.3', limit: -5 }] }, T0);
    expect(bad.ok).toBe(false);
    expect(adt.thresholdFor(SUPPLIER, 'IS', '4.3')).toMatchObject({ limit: 1 });
    adt.upload({ user: SUPPLIER, role: 'IS', thresholds: [{ srv: '2.2', limit: 7, periodMs: HOUR_MS }] }, T0);
    expect(adt.thresholdFor(SUPPLIER, 'IS', '2.2')).toEqual({ limit: 7, periodMs: HOUR_MS, source: 'file' });
    expect(adt.thresholdFor(SUPPLIER, 'IS', '4.3')).toEqual({ limit: 'unlimited', source: 'default' });
    expect(adt.thresholdFor(SUPPLIER, 'GS', '2.2')).toEqual({ limit: 'unlimited', source: 'default' });
  });

  it('can set a zero threshold, and an empty file returns a SoLR role to zero', () => {
    const adt = new AnomalyDetection();
    adt.upload({ user: SUPPLIER, role: 'IS', thresholds: [{ srv: '2.2', limit: 0 }] }, T0);
    expect(adt.admit(SUPPLIER, 'IS', '2.2', T0, null).kind).toBe('quarantine');
    adt.upload({ user: SRP, role: 'SoLRContingency', thresholds: [{ srv: '1.6', limit: 9 }] }, T0);
    adt.upload({ user: SRP, role: 'SoLRContingency', thresholds: [] }, T0);
    expect(adt.admit(SRP, 'SoLRContingency', '1.6', T0, null).kind).toBe('quarantine');
  });

  it('keeps counting across uploads: a lower limit applies to what was already admitted', () => {
    const adt = new AnomalyDetection();
    adt.upload({ user: SRP, role: 'SoLRContingency', thresholds: [{ srv: '1.6', limit: 3 }] }, T0);
    for (let i = 0; i < 3; i++) expect(adt.admit(SRP, 'SoLRContingency', '1.6', T0 + i, i).kind).toBe('admit');
    adt.upload({ user: SRP, role: 'SoLRContingency', thresholds: [{ srv: '1.6', limit: 4 }] }, T0 + 10);
    expect(adt.admit(SRP, 'SoLRContingency', '1.6', T0 + 11, 3).kind).toBe('admit');
    expect(adt.admit(SRP, 'SoLRContingency', '1.6', T0 + 12, 4).kind).toBe('quarantine');
  });
});

describe('AnomalyDetection quarantine hold // DOMAIN §4.5, §4.7', () => {
  const solr = (): AnomalyDetection<{ id: string }> => new AnomalyDetection<{ id: string }>({ holdMs: HOUR_MS });

  it('holds quarantined requests under deterministic 20-digit references', () => {
    const adt = solr();
    const refs = [1, 2, 3].map((i) => {
      const v = adt.admit(SRP, 'SoLRContingency', '1.6', T0 + i, { id: `r${i}` });
      return v.kind === 'quarantine' ? v.reference : '';
    });
    expect(refs).toEqual(['00000000000000000001', '00000000000000000002', '00000000000000000003']);
    for (const r of refs) expect(r).toMatch(/^\d{20}$/);
    expect(adt.quarantined().map((q) => q.request.id)).toEqual(['r1', 'r2', 'r3']);
    expect(adt.quarantined(SRP)).toHaveLength(3);
    expect(adt.quarantined(SUPPLIER)).toHaveLength(0);
    expect(adt.quarantined()[0]).toMatchObject({
      user: SRP,
      role: 'SoLRContingency',
      srv: '1.6',
      quarantinedAt: T0 + 1,
      expiresAt: T0 + 1 + HOUR_MS,
    });
  });

  it('releases to its own user only, once, returning the request for re-submission', () => {
    const adt = solr();
    adt.admit(SRP, 'SoLRContingency', '1.6', T0, { id: 'r1' });
    const ref = '00000000000000000001';
    expect(adt.release(SUPPLIER, ref, T0 + 1)).toEqual({ ok: false, error: { kind: 'unknown-reference', reference: ref } });
    const released = adt.release(SRP, ref, T0 + 1);
    expect(released.ok && released.value.request).toEqual({ id: 'r1' });
    expect(adt.quarantined()).toHaveLength(0);
    expect(adt.release(SRP, ref, T0 + 2).ok).toBe(false);
    expect(adt.remove(SRP, '99999999999999999999', T0 + 2).ok).toBe(false);
  });

  it('removes on request, and expires what is not released in time (UNVERIFIED hold)', () => {
    const adt = solr();
    adt.admit(SRP, 'SoLRContingency', '1.6', T0, { id: 'r1' });
    adt.admit(SRP, 'SoLRContingency', '1.6', T0 + 30 * MINUTE_MS, { id: 'r2' });
    adt.admit(SRP, 'SoLRContingency', '1.6', T0 + 40 * MINUTE_MS, { id: 'r3' });
    expect(adt.remove(SRP, '00000000000000000003', T0 + 41 * MINUTE_MS).ok).toBe(true);
    expect(adt.release(SRP, '00000000000000000001', T0 + HOUR_MS)).toMatchObject({ ok: false, error: { kind: 'expired' } });
    expect(adt.expire(T0 + HOUR_MS).map((q) => q.request.id)).toEqual(['r1']);
    expect(adt.quarantined().map((q) => q.request.id)).toEqual(['r2']);
    expect(adt.expire(T0 + 2 * HOUR_MS).map((q) => q.request.id)).toEqual(['r2']);
  });

  it('refuses instants that go back, as bugs', () => {
    const adt = solr();
    adt.admit(SRP, 'SoLRContingency', '1.6', T0, { id: 'r1' });
    expect(() => adt.admit(SRP, 'SoLRContingency', '1.6', T0 - 1, { id: 'r2' })).toThrow(RangeError);
    expect(() => adt.expire(T0 + 0.5)).toThrow(RangeError);
  });
});

describe('AnomalyDetection rolling window property', () => {
  it('never admits more than `limit` in any window of `periodMs`, and admits whenever the window has room', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 5 }),
        fc.integer({ min: 1, max: 100 }),
        fc.array(fc.integer({ min: 0, max: 40 }), { maxLength: 120 }),
        (limit, periodMs, gaps) => {
          const adt = new AnomalyDetection();
          adt.upload({ user: SUPPLIER, role: 'IS', thresholds: [{ srv: '2.2', limit, periodMs }] }, T0);
          const admitted: number[] = [];
          let at = T0;
          for (const gap of gaps) {
            at += gap;
            const inWindow = admitted.filter((t) => t > at - periodMs).length;
            const v = adt.admit(SUPPLIER, 'IS', '2.2', at, null);
            expect(v.kind).toBe(inWindow < limit ? 'admit' : 'quarantine');
            if (v.kind === 'admit') admitted.push(at);
          }
          // Every window (t − periodMs, t] holds at most `limit` admitted requests.
          for (const t of admitted) expect(admitted.filter((u) => u > t - periodMs && u <= t).length).toBeLessThanOrEqual(limit);
          expect(adt.quarantined()).toHaveLength(gaps.length - admitted.length);
        },
      ),
    );
  });
});
