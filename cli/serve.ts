import { parseArgs } from 'node:util';
import { formatFieldError } from '../core/errors.ts';
import { formatInstant } from '../core/time/uk-time.ts';
import { CREDENTIAL_FILES, exportPemCredentials } from '../rehearsal/credentials-export.ts';
import { DUIS_XML_HANDLERS } from '../rehearsal/duis-handlers.ts';
import { DUIS_SERVICES, duisPath, type DuisHandlers } from '../rehearsal/duis-slot.ts';
import { startRehearsal, type Rehearsal, type RehearsalOptions } from '../rehearsal/rehearsal.ts';
import { POLICY_NAMES, type PolicyName } from '../scenarios/schema/scenario.ts';

/**
 * `smets-twin serve <scenario>`: a live rehearsal. The scenario's world runs
 * on paced time (wall clock × speed); its regulatory steps happen at their
 * simulated instants; outside systems use the admin API, the DUIS web
 * services and their Receive Response Service URLs. Ctrl-C stops it.
 * See docs/rehearsal.md.
 */

export const SERVE_USAGE = `serve options (smets-twin serve <scenario name or file> [options]; Ctrl-C stops):
  --speed F          simulated ms per wall ms: 1 rehearses in real time, 60 shows a day in 24 min (default 1)
  --port P           TCP port, 0 for any free one (default 8079)
  --host H           address to listen on (default 127.0.0.1; the admin API has no authentication)
  --seed S           run seed (default: the scenario's)
  --premises N       homes in the estate (default: the scenario's)
  --days D           length of the scenario's timeline (default: the scenario's)
  --policy P         none, mp134a, mp134a+mp185 or mp134b: one policy (default: the scenario's)
  --external P       a party an outside system plays: failed, srp, solr, a file's party id or an EUI-64;
                     the twin sends none of its scripted requests (repeat or comma-separate for several)
  --receive-url P=URL  the party's Receive Response Service URL for asynchronous responses and alerts (repeatable)
  --credentials DIR  where external parties' credentials go (default out/rehearsal/<scenario>/credentials)
  --max-attempts N   delivery attempts per response or alert before giving up (default 6)
`;

/** The DUIS web services this build wires in: the DUIS XML gateway (docs/rehearsal.md "DUIS web services"). */
const DUIS_HANDLERS: DuisHandlers = DUIS_XML_HANDLERS;

/** How `runServe` talks to its caller; tests give their own stop signal and hear when it is ready. */
export interface ServeIo {
  readonly fail: (message: string) => number;
  readonly out?: NodeJS.WritableStream;
  /** Resolves when the rehearsal is to stop. Default: SIGINT or SIGTERM. */
  readonly stop?: Promise<void>;
  readonly ready?: (r: Rehearsal) => void;
}

export async function runServe(argv: readonly string[], io: ServeIo): Promise<number> {
  const out = io.out ?? process.stdout;
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        speed: { type: 'string' },
        port: { type: 'string' },
        host: { type: 'string' },
        seed: { type: 'string' },
        premises: { type: 'string' },
        days: { type: 'string' },
        policy: { type: 'string' },
        external: { type: 'string', multiple: true },
        'receive-url': { type: 'string', multiple: true },
        credentials: { type: 'string' },
        'max-attempts': { type: 'string' },
      },
      strict: true,
    });
  } catch (e) {
    return io.fail(e instanceof Error ? e.message : String(e));
  }
  const { values: a, positionals } = parsed;
  const [scenario, ...extra] = positionals;
  if (scenario === undefined) return io.fail('serve: name a scenario or a scenario file (smets-twin list shows the library)');
  if (extra.length > 0) return io.fail(`serve: one scenario at a time, got also "${extra.join(' ')}"`);
  const num = (flag: string, v: string | undefined, min: number, max: number, whole: boolean): number | undefined | string => {
    if (v === undefined) return undefined;
    const n = Number(v);
    const good = v.trim() !== '' && Number.isFinite(n) && n >= min && n <= max && (!whole || Number.isInteger(n));
    return good ? n : `--${flag}: expected ${whole ? 'a whole number' : 'a number'} from ${min} to ${max}, got "${v}"`;
  };
  const speed = num('speed', a.speed, 0.001, 1_000_000, false);
  const port = num('port', a.port, 0, 65_535, true);
  const premises = num('premises', a.premises, 1, 1_000_000, true);
  const days = num('days', a.days, 1, 366, true);
  const attempts = num('max-attempts', a['max-attempts'], 1, 100, true);
  for (const v of [speed, port, premises, days, attempts]) if (typeof v === 'string') return io.fail(v);
  if (a.policy !== undefined && !(POLICY_NAMES as readonly string[]).includes(a.policy)) {
    return io.fail(`--policy: expected one of ${POLICY_NAMES.join(', ')}, got "${a.policy}"`);
  }
  const receiveUrls: Record<string, string> = {};
  for (const r of a['receive-url'] ?? []) {
    const eq = r.indexOf('=');
    if (eq <= 0) return io.fail(`--receive-url: expected PARTY=URL (e.g. srp=http://127.0.0.1:9000/receive), got "${r}"`);
    receiveUrls[r.slice(0, eq)] = r.slice(eq + 1);
  }
  const external = (a.external ?? []).flatMap((x) => x.split(',')).filter((x) => x !== '');
  const options: RehearsalOptions = {
    scenario,
    port: (port as number | undefined) ?? 8079,
    ...(speed === undefined ? {} : { speed: speed as number }),
    ...(a.host === undefined ? {} : { host: a.host }),
    ...(a.seed === undefined ? {} : { seed: a.seed }),
    ...(premises === undefined ? {} : { premises: premises as number }),
    ...(days === undefined ? {} : { days: days as number }),
    ...(a.policy === undefined ? {} : { policy: a.policy as PolicyName }),
    ...(a.credentials === undefined ? {} : { credentialsDir: a.credentials }),
    ...(attempts === undefined ? {} : { retry: { maxAttempts: attempts as number } }),
    external,
    receiveUrls,
    duis: DUIS_HANDLERS,
    exportCredentials: exportPemCredentials,
  };
  const started = await startRehearsal(options);
  if (!started.ok) {
    return io.fail(`serve: ${started.error.map((e) => formatFieldError(e)).join('\n  ')}`);
  }
  const r = started.value;
  out.write(describe(r, options));
  io.ready?.(r);
  await (io.stop ?? signalled());
  await r.stop();
  out.write('smets-twin serve: stopped\n');
  return 0;
}

