import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { p256 } from '@noble/curves/nist.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runServe } from '../../cli/serve.ts';
import { MINUTE_MS } from '../../core/time/duration.ts';
import { userRequestsTopic } from '../../emulator/bus/topics.ts';
import type { DuisResponse } from '../../dsp/duis-xml/index.ts';
import { FAILED_SUPPLIER, SRP_ID } from '../../scenarios/runner/solr-world.ts';
import type { PartyFile } from '../../rehearsal/credentials-export.ts';
import type { DeliveryRecord } from '../../rehearsal/delivery.ts';
import type { Rehearsal } from '../../rehearsal/rehearsal.ts';
import { DuisClient, loadCredentials, Receiver, runCriticalFlow, type DuisAnswer } from '../../rehearsal/sample-client.ts';
import type { DeviceState } from '../../rehearsal/status.ts';

/**
 * The live rehearsal end to end over real HTTP on loopback: `serve` in
 * process with the SRP and the network operator played from outside, their
 * credentials exported as PEM, and the sample client — PEM files and HTTP
 * only — driving the DUIS web services, with each party's own receiver
 * taking the DSP's asynchronous responses. // DOMAIN §4.1–§4.4; docs/rehearsal.md
 */

const SMALL_SOLR = fileURLToPath(new URL('../../scenarios/examples/small-solr.yaml', import.meta.url));
/** small-solr starts 2027-01-04; the Authority instructs the SRP at +3d, its ADT file comes at +3d2h. */
const SRP_ALLOWED = '2027-01-07T03:00:00Z';
const CREDIT = { kind: 'updatePaymentMode', updatePaymentMode: { kind: 'credit', credit: {} } } as const;
const READ_SUPPLY = { kind: 'readSupplyStatus', readSupplyStatus: {} } as const;

let dir: string;
let r: Rehearsal;
let served: Promise<number>;
let stop: () => void;
let printed = '';
let srp: DuisClient;
let dno: DuisClient;
let srpRx: Receiver;
let dnoRx: Receiver;
/** SMETS2 ESMEs of the estate, and one in Prepayment mode for the critical flow. */
let esmes: string[];
let prepaid: string;

const getJson = async <T>(url: string): Promise<T> => (await (await fetch(url)).json()) as T;
const code = (a: DuisAnswer): string | undefined => a.response?.header.responseCode;
const values = (a: DuisAnswer | DuisResponse | undefined): Readonly<Record<string, string>> => {
  const resp = a === undefined ? undefined : 'header' in a ? a : a.response;
  return resp?.body?.kind === 'responseMessage' ? (resp.body.values ?? {}) : {};
};
const post = async (service: string, body: string): Promise<{ status: number; text: string; type: string }> => {
  const res = await fetch(`${r.origin}/api/v1/${service}`, { method: 'POST', body, headers: { 'content-type': 'application/xml' } });
  return { status: res.status, text: await res.text(), type: res.headers.get('content-type') ?? '' };
};
/** The delivery records of one RequestID. */
const deliveries = async (requestId: string): Promise<DeliveryRecord[]> =>
  (await getJson<{ records: DeliveryRecord[] }>(`${r.origin}/api/admin/deliveries?limit=10000`)).records.filter(
    (x) => x.requestId === requestId,
  );

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'smets-twin-duis-'));
  const ready = new Promise<Rehearsal>((resolve) => {
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        printed += chunk.toString();
        done();
      },
    });
    served = runServe([SMALL_SOLR, '--port', '0', '--speed', '600', '--premises', '10', '--external', 'srp,dno', '--credentials', dir], {
      fail: (m) => {
        throw new Error(m);
      },
      out: sink,
      stop: new Promise<void>((s) => (stop = s)),
      ready: resolve,
    });
  });
  r = await ready;
  // Skip to after the Authority's instruction and the SRP's ADT upload (the admin API's clock call).
  const skipped = await fetch(`${r.origin}/api/admin/clock`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ skipTo: SRP_ALLOWED }),
  });
  expect(skipped.status).toBe(200);
  const srpCreds = await loadCredentials(join(dir, 'srp'));
  const dnoCreds = await loadCredentials(join(dir, 'dno'));
  if (!srpCreds.ok || !dnoCreds.ok) throw new Error(`credentials: ${JSON.stringify([srpCreds, dnoCreds])}`);
  srp = new DuisClient(srpCreds.value, r.origin);
  dno = new DuisClient(dnoCreds.value, r.origin);
  srpRx = new Receiver(srp);
  dnoRx = new Receiver(dno);
  expect(await srp.setReceiveUrl(await srpRx.start())).toBe(200);
  expect(await dno.setReceiveUrl(await dnoRx.start())).toBe(200);
  // The test picks meters in process; the clients know only EUIs.
  const meters = r.rw.world.meters.filter((m) => !m.smets1 && m.slot.fuel === 'electricity');
  esmes = meters.map((m) => m.id);
  const p = meters.find((m) => m.slot.snapshot.context.mode === 'Prepayment');
  if (p === undefined) throw new Error('no SMETS2 ESME in Prepayment mode');
  prepaid = p.id;
}, 60_000);

