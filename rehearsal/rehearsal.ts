import type { ServerResponse } from 'node:http';
import { join } from 'node:path';
import { fieldError, type FieldError } from '../core/errors.ts';
import { toEui64 } from '../core/ids.ts';
import { err, ok, type Result } from '../core/result.ts';
import type { DspOutput } from '../dsp/dsp-outputs.ts';
import type { PartyCredentials, SolrWorld } from '../scenarios/runner/solr-world.ts';
import { ADMIN_PREFIX, adminRoutes } from './admin-api.ts';
import { Delivery, parseReceiveUrl, type OutputEncoder, type Poster, type RetryPolicy } from './delivery.ts';
import { duisXmlEncoder } from './duis-encoder.ts';
import { DUIS_XML_HANDLERS } from './duis-handlers.ts';
import { duisPath, duisRoutes, DUIS_SERVICES, type DuisHandlers } from './duis-slot.ts';
import { fail, json, jsonSafe, startHttpServer, type Route, type RunningServer } from './http-server.ts';
import { PacedClock, SYSTEM_WALL_CLOCK, type WallClock } from './paced-clock.ts';
import { rehearsalWorld, type RehearsalChoice, type RehearsalParty, type RehearsalWorld } from './rehearsal-world.ts';
import { StatusBoard, type StatusSnapshot } from './status.ts';
import { statusPage } from './status-page.ts';

/**
 * A live rehearsal: a scenario's world on paced time behind an HTTP server —
 * the status page and its live feed, device lookup, the admin API, the DUIS
 * web services (the DUIS XML gateway) — with the DSP's asynchronous
 * responses and alerts POSTed, as signed DUIS XML, to each User's Receive
 * Response Service URL. `smets-twin serve`
 * runs one; tests start one in process on an ephemeral port.
 */

export interface RehearsalOptions extends RehearsalChoice {
  /** Virtual ms per wall ms. Default 1. */
  readonly speed?: number;
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** Default 0: any free port. */
  readonly port?: number;
  /** Receive Response Service URLs at start, by party (alias or EUI-64). */
  readonly receiveUrls?: Readonly<Record<string, string>>;
  readonly retry?: Partial<RetryPolicy>;
  /** The body POSTed for each output. Default DUIS XML signed by the DSP (`duisXmlEncoder`); `jsonEncoder` for the raw output. */
  readonly encode?: OutputEncoder;
  /** For tests: how delivery POSTs. */
  readonly post?: Poster;
  /** The DUIS web services wired in; each one missing answers 501. Default the DUIS XML gateway (`DUIS_XML_HANDLERS`). */
  readonly duis?: DuisHandlers;
  /** Where each external party's credentials go, one folder per party. Default `out/rehearsal/<scenario>/credentials`. */
  readonly credentialsDir?: string;
  /** Writes a party's credentials into `dir` (`exportPemCredentials` plugs in here) and returns the files written. Default none. */
  readonly exportCredentials?: (
    party: RehearsalParty,
    credentials: PartyCredentials,
    dir: string,
    context: CredentialsContext,
  ) => Promise<readonly string[]>;
  /** For tests: the wall clock pacing virtual time and the live feed. Default the process's. */
  readonly wall?: WallClock;
  /** How often the live feed sends the status, in wall ms. Default 1000. */
  readonly statusEveryMs?: number;
  /** Largest request body, bytes. Default 1 MiB. */
  readonly bodyLimit?: number;
  /** Hears a bug: an exception in a virtual event (the paced clock has stopped) or in a route. Default: stderr. */
  readonly onError?: (e: unknown) => void;
}

/** What an exporter may say about a party besides its credentials: where to reach the twin. */
export interface CredentialsContext {
  readonly world: SolrWorld;
  readonly scenario: string;
  readonly policy: string;
  /** `http://host:port` of the running rehearsal. */
  readonly origin: string;
  /** The party's Receive Response Service URL at start, or null. */
  readonly receiveUrl: string | null;
}

