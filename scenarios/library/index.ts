import { DAY_MS } from '../../core/time/duration.ts';
import type { Report, AssertionResult, PolicyResult } from '../report/report-model.ts';
import { buildReport as report } from '../runner/build-report.ts';
import { playSolr, type PlayedRun, type Script } from '../runner/play-solr.ts';
import { busWords, playSolrOnBus, type BusChoice } from '../runner/bus-run.ts';
import type { SolrPlan } from '../runner/solr-plan.ts';
import { policyResult } from '../runner/policy-result.ts';
import type { PolicyName } from '../schema/scenario.ts';
import * as flagship from './solr-disorderly-exit.ts';
import * as escalation from './srp-role-escalation.ts';
import { cutoverAssertions, cutoverScript, gasAssertions, wanAssertions, type Cutover } from './gas-and-cutover.ts';

/**
 * The scenarios a user runs by name. Each plays one estate under one or more
 * policies from one seed and checks its assertions.
 */

/** How a library scenario is sized and seeded from the command line. */
export interface LibraryRunOptions {
  readonly premises?: number;
  readonly days?: number;
  readonly seed?: string;
  readonly policies?: readonly PolicyName[];
  /** Hears progress: policy i of n, day k of N. */
  readonly onProgress?: (policy: string, day: number, days: number) => void;
  /** Where the DSP, the Users and the comms hubs talk: in process (default), or a bus. */
  readonly bus?: BusChoice;
  /** Reads the wall clock, for the report's one wall-clock figure (the runner itself never does). */
  readonly wallClock?: () => number;
}

export interface LibraryScenario {
  readonly name: string;
  readonly description: string;
  readonly defaultPolicies: readonly PolicyName[];
  run(o: LibraryRunOptions): Promise<Report>;
  /**
   * Its plan under one policy and the script it plays beside the timeline, for
   * a caller that drives the world's clock itself (`serve`). The script's
   * findings are not checked: assertions belong to `run`.
   */
  stage(o: LibraryStageOptions): { readonly plan: SolrPlan; readonly script?: Script };
}

/** How a library scenario is sized and seeded for one policy. */
export interface LibraryStageOptions {
  readonly premises?: number;
  readonly days?: number;
  readonly seed?: string;
  readonly policy: PolicyName;
}

/** The flagship's plans for `policies`, shaped by a scenario and sized by the caller. */
function plansOf(
  shape: Omit<flagship.FlagshipOptions, 'policies' | 'seed'>,
  o: { readonly premises?: number; readonly days?: number; readonly seed?: string },
  policies: readonly PolicyName[],
): SolrPlan[] {
  return flagship.flagshipPlans({
    ...shape,
    ...(o.premises === undefined ? {} : { premises: o.premises }),
    ...(o.days === undefined ? {} : { days: o.days }),
    ...(o.seed === undefined ? {} : { seed: o.seed }),
    policies,
  });
}

/** The one plan of `policy`. */
function planOf(shape: Omit<flagship.FlagshipOptions, 'policies' | 'seed'>, o: LibraryStageOptions, name: string): SolrPlan {
  const [plan] = plansOf(shape, o, [o.policy]);
  if (plan === undefined) throw new RangeError(`${name}: no plan`);
  return plan;
}

/** A supplier failure from the flagship's timeline, sized and shaped by `shape`, checked by `check`. */
interface FailureVariant {
  readonly name: string;
  readonly description: string;
  readonly defaultPolicies: readonly PolicyName[];
  readonly shape: Omit<flagship.FlagshipOptions, 'policies' | 'seed'>;
  /** The assertions on each played policy. */
  readonly check: (run: PlayedRun) => AssertionResult[];
}

function failureScenario(v: FailureVariant): LibraryScenario {
  return {
    name: v.name,
    description: v.description,
    defaultPolicies: v.defaultPolicies,
    stage: (o) => ({ plan: planOf(v.shape, o, v.name) }),
    async run(o) {
      const started = o.wallClock?.() ?? 0;
      const plans = plansOf(v.shape, o, o.policies ?? v.defaultPolicies);
      const policies: PolicyResult[] = [];
      const assertions: AssertionResult[] = [];
      for (const plan of plans) {
        const played = await play(o.bus, plan, (day, days) => o.onProgress?.(plan.policy, day, days));
        policies.push(policyResult(played));
        assertions.push(...v.check(played));
      }
      const first = plans[0];
      if (first === undefined) throw new RangeError(`${v.name}: no policy to run`);
      return report(
        v.name,
        v.description,
        first,
        policies,
        assertions,
        o.wallClock === undefined ? 0 : o.wallClock() - started,
        {},
        busWords(o.bus),
      );
    },
  };
}

/** The flagship's promises are MP134B's: under the other policies the run is there to compare against. */
const mp134bOnly = (run: PlayedRun): AssertionResult[] => (run.plan.policy === 'mp134b' ? flagship.flagshipAssertions(run) : []);

const solrDisorderlyExit = failureScenario({
  name: flagship.NAME,
  description: flagship.DESCRIPTION,
  defaultPolicies: ['mp134b'],
  shape: {},
  check: mp134bOnly,
});

