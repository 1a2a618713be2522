import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { FieldErrorCode } from '../../../core/errors.ts';
import { scenarioToFile } from '../../../scenarios/schema/to-file.ts';
import { validateScenario } from '../../../scenarios/schema/validate.ts';
import { EVERY_KIND } from './examples.ts';

const CODES: readonly FieldErrorCode[] = ['required', 'type', 'range', 'format', 'order', 'unknown-kind', 'too-many'];

/** Keys a scenario uses, and keys that reach prototypes, so random objects hit real fields as well as traps. */
const KEY = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf'),
  fc.constantFrom(
    'name',
    'estate',
    'parties',
    'policy',
    'timeline',
    'assertions',
    'at',
    'kind',
    'premises',
    'prepaymentShare',
    'user',
    'body',
  ),
);

const ANYTHING = fc.anything({
  key: KEY,
  maxDepth: 4,
  withBigInt: true,
  withBoxedValues: true,
  withDate: true,
  withMap: true,
  withSet: true,
  withNullPrototype: true,
  withObjectString: true,
  withSparseArray: true,
  withTypedArray: true,
});

/** Every error a result holds is well formed. */
function checkErrors(raw: unknown): void {
  const r = validateScenario(raw);
  if (r.ok) return;
  expect(r.error.length).toBeGreaterThan(0);
  for (const e of r.error) {
    expect(e.path.length).toBeGreaterThan(0);
    expect(CODES).toContain(e.code);
    expect(e.expected.length).toBeGreaterThan(0);
    expect(typeof e.got).toBe('string');
  }
}

/** A copy of `base` with the value at a random path replaced. */
function replaceAt(base: unknown, steps: readonly number[], value: unknown): unknown {
  if (steps.length === 0 || typeof base !== 'object' || base === null) return value;
  const [step, ...rest] = steps as [number, ...number[]];
  if (Array.isArray(base)) {
    if (base.length === 0) return [value];
    const i = step % base.length;
    return base.map((v: unknown, j) => (j === i ? replaceAt(v, rest, value) : v));
  }
  const keys = Object.keys(base);
  if (keys.length === 0) return value;
  const k = keys[step % keys.length]!;
  return { ...(base as Record<string, unknown>), [k]: replaceAt((base as Record<string, unknown>)[k], rest, value) };
}

const PLAIN_EVERY_KIND: unknown = JSON.parse(JSON.stringify(EVERY_KIND));

describe('validateScenario: any input', () => {
  it('never throws, and every error has a path, a code and what was expected', () => {
    fc.assert(
      fc.property(ANYTHING, (raw) => {
        checkErrors(raw);
        checkErrors({ name: 'x', estate: raw, parties: raw, policy: raw, timeline: [raw], assertions: [raw] });
      }),
    );
  });

  it('never throws when any one value of a valid scenario is replaced by anything', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(), { maxLength: 6 }), ANYTHING, (steps, value) => {
        checkErrors(replaceAt(PLAIN_EVERY_KIND, steps, value));
      }),
    );
  });

  it('never throws on huge, tiny and odd numbers anywhere a number goes', () => {
    const odd = fc.constantFrom(1e308, -1e308, Number.MAX_VALUE, Number.MIN_VALUE, -0, NaN, Infinity, -Infinity, 2 ** 53 + 1, 0.1 + 0.2);
    fc.assert(
      fc.property(fc.array(fc.nat(), { minLength: 1, maxLength: 6 }), odd, (steps, value) => {
        checkErrors(replaceAt(PLAIN_EVERY_KIND, steps, value));
      }),
    );
  });

  it('never touches Object.prototype', () => {
    fc.assert(
      fc.property(ANYTHING, (raw) => {
        validateScenario({ name: 'x', estate: raw, timeline: [raw] });
        expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(PROTOTYPE_NAMES);
      }),
    );
  });
});

const PROTOTYPE_NAMES = Object.getOwnPropertyNames(Object.prototype).sort();

describe('validateScenario: valid scenarios', () => {
  const share = fc.double({ min: 0, max: 1, noNaN: true });
  const scenario = fc.record({
    days: fc.integer({ min: 2, max: 366 }),
    premises: fc.integer({ min: 1, max: 1_000_000 }),
    prepaymentShare: share,
    smets1Share: share,
    balance: fc.tuple(fc.integer({ min: -25_000, max: 25_000 }), fc.integer({ min: -25_000, max: 25_000 })),
    policy: fc.constantFrom('none', 'mp134a', 'mp134a+mp185', 'mp134b'),
    revokeHour: fc.integer({ min: 0, max: 23 }),
  });

  it('validate to a scenario that the file form gives back unchanged', () => {
    fc.assert(
      fc.property(scenario, (g) => {
        const [lo, hi] = g.balance[0] <= g.balance[1] ? g.balance : [g.balance[1], g.balance[0]];
        const r = validateScenario({
          name: 'generated',
          days: g.days,
          estate: {
            premises: g.premises,
            prepaymentShare: g.prepaymentShare,
            smets1Share: g.smets1Share,
            startBalance: { min: lo / 100, max: hi / 100 },
          },
          policy: g.policy,
          timeline: [
            { at: `+1d${g.revokeHour}h`, kind: 'licenceRevoked' },
            { at: '+1d', kind: 'solrAppointed' },
            { at: `+${g.days - 1}d`, kind: 'consumerEnable', premises: g.premises - 1 },
          ],
        });
        expect(r.ok).toBe(true);
        if (!r.ok) return;
        expect(r.value.estate.startBalance).toEqual({ min: lo * 1000, max: hi * 1000 });
        expect(validateScenario(scenarioToFile(r.value))).toEqual(r);
      }),
    );
  });
});
