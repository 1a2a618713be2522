import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unwrap } from '../../core/result.ts';
import { startEmbeddedBroker, type EmbeddedBroker } from '../../emulator/bus/embedded-broker.ts';
import { MqttBusFactory } from '../../emulator/bus/mqtt-bus.ts';
import { encodeScale } from '../../proto/scale-codec.ts';
import { runLocal, type LaunchedShard, type LocalRun } from '../../scale/launch.ts';
import { ScaleAbortedError, ScaleRunError, type ScaleFailure } from '../../scale/protocol/failure.ts';
import { coordinatorClientId, runTopics } from '../../scale/protocol/topics.ts';
import { runShard } from '../../scale/shard.ts';
import { parseToyConfig, toyEngine } from '../../scale/toy-engine.ts';
import { skipMosquitto, startTestMosquitto, type TestBroker } from '../support/brokers.ts';
import { TOY_JSON } from './harness.ts';

// A sharded run fails cleanly: a shard that dies or stops answering, or does not match the run, fails it with an error
// naming the shard and the virtual time; every other shard is told to stop and exits; nothing hangs. docs/scale-out.md "Failure"

const WINDOW_3 = /in window 3, virtual time \[2026-03-01T00:00:0\d\.\d{3}Z, 2026-03-01T00:00:0\d\.\d{3}Z\)/;

function failureOf(run: LocalRun): ScaleFailure {
  if (run.ok) throw new Error('the run was expected to fail, and completed');
  expect(run.error).toBeInstanceOf(ScaleRunError);
  return (run.error as ScaleRunError).failure;
}

/** Kills shard `victim` just before window `at` is released, so it is dead for that window whatever the timing. */
function killBefore(at: number, victim: number): Pick<Parameters<typeof runLocal>[0], 'onLaunched' | 'hooks'> {
  let shards: readonly LaunchedShard[] = [];
  return {
    onLaunched: (launched) => (shards = launched),
    hooks: {
      beforeRelease: async (w) => {
        if (w.window === at) await shards[victim]!.kill();
      },
    },
  };
}

/** Every shard but the victim was told to stop and exited by itself, with exit code 1. */
function expectOthersStopped(run: LocalRun, victim: number | null): void {
  run.exits.forEach((e, k) => {
    if (k === victim) expect(e.killed).toBe(true);
    else expect([e.label, e.code, e.killed]).toEqual([e.label, 1, false]);
  });
}

describe('a shard that dies or stops answering', () => {
  it('a worker killed after window 2: its last will fails the run, naming it and window 3; the others stop', async () => {
    const run = await runLocal({ mode: 'workers', shards: 3, engine: 'toy', config: TOY_JSON, doneTimeoutMs: 30_000, ...killBefore(3, 1) });
    const failure = failureOf(run);
    expect(failure).toMatchObject({ kind: 'lost', who: { shard: 1 }, at: { phase: 'window', window: 3 } });
    const message = (run as { error: Error }).error.message;
    expect(message).toMatch(/^shard 1 \(client sim\.r[0-9a-f]+-s1-[0-9a-f]{8}\) was lost \(its connection dropped: last will\) /);
    expect(message).toMatch(WINDOW_3);
    expectOthersStopped(run, 1);
  }, 120_000);

  it('a worker that stops answering in window 3 (connection up, no will): the timeout fails the run, naming it', async () => {
    const run = await runLocal({
      mode: 'workers',
      shards: 2,
      engine: 'toy',
      config: TOY_JSON,
      doneTimeoutMs: 2_500,
      shardJob: (k) => (k === 0 ? { hangAtWindow: 3 } : {}),
    });
    const failure = failureOf(run);
    expect(failure).toMatchObject({ kind: 'timeout', who: [{ shard: 0 }], waitedMs: 2_500, at: { phase: 'window', window: 3 } });
    const message = (run as { error: Error }).error.message;
    expect(message).toMatch(/^shard 0 \(client sim\.r[0-9a-f]+-s0-[0-9a-f]{8}\) stopped answering: nothing within 2500 ms /);
    expect(message).toMatch(WINDOW_3);
    // The silent one is still connected and hears the abort too.
    expectOthersStopped(run, null);
  }, 120_000);

  it('an engine that fails in a window: the run fails naming the shard and its error', async () => {
    const run = await runLocal({
      mode: 'workers',
      shards: 2,
      engine: 'toy',
      config: { ...TOY_JSON, failAfterMs: 10_000 },
      doneTimeoutMs: 20_000,
    });
    const failure = failureOf(run);
    expect(failure).toMatchObject({
      kind: 'shard-failed',
      reason: expect.stringContaining('toy engine: failing on purpose at 2026-03-01T00:00:1') as string,
    });
    const failedShard = failure.kind === 'shard-failed' ? failure.who.shard : null;
    run.exits.forEach((e, k) => expect([k, e.code, e.killed]).toEqual([k, 1, false]));
    expect(failedShard === 0 || failedShard === 1).toBe(true);
  }, 120_000);
});

