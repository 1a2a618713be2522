/**
 * The sharded runtime's own cost: the toy engine (scale/toy-engine.ts) run to its end
 *  - in one thread with no bus (`runInProcess`: the protocol's state machines passing messages in memory) — the
 *    baseline the bus runs are measured against;
 *  - with 1 and 2 shards as worker threads, over the embedded aedes broker (in this process) and over mosquitto
 *    when it is installed, with cross-shard messages through the coordinator and shard to shard.
 * It prints windows per second (the barrier's rate) and cross messages per second, for two workloads: `light`, where
 * the barrier dominates (few entities, a handful of messages a window), and `busy` (many entities, hundreds of messages
 * a window); and the ratio 2 shards ÷ 1 shard. Every run's merged result is checked against the baseline's.
 *
 * Wall time is measured by the coordinator from releasing window 1 to the last result: the shards' start-up and
 * engine set-up are not counted. Each figure is the median of RUNS.
 *
 * Usage: npm run bench:scale-runtime [-- --runs R --light-entities N --busy-entities N --duration-ms D]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { findMosquitto, startMosquitto } from '../emulator/bus/mosquitto.ts';
import { runLocal } from '../scale/launch.ts';
import { runInProcess } from '../scale/protocol/in-process.ts';
import { parseToyConfig, toyEngine } from '../scale/toy-engine.ts';
import type { Routing } from '../proto/scale-codec.ts';

const { values } = parseArgs({
  options: {
    runs: { type: 'string' },
    'light-entities': { type: 'string' },
    'busy-entities': { type: 'string' },
    'duration-ms': { type: 'string' },
  },
});
const RUNS = Number(values.runs ?? 3);
const DURATION_MS = Number(values['duration-ms'] ?? 300_000);
const WORKLOADS = {
  light: { seed: 'bench', entities: Number(values['light-entities'] ?? 50), durationMs: DURATION_MS },
  busy: { seed: 'bench', entities: Number(values['busy-entities'] ?? 3_000), durationMs: DURATION_MS },
} as const;

interface Figure {
  readonly windows: number;
  readonly messages: number;
  readonly wallMs: number;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const fmt = (n: number): string => Math.round(n).toLocaleString('en-GB');

async function measure(run: () => Promise<Figure> | Figure): Promise<Figure> {
  await run(); // warm-up
  const figures: Figure[] = [];
  for (let i = 0; i < RUNS; i++) figures.push(await run());
  return { windows: figures[0]!.windows, messages: figures[0]!.messages, wallMs: median(figures.map((f) => f.wallMs)) };
}

const rows: string[][] = [];
function row(workload: string, where: string, shards: number, routing: string, f: Figure, per1?: Figure): void {
  const wps = f.windows / (f.wallMs / 1000);
  const mps = f.messages / (f.wallMs / 1000);
  const ratio = per1 === undefined ? '' : `${(per1.wallMs / f.wallMs).toFixed(2)}×`;
  rows.push([workload, where, String(shards), routing, fmt(f.wallMs), fmt(wps), fmt(mps), ratio]);
  console.log(
    `${workload.padEnd(6)} ${where.padEnd(22)} ${String(shards).padStart(2)} ${routing.padEnd(12)} ${fmt(f.wallMs).padStart(8)} ms  ${fmt(wps).padStart(8)} windows/s  ${fmt(mps).padStart(10)} messages/s  ${ratio}`,
  );
}

console.log(`node ${process.version}, ${availableParallelism()} cores (${cpus()[0]?.model ?? '?'}), ${RUNS} runs each (median)`);
const mosquittoBinary = findMosquitto();
const mosquittoDir = mosquittoBinary === null ? undefined : await mkdtemp(join(tmpdir(), 'smets-bench-scale-'));
const mosquitto = mosquittoBinary === null ? undefined : await startMosquitto({ configDir: mosquittoDir!, binary: mosquittoBinary });
if (mosquitto === undefined) console.log('mosquitto is not installed: only the embedded broker is measured');

try {
  for (const [name, json] of Object.entries(WORKLOADS)) {
    const config = parseToyConfig(json);
    if (!config.ok) throw new Error(JSON.stringify(config.error));
    const spec = { kind: toyEngine, config: config.value };
    const reference = runInProcess({ spec, shards: 1 }).result;
    console.log(
      `\n${name}: ${json.entities} entities, ${json.durationMs / 1000} s of virtual time in windows of ${config.value.lookaheadMs} ms`,
    );

    for (const shards of [1, 2]) {
      const f = await measure(() => {
        const t = performance.now();
        const r = runInProcess({ spec, shards });
        return { windows: r.windows, messages: r.messages, wallMs: performance.now() - t };
      });
      row(name, 'in process, no bus', shards, 'coordinator', f);
    }

    const brokers: [string, string | undefined][] = [['embedded aedes', undefined]];
    if (mosquitto !== undefined) brokers.push(['mosquitto', mosquitto.url]);
    for (const [where, url] of brokers)
      for (const routing of ['coordinator', 'direct'] as Routing[]) {
        let one: Figure | undefined;
        for (const shards of [1, 2]) {
          const f = await measure(async () => {
            const r = await runLocal({
              mode: 'workers',
              shards,
              engine: 'toy',
              config: json,
              routing,
              ...(url === undefined ? {} : { brokerUrl: url }),
            });
            if (!r.ok) throw r.error;
            if (Buffer.compare(r.outcome.result, reference) !== 0)
              throw new Error(`${where} ${shards} shards ${routing}: the result differs from the baseline`);
            return { windows: r.outcome.windows, messages: r.outcome.messages, wallMs: r.outcome.wallMs };
          });
          row(name, `workers, ${where}`, shards, routing, f, shards === 2 ? one : undefined);
          if (shards === 1) one = f;
        }
      }
  }
} finally {
  await mosquitto?.stop();
  if (mosquittoDir !== undefined) await rm(mosquittoDir, { recursive: true, force: true });
}

console.log('\n| workload | where | shards | routing | wall ms | windows/s | messages/s | rate, 2 shards ÷ 1 shard |');
console.log('| --- | --- | --- | --- | --- | --- | --- | --- |');
for (const r of rows) console.log(`| ${r.join(' | ')} |`);
