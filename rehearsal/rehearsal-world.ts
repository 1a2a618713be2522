import { fieldError, type FieldError } from '../core/errors.ts';
import { toEui64, type Eui64 } from '../core/ids.ts';
import { err, ok, type Result } from '../core/result.ts';
import { DAY_MS, type Instant } from '../core/time/duration.ts';
import { LIBRARY } from '../scenarios/library/index.ts';
import { planOf, stageScenario } from '../scenarios/runner/play-scenario.ts';
import { solrWorldOf, stageSolr } from '../scenarios/runner/play-solr.ts';
import type { SolrPlan } from '../scenarios/runner/solr-plan.ts';
import { FAILED_SUPPLIER, SOLR, SRP_ID, type PartyCredentials, type SolrWorld } from '../scenarios/runner/solr-world.ts';
import { defaultLevers } from '../scenarios/schema/policy-plan.ts';
import { loadScenarioFile } from '../scenarios/schema/load.ts';
import { POLICY_NAMES, type PolicyName, type Scenario } from '../scenarios/schema/scenario.ts';

/**
 * The world a rehearsal serves: the same `SolrWorld` a `run` builds for the
 * scenario — a library scenario's plan and script through `stageSolr`, a
 * scenario file through `planOf` and `stageScenario` — with its timeline
 * staged on the world's clock, so the regulatory steps happen at their
 * virtual instants once something drives the clock.
 */

/** Which scenario, sized and seeded as on the command line. */
export interface RehearsalChoice {
  /** A library scenario's name or a scenario file's path. */
  readonly scenario: string;
  readonly seed?: string;
  readonly premises?: number;
  readonly days?: number;
  /** One policy: a live world has one. Default the scenario's (the first of a library scenario's defaults). */
  readonly policy?: PolicyName;
  /** Parties an outside system plays: `failed`, `srp`, `solr`, a scenario file's party id, or a User's EUI-64. */
  readonly external?: readonly string[];
}

/** A DCC User of the rehearsal. */
export interface RehearsalParty {
  readonly id: Eui64;
  readonly name: string;
  /** Names it can be called by on the command line and in the admin API (`srp`, a file's party id), besides its EUI-64. */
  readonly aliases: readonly string[];
}

export interface RehearsalWorld {
  readonly name: string;
  readonly description: string;
  readonly policy: string;
  readonly plan: SolrPlan;
  readonly world: SolrWorld;
  /** The scenario's end: its timeline has no event after it (the world runs on regardless). */
  readonly end: Instant;
  readonly parties: readonly RehearsalParty[];
  /** The Users an outside system plays (the twin sends none of their scripted requests). */
  readonly external: readonly RehearsalParty[];
  /** The party `name` (alias or EUI-64) stands for, if any. */
  party(name: string): RehearsalParty | undefined;
  /** The twin's credentials of a party (alias or EUI-64): what an outside system playing it signs with. */
  credentialsFor(party: string): PartyCredentials | undefined;
}

/** Builds and stages the world; a mistake in the choice (an unknown scenario, party or policy, a bad file) is a list of field errors. */
export async function rehearsalWorld(c: RehearsalChoice): Promise<Result<RehearsalWorld, readonly FieldError[]>> {
  if (c.policy !== undefined && !(POLICY_NAMES as readonly string[]).includes(c.policy)) {
    return err([fieldError('policy', 'unknown-kind', `one of ${POLICY_NAMES.join(', ')}`, c.policy)]);
  }
  const library = LIBRARY.get(c.scenario);
  if (library !== undefined) {
    const { plan, script } = library.stage({
      ...(c.premises === undefined ? {} : { premises: c.premises }),
      ...(c.days === undefined ? {} : { days: c.days }),
      ...(c.seed === undefined ? {} : { seed: c.seed }),
      policy: c.policy ?? library.defaultPolicies[0] ?? 'mp134b',
    });
    const parties = threeParties(plan, { failed: 'Failed supplier', srp: 'Shared Resource Provider', solr: 'Supplier of Last Resort' });
    const external = resolveExternal(c.external ?? [], parties);
    if (!external.ok) return external;
    const world = solrWorldOf(plan, { external: external.value.map((p) => p.id) });
    const staged = stageSolr(plan, world, script);
    return ok(made(library.name, library.description, plan, world, staged.end, parties, external.value));
  }
  if (!/\.(ya?ml|json|m?ts|m?js)$/.test(c.scenario)) {
    return err([
      fieldError('scenario', 'unknown-kind', `a library scenario (${[...LIBRARY.keys()].join(', ')}) or a scenario file`, c.scenario),
    ]);
  }
  const loaded = await loadScenarioFile(c.scenario);
  if (!loaded.ok) return loaded;
  const s = sized(loaded.value, c);
  const planned = planOf(s);
  if (!planned.ok) return planned;
  const plan = planned.value;
  const p = s.parties;
  const parties = threeParties(plan, { failed: p.failedSupplier.name, srp: p.srp.name, solr: p.solr.name }, s);
  for (const o of [...p.suppliers, ...p.users]) parties.push({ id: o.eui64, name: o.name, aliases: [o.id] });
  const external = resolveExternal(c.external ?? [], parties);
  if (!external.ok) return external;
  const world = solrWorldOf(plan, { external: external.value.map((x) => x.id) });
  const staged = stageScenario(s, plan, world);
  return ok(made(s.name, s.description, plan, world, staged.end, parties, external.value));
}

