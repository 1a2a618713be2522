import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FieldError, FieldErrorCode } from '../core/errors.ts';

/**
 * The twin's HTTP edge, on node:http: a table of routes, bodies read with a
 * size limit, and every bad input answered with a 4xx JSON error naming the
 * field — never a stack trace. // CONTRIBUTING "Bad input is a value"
 *
 * A route answers synchronously: everything behind it is in process and
 * runs at the paced instant (`PacedClock.inject`). Streams (Server-Sent
 * Events) get the response object instead.
 */

/** An error's code: a field mistake's, or one the HTTP layer adds. */
export type ApiErrorCode =
  | FieldErrorCode
  | 'not-found'
  | 'method-not-allowed'
  | 'too-large'
  | 'media-type'
  | 'json'
  | 'conflict'
  | 'not-implemented'
  | 'internal';

/** The body of every error answer: `{ error: { code, path, expected, got } }`, and `errors` when there are several. */
export interface ApiError {
  readonly code: ApiErrorCode;
  /** Where: `body.supplier`, `query.limit`, `path.eui`, or the request path itself. */
  readonly path: string;
  readonly expected: string;
  readonly got: string;
}

/** What a route answers. */
export interface HttpReply {
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
  readonly headers?: Readonly<Record<string, string>>;
}

/** A request as a route sees it: the body already read (within the limit) and, for JSON routes, parsed. */
export interface RouteRequest {
  readonly method: string;
  readonly path: string;
  /** The `:name` segments of the route's path, decoded. */
  readonly params: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
  readonly headers: IncomingHttpHeaders;
  /** The raw body, as UTF-8 text ('' when none). */
  readonly body: string;
  /** The parsed body of a `json` route (undefined for other routes). */
  readonly json: unknown;
}

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

/** One entry of the routing table. */
export type Route =
  | {
      readonly method: HttpMethod;
      /** Literal segments and `:name` parameters, e.g. `/api/devices/:eui`. */
      readonly path: string;
      /** `json`: the body must be JSON (415/400 otherwise); `text`: any body, as text; `none`: a body is ignored. Default `none`. */
      readonly body?: 'json' | 'text' | 'none';
      readonly handle: (req: RouteRequest) => HttpReply;
    }
  | {
      readonly method: 'GET';
      readonly path: string;
      /** A long-lived answer (Server-Sent Events): the route writes to `res` itself. */
      readonly stream: (req: RouteRequest, res: ServerResponse) => void;
    };

export interface HttpServerOptions {
  readonly routes: readonly Route[];
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** 0 for any free port. Default 0. */
  readonly port?: number;
  /** The largest request body accepted, in bytes. Default 1 MiB. */
  readonly bodyLimit?: number;
  /** Hears an exception a route threw (a bug): the client got a 500 without the stack. Default: written to stderr. */
  readonly onError?: (e: unknown, req: { method: string; path: string }) => void;
}

export interface RunningServer {
  readonly server: Server;
  readonly host: string;
  readonly port: number;
  /** `http://host:port` (IPv6 hosts in brackets). */
  readonly origin: string;
  /** Stops listening and closes every connection (streams too). */
  close(): Promise<void>;
}

export const DEFAULT_BODY_LIMIT = 1024 * 1024;

/** A JSON answer. */
export function json(status: number, value: unknown, headers?: Readonly<Record<string, string>>): HttpReply {
  return {
    status,
    contentType: 'application/json; charset=utf-8',
    body: JSON.stringify(value, jsonSafe),
    ...(headers === undefined ? {} : { headers }),
  };
}

/** An error answer: `{ error }`, plus `errors` when more than one mistake was found. */
export function fail(status: number, errors: ApiError | readonly ApiError[]): HttpReply {
  const list = Array.isArray(errors) ? (errors as readonly ApiError[]) : [errors as ApiError];
  const first = list[0] ?? { code: 'internal', path: '', expected: 'an error', got: 'none' };
  return json(status, list.length > 1 ? { error: first, errors: list } : { error: first });
}

/** Field errors from a parser, as a 400 answer, each path under `prefix` (e.g. `body`). */
export function badRequest(errors: FieldError | readonly FieldError[], prefix = 'body'): HttpReply {
  const list = Array.isArray(errors) ? (errors as readonly FieldError[]) : [errors as FieldError];
  return fail(
    400,
    list.map((e) => ({ ...e, path: e.path === '' ? prefix : `${prefix}.${e.path}` })),
  );
}

/** Bigints as decimal strings and bytes as hex, so any DSP value can be answered as JSON. */
export function jsonSafe(_key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Uint8Array) return Buffer.from(value).toString('hex');
  return value;
}

