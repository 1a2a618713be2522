import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Eui64 } from '../../../../core/ids.ts';
import { digestOfFields } from '../../../../dsp/audit/canonical-encoding.ts';
import type { Phase } from '../../../../dsp/ledger/phase.ts';
import { AntiReplay, MAX_COUNTER, type AntiReplaySnapshot, type ReplayVerdict } from '../../../../dsp/replay/anti-replay.ts';

const SUPPLIER = '90-B3-D5-1F-30-01-00-00' as Eui64;
const OTHER_USER = '90-B3-D5-1F-30-03-00-00' as Eui64;
const ESME = '00-DB-12-34-56-78-90-A0' as Eui64;
const GSME = '00-DB-12-34-56-78-90-A1' as Eui64;

/** The canonical content of a request: SRV, CV and body, never the signature. */
const content = (srv: string, cv: number, body: string): string => digestOfFields([srv, cv, body]);
const A = content('1.6', 4, 'payment mode credit');
const B = content('1.6', 4, 'payment mode prepayment');

const reasonOf = (v: ReplayVerdict): string => (v.kind === 'replay' ? v.reason : v.kind);

describe('AntiReplay: counters strictly increase per originator // DOMAIN §4.1, RELIABILITY §3.6', () => {
  it('accepts a first request, then answers the same key and content as a duplicate // SR01', () => {
    const r = new AntiReplay();
    expect(r.check(SUPPLIER, ESME, 1000n, A)).toEqual({ kind: 'fresh' });
    r.record(SUPPLIER, ESME, 1000n, A);
    expect(r.highWater(SUPPLIER)).toBe(1000n);
    expect(r.check(SUPPLIER, ESME, 1000n, A)).toEqual({
      kind: 'duplicate',
      key: { originator: SUPPLIER, target: ESME, counter: 1000n, phase: 'send' },
    });
  });

  it('refuses a used RequestID with other content // SR02', () => {
    const r = new AntiReplay();
    r.record(SUPPLIER, ESME, 1000n, A);
    expect(reasonOf(r.check(SUPPLIER, ESME, 1000n, B))).toBe('content-differs');
  });

  it('refuses a new key whose counter is not above the high-water mark, for any target // SR02', () => {
    const r = new AntiReplay();
    r.record(SUPPLIER, ESME, 1000n, A);
    expect(reasonOf(r.check(SUPPLIER, ESME, 999n, B))).toBe('counter-not-above-high-water');
    expect(reasonOf(r.check(SUPPLIER, GSME, 1000n, A))).toBe('counter-not-above-high-water');
    expect(reasonOf(r.check(SUPPLIER, GSME, 1n, A))).toBe('counter-not-above-high-water');
    expect(r.check(SUPPLIER, GSME, 1001n, A).kind).toBe('fresh');
  });

  it('keeps one high-water mark per originator', () => {
    const r = new AntiReplay();
    r.record(SUPPLIER, ESME, 1000n, A);
    expect(r.check(OTHER_USER, ESME, 1n, A).kind).toBe('fresh');
    expect(r.highWater(OTHER_USER)).toBeUndefined();
  });

  it('treats a malleated signature over the same content as the same request // SR03', () => {
    // The digest is over the content; the signature bytes (r, s) and (r, n−s) never enter it.
    const signed = { srv: '1.6', cv: 5, body: '0x001A credit', signature: 'r‖s' };
    const malleated = { ...signed, signature: 'r‖(n−s)' };
    const digest = (m: typeof signed): string => content(m.srv, m.cv, m.body);
    const r = new AntiReplay();
    r.record(SUPPLIER, ESME, 7n, digest(signed));
    expect(r.check(SUPPLIER, ESME, 7n, digest(malleated)).kind).toBe('duplicate');
  });

  it('takes counters as bigints: 0, 2^53+1 and 2^64−1 exactly; beyond and below are out of range // SR07', () => {
    const r = new AntiReplay();
    expect(r.check(SUPPLIER, ESME, 0n, A).kind).toBe('fresh');
    r.record(SUPPLIER, ESME, 2n ** 53n + 1n, A);
    expect(reasonOf(r.check(SUPPLIER, GSME, 2n ** 53n + 1n, A))).toBe('counter-not-above-high-water');
    expect(r.check(SUPPLIER, GSME, 2n ** 53n + 2n, A).kind).toBe('fresh'); // no precision lost
    expect(reasonOf(r.check(SUPPLIER, ESME, -1n, A))).toBe('counter-out-of-range');
    expect(reasonOf(r.check(SUPPLIER, ESME, MAX_COUNTER + 1n, A))).toBe('counter-out-of-range');
    expect(reasonOf(r.check(SUPPLIER, ESME, 2n ** 70n, A))).toBe('counter-out-of-range');
    expect(r.check(SUPPLIER, ESME, MAX_COUNTER, A).kind).toBe('fresh');
    r.record(SUPPLIER, ESME, MAX_COUNTER, A);
    // At the top the originator can send nothing new: every new key is refused.
    expect(reasonOf(r.check(SUPPLIER, GSME, MAX_COUNTER, A))).toBe('counter-not-above-high-water');
    expect(reasonOf(r.check(SUPPLIER, GSME, MAX_COUNTER + 1n, A))).toBe('counter-out-of-range');
    expect(r.check(SUPPLIER, ESME, MAX_COUNTER, A).kind).toBe('duplicate');
  });

  it('refuses to record what is not fresh, and digests that are not SHA-256 hex, as bugs', () => {
    const r = new AntiReplay();
    r.record(SUPPLIER, ESME, 5n, A);
    expect(() => r.record(SUPPLIER, ESME, 5n, A)).toThrow(/not fresh/);
    expect(() => r.record(SUPPLIER, ESME, 4n, B)).toThrow(/not fresh/);
    expect(() => r.check(SUPPLIER, ESME, 6n, A.toUpperCase())).toThrow(TypeError);
    expect(() => r.check(SUPPLIER, ESME, 6n, 'ab'.repeat(64))).toThrow(TypeError); // 64 bytes, e.g. a raw r‖s
    expect(() => r.check(SUPPLIER, ESME, 6n, A, 'resend' as Phase)).toThrow(TypeError);
  });
});

