import { formatInstant } from '../../core/time/uk-time.ts';
import type { Money } from '../../core/money.ts';
import { toPounds } from './money-notation.ts';
import { POLICY_LEVERS } from './policy-plan.ts';
import type {
  Assertion,
  Estate,
  MoneyRange,
  Parties,
  Party,
  Policy,
  PolicyLevers,
  RequestBody,
  Scenario,
  TimelineEvent,
} from './scenario.ts';
import type {
  AssertionFile,
  EstateFile,
  PartiesFile,
  PolicyFile,
  RequestBodyFile,
  ScenarioFile,
  SupplierFile,
  TimelineEventFile,
} from './scenario-file.ts';
import { formatDuration } from './time-notation.ts';

/**
 * A validated scenario written back as a file would hold it: every default
 * spelled out, times as ISO date-times, durations as `1d6h`, money in pounds,
 * service request `expect`s as `response` assertions. Validating the result
 * gives the same scenario back — what a report prints as "the scenario as
 * run", and what the tests check the format against.
 *
 * @example
 * validateScenario(scenarioToFile(s)); // ok(s), equal field by field
 */
export function scenarioToFile(s: Scenario): ScenarioFile {
  return {
    name: s.name,
    description: s.description,
    seed: s.seed,
    start: formatInstant(s.start),
    days: s.days,
    estate: estate(s.estate),
    parties: parties(s.parties),
    policy: policy(s.policy),
    timeline: s.timeline.map(event),
    assertions: s.assertions.map(assertion),
  };
}

const t = formatInstant;
const d = formatDuration;
const range = (r: MoneyRange): { min: number; max: number } => ({ min: toPounds(r.min), max: toPounds(r.max) });

function estate(e: Estate): EstateFile {
  return {
    premises: e.premises,
    dualFuelShare: e.dualFuelShare,
    prepaymentShare: e.prepaymentShare,
    smets1Share: e.smets1Share,
    startBalance: range(e.startBalance),
    consumption: { ...e.consumption },
    topUp: {
      amount: range(e.topUp.amount),
      perWeek: { ...e.topUp.perWeek },
      channels: { ...e.topUp.channels },
      regularShare: e.topUp.regularShare,
      delayAfterLowCreditHours: { ...e.topUp.delayAfterLowCreditHours },
      delayAfterOffSupplyHours: { ...e.topUp.delayAfterOffSupplyHours },
    },
    emergencyCreditTakeProbability: e.emergencyCreditTakeProbability,
    enable: { afterOwnTopUpMinutes: { ...e.enable.afterOwnTopUpMinutes }, afterExternalArmHours: { ...e.enable.afterExternalArmHours } },
    vulnerableShare: e.vulnerableShare,
    selfDisconnection: { ...e.selfDisconnection, offSupplyDays: { ...e.selfDisconnection.offSupplyDays } },
    cspRegions: Object.fromEntries(e.cspRegions),
  };
}

function supplier(p: Party): SupplierFile {
  return {
    id: p.id,
    name: p.name,
    eui64: p.eui64,
    mpid: p.mpid ?? '',
    roles: p.roles.filter((r) => r === 'IS' || r === 'ES' || r === 'GS'),
  };
}

function parties(p: Parties): PartiesFile {
  return {
    failedSupplier: supplier(p.failedSupplier),
    srp: { id: p.srp.id, name: p.srp.name, eui64: p.srp.eui64 },
    solr: supplier(p.solr),
    suppliers: p.suppliers.map((s) => ({ ...supplier(s), id: s.id })),
    users: p.users.map((u) => ({
      id: u.id,
      name: u.name,
      eui64: u.eui64,
      type: u.type === 'Supplier' ? 'Other' : u.type,
      roles: [...u.roles],
    })),
  };
}

/** The policy's name and the levers it has; the others are not written, because the file could not set them. */
function policy(p: Policy): PolicyFile {
  const out: Record<string, unknown> = { name: p.name };
  for (const lever of POLICY_LEVERS.get(p.name) ?? []) {
    const v: PolicyLevers[keyof PolicyLevers] = p.levers[lever];
    out[lever] = Array.isArray(v) ? [...(v as readonly string[])] : v;
  }
  return out as PolicyFile;
}

const pounds = (m: Money): number => toPounds(m);

function body(b: RequestBody): RequestBodyFile {
  switch (b.kind) {
    case 'updatePaymentMode': {
      const when = b.executionAt === null ? {} : { executionAt: t(b.executionAt) };
      if (b.mode === 'credit') return { kind: b.kind, mode: b.mode, ...when };
      return {
        kind: b.kind,
        mode: b.mode,
        ...when,
        suspendDebtDisabled: b.suspendDebtDisabled,
        suspendDebtEmergency: b.suspendDebtEmergency,
        disablementThreshold: pounds(b.disablementThreshold),
      };
    }
    case 'topUpDevice':
      return b.utrn.kind === 'mint' ? { kind: b.kind, amount: pounds(b.utrn.amount) } : { kind: b.kind, utrn: b.utrn.utrn };
    case 'opaque':
      return { kind: b.kind, hex: b.hex };
    default:
      return { kind: b.kind };
  }
}

