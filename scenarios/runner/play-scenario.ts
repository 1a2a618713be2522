import type { FieldError } from '../../core/errors.ts';
import type { Eui64 } from '../../core/ids.ts';
import { UNITS_PER_POUND } from '../../core/money.ts';
import { ok, type Result } from '../../core/result.ts';
import { DAY_MS, HOUR_MS, type Instant } from '../../core/time/duration.ts';
import { DEFAULT_FLEET_OPTIONS } from '../../emulator/fleet/fleet-options.ts';
import type { ServiceRequestBody } from '../../proto/types.ts';
import type { DuisUser } from '../../dsp/user/duis-user.ts';
import { householdDefaultsOf } from '../schema/household-of.ts';
import { policyPlan } from '../schema/policy-plan.ts';
import type { RequestBody, Scenario } from '../schema/scenario.ts';
import { roleCode } from '../../dsp/access/roles.ts';
import { solrWorldOf, type PlayedRun } from './play-solr.ts';
import type { SolrPlan } from './solr-plan.ts';
import type { SolrWorld } from './solr-world.ts';
import { FAILED_SUPPLIER, SOLR, SOLR_MPID, SRP_ID, type MeterRef } from './solr-world.ts';

/**
 * Plays a validated scenario file on the in-process world: its estate, its
 * policy, and every timeline event at its instant, in file order at equal
 * instants. // docs/scenarios.md
 *
 * The parties are the world's three — the failed supplier, its SRP, the
 * SoLR — under the scenario's names; their EUI-64s and MPIDs are the world's
 * (the format's defaults). Faults — WAN outages, power cuts, the broker or
 * the DSP down, message loss — act at the world's edge, the same in process
 * and on every bus (docs/scenarios.md "Faults").
 */

/** What a scenario's requests got, by the request's id in the file. */
export type RequestAnswers = ReadonlyMap<string, readonly string[]>;

export interface PlayedScenario {
  readonly run: PlayedRun;
  readonly answers: RequestAnswers;
  /** Checks made at an instant (deviceState, stateShare), by assertion index: what was found. */
  readonly observed: ReadonlyMap<number, Observed>;
}

/** What an instant-bound assertion found. */
export type Observed =
  | { readonly kind: 'deviceState'; readonly found: { supply: string; mode: string; balance: number } | null }
  | { readonly kind: 'stateShare'; readonly matching: number; readonly of: number };

/** The scenario's plan in the runner's terms (for the report); every validated scenario has one. */
export function planOf(s: Scenario): Result<SolrPlan, readonly FieldError[]> {
  const p = policyPlan(s.policy);
  const e = s.estate;
  return ok({
    policy: s.policy.name,
    description: p.summary,
    fleet: {
      ...DEFAULT_FLEET_OPTIONS,
      premises: e.premises,
      days: s.days,
      seed: s.seed,
      start: s.start,
      prepaymentShare: e.prepaymentShare,
      startBalancePounds: { min: Math.round(e.startBalance.min / UNITS_PER_POUND), max: Math.round(e.startBalance.max / UNITS_PER_POUND) },
      household: householdDefaultsOf(e),
    },
    smets1Share: e.smets1Share,
    cspRegions: e.cspRegions,
    others: [...s.parties.suppliers, ...s.parties.users].map((x) => ({ id: x.eui64, name: x.name, party: x.type, roles: x.roles })),
    dsp: p.dspConfig,
    srpActsAs: p.srpActsAs,
    srpWindowMs: p.srpWindowMs,
    steps: {
      vendingStops: Infinity,
      failedListed: Infinity,
      licenceRevoked: Infinity,
      revocationDelayedUntil: null,
      authorityInstruction: s.timeline.find((x) => x.kind === 'authorityInstruction')?.at ?? null,
      adtUpload: null,
      srpSwitch: null,
      solrAppointed: Infinity,
      transferDelayedUntil: null,
      changeOfSupplier: null,
    },
  });
}

/** Which of the world's parties a scenario party id is: one of the three, or another User. */
function userOf(s: Scenario, id: string): 'failed' | 'srp' | 'solr' | 'other' {
  if (id === s.parties.failedSupplier.id) return 'failed';
  if (id === s.parties.srp.id) return 'srp';
  if (id === s.parties.solr.id) return 'solr';
  return 'other';
}