afterAll(async () => {
  await srpRx?.stop();
  await dnoRx?.stop();
  stop?.();
  expect(await served).toBe(0);
  await rm(dir, { recursive: true, force: true });
});

describe('serve exports each external party’s credentials', () => {
  it('PEM certificates and keys, the Organisation CA, the DSP’s certificate, and party.json', async () => {
    expect((await readdir(join(dir, 'srp'))).sort()).toEqual([
      'digital-signing.cert.pem',
      'digital-signing.key.pem',
      'dsp-xml-signing.cert.pem',
      'organisation-ca.cert.pem',
      'party.json',
      'xml-signing.cert.pem',
      'xml-signing.key.pem',
    ]);
    // The network operator signs no Pre-Commands: no Digital-Signing credential.
    expect(await readdir(join(dir, 'dno'))).not.toContain('digital-signing.key.pem');
    const party = JSON.parse(await readFile(join(dir, 'srp', 'party.json'), 'utf8')) as PartyFile;
    expect(party).toMatchObject({ eui64: SRP_ID, userRoles: ['SC'], policy: 'mp134b' });
    // MP134B req 2: the SRP signs Pre-Commands with the failed supplier's key, held as agent.
    expect(party.digitalSigning).toMatchObject({ subject: FAILED_SUPPLIER, heldAsAgentFor: FAILED_SUPPLIER });
    expect(party.urls.serviceT).toBe(`${r.origin}/api/v1/serviceT`);
    expect(await readFile(join(dir, 'srp', 'xml-signing.key.pem'), 'utf8')).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    expect(printed).toMatch(/its credentials: .*srp \(7 files written: PEM and party\.json\)/);
    expect(printed).toMatch(
      /sample client {2}npx tsx examples\/srp-client\.ts --url http:\/\/127\.0\.0\.1:\d+ --credentials .*srp --device /,
    );
  });
});

describe('the SRP’s critical flow through the sample client // DOMAIN §4.3', () => {
  it('SR 1.6 CV 4 → I0 with a Pre-Command, signed, CV 5 → I99; one asynchronous I0; the meter is in Credit mode', async () => {
    const lines: string[] = [];
    const flow = await runCriticalFlow({ url: r.origin, credentials: join(dir, 'srp'), device: prepaid, log: (l) => lines.push(l) });
    if (!flow.ok) throw new Error(flow.error);
    const f = flow.value;
    try {
      expect(f.synchronous).toEqual(['I0', 'I99']);
      expect(f.final?.header.responseCode).toBe('I0');
      expect(values(f.final)['deviceOutcome']).toBe('success');
      // The device's response names the device, then the User. // DOMAIN §4.1
      expect(f.final?.header.responseId).toBe(`${prepaid}:${SRP_ID}:${f.requestId.split(':')[2]}`);
      expect(f.final?.body).toMatchObject({ kind: 'responseMessage', serviceReference: '1.6', serviceReferenceVariant: '1.6' });
      const meter = await getJson<DeviceState>(`${r.origin}/api/devices/${prepaid}`);
      expect(meter).toMatchObject({ kind: 'meter', paymentMode: 'Credit' });
      // Exactly one asynchronous response for the request: the final I0; the inline I0 and I99 are not POSTed again.
      await r.delivery.idle();
      expect(f.receiver.responsesTo(f.requestId).map((x) => x.header.responseCode)).toEqual(['I0']);
      expect((await deliveries(f.requestId)).map((d) => `${d.code} ${d.outcome}`)).toEqual(['I0 delivered']);
      expect(lines.join('\n')).toMatch(/CV 4 SR 1\.6 → \/api\/v1\/serviceT .* HTTP 200 I0, Pre-Command of \d+ bytes/);
      expect(lines.join('\n')).toMatch(/CV 5 SR 1\.6 → \/api\/v1\/serviceS .* HTTP 200 I99/);
    } finally {
      await f.receiver.stop();
      // The flow pointed the SRP's receive URL at its own receiver: back to this file's.
      expect(await srp.setReceiveUrl(srpRx.url)).toBe(200);
    }
  });
});

