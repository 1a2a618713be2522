import { fieldError } from '../../core/errors.ts';
import type { Instant } from '../../core/time/duration.ts';
import { formatInstant } from '../../core/time/uk-time.ts';
import { ROLES } from '../../dsp/access/roles.ts';
import { DEFAULT_ADT_PERIOD_MS, MAX_ADT_PERIOD_MS, MAX_ADT_THRESHOLDS, type AdtThreshold } from '../../dsp/adt/adt-file.ts';
import { MAX_PREMISES } from '../../emulator/fleet/fleet-options.ts';
import { toLinkRef, type LinkRef } from '../../emulator/bus/fault-plan.ts';
import type { Checker } from './checker.ts';
import { checkKeys, choiceExpected, get, readList, readRecord } from './checker.ts';
import type { ScenarioContext } from './context.ts';
import { DEFAULT_BATCHING, DEFAULT_BROKER_RESTART_MS, DEFAULT_COS_SPREAD_MS, MAX_DURATION_MS, MAX_TIMELINE_EVENTS } from './defaults.ts';
import { Fields } from './fields.ts';
import { itemPath } from './paths.ts';
import { isPlainRecord } from './plain-data.ts';
import { POLICY_LEVERS } from './policy-plan.ts';
import {
  CSP_REGIONS,
  VENDING_CHANNELS,
  type CspRegion,
  type Batching,
  type ResponseAssertion,
  type TimelineEvent,
  type TimelineKind,
} from './scenario.ts';
import { REQUEST_KEYS, readServiceRequest } from './validate-request.ts';
import { readSrv } from './validate-policy.ts';

/**
 * The `timeline` section: a list of events, each `{ at, kind, … }`. Party
 * references default to the scenario's failed supplier, SRP and SoLR; every
 * `at` is within the run. Checks across events — unique instruction
 * references and request ids, a withdrawal after its instruction — run once
 * the whole list is read. // DOMAIN §7.2
 */

/** The fields of each kind besides `at` and `kind`. */
const KIND_KEYS: ReadonlyMap<TimelineKind, readonly string[]> = new Map<TimelineKind, readonly string[]>([
  ['vendingStops', ['supplier', 'channels']],
  ['vendingStarts', ['supplier', 'channels']],
  ['licenceRevoked', ['supplier', 'certificatesRevoked']],
  ['failedSupplierList', ['supplier', 'listed']],
  ['solrAppointed', ['failed', 'solr', 'mpidsTransferred']],
  ['srpAppointed', ['srp', 'supplier', 'until']],
  ['authorityInstruction', ['reference', 'srp', 'supplier']],
  ['instructionWithdrawn', ['reference']],
  ['adtUpload', ['user', 'role', 'thresholds']],
  ['userStatus', ['user', 'status']],
  ['srpSwitchToCredit', ['srp', 'supplier', 'fuels', 'batchSize', 'every']],
  ['changeOfSupplier', ['from', 'to', 'spread', 'fuels']],
  [
    'solrSwitchToPrepayment',
    ['solr', 'fuels', 'batchSize', 'every', 'disablementThreshold', 'suspendDebtDisabled', 'suspendDebtEmergency'],
  ],
  ['wanOutage', ['share', 'region', 'duration']],
  ['hubPowerLoss', ['share', 'duration']],
  ['brokerRestart', ['duration']],
  ['dspOutage', ['duration']],
  ['messageLoss', ['link', 'drop', 'duration']],
  ['serviceRequest', REQUEST_KEYS],
  ['consumerTopUp', ['premises', 'fuel', 'amount', 'channel']],
  ['consumerEnable', ['premises', 'fuel', 'via']],
  ['consumerEmergencyCredit', ['premises', 'fuel', 'via']],
]);

/** Every timeline kind. */
export const TIMELINE_KINDS: readonly TimelineKind[] = [...KIND_KEYS.keys()];

const FAULT = { min: 1, max: MAX_DURATION_MS };
const REFERENCE = { expected: 'a reference of 1–80 characters', maxLength: 80, pattern: /^\S.{0,79}$/ };

export interface ReadTimeline {
  readonly events: readonly TimelineEvent[];
  /** The `expect`s of service requests, as response assertions. */
  readonly expectations: readonly ResponseAssertion[];
}

