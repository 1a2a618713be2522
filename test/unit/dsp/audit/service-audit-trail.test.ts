import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Eui64 } from '../../../../core/ids.ts';
import { canonicalBytes, digestOfFields } from '../../../../dsp/audit/canonical-encoding.ts';
import {
  GENESIS_HASH,
  satRecordBytes,
  ServiceAuditTrail,
  verifyChain,
  type SatEntry,
  type SatKind,
  type SatRecord,
} from '../../../../dsp/audit/service-audit-trail.ts';

const SUPPLIER = '90-B3-D5-1F-30-01-00-00' as Eui64;
const SRP = '90-B3-D5-1F-30-05-00-00' as Eui64;
const OTHER = '90-B3-D5-1F-30-03-00-00' as Eui64;
const T0 = Date.UTC(2026, 2, 1);

const entry = (over: Partial<SatEntry> = {}): SatEntry => ({
  at: T0,
  kind: 'request',
  sender: SUPPLIER,
  businessOriginator: SUPPLIER,
  requestId: `${SUPPLIER}:00-DB-12-34-56-78-90-A0:1`,
  srv: '1.6',
  commandVariant: 4,
  code: null,
  detail: '',
  ...over,
});

/** Any entry; `at` is up to `maxAt` (a step from the previous record's, where a test chains them). */
const entryArbOf = (maxAt: number): fc.Arbitrary<SatEntry> =>
  fc.record({
    at: fc.nat(maxAt),
    kind: fc.constantFrom<SatKind>('request', 'outcome', 'alert', 'admin'),
    sender: fc.constantFrom(SUPPLIER, SRP, OTHER),
    businessOriginator: fc.option(fc.constantFrom(SUPPLIER, OTHER), { nil: null }),
    requestId: fc.option(fc.string({ maxLength: 12 }), { nil: null }),
    srv: fc.option(fc.constantFrom('1.6', '2.2', '4.1.1'), { nil: null }),
    commandVariant: fc.option(fc.integer({ min: 1, max: 9 }), { nil: null }),
    code: fc.option(fc.constantFrom('I0', 'E19', 'X9', 'AD1'), { nil: null }),
    detail: fc.string({ maxLength: 20, unit: 'grapheme' }),
  });

