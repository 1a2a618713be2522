import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unwrap } from '../../core/result.ts';
import { Rng } from '../../core/rng.ts';
import { DAY_MS } from '../../core/time/duration.ts';
import { MachineStepper } from '../../emulator/devices/common/machine-stepper.ts';
import { esmeMachine } from '../../emulator/devices/esme/machine.ts';
import { gsmeMachine } from '../../emulator/devices/gsme/machine.ts';
import { ppmidMachine } from '../../emulator/devices/ppmid/machine.ts';
import { fleetKeys } from '../../emulator/fleet/fleet-keys.ts';
import { DEFAULT_FLEET_OPTIONS } from '../../emulator/fleet/fleet-options.ts';
import { buildPremises, premisesFacts } from '../../emulator/fleet/fleet-runner.ts';
import { VirtualClock } from '../../core/time/virtual-clock.ts';
import type { Report } from '../../scenarios/report/report-model.ts';
import { playSolr } from '../../scenarios/runner/play-solr.ts';
import { runLocal } from '../../scale/launch.ts';
import { sha256Hex } from '../../scale/protocol/digest.ts';
import { runInProcess, type InProcessOutcome } from '../../scale/protocol/in-process.ts';
import { blockOf, blocksOf, planOf, solrEngine } from '../../scale/solr-engine.ts';
import { skipMosquitto, startTestEmbeddedBroker, startTestMosquitto, type TestBroker } from '../support/brokers.ts';

// The flagship as a sharded engine: the DSP and the Users on shard 0, blocks of premises on every shard, the WAN
// between them as messages a hop apart. docs/scale-out.md "The SoLR world"

/** Small, but long enough for the SRP (day 2) and a day of change of supplier (day 6). */
const CONFIG_JSON = { premises: 120, days: 8, seed: 'solr-shards' } as const;
const config = unwrap(solrEngine.parse(CONFIG_JSON));
const decode = (b: Uint8Array): Report => JSON.parse(new TextDecoder().decode(b)) as Report;

let reference: InProcessOutcome | undefined;
const oneShard = (): InProcessOutcome => (reference ??= runInProcess({ spec: { kind: solrEngine, config }, shards: 1 }));