export function validateTimeline(c: Checker, raw: unknown, path: string, ctx: ScenarioContext): ReadTimeline {
  const list = readList(c, raw, path, MAX_TIMELINE_EVENTS, 'a list of events { at, kind, … }');
  const events: TimelineEvent[] = [];
  const expectations: ResponseAssertion[] = [];
  const paths: string[] = [];
  for (const [i, item] of list.entries()) {
    const p = itemPath(path, i);
    const read = readEvent(c, item, p, i, path, ctx);
    if (read === undefined) continue;
    events.push(read.event);
    paths.push(p);
    if (read.expect !== null) expectations.push(read.expect);
  }
  crossCheck(c, events, paths);
  return { events, expectations };
}

function readEvent(
  c: Checker,
  raw: unknown,
  path: string,
  index: number,
  timelinePath: string,
  ctx: ScenarioContext,
): { event: TimelineEvent; expect: ResponseAssertion | null } | undefined {
  if (!isPlainRecord(raw)) {
    c.add(fieldError(path, 'type', 'an event { at, kind, … }', raw));
    return undefined;
  }
  const kindRaw = get(raw, 'kind');
  const kind = TIMELINE_KINDS.find((k) => k === kindRaw);
  if (kind === undefined) {
    const code = kindRaw === undefined ? 'required' : typeof kindRaw === 'string' ? 'unknown-kind' : 'type';
    const expected =
      typeof kindRaw === 'string' ? choiceExpected(kindRaw, TIMELINE_KINDS) : `an event kind: one of ${TIMELINE_KINDS.join(', ')}`;
    c.add(fieldError(`${path}.kind`, code, expected, kindRaw));
    return undefined;
  }
  checkKeys(c, raw, path, ['at', 'kind', ...(KIND_KEYS.get(kind) ?? [])]);
  const f = new Fields(c, raw, path, ctx);
  const at = f.time('at', 'run');
  if (kind === 'serviceRequest') return readServiceRequest(f, at, index, timelinePath);
  return { event: readOther(f, kind, at, index), expect: null };
}

