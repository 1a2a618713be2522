import { fieldError } from '../../core/errors.ts';
import type { LogNormal, Range } from '../../emulator/consumer/household.ts';
import { MAX_PREMISES } from '../../emulator/fleet/fleet-options.ts';
import type { Checker } from './checker.ts';
import { choiceExpected, get, readNumber, readRecord, readShare, type NumberRule } from './checker.ts';
import { DEFAULT_ESTATE } from './defaults.ts';
import { parsePounds } from './money-notation.ts';
import { childPath } from './paths.ts';
import { isPlainRecord } from './plain-data.ts';
import { CSP_REGIONS, type CspRegion, type Estate, type MoneyRange } from './scenario.ts';

/**
 * The `estate` section. Every field is optional and merged over
 * `DEFAULT_ESTATE`, nested objects field by field (`topUp: { regularShare: 0.5 }`
 * keeps the other top-up defaults). Bounds are the household model's
 * (emulator/consumer/validate-household-defaults.ts): upper limits that
 * catch unit mistakes, such as Wh for kWh or minutes for hours.
 */

const ESTATE_KEYS = [
  'premises',
  'dualFuelShare',
  'prepaymentShare',
  'smets1Share',
  'startBalance',
  'consumption',
  'topUp',
  'emergencyCreditTakeProbability',
  'enable',
  'vulnerableShare',
  'selfDisconnection',
  'cspRegions',
] as const;

// Opening balances within the meter's maximum balance either way. // DOMAIN §9 (£250 UNVERIFIED)
const BALANCE_POUNDS = { min: -250, max: 250 };
// Top-ups are minted in whole pounds up to the maximum balance. // DOMAIN §9
const TOP_UP_POUNDS = { min: 1, max: 250, whole: true };
const SIGMA: NumberRule = { min: 0, max: 3, what: 'a log-normal sigma' };
// Shares typed as decimals need not sum to exactly 1 in binary.
const SUM_TOLERANCE = 1e-9;

export function validateEstate(c: Checker, raw: unknown, path: string): Estate {
  const d = DEFAULT_ESTATE;
  const r = readRecord(c, raw, path, ESTATE_KEYS, 'an object describing the estate');
  const at = (k: string): string => childPath(path, k);
  const share = (k: string, fallback: number): number => readShare(c, get(r, k), at(k), fallback);
  return {
    premises: readNumber(
      c,
      get(r, 'premises'),
      at('premises'),
      { min: 1, max: MAX_PREMISES, integer: true, what: 'a whole number of premises' },
      d.premises,
    ),
    dualFuelShare: share('dualFuelShare', d.dualFuelShare),
    prepaymentShare: share('prepaymentShare', d.prepaymentShare),
    smets1Share: share('smets1Share', d.smets1Share),
    startBalance: moneyRange(c, get(r, 'startBalance'), at('startBalance'), d.startBalance, BALANCE_POUNDS),
    consumption: consumption(c, get(r, 'consumption'), at('consumption')),
    topUp: topUp(c, get(r, 'topUp'), at('topUp')),
    emergencyCreditTakeProbability: share('emergencyCreditTakeProbability', d.emergencyCreditTakeProbability),
    enable: enable(c, get(r, 'enable'), at('enable')),
    vulnerableShare: share('vulnerableShare', d.vulnerableShare),
    selfDisconnection: selfDisconnection(c, get(r, 'selfDisconnection'), at('selfDisconnection')),
    cspRegions: cspRegions(c, get(r, 'cspRegions'), at('cspRegions')),
  };
}

function consumption(c: Checker, raw: unknown, path: string): Estate['consumption'] {
  const d = DEFAULT_ESTATE.consumption;
  const r = readRecord(
    c,
    raw,
    path,
    ['electricityKwhPerDay', 'gasKwhPerDay', 'sizeSigma'],
    'an object { electricityKwhPerDay, gasKwhPerDay, sizeSigma }',
  );
  const kwh = (max: number): NumberRule => ({ min: 0, max, what: 'kWh a day' });
  return {
    electricityKwhPerDay: readNumber(
      c,
      get(r, 'electricityKwhPerDay'),
      childPath(path, 'electricityKwhPerDay'),
      kwh(200),
      d.electricityKwhPerDay,
    ),
    gasKwhPerDay: readNumber(c, get(r, 'gasKwhPerDay'), childPath(path, 'gasKwhPerDay'), kwh(500), d.gasKwhPerDay),
    sizeSigma: readNumber(
      c,
      get(r, 'sizeSigma'),
      childPath(path, 'sizeSigma'),
      { min: 0, max: 2, what: 'a log-normal sigma' },
      d.sizeSigma,
    ),
  };
}