/** Starts listening; resolves once the port is bound. */
export async function startHttpServer(options: HttpServerOptions): Promise<RunningServer> {
  const table = options.routes.map((r) => ({ route: r, segments: r.path.split('/').filter((s) => s !== '') }));
  const limit = options.bodyLimit ?? DEFAULT_BODY_LIMIT;
  const onError =
    options.onError ??
    ((e: unknown, r: { method: string; path: string }) => {
      process.stderr.write(
        `smets-twin: internal error on ${r.method} ${r.path}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`,
      );
    });
  const streams = new Set<ServerResponse>();

  const server = createServer((req, res) => {
    const method = req.method ?? 'GET';
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://twin.invalid');
    } catch {
      send(res, fail(400, { code: 'format', path: 'url', expected: 'a request path', got: JSON.stringify(req.url ?? '') }));
      return;
    }
    const path = url.pathname;
    const segments = path.split('/').filter((s) => s !== '');
    const matches = table
      .map((t) => ({ route: t.route, params: matchPath(t.segments, segments) }))
      .filter((m): m is { route: Route; params: Record<string, string> } => m.params !== null);
    if (matches.length === 0) {
      drain(req);
      send(res, fail(404, { code: 'not-found', path, expected: 'a path the twin serves (GET / lists them)', got: JSON.stringify(path) }));
      return;
    }
    const match = matches.find((m) => m.route.method === method);
    if (match === undefined) {
      drain(req);
      const allow = [...new Set(matches.map((m) => m.route.method))].join(', ');
      send(res, { ...fail(405, { code: 'method-not-allowed', path, expected: allow, got: method }), headers: { allow } });
      return;
    }
    const route = match.route;
    const bodyKind = 'handle' in route ? (route.body ?? 'none') : 'none';
    if (bodyKind === 'json' && !isJsonType(req.headers['content-type'])) {
      drain(req);
      send(
        res,
        fail(415, {
          code: 'media-type',
          path: 'header.content-type',
          expected: 'application/json',
          got: JSON.stringify(req.headers['content-type'] ?? ''),
        }),
      );
      return;
    }
    const declared = Number(req.headers['content-length'] ?? '0');
    if (Number.isFinite(declared) && declared > limit) {
      tooLarge(req, res, limit, `${declared} bytes`);
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (chunk: Buffer) => {
      if (over) return;
      size += chunk.length;
      if (size > limit) {
        over = true;
        tooLarge(req, res, limit, `more than ${limit} bytes`);
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (over) return;
      const body = Buffer.concat(chunks).toString('utf8');
      let parsed: unknown = undefined;
      if (bodyKind === 'json') {
        try {
          parsed = JSON.parse(body);
        } catch (e) {
          send(
            res,
            fail(400, { code: 'json', path: 'body', expected: 'a JSON document', got: e instanceof Error ? e.message : 'unreadable' }),
          );
          return;
        }
      }
      const request: RouteRequest = {
        method,
        path,
        params: match.params,
        query: url.searchParams,
        headers: req.headers,
        body: bodyKind === 'none' ? '' : body,
        json: parsed,
      };
      try {
        if ('stream' in route) {
          streams.add(res);
          res.on('close', () => streams.delete(res));
          route.stream(request, res);
        } else send(res, route.handle(request));
      } catch (e) {
        onError(e, { method, path });
        if (!res.headersSent)
          send(res, fail(500, { code: 'internal', path, expected: 'no internal error', got: 'an internal error (logged by the twin)' }));
        else res.end();
      }
    });
    req.on('error', () => res.destroy());
  });
  // Request bodies come within this long or the connection goes.
  server.requestTimeout = 30_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.address;
  const origin = `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`;
  return {
    server,
    host,
    port: address.port,
    origin,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of streams) s.end();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** The params of `path` against a route's segments, or null when it does not match. */
function matchPath(route: readonly string[], path: readonly string[]): Record<string, string> | null {
  if (route.length !== path.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < route.length; i++) {
    const r = route[i] as string;
    const p = path[i] as string;
    if (r.startsWith(':')) {
      try {
        params[r.slice(1)] = decodeURIComponent(p);
      } catch {
        return null;
      }
    } else if (r !== p) return null;
  }
  return params;
}

function isJsonType(type: string | undefined): boolean {
  if (type === undefined) return false;
  const t = type.split(';')[0]?.trim().toLowerCase() ?? '';
  return t === 'application/json' || t.endsWith('+json');
}

function send(res: ServerResponse, reply: HttpReply): void {
  res.writeHead(reply.status, {
    'content-type': reply.contentType,
    'content-length': Buffer.byteLength(reply.body),
    'cache-control': 'no-store',
    ...reply.headers,
  });
  res.end(reply.body);
}

/** Answers 413; the rest of the body is read and dropped, and the connection closes after it. */
function tooLarge(req: IncomingMessage, res: ServerResponse, limit: number, got: string): void {
  send(res, {
    ...fail(413, { code: 'too-large', path: 'body', expected: `at most ${limit} bytes`, got }),
    headers: { connection: 'close' },
  });
  drain(req);
}

/** Reads and drops a body nobody will look at, so the connection can be reused. */
function drain(req: IncomingMessage): void {
  req.resume();
}
