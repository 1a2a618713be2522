/**
 * The live rehearsal's DUIS web services under load, over loopback HTTP, as
 * an outside client sees them: `smets-twin serve` at 1× in a child process
 * (small-solr, the SRP and the network operator played from outside, skipped
 * to after the Authority's instruction), and this process playing both
 * Users with the PEM credentials serve exported.
 *
 * Round-trip latency — from the instant a request is due to the whole
 * synchronous answer — at offered rates of 50, 100, 200, 400 and 800
 * requests per second, open loop on a fixed schedule (a late answer never
 * delays the next request), for
 *  - a non-critical request: SR 7.4 Read Supply Status, CV 1 → I99;
 *  - the critical pair: SR 1.6 CV 4 → I0 with a Pre-Command, the client
 *    verifying that answer and signing the Pre-Command, then CV 5 → I99.
 * Every accepted request also makes the DSP POST the meter's I0 to the
 * User's receiver (counted). The sustained rate is the highest offered rate
 * whose p50 stays within twice the p50 at the lowest rate, with every answer
 * the expected one. Target: p99 under 50 ms for a non-critical request at
 * 200 requests/s.
 *
 * Non-critical documents are signed before each step, so the client's own
 * XML signing does not eat into the schedule; the critical pair's CV 5 is
 * signed on the way, as a real client must.
 *
 * Usage: npm run bench:rehearsal [-- --rates 50,100,200,400,800 --seconds 4 --premises 200]
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { preCommandOf } from '../dsp/duis-xml/index.ts';
import { DuisClient, loadCredentials } from '../rehearsal/sample-client.ts';

const { values } = parseArgs({
  options: { rates: { type: 'string' }, seconds: { type: 'string' }, premises: { type: 'string' } },
});
const RATES = (values.rates ?? '50,100,200,400,800').split(',').map(Number);
const SECONDS = Number(values.seconds ?? 4);
const PREMISES = Number(values.premises ?? 200);
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SMALL_SOLR = join(ROOT, 'scenarios/examples/small-solr.yaml');
/** After the Authority's instruction (+3d) and the SRP's ADT file (+3d2h). */
const SKIP_TO = '2027-01-07T03:00:00Z';
const CREDIT = { kind: 'updatePaymentMode', updatePaymentMode: { kind: 'credit', credit: {} } } as const;
const READ = { kind: 'readSupplyStatus', readSupplyStatus: {} } as const;

/**
 * One HTTP/1.1 connection with pipelining: requests go out at once, in
 * order, and the server answers them in that order. The DSP refuses a
 * counter that is not above the originator's last (X10), so one User's
 * requests must reach it in counter order; over several connections they
 * overtake each other. Node's client does not pipeline, hence this.
 */
class Pipeline {
  private readonly socket: Socket;
  private readonly waiting: { resolve: (a: { status: number; text: string }) => void; reject: (e: Error) => void }[] = [];
  private buffer = Buffer.alloc(0);
  private readonly host: string;

  constructor(origin: string) {
    const u = new URL(origin);
    this.host = u.host;
    this.socket = connect({ host: u.hostname, port: Number(u.port) });
    this.socket.setNoDelay(true);
    this.socket.on('data', (c: Buffer) => this.read(c));
    this.socket.on('error', (e) => {
      for (const w of this.waiting.splice(0)) w.reject(e);
    });
  }

  post(path: string, body: string): Promise<{ status: number; text: string }> {
    const data = Buffer.from(body, 'utf8');
    const head = `POST ${path} HTTP/1.1\r\nhost: ${this.host}\r\ncontent-type: application/xml; charset=utf-8\r\ncontent-length: ${data.length}\r\n\r\n`;
    return new Promise((resolve, reject) => {
      this.waiting.push({ resolve, reject });
      this.socket.write(Buffer.concat([Buffer.from(head, 'latin1'), data]));
    });
  }

  close(): void {
    this.socket.destroy();
  }

  /** Answers in order, each with a content-length (the twin always sends one). */
  private read(chunk: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    for (;;) {
      const end = this.buffer.indexOf('\r\n\r\n');
      if (end < 0) return;
      const head = this.buffer.subarray(0, end).toString('latin1');
      const length = Number(/\r\ncontent-length:\s*(\d+)/i.exec(head)?.[1] ?? '0');
      if (this.buffer.length < end + 4 + length) return;
      const text = this.buffer.subarray(end + 4, end + 4 + length).toString('utf8');
      this.buffer = this.buffer.subarray(end + 4 + length);
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? '0');
      this.waiting.shift()?.resolve({ status, text });
    }
  }
}

const codeOf = (xml: string): string => /<sr:ResponseCode>([^<]*)<\/sr:ResponseCode>/.exec(xml)?.[1] ?? '?';