const TOP_UP_KEYS = ['amount', 'perWeek', 'channels', 'regularShare', 'delayAfterLowCreditHours', 'delayAfterOffSupplyHours'] as const;

function topUp(c: Checker, raw: unknown, path: string): Estate['topUp'] {
  const d = DEFAULT_ESTATE.topUp;
  const r = readRecord(c, raw, path, TOP_UP_KEYS, 'an object describing top-up behaviour');
  const at = (k: string): string => childPath(path, k);
  return {
    amount: moneyRange(c, get(r, 'amount'), at('amount'), d.amount, TOP_UP_POUNDS),
    perWeek: range(c, get(r, 'perWeek'), at('perWeek'), d.perWeek, { min: 0.1, max: 21, what: 'top-ups a week' }),
    channels: channels(c, get(r, 'channels'), at('channels')),
    regularShare: readShare(c, get(r, 'regularShare'), at('regularShare'), d.regularShare),
    delayAfterLowCreditHours: logNormal(
      c,
      get(r, 'delayAfterLowCreditHours'),
      at('delayAfterLowCreditHours'),
      d.delayAfterLowCreditHours,
      24 * 30,
      'hours',
    ),
    delayAfterOffSupplyHours: logNormal(
      c,
      get(r, 'delayAfterOffSupplyHours'),
      at('delayAfterOffSupplyHours'),
      d.delayAfterOffSupplyHours,
      24 * 30,
      'hours',
    ),
  };
}

function channels(c: Checker, raw: unknown, path: string): Estate['topUp']['channels'] {
  const d = DEFAULT_ESTATE.topUp.channels;
  const r = readRecord(c, raw, path, ['meter', 'ppmid', 'remote'], 'an object { meter, ppmid, remote } of shares summing to 1');
  const before = c.count;
  const out = {
    meter: readShare(c, get(r, 'meter'), childPath(path, 'meter'), d.meter),
    ppmid: readShare(c, get(r, 'ppmid'), childPath(path, 'ppmid'), d.ppmid),
    remote: readShare(c, get(r, 'remote'), childPath(path, 'remote'), d.remote),
  };
  const sum = out.meter + out.ppmid + out.remote;
  if (c.count === before && Math.abs(sum - 1) > SUM_TOLERANCE) c.add(fieldError(path, 'range', 'meter + ppmid + remote = 1', sum));
  return out;
}

function enable(c: Checker, raw: unknown, path: string): Estate['enable'] {
  const d = DEFAULT_ESTATE.enable;
  const r = readRecord(
    c,
    raw,
    path,
    ['afterOwnTopUpMinutes', 'afterExternalArmHours'],
    'an object { afterOwnTopUpMinutes, afterExternalArmHours }',
  );
  return {
    afterOwnTopUpMinutes: logNormal(
      c,
      get(r, 'afterOwnTopUpMinutes'),
      childPath(path, 'afterOwnTopUpMinutes'),
      d.afterOwnTopUpMinutes,
      60 * 24 * 7,
      'minutes',
    ),
    afterExternalArmHours: logNormal(
      c,
      get(r, 'afterExternalArmHours'),
      childPath(path, 'afterExternalArmHours'),
      d.afterExternalArmHours,
      24 * 90,
      'hours',
    ),
  };
}

function selfDisconnection(c: Checker, raw: unknown, path: string): Estate['selfDisconnection'] {
  const d = DEFAULT_ESTATE.selfDisconnection;
  const r = readRecord(c, raw, path, ['share', 'vulnerableShare', 'offSupplyDays'], 'an object { share, vulnerableShare, offSupplyDays }');
  return {
    share: readShare(c, get(r, 'share'), childPath(path, 'share'), d.share),
    vulnerableShare: readShare(c, get(r, 'vulnerableShare'), childPath(path, 'vulnerableShare'), d.vulnerableShare),
    offSupplyDays: logNormal(c, get(r, 'offSupplyDays'), childPath(path, 'offSupplyDays'), d.offSupplyDays, 365, 'days'),
  };
}