function readOther(f: Fields, kind: Exclude<TimelineKind, 'serviceRequest'>, at: Instant, index: number): TimelineEvent {
  const { parties, plan } = f.ctx;
  const failed = parties.failedSupplier.id;
  const solr = parties.solr.id;
  const srp = parties.srp.id;
  switch (kind) {
    case 'vendingStops':
    case 'vendingStarts':
      return {
        kind,
        at,
        supplier: f.party('supplier', 'supplier', kind === 'vendingStops' ? failed : solr),
        channels: f.names('channels', VENDING_CHANNELS),
      };
    case 'licenceRevoked': {
      const supplier = f.party('supplier', 'supplier', failed);
      const explicit = f.laterTime('certificatesRevoked', at, 'the licence revocation (at)');
      checkDelayAllowed(f, 'certificatesRevoked', 'delayRevocationDays', explicit, at, 'MP134A');
      return { kind, at, supplier, certificatesRevokedAt: explicit ?? at + plan.certificateRevocationDelayMs };
    }
    case 'failedSupplierList':
      return { kind, at, supplier: f.party('supplier', 'supplier', failed), listed: f.bool('listed', true) };
    case 'solrAppointed': {
      const failedId = f.party('failed', 'supplier', failed);
      const solrId = f.party('solr', 'supplier', solr);
      if (failedId === solrId && failedId !== '')
        f.c.add(fieldError(f.at('solr'), 'format', `a supplier other than the failed one (${failedId})`, solrId));
      const explicit = f.laterTime('mpidsTransferred', at, 'the SoLR appointment (at)');
      checkDelayAllowed(f, 'mpidsTransferred', 'delayMpidTransferDays', explicit, at, 'MP185');
      return { kind, at, failed: failedId, solr: solrId, mpidsTransferAt: explicit ?? at + plan.mpidTransferDelayMs };
    }
    case 'srpAppointed': {
      const until = f.raw('until') === null ? undefined : f.laterTime('until', at + 1, 'the appointment (at)');
      return { kind, at, srp: f.party('srp', 'srp', srp), supplier: f.party('supplier', 'supplier', failed), until: until ?? null };
    }
    case 'authorityInstruction':
      return {
        kind,
        at,
        reference: f.string('reference', REFERENCE, `instruction-${index}`),
        srp: f.party('srp', 'srp', srp),
        supplier: f.party('supplier', 'supplier', failed),
      };
    case 'instructionWithdrawn':
      return { kind, at, reference: f.string('reference', REFERENCE) };
    case 'adtUpload':
      return { kind, at, user: f.party('user', 'any', srp), role: f.choice('role', ROLES, 'SoLRContingency'), thresholds: thresholds(f) };
    case 'userStatus':
      return { kind, at, user: f.party('user', 'any'), status: f.choice('status', ['active', 'suspended'] as const) };
    case 'srpSwitchToCredit':
      return {
        kind,
        at,
        srp: f.party('srp', 'srp', srp),
        supplier: f.party('supplier', 'supplier', failed),
        fuels: f.fuels('fuels'),
        ...batching(f),
      };
    case 'changeOfSupplier': {
      const from = f.party('from', 'supplier', failed);
      const to = f.party('to', 'supplier', solr);
      if (from === to && from !== '') f.c.add(fieldError(f.at('to'), 'format', `a supplier other than the losing one (${from})`, to));
      return {
        kind,
        at,
        from,
        to,
        spreadMs: f.duration('spread', { min: 0, max: MAX_DURATION_MS }, DEFAULT_COS_SPREAD_MS),
        fuels: f.fuels('fuels'),
      };
    }
    case 'solrSwitchToPrepayment':
      return {
        kind,
        at,
        solr: f.party('solr', 'supplier', solr),
        fuels: f.fuels('fuels'),
        ...batching(f),
        disablementThreshold: f.pounds('disablementThreshold', { min: -250, max: 250 }, 0),
        suspendDebtDisabled: f.bool('suspendDebtDisabled', true),
        suspendDebtEmergency: f.bool('suspendDebtEmergency', true),
      };
    case 'wanOutage':
      return { kind, at, share: f.share('share', 1), region: region(f), durationMs: f.duration('duration', FAULT) };
    case 'hubPowerLoss':
      return { kind, at, share: f.share('share', 1), durationMs: f.duration('duration', FAULT) };
    case 'brokerRestart':
      return { kind, at, durationMs: f.duration('duration', FAULT, DEFAULT_BROKER_RESTART_MS) };
    case 'dspOutage':
      return { kind, at, durationMs: f.duration('duration', FAULT) };
    case 'messageLoss':
      return { kind, at, link: link(f), drop: f.share('drop', 1), durationMs: f.duration('duration', FAULT) };
    case 'consumerTopUp':
      return {
        kind,
        at,
        premises: f.premises('premises'),
        fuel: f.fuel('fuel'),
        amount: f.topUpAmount('amount'),
        channel: f.choice('channel', ['meter', 'ppmid', 'remote'] as const, 'meter'),
      };
    case 'consumerEnable':
    case 'consumerEmergencyCredit':
      return {
        kind,
        at,
        premises: f.premises('premises'),
        fuel: f.fuel('fuel'),
        via: f.choice('via', ['meter', 'ppmid'] as const, 'meter'),
      };
  }
}

/** A delayed revocation or transfer needs a policy with that lever: in other worlds the SMKI PMA has no such power. */
function checkDelayAllowed(
  f: Fields,
  key: string,
  lever: 'delayRevocationDays' | 'delayMpidTransferDays',
  explicit: Instant | undefined,
  at: Instant,
  source: string,
): void {
  const { policy, policyKnown } = f.ctx;
  if (explicit === undefined || explicit === at || !policyKnown || (POLICY_LEVERS.get(policy.name) ?? []).includes(lever)) return;
  const what = key === 'certificatesRevoked' ? 'the licence revocation' : 'the SoLR appointment';
  const allowed = [...POLICY_LEVERS].filter(([, levers]) => levers.includes(lever)).map(([name]) => name);
  f.c.add(
    fieldError(
      f.at(key),
      'range',
      `${what} itself (${formatInstant(at)}): policy ${policy.name} has no SMKI PMA delay (${source}; policies with one: ${allowed.join(', ')})`,
      f.raw(key),
    ),
  );
}