function event(e: TimelineEvent): TimelineEventFile {
  const at = t(e.at);
  switch (e.kind) {
    case 'vendingStops':
    case 'vendingStarts':
      return { at, kind: e.kind, supplier: e.supplier, channels: [...e.channels] };
    case 'licenceRevoked':
      return { at, kind: e.kind, supplier: e.supplier, certificatesRevoked: t(e.certificatesRevokedAt) };
    case 'failedSupplierList':
      return { at, kind: e.kind, supplier: e.supplier, listed: e.listed };
    case 'solrAppointed':
      return { at, kind: e.kind, failed: e.failed, solr: e.solr, mpidsTransferred: t(e.mpidsTransferAt) };
    case 'srpAppointed':
      return { at, kind: e.kind, srp: e.srp, supplier: e.supplier, until: e.until === null ? null : t(e.until) };
    case 'authorityInstruction':
      return { at, kind: e.kind, reference: e.reference, srp: e.srp, supplier: e.supplier };
    case 'instructionWithdrawn':
      return { at, kind: e.kind, reference: e.reference };
    case 'adtUpload':
      return {
        at,
        kind: e.kind,
        user: e.user,
        role: e.role,
        thresholds: e.thresholds.map((x) => ({ srv: x.srv, limit: x.limit, period: d(x.periodMs) })),
      };
    case 'userStatus':
      return { at, kind: e.kind, user: e.user, status: e.status };
    case 'srpSwitchToCredit':
      return { at, kind: e.kind, srp: e.srp, supplier: e.supplier, fuels: [...e.fuels], batchSize: e.batchSize, every: d(e.everyMs) };
    case 'changeOfSupplier':
      return { at, kind: e.kind, from: e.from, to: e.to, spread: d(e.spreadMs), fuels: [...e.fuels] };
    case 'solrSwitchToPrepayment':
      return {
        at,
        kind: e.kind,
        solr: e.solr,
        fuels: [...e.fuels],
        batchSize: e.batchSize,
        every: d(e.everyMs),
        disablementThreshold: pounds(e.disablementThreshold),
        suspendDebtDisabled: e.suspendDebtDisabled,
        suspendDebtEmergency: e.suspendDebtEmergency,
      };
    case 'wanOutage':
      return { at, kind: e.kind, share: e.share, region: e.region, duration: d(e.durationMs) };
    case 'hubPowerLoss':
      return { at, kind: e.kind, share: e.share, duration: d(e.durationMs) };
    case 'brokerRestart':
    case 'dspOutage':
      return { at, kind: e.kind, duration: d(e.durationMs) };
    case 'messageLoss':
      return { at, kind: e.kind, link: { ...e.link }, drop: e.drop, duration: d(e.durationMs) };
    case 'serviceRequest':
      return {
        at,
        kind: e.kind,
        id: e.id,
        user: e.user,
        ...(e.role === null ? {} : { role: e.role }),
        srv: e.srv,
        commandVariant: e.commandVariant,
        ...(e.commandVariant === 4 ? { signedSend: e.signedSend ?? 'none' } : {}),
        target: e.target.kind === 'eui64' ? { eui64: e.target.eui64 } : { premises: e.target.premises, device: e.target.device },
        body: body(e.body),
      };
    case 'consumerTopUp':
      return { at, kind: e.kind, premises: e.premises, fuel: e.fuel, amount: pounds(e.amount), channel: e.channel };
    case 'consumerEnable':
    case 'consumerEmergencyCredit':
      return { at, kind: e.kind, premises: e.premises, fuel: e.fuel, via: e.via };
  }
}

/** Only the fields that are set: a null bound or state was left out of the file. */
function assertion(a: Assertion): AssertionFile {
  switch (a.kind) {
    case 'response':
      return a.expect.match === 'final'
        ? { kind: a.kind, request: a.request, code: a.expect.code }
        : { kind: a.kind, request: a.request, codes: [...a.expect.codes] };
    case 'deviceState':
      return {
        kind: a.kind,
        at: t(a.at),
        premises: a.premises,
        fuel: a.fuel,
        ...(a.supply === null ? {} : { supply: a.supply }),
        ...(a.paymentMode === null ? {} : { paymentMode: a.paymentMode }),
        ...(a.balance === null
          ? {}
          : {
              balance: {
                ...(a.balance.min === null ? {} : { min: pounds(a.balance.min) }),
                ...(a.balance.max === null ? {} : { max: pounds(a.balance.max) }),
              },
            }),
      };
    case 'stateShare':
      return {
        kind: a.kind,
        at: t(a.at),
        group: a.group,
        fuels: [...a.fuels],
        ...(a.supply === null ? {} : { supply: a.supply }),
        ...(a.paymentMode === null ? {} : { paymentMode: a.paymentMode }),
        ...(a.min === null ? {} : { min: a.min }),
        ...(a.max === null ? {} : { max: a.max }),
      };
    case 'outcome':
      return { kind: a.kind, metric: a.metric, ...(a.min === null ? {} : { min: a.min }), ...(a.max === null ? {} : { max: a.max }) };
  }
}
