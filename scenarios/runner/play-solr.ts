import { DAY_MS, HOUR_MS, type Instant } from '../../core/time/duration.ts';
import type { ServiceRequestBody } from '../../proto/types.ts';
import type { SolrPlan } from './solr-plan.ts';
import { FAILED_SUPPLIER, SOLR, SOLR_MPID, SRP_ID, SolrWorld, type MeterRef, type SolrWorldOptions } from './solr-world.ts';

/**
 * Plays a supplier failure on its world: every step of the plan is an event
 * on the virtual clock, and the run goes day by day to the end.
 * // DOMAIN §7.2
 */

/** What a played run leaves for the report. */
export interface PlayedRun {
  readonly plan: SolrPlan;
  readonly world: SolrWorld;
  readonly end: Instant;
  /** The meters the SRP was to switch to Credit (prepayment when it started), and when the Authority instructed. */
  readonly instructed: { readonly at: Instant | null; readonly meters: readonly MeterRef[] };
  /** Supply state of every meter when the SRP started: who was already off, and why. */
  readonly atSwitch: ReadonlyMap<string, { readonly supply: string; readonly cause: string | null }>;
  /** When each meter changed supplier. */
  readonly changedAt: ReadonlyMap<string, Instant>;
  /** SR 1.6 commands the SRP's requests put on the WAN that were not a change to Credit. // MP134B req 5 */
  readonly srpNonCreditCommands: number;
  readonly srpCommands: number;
  /** Comms hubs that lost their WAN. */
  readonly wanCut: ReadonlySet<string>;
}

const CREDIT: ServiceRequestBody = { kind: 'updatePaymentMode', updatePaymentMode: { kind: 'credit', credit: {} } };

/** Extra steps a scenario adds to the plan's: it gets the world and schedules on its clock. */
export type Script = (world: SolrWorld, at: (t: Instant, step: () => void) => void) => void;

/** Plays the plan in process: the DSP and the meters call each other directly. */
export function playSolr(plan: SolrPlan, onDay?: (day: number, days: number) => void, script?: Script): PlayedRun {
  const world = solrWorldOf(plan);
  const staged = stageSolr(plan, world, script);
  const days = plan.fleet.days;
  for (let day = 1; day <= days; day++) {
    world.clock.runUntil(Math.min(staged.end, plan.fleet.start + day * DAY_MS));
    onDay?.(day, days);
  }
  return staged.finish();
}

/** The world a plan runs on; `extra` names the Users an outside system plays, if any. */
export function solrWorldOf(plan: SolrPlan, extra: Pick<SolrWorldOptions, 'external' | 'split'> = {}): SolrWorld {
  return new SolrWorld({
    ...extra,
    fleet: plan.fleet,
    smets1Share: plan.smets1Share,
    dsp: plan.dsp,
    srpActsAs: plan.srpActsAs,
    srpWindowMs: plan.srpWindowMs,
    ...(plan.others === undefined ? {} : { others: plan.others }),
    ...(plan.cspRegions === undefined ? {} : { cspRegions: plan.cspRegions }),
  });
}

/**
 * Starts the world and schedules every step of the plan (and the script's)
 * on its clock; whoever drives the clock to `end` then calls `finish`.
 */
export function stageSolr(plan: SolrPlan, world: SolrWorld, script?: Script): { readonly end: Instant; finish(): PlayedRun } {
  const clock = world.clock;
  const admin = world.dsp.admin;
  const s = plan.steps;
  const at = (t: Instant, f: () => void): void => void clock.schedule(Math.max(t, clock.now()), f);
  const instructedMeters: MeterRef[] = [];
  const atSwitch = new Map<string, { supply: string; cause: string | null }>();

  world.begin();
  at(s.vendingStops, () => world.stopFailedVending(clock.now()));
  at(s.failedListed, () => {
    admin.setFailedSupplier(FAILED_SUPPLIER, true, clock.now());
    if (plan.srpActsAs === 'solr-contingency') admin.appointSrp(SRP_ID, FAILED_SUPPLIER, clock.now());
  });
  at(s.licenceRevoked, () =>
    admin.revokeLicence(
      FAILED_SUPPLIER,
      clock.now(),
      s.revocationDelayedUntil === null ? {} : { delayRevocationUntil: s.revocationDelayedUntil },
    ),
  );
  const instruction = s.authorityInstruction;
  if (instruction !== null && plan.srpActsAs === 'solr-contingency')
    at(instruction, () => admin.instruct('AUTHORITY-1', FAILED_SUPPLIER, SRP_ID, clock.now()));
  const adt = s.adtUpload;
  if (adt !== null && plan.srpActsAs === 'solr-contingency') {
    at(adt.at, () =>
      admin.uploadAdt(
        { user: SRP_ID, role: 'SoLRContingency', thresholds: [{ srv: '1.6', limit: adt.limitPerDay, periodMs: DAY_MS }] },
        clock.now(),
      ),
    );
  }
  const sw = s.srpSwitch;
  if (sw !== null) {
    at(sw.start, () => {
      // The SRP works through the failed supplier's prepayment meters, a fixed number an hour.
      const gap = HOUR_MS / sw.perHour;
      let k = 0;
      for (const e of world.estate) {
        const m = world.meter(e.id);
        const c = m?.slot.snapshot.context;
        if (c !== undefined) atSwitch.set(e.id, { supply: c.supply, cause: c.cause });
        // In process the SRP sees each meter's mode; a sharded world's SRP works from the failed supplier's records
        // (the mode at the start), the same on every shard whatever it built.
        const mode = world.split ? world.startMode.get(e.id) : c?.mode;
        if (mode !== 'Prepayment') continue;
        if (m !== undefined) instructedMeters.push(m);
        const when = sw.start + Math.floor(k++ * gap);
        if (m === undefined && !world.dspHere) continue;
        const user = e.fuel === 'gas' ? world.srpGas : world.srp;
        at(when, () => world.criticalRetrying(user, e, '1.6', CREDIT, s.srpRetryMs ?? HOUR_MS));
      }
    });
  }
  at(s.solrAppointed, () =>
    admin.appointSolr(
      FAILED_SUPPLIER,
      SOLR,
      clock.now(),
      s.transferDelayedUntil === null ? {} : { delayTransferUntil: s.transferDelayedUntil },
    ),
  );
  const cos = s.changeOfSupplier;
  if (cos !== null) world.spreadChangeOfSupplier(world.estate, cos.start, cos.spreadDays * DAY_MS, SOLR, SOLR_MPID);

  const outage = s.wanOutage;
  if (outage !== undefined) world.cutWan(`${plan.fleet.seed}:wan-outage`, outage.share, outage.start, outage.end);
  script?.(world, at);
  const end = plan.fleet.start + plan.fleet.days * DAY_MS;
  return {
    end,
    finish: () => {
      for (const p of world.homes) p.finish(end);
      return {
        plan,
        world,
        end,
        instructed: { at: instruction, meters: instructedMeters },
        atSwitch,
        changedAt: world.changedAt,
        srpNonCreditCommands: world.srpCommands.notCredit,
        srpCommands: world.srpCommands.sent,
        wanCut: world.wanCut,
      };
    },
  };
}