function logNormal(c: Checker, raw: unknown, path: string, d: LogNormal, maxMedian: number, unit: string): LogNormal {
  const r = readRecord(c, raw, path, ['median', 'sigma'], `a log-normal { median, sigma } in ${unit}`);
  return {
    median: readNumber(c, get(r, 'median'), childPath(path, 'median'), { min: 0, max: maxMedian, what: unit }, d.median),
    sigma: readNumber(c, get(r, 'sigma'), childPath(path, 'sigma'), SIGMA, d.sigma),
  };
}

/** A { min, max } range merged over `d`; min > max is blamed on the end the file wrote (min when it wrote both). */
function range(c: Checker, raw: unknown, path: string, d: Range, rule: NumberRule): Range {
  const r = readRecord(c, raw, path, ['min', 'max'], `an object { min, max } of ${rule.what ?? 'numbers'}`);
  const before = c.count;
  const min = readNumber(c, get(r, 'min'), childPath(path, 'min'), rule, d.min);
  const max = readNumber(c, get(r, 'max'), childPath(path, 'max'), rule, d.max);
  if (c.count === before) checkOrder(c, get(r, 'min') !== undefined, path, min, max, String);
  return { min, max };
}

function moneyRange(
  c: Checker,
  raw: unknown,
  path: string,
  d: MoneyRange,
  bounds: { min: number; max: number; whole?: boolean },
): MoneyRange {
  const r = readRecord(c, raw, path, ['min', 'max'], 'an object { min, max } in pounds');
  const before = c.count;
  const read = (k: 'min' | 'max'): number => {
    const v = get(r, k);
    return v === undefined ? d[k] : c.take(parsePounds(v, childPath(path, k), bounds), d[k]);
  };
  const min = read('min');
  const max = read('max');
  if (c.count === before) checkOrder(c, get(r, 'min') !== undefined, path, min, max, (m) => `£${m / 100_000}`);
  return { min, max };
}

function checkOrder(c: Checker, wroteMin: boolean, path: string, min: number, max: number, show: (n: number) => string): void {
  if (min <= max) return;
  if (wroteMin) c.add(fieldError(childPath(path, 'min'), 'order', `at most max (${show(max)})`, min));
  else c.add(fieldError(childPath(path, 'max'), 'order', `at least min (${show(min)})`, max));
}

/** One region's name (all its premises), or shares by region summing to 1. */
function cspRegions(c: Checker, raw: unknown, path: string): ReadonlyMap<CspRegion, number> {
  const d = DEFAULT_ESTATE.cspRegions;
  if (raw === undefined) return d;
  const expected = `a CSP region (${CSP_REGIONS.join(', ')}) or shares by region summing to 1, e.g. { North: 0.2, South: 0.8 }`;
  if (typeof raw === 'string') {
    const region = CSP_REGIONS.find((x) => x === raw);
    if (region !== undefined) return new Map([[region, 1]]);
    c.add(fieldError(path, 'unknown-kind', choiceExpected(raw, CSP_REGIONS), raw));
    return d;
  }
  if (!isPlainRecord(raw)) {
    c.add(fieldError(path, 'type', expected, raw));
    return d;
  }
  const before = c.count;
  const out = new Map<CspRegion, number>();
  let sum = 0;
  for (const k of Object.keys(raw)) {
    const region = CSP_REGIONS.find((x) => x === k);
    if (region === undefined) {
      c.add(fieldError(childPath(path, k), 'unknown-kind', choiceExpected(k, CSP_REGIONS), k));
      continue;
    }
    const share = readShare(c, raw[k], childPath(path, k), 0);
    out.set(region, share);
    sum += share;
  }
  if (c.count > before) return d;
  if (out.size === 0 || Math.abs(sum - 1) > SUM_TOLERANCE) c.add(fieldError(path, 'range', 'shares by region summing to 1', sum));
  return out;
}
