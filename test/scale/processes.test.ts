import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runLocal } from '../../scale/launch.ts';
import { sha256Hex } from '../../scale/protocol/digest.ts';
import { skipMosquitto, startTestEmbeddedBroker, startTestMosquitto, type TestBroker } from '../support/brokers.ts';
import { referenceRun, TOY_JSON } from './harness.ts';

// Shards as separate processes — the same command that runs a shard by hand on another machine — against mosquitto
// (the embedded broker when mosquitto is not installed), and the coordinator and shards configured by environment only,
// as in a container. docs/scale-out.md "Launching"

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

interface Ran {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `node --import tsx <script>` from the repository root with the given arguments and environment. */
function node(script: string, args: readonly string[], env: Record<string, string> = {}): Promise<Ran> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
      cwd: ROOT,
      env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

// Mosquitto when there is one (or when CI requires it); otherwise the embedded broker, in this process.
const useMosquitto = !skipMosquitto;

describe(`shards as child processes over ${useMosquitto ? 'mosquitto' : 'the embedded broker (mosquitto is not installed)'}`, () => {
  let broker: TestBroker;
  beforeAll(async () => {
    broker = useMosquitto ? await startTestMosquitto() : await startTestEmbeddedBroker();
  });
  afterAll(async () => {
    await broker?.close();
  });

  it('2 shard processes give the reference result, and exit 0', async () => {
    const run = await runLocal({
      mode: 'processes',
      brokerUrl: broker.url,
      shards: 2,
      engine: 'toy',
      config: TOY_JSON,
      doneTimeoutMs: 20_000,
    });
    if (!run.ok) throw run.error;
    expect(run.outcome.result).toEqual(referenceRun().result);
    expect(run.exits.map((e) => e.code)).toEqual([0, 0]);
  }, 120_000);

  it('configured by environment variables only, shard indices assigned by the coordinator: the same result', async () => {
    const env = {
      SMETS_BROKER_URL: broker.url,
      SMETS_RUN_ID: 'by-env',
      SMETS_SHARDS: '2',
      SMETS_ENGINE: 'toy',
      SMETS_ENGINE_CONFIG: JSON.stringify(TOY_JSON),
      SMETS_ROUTING: 'direct',
    };
    const shards = [0, 1].map(() => node('scale/shard-main.ts', [], { ...env, SMETS_SHARD: 'auto' }));
    const coordinator = await node('scale/coordinator-main.ts', [], { ...env, SMETS_DONE_TIMEOUT_MS: '20000' });
    const shardRuns = await Promise.all(shards);
    expect(coordinator.stderr).toBe('');
    expect(coordinator.code).toBe(0);
    const summary = JSON.parse(coordinator.stdout) as Record<string, unknown>;
    expect(summary).toMatchObject({ shards: 2, windows: referenceRun().windows, resultDigest: sha256Hex(referenceRun().result) });
    for (const s of shardRuns) {
      expect(s.code).toBe(0);
      // Each shard exits once the coordinator has announced the merged result, and knows its digest.
      expect(JSON.parse(s.stdout)).toMatchObject({
        clientId: expect.stringMatching(/^sim\.by-env-sx-[0-9a-f]{8}$/) as string,
        resultDigest: sha256Hex(referenceRun().result),
      });
    }
    expect(shardRuns.map((s) => (JSON.parse(s.stdout) as { shard: number }).shard).sort()).toEqual([0, 1]);
  }, 120_000);
});

describe('the command lines', () => {
  it.each([
    ['scale/shard-main.ts', ['--broker', 'mqtt://127.0.0.1:1', '--run', 'r', '--of', '2', '--config', '{"seed":1}'], '--shard: required'],
    [
      'scale/shard-main.ts',
      ['--broker', 'mqtt://127.0.0.1:1', '--run', 'r', '--shard', '2', '--of', '2', '--config', '{"seed":1}'],
      '--shard: range',
    ],
    ['scale/shard-main.ts', ['--broker', 'http://x', '--run', 'r', '--shard', '0', '--of', '1', '--config', '{}'], '--broker: format'],
    ['scale/coordinator-main.ts', ['--broker', 'mqtt://127.0.0.1:1', '--run', 'a/b', '--shards', '2', '--config', '{}'], '--run: format'],
    ['scale/coordinator-main.ts', ['--broker', 'mqtt://127.0.0.1:1', '--run', 'r', '--shards', '2', '--config', '{'], '--config: format'],
    [
      'scale/coordinator-main.ts',
      ['--broker', 'mqtt://127.0.0.1:1', '--run', 'r', '--shards', '2', '--config', '{"seed":1,"entities":0}'],
      '--config config.entities: range',
    ],
    ['scale/run-main.ts', ['--shards', '2', '--mode', 'threads', '--config', '{}'], '--mode: unknown-kind'],
    ['scale/run-main.ts', ['--shards', '2', '--engine', 'citywide', '--config', '{}'], '--engine: unknown-kind'],
  ])(
    '%s refuses bad input with exit code 2, naming the option',
    async (script, args, text) => {
      const r = await node(script, args);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(text);
    },
    60_000,
  );
});
