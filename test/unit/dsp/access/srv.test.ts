import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { unwrap } from '../../../../core/result.ts';
import { parseSrv, serviceReferenceOf } from '../../../../dsp/access/srv.ts';

describe('parseSrv', () => {
  it.each(['1.6', '1.1.1', '4.10', '6.2.10', '8.14.3', '14.1', '99.99.99'])('reads %s', (raw) => {
    expect(parseSrv(raw, 'srv')).toEqual({ ok: true, value: raw });
  });

  it.each(['', '1', '1.', '1.6.', '.1.6', '1.06', '0.1', '1.0', '100.1', '1.1.1.1', 'a.b', ' 1.6', '1.6 ', '1,6', '1..6'])(
    'refuses %j as a format error',
    (raw) => {
      expect(parseSrv(raw, 'header.srv')).toEqual({
        ok: false,
        error: expect.objectContaining({ path: 'header.srv', code: 'format', got: JSON.stringify(raw) }) as unknown,
      });
    },
  );

  it.each([16, null, undefined, ['1.6']])('refuses a non-string (%j) as a type error', (raw) => {
    const r = parseSrv(raw, 'srv');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.code).toBe('type');
  });
});

describe('serviceReferenceOf', () => {
  it.each([
    ['1.1.1', '1.1'],
    ['1.6', '1.6'],
    ['4.10', '4.10'],
    ['6.2.10', '6.2'],
    ['8.14.3', '8.14'],
    ['14.1', '14.1'],
  ])('%s belongs to SR %s', (srv, sr) => {
    expect(serviceReferenceOf(unwrap(parseSrv(srv, 'srv')))).toBe(sr);
  });

  it('is the first two numbers of any SRV', () => {
    const n = fc.integer({ min: 1, max: 99 });
    fc.assert(
      fc.property(n, n, fc.option(n, { nil: undefined }), (a, b, c) => {
        const raw = c === undefined ? `${a}.${b}` : `${a}.${b}.${c}`;
        expect(serviceReferenceOf(unwrap(parseSrv(raw, 'srv')))).toBe(`${a}.${b}`);
      }),
    );
  });
});