/** The world's EUI-64 for a scenario party: the world's own for the three, the file's for the others. */
function euiOf(s: Scenario, id: string): Eui64 {
  const u = userOf(s, id);
  if (u === 'other') return s.parties.byId.get(id)?.eui64 ?? FAILED_SUPPLIER;
  return u === 'srp' ? SRP_ID : u === 'solr' ? SOLR : FAILED_SUPPLIER;
}

/** Plays the scenario in process. */
export function playScenario(s: Scenario, plan: SolrPlan, onDay?: (day: number, days: number) => void): PlayedScenario {
  const world = solrWorldOf(plan);
  const staged = stageScenario(s, plan, world);
  for (let day = 1; day <= s.days; day++) {
    world.clock.runUntil(Math.min(staged.end, s.start + day * DAY_MS));
    onDay?.(day, s.days);
  }
  return staged.finish();
}

/** Starts the world and schedules the scenario's events and checks on its clock; whoever drives the clock to `end` calls `finish`. */
export function stageScenario(s: Scenario, plan: SolrPlan, world: SolrWorld): { readonly end: Instant; finish(): PlayedScenario } {
  const clock = world.clock;
  const admin = world.dsp.admin;
  const at = (t: Instant, f: () => void): void => void clock.schedule(Math.max(t, clock.now()), f);
  const answers = new Map<string, string[]>();
  const observed = new Map<number, Observed>();
  const changedAt = world.changedAt;
  const atSwitch = new Map<string, { supply: string; cause: string | null }>();
  const instructed: MeterRef[] = [];
  let solrVendsFrom = s.timeline.some((e) => e.kind === 'vendingStarts') ? Infinity : -Infinity;
  const userFor = (id: string, gas: boolean): DuisUser => {
    const u = userOf(s, id);
    if (u === 'other') return world.others.get(euiOf(s, id)) ?? world.failed;
    if (u === 'srp') return gas ? world.srpGas : world.srp;
    if (u === 'solr') return gas ? world.solrGas : world.solr;
    return gas ? world.failedGas : world.failed;
  };
  // Sends SR 1.6 to the meters `pick` gives, `size` at a time every `every` ms, each retried hourly on E20 or E21.
  const batches = (start: Instant, size: number, every: number, pick: () => MeterRef[], send: (m: MeterRef) => void): void => {
    const batch = (): void => {
      const next = pick().slice(0, size);
      for (const m of next) send(m);
      if (next.length === size) at(clock.now() + every, batch);
    };
    at(start, batch);
  };

  world.begin();
  // The scenario's SRP is the failed supplier's agent from the start. // DOMAIN §7.1
  if (plan.srpActsAs === 'solr-contingency') admin.appointSrp(SRP_ID, FAILED_SUPPLIER, s.start);
  world.setSolrVending((id, now) => now >= solrVendsFrom && changedAt.has(id));
  s.timeline.forEach((e) => {
    at(e.at, () => {
      const now = clock.now();
      switch (e.kind) {
        case 'vendingStops':
          return world.stopFailedVending(now);
        case 'vendingStarts':
          solrVendsFrom = Math.min(solrVendsFrom, now);
          return;
        case 'licenceRevoked':
          admin.revokeLicence(
            euiOf(s, e.supplier),
            now,
            e.certificatesRevokedAt > now ? { delayRevocationUntil: e.certificatesRevokedAt } : {},
          );
          if (policyPlan(s.policy).listFailedAtLicenceRevocation) admin.setFailedSupplier(euiOf(s, e.supplier), true, now);
          return;
        case 'failedSupplierList':
          return admin.setFailedSupplier(euiOf(s, e.supplier), e.listed, now);
        case 'solrAppointed':
          return admin.appointSolr(
            euiOf(s, e.failed),
            euiOf(s, e.solr),
            now,
            e.mpidsTransferAt > now ? { delayTransferUntil: e.mpidsTransferAt } : {},
          );
        case 'srpAppointed':
          return admin.appointSrp(euiOf(s, e.srp), euiOf(s, e.supplier), now, e.until);
        case 'authorityInstruction':
          return admin.instruct(e.reference, euiOf(s, e.supplier), euiOf(s, e.srp), now);
        case 'instructionWithdrawn':
          return admin.withdrawInstruction(e.reference, now);
        case 'adtUpload':
          admin.uploadAdt(
            {
              user: euiOf(s, e.user),
              role: e.role,
              thresholds: e.thresholds.map((t) => ({ srv: t.srv, limit: t.limit, periodMs: t.periodMs })),
            },
            now,
          );
          return;
        case 'userStatus':
          return admin.setUserStatus(euiOf(s, e.user), e.status, now);
        case 'srpSwitchToCredit': {
          const targets = world.meters.filter((m) => e.fuels.includes(m.slot.fuel) && m.slot.snapshot.context.mode === 'Prepayment');
          for (const m of world.meters)
            atSwitch.set(m.id, { supply: m.slot.snapshot.context.supply, cause: m.slot.snapshot.context.cause });
          instructed.push(...targets);
          let k = 0;
          batches(
            now,
            e.batchSize,
            e.everyMs,
            () => targets.slice(k, (k += e.batchSize)),
            (m) => world.criticalRetrying(userFor(e.srp, m.slot.fuel === 'gas'), m, '1.6', CREDIT, HOUR_MS),
          );
          return;
        }
        case 'changeOfSupplier': {
          const meters = world.meters.filter((m) => e.fuels.includes(m.slot.fuel));
          return world.spreadChangeOfSupplier(meters, now, e.spreadMs, euiOf(s, e.to), SOLR_MPID);
        }
        case 'solrSwitchToPrepayment': {
          const wasPrepayment = world.meters.filter((m) => e.fuels.includes(m.slot.fuel) && world.startMode.get(m.id) === 'Prepayment');
          const done = new Set<string>();
          const body: ServiceRequestBody = {
            kind: 'updatePaymentMode',
            updatePaymentMode: {
              kind: 'prepayment',
              prepayment: {
                suspendDebtDisabled: e.suspendDebtDisabled,
                suspendDebtEmergency: e.suspendDebtEmergency,
                disablementThreshold: e.disablementThreshold,
              },
            },
          };
          const pick = (): MeterRef[] => wasPrepayment.filter((m) => changedAt.has(m.id) && !done.has(m.id));
          batches(
            now,
            e.batchSize,
            e.everyMs,
            () => pick().map((m) => (done.add(m.id), m)),
            (m) => world.criticalRetrying(userFor(e.solr, m.slot.fuel === 'gas'), m, '1.6', body, HOUR_MS),
          );
          return;
        }
        // Faults act at the world's edge; each picks what it hits from the seed and its instant. // docs/scenarios.md "Faults"
        case 'wanOutage':
          return world.cutWan(`${s.seed}:wan-outage:${e.at}`, e.share, now, now + e.durationMs, e.region);
        case 'hubPowerLoss':
          return world.cutPower(`${s.seed}:hub-power-loss:${e.at}`, e.share, now, now + e.durationMs);
        case 'brokerRestart':
          return world.brokerDown(now, now + e.durationMs);
        case 'dspOutage':
          return world.dspOutage(now, now + e.durationMs);
        case 'messageLoss':
          return world.loseMessages(`${s.seed}:message-loss:${e.at}`, e.link, e.drop, now, now + e.durationMs);
        case 'serviceRequest': {
          const m =
            e.target.kind === 'premises' ? meterAt(world, e.target.premises, e.target.device === 'GSME') : world.meter(e.target.eui64);
          const list: string[] = [];
          answers.set(e.id, list);
          if (m === undefined) return void list.push('E19');
          const user = userFor(e.user, false);
          // An outside system plays this User: the twin does not send its scripted request.
          if (world.external.has(user.id)) return;
          const req = user.request(
            m.id,
            e.srv,
            e.commandVariant,
            bodyOf(e.body),
            e.role === null ? {} : { role: roleCode(e.role, plan.dsp.roleCodes) },
          );
          world.watchAll(user.id, req.header.requestId, (r) => list.push(r.responseCode));
          const signedSend = e.signedSend;
          world.submit(user.id, req, (out) => {
            // The User signs the Pre-Command it received (a lost response never reaches it) and sends it on.
            const pre = out.find((o) => o.kind === 'response')?.response;
            if (signedSend === null || pre?.responseCode !== 'I0' || pre.preCommand === undefined || !world.reaches(user.id, pre)) return;
            world.submit(user.id, user.signedSend(req, pre.preCommand, signedSend));
          });
          return;
        }
        case 'consumerTopUp':
        case 'consumerEnable':
        case 'consumerEmergencyCredit': {
          const m = meterAt(world, e.premises, e.fuel === 'gas');
          if (m === undefined) return;
          if (e.kind === 'consumerEnable') return m.premises.consumer(m.slot, { type: 'supply.enableLocal', now, via: e.via });
          if (e.kind === 'consumerEmergencyCredit') return m.premises.consumer(m.slot, { type: 'ec.activate', now, via: e.via });
          return m.premises.buyTopUp(m.slot, e.amount, e.channel);
        }
      }
    });
  });
  s.assertions.forEach((a, i) => {
    if (a.kind === 'deviceState') {
      at(a.at, () => {
        const m = meterAt(world, a.premises, a.fuel === 'gas');
        const c = m?.slot.snapshot.context;
        observed.set(i, {
          kind: 'deviceState',
          found: c === undefined ? null : { supply: c.supply, mode: c.mode, balance: c.ledger.meterBalance },
        });
      });
    } else if (a.kind === 'stateShare') {
      at(a.at, () => {
        const group = world.meters.filter(
          (m) =>
            a.fuels.includes(m.slot.fuel) &&
            (a.group === 'all' || (world.startMode.get(m.id) === 'Prepayment') === (a.group === 'prepayment')),
        );
        const matching = group.filter((m) => {
          const c = m.slot.snapshot.context;
          return (a.supply === null || c.supply === a.supply) && (a.paymentMode === null || c.mode === a.paymentMode);
        }).length;
        observed.set(i, { kind: 'stateShare', matching, of: group.length });
      });
    }
  });

  const end = s.end;
  return {
    end,
    finish: () => {
      for (const p of world.homes) p.finish(end);
      const run: PlayedRun = {
        plan,
        world,
        end,
        instructed: { at: plan.steps.authorityInstruction, meters: instructed },
        atSwitch,
        changedAt,
        srpNonCreditCommands: world.srpCommands.notCredit,
        srpCommands: world.srpCommands.sent,
        wanCut: world.wanCut,
      };
      return { run, answers, observed };
    },
  };
}

