import { describe, expect, it } from 'vitest';
import type { CrossMessage, Release } from '../../proto/scale-codec.ts';
import type { ShardEngine, StepOutput, TimeWindow } from '../../scale/engine.ts';
import { ShardCore, type ShardEffect } from '../../scale/protocol/shard-core.ts';

// A shard's pure state machine: building its engine, running released windows, waiting for direct messages, reporting failures.

const L = 1_000;
const T0 = Date.UTC(2026, 2, 1);
/** Keys `a…` on shard 0, `b…` on shard 1. */
const shardOf = (key: string): number => key.charCodeAt(0) - 97;
const msg = (from: string, seq: number, sentAt: number, deliverAt: number, to: string): CrossMessage => ({
  sentAt,
  deliverAt,
  from,
  to,
  seq,
  payload: new Uint8Array(),
});

/** An engine that records what it was given and returns what the test scripted. */
class ScriptedEngine implements ShardEngine {
  readonly calls: { window: TimeWindow; inbound: string[] }[] = [];
  private readonly first: number | null;
  private readonly script: ((w: TimeWindow) => StepOutput)[];
  constructor(first: number | null, script: ((w: TimeWindow) => StepOutput)[] = []) {
    this.first = first;
    this.script = script;
  }
  nextEvent(): number | null {
    return this.first;
  }
  step(window: TimeWindow, inbound: readonly CrossMessage[]): StepOutput {
    this.calls.push({ window, inbound: inbound.map((m) => `${m.from}#${m.seq}`) });
    const next = this.script[this.calls.length - 1];
    return next === undefined ? { outbound: [], next: null } : next(window);
  }
  result(): Uint8Array {
    return new Uint8Array([this.calls.length]);
  }
  digest(): string {
    return `d${this.calls.length}`;
  }
}

function shard(engine: ShardEngine, routing: 'coordinator' | 'direct' = 'direct'): ShardCore {
  return new ShardCore({ routing, lookaheadMs: L, build: () => ({ engine, shardOf }) });
}
const release = (window: number, from: number, expectReceived = 0, inbound: CrossMessage[] = []): Release => ({
  window,
  from,
  until: from + L,
  inbound,
  expectReceived,
});
const kinds = (effects: readonly ShardEffect[]): string[] => effects.map((e) => e.kind);

