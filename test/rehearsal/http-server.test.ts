import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fieldError } from '../../core/errors.ts';
import { badRequest, json, startHttpServer, type RunningServer } from '../../rehearsal/http-server.ts';

/** A raw request, so tests can send what fetch would not (a wrong length, a chunked body). */
function raw(
  origin: string,
  method: string,
  path: string,
  body?: string | Buffer,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${origin}${path}`, { method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const errorOf = (body: string): { code: string; path: string; expected: string; got: string } =>
  (JSON.parse(body) as { error: { code: string; path: string; expected: string; got: string } }).error;

describe('the HTTP edge: routes, bodies and 4xx answers that name the field', () => {
  let s: RunningServer;
  const errors: unknown[] = [];

  beforeAll(async () => {
    s = await startHttpServer({
      bodyLimit: 1000,
      onError: (e) => errors.push(e),
      routes: [
        { method: 'GET', path: '/things/:id', handle: (r) => json(200, { id: r.params['id'], q: r.query.get('q') }) },
        { method: 'DELETE', path: '/things/:id', handle: () => json(200, { deleted: true }) },
        {
          method: 'POST',
          path: '/things',
          body: 'json',
          handle: (r) =>
            typeof r.json === 'object' && r.json !== null && 'name' in r.json
              ? json(201, { made: r.json })
              : badRequest(fieldError('name', 'required', 'a name', undefined)),
        },
        { method: 'POST', path: '/echo', body: 'text', handle: (r) => ({ status: 200, contentType: 'text/plain', body: r.body }) },
        {
          method: 'GET',
          path: '/boom',
          handle: () => {
            throw new Error('secret internals');
          },
        },
      ],
    });
  });
  afterAll(async () => {
    await s.close();
  });

  it('routes by method and path, with decoded :params and the query', async () => {
    const r = await fetch(`${s.origin}/things/a%20b?q=1`);
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual({ id: 'a b', q: '1' });
  });

  it('an unknown path is 404 not-found, naming the path', async () => {
    const r = await raw(s.origin, 'GET', '/nope');
    expect(r.status).toBe(404);
    expect(errorOf(r.body)).toMatchObject({ code: 'not-found', path: '/nope' });
    expect(r.headers['content-type']).toMatch(/^application\/json/);
  });

  it('a known path with another method is 405 with Allow', async () => {
    const r = await raw(s.origin, 'PUT', '/things/1', '{}', { 'content-type': 'application/json' });
    expect(r.status).toBe(405);
    expect(r.headers['allow']).toBe('GET, DELETE');
    expect(errorOf(r.body)).toEqual({ code: 'method-not-allowed', path: '/things/1', expected: 'GET, DELETE', got: 'PUT' });
  });

  it('a JSON route refuses another media type (415) and unreadable JSON (400 json)', async () => {
    const t = await raw(s.origin, 'POST', '/things', 'name=x', { 'content-type': 'application/x-www-form-urlencoded' });
    expect(t.status).toBe(415);
    expect(errorOf(t.body)).toMatchObject({ code: 'media-type', path: 'header.content-type', expected: 'application/json' });
    const j = await raw(s.origin, 'POST', '/things', '{"name":', { 'content-type': 'application/json' });
    expect(j.status).toBe(400);
    expect(errorOf(j.body)).toMatchObject({ code: 'json', path: 'body', expected: 'a JSON document' });
  });

  it("a handler's field errors come back under body.<path>", async () => {
    const r = await raw(s.origin, 'POST', '/things', '{}', { 'content-type': 'application/json; charset=utf-8' });
    expect(r.status).toBe(400);
    expect(errorOf(r.body)).toEqual({ code: 'required', path: 'body.name', expected: 'a name', got: 'nothing' });
    const ok = await raw(s.origin, 'POST', '/things', '{"name":"x"}', { 'content-type': 'application/json' });
    expect(ok.status).toBe(201);
  });

  it('a body over the limit is 413 too-large, by its declared length or as it streams', async () => {
    const declared = await raw(s.origin, 'POST', '/echo', 'x'.repeat(2000), { 'content-type': 'text/plain' });
    expect(declared.status).toBe(413);
    expect(errorOf(declared.body)).toMatchObject({ code: 'too-large', path: 'body', expected: 'at most 1000 bytes', got: '2000 bytes' });
    // Chunked: no length up front, so the limit is found while reading.
    const streamed = await raw(s.origin, 'POST', '/echo', Buffer.alloc(5000, 0x61), { 'transfer-encoding': 'chunked' });
    expect(streamed.status).toBe(413);
    expect(errorOf(streamed.body).code).toBe('too-large');
    const fits = await raw(s.origin, 'POST', '/echo', 'y'.repeat(1000), { 'content-type': 'text/plain' });
    expect(fits.status).toBe(200);
    expect(fits.body).toBe('y'.repeat(1000));
  });

  it('a bug in a route is a 500 that shows no stack and no message, and is reported', async () => {
    const r = await raw(s.origin, 'GET', '/boom');
    expect(r.status).toBe(500);
    expect(r.body).not.toContain('secret internals');
    expect(r.body).not.toMatch(/at .*\.ts:\d+/);
    expect(errorOf(r.body).code).toBe('internal');
    expect(errors.map(String)).toEqual(['Error: secret internals']);
  });

  it('close stops listening', async () => {
    const other = await startHttpServer({ routes: [] });
    await other.close();
    await expect(fetch(`${other.origin}/`)).rejects.toThrow();
  });
});