describe('the SoLR world as a sharded engine', () => {
  it('gives the same report byte for byte on 1, 2 and 4 shards, with the same windows and messages', () => {
    const one = oneShard();
    for (const shards of [2, 4]) {
      const run = runInProcess({ spec: { kind: solrEngine, config }, shards });
      expect(sha256Hex(run.result), `${shards} shards`).toBe(sha256Hex(one.result));
      expect([run.windows, run.messages]).toEqual([one.windows, one.messages]);
    }
    // Commands down, answers and alerts up: the WAN really crosses.
    expect(one.messages).toBeGreaterThan(2 * 40);
  });

  it('reports the whole estate, and the flagship holds its four promises', () => {
    const report = decode(oneShard().result);
    const inProcess = playSolr(planOf(config));
    const meters = inProcess.world.meters.length;
    const all = report.policies[0]?.outcomes.all;
    expect(all?.consumers).toBe(CONFIG_JSON.premises);
    expect(all?.meters).toBe(meters);
    // The same prepayment meters are covered as in process: the SRP's list comes from the failed supplier's records.
    expect(report.policies[0]?.timeToSafeMode.meters).toBe(inProcess.instructed.meters.length);
    expect(report.policies[0]?.timeToSafeMode.never).toBe(0);
    expect(report.assertions).toHaveLength(4);
    for (const a of report.assertions) expect(a.passed, `${a.name}: ${a.actual}`).toBe(true);
    expect(report.run.bus).toContain('WAN hop of 30 s');
  });

  it('the DSP knows a premises built on another shard by its facts alone', () => {
    const o = { ...DEFAULT_FLEET_OPTIONS, premises: 200, seed: 'facts', prepaymentShare: 0.4 };
    const clock = new VirtualClock(o.start);
    const world = {
      clock,
      esme: new MachineStepper(esmeMachine),
      gsme: new MachineStepper(gsmeMachine),
      ppmid: new MachineStepper(ppmidMachine),
      supplier: new Uint8Array(8),
      stats: { alerts: new Map<number, number>(), topUps: 0, topUpsRejected: 0 },
    };
    const keys = fleetKeys(o.seed, 0, 2 * o.premises);
    const root = Rng.fromSeed(o.seed);
    for (let i = 0; i < o.premises; i++) {
      const p = buildPremises(o, world, root, i, keys.secrets[2 * i], keys.secrets[2 * i + 1]);
      const facts = premisesFacts(o, root, i);
      expect(facts.dual, `premises ${i}`).toBe(p.household.fuels === 'dual');
      expect(facts.mode, `premises ${i}`).toBe(p.meters[0]?.snapshot.context.mode);
    }
  });

  it('puts every premises in exactly one block, in order, the DSP on shard 0 with a smaller block', () => {
    for (const [premises, shards, dspWeight] of [
      [120, 1, 1],
      [120, 4, 0],
      [120, 2, 1],
      [7, 3, 0.2],
      [1000, 7, 0.5],
    ] as const) {
      const starts = blocksOf({ premises, dspWeight }, shards);
      expect(starts).toHaveLength(shards + 1);
      expect([starts[0], starts[shards]]).toEqual([0, premises]);
      let last = 0;
      for (let home = 0; home < premises; home++) {
        const k = blockOf(home, starts);
        expect(k).toBeGreaterThanOrEqual(last);
        expect(home >= (starts[k] ?? -1) && home < (starts[k + 1] ?? -1), `${home} in block ${k} of ${starts.join(',')}`).toBe(true);
        last = k;
      }
    }
    // Balanced at weight 1: with two shards the DSP has one to itself.
    expect(blocksOf({ premises: 120, dspWeight: 1 }, 2)).toEqual([0, 0, 120]);
    expect(blocksOf({ premises: 120, dspWeight: 0 }, 4)).toEqual([0, 30, 60, 90, 120]);
    expect(solrEngine.shardOf?.('dsp', 4, config)).toBe(0);
    expect(solrEngine.shardOf?.('h119', 4, config)).toBe(3);
  });

  it('gives the same report whatever the placement', () => {
    const run = runInProcess({ spec: { kind: solrEngine, config: { ...config, dspWeight: 0 } }, shards: 3 });
    expect(sha256Hex(run.result)).toBe(sha256Hex(oneShard().result));
    expect(solrEngine.model({ ...config, dspWeight: 0 }).scenarioDigest).toBe(solrEngine.model(config).scenarioDigest);
  });

  it('takes the WAN hop as its lookahead, and the run ends with the flagship', () => {
    const m = solrEngine.model(config);
    expect(m.lookaheadMs).toBe(30_000);
    expect(m.end).toBe(planOf(config).fleet.start + 8 * DAY_MS);
    expect(solrEngine.model({ ...config, seed: 'other' }).scenarioDigest).toBe(m.scenarioDigest);
    expect(solrEngine.model({ ...config, wanHopMs: 60_000 }).scenarioDigest).not.toBe(m.scenarioDigest);
  });

  it.each([
    [{ premises: 0 }, 'config.premises', 'range'],
    [{ policy: 'mp999' }, 'config.policy', 'unknown-kind'],
    [{ wanHopMs: 10 }, 'config.wanHopMs', 'range'],
    [{ srpPerHour: 100, srpHours: 5 }, 'config.srpHours', 'format'],
    [{ smets1Share: 2 }, 'config.smets1Share', 'range'],
    [{ faults: [] }, 'config.faults', 'unknown-kind'],
    [{ dspWeight: -1 }, 'config.dspWeight', 'range'],
  ])('refuses %j naming the field', (raw, path, code) => {
    expect(solrEngine.parse(raw)).toMatchObject({ ok: false, error: { path, code } });
  });
});

// Mosquitto when there is one (CI installs it); otherwise the embedded broker.
describe(`the sharded flagship as separate processes over ${skipMosquitto ? 'the embedded broker' : 'mosquitto'}`, () => {
  let broker: TestBroker;
  beforeAll(async () => {
    broker = skipMosquitto ? await startTestEmbeddedBroker() : await startTestMosquitto();
  });
  afterAll(async () => {
    await broker?.close();
  });

  it.each([2, 4])(
    '%i shard processes and the coordinator give the report of one shard in process',
    async (shards) => {
      const run = await runLocal({
        mode: 'processes',
        brokerUrl: broker.url,
        shards,
        engine: 'solr',
        config: CONFIG_JSON,
        doneTimeoutMs: 60_000,
      });
      if (!run.ok) throw run.error;
      expect(sha256Hex(run.outcome.result)).toBe(sha256Hex(oneShard().result));
      expect(run.exits.map((e) => e.code)).toEqual(Array.from({ length: shards }, () => 0));
    },
    180_000,
  );
});

describe('the sharded flagship as worker threads over the embedded broker', () => {
  it('2 shards give the report of one shard in process', async () => {
    const run = await runLocal({ mode: 'workers', shards: 2, engine: 'solr', config: CONFIG_JSON, doneTimeoutMs: 60_000 });
    if (!run.ok) throw run.error;
    expect(sha256Hex(run.outcome.result)).toBe(sha256Hex(oneShard().result));
  }, 180_000);
});