describe('canonicalBytes', () => {
  it('frames each field with a tag and a 4-byte length', () => {
    expect(bytesToHex(canonicalBytes(['ab', 12, null]))).toBe('01' + '00000002' + '6162' + '02' + '00000002' + '3132' + '00' + '00000000');
  });

  it('keeps field boundaries, types and absence apart', () => {
    const hex = (f: Parameters<typeof canonicalBytes>[0]): string => bytesToHex(canonicalBytes(f));
    expect(hex(['ab', 'c'])).not.toBe(hex(['a', 'bc']));
    expect(hex(['1'])).not.toBe(hex([1]));
    expect(hex([''])).not.toBe(hex([null]));
    expect(hex([])).toBe('');
    expect(hex([2n ** 64n - 1n])).toBe(hex([2n ** 64n - 1n]));
    expect(hex(['é'])).toBe('01' + '00000002' + 'c3a9');
  });

  it('refuses unsafe numbers and lone surrogates, which would make two values share bytes', () => {
    expect(() => canonicalBytes([1.5])).toThrow(RangeError);
    expect(() => canonicalBytes([2 ** 53])).toThrow(RangeError);
    expect(() => canonicalBytes(['\uD800'])).toThrow(TypeError);
    expect(() => canonicalBytes(['a\uDC00'])).toThrow(TypeError);
    expect(() => canonicalBytes(['\uD83D\uDE00'])).not.toThrow(); // a pair is fine
  });

  it('digests field lists with SHA-256', () => {
    expect(digestOfFields(['x'])).toBe(bytesToHex(sha256(canonicalBytes(['x']))));
    expect(digestOfFields(['x'])).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('ServiceAuditTrail // RELIABILITY §2 item 5', () => {
  it('chains each record to the one before: hash = SHA-256(prevHash ‖ canonical record)', () => {
    const sat = new ServiceAuditTrail();
    expect(sat.head()).toBe(GENESIS_HASH);
    const a = sat.append(entry());
    const b = sat.append(entry({ at: T0 + 5, kind: 'outcome', code: 'I0', detail: 'pre-command returned' }));
    expect(a).toMatchObject({ index: 0, prevHash: GENESIS_HASH });
    expect(b).toMatchObject({ index: 1, prevHash: a.hash });
    for (const r of [a, b]) {
      const { hash, ...rest } = r;
      const bytes = satRecordBytes(rest);
      const input = new Uint8Array([...hexToBytes(r.prevHash), ...bytes]);
      expect(hash).toBe(bytesToHex(sha256(input)));
    }
    expect(sat.head()).toBe(b.hash);
    expect(sat.length).toBe(2);
    expect(verifyChain(sat.records(), sat.head())).toEqual({ ok: true, value: true });
  });

  it('hands out frozen records and a copy of the list', () => {
    const sat = new ServiceAuditTrail();
    sat.append(entry());
    const view = sat.records();
    expect(Object.isFrozen(view[0])).toBe(true);
    (view as SatRecord[]).pop();
    expect(sat.length).toBe(1);
  });

  it('refuses malformed entries as bugs and appends nothing', () => {
    const sat = new ServiceAuditTrail();
    sat.append(entry({ at: T0 + 10 }));
    expect(() => sat.append(entry({ at: T0 + 9 }))).toThrow(/before/);
    expect(() => sat.append(entry({ at: T0 + 10.5 }))).toThrow(RangeError);
    expect(() => sat.append(entry({ commandVariant: 10 }))).toThrow(RangeError);
    expect(() => sat.append(entry({ kind: 'gossip' as SatKind }))).toThrow(RangeError);
    expect(() => sat.append(entry({ detail: 'bad \uD800' }))).toThrow(RangeError);
    expect(sat.length).toBe(1);
  });

  it('stores the SoLR sender (the SRP) beside the Business Originator // MP134B req 7', () => {
    const sat = new ServiceAuditTrail();
    const r = sat.append(entry({ sender: SRP, businessOriginator: SUPPLIER, commandVariant: 5 }));
    expect(r.sender).toBe(SRP);
    expect(r.businessOriginator).toBe(SUPPLIER);
  });

  it('restores from stored records only when the chain is whole', () => {
    const sat = new ServiceAuditTrail();
    for (let i = 0; i < 4; i++) sat.append(entry({ at: T0 + i, detail: `r${i}` }));
    const stored = JSON.parse(JSON.stringify(sat.records())) as SatRecord[];
    const back = ServiceAuditTrail.fromRecords(stored, sat.head());
    expect(back.ok).toBe(true);
    if (back.ok) {
      expect(back.value.head()).toBe(sat.head());
      back.value.append(entry({ at: T0 + 9 }));
      expect(verifyChain(back.value.records(), back.value.head()).ok).toBe(true);
    }
    const padded = ServiceAuditTrail.fromRecords(stored.map((r) => ({ ...r, note: 'not hashed' })));
    expect(padded.ok && Object.keys(padded.value.records()[0]!)).not.toContain('note');
    const edited = stored.map((r, i) => (i === 2 ? { ...r, detail: 'edited' } : r));
    expect(ServiceAuditTrail.fromRecords(edited)).toMatchObject({ ok: false, error: { index: 2 } });
    expect(ServiceAuditTrail.fromRecords(stored.slice(0, 3), sat.head())).toMatchObject({ ok: false, error: { index: 3 } });
  });
});

describe('ServiceAuditTrail storage', () => {
  it('gives back every field of every record as appended, across growth, by index, iteration and count', () => {
    // Enough records to pass the store's first growth (1 024) in some runs.
    fc.assert(
      fc.property(fc.array(entryArbOf(5), { maxLength: 1_500, size: 'max' }), (entries) => {
        const sat = new ServiceAuditTrail();
        let at = T0;
        const appended = entries.map((e) => sat.append({ ...e, at: (at += e.at) }));
        expect(sat.records()).toEqual(appended);
        expect([...sat]).toEqual(appended);
        appended.forEach((r, i) => expect(sat.record(i)).toEqual(r));
        expect(sat.head()).toBe(appended.at(-1)?.hash ?? GENESIS_HASH);
        const counts = sat.countByKind();
        for (const k of ['request', 'outcome', 'alert', 'admin'] as const)
          expect(counts[k]).toBe(appended.filter((r) => r.kind === k).length);
        expect(verifyChain(sat, sat.head()).ok).toBe(true);
      }),
      { numRuns: 25 },
    );
  });
});

describe('verifyChain: edited, removed, inserted, reordered records', () => {
  const trail = (n: number): { records: readonly SatRecord[]; head: string } => {
    const sat = new ServiceAuditTrail();
    for (let i = 0; i < n; i++) sat.append(entry({ at: T0 + i * 1000, detail: `event ${i}`, code: i % 2 === 0 ? null : 'I0' }));
    return { records: sat.records(), head: sat.head() };
  };
  const breakAt = (records: readonly SatRecord[], head?: string): number | undefined => {
    const v = verifyChain(records, head);
    return v.ok ? undefined : v.error.index;
  };

  it('finds an edited field at its record', () => {
    const { records } = trail(5);
    const edits: Partial<SatRecord>[] = [
      { detail: 'event 2!' },
      { sender: OTHER },
      { businessOriginator: null },
      { requestId: null },
      { srv: '1.5' },
      { commandVariant: 5 },
      { code: 'E1' },
      { kind: 'admin' },
      { at: T0 + 2001 },
    ];
    for (const e of edits) expect(breakAt(records.map((r, i) => (i === 2 ? { ...r, ...e } : r))), JSON.stringify(e)).toBe(2);
  });

  it('finds a removed record, and a removed last record against the head', () => {
    const { records, head } = trail(5);
    expect(breakAt([...records.slice(0, 2), ...records.slice(3)])).toBe(2);
    expect(breakAt(records.slice(1))).toBe(0);
    expect(breakAt(records.slice(0, 4))).toBeUndefined(); // a shorter chain is a chain…
    expect(breakAt(records.slice(0, 4), head)).toBe(4); // …but not the one published
  });

  it('finds inserted and reordered records', () => {
    const { records } = trail(5);
    const forged = new ServiceAuditTrail().append(entry({ detail: 'forged' }));
    expect(breakAt([...records.slice(0, 2), forged, ...records.slice(2)])).toBe(2);
    expect(breakAt([...records.slice(0, 3), records[1]!, ...records.slice(3)])).toBe(3);
    expect(breakAt([records[0]!, records[2]!, records[1]!, records[3]!, records[4]!])).toBe(1);
  });

  it('finds a chain re-hashed from an edit onwards only against the head', () => {
    const { records, head } = trail(4);
    const rewritten = new ServiceAuditTrail();
    for (const r of records) rewritten.append({ ...r, detail: r.index === 1 ? 'rewritten' : r.detail });
    expect(breakAt(rewritten.records())).toBeUndefined();
    expect(breakAt(rewritten.records(), head)).toBe(4);
  });

  it('finds any single-record tampering of a random trail', () => {
    const entryArb = entryArbOf(10_000);
    type Tamper =
      | { op: 'edit'; at: number; field: number; salt: string }
      | { op: 'remove'; at: number }
      | { op: 'insert'; at: number; from: number }
      | { op: 'swap'; at: number };
    const tamperArb: fc.Arbitrary<Tamper> = fc.oneof(
      fc.record({ op: fc.constant('edit' as const), at: fc.nat(), field: fc.nat(11), salt: fc.string({ minLength: 1, maxLength: 4 }) }),
      fc.record({ op: fc.constant('remove' as const), at: fc.nat() }),
      fc.record({ op: fc.constant('insert' as const), at: fc.nat(), from: fc.nat() }),
      fc.record({ op: fc.constant('swap' as const), at: fc.nat() }),
    );
    const edit = (r: SatRecord, field: number, salt: string): SatRecord => {
      switch (field) {
        case 0:
          return { ...r, index: r.index + 1 };
        case 1:
          return { ...r, at: r.at + 1 };
        case 2:
          return { ...r, kind: r.kind === 'admin' ? 'alert' : 'admin' };
        case 3:
          return { ...r, sender: r.sender === OTHER ? SRP : OTHER };
        case 4:
          return { ...r, businessOriginator: r.businessOriginator === null ? SUPPLIER : null };
        case 5:
          return { ...r, requestId: (r.requestId ?? '') + salt };
        case 6:
          return { ...r, srv: r.srv === null ? '1.6' : null };
        case 7:
          return { ...r, commandVariant: r.commandVariant === 1 ? 2 : 1 };
        case 8:
          return { ...r, code: r.code === null ? 'I0' : null };
        case 9:
          return { ...r, detail: r.detail + salt };
        case 10:
          return { ...r, prevHash: r.prevHash.replace(/^./, (c) => (c === '0' ? '1' : '0')) };
        default:
          return { ...r, hash: r.hash.replace(/.$/, (c) => (c === '0' ? '1' : '0')) };
      }
    };

    fc.assert(
      fc.property(fc.array(entryArb, { minLength: 1, maxLength: 25 }), tamperArb, (entries, t) => {
        const sat = new ServiceAuditTrail();
        let at = T0;
        for (const e of entries) sat.append({ ...e, at: (at += e.at) });
        const records = sat.records();
        expect(verifyChain(records, sat.head()).ok).toBe(true);
        const n = records.length;
        const i = t.at % n;
        let tampered: SatRecord[];
        switch (t.op) {
          case 'edit':
            tampered = records.map((r, j) => (j === i ? edit(r, t.field, t.salt) : r));
            break;
          case 'remove':
            tampered = records.filter((_, j) => j !== i);
            break;
          case 'insert': {
            const copy = records[t.from % n]!;
            tampered = [...records.slice(0, i), copy, ...records.slice(i)];
            break;
          }
          case 'swap': {
            if (n < 2) return;
            const j = i === n - 1 ? i - 1 : i;
            tampered = [...records];
            [tampered[j], tampered[j + 1]] = [tampered[j + 1]!, tampered[j]!];
            break;
          }
        }
        expect(verifyChain(tampered, sat.head()).ok).toBe(false);
        // Without the head, everything but a cut tail is still caught.
        const cutTail = t.op === 'remove' && i === n - 1;
        if (!cutTail) expect(verifyChain(tampered).ok).toBe(false);
      }),
    );
  });
});
