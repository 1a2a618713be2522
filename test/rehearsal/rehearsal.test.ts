import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Eui64 } from '../../core/ids.ts';
import type { DspOutput } from '../../dsp/dsp-outputs.ts';
import type { ServiceRequest } from '../../proto/types.ts';
import { jsonEncoder } from '../../rehearsal/delivery.ts';
import type { DuisContext, DuisReply, Submitted } from '../../rehearsal/duis-slot.ts';
import { startRehearsal, type Rehearsal } from '../../rehearsal/rehearsal.ts';
import type { DeviceState, StatusSnapshot } from '../../rehearsal/status.ts';
import { SRP_ID } from '../../scenarios/runner/solr-world.ts';
import { FakeWall } from './fake-wall.ts';

const SMALL_SOLR = fileURLToPath(new URL('../../scenarios/examples/small-solr.yaml', import.meta.url));

/** Polls `probe` until it returns a value (not undefined), for at most `ms` of wall time. */
async function until<T>(probe: () => Promise<T | undefined>, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error('gave up waiting');
    await new Promise((r) => setTimeout(r, 25));
  }
}

const getJson = async <T>(url: string): Promise<{ status: number; body: T }> => {
  const r = await fetch(url);
  return { status: r.status, body: (await r.json()) as T };
};

/**
 * A stand-in for the DUIS XML layer, to drive the slot: the body is JSON
 * naming the meter and the step. It builds the SRP's requests with the twin's
 * own DuisUser (what the outside client signs with the same credentials) and
 * answers the synchronous response inline.
 */
function fakeDuis(): {
  serviceT: (b: string, c: DuisContext) => DuisReply;
  serviceS: (b: string, c: DuisContext) => DuisReply;
} {
  const CREDIT = { kind: 'updatePaymentMode', updatePaymentMode: { kind: 'credit', credit: {} } } as const;
  /** Each meter's transformed request and the Pre-Command the DSP returned for it. */
  const transformed = new Map<string, { cv4: ServiceRequest; preCommand: Uint8Array }>();
  const inlineFor = (requestId: string) => (o: DspOutput) => o.kind === 'response' && o.response.requestId === requestId;
  const reply = (submitted: Submitted, requestId: string): DuisReply => {
    const out = submitted.kind === 'handled' ? submitted.outputs : [];
    const r = out.find(inlineFor(requestId));
    return {
      status: 200,
      contentType: 'application/json',
      body: JSON.stringify({ code: r?.kind === 'response' ? r.response.responseCode : null, requestId }),
    };
  };
  return {
    serviceT: (body, ctx) => {
      const { meter } = JSON.parse(body) as { meter: Eui64 };
      const cv4 = ctx.world.srp.request(meter, '1.6', 4, CREDIT);
      const out = ctx.submit(SRP_ID, cv4, inlineFor(cv4.header.requestId));
      const pre = out.kind === 'handled' ? out.outputs.find(inlineFor(cv4.header.requestId)) : undefined;
      if (pre?.kind === 'response' && pre.response.preCommand !== undefined)
        transformed.set(meter, { cv4, preCommand: pre.response.preCommand });
      return reply(out, cv4.header.requestId);
    },
    serviceS: (body, ctx) => {
      const { meter } = JSON.parse(body) as { meter: Eui64 };
      const t = transformed.get(meter);
      if (t === undefined) return { status: 400, contentType: 'text/plain', body: 'transform first' };
      const req = ctx.world.srp.signedSend(t.cv4, t.preCommand, 5);
      return reply(ctx.submit(SRP_ID, req, inlineFor(req.header.requestId)), req.header.requestId);
    },
  };
}

