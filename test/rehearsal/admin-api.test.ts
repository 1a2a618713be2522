import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HOUR_MS, MINUTE_MS } from '../../core/time/duration.ts';
import { formatInstant } from '../../core/time/uk-time.ts';
import { startRehearsal, type Rehearsal } from '../../rehearsal/rehearsal.ts';
import { FAILED_SUPPLIER, SOLR, SRP_ID } from '../../scenarios/runner/solr-world.ts';
import { FakeWall } from './fake-wall.ts';

const SMALL_SOLR = fileURLToPath(new URL('../../scenarios/examples/small-solr.yaml', import.meta.url));

interface Answer {
  status: number;
  body: {
    error?: { code: string; path: string; expected: string; got: string };
    errors?: { code: string; path: string }[];
    at?: string;
    audit?: { kind: string; sender: string; detail: string; at: string }[];
    [k: string]: unknown;
  };
}

/**
 * The admin API over HTTP on a rehearsal whose wall clock the test moves: each
 * action applies at the paced instant and answers with the audit records it
 * added to the DSP's Service Audit Trail.
 */
describe('the admin API: Authority, SMKI PMA, SECAS and ARO/SRO actions, validated, at the paced instant, audited', () => {
  let r: Rehearsal;
  const wall = new FakeWall();
  let start = 0;

  const api = async (method: string, path: string, body?: unknown): Promise<Answer> => {
    const res = await fetch(`${r.origin}${path}`, {
      method,
      ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
    });
    return { status: res.status, body: (await res.json()) as Answer['body'] };
  };
  /** The audit details a 200 answer carries. */
  const details = (a: Answer): string[] => (a.body.audit ?? []).map((x) => x.detail);

  beforeAll(async () => {
    const started = await startRehearsal({ scenario: SMALL_SOLR, premises: 8, speed: 1, wall, port: 0 });
    if (!started.ok) throw new Error(JSON.stringify(started.error));
    r = started.value;
    start = r.rw.plan.fleet.start;
  });
  afterAll(async () => {
    await r.stop();
  });

  it('applies each action at the paced instant: an hour of wall time at 1× later, the record is an hour on', async () => {
    wall.advance(HOUR_MS);
    const a = await api('POST', '/api/admin/failed-supplier-list', { supplier: 'small', listed: true });
    expect(a.status).toBe(200);
    expect(a.body.at).toBe(formatInstant(start + HOUR_MS));
    expect(a.body.audit).toEqual([
      expect.objectContaining({
        kind: 'admin',
        sender: FAILED_SUPPLIER,
        detail: 'added to the failed-supplier list',
        at: formatInstant(start + HOUR_MS),
      }),
    ]);
    expect(r.rw.world.registry.isFailed(FAILED_SUPPLIER, start + HOUR_MS)).toBe(true);
  });

  it('failed-supplier list: every mistake at once, each with its field path', async () => {
    const a = await api('POST', '/api/admin/failed-supplier-list', { supplier: 'mars', listed: 'yes', colour: 'red' });
    expect(a.status).toBe(400);
    expect(a.body.errors?.map((e) => `${e.path} ${e.code}`)).toEqual([
      'body.supplier unknown-kind',
      'body.listed type',
      'body.colour unknown-kind',
    ]);
    expect(a.body.error).toMatchObject({ path: 'body.supplier', got: '"mars"' });
    const notObject = await api('POST', '/api/admin/failed-supplier-list', [1, 2]);
    expect(notObject.status).toBe(400);
    expect(notObject.body.error).toMatchObject({ code: 'type', path: 'body', expected: 'a JSON object' });
    const missing = await api('POST', '/api/admin/failed-supplier-list', {});
    expect(missing.body.errors?.map((e) => `${e.path} ${e.code}`)).toEqual(['body.supplier required', 'body.listed required']);
  });

  it('Authority instruction: given, refused again under the same reference (409), withdrawn, and an unknown one is 404', async () => {
    const given = await api('POST', '/api/admin/authority-instructions', { reference: 'R-1', supplier: 'failed', srp: SRP_ID });
    expect(given.status).toBe(200);
    expect(details(given)).toEqual([`Authority instruction R-1: act for ${FAILED_SUPPLIER}`]);
    expect(given.body.audit?.[0]?.sender).toBe(SRP_ID);
    const again = await api('POST', '/api/admin/authority-instructions', { reference: 'R-1', supplier: 'failed', srp: 'srp' });
    expect(again.status).toBe(409);
    expect(again.body.error).toMatchObject({ code: 'conflict', path: 'body.reference' });
    const withdrawn = await api('DELETE', '/api/admin/authority-instructions/R-1');
    expect(withdrawn.status).toBe(200);
    expect(details(withdrawn)).toEqual(['Authority instruction R-1 withdrawn']);
    const unknown = await api('DELETE', '/api/admin/authority-instructions/R-404');
    expect(unknown.status).toBe(404);
    expect(unknown.body.error).toMatchObject({ code: 'not-found', path: 'path.reference' });
  });

  it('licence revocation, with the SMKI PMA delaying certificate revocation by minutes or to an instant (MP134A)', async () => {
    const bad = await api('POST', '/api/admin/licence-revocations', {
      supplier: 'failed',
      delayRevocationMinutes: 60,
      delayRevocationUntil: '2030-01-01T00:00:00Z',
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({ path: 'body.delayRevocationMinutes' });
    const past = await api('POST', '/api/admin/licence-revocations', { supplier: 'failed', delayRevocationUntil: '2026-01-01T00:00:00Z' });
    expect(past.body.error).toMatchObject({ code: 'range', path: 'body.delayRevocationUntil' });
    const negative = await api('POST', '/api/admin/licence-revocations', { supplier: 'failed', delayRevocationMinutes: -5 });
    expect(negative.body.error).toMatchObject({ code: 'range', path: 'body.delayRevocationMinutes' });
    const a = await api('POST', '/api/admin/licence-revocations', { supplier: 'failed', delayRevocationMinutes: 90 });
    expect(a.status).toBe(200);
    const at = Date.parse(a.body.at ?? '');
    expect(details(a)).toEqual([
      expect.stringMatching(
        new RegExp(`^licence revoked; certificates revoked at ${new Date(at + 90 * MINUTE_MS).toISOString()} \\(SMKI PMA delay, MP134A\\)`),
      ),
    ]);
    expect(r.rw.world.registry.licenceRevoked(FAILED_SUPPLIER, at)).toBe(true);
  });

  it('SoLR appointment, with the MPID transfer delayed (MP185); SRP appointment with an end', async () => {
    const until = formatInstant(start + 30 * 24 * HOUR_MS);
    const solr = await api('POST', '/api/admin/solr-appointments', { failed: 'failed', solr: 'big', delayTransferUntil: until });
    expect(solr.status).toBe(200);
    expect(details(solr)).toEqual([
      `SoLR ${SOLR} appointed; MPIDs FAIL move at ${new Date(start + 30 * 24 * HOUR_MS).toISOString()} (SMKI PMA delay, MP185)`,
    ]);
    expect(r.rw.world.registry.solrOf(FAILED_SUPPLIER)?.solr).toBe(SOLR);
    const srp = await api('POST', '/api/admin/srp-appointments', { srp: 'srp', supplier: 'failed', until });
    expect(srp.status).toBe(200);
    expect(details(srp)).toEqual([`SRP for ${FAILED_SUPPLIER} until ${new Date(start + 30 * 24 * HOUR_MS).toISOString()}`]);
    const badUntil = await api('POST', '/api/admin/srp-appointments', { srp: 'srp', supplier: 'failed', until: 'tomorrow' });
    expect(badUntil.body.error).toMatchObject({ code: 'format', path: 'body.until' });
  });

  it("ADT upload by a User's ARO or SRO: the body is the ADT file; its mistakes come back under body", async () => {
    const file = { user: SRP_ID, role: 'SoLRContingency', thresholds: [{ srv: '1.6', limit: 5000 }] };
    const noOfficer = await api('POST', '/api/admin/adt-uploads', file);
    expect(noOfficer.status).toBe(400);
    expect(noOfficer.body.error).toMatchObject({ code: 'required', path: 'query.uploadedBy' });
    const badFile = await api('POST', '/api/admin/adt-uploads?uploadedBy=ARO', { ...file, thresholds: [{ srv: '1.6', limit: -1 }] });
    expect(badFile.status).toBe(400);
    expect(badFile.body.error?.path).toBe('body.thresholds[0].limit');
    const a = await api('POST', '/api/admin/adt-uploads?uploadedBy=SRO', file);
    expect(a.status).toBe(200);
    expect(details(a)).toEqual(['ADT file for role SoLRContingency (uploaded by its SRO): 1.6≤5000']);
    expect(a.body.audit?.[0]?.sender).toBe(SRP_ID);
  });

  it("a User's Receive Response Service URL: set, shown, cleared, each audited; mistakes are 400 or 404", async () => {
    const set = await api('PUT', '/api/admin/users/srp/receive-url', { url: 'http://127.0.0.1:9/receive' });
    expect(set.status).toBe(200);
    expect(set.body.audit).toEqual([
      expect.objectContaining({ sender: SRP_ID, detail: 'Receive Response Service URL set to http://127.0.0.1:9/receive' }),
    ]);
    expect(r.delivery.urlOf(SRP_ID)).toBe('http://127.0.0.1:9/receive');
    const users = await api('GET', '/api/admin/users');
    expect(users.body['users']).toContainEqual(
      expect.objectContaining({ id: SRP_ID, aliases: ['srp'], receiveUrl: 'http://127.0.0.1:9/receive', external: false }),
    );
    const cleared = await api('PUT', `/api/admin/users/${SRP_ID}/receive-url`, { url: null });
    expect(details(cleared)).toEqual(['Receive Response Service URL cleared']);
    expect(r.delivery.urlOf(SRP_ID)).toBeNull();
    expect((await api('PUT', '/api/admin/users/srp/receive-url', { url: 'gopher://x' })).body.error).toMatchObject({
      code: 'format',
      path: 'body.url',
    });
    expect((await api('PUT', '/api/admin/users/srp/receive-url', {})).body.error).toMatchObject({ code: 'required', path: 'body.url' });
    const nobody = await api('PUT', '/api/admin/users/mars/receive-url', { url: 'http://127.0.0.1:9/' });
    expect(nobody.status).toBe(404);
    expect(nobody.body.error).toMatchObject({ code: 'not-found', path: 'path.user' });
  });

  it("a User's status: suspended by the DCC, audited", async () => {
    const a = await api('POST', '/api/admin/users/dno/status', { status: 'suspended' });
    expect(a.status).toBe(200);
    expect(details(a)).toEqual(['User suspended']);
    expect((await api('POST', '/api/admin/users/dno/status', { status: 'asleep' })).body.error).toMatchObject({
      code: 'unknown-kind',
      path: 'body.status',
    });
  });

  it('the audit trail and the delivery records are there to read; bad queries are 400', async () => {
    const audit = await api('GET', '/api/admin/audit?kind=admin&limit=2');
    expect(audit.status).toBe(200);
    const records = audit.body['records'] as { kind: string; detail: string }[];
    expect(records.map((x) => x.detail)).toEqual(['Receive Response Service URL cleared', 'User suspended']);
    expect(audit.body['length']).toBe(r.rw.world.dsp.sat.length);
    expect((await api('GET', '/api/admin/audit?kind=gossip')).body.error).toMatchObject({ path: 'query.kind' });
    const deliveries = await api('GET', '/api/admin/deliveries?user=srp&limit=5');
    expect(deliveries.status).toBe(200);
    expect(deliveries.body['records']).toEqual([]);
    expect((await api('GET', '/api/admin/deliveries?limit=0')).body.error).toMatchObject({ code: 'range', path: 'query.limit' });
    expect((await api('GET', '/api/admin/deliveries?user=mars')).body.error).toMatchObject({ path: 'query.user' });
  });

  it('the SMKI revokes one certificate of a party: audited; the DSP refuses it from then on (X3)', async () => {
    const serial = r.rw.world.smki.find(SOLR, 'xmlSigning')!.serial;
    const a = await api('POST', '/api/admin/certificate-revocations', { party: 'solr', usage: 'xmlSigning' });
    expect(a.status).toBe(200);
    expect(details(a)).toEqual([`SMKI: xmlSigning certificate ${serial} revoked`]);
    expect(r.rw.world.smki.isRevoked(serial, r.paced.pacedNow())).toBe(true);
    // The network operator holds no Digital-Signing certificate.
    expect((await api('POST', '/api/admin/certificate-revocations', { party: 'dno', usage: 'digitalSigning' })).body.error).toMatchObject({
      code: 'not-found',
      path: 'body.usage',
    });
    expect((await api('POST', '/api/admin/certificate-revocations', { party: 'srp', usage: 'pgp' })).body.error).toMatchObject({
      code: 'unknown-kind',
      path: 'body.usage',
    });
  });

  it('the clock: skip ahead (every event on the way runs), change the speed; never back', async () => {
    const now = r.paced.pacedNow();
    const target = now + 6 * HOUR_MS;
    const a = await api('POST', '/api/admin/clock', { skipTo: formatInstant(target), speed: 2 });
    expect(a.status).toBe(200);
    expect(a.body).toMatchObject({ at: formatInstant(target), speed: 2 });
    expect(typeof a.body['events']).toBe('number');
    expect(r.rw.world.clock.now()).toBe(target);
    expect((await api('POST', '/api/admin/clock', { skipTo: formatInstant(start) })).body.error).toMatchObject({
      code: 'range',
      path: 'body.skipTo',
    });
    expect((await api('POST', '/api/admin/clock', { speed: 0 })).body.error).toMatchObject({ code: 'range', path: 'body.speed' });
    expect((await api('POST', '/api/admin/clock', { speed: 1 })).body).toMatchObject({ speed: 1 });
  });

  it('a JSON route refuses a body that is not JSON', async () => {
    const res = await fetch(`${r.origin}/api/admin/failed-supplier-list`, { method: 'POST', body: 'supplier=failed' });
    expect(res.status).toBe(415);
  });
});
