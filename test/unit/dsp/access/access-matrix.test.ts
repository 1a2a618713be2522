import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { unwrap } from '../../../../core/result.ts';
import { createAccessMatrix, type AccessDecision, type AccessMatrix } from '../../../../dsp/access/access-matrix.ts';
import { ROLES, type Role } from '../../../../dsp/access/roles.ts';
import { SRV_CATALOGUE } from '../../../../dsp/access/srv-catalogue.ts';

type Outcome = 'ok' | 'X11' | 'E2' | 'E12';

/**
 * The matrix's rule restated from the catalogue's fields alone, by linear
 * search and plain includes, to compare the built matrix against.
 */
function reference(role: Role, srv: string, cv: number, solrList: readonly string[]): Outcome {
  const row = SRV_CATALOGUE.find((e) => e.srv === srv);
  if (row === undefined) return 'X11';
  const listed = role === 'SoLRContingency' ? solrList.includes(srv) : (row.roles as readonly string[]).includes(role);
  if (!listed) return 'E2';
  return (row.commandVariants as readonly number[]).includes(cv) ? 'ok' : 'E12';
}

const outcome = (d: AccessDecision): Outcome => (d.ok ? 'ok' : (d.code as Outcome));

const SRVS = SRV_CATALOGUE.map((e) => e.srv as string);
// Not SRVs of the catalogue: retired or never-assigned numbers, an SR that only exists as variants, malformed text.
const UNKNOWN_SRVS = ['1.3', '4.1', '4.4.1', '6.2.6', '10.1', '99.99', '1.6 ', '', 'x'];
const CVS = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];

const defaultMatrix = unwrap(createAccessMatrix());

function allDecisions(m: AccessMatrix, role: Role): string[] {
  return [...SRVS, ...UNKNOWN_SRVS].flatMap((srv) => CVS.map((cv) => `${srv} CV${cv} ${outcome(m.decide(role, srv, cv))}`));
}

describe('access matrix: every role × every SRV × CV 0–9', () => {
  it.each(ROLES)('%s gets the reference decision everywhere', (role) => {
    const expected = [...SRVS, ...UNKNOWN_SRVS].flatMap((srv) => CVS.map((cv) => `${srv} CV${cv} ${reference(role, srv, cv, ['1.6'])}`));
    expect(allDecisions(defaultMatrix, role)).toEqual(expected);
  });

  it('answers an allowed request with the catalogue row itself', () => {
    for (const e of SRV_CATALOGUE) {
      expect(defaultMatrix.entry(e.srv)).toBe(e);
      for (const role of ROLES) {
        for (const cv of e.commandVariants) {
          const d = defaultMatrix.decide(role, e.srv, cv);
          if (d.ok) expect(d.entry).toBe(e);
        }
      }
    }
  });

  it('says why in every refusal', () => {
    const d = defaultMatrix.decide('GS', '1.1.2', 4);
    expect(d).toEqual({ ok: false, code: 'E2', reason: expect.stringContaining('1.1.2') as unknown });
    const e = defaultMatrix.decide('IS', '1.6', 1);
    expect(e).toEqual({ ok: false, code: 'E12', reason: expect.stringContaining('4, 5, 6, 7') as unknown });
    const x = defaultMatrix.decide('IS', 'y'.repeat(500), 1);
    expect(x.ok ? '' : x.reason.length).toBeLessThan(80);
  });
});