describe('serve in process: status, live feed, device lookup, DUIS slot and delivery', () => {
  let r: Rehearsal;
  let rx: Server;
  const received: { type: string; body: string }[] = [];
  let fails = 1;

  beforeAll(async () => {
    // The SRP's receiver refuses the first POST, then takes everything.
    rx = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        if (fails-- > 0) return void res.writeHead(500).end();
        received.push({ type: req.headers['content-type'] ?? '', body: Buffer.concat(chunks).toString('utf8') });
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((ok) => rx.listen(0, '127.0.0.1', ok));
    const url = `http://127.0.0.1:${(rx.address() as AddressInfo).port}/receive`;
    const started = await startRehearsal({
      scenario: SMALL_SOLR,
      premises: 12,
      speed: 1800,
      port: 0,
      external: ['srp'],
      receiveUrls: { srp: url },
      retry: { firstDelayMs: 10, maxDelayMs: 50 },
      statusEveryMs: 50,
      duis: fakeDuis(),
      encode: jsonEncoder,
    });
    if (!started.ok) throw new Error(JSON.stringify(started.error));
    r = started.value;
  });
  afterAll(async () => {
    await r.stop();
    await new Promise((ok) => rx.close(ok));
  });

  it('GET / is one self-contained HTML page: no CDN, no external script or style', async () => {
    const res = await fetch(`${r.origin}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await res.text();
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).not.toMatch(/\b(src|href)\s*=\s*["']?(https?:)?\/\//i);
    // The one link is the icon, inline, so the browser asks for no favicon.
    expect(html.match(/<link\b[^>]*>/gi)).toEqual(['<link rel="icon" href="data:,">']);
    expect(html).toContain('new EventSource(');
    expect(html).toContain('<h1>small-solr</h1>');
  });

  it('GET /api/status: the simulated time moves on at the paced speed; the estate, causes and parties are there', async () => {
    const first = await getJson<StatusSnapshot>(`${r.origin}/api/status`);
    expect(first.status).toBe(200);
    const s = first.body;
    expect(s.scenario).toMatchObject({ name: 'small-solr', policy: 'mp134b', end: '2027-02-01T00:00:00Z' });
    expect(s.time.speed).toBe(1800);
    expect(s.estate.premises).toBe(12);
    expect(s.offSupply.causes.map((c) => c.cause)).toEqual(['credit', 'armed', 'remote', 'fault']);
    expect(s.offSupply.causes[0]?.words).toBe('credit exhausted');
    expect(s.parties.find((p) => p.id === SRP_ID)).toMatchObject({ name: 'Shared Resource Provider', external: true });
    const later = await until(async () => {
      const t = await getJson<StatusSnapshot>(`${r.origin}/api/status`);
      return t.body.time.virtualMs > s.time.virtualMs ? t.body : undefined;
    });
    expect(Date.parse(later.time.virtual)).toBe(later.time.virtualMs);
  });

  it('GET /api/events streams the status as Server-Sent Events, again and again', async () => {
    const ac = new AbortController();
    const res = await fetch(`${r.origin}/api/events`, { signal: ac.signal });
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const reader = res.body!.getReader();
    let text = '';
    const events: StatusSnapshot[] = [];
    while (events.length < 3) {
      const { value, done } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
      let i;
      while ((i = text.indexOf('\n\n')) >= 0) {
        const block = text.slice(0, i);
        text = text.slice(i + 2);
        const data = /^event: status\ndata: (.*)$/m.exec(block);
        if (data?.[1] !== undefined) events.push(JSON.parse(data[1]) as StatusSnapshot);
      }
    }
    ac.abort();
    expect(events).toHaveLength(3);
    expect(events[2]!.time.virtualMs).toBeGreaterThanOrEqual(events[0]!.time.virtualMs);
    expect(events[0]!.scenario.name).toBe('small-solr');
  });

  it('GET /api/devices/:eui: a meter’s payment mode, supply, balance, hub and supplier; a hub; 400 and 404', async () => {
    const { body: s } = await getJson<StatusSnapshot>(`${r.origin}/api/status`);
    const eui = s.exampleDevices[0]!;
    const m = await getJson<DeviceState>(`${r.origin}/api/devices/${eui}`);
    expect(m.status).toBe(200);
    if (m.body.kind !== 'meter') throw new Error('expected a meter');
    expect(m.body).toMatchObject({ id: eui, premises: 0, supplier: { id: '90-B3-D5-1F-30-01-00-00', name: 'Small Energy', mpid: 'FAIL' } });
    expect(['Prepayment', 'Credit']).toContain(m.body.paymentMode);
    expect(['Enabled', 'Disabled', 'Armed']).toContain(m.body.supply);
    expect(Number.isInteger(m.body.balance.units)).toBe(true);
    expect(m.body.balance.gbp).toMatch(/^-?£\d+\.\d\d$/);
    // Lower case and colons are an EUI-64 too.
    const again = await getJson<DeviceState>(`${r.origin}/api/devices/${eui.toLowerCase().replaceAll('-', ':')}`);
    expect(again.body.id).toBe(eui);
    const hub = await getJson<DeviceState>(`${r.origin}/api/devices/${m.body.hub}`);
    expect(hub.body).toMatchObject({ kind: 'commsHub', online: true, premises: 0 });
    if (hub.body.kind !== 'commsHub') throw new Error('expected a comms hub');
    expect(hub.body.meters).toContain(eui);
    const bad = await getJson<{ error: { code: string; path: string } }>(`${r.origin}/api/devices/not-an-eui`);
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({ code: 'format', path: 'path.eui' });
    const none = await getJson<{ error: { code: string } }>(`${r.origin}/api/devices/01-02-03-04-05-06-07-08`);
    expect(none.status).toBe(404);
    expect(none.body.error.code).toBe('not-found');
  });

  it('the DUIS slot: a handler gets the raw body and the world at the paced instant; inline answers are not POSTed, the asynchronous I0 is, once', async () => {
    const admin = async (path: string, body: unknown): Promise<number> =>
      (
        await fetch(`${r.origin}/api/admin/${path}`, {
          method: 'POST',
          body: JSON.stringify(body),
          headers: { 'content-type': 'application/json' },
        })
      ).status;
    // The gates of the SoLR Contingency role, set by the Authority and SECAS. // MP134B req 6
    expect(await admin('failed-supplier-list', { supplier: 'failed', listed: true })).toBe(200);
    expect(await admin('authority-instructions', { reference: 'LIVE-1', supplier: 'failed', srp: 'srp' })).toBe(200);
    // Without an ADT file the SRP's SR 1.6 would be quarantined (X9). // MP134B req 4
    expect(
      await admin('adt-uploads?uploadedBy=ARO', { user: SRP_ID, role: 'SoLRContingency', thresholds: [{ srv: '1.6', limit: 100 }] }),
    ).toBe(200);
    const meter = r.rw.world.meters.find(
      (m) => !m.smets1 && m.slot.fuel === 'electricity' && m.slot.snapshot.context.mode === 'Prepayment',
    );
    if (meter === undefined) throw new Error('no SMETS2 prepayment ESME in the estate');
    const post = async (service: string): Promise<{ status: number; body: { code: string; requestId: string } }> => {
      const res = await fetch(`${r.origin}/api/v1/${service}`, { method: 'POST', body: JSON.stringify({ meter: meter.id }) });
      return { status: res.status, body: (await res.json()) as { code: string; requestId: string } };
    };
    const t = await post('serviceT');
    expect(t).toMatchObject({ status: 200, body: { code: 'I0' } });
    const s = await post('serviceS');
    expect(s).toMatchObject({ status: 200, body: { code: 'I99', requestId: t.body.requestId } });
    // The meter answers; the DSP's I0 goes to the SRP's Receive Response Service URL.
    const records = await until(async () => {
      const got = (
        await getJson<{ records: { requestId: string | null; outcome: string; code: string; attempt: number }[] }>(
          `${r.origin}/api/admin/deliveries?user=srp`,
        )
      ).body.records.filter((x) => x.requestId === t.body.requestId);
      return got.some((x) => x.outcome === 'delivered') ? got : undefined;
    });
    expect(records.filter((x) => x.outcome === 'delivered').map((x) => x.code)).toEqual(['I0']);
    // The first attempt was refused by the receiver, the second delivered.
    expect(records.map((x) => `${x.attempt} ${x.outcome}`)).toEqual(['1 retrying', '2 delivered']);
    const bodies = received.map((x) => JSON.parse(x.body) as { response?: { requestId: string; responseCode: string } });
    expect(bodies.filter((b) => b.response?.requestId === t.body.requestId).map((b) => b.response?.responseCode)).toEqual(['I0']);
    expect(received[0]?.type).toMatch(/^application\/json/);
    expect(r.rw.world.creditAt.has(meter.id)).toBe(true);
    const { body: st } = await getJson<StatusSnapshot>(`${r.origin}/api/status`);
    expect(st.requests.byUser.find((u) => u.user === SRP_ID)).toMatchObject({ received: 2, success: 2 });
    expect(st.requests.responsesByCode['I99']).toBeGreaterThanOrEqual(1);
  });

  it('credentialsFor hands out the twin’s credentials of the external party', () => {
    expect(r.credentials.map((c) => c.party.id)).toEqual([SRP_ID]);
    expect(r.credentials[0]?.dir).toMatch(/out\/rehearsal\/small-solr\/credentials\/srp$/);
    expect(r.credentialsFor('srp')?.xml.certificate.subject).toBe(SRP_ID);
  });

  it('a DUIS service with no handler answers 501 with a clear message', async () => {
    const res = await fetch(`${r.origin}/api/v1/serviceD`, {
      method: 'POST',
      body: '<sr:Request/>',
      headers: { 'content-type': 'text/xml' },
    });
    expect(res.status).toBe(501);
    const body = (await res.json()) as { error: { code: string; path: string; got: string } };
    expect(body.error).toMatchObject({ code: 'not-implemented', path: '/api/v1/serviceD' });
    expect(body.error.got).toMatch(/no handler for the serviceD web service/);
  });
});

describe('serve: the DUIS routes without handlers, and a clean stop', () => {
  it('with no handlers every DUIS service answers 501; GET is 405; after stop nothing listens and no timer is left', async () => {
    const wall = new FakeWall();
    const started = await startRehearsal({ scenario: 'solr-disorderly-exit', premises: 5, days: 3, speed: 60, port: 0, wall, duis: {} });
    if (!started.ok) throw new Error(JSON.stringify(started.error));
    const r = started.value;
    for (const s of ['serviceS', 'serviceT', 'serviceD']) {
      const res = await fetch(`${r.origin}/api/v1/${s}`, { method: 'POST', body: '<x/>' });
      expect(res.status).toBe(501);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('not-implemented');
    }
    expect((await fetch(`${r.origin}/api/v1/serviceS`)).status).toBe(405);
    const index = (await (await fetch(`${r.origin}/api`)).json()) as { routes: string[] };
    expect(index.routes).toContain('POST /api/v1/serviceT');
    expect(index.routes).toContain('GET /api/devices/:eui');
    // A live feed open at stop time must not keep its timer either.
    const feed = await fetch(`${r.origin}/api/events`);
    expect(feed.status).toBe(200);
    expect(wall.pending).toBe(2);
    await r.stop();
    expect(r.paced.running).toBe(false);
    expect(wall.pending).toBe(0);
    await expect(fetch(`${r.origin}/api/status`)).rejects.toThrow();
    await r.stop();
  });

  it('start-up mistakes are field errors: a bad receive URL, an unknown party, a bad speed', async () => {
    expect(await startRehearsal({ scenario: 'solr-disorderly-exit', premises: 3, receiveUrls: { srp: 'nope' } })).toMatchObject({
      ok: false,
      error: [{ path: 'receiveUrls.srp', code: 'format' }],
    });
    expect(await startRehearsal({ scenario: 'solr-disorderly-exit', premises: 3, receiveUrls: { mars: 'http://x/' } })).toMatchObject({
      ok: false,
      error: [{ path: 'receiveUrls.mars' }],
    });
    expect(await startRehearsal({ scenario: 'solr-disorderly-exit', premises: 3, speed: 0 })).toMatchObject({
      ok: false,
      error: [{ path: 'speed' }],
    });
  });
});