describe('AntiReplay: the critical flow reuses the transform RequestID for the send // DOMAIN §4.3', () => {
  const SEND = content('1.6', 5, 'signed pre-command');

  it('expects one send after a CV 4 transform and accepts it under the same RequestID', () => {
    const r = new AntiReplay();
    r.record(SUPPLIER, ESME, 1002n, A, 'transform');
    expect(r.expectsSend(SUPPLIER, ESME, 1002n)).toBe(true);
    expect(r.check(SUPPLIER, ESME, 1002n, A, 'transform').kind).toBe('duplicate'); // the transform resent
    expect(r.check(SUPPLIER, ESME, 1002n, SEND, 'send')).toEqual({ kind: 'fresh' });
    r.record(SUPPLIER, ESME, 1002n, SEND, 'send');
    expect(r.expectsSend(SUPPLIER, ESME, 1002n)).toBe(false);
    expect(r.check(SUPPLIER, ESME, 1002n, SEND, 'send').kind).toBe('duplicate'); // a second send
    expect(reasonOf(r.check(SUPPLIER, ESME, 1002n, content('1.6', 5, 'other'), 'send'))).toBe('content-differs');
  });

  it('refuses the same counter sent to another target // SR05', () => {
    const r = new AntiReplay();
    r.record(SUPPLIER, ESME, 1002n, A, 'transform');
    expect(reasonOf(r.check(SUPPLIER, GSME, 1002n, SEND, 'send'))).toBe('counter-not-above-high-water');
    expect(reasonOf(r.check(OTHER_USER, ESME, 1002n, SEND, 'send'))).toBe('fresh'); // another originator's own counters
  });

  it('refuses a send under a used counter with no transform awaiting it', () => {
    const r = new AntiReplay();
    r.record(SUPPLIER, ESME, 1002n, A, 'send');
    expect(reasonOf(r.check(SUPPLIER, ESME, 1002n, SEND, 'send'))).toBe('content-differs');
    r.record(SUPPLIER, ESME, 1003n, A, 'transform');
    r.record(SUPPLIER, ESME, 1003n, SEND, 'send');
    expect(reasonOf(r.check(SUPPLIER, ESME, 1003n, SEND, 'transform'))).toBe('content-differs');
  });

  it('lets transforms and their sends interleave', () => {
    const r = new AntiReplay();
    r.record(SUPPLIER, ESME, 10n, A, 'transform');
    r.record(SUPPLIER, GSME, 11n, B, 'transform');
    r.record(SUPPLIER, GSME, 11n, SEND, 'send');
    expect(r.check(SUPPLIER, ESME, 10n, SEND, 'send').kind).toBe('fresh');
    expect(r.highWater(SUPPLIER)).toBe(11n);
  });
});

