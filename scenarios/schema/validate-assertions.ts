import { fieldError } from '../../core/errors.ts';
import type { PaymentMode, SupplyState } from '../../emulator/devices/common/meter-types.ts';
import type { Checker } from './checker.ts';
import { checkKeys, choiceExpected, get, readList } from './checker.ts';
import type { ScenarioContext } from './context.ts';
import { MAX_ASSERTIONS } from './defaults.ts';
import { Fields } from './fields.ts';
import { itemPath } from './paths.ts';
import { isPlainRecord } from './plain-data.ts';
import { METER_GROUPS, OUTCOME_METRICS, type Assertion, type AssertionKind } from './scenario.ts';
import { readExpect } from './validate-request.ts';

/**
 * The `assertions` section: what must hold after the run. Whether a
 * `response` assertion names a request of the timeline is checked by
 * validate.ts, which has both lists.
 */

const KIND_KEYS: ReadonlyMap<AssertionKind, readonly string[]> = new Map<AssertionKind, readonly string[]>([
  ['response', ['request', 'code', 'codes']],
  ['deviceState', ['at', 'premises', 'fuel', 'supply', 'paymentMode', 'balance']],
  ['stateShare', ['at', 'group', 'fuels', 'supply', 'paymentMode', 'min', 'max']],
  ['outcome', ['metric', 'min', 'max']],
]);
const KINDS: readonly AssertionKind[] = [...KIND_KEYS.keys()];
const SUPPLY_STATES: readonly SupplyState[] = ['Enabled', 'Disabled', 'Armed'];
const PAYMENT_MODES: readonly PaymentMode[] = ['Credit', 'Prepayment'];

/** Every assertion, paired with its path (for the cross-check of request ids). */
export function validateAssertions(
  c: Checker,
  raw: unknown,
  path: string,
  ctx: ScenarioContext,
): { assertions: Assertion[]; paths: string[] } {
  const list = readList(c, raw, path, MAX_ASSERTIONS, 'a list of assertions { kind, … }');
  const assertions: Assertion[] = [];
  const paths: string[] = [];
  for (const [i, item] of list.entries()) {
    const p = itemPath(path, i);
    const a = readAssertion(c, item, p, ctx);
    if (a === undefined) continue;
    assertions.push(a);
    paths.push(p);
  }
  return { assertions, paths };
}

function readAssertion(c: Checker, raw: unknown, path: string, ctx: ScenarioContext): Assertion | undefined {
  if (!isPlainRecord(raw)) {
    c.add(fieldError(path, 'type', 'an assertion { kind, … }', raw));
    return undefined;
  }
  const kindRaw = get(raw, 'kind');
  const kind = KINDS.find((k) => k === kindRaw);
  if (kind === undefined) {
    const code = kindRaw === undefined ? 'required' : typeof kindRaw === 'string' ? 'unknown-kind' : 'type';
    c.add(
      fieldError(
        `${path}.kind`,
        code,
        typeof kindRaw === 'string' ? choiceExpected(kindRaw, KINDS) : `one of ${KINDS.join(', ')}`,
        kindRaw,
      ),
    );
    return undefined;
  }
  checkKeys(c, raw, path, ['kind', ...(KIND_KEYS.get(kind) ?? [])]);
  const f = new Fields(c, raw, path, ctx);
  switch (kind) {
    case 'response': {
      const request = f.string('request', { expected: "a serviceRequest's id", maxLength: 80 });
      if (f.has('code') === f.has('codes')) {
        c.add(
          fieldError(
            path,
            f.has('code') ? 'format' : 'required',
            'either code (the final answer) or codes (every answer, in order)',
            f.has('code') ? 'both' : undefined,
          ),
        );
        return { kind, request, expect: { match: 'final', code: 'I0' } };
      }
      const key = f.has('code') ? 'code' : 'codes';
      const v = f.raw(key);
      if (key === 'code' ? typeof v !== 'string' : !Array.isArray(v)) {
        c.add(
          fieldError(f.at(key), 'type', key === 'code' ? 'one response code, e.g. E4' : 'a list of response codes, e.g. [I0, I99, I0]', v),
        );
        return { kind, request, expect: { match: 'final', code: 'I0' } };
      }
      return readExpect(c, v, f.at(key), request);
    }
    case 'deviceState': {
      const at = f.time('at', 'run-or-end');
      const premises = f.premises('premises');
      const fuel = f.fuel('fuel');
      const supply = f.optionalChoice('supply', SUPPLY_STATES);
      const paymentMode = f.optionalChoice('paymentMode', PAYMENT_MODES);
      let balance: { min: number | null; max: number | null } | null = null;
      if (f.has('balance')) {
        const b = f.raw('balance');
        if (!isPlainRecord(b)) c.add(fieldError(f.at('balance'), 'type', 'an object { min, max } in pounds', b));
        else {
          checkKeys(c, b, f.at('balance'), ['min', 'max']);
          const bf = new Fields(c, b, f.at('balance'), ctx);
          const bounds = { min: -1000, max: 1000 };
          const min = bf.has('min') ? bf.pounds('min', bounds) : null;
          const max = bf.has('max') ? bf.pounds('max', bounds) : null;
          bounded(c, f.at('balance'), min, max, 'min or max in pounds');
          balance = { min, max };
        }
      }
      if (!f.has('supply') && !f.has('paymentMode') && !f.has('balance')) {
        c.add(fieldError(path, 'required', 'at least one of supply, paymentMode, balance', undefined));
      }
      return { kind, at, premises, fuel, supply, paymentMode, balance };
    }
    case 'stateShare': {
      const at = f.time('at', 'run-or-end');
      const group = f.choice('group', METER_GROUPS, 'prepayment');
      const fuels = f.fuels('fuels');
      const supply = f.optionalChoice('supply', SUPPLY_STATES);
      const paymentMode = f.optionalChoice('paymentMode', PAYMENT_MODES);
      if (!f.has('supply') && !f.has('paymentMode')) c.add(fieldError(path, 'required', 'at least one of supply, paymentMode', undefined));
      const min = f.has('min') ? f.share('min', 0) : null;
      const max = f.has('max') ? f.share('max', 1) : null;
      bounded(c, path, min, max, 'min or max, shares 0..1');
      return { kind, at, group, fuels, supply, paymentMode, min, max };
    }
    case 'outcome': {
      const metric = f.choice('metric', OUTCOME_METRICS);
      const top = metric === 'consumersOffSupplyShare' ? 1 : Number.MAX_SAFE_INTEGER;
      const rule = { min: 0, max: top, what: metric === 'consumersOffSupplyShare' ? 'a share' : 'a number' };
      const min = f.has('min') ? f.number('min', rule, 0) : null;
      const max = f.has('max') ? f.number('max', rule, 0) : null;
      bounded(c, path, min, max, 'min or max');
      return { kind, metric, min, max };
    }
  }
}

/** At least one bound, and min ≤ max. */
function bounded(c: Checker, path: string, min: number | null, max: number | null, expected: string): void {
  if (min === null && max === null) c.add(fieldError(`${path}.min`, 'required', `at least one bound: ${expected}`, undefined));
  else if (min !== null && max !== null && min > max) c.add(fieldError(`${path}.min`, 'order', `at most max (${max})`, min));
}
