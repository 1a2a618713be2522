import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { Eui64 } from '../../core/ids.ts';
import type { DspOutput } from '../../dsp/dsp-outputs.ts';
import { Delivery, jsonEncoder, parseReceiveUrl, type Encoded } from '../../rehearsal/delivery.ts';
import { FakeWall } from './fake-wall.ts';

const SRP = '90-B3-D5-1F-30-05-00-00' as Eui64;
const SOLR = '90-B3-D5-1F-30-03-00-00' as Eui64;
const T0 = Date.UTC(2027, 0, 4);

const response = (to: Eui64, n: number, code = 'I0'): DspOutput => ({
  kind: 'response',
  to,
  response: { requestId: `${to}:00-DB-14-00-00-00-00-00:${n}`, responseCode: code, body: {} },
});
const alert = (to: Eui64, code: number): DspOutput => ({
  kind: 'deviceAlert',
  to,
  alert: { code, device: '00-DB-14-00-00-00-00-01', at: T0, critical: true },
});

/**
 * A receiver on loopback: answers 503 to the first `failFirst` POSTs of each
 * body, then 200; keeps every body it got, and each it accepted.
 */
async function receiver(failFirst: number): Promise<{ url: string; got: string[]; accepted: string[]; server: Server }> {
  const got: string[] = [];
  const accepted: string[] = [];
  const tries = new Map<string, number>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      got.push(body);
      const n = (tries.get(body) ?? 0) + 1;
      tries.set(body, n);
      if (n <= failFirst) {
        res.writeHead(503).end();
        return;
      }
      accepted.push(body);
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/receive`, got, accepted, server };
}

const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await new Promise((r) => s.close(r));
});

describe('delivery of asynchronous responses and alerts to Receive Response Service URLs (DOMAIN §4.1, §4.3)', () => {
  it('with a receiver that fails the first attempts: exactly one successful delivery per output, in order per User, none lost or duplicated', async () => {
    const rx = await receiver(2);
    servers.push(rx.server);
    const d = new Delivery({ retry: { firstDelayMs: 5, maxDelayMs: 20, maxAttempts: 5 } });
    d.setUrl(SRP, rx.url);
    const outputs = [response(SRP, 1, 'I99'), alert(SRP, 0x8f0f), response(SRP, 1), response(SRP, 2, 'E21'), alert(SRP, 0x810d)];
    for (const o of outputs) expect(d.offer(o, T0)).toBe(true);
    await d.idle();
    const bodies = outputs.map((o) => jsonEncoder(o as Parameters<typeof jsonEncoder>[0], T0).body);
    expect(rx.accepted).toEqual(bodies);
    // Each body was refused twice, then accepted once: three POSTs per output, and never one for the next output before it.
    expect(rx.got).toEqual(bodies.flatMap((b) => [b, b, b]));
    const records = d.records({ user: SRP });
    expect(records).toHaveLength(15);
    expect(records.filter((r) => r.outcome === 'delivered').map((r) => r.output)).toEqual([1, 2, 3, 4, 5]);
    expect(records.filter((r) => r.outcome === 'retrying')).toHaveLength(10);
    for (const r of records) {
      expect(r.url).toBe(rx.url);
      expect(r.status).toBe(r.outcome === 'delivered' ? 200 : 503);
      expect(r.attempt).toBe(r.outcome === 'delivered' ? 3 : r.attempt);
      expect(Number.isNaN(Date.parse(r.at))).toBe(false);
      expect(r.virtualAt).toBe('2027-01-04T00:00:00.000Z');
    }
    expect(records[0]).toMatchObject({
      user: SRP,
      kind: 'response',
      code: 'I99',
      requestId: `${SRP}:00-DB-14-00-00-00-00-00:1`,
      attempt: 1,
    });
    expect(records[3]).toMatchObject({ kind: 'deviceAlert', code: '0x8F0F', requestId: null });
    expect(d.users()).toEqual([
      { user: SRP, url: rx.url, counts: { queued: 0, delivered: 5, failedAttempts: 10, gaveUp: 0, withoutUrl: 0 } },
    ]);
    d.stop();
  });

  it('Users have queues of their own: a failing receiver does not hold up another User', async () => {
    const slow = await receiver(3);
    const fine = await receiver(0);
    servers.push(slow.server, fine.server);
    const d = new Delivery({ retry: { firstDelayMs: 200, maxDelayMs: 200, maxAttempts: 10 } });
    d.setUrl(SRP, slow.url);
    d.setUrl(SOLR, fine.url);
    d.offer(response(SRP, 1), T0);
    for (let i = 1; i <= 3; i++) d.offer(response(SOLR, i), T0);
    await d.idle();
    const firstSrpSuccess = d.records().findIndex((r) => r.user === SRP && r.outcome === 'delivered');
    const solrDone = d
      .records()
      .filter((r) => r.user === SOLR)
      .map((r) => r.seq);
    expect(solrDone).toHaveLength(3);
    // The SoLR's three were delivered before the SRP's first got through.
    expect(Math.max(...solrDone)).toBeLessThan(d.records()[firstSrpSuccess]!.seq);
    expect(fine.accepted).toHaveLength(3);
    expect(slow.accepted).toHaveLength(1);
    d.stop();
  });

  it('an unreachable receiver: bounded attempts with exponential backoff, then given up and the next output goes', async () => {
    const wall = new FakeWall();
    const posted: string[] = [];
    const d = new Delivery({
      wall,
      retry: { firstDelayMs: 100, maxDelayMs: 1000, maxAttempts: 6 },
      post: (url, e: Encoded) => {
        posted.push(e.body);
        return url.includes('down') ? Promise.reject(new Error('connect ECONNREFUSED')) : Promise.resolve(204);
      },
    });
    d.setUrl(SRP, 'http://down.invalid/r');
    d.offer(response(SRP, 1), T0);
    d.offer(response(SRP, 2), T0);
    const settle = (): Promise<void> => new Promise((r) => setImmediate(r));
    await settle();
    for (let i = 0; i < 5; i++) {
      wall.advance(wall.delays.at(-1) ?? 0);
      await settle();
    }
    // 100, 200, 400, 800, then capped at 1000.
    expect(wall.delays.slice(0, 5)).toEqual([100, 200, 400, 800, 1000]);
    const first = d.records().filter((r) => r.output === 1);
    expect(first.map((r) => r.outcome)).toEqual(['retrying', 'retrying', 'retrying', 'retrying', 'retrying', 'gave-up']);
    expect(first.every((r) => r.status === null && r.error === 'connect ECONNREFUSED')).toBe(true);
    // Output 2 is being tried now; a new URL serves it.
    d.setUrl(SRP, 'http://up.invalid/r');
    wall.advance(1000);
    await settle();
    await d.idle();
    expect(d.records().filter((r) => r.output === 2 && r.outcome === 'delivered')).toHaveLength(1);
    expect(d.users()[0]?.counts).toMatchObject({ delivered: 1, gaveUp: 1, queued: 0 });
    expect(new Set(posted).size).toBe(2);
  });

  it('outputs for a User without a URL are counted, not queued; commands are never delivered', () => {
    const d = new Delivery();
    expect(d.offer(response(SOLR, 1), T0)).toBe(false);
    expect(
      d.offer(
        { kind: 'command', hub: SRP, device: SRP, requestId: 'x', command: { kind: 'supply.enable', now: T0 } } as unknown as DspOutput,
        T0,
      ),
    ).toBe(false);
    expect(d.pending()).toBe(0);
    expect(d.users()).toEqual([
      { user: SOLR, url: null, counts: { queued: 0, delivered: 0, failedAttempts: 0, gaveUp: 0, withoutUrl: 1 } },
    ]);
  });

  it('clearing a URL holds the queue; setting one again sends it on, in order', async () => {
    const rx = await receiver(0);
    servers.push(rx.server);
    const d = new Delivery();
    d.setUrl(SRP, rx.url);
    d.setUrl(SRP, null);
    d.offer(response(SRP, 1), T0);
    expect(d.pending(SRP)).toBe(0);
    d.setUrl(SRP, rx.url);
    d.offer(response(SRP, 2), T0);
    d.offer(response(SRP, 3), T0);
    await d.idle();
    expect(rx.accepted.map((b) => (JSON.parse(b) as { response: { requestId: string } }).response.requestId.split(':')[2])).toEqual([
      '2',
      '3',
    ]);
  });

  it('an encoder decides the body and its content type', async () => {
    const types: string[] = [];
    const d = new Delivery({
      encode: (o) => ({ contentType: 'application/xml', body: `<x kind="${o.kind}"/>` }),
      post: (_u, e) => {
        types.push(`${e.contentType} ${e.body}`);
        return Promise.resolve(200);
      },
    });
    d.setUrl(SOLR, 'http://127.0.0.1:1/');
    d.offer(alert(SOLR, 0x8f0f), T0);
    await d.idle();
    expect(types).toEqual(['application/xml <x kind="deviceAlert"/>']);
  });

  it('an output is encoded at its first attempt, after whoever produced it has run on; an encoder that throws gives it up', async () => {
    const encoded: string[] = [];
    const posted: string[] = [];
    const d = new Delivery({
      encode: (o, at) => {
        if (o.kind === 'deviceAlert') throw new Error('no encoding for this');
        encoded.push(`${o.kind} ${new Date(at).toISOString()}`);
        return { contentType: 'text/plain', body: o.kind };
      },
      post: (_u, e) => {
        posted.push(e.body);
        return Promise.resolve(200);
      },
    });
    d.setUrl(SRP, 'http://127.0.0.1:1/');
    d.offer(alert(SRP, 0x8f0f), T0);
    d.offer(response(SRP, 1), T0 + 1000);
    // Nothing is encoded while the producer's own code runs (a DUIS handler answers synchronously first).
    expect(encoded).toEqual([]);
    await d.idle();
    expect(encoded).toEqual(['response 2027-01-04T00:00:01.000Z']);
    expect(posted).toEqual(['response']);
    const records = d.records({ user: SRP });
    expect(records.map((r) => `${r.output} ${r.outcome}`)).toEqual(['1 gave-up', '2 delivered']);
    expect(records[0]).toMatchObject({ status: null, error: 'cannot encode: no encoding for this' });
    expect(d.users()[0]?.counts).toMatchObject({ delivered: 1, gaveUp: 1, queued: 0 });
  });

  it('stop cancels the retry timer and makes no more attempts', async () => {
    const wall = new FakeWall();
    let posts = 0;
    const d = new Delivery({
      wall,
      post: () => {
        posts++;
        return Promise.resolve(500);
      },
    });
    d.setUrl(SRP, 'http://127.0.0.1:1/');
    d.offer(response(SRP, 1), T0);
    await new Promise((r) => setImmediate(r));
    expect(wall.pending).toBe(1);
    d.stop();
    expect(wall.pending).toBe(0);
    wall.advance(60_000);
    expect(posts).toBe(1);
    await d.idle();
  });

  it('a receive URL must be absolute http or https', () => {
    expect(parseReceiveUrl('http://127.0.0.1:9000/r', 'url')).toEqual({ ok: true, value: 'http://127.0.0.1:9000/r' });
    expect(parseReceiveUrl('ftp://x/', 'body.url')).toMatchObject({ ok: false, error: { path: 'body.url', code: 'format' } });
    expect(parseReceiveUrl('/relative', 'body.url')).toMatchObject({ ok: false, error: { code: 'format' } });
    expect(parseReceiveUrl(42, 'body.url')).toMatchObject({ ok: false, error: { code: 'type' } });
  });
});
