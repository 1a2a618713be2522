import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { validate } from './json-schema-subset.ts';
import { SAMPLE_REPORT } from './sample-report.ts';

const schema = JSON.parse(readFileSync(new URL('../../../scenarios/report/report.schema.json', import.meta.url), 'utf8')) as Record<
  string,
  unknown
>;

/** A deep copy of the sample with the value at `path` replaced, or removed when `value` is undefined. */
function sampleWith(path: readonly (string | number)[], value: unknown): unknown {
  const copy = JSON.parse(JSON.stringify(SAMPLE_REPORT)) as unknown;
  let at = copy as Record<string | number, unknown>;
  for (const k of path.slice(0, -1)) at = at[k] as Record<string | number, unknown>;
  const last = path.at(-1) ?? '';
  if (value === undefined) delete at[last];
  else at[last] = value;
  return copy;
}

describe('report.schema.json', () => {
  it('is a draft 2020-12 schema', () => {
    expect(schema['$schema']).toBe('https://json-schema.org/draft/2020-12/schema');
  });

  it('accepts the sample report', () => {
    expect(validate(schema, SAMPLE_REPORT)).toEqual([]);
  });

  it.each<[string, readonly (string | number)[], unknown, string]>([
    ['a missing run field', ['run', 'seed'], undefined, '$.run: missing "seed"'],
    ['an unknown field', ['run', 'extra'], 1, '$.run.extra: not allowed'],
    ['another report version', ['reportVersion'], 2, '$.reportVersion: expected 1'],
    ['a local time without Z', ['run', 'start'], '2026-01-05T00:00:00', '$.run.start: "2026-01-05T00:00:00" does not match'],
    [
      'a fractional count',
      ['policies', 0, 'offSupplySeries', 'consumersOff', 3],
      1.5,
      '$.policies[0].offSupplySeries.consumersOff[3]: expected integer',
    ],
    ['an unknown cause', ['policies', 1, 'outcomes', 'vulnerable', 'meterMinutesOff', 'flood'], 3, 'meterMinutesOff.flood: not allowed'],
    ['a response code that is not one', ['policies', 1, 'serviceRequests', 0, 'byCode', 'ok'], 1, 'byCode.ok (name): "ok" does not match'],
    ['a story that is not an object', ['assertions', 1, 'story'], 'x', 'story: matches none of anyOf'],
    ['an audit head that is not a hash', ['policies', 0, 'audit', 'head'], 'zz', 'audit: matches none of anyOf'],
    ['a negative duration', ['policies', 0, 'outcomes', 'all', 'consumerMinutesOff'], -1, 'consumerMinutesOff: -1 is below 0'],
  ])('refuses %s', (_what, path, value, message) => {
    const errors = validate(schema, sampleWith(path, value));
    expect(errors.join('\n')).toContain(message);
  });

  it('the checker refuses a keyword it does not implement, so the schema cannot rely on one unchecked', () => {
    expect(() => validate({ type: 'object', oneOf: [] }, {})).toThrow(/unsupported keyword "oneOf"/);
  });
});