describe('a shard that does not match the run', () => {
  it.each([
    ['seed', { ...TOY_JSON, seed: 'another' }, 'seed: expected "scale-runtime", got "another"'],
    ['scenarioDigest', { ...TOY_JSON, entities: 301 }, 'scenarioDigest: expected "'],
  ])(
    'is refused when its %s differs: the error names the shard and the field, and nobody runs',
    async (field, config, text) => {
      const run = await runLocal({
        mode: 'workers',
        shards: 2,
        engine: 'toy',
        config: TOY_JSON,
        shardJob: (k) => (k === 1 ? { config } : {}),
      });
      const failure = failureOf(run);
      expect(failure).toMatchObject({ kind: 'refused', who: { shard: 1 }, mismatches: [{ field }] });
      const message = (run as { error: Error }).error.message;
      expect(message).toMatch(/^shard 1 \(client sim\.r[0-9a-f]+-s1-[0-9a-f]{8}\) does not match the coordinator's run/);
      expect(message).toContain(text);
      expect(message).toContain('the run was not started');
      expectOthersStopped(run, null);
    },
    120_000,
  );
});

describe('a coordinator that dies', () => {
  let broker: EmbeddedBroker;
  beforeAll(async () => {
    broker = await startEmbeddedBroker();
  });
  afterAll(async () => {
    await broker.close();
  });

  it("stops every shard through the coordinator's last will", async () => {
    const runId = 'orphans';
    const topics = runTopics(runId);
    const factory = new MqttBusFactory({ url: broker.url });
    const spec = { kind: toyEngine, config: unwrap(parseToyConfig(TOY_JSON)) };
    const heard: string[] = [];
    // A stand-in for the coordinator: connected with the coordinator's will, listening for hellos, then gone.
    const will = encodeScale({
      runId,
      sender: coordinatorClientId(runId),
      kind: 'abort',
      abort: { reason: "the coordinator's connection dropped" },
    });
    const coordinator = unwrap(
      await factory.connect({ clientId: coordinatorClientId(runId), will: { topic: topics.all, payload: will, qos: 1 } }),
    );
    const bothHello = new Promise<void>((resolve) => {
      void coordinator.subscribe(topics.coordinator, (m) => {
        heard.push(m.topic);
        if (heard.length >= 2) resolve();
      });
    });
    const shards = [0, 1].map((shard) =>
      runShard({ bus: factory, runId, shard, shards: 2, spec, helloIntervalMs: 100 }).then(
        () => 'completed',
        (e: unknown) => e,
      ),
    );
    await bothHello;
    await coordinator.kill();
    const outcomes = await Promise.all(shards);
    for (const o of outcomes) {
      expect(o).toBeInstanceOf(ScaleAbortedError);
      expect((o as ScaleAbortedError).reason).toBe("the coordinator's connection dropped");
    }
  }, 60_000);
});

describe.skipIf(skipMosquitto)('a shard process killed over mosquitto', () => {
  let broker: TestBroker;
  beforeAll(async () => {
    broker = await startTestMosquitto();
  });
  afterAll(async () => {
    await broker?.close();
  });

  it('a child process SIGKILLed after window 2 fails the run naming it and window 3; the other process exits 1', async () => {
    const run = await runLocal({
      mode: 'processes',
      brokerUrl: broker.url,
      shards: 2,
      engine: 'toy',
      config: TOY_JSON,
      doneTimeoutMs: 30_000,
      ...killBefore(3, 0),
    });
    expect(failureOf(run)).toMatchObject({ kind: 'lost', who: { shard: 0 }, at: { phase: 'window', window: 3 } });
    expect((run as { error: Error }).error.message).toMatch(WINDOW_3);
    expect(run.exits[0]).toMatchObject({ killed: true, signal: 'SIGKILL' });
    expect(run.exits[1]).toMatchObject({
      code: 1,
      killed: false,
      detail: expect.stringContaining('the run was aborted: shard 0') as string,
    });
  }, 120_000);
});