/** Where an external party's credentials are. */
export interface CredentialsPlace {
  readonly party: RehearsalParty;
  readonly dir: string;
  /** Files the exporter wrote; empty when no exporter was given. */
  readonly files: readonly string[];
}

export interface Rehearsal {
  readonly rw: RehearsalWorld;
  readonly paced: PacedClock;
  readonly delivery: Delivery;
  /** `http://host:port` */
  readonly origin: string;
  /** The status page. */
  readonly statusUrl: string;
  /** The admin API's root. */
  readonly adminUrl: string;
  readonly credentials: readonly CredentialsPlace[];
  /** The twin's credentials of a party (alias or EUI-64). */
  credentialsFor(party: string): PartyCredentials | undefined;
  /** The status at the paced instant. */
  status(): StatusSnapshot;
  /** Stops pacing, delivery, the live feed and the server. */
  stop(): Promise<void>;
}

export async function startRehearsal(o: RehearsalOptions): Promise<Result<Rehearsal, readonly FieldError[]>> {
  const speed = o.speed ?? 1;
  if (!(Number.isFinite(speed) && speed > 0 && speed <= 1_000_000))
    return err([fieldError('speed', 'range', 'a number above 0, at most 1000000', speed)]);
  const built = await rehearsalWorld(o);
  if (!built.ok) return built;
  const rw = built.value;
  const { world } = rw;
  const clock = world.clock;

  // Receive Response Service URLs given at start, checked before anything runs.
  const startUrls: { party: RehearsalParty; url: string }[] = [];
  const errors: FieldError[] = [];
  for (const [name, raw] of Object.entries(o.receiveUrls ?? {})) {
    const party = rw.party(name);
    const url = parseReceiveUrl(raw, `receiveUrls.${name}`);
    if (party === undefined) errors.push(fieldError(`receiveUrls.${name}`, 'unknown-kind', 'a party of the scenario or its EUI-64', name));
    else if (!url.ok) errors.push(url.error);
    else startUrls.push({ party, url: url.value });
  }
  if (errors.length > 0) return err(errors);

  const onError =
    o.onError ??
    ((e: unknown) => process.stderr.write(`smets-twin: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`));
  const wall = o.wall ?? SYSTEM_WALL_CLOCK;
  const paced = new PacedClock({ clock, speed, wall, onError });
  const delivery = new Delivery({
    encode: o.encode ?? duisXmlEncoder(world),
    ...(o.retry === undefined ? {} : { retry: o.retry }),
    ...(o.post === undefined ? {} : { post: o.post }),
  });
  const board = new StatusBoard(rw);
  // Outputs a DUIS handler answers in its HTTP reply are not POSTed again.
  const inline = new WeakSet<DspOutput>();
  world.listen((out) => {
    board.observe(out, clock.now());
    if (inline.has(out)) inline.delete(out);
    else delivery.offer(out, clock.now());
  });
  for (const { party, url } of startUrls) {
    world.dsp.admin.setReceiveUrl(party.id, url, clock.now());
    delivery.setUrl(party.id, url);
  }

  const status = (): StatusSnapshot => paced.inject((now) => board.snapshot(now, paced.speed, paced.lag(), delivery.users()));

  // The live feed: one wall timer for every open stream, the status computed once per beat.
  const streams = new Set<ServerResponse>();
  const every = o.statusEveryMs ?? 1000;
  let cancelBeat: (() => void) | null = null;
  const send = (res: ServerResponse, s: StatusSnapshot): void => void res.write(`event: status\ndata: ${JSON.stringify(s, jsonSafe)}\n\n`);
  const beat = (): void => {
    cancelBeat = null;
    if (streams.size === 0 || !paced.running) return;
    try {
      const s = status();
      for (const res of streams) send(res, s);
    } catch (e) {
      onError(e);
    }
    cancelBeat = wall.setTimer(beat, every);
  };

  const routes: Route[] = [
    { method: 'GET', path: '/', handle: () => ({ status: 200, contentType: 'text/html; charset=utf-8', body: statusPage(rw.name) }) },
    {
      method: 'GET',
      path: '/api',
      handle: () =>
        json(200, {
          scenario: rw.name,
          routes: routes.map((r) => `${r.method} ${r.path}`),
        }),
    },
    { method: 'GET', path: '/api/status', handle: () => json(200, status()) },
    {
      method: 'GET',
      path: '/api/events',
      stream: (_req, res) => {
        res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive' });
        res.write('retry: 2000\n\n');
        streams.add(res);
        res.on('close', () => streams.delete(res));
        send(res, status());
        if (cancelBeat === null) cancelBeat = wall.setTimer(beat, every);
      },
    },
    {
      method: 'GET',
      path: '/api/devices/:eui',
      handle: (req) => {
        const raw = req.params['eui'] ?? '';
        const id = toEui64(raw.trim(), 'path.eui');
        if (!id.ok) return fail(400, id.error);
        const found = paced.inject((now) => board.device(id.value, now));
        if (found === undefined) {
          return fail(404, {
            code: 'not-found',
            path: 'path.eui',
            expected: 'a meter or comms hub of the estate',
            got: JSON.stringify(id.value),
          });
        }
        return json(200, found);
      },
    },
    ...adminRoutes({ rw, paced, delivery }),
    ...duisRoutes(o.duis ?? DUIS_XML_HANDLERS, paced, world, (out) => inline.add(out)),
  ];

  let server: RunningServer;
  try {
    server = await startHttpServer({
      routes,
      ...(o.host === undefined ? {} : { host: o.host }),
      ...(o.port === undefined ? {} : { port: o.port }),
      ...(o.bodyLimit === undefined ? {} : { bodyLimit: o.bodyLimit }),
      onError: (e) => onError(e),
    });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') {
      return err([
        fieldError(
          code === 'EADDRINUSE' || code === 'EACCES' ? 'port' : 'host',
          'range',
          'a port and host this machine can listen on',
          `${o.host ?? '127.0.0.1'}:${o.port ?? 0} (${code})`,
        ),
      ]);
    }
    throw e;
  }

  const root = o.credentialsDir ?? join('out', 'rehearsal', rw.name, 'credentials');
  const credentials: CredentialsPlace[] = [];
  for (const party of rw.external) {
    const dir = join(root, party.aliases[0] ?? party.id);
    const creds = world.credentials.get(party.id);
    const context: CredentialsContext = {
      world,
      scenario: rw.name,
      policy: rw.policy,
      origin: server.origin,
      receiveUrl: delivery.urlOf(party.id),
    };
    let files: readonly string[] = [];
    try {
      if (o.exportCredentials !== undefined && creds !== undefined) files = await o.exportCredentials(party, creds, dir, context);
    } catch (e) {
      await server.close();
      const code = (e as NodeJS.ErrnoException).code ?? (e instanceof Error ? e.message : String(e));
      return err([fieldError('credentialsDir', 'range', 'a folder the twin can write the credentials into', `${dir} (${code})`)]);
    }
    credentials.push({ party, dir, files });
  }

  paced.start();
  let stopping: Promise<void> | null = null;
  return ok({
    rw,
    paced,
    delivery,
    origin: server.origin,
    statusUrl: `${server.origin}/`,
    adminUrl: `${server.origin}${ADMIN_PREFIX}`,
    credentials,
    credentialsFor: (party) => rw.credentialsFor(party),
    status,
    stop: () =>
      (stopping ??= (async () => {
        paced.stop();
        delivery.stop();
        cancelBeat?.();
        cancelBeat = null;
        for (const res of streams) res.end();
        streams.clear();
        await server.close();
      })()),
  });
}

/** The DUIS web services' URLs on a running rehearsal. */
export function duisUrls(origin: string): readonly string[] {
  return DUIS_SERVICES.map((s) => `${origin}${duisPath(s)}`);
}