describe('AntiReplay: bounded memory fails closed', () => {
  it('forgets old keys: an old resend is then a replay, never fresh', () => {
    const r = new AntiReplay({ retainPerOriginator: 3 });
    for (let c = 1n; c <= 5n; c++) r.record(SUPPLIER, ESME, c, A);
    expect(reasonOf(r.check(SUPPLIER, ESME, 1n, A))).toBe('counter-not-above-high-water');
    expect(reasonOf(r.check(SUPPLIER, ESME, 2n, A))).toBe('counter-not-above-high-water');
    for (const c of [3n, 4n, 5n]) expect(r.check(SUPPLIER, ESME, c, A).kind).toBe('duplicate');
  });

  it('forgets the oldest awaited send beyond its bound: that send is then refused', () => {
    const r = new AntiReplay({ pendingSendsPerOriginator: 2 });
    for (const c of [1n, 2n, 3n]) r.record(SUPPLIER, ESME, c, A, 'transform');
    expect(r.expectsSend(SUPPLIER, ESME, 1n)).toBe(false);
    expect(reasonOf(r.check(SUPPLIER, ESME, 1n, B, 'send'))).toBe('counter-not-above-high-water');
    expect(r.check(SUPPLIER, ESME, 2n, B, 'send').kind).toBe('fresh');
  });

  it('refuses bounds that are not positive integers', () => {
    expect(() => new AntiReplay({ retainPerOriginator: 0 })).toThrow(RangeError);
    expect(() => new AntiReplay({ pendingSendsPerOriginator: 1.5 })).toThrow(RangeError);
  });
});

describe('AntiReplay snapshot // RELIABILITY §2 item 7, §3.6 SR04', () => {
  it('round-trips through JSON and gives the same verdicts after restore', () => {
    const r = new AntiReplay({ retainPerOriginator: 8, pendingSendsPerOriginator: 4 });
    r.record(SUPPLIER, ESME, 2n ** 63n + 5n, A, 'transform');
    r.record(SUPPLIER, GSME, 2n ** 63n + 6n, B);
    r.record(OTHER_USER, ESME, 1n, A);
    const json = JSON.stringify(r.snapshot());
    const back = AntiReplay.restore(JSON.parse(json));
    expect(back.ok).toBe(true);
    if (!back.ok) return;
    expect(back.value.snapshot()).toEqual(r.snapshot());
    const probes: [Eui64, Eui64, bigint, string, Phase][] = [
      [SUPPLIER, ESME, 2n ** 63n + 5n, A, 'transform'],
      [SUPPLIER, ESME, 2n ** 63n + 5n, B, 'send'],
      [SUPPLIER, GSME, 2n ** 63n + 6n, B, 'send'],
      [SUPPLIER, GSME, 2n ** 63n + 5n, B, 'send'],
      [SUPPLIER, GSME, 2n ** 63n + 7n, B, 'send'],
      [OTHER_USER, ESME, 1n, B, 'send'],
    ];
    for (const p of probes) expect(back.value.check(...p), p.join(' ')).toEqual(r.check(...p));
  });

  it('refuses a snapshot that is not one, naming the field // RELIABILITY §3.7 B06', () => {
    const good = (): AntiReplaySnapshot => {
      const r = new AntiReplay();
      r.record(SUPPLIER, ESME, 10n, A, 'transform');
      return JSON.parse(JSON.stringify(r.snapshot())) as AntiReplaySnapshot;
    };
    const pathOf = (raw: unknown): string | undefined => {
      const v = AntiReplay.restore(raw);
      return v.ok ? undefined : v.error.path;
    };
    type Loose = Record<string, unknown> & { originators: (Record<string, unknown> & { seen: Record<string, unknown>[] })[] };
    const edit = (f: (s: Loose) => void): unknown => {
      const s = good() as unknown as Loose;
      f(s);
      return s;
    };
    expect(pathOf(null)).toBe('antiReplay');
    expect(pathOf(edit((s) => (s['version'] = 2)))).toBe('antiReplay.version');
    expect(pathOf(edit((s) => (s['retainPerOriginator'] = -1)))).toBe('antiReplay.retainPerOriginator');
    expect(pathOf(edit((s) => (s.originators[0]!['highWater'] = 10)))).toBe('antiReplay.originators[0].highWater'); // a JSON number would lose digits
    expect(pathOf(edit((s) => (s.originators[0]!['highWater'] = '18446744073709551616')))).toBe('antiReplay.originators[0].highWater');
    expect(pathOf(edit((s) => (s.originators[0]!['highWater'] = '010')))).toBe('antiReplay.originators[0].highWater');
    expect(pathOf(edit((s) => (s.originators[0]!['originator'] = 'x')))).toBe('antiReplay.originators[0].originator');
    expect(pathOf(edit((s) => (s.originators[0]!['highWater'] = '9')))).toBe('antiReplay.originators[0].seen[0].counter');
    expect(pathOf(edit((s) => (s.originators[0]!.seen[0]!['digest'] = 'ab')))).toBe('antiReplay.originators[0].seen[0].digest');
    expect(pathOf(edit((s) => (s.originators[0]!.seen[0]!['phase'] = 'resend')))).toBe('antiReplay.originators[0].seen[0].phase');
    expect(pathOf(edit((s) => s.originators.push(s.originators[0]!)))).toBe('antiReplay.originators[1].originator');
    expect(pathOf(edit((s) => s.originators[0]!.seen.push(s.originators[0]!.seen[0]!)))).toBe('antiReplay.originators[0].seen[1]');
    expect(pathOf(edit((s) => (s['retainPerOriginator'] = 1)))).toBeUndefined();
    expect(pathOf(edit((s) => ((s as Record<string, unknown>)['originators'] = {})))).toBe('antiReplay.originators');
  });
});

