import { fieldError, type FieldError } from '../../core/errors.ts';
import { err, ok, type Result } from '../../core/result.ts';
import { DAY_MS } from '../../core/time/duration.ts';
import { MAX_DAYS } from '../../emulator/fleet/fleet-options.ts';
import { Checker, choiceExpected, get, readNumber, readRecord, readString, required } from './checker.ts';
import type { ScenarioContext } from './context.ts';
import { DEFAULT_DAYS, DEFAULT_SEED, DEFAULT_START } from './defaults.ts';
import { ROOT_PATH } from './paths.ts';
import { isPlainRecord, toPlainData } from './plain-data.ts';
import { policyPlan } from './policy-plan.ts';
import type { Scenario } from './scenario.ts';
import { parseTime } from './time-notation.ts';
import { validateAssertions } from './validate-assertions.ts';
import { validateEstate } from './validate-estate.ts';
import { validateParties } from './validate-parties.ts';
import { validatePolicy } from './validate-policy.ts';
import { validateTimeline } from './validate-timeline.ts';

/** The top-level fields of a scenario. */
export const SCENARIO_KEYS = [
  'name',
  'description',
  'seed',
  'start',
  'days',
  'estate',
  'parties',
  'policy',
  'timeline',
  'assertions',
] as const;

const NAME = {
  expected: 'a name of 1–120 characters without line breaks, e.g. solr-disorderly-exit',
  maxLength: 120,
  pattern: /^[^\n\r\t\0]*\S[^\n\r\t\0]*$/,
};
const DESCRIPTION = { expected: 'a description of at most 4000 characters', maxLength: 4000 };

/**
 * Validates a scenario read from a file or a module and fills in every
 * default. Every mistake found is reported, each as a FieldError naming its
 * path (`timeline[3].at`, `estate.prepaymentShare`), what was expected and
 * what was found; unknown fields are mistakes, with the nearest known field
 * as a hint. Never throws, whatever `raw` is.
 *
 * @example
 * const r = validateScenario({ name: 'tiny', estate: { premises: 10 }, timeline: [{ at: '+1d', kind: 'licenceRevoked' }] });
 * if (!r.ok) for (const e of r.error) console.error(formatFieldError(e));
 */
export function validateScenario(raw: unknown): Result<Scenario, readonly FieldError[]> {
  const c = new Checker();
  const copy = toPlainData(raw, ROOT_PATH);
  c.addAll(copy.errors);
  const root = copy.value;
  if (!isPlainRecord(root)) {
    if (copy.errors.length === 0) c.add(fieldError(ROOT_PATH, 'type', `an object with the fields ${SCENARIO_KEYS.join(', ')}`, root));
    return err(c.errors());
  }
  const r = readRecord(c, root, ROOT_PATH, SCENARIO_KEYS, 'a scenario object');

  required(c, get(r, 'name'), 'name', NAME.expected);
  const name = readString(c, get(r, 'name'), 'name', NAME, '');
  const description = readString(c, get(r, 'description'), 'description', DESCRIPTION, '');
  const seed = readSeed(c, get(r, 'seed'));
  const mark = c.count;
  const start = get(r, 'start') === undefined ? DEFAULT_START : c.take(parseTime(get(r, 'start'), 'start', undefined), DEFAULT_START);
  const days = readNumber(
    c,
    get(r, 'days'),
    'days',
    { min: 1, max: MAX_DAYS, integer: true, what: 'a whole number of days' },
    DEFAULT_DAYS,
  );
  const runKnown = c.count === mark;
  const end = start + days * DAY_MS;

  const estateMark = c.count;
  const estate = validateEstate(c, get(r, 'estate'), 'estate');
  const partiesMark = c.count;
  const parties = validateParties(c, get(r, 'parties'), 'parties');
  const policyMark = c.count;
  const policy = validatePolicy(c, get(r, 'policy'), 'policy');
  const ctx: ScenarioContext = {
    start,
    end,
    runKnown,
    parties,
    partiesKnown: !c.foundUnder(partiesMark, 'parties'),
    premises: c.foundUnder(estateMark, 'estate.premises') ? null : estate.premises,
    regions: c.foundUnder(estateMark, 'estate.cspRegions') ? null : new Set(estate.cspRegions.keys()),
    policy,
    policyKnown: !c.foundUnder(policyMark, 'policy'),
    plan: policyPlan(policy),
  };

  const timeline = validateTimeline(c, get(r, 'timeline'), 'timeline', ctx);
  const explicit = validateAssertions(c, get(r, 'assertions'), 'assertions', ctx);
  const requestIds = new Set(timeline.events.flatMap((e) => (e.kind === 'serviceRequest' ? [e.id] : [])));
  for (const [i, a] of explicit.assertions.entries()) {
    if (a.kind !== 'response' || a.request === '' || requestIds.has(a.request)) continue;
    c.add(
      fieldError(
        `${explicit.paths[i]!}.request`,
        'unknown-kind',
        `the id of a serviceRequest: ${choiceExpected(a.request, requestIds)}`,
        a.request,
      ),
    );
  }

  if (c.count > 0) return err(withoutEchoes(c.errors(), copy.errors));
  return ok({
    name,
    description,
    seed,
    start,
    days,
    end,
    estate,
    parties,
    policy,
    timeline: timeline.events,
    assertions: [...timeline.expectations, ...explicit.assertions],
  });
}

/** A seed: a non-empty string, or a whole number (kept as its decimal string). */
function readSeed(c: Checker, raw: unknown): string {
  if (raw === undefined) return DEFAULT_SEED;
  if (typeof raw === 'number' && Number.isSafeInteger(raw)) return String(raw);
  return readString(
    c,
    raw,
    'seed',
    { expected: 'a seed: a non-empty string of at most 100 characters, or a whole number', maxLength: 100, pattern: /^.+$/s },
    DEFAULT_SEED,
  );
}

/**
 * The errors without those at or under a value the plain copy could not make:
 * that value is already reported once, as unreadable, cyclic or too deep.
 */
function withoutEchoes(errors: readonly FieldError[], copyErrors: readonly FieldError[]): readonly FieldError[] {
  if (copyErrors.length === 0) return errors;
  const lost = copyErrors.map((e) => e.path);
  const under = (p: string): boolean => lost.some((l) => p === l || p.startsWith(`${l}.`) || p.startsWith(`${l}[`));
  return errors.filter((e, i) => i < copyErrors.length || !under(e.path));
}