describe('ShardCore', () => {
  it('builds its engine on the acknowledgement and reports window 0 with its first event', () => {
    const s = shard(new ScriptedEngine(T0 + 5), 'coordinator');
    const effects = s.helloAck({ shard: 1, shardCount: 2 });
    expect(effects).toEqual([
      { kind: 'started', shard: 1, shards: 2 },
      { kind: 'done', done: { window: 0, next: T0 + 5, outbound: [], outboundCount: 0, sentTo: [], earliestOutbound: null, digest: 'd0' } },
    ]);
    expect(s.helloAck({ shard: 0, shardCount: 2 })).toEqual([]); // once
  });

  it('via the coordinator: runs the window with its inbound messages in canonical order, and reports what it sent', () => {
    const sent = msg('a1', 0, T0 + 10, T0 + 1500, 'b1');
    const engine = new ScriptedEngine(T0, [() => ({ outbound: [sent], next: T0 + 4000 })]);
    const s = shard(engine, 'coordinator');
    s.helloAck({ shard: 0, shardCount: 2 });
    const inbound = [msg('b2', 1, T0 - 900, T0 + 100, 'a1'), msg('b1', 4, T0 - 950, T0 + 100, 'a1'), msg('a9', 0, T0 - 990, T0 + 50, 'a2')];
    const effects = s.release(release(1, T0, 0, inbound));
    expect(engine.calls[0]!.inbound).toEqual(['a9#0', 'b1#4', 'b2#1']);
    expect(effects[1]).toEqual({
      kind: 'done',
      done: { window: 1, next: T0 + 4000, outbound: [sent], outboundCount: 1, sentTo: [], earliestOutbound: null, digest: 'd1' },
    });
    expect(s.release(release(1, T0))).toEqual([]); // a duplicate
  });

  it('direct: sends a batch per other shard, keeps its own messages, and reports counts and the earliest delivery', () => {
    const engine = new ScriptedEngine(T0, [
      () => ({
        outbound: [msg('a1', 0, T0, T0 + 2500, 'b1'), msg('a1', 1, T0, T0 + 1200, 'a2'), msg('a2', 0, T0 + 1, T0 + 1800, 'b7')],
        next: null,
      }),
    ]);
    const s = shard(engine);
    s.helloAck({ shard: 0, shardCount: 2 });
    const effects = s.release(release(1, T0));
    expect(kinds(effects)).toEqual(['ran', 'batch', 'done']);
    expect(effects[1]).toMatchObject({
      kind: 'batch',
      to: 1,
      window: 1,
      messages: [
        { from: 'a1', seq: 0 },
        { from: 'a2', seq: 0 },
      ],
    });
    // Its own message is buffered, so its next event is that message's delivery.
    expect(effects[2]).toMatchObject({
      done: { outboundCount: 3, sentTo: [1, 2], earliestOutbound: T0 + 1200, next: T0 + 1200, outbound: [] },
    });
    // Window 2 delivers it (it expects its own message too: 1 sent to it before window 2).
    s.release(release(2, T0 + 1200, 1));
    expect(engine.calls[1]!.inbound).toEqual(['a1#1']);
  });

  it('direct: waits for every message sent before the window — a batch from the current window does not stand in for a late one', () => {
    const engine = new ScriptedEngine(T0);
    const s = shard(engine);
    s.helloAck({ shard: 1, shardCount: 2 });
    s.release(release(1, T0, 0));
    // Window 2 [T0+1000, T0+2000) needs the 2 messages shard 0 sent in window 1.
    expect(s.release(release(2, T0 + 1000, 2))).toEqual([]);
    // A batch shard 0 sent in window 2 (it may run ahead of us) arrives first: still waiting.
    expect(s.batch(0, 2, [msg('a1', 5, T0 + 1500, T0 + 2600, 'b1'), msg('a1', 6, T0 + 1500, T0 + 2700, 'b1')])).toEqual([]);
    expect(engine.calls).toHaveLength(1);
    // The window-1 batch arrives: the window runs with its messages due in it, and the rest stay buffered.
    const effects = s.batch(0, 1, [msg('a1', 1, T0 + 100, T0 + 1100, 'b1'), msg('a1', 2, T0 + 200, T0 + 2200, 'b2')]);
    expect(kinds(effects)).toEqual(['ran', 'done']);
    expect(engine.calls[1]!.inbound).toEqual(['a1#1']);
    expect(effects[1]).toMatchObject({ done: { window: 2, next: T0 + 2200 } });
    expect(s.batch(0, 1, [msg('a1', 1, T0 + 100, T0 + 1100, 'b1')])).toEqual([]); // a redelivered batch is ignored
  });

  it('reports a failure when the engine throws, or breaks the lookahead, or its own key ownership', () => {
    const throwing = shard(
      new ScriptedEngine(T0, [
        () => {
          throw new Error('boom');
        },
      ]),
    );
    throwing.helloAck({ shard: 0, shardCount: 2 });
    expect(throwing.release(release(1, T0))).toEqual([{ kind: 'failed', window: 1, reason: 'the engine failed: boom' }]);
    expect(throwing.phase).toBe('failed');

    const early = shard(new ScriptedEngine(T0, [() => ({ outbound: [msg('a1', 0, T0, T0 + 999, 'b1')], next: null })]));
    early.helloAck({ shard: 0, shardCount: 2 });
    expect(early.release(release(1, T0))[0]).toMatchObject({
      kind: 'failed',
      reason: expect.stringMatching(/sooner than the lookahead/) as string,
    });

    const foreign = shard(new ScriptedEngine(T0, [() => ({ outbound: [msg('b1', 0, T0, T0 + 1000, 'a1')], next: null })]));
    foreign.helloAck({ shard: 0, shardCount: 2 });
    expect(foreign.release(release(1, T0))[0]).toMatchObject({
      kind: 'failed',
      reason: expect.stringMatching(/owned by shard 1/) as string,
    });
  });

  it('refuses a release that skips a window and a message for another shard', () => {
    const s = shard(new ScriptedEngine(T0), 'coordinator');
    s.helloAck({ shard: 0, shardCount: 2 });
    expect(s.release(release(2, T0))[0]).toMatchObject({ kind: 'failed', reason: 'release of window 2 after window 0' });
    const t = shard(new ScriptedEngine(T0), 'coordinator');
    t.helloAck({ shard: 0, shardCount: 2 });
    expect(t.release(release(1, T0, 0, [msg('a1', 0, T0 - L, T0, 'b1')]))[0]).toMatchObject({ kind: 'failed' });
  });

  it('sends its result when the run finishes, once', () => {
    const s = shard(new ScriptedEngine(null), 'coordinator');
    s.helloAck({ shard: 1, shardCount: 2 });
    expect(s.finish()).toEqual([{ kind: 'result', shard: 1, result: new Uint8Array([0]) }]);
    expect(s.finish()).toEqual([]);
  });
});