describe('AntiReplay properties', () => {
  const originators = [SUPPLIER, OTHER_USER];
  const targets = [ESME, GSME, '00-DB-12-34-56-78-90-A4' as Eui64];
  const digests = [A, B];
  const opArb = fc.record({
    o: fc.nat(1),
    t: fc.nat(2),
    counter: fc.oneof(fc.bigInt({ min: 0n, max: 40n }), fc.constantFrom(MAX_COUNTER - 1n, MAX_COUNTER)),
    d: fc.nat(1),
    phase: fc.constantFrom<Phase>('transform', 'send'),
  });

  /** The rule, stated as simply as possible, with unbounded memory. */
  class Model {
    readonly hwm = new Map<string, bigint>();
    readonly seen = new Map<string, string>();
    readonly pending = new Set<string>();
    verdict(o: string, t: string, c: bigint, d: string, p: Phase): 'fresh' | 'duplicate' | 'replay' {
      const prior = this.seen.get(`${o}|${t}|${c}|${p}`);
      if (prior !== undefined) return prior === d ? 'duplicate' : 'replay';
      if (p === 'send' && this.pending.has(`${o}|${t}|${c}`)) return 'fresh';
      const h = this.hwm.get(o);
      return h === undefined || c > h ? 'fresh' : 'replay';
    }
    record(o: string, t: string, c: bigint, d: string, p: Phase): void {
      this.seen.set(`${o}|${t}|${c}|${p}`, d);
      const h = this.hwm.get(o);
      if (h === undefined || c > h) this.hwm.set(o, c);
      if (p === 'transform') this.pending.add(`${o}|${t}|${c}`);
      else this.pending.delete(`${o}|${t}|${c}`);
    }
  }

  it('random counter streams: never a non-increasing new key (bar an awaited send), duplicates always recognised', () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 150 }), (ops) => {
        const r = new AntiReplay();
        const m = new Model();
        for (const op of ops) {
          const [o, t, d] = [originators[op.o]!, targets[op.t]!, digests[op.d]!];
          const v = r.check(o, t, op.counter, d, op.phase);
          expect(v.kind).toBe(m.verdict(o, t, op.counter, d, op.phase));
          if (v.kind === 'fresh') {
            const before = r.highWater(o);
            const awaited = op.phase === 'send' && r.expectsSend(o, t, op.counter);
            if (before !== undefined && !awaited) expect(op.counter > before).toBe(true);
            r.record(o, t, op.counter, d, op.phase);
            m.record(o, t, op.counter, d, op.phase);
            expect(r.check(o, t, op.counter, d, op.phase).kind).toBe('duplicate');
          }
        }
        // The same holds after a snapshot round trip.
        const back = AntiReplay.restore(JSON.parse(JSON.stringify(r.snapshot())));
        expect(back.ok).toBe(true);
        if (back.ok)
          for (const op of ops)
            expect(back.value.check(originators[op.o]!, targets[op.t]!, op.counter, digests[op.d]!, op.phase)).toEqual(
              r.check(originators[op.o]!, targets[op.t]!, op.counter, digests[op.d]!, op.phase),
            );
      }),
    );
  });

  it('with small memory bounds, a verdict of fresh is always one the unbounded rule gives too', () => {
    fc.assert(
      fc.property(
        fc.array(opArb, { maxLength: 150 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 3 }),
        (ops, retain, pending) => {
          const r = new AntiReplay({ retainPerOriginator: retain, pendingSendsPerOriginator: pending });
          const m = new Model();
          for (const op of ops) {
            const [o, t, d] = [originators[op.o]!, targets[op.t]!, digests[op.d]!];
            const v = r.check(o, t, op.counter, d, op.phase);
            const model = m.verdict(o, t, op.counter, d, op.phase);
            if (v.kind === 'fresh') {
              expect(model).toBe('fresh');
              r.record(o, t, op.counter, d, op.phase);
            }
            // The model records what it would accept, so its memory is a superset of the bounded one.
            if (model === 'fresh') m.record(o, t, op.counter, d, op.phase);
          }
        },
      ),
    );
  });
});