describe('access matrix: spot checks from the DOMAIN §4.9 table', () => {
  it.each<[Role, string, number, Outcome]>([
    // 1.6 Update Payment Mode: critical, IS and GS, CV 4–7.
    ['IS', '1.6', 4, 'ok'],
    ['GS', '1.6', 7, 'ok'],
    ['IS', '1.6', 1, 'E12'],
    ['ES', '1.6', 4, 'E2'],
    ['ED', '1.6', 5, 'E2'],
    // 1.1.2: IS only.
    ['GS', '1.1.2', 4, 'E2'],
    // 2.2 Top Up Device: non-critical, IS and GS, CV 1–3.
    ['IS', '2.2', 1, 'ok'],
    ['GS', '2.2', 3, 'ok'],
    ['IS', '2.2', 5, 'E12'],
    ['ES', '2.2', 1, 'E2'],
    // 4.1.4: GS only.
    ['GS', '4.1.4', 2, 'ok'],
    ['IS', '4.1.4', 2, 'E2'],
    // 5.1 Create Schedule: non-device, CV 8, every role but RSA.
    ['OU', '5.1', 8, 'ok'],
    ['IS', '5.1', 1, 'E12'],
    ['RSA', '5.1', 8, 'E2'],
    ['RSA', '8.2', 8, 'ok'],
    ['OU', '12.2', 8, 'ok'],
    // 7.14 († row): non-critical, CV 1–3 by the correction.
    ['ED', '7.14', 1, 'ok'],
    ['IS', '7.12', 4, 'ok'],
    // Rows that list no role.
    ['IS', '7.16', 4, 'E2'],
    ['GS', '8.5', 1, 'E2'],
    ['OU', '8.6', 8, 'E2'],
    // 8.1.1 Commission Device: critical with CV 4 and 5 only.
    ['IS', '8.1.1', 5, 'ok'],
    ['IS', '8.1.1', 6, 'E12'],
    // 14.1: GT only.
    ['GT', '14.1', 1, 'ok'],
    ['IS', '14.1', 1, 'E2'],
    // Unknown SRVs, including an SR that exists only as variants.
    ['IS', '9.9', 1, 'X11'],
    ['IS', '4.1', 1, 'X11'],
    // CVs outside 1–8.
    ['IS', '2.2', 0, 'E12'],
    ['IS', '5.1', 9, 'E12'],
    ['IS', '2.2', 1.5, 'E12'],
    ['IS', '2.2', Number.NaN, 'E12'],
    // Check order: X11 before E2 before E12.
    ['ES', '99.1', 9, 'X11'],
    ['ES', '1.6', 9, 'E2'],
    ['ES', '1.6', 1, 'E2'],
    // SoLR Contingency, default list: 1.6 with each of its CVs, nothing else.
    ['SoLRContingency', '1.6', 4, 'ok'],
    ['SoLRContingency', '1.6', 5, 'ok'],
    ['SoLRContingency', '1.6', 6, 'ok'],
    ['SoLRContingency', '1.6', 7, 'ok'],
    ['SoLRContingency', '1.6', 1, 'E12'],
    ['SoLRContingency', '1.6', 8, 'E12'],
    ['SoLRContingency', '2.2', 1, 'E2'],
    ['SoLRContingency', '1.1.1', 4, 'E2'],
    ['SoLRContingency', '9.9', 4, 'X11'],
  ])('%s, SRV %s, CV %d → %s', (role, srv, cv, want) => {
    expect(outcome(defaultMatrix.decide(role, srv, cv))).toBe(want);
  });

  it('knows which SRVs a role may send at all', () => {
    expect(defaultMatrix.eligible('IS', '1.6')).toBe(true);
    expect(defaultMatrix.eligible('ES', '1.6')).toBe(false);
    expect(defaultMatrix.eligible('SoLRContingency', '1.6')).toBe(true);
    expect(defaultMatrix.eligible('SoLRContingency', '2.2')).toBe(false);
    expect(defaultMatrix.eligible('IS', '9.9')).toBe(false);
    expect(defaultMatrix.entry('9.9')).toBeUndefined();
  });
});