/** What the operator needs on start: where everything is. */
function describe(r: Rehearsal, o: RehearsalOptions): string {
  const rw = r.rw;
  const speed = r.paced.speed;
  const day = (24 * 60) / speed;
  const lines = [
    `smets-twin serve: ${rw.name}, policy ${rw.policy}, ${rw.world.homes.length.toLocaleString('en-GB')} homes, seed ${rw.plan.fleet.seed}`,
    `  speed ${speed}× (a simulated day in ${day >= 1 ? `${+day.toFixed(1)} min` : `${+(day * 60).toFixed(1)} s`}); simulated time starts ${formatInstant(rw.plan.fleet.start)}, the timeline ends ${formatInstant(rw.end)}`,
    `  status page    ${r.statusUrl}`,
    `  admin API      ${r.adminUrl}  (docs/rehearsal.md)`,
  ];
  const wired = DUIS_SERVICES.filter((s) => o.duis?.[s] !== undefined);
  lines.push(
    `  DUIS services  ${DUIS_SERVICES.map((s) => `POST ${r.origin}${duisPath(s)}`).join(', ')}` +
      (wired.length === DUIS_SERVICES.length
        ? ''
        : wired.length === 0
          ? ' (not wired in this build: each answers 501)'
          : ` (${wired.join(', ')} wired in this build; the others answer 501)`),
  );
  for (const p of rw.parties) {
    const url = r.delivery.urlOf(p.id);
    if (url !== null) lines.push(`  ${p.name} receives asynchronous responses and alerts at ${url}`);
  }
  for (const c of r.credentials) {
    lines.push(
      `  external       ${c.party.name} (${c.party.id}): the twin sends none of its scripted requests`,
      `                 its credentials: ${c.dir}${c.files.length > 0 ? ` (${c.files.length} files written: PEM and party.json)` : ' (none written; in process: credentialsFor)'}`,
    );
  }
  const esmes = rw.world.meters.filter((m) => !m.smets1 && m.slot.fuel === 'electricity');
  const example = esmes.find((m) => m.slot.snapshot.context.mode === 'Prepayment') ?? esmes[0];
  // The sample client plays a party that signs Pre-Commands (an SRP, a supplier).
  const first = r.credentials.find((c) => c.files.some((f) => f.endsWith(CREDENTIAL_FILES.signingKey)));
  if (example !== undefined && first !== undefined) {
    lines.push(
      `  sample client  npx tsx examples/srp-client.ts --url ${r.origin} --credentials ${first.dir} --device ${example.id} --receive-port 9000`,
    );
  }
  if (!isLoopback(r.origin)) lines.push('  warning: listening beyond this machine; the admin API has no authentication');
  lines.push('Ctrl-C stops.', '');
  return lines.join('\n');
}

function isLoopback(origin: string): boolean {
  const host = new URL(origin).hostname;
  return host === '127.0.0.1' || host === '[::1]' || host === 'localhost' || host.startsWith('127.');
}

/** Resolves on the first SIGINT or SIGTERM. */
function signalled(): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      process.off('SIGINT', done);
      process.off('SIGTERM', done);
      resolve();
    };
    process.on('SIGINT', done);
    process.on('SIGTERM', done);
  });
}