async function startServe(credentials: string): Promise<{ origin: string; stop: () => Promise<void> }> {
  const child = spawn(
    process.execPath,
    [
      join(ROOT, 'bin/smets-twin.mjs'),
      'serve',
      SMALL_SOLR,
      '--port',
      '0',
      '--speed',
      '1',
      '--premises',
      String(PREMISES),
      '--external',
      'srp,dno',
      '--credentials',
      credentials,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  const deadline = Date.now() + 120_000;
  while (!out.includes('Ctrl-C stops.')) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`serve did not start:\n${out}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  const origin = /status page\s+(http:\/\/[^/\s]+)\//.exec(out)?.[1];
  if (origin === undefined) throw new Error(`no origin in:\n${out}`);
  return {
    origin,
    stop: () =>
      new Promise<void>((resolve) => {
        child.on('exit', () => resolve());
        child.kill('SIGINT');
      }),
  };
}

interface Step {
  readonly kind: 'read' | 'critical';
  readonly rate: number;
  readonly sent: number;
  readonly ok: number;
  readonly other: Map<string, number>;
  readonly latencies: number[];
  readonly finals: number;
  readonly wallS: number;
}

const pct = (sorted: readonly number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'smets-twin-bench-'));
  // The Users' Receive Response Service: counts the DSP's POSTed responses (alerts aside).
  let received = 0;
  const rx = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (Buffer.concat(chunks).includes('<sr:ResponseMessage>')) received++;
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((r) => rx.listen(0, '127.0.0.1', r));
  const rxUrl = `http://127.0.0.1:${(rx.address() as AddressInfo).port}/receive`;
  const serve = await startServe(join(dir, 'credentials'));
  try {
    const admin = `${serve.origin}/api/admin`;
    const json = (path: string, body: unknown, method = 'POST'): Promise<Response> =>
      fetch(`${admin}${path}`, { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    if ((await json('/clock', { skipTo: SKIP_TO })).status !== 200) throw new Error('clock skip refused');
    const srpCreds = await loadCredentials(join(dir, 'credentials', 'srp'));
    const dnoCreds = await loadCredentials(join(dir, 'credentials', 'dno'));
    if (!srpCreds.ok || !dnoCreds.ok) throw new Error('credentials');
    const srp = new DuisClient(srpCreds.value, serve.origin);
    const dno = new DuisClient(dnoCreds.value, serve.origin);
    // The scripted ADT file allows 2 000 SR 1.6 a day: the benchmark sends more.
    const adt = await json('/adt-uploads?uploadedBy=SRO', {
      user: srp.credentials.eui64,
      role: 'SoLRContingency',
      thresholds: [{ srv: '1.6', limit: 100_000_000 }],
    });
    if (adt.status !== 200) throw new Error(`ADT upload refused: ${await adt.text()}`);
    for (const c of [srp, dno]) if ((await c.setReceiveUrl(rxUrl)) !== 200) throw new Error('receive URL refused');
    const status = (await (await fetch(`${serve.origin}/api/status`)).json()) as { exampleDevices: string[] };
    // Electricity meters: the status's examples are meters; keep the ESMEs (SMETS2) by asking each.
    const esmes: string[] = [];
    for (let i = 0; esmes.length < 50 && i < PREMISES * 2; i++) {
      const eui =
        `00-DB-12-00-00-00-${((i >> 8) & 0xff).toString(16).padStart(2, '0')}-${(i & 0xff).toString(16).padStart(2, '0')}`.toUpperCase();
      const d = (await (await fetch(`${serve.origin}/api/devices/${eui}`)).json()) as { type?: string; generation?: string };
      if (d.type === 'ESME' && d.generation === 'SMETS2') esmes.push(eui);
    }
    if (esmes.length === 0) throw new Error(`no SMETS2 ESME (examples: ${status.exampleDevices.join(', ')})`);

    const runStep = async (kind: 'read' | 'critical', rate: number, seconds: number): Promise<Step> => {
      const n = Math.round(rate * seconds);
      const client = kind === 'read' ? dno : srp;
      const line = new Pipeline(serve.origin);
      const post = (path: string, body: string): Promise<{ status: number; text: string }> => line.post(path, body);
      // Signed in send order: counters strictly increase per originator.
      const docs = Array.from({ length: n }, (_, i) => {
        const header = client.header(esmes[i % esmes.length]!, kind === 'read' ? '7.4' : '1.6', kind === 'read' ? 1 : 4);
        return { header, xml: client.document({ header, ...(kind === 'read' ? READ : CREDIT) }) };
      });
      const latencies: number[] = [];
      const other = new Map<string, number>();
      let ok = 0;
      const count = (code: string): void => void other.set(code, (other.get(code) ?? 0) + 1);
      const before = received;
      const one = async (i: number, due: number): Promise<void> => {
        const d = docs[i]!;
        try {
          if (kind === 'read') {
            const a = await post('/api/v1/serviceS', d.xml);
            latencies.push(performance.now() - due);
            const code = codeOf(a.text);
            if (a.status === 200 && code === 'I99') ok++;
            else count(`${a.status} ${code}`);
            return;
          }
          const t = await post('/api/v1/serviceT', d.xml);
          const read = srp.verify(t.text);
          const pre = read.ok ? preCommandOf(read.value) : undefined;
          if (pre === undefined) {
            latencies.push(performance.now() - due);
            count(`CV4 ${t.status} ${codeOf(t.text)}`);
            return;
          }
          const cv5 = srp.document({
            header: { ...d.header, commandVariant: 5 },
            kind: 'signedPreCommand',
            signedPreCommand: { command: pre, signature: srp.signPreCommand(pre) },
          });
          const s = await post('/api/v1/serviceS', cv5);
          latencies.push(performance.now() - due);
          const code = codeOf(s.text);
          if (s.status === 200 && code === 'I99') ok++;
          else count(`CV5 ${s.status} ${code}`);
        } catch (e) {
          latencies.push(performance.now() - due);
          count(e instanceof Error ? e.message : String(e));
        }
      };
      const inFlight: Promise<void>[] = [];
      const t0 = performance.now() + 20;
      for (let i = 0; i < n; i++) {
        const due = t0 + (i * 1000) / rate;
        const wait = due - performance.now();
        if (wait > 1) await new Promise((r) => setTimeout(r, wait));
        inFlight.push(one(i, due));
      }
      await Promise.all(inFlight);
      line.close();
      const wallS = (performance.now() - t0) / 1000;
      // The asynchronous I0s: wait (a little) for the DSP's POSTs to catch up.
      const until = Date.now() + 10_000;
      while (received - before < ok && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
      return { kind, rate, sent: n, ok, other, latencies: latencies.sort((a, b) => a - b), finals: received - before, wallS };
    };

    // Warm up both paths (JIT, connections, key caches).
    await runStep('read', 50, 1);
    await runStep('critical', 25, 1);

    const steps: Step[] = [];
    for (const kind of ['read', 'critical'] as const) {
      for (const rate of RATES) {
        const s = await runStep(kind, rate, SECONDS);
        steps.push(s);
        process.stderr.write(`${kind} ${rate}/s: p50 ${pct(s.latencies, 50).toFixed(1)} ms, p99 ${pct(s.latencies, 99).toFixed(1)} ms\n`);
      }
    }

    const lines = [
      `Rehearsal DUIS web services, loopback HTTP, serve at 1× (small-solr, ${PREMISES} premises), ${SECONDS} s per step, open loop`,
      `${cpus().length} × ${cpus()[0]?.model ?? '?'}, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}`,
      '',
      '| request                     | offered/s | achieved/s |  p50 ms |  p99 ms |  max ms | expected answer | other answers | async I0 POSTed |',
      '| --------------------------- | --------: | ---------: | ------: | ------: | ------: | --------------: | ------------- | --------------: |',
    ];
    for (const s of steps) {
      const label = s.kind === 'read' ? 'SR 7.4 CV 1 (non-critical)' : 'SR 1.6 CV 4 + sign + CV 5';
      const others = [...s.other].map(([k, v]) => `${k} ×${v}`).join(', ') || '—';
      lines.push(
        `| ${label.padEnd(27)} | ${String(s.rate).padStart(9)} | ${(s.ok / s.wallS).toFixed(0).padStart(10)} | ${pct(s.latencies, 50).toFixed(1).padStart(7)} | ${pct(s.latencies, 99).toFixed(1).padStart(7)} | ${(s.latencies.at(-1) ?? NaN).toFixed(1).padStart(7)} | ${`${s.ok}/${s.sent}`.padStart(15)} | ${others.padEnd(13)} | ${String(s.finals).padStart(15)} |`,
      );
    }
    lines.push('');
    for (const kind of ['read', 'critical'] as const) {
      const mine = steps.filter((s) => s.kind === kind);
      const base = pct(mine[0]?.latencies ?? [], 50);
      const sustained = mine.filter((s) => pct(s.latencies, 50) <= 2 * base && s.ok === s.sent).map((s) => s.rate);
      let best = 0;
      for (const s of mine) {
        if (!sustained.includes(s.rate)) break;
        best = s.rate;
      }
      lines.push(
        `${kind === 'read' ? 'non-critical' : 'critical pair'}: sustained ${best} req/s (p50 within 2× the p50 of ${base.toFixed(1)} ms at ${mine[0]?.rate ?? '?'}/s, every answer as expected)`,
      );
    }
    const at200 = steps.find((s) => s.kind === 'read' && s.rate === 200);
    if (at200 !== undefined) {
      const p99 = pct(at200.latencies, 99);
      lines.push(`target: non-critical p99 under 50 ms at 200 req/s — ${p99.toFixed(1)} ms: ${p99 < 50 ? 'met' : 'NOT met'}`);
    }
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    await serve.stop();
    await new Promise((r) => rx.close(r));
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