describe('createAccessMatrix: the SoLR Contingency list', () => {
  it('defaults to SR 1.6 only (MP134B req 3)', () => {
    expect(defaultMatrix.solrContingencySrvs).toEqual(['1.6']);
    expect(SRVS.filter((srv) => defaultMatrix.eligible('SoLRContingency', srv))).toEqual(['1.6']);
  });

  it('takes other catalogue SRVs, each with its own CVs, and ignores repeats', () => {
    const m = unwrap(createAccessMatrix({ solrContingencySrvs: ['1.6', '2.2', '7.16', '1.6'] }));
    expect(m.solrContingencySrvs).toEqual(['1.6', '2.2', '7.16']);
    expect(outcome(m.decide('SoLRContingency', '2.2', 3))).toBe('ok');
    expect(outcome(m.decide('SoLRContingency', '2.2', 4))).toBe('E12');
    // A row that lists no matrix role can still be opened to the SoLR Contingency role alone.
    expect(outcome(m.decide('SoLRContingency', '7.16', 4))).toBe('ok');
    expect(outcome(m.decide('IS', '7.16', 4))).toBe('E2');
  });

  it('may be empty: the role then sends nothing', () => {
    const m = unwrap(createAccessMatrix({ solrContingencySrvs: [] }));
    expect(outcome(m.decide('SoLRContingency', '1.6', 5))).toBe('E2');
  });

  it.each<[unknown, string, string]>([
    [['1.6', '9.9'], 'solrContingencySrvs[1]', 'unknown-kind'],
    [['4.1'], 'solrContingencySrvs[0]', 'unknown-kind'],
    [['1.6', 'SR 1.6'], 'solrContingencySrvs[1]', 'format'],
    [[16], 'solrContingencySrvs[0]', 'type'],
    ['1.6', 'solrContingencySrvs', 'type'],
  ])('refuses %j with a field error at %s (%s)', (list, path, code) => {
    const r = createAccessMatrix({ solrContingencySrvs: list as readonly string[] });
    expect(r).toEqual({ ok: false, error: expect.objectContaining({ path, code }) as unknown });
  });
});

describe('access matrix: properties', () => {
  const srv = fc.constantFrom(...SRVS);
  const solrList = fc.subarray(SRVS, { maxLength: 6 });

  it('extending the SoLR Contingency list with one SRV changes decisions for that SRV only, and only for that role', () => {
    const same = (a: AccessDecision, b: AccessDecision): boolean =>
      a.ok && b.ok ? a.entry === b.entry : !a.ok && !b.ok && a.code === b.code && a.reason === b.reason;
    fc.assert(
      fc.property(solrList, srv, (base, added) => {
        const before = unwrap(createAccessMatrix({ solrContingencySrvs: base }));
        const after = unwrap(createAccessMatrix({ solrContingencySrvs: [...base, added] }));
        const wrong: string[] = [];
        for (const role of ROLES) {
          for (const s of [...SRVS, ...UNKNOWN_SRVS]) {
            for (const cv of CVS) {
              const [b, a] = [before.decide(role, s, cv), after.decide(role, s, cv)];
              const changes = role === 'SoLRContingency' && s === added && !base.includes(added);
              const right = changes ? outcome(a) === reference(role, s, cv, [added]) : same(a, b);
              if (!right) wrong.push(`${role} ${s} CV${cv}: ${outcome(b)} → ${outcome(a)}`);
            }
          }
        }
        expect(wrong).toEqual([]);
      }),
    );
  });

  it('default deny: a role that is not listed for an SRV never passes, whatever the CV', () => {
    const anySrv = fc.oneof(srv, fc.string({ maxLength: 8 }));
    fc.assert(
      fc.property(solrList, fc.constantFrom(...ROLES), anySrv, fc.integer({ min: -3, max: 12 }), (list, role, s, cv) => {
        const m = unwrap(createAccessMatrix({ solrContingencySrvs: list }));
        const row = SRV_CATALOGUE.find((e) => e.srv === s);
        const listed =
          row !== undefined && (role === 'SoLRContingency' ? list.includes(s) : (row.roles as readonly string[]).includes(role));
        const d = m.decide(role, s, cv);
        if (!listed) expect(d.ok).toBe(false);
        if (d.ok) expect((d.entry.commandVariants as readonly number[]).includes(cv)).toBe(true);
      }),
    );
  });
});
