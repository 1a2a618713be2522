import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DAY_MS } from '../../core/time/duration.ts';
import { LIBRARY } from '../../scenarios/library/index.ts';
import { FAILED_SUPPLIER, SOLR, SRP_ID } from '../../scenarios/runner/solr-world.ts';
import { rehearsalWorld, type RehearsalWorld } from '../../rehearsal/rehearsal-world.ts';

const SMALL_SOLR = fileURLToPath(new URL('../../scenarios/examples/small-solr.yaml', import.meta.url));

async function built(o: Parameters<typeof rehearsalWorld>[0]): Promise<RehearsalWorld> {
  const r = await rehearsalWorld(o);
  if (!r.ok) throw new Error(JSON.stringify(r.error));
  return r.value;
}

/** Requests the DSP's ledger holds from `sender`. */
const requestsFrom = (rw: RehearsalWorld, sender: string): number =>
  rw.world.dsp.ledger.entries().filter((e) => e.key.sender === sender).length;

describe('the rehearsal world: the world a run builds, with --external parties the twin does not play', () => {
  it('stages a library scenario on its clock: the regulatory steps happen at their instants when the clock runs', async () => {
    const rw = await built({ scenario: 'solr-disorderly-exit', premises: 30, days: 4 });
    const { world, plan } = rw;
    const licence = plan.steps.licenceRevoked;
    // Nothing has run yet: the steps happen when the clock gets there.
    expect(world.registry.licenceRevoked(FAILED_SUPPLIER, licence)).toBe(false);
    expect(world.dsp.sat.records().filter((r) => r.kind === 'admin' && r.detail.startsWith('licence revoked'))).toHaveLength(0);
    world.clock.runUntil(plan.fleet.start + 4 * DAY_MS);
    expect(world.registry.licenceRevoked(FAILED_SUPPLIER, licence)).toBe(true);
    const revoked = world.dsp.sat.records().find((r) => r.kind === 'admin' && r.detail.startsWith('licence revoked'));
    expect(revoked?.at).toBe(licence);
    expect(world.srpCommands.sent).toBeGreaterThan(0);
    expect(requestsFrom(rw, SRP_ID)).toBeGreaterThan(0);
  });

  it("--external srp: the SRP's batch switch to Credit is not sent by the twin; the Authority's and SECAS's steps still happen", async () => {
    const rw = await built({ scenario: 'solr-disorderly-exit', premises: 30, days: 5, external: ['srp'] });
    expect(rw.external.map((p) => p.id)).toEqual([SRP_ID]);
    rw.world.clock.runUntil(rw.plan.fleet.start + 5 * DAY_MS);
    expect(rw.world.srpCommands.sent).toBe(0);
    expect(requestsFrom(rw, SRP_ID)).toBe(0);
    expect(rw.world.firstSent.size).toBe(0);
    const admin = rw.world.dsp.sat
      .records()
      .filter((r) => r.kind === 'admin')
      .map((r) => r.detail);
    expect(admin.some((d) => d.startsWith('Authority instruction AUTHORITY-1'))).toBe(true);
    expect(admin.some((d) => d.startsWith('ADT file for role SoLRContingency'))).toBe(true);
    expect(admin.some((d) => d.startsWith('SoLR 90-B3-D5-1F-30-03-00-00 appointed'))).toBe(true);
  });

  it("a scenario file: --external srp drops the SRP's batch and its scripted service request, and nothing else", async () => {
    const mine = await built({ scenario: SMALL_SOLR, premises: 20, days: 6 });
    const theirs = await built({ scenario: SMALL_SOLR, premises: 20, days: 6, external: ['srp'] });
    for (const rw of [mine, theirs]) rw.world.clock.runUntil(rw.plan.fleet.start + 6 * DAY_MS);
    const codes = (rw: RehearsalWorld): string[] =>
      rw.world.dsp.ledger
        .entries()
        .filter((e) => e.key.sender === SRP_ID && e.state === 'settled')
        .map((e) => (e.state === 'settled' && e.outcome.kind !== 'quarantined' ? e.outcome.code : 'X9'));
    // The file's SRP asks for Prepayment at +4d and is refused X5 (MP134B req 5) — when the twin plays it.
    expect(codes(mine)).toContain('X5');
    expect(codes(theirs)).toEqual([]);
    expect(mine.world.srpCommands.sent).toBeGreaterThan(0);
    expect(theirs.world.srpCommands.sent).toBe(0);
    // The SoLR is still played by the twin in both: the same Change of Supplier, the same admin trail.
    const admin = (rw: RehearsalWorld): string[] =>
      rw.world.dsp.sat
        .records()
        .filter((r) => r.kind === 'admin')
        .map((r) => `${r.at} ${r.detail}`);
    expect(admin(theirs)).toEqual(admin(mine));
  });

  it('names parties by alias, by a file party id or by EUI-64, and hands out the twin’s credentials for them', async () => {
    const rw = await built({ scenario: SMALL_SOLR, premises: 5, days: 6, external: ['big', '90-b3-d5-1f-30-05-00-00'] });
    expect(rw.external.map((p) => p.id)).toEqual([SOLR, SRP_ID]);
    expect(rw.party('small')?.id).toBe(FAILED_SUPPLIER);
    expect(rw.party('dno')?.name).toBe('Network operator');
    const srp = rw.credentialsFor('srp');
    expect(srp?.xml.certificate.subject).toBe(SRP_ID);
    expect(srp?.xml.certificate.keyUsage).toBe('xmlSigning');
    // The SRP signs Pre-Commands with the failed supplier's key, held as agent. // MP134B req 2
    expect(srp?.signing?.certificate.subject).toBe(FAILED_SUPPLIER);
    expect(rw.credentialsFor('solr')?.signing?.certificate.subject).toBe(SOLR);
    expect(rw.credentialsFor('dno')?.signing).toBeUndefined();
    expect(rw.credentialsFor('nobody')).toBeUndefined();
  });

  it('without the SoLR Contingency role the SRP acts as the failed supplier: --external srp names that User', async () => {
    const rw = await built({ scenario: 'solr-disorderly-exit', premises: 10, days: 3, policy: 'none', external: ['srp'] });
    expect(rw.plan.srpActsAs).toBe('failed-supplier');
    expect(rw.external.map((p) => p.id)).toEqual([FAILED_SUPPLIER]);
    expect(rw.external[0]?.name).toMatch(/acting as it/);
  });

  it('mistakes are field errors: an unknown scenario, party or policy', async () => {
    expect(await rehearsalWorld({ scenario: 'no-such-scenario' })).toMatchObject({
      ok: false,
      error: [{ path: 'scenario', code: 'unknown-kind' }],
    });
    expect(await rehearsalWorld({ scenario: 'solr-disorderly-exit', premises: 5, external: ['srp', 'mars'] })).toMatchObject({
      ok: false,
      error: [{ path: 'external[1]', code: 'unknown-kind', got: '"mars"' }],
    });
    expect(await rehearsalWorld({ scenario: 'solr-disorderly-exit', policy: 'mp999' as 'none' })).toMatchObject({
      ok: false,
      error: [{ path: 'policy' }],
    });
    expect(await rehearsalWorld({ scenario: '/nonexistent/file.yaml' })).toMatchObject({ ok: false });
  });

  it('can stage every library scenario', async () => {
    for (const name of LIBRARY.keys()) {
      const r = await rehearsalWorld({ scenario: name, premises: 20, days: 3 });
      expect(r.ok, name).toBe(true);
      if (r.ok) expect(r.value.world.homes.length, name).toBe(20);
    }
  });
});