describe('refusals, each with its code // docs/rehearsal.md "Refusals"', () => {
  const signedRead = (client: DuisClient, cv = 1, service = 'serviceS'): Promise<DuisAnswer> =>
    client.post(service as 'serviceS', client.document({ header: client.header(esmes[0]!, '7.4', cv), ...READ_SUPPLY }));

  it('a document changed after signing: HTTP 400, X2, signature-digest-mismatch, signed by the DSP', async () => {
    const xml = srp.document({ header: srp.header(prepaid, '1.6', 4), ...CREDIT });
    const tampered = xml.replace('<sr:Credit></sr:Credit>', '<sr:Prepayment></sr:Prepayment>');
    expect(tampered).not.toBe(xml);
    const res = await post('serviceT', tampered);
    expect(res.status).toBe(400);
    const read = srp.verify(res.text);
    if (!read.ok) throw new Error(read.error);
    expect(read.value.header.responseCode).toBe('X2');
    expect(values(read.value)).toMatchObject({
      refusal: 'signature-digest-mismatch',
      path: '/Request/Signature/SignedInfo/Reference/DigestValue',
    });
    // Read far enough to name the request: its RequestID and SRV.
    expect(read.value.header.requestId).toMatch(/^90-B3-D5-1F-30-05-00-00:/);
    expect(read.value.body).toMatchObject({ serviceReference: '1.6', serviceReferenceVariant: '1.6' });
  });

  it('signed with another key under the SRP’s certificate: the DSP answers X2, HTTP 400', async () => {
    const forged = new DuisClient(
      { ...srp.credentials, xmlKey: { ...srp.credentials.xmlKey, privateKey: p256.utils.randomSecretKey() } },
      r.origin,
    );
    const a = await forged.post('serviceT', forged.document({ header: forged.header(prepaid, '1.6', 4), ...CREDIT }));
    expect(a.status).toBe(400);
    expect(code(a)).toBe('X2');
    expect(values(a)['reason']).toMatch(/XML signature is not valid/);
  });

  it('a certificate the SMKI never issued: X12, signature-unknown-certificate', async () => {
    const stranger = new DuisClient(
      {
        ...srp.credentials,
        xmlKey: { privateKey: p256.utils.randomSecretKey(), certificate: { serial: 987_654_321n, issuer: 'smets-twin Organisation CA' } },
      },
      r.origin,
    );
    const a = await signedRead(stranger);
    expect(a.status).toBe(400);
    expect(code(a)).toBe('X12');
    expect(values(a)['refusal']).toBe('signature-unknown-certificate');
  });

  it('XXE: HTTP 400, X1, xml-external-entity-refused, nothing fetched', async () => {
    const xxe = `<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><sr:Request xmlns:sr="http://www.dccinterface.co.uk/ServiceUserGateway">&x;</sr:Request>`;
    const res = await post('serviceS', xxe);
    expect(res.status).toBe(400);
    expect(res.type).toMatch(/^application\/xml/);
    const read = srp.verify(res.text);
    if (!read.ok) throw new Error(read.error);
    expect(read.value.header.responseCode).toBe('X1');
    expect(values(read.value)['refusal']).toBe('xml-external-entity-refused');
    expect(read.value.header.requestId).toBeUndefined();
    expect(res.text).not.toContain('root:');
  });

  it('a malformed body: HTTP 400, X1, xml-malformed', async () => {
    const res = await post('serviceD', '<sr:Request xmlns:sr="http://www.dccinterface.co.uk/ServiceUserGateway"><sr:Header>');
    expect(res.status).toBe(400);
    const read = dno.verify(res.text);
    expect(read.ok && read.value.header.responseCode).toBe('X1');
    expect(read.ok && values(read.value)['refusal']).toBe('xml-malformed');
  });

  it('the wrong web service for the Command Variant: E13 (HTTP 200), and the request is not run', async () => {
    const a = await signedRead(dno, 1, 'serviceT');
    expect(a.status).toBe(200);
    expect(code(a)).toBe('E13');
    expect(values(a)['reason']).toBe('Command Variant 1 goes to /api/v1/serviceS, not /api/v1/serviceT');
    const b = await srp.post('serviceS', srp.document({ header: srp.header(prepaid, '1.6', 4), ...CREDIT }));
    expect(code(b)).toBe('E13');
    const requestId = a.response?.header.requestId ?? '';
    expect(r.rw.world.dsp.sat.records().filter((x) => x.requestId === requestId)).toHaveLength(0);
  });

  it('a non-critical request (SR 7.4, CV 1): I99, then one asynchronous I0 POSTed', async () => {
    const { requestId, answer } = await dno.send(esmes[0]!, '7.4', READ_SUPPLY);
    expect(answer.status).toBe(200);
    expect(code(answer)).toBe('I99');
    const final = await dnoRx.waitFor(requestId, 20_000, (x) => x.header.responseCode !== 'I99');
    expect(final?.header.responseCode).toBe('I0');
    expect(values(final)['supplyState'] ?? values(final)['deviceOutcome']).toBeDefined();
    await r.delivery.idle();
    expect(dnoRx.responsesTo(requestId)).toHaveLength(1);
    expect((await deliveries(requestId)).map((d) => `${d.user} ${d.code} ${d.outcome}`)).toEqual([`${dno.credentials.eui64} I0 delivered`]);
  });
});

