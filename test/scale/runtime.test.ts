import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runLocal, type LocalRun } from '../../scale/launch.ts';
import { skipMosquitto, startTestMosquitto, type TestBroker } from '../support/brokers.ts';
import { referenceRun, TOY_JSON } from './harness.ts';

// Sharded runs over a real broker, shards as worker threads: the merged result is byte-identical to the one-thread
// reference for 1, 2 and 4 shards, over the embedded aedes broker and over mosquitto. docs/scale-out.md

function expectSameAsReference(run: LocalRun, shards: number): void {
  if (!run.ok) throw run.error;
  const ref = referenceRun();
  expect(run.outcome.result).toEqual(ref.result);
  expect([run.outcome.windows, run.outcome.messages, run.outcome.start, run.outcome.end]).toEqual([
    ref.windows,
    ref.messages,
    ref.start,
    ref.end,
  ]);
  expect(run.outcome.shards.map((s) => s.shard)).toEqual(Array.from({ length: shards }, (_, k) => k));
  // Every shard sent its result and exited on its own.
  expect(run.exits.map((e) => [e.code, e.killed])).toEqual(Array.from({ length: shards }, () => [0, false]));
}

const workers = (shards: number, extra: Partial<Parameters<typeof runLocal>[0]> = {}): Promise<LocalRun> =>
  runLocal({ mode: 'workers', shards, engine: 'toy', config: TOY_JSON, doneTimeoutMs: 20_000, ...extra });

describe('worker-thread shards over the embedded broker', () => {
  it.each([1, 2, 4])('%i shard(s), messages through the coordinator: the reference result', async (shards) => {
    expectSameAsReference(await workers(shards), shards);
  });

  it('4 shards, messages shard to shard: the reference result', async () => {
    expectSameAsReference(await workers(4, { routing: 'direct' }), 4);
  });

  it('2 shards whose indices the coordinator assigns: the reference result', async () => {
    const run = await workers(2, { autoAssign: true, routing: 'direct' });
    expectSameAsReference(run, 2);
    if (run.ok) for (const s of run.outcome.shards) expect(s.clientId).toMatch(/^sim\.r[0-9a-f]+-sx-[0-9a-f]{8}$/);
  });

  it('two runs on one broker do not mix', async () => {
    const [a, b] = await Promise.all([workers(1, { runId: 'first' }), workers(1, { runId: 'second' })]);
    expectSameAsReference(a, 1);
    expectSameAsReference(b, 1);
  });
});

describe.skipIf(skipMosquitto)('worker-thread shards over mosquitto', () => {
  let broker: TestBroker;
  beforeAll(async () => {
    broker = await startTestMosquitto();
  });
  afterAll(async () => {
    await broker?.close();
  });

  it.each([1, 2, 4])('%i shard(s), messages through the coordinator: the reference result', async (shards) => {
    expectSameAsReference(await workers(shards, { brokerUrl: broker.url }), shards);
  });

  it('2 shards, messages shard to shard: the reference result', async () => {
    expectSameAsReference(await workers(2, { brokerUrl: broker.url, routing: 'direct' }), 2);
  });
});