const CREDIT: ServiceRequestBody = { kind: 'updatePaymentMode', updatePaymentMode: { kind: 'credit', credit: {} } };

/** The meter of premises `index` (its gas meter with `gas`), if the estate has it. */
function meterAt(world: SolrWorld, index: number, gas: boolean): MeterRef | undefined {
  const home = world.homes[index];
  const slot = home?.meters.find((x) => (x.fuel === 'gas') === gas);
  return slot === undefined ? undefined : world.meter(slot.snapshot.context.id);
}

/** A request body of the file as the bus carries it. */
function bodyOf(b: RequestBody): ServiceRequestBody {
  switch (b.kind) {
    case 'updatePaymentMode':
      if (b.mode === 'credit')
        return {
          kind: 'updatePaymentMode',
          updatePaymentMode: { kind: 'credit', credit: {}, ...(b.executionAt === null ? {} : { executionDateTime: b.executionAt }) },
        };
      return {
        kind: 'updatePaymentMode',
        updatePaymentMode: {
          kind: 'prepayment',
          prepayment: {
            suspendDebtDisabled: b.suspendDebtDisabled,
            suspendDebtEmergency: b.suspendDebtEmergency,
            disablementThreshold: b.disablementThreshold,
          },
          ...(b.executionAt === null ? {} : { executionDateTime: b.executionAt }),
        },
      };
    case 'topUpDevice':
      return { kind: 'topUpDevice', topUpDevice: { utrn: b.utrn.kind === 'literal' ? b.utrn.utrn : '00000000000000000000' } };
    case 'opaque':
      return { kind: 'opaque', opaque: Uint8Array.from(Buffer.from(b.hex, 'hex')) };
    case 'readInstantaneousPrepayValues':
      return { kind: b.kind, readInstantaneousPrepayValues: {} };
    case 'readMeterBalance':
      return { kind: b.kind, readMeterBalance: {} };
    case 'enableSupply':
      return { kind: b.kind, enableSupply: {} };
    case 'disableSupply':
      return { kind: b.kind, disableSupply: {} };
    case 'armSupply':
      return { kind: b.kind, armSupply: {} };
    case 'readSupplyStatus':
      return { kind: b.kind, readSupplyStatus: {} };
  }
}