describe('every accepted request ends in exactly one posted final response (property) // RELIABILITY §2', () => {
  it('N random reads (CV 1) and critical pairs (CV 4 + 5) across meters → N final responses, no duplicates', async () => {
    const step = fc.record({ critical: fc.boolean(), meter: fc.nat() });
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 8 }), async (plan) => {
        // Each originator's requests in order (its counters strictly increase); the two originators side by side.
        const run = async (critical: boolean): Promise<string[]> => {
          const accepted: string[] = [];
          for (const s of plan.filter((x) => x.critical === critical)) {
            const meter = esmes[s.meter % esmes.length]!;
            if (critical) {
              const f = await srp.critical(meter, '1.6', CREDIT);
              expect(f.send === undefined ? code(f.transform) : code(f.send)).toBe('I99');
              accepted.push(f.requestId);
            } else {
              const { requestId, answer } = await dno.send(meter, '7.4', READ_SUPPLY);
              expect(code(answer)).toBe('I99');
              accepted.push(requestId);
            }
          }
          return accepted;
        };
        const ids = (await Promise.all([run(true), run(false)])).flat();
        expect(ids).toHaveLength(plan.length);
        for (const id of ids) {
          const rx = id.startsWith(SRP_ID) ? srpRx : dnoRx;
          expect((await rx.waitFor(id, 20_000, (x) => x.header.responseCode !== 'I99'))?.header.responseCode).toBe('I0');
        }
        await r.delivery.idle();
        const records = (await getJson<{ records: DeliveryRecord[] }>(`${r.origin}/api/admin/deliveries?limit=10000`)).records;
        for (const id of ids) {
          const mine = records.filter((x) => x.requestId === id);
          expect(mine.map((x) => `${x.code} ${x.outcome}`)).toEqual(['I0 delivered']);
          const rx = id.startsWith(SRP_ID) ? srpRx : dnoRx;
          expect(rx.responsesTo(id)).toHaveLength(1);
        }
      }),
      { numRuns: 3 },
    );
  }, 60_000);
});

describe('the world’s faults apply to outside requests // docs/scenarios.md "Faults"', () => {
  it('a DSP outage holds the request (HTTP 202); when the DSP is back its I99 and I0 are POSTed', async () => {
    r.paced.inject((now) => r.rw.world.dspOutage(now, now + 5 * MINUTE_MS));
    const header = dno.header(esmes[1]!, '7.4', 1);
    const a = await dno.post('serviceS', dno.document({ header, ...READ_SUPPLY }));
    expect(a.status).toBe(202);
    expect(a.problem).toMatch(/^held: the DSP is unreachable/);
    // Five simulated minutes are half a second at 600×.
    const final = await dnoRx.waitFor(header.requestId, 20_000, (x) => x.header.responseCode === 'I0');
    expect(final?.header.responseCode).toBe('I0');
    await r.delivery.idle();
    expect(dnoRx.responsesTo(header.requestId).map((x) => x.header.responseCode)).toEqual(['I99', 'I0']);
  });

  it('a message loss on the User’s link loses the request (HTTP 504): the DSP never sees it', async () => {
    r.paced.inject((now) =>
      r.rw.world.loseMessages('e2e', { topic: userRequestsTopic(dno.credentials.eui64) }, 1, now, now + 5 * MINUTE_MS),
    );
    const header = dno.header(esmes[1]!, '7.4', 1);
    const a = await dno.post('serviceS', dno.document({ header, ...READ_SUPPLY }));
    expect(a.status).toBe(504);
    expect(a.problem).toMatch(/^lost: /);
    expect(r.rw.world.dsp.sat.records().filter((x) => x.requestId === header.requestId)).toHaveLength(0);
  });
});

describe('revocation // DOMAIN §5.3; MP134A', () => {
  it('the SMKI revokes the SRP’s XML-signing certificate (admin API): its next request is X3, HTTP 400', async () => {
    const res = await fetch(`${r.origin}/api/admin/certificate-revocations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ party: 'srp', usage: 'xmlSigning' }),
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { audit: { detail: string }[] };
    expect(body.audit[0]?.detail).toMatch(/^SMKI: xmlSigning certificate \d+ revoked$/);
    const a = await srp.post('serviceT', srp.document({ header: srp.header(prepaid, '1.6', 4), ...CREDIT }));
    expect(a.status).toBe(400);
    expect(code(a)).toBe('X3');
    expect(values(a)['reason']).toMatch(/was revoked at/);
  });
});