const policyComparison = failureScenario({
  name: 'policy-comparison',
  description:
    'The same failure and estate under no modification, MP134A, MP134A + MP185 and MP134B, with an SRP slow enough that the SoLR is appointed before it is done.',
  defaultPolicies: ['none', 'mp134a', 'mp134a+mp185', 'mp134b'],
  // The SRP takes about 65 h over the prepayment meters — past the SoLR appointment, 43 h after it starts.
  shape: { premises: 2000, srpHours: 65 },
  check: (run) => {
    const p = run.plan.policy;
    if (p === 'mp134b') return flagship.flagshipAssertions(run).slice(1);
    return [];
  },
});

const smets1Estate = failureScenario({
  name: 'smets1-estate',
  description:
    'The flagship rescue on an estate of SMETS1 electricity meters: the SRP sends Service Requests the S1SP carries out, with no Pre-Command.',
  defaultPolicies: ['mp134b'],
  shape: { premises: 5000, smets1Share: 1 },
  check: mp134bOnly,
});

const srpRoleEscalation: LibraryScenario = {
  name: escalation.NAME,
  description: escalation.DESCRIPTION,
  defaultPolicies: ['mp134b'],
  stage(o) {
    const plan = escalationPlan(o);
    return { plan, script: escalation.escalationScript(plan.fleet.start, [], { count: 0 }) };
  },
  async run(o) {
    const started = o.wallClock?.() ?? 0;
    const plan = escalationPlan({ ...o, policy: 'mp134b' });
    const attempts: escalation.Attempt[] = [];
    const leaked = { count: 0 };
    const played = await play(
      o.bus,
      plan,
      (day, days) => o.onProgress?.(plan.policy, day, days),
      escalation.escalationScript(plan.fleet.start, attempts, leaked),
    );
    const assertions = escalation.escalationAssertions(attempts, plan.policy, leaked.count);
    return report(
      escalation.NAME,
      escalation.DESCRIPTION,
      plan,
      [policyResult(played)],
      assertions,
      o.wallClock === undefined ? 0 : o.wallClock() - started,
      {},
      busWords(o.bus),
    );
  },
};

/** The escalation's estate: small, three weeks, with a ten-day SRP window so that its end falls inside the run. // MP185 §3 */
function escalationPlan(o: LibraryStageOptions): SolrPlan {
  const base = planOf({ premises: 200, days: 21 }, o, escalation.NAME);
  return { ...base, srpWindowMs: 10 * DAY_MS };
}

const gasSleepyMeters = failureScenario({
  name: 'gas-sleepy-meters',
  description: 'The rescue seen from the gas meters: SR 1.6 to a GSME waits in the comms hub for its next wake; time to safe mode for gas.',
  defaultPolicies: ['mp134b'],
  shape: { premises: 5000 },
  check: (run) => [...mp134bOnly(run), ...gasAssertions(run)],
});

const wanOutageDuringSolr = failureScenario({
  name: 'wan-outage-during-solr',
  description:
    'A fifth of the comms hubs lose their WAN for twelve hours just as the SRP starts: the DSP answers E20, the SRP tries again hourly; who stays off supply, and for how long.',
  defaultPolicies: ['mp134b'],
  shape: { premises: 5000, wanOutage: { share: 0.2, hours: 12 } },
  check: (run) => [...mp134bOnly(run).slice(1), ...wanAssertions(run)],
});

const CUTOVER_SHAPE = { premises: 200, days: 14 };

const changeOfSupplierCutover: LibraryScenario = {
  name: 'change-of-supplier-cutover',
  description:
    "After change of supplier the SoLR's credentials work at the device and the failed supplier's are refused, by the DSP and by the device.",
  defaultPolicies: ['mp134b'],
  stage(o) {
    const plan = planOf(CUTOVER_SHAPE, o, 'change-of-supplier-cutover');
    const found: Cutover = { failedRefusedByDsp: null, failedRefusedByDevice: null, solrAnswer: null, solrDeviceOutcome: null };
    return { plan, script: cutoverScript(plan.fleet.start, found) };
  },
  async run(o) {
    const started = o.wallClock?.() ?? 0;
    const plan = planOf(CUTOVER_SHAPE, { ...o, policy: 'mp134b' }, 'change-of-supplier-cutover');
    const found: Cutover = { failedRefusedByDsp: null, failedRefusedByDevice: null, solrAnswer: null, solrDeviceOutcome: null };
    const played = await play(o.bus, plan, (day, days) => o.onProgress?.(plan.policy, day, days), cutoverScript(plan.fleet.start, found));
    const name = 'change-of-supplier-cutover';
    return report(
      name,
      this.description,
      plan,
      [policyResult(played)],
      cutoverAssertions(found, plan.policy),
      o.wallClock === undefined ? 0 : o.wallClock() - started,
      {},
      busWords(o.bus),
    );
  },
};

/** Plays a plan in process, or on the chosen bus. */
function play(bus: BusChoice | undefined, plan: SolrPlan, onDay: (day: number, days: number) => void, script?: Script): Promise<PlayedRun> {
  return bus === undefined ? Promise.resolve(playSolr(plan, onDay, script)) : playSolrOnBus(plan, bus, onDay, script);
}

/** Library scenarios by name, in the order `list` shows them. */
const ALL: readonly LibraryScenario[] = [
  solrDisorderlyExit,
  policyComparison,
  srpRoleEscalation,
  wanOutageDuringSolr,
  gasSleepyMeters,
  smets1Estate,
  changeOfSupplierCutover,
];

/** Every library scenario, by name. */
export const LIBRARY: ReadonlyMap<string, LibraryScenario> = new Map(ALL.map((s) => [s.name, s]));
