import { describe, expect, it } from 'vitest';
import { unwrap } from '../../core/result.ts';
import { engineSpecOf } from '../../scale/engines.ts';
import { runInProcess } from '../../scale/protocol/in-process.ts';
import { mergeToyResults, parseToyConfig, readToyResult, toyEngine } from '../../scale/toy-engine.ts';

// The stand-in engine: deterministic over its seed, and the merged result is the same for any number of shards.

const config = unwrap(parseToyConfig({ seed: 'toy-test', entities: 300, durationMs: 60_000 }));
const spec = { kind: toyEngine, config };

describe('the toy engine', () => {
  it('gives a byte-identical merged result on 1, 2 and 4 shards, with either routing', () => {
    const reference = runInProcess({ spec, shards: 1 });
    const stats = readToyResult(reference.result);
    expect(stats.entities).toBe(300);
    expect(stats.sent).toBeGreaterThan(1_000);
    expect(stats.received).toBeGreaterThan(0);
    expect(stats.received).toBeLessThanOrEqual(stats.sent); // messages due after the end are never delivered
    expect(reference.windows).toBeGreaterThan(40);
    for (const shards of [2, 4])
      for (const routing of ['coordinator', 'direct'] as const) {
        const r = runInProcess({ spec, shards, routing });
        expect(r.result).toEqual(reference.result);
        expect([r.windows, r.messages, r.start, r.end]).toEqual([reference.windows, reference.messages, reference.start, reference.end]);
      }
  });

  it('replays: the same seed gives the same result and trace; another seed another result', () => {
    const a = runInProcess({ spec, shards: 2 });
    const b = runInProcess({ spec, shards: 2 });
    expect(b.result).toEqual(a.result);
    expect(b.traceDigest).toBe(a.traceDigest);
    const other = runInProcess({ spec: { kind: toyEngine, config: { ...config, seed: 'other' } }, shards: 2 });
    expect(other.result).not.toEqual(a.result);
  });

  it('keeps the seed out of the scenario digest, and key order out of both', () => {
    const m = toyEngine.model(config);
    expect(toyEngine.model({ ...config, seed: 'x' }).scenarioDigest).toBe(m.scenarioDigest);
    expect(toyEngine.model({ ...config, entities: 301 }).scenarioDigest).not.toBe(m.scenarioDigest);
    const reordered = unwrap(parseToyConfig({ durationMs: 60_000, entities: 300, seed: 'toy-test' }));
    expect(toyEngine.model(reordered)).toEqual(m);
    expect(m).toMatchObject({ seed: 'toy-test', lookaheadMs: 1_000, end: config.start + 60_000 });
  });

  it('reads its configuration from JSON, with every mistake a field error', () => {
    expect(parseToyConfig({ seed: 7 })).toMatchObject({ ok: true, value: { seed: '7', entities: 1_000, lookaheadMs: 1_000 } });
    expect(parseToyConfig({})).toMatchObject({ ok: true, value: { seed: '1' } });
    expect(parseToyConfig({ seed: true })).toMatchObject({ ok: false, error: { path: 'config.seed', code: 'type' } });
    expect(parseToyConfig({ seed: 1, entities: 0 })).toMatchObject({ ok: false, error: { path: 'config.entities', code: 'range' } });
    expect(parseToyConfig({ seed: 1, lookahead: 5 })).toMatchObject({
      ok: false,
      error: { path: 'config.lookahead', code: 'unknown-kind' },
    });
    expect(parseToyConfig({ seed: 1, replyChance: 2 })).toMatchObject({ ok: false, error: { path: 'config.replyChance' } });
    expect(parseToyConfig([1])).toMatchObject({ ok: false, error: { code: 'type' } });
    expect(engineSpecOf('nope', {})).toMatchObject({ ok: false, error: { path: 'engine', code: 'unknown-kind' } });
  });

  it('refuses to merge parts that miss an entity or hold one twice', () => {
    const one = runInProcess({ spec: { kind: toyEngine, config: { ...config, entities: 3 } }, shards: 1 }).result;
    const entries = one.subarray(8);
    expect(() => mergeToyResults([entries.subarray(0, 40)])).not.toThrow();
    expect(() => mergeToyResults([entries.subarray(20, 60)])).toThrow(/entity 0 is missing or twice/);
    expect(() => mergeToyResults([entries, entries.subarray(0, 20)])).toThrow(/missing or twice/);
    expect(() => mergeToyResults([entries.subarray(0, 7)])).toThrow(/not whole entries/);
  });

  it('fails on purpose when asked to (fault injection), and the run says which shard and when', () => {
    const failing = { kind: toyEngine, config: { ...config, failAfterMs: 5_000 } };
    expect(() => runInProcess({ spec: failing, shards: 2 })).toThrow(
      /shard \d \(client sim\.in-process-s\d\) failed in window \d+, virtual time \[2026-03-01T00:00:0[5-6]/,
    );
  });
});