function batching(f: Fields): Batching {
  return {
    batchSize: f.number('batchSize', { min: 1, max: MAX_PREMISES, integer: true, what: 'meters per batch' }, DEFAULT_BATCHING.batchSize),
    everyMs: f.duration('every', { min: 1, max: MAX_DURATION_MS }, DEFAULT_BATCHING.everyMs),
  };
}

function region(f: Fields): CspRegion | null {
  const r = f.optionalChoice('region', CSP_REGIONS);
  const regions = f.ctx.regions;
  if (r !== null && regions !== null && !regions.has(r)) {
    f.c.add(fieldError(f.at('region'), 'unknown-kind', `a region of the estate (${[...regions].join(', ')})`, r));
  }
  return r;
}

function link(f: Fields): LinkRef {
  const fallback: LinkRef = { topic: '#' };
  if (!f.need('link', 'a client id or a topic filter, or { client } or { topic }')) return fallback;
  const raw = f.raw('link');
  if (typeof raw !== 'string' && !isPlainRecord(raw)) {
    f.c.add(fieldError(f.at('link'), 'type', 'a client id or a topic filter, or { client } or { topic }', raw));
    return fallback;
  }
  return f.c.take(toLinkRef(raw as string | LinkRef, f.at('link')), fallback);
}

/** An ADT file's thresholds, each SRV once. // DOMAIN §4.7; dsp/adt/adt-file.ts */
function thresholds(f: Fields): readonly AdtThreshold[] {
  const c = f.c;
  const path = f.at('thresholds');
  if (!f.need('thresholds', 'a list of thresholds { srv, limit, period }')) return [];
  const list = readList(c, f.raw('thresholds'), path, MAX_ADT_THRESHOLDS, 'a list of thresholds { srv, limit, period }');
  const out: AdtThreshold[] = [];
  for (const [i, item] of list.entries()) {
    const p = itemPath(path, i);
    const before = c.count;
    const r = readRecord(c, item, p, ['srv', 'limit', 'period'], 'a threshold { srv, limit, period }');
    const t = new Fields(c, r, p, f.ctx);
    const srv = t.need('srv', 'an SRV as a string, e.g. "1.6"') ? (readSrv(c, t.raw('srv'), t.at('srv')) ?? '') : '';
    const limit = t.number('limit', { min: 0, max: Number.MAX_SAFE_INTEGER, integer: true, what: 'requests per period' });
    const periodMs = t.duration('period', { min: 1, max: MAX_ADT_PERIOD_MS }, DEFAULT_ADT_PERIOD_MS);
    if (c.count > before) continue;
    if (out.some((x) => x.srv === srv)) c.add(fieldError(t.at('srv'), 'format', 'each SRV once per file', srv));
    else out.push({ srv, limit, periodMs });
  }
  return out;
}

/** Unique instruction references and request ids; each withdrawal names an earlier instruction. */
function crossCheck(c: Checker, events: readonly TimelineEvent[], paths: readonly string[]): void {
  const instructions = new Map<string, Instant>();
  const requests = new Set<string>();
  for (const [i, e] of events.entries()) {
    const p = paths[i]!;
    if (e.kind === 'authorityInstruction' && e.reference !== '') {
      if (instructions.has(e.reference)) c.add(fieldError(`${p}.reference`, 'format', 'a reference no other instruction has', e.reference));
      else instructions.set(e.reference, e.at);
    } else if (e.kind === 'serviceRequest' && e.id !== '') {
      if (requests.has(e.id)) c.add(fieldError(`${p}.id`, 'format', 'an id no other request has', e.id));
      else requests.add(e.id);
    }
  }
  for (const [i, e] of events.entries()) {
    if (e.kind !== 'instructionWithdrawn' || e.reference === '') continue;
    const given = instructions.get(e.reference);
    const p = `${paths[i]!}.reference`;
    if (given === undefined)
      c.add(
        fieldError(
          p,
          'unknown-kind',
          `the reference of an authorityInstruction: ${choiceExpected(e.reference, instructions.keys())}`,
          e.reference,
        ),
      );
    else if (given > e.at)
      c.add(fieldError(`${paths[i]!}.at`, 'order', `a time at or after the instruction (${formatInstant(given)})`, formatInstant(e.at)));
  }
}