/** The scenario with the command line's seed, size, length and policy. As `run` does for a file. */
function sized(base: Scenario, c: RehearsalChoice): Scenario {
  const days = c.days ?? base.days;
  const end = base.start + days * DAY_MS;
  return {
    ...base,
    ...(c.seed === undefined ? {} : { seed: c.seed }),
    ...(c.policy === undefined || c.policy === base.policy.name ? {} : { policy: { name: c.policy, levers: defaultLevers(c.policy) } }),
    days,
    end,
    estate: { ...base.estate, premises: c.premises ?? base.estate.premises },
    timeline: base.timeline.filter((e) => e.at < end),
    assertions: base.assertions.filter((a) => !('at' in a) || a.at < end),
  };
}

/**
 * The world's three parties. Without the SoLR Contingency role the SRP acts
 * as the failed supplier, with its identity: `srp` then names that User.
 */
function threeParties(plan: SolrPlan, names: { failed: string; srp: string; solr: string }, s?: Scenario): RehearsalParty[] {
  const ids = s === undefined ? null : s.parties;
  const also = (alias: string, id: string | undefined): string[] => (id === undefined || id === alias ? [alias] : [alias, id]);
  const failed: RehearsalParty = { id: FAILED_SUPPLIER, name: names.failed, aliases: also('failed', ids?.failedSupplier.id) };
  const solr: RehearsalParty = { id: SOLR, name: names.solr, aliases: also('solr', ids?.solr.id) };
  const srpAliases = also('srp', ids?.srp.id);
  if (plan.srpActsAs === 'solr-contingency') return [failed, { id: SRP_ID, name: names.srp, aliases: srpAliases }, solr];
  return [{ ...failed, name: `${names.failed} (and its SRP, acting as it)`, aliases: [...failed.aliases, ...srpAliases] }, solr];
}

function findParty(parties: readonly RehearsalParty[], name: string): RehearsalParty | undefined {
  const byAlias = parties.find((p) => p.aliases.includes(name));
  if (byAlias !== undefined) return byAlias;
  const eui = toEui64(name, 'party');
  return eui.ok ? parties.find((p) => p.id === eui.value) : undefined;
}

function resolveExternal(names: readonly string[], parties: readonly RehearsalParty[]): Result<RehearsalParty[], readonly FieldError[]> {
  const out: RehearsalParty[] = [];
  const errors: FieldError[] = [];
  const known = [...new Set(parties.flatMap((p) => p.aliases))].join(', ');
  names.forEach((n, i) => {
    const p = findParty(parties, n);
    if (p === undefined) errors.push(fieldError(`external[${i}]`, 'unknown-kind', `a party of the scenario (${known}) or its EUI-64`, n));
    else if (!out.includes(p)) out.push(p);
  });
  return errors.length > 0 ? err(errors) : ok(out);
}

function made(
  name: string,
  description: string,
  plan: SolrPlan,
  world: SolrWorld,
  end: Instant,
  parties: readonly RehearsalParty[],
  external: readonly RehearsalParty[],
): RehearsalWorld {
  // Every other User of the registry (none in a library scenario) by its registered name.
  const all = [...parties];
  for (const u of world.registry.allUsers()) if (!all.some((p) => p.id === u.id)) all.push({ id: u.id, name: u.name, aliases: [] });
  return {
    name,
    description,
    policy: plan.policy,
    plan,
    world,
    end,
    parties: all,
    external,
    party: (n) => findParty(all, n),
    credentialsFor: (n) => {
      const p = findParty(all, n);
      return p === undefined ? undefined : world.credentials.get(p.id);
    },
  };
}
