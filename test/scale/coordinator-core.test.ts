import { describe, expect, it } from 'vitest';
import type { CrossMessage, Done, Hello, Release, Routing } from '../../proto/scale-codec.ts';
import { CoordinatorCore, type CoordinatorEffect, type RunTerms } from '../../scale/protocol/coordinator-core.ts';
import { describeFailure } from '../../scale/protocol/failure.ts';

// The coordinator's pure state machine, without a broker: the release rule, idle skipping, message accounting, refusals, failures.
// docs/scale-out.md "Protocol"

const L = 1_000;
const T0 = Date.UTC(2026, 2, 1);
const terms = (routing: Routing = 'coordinator'): RunTerms => ({
  engineKind: 'toy',
  seed: '42',
  scenarioDigest: 'abc',
  lookaheadMs: L,
  routing,
});
/** Keys `a…` live on shard 0, `b…` on shard 1, `c…` on shard 2. */
const shardOf = (key: string): number => key.charCodeAt(0) - 97;
const client = (k: number): string => `sim.run-s${k}-0000000${k}`;

function core(shards: number, options: { routing?: Routing; end?: number | null } = {}): CoordinatorCore {
  return new CoordinatorCore({ runId: 'run', shards, terms: terms(options.routing), end: options.end ?? null, shardOf });
}

const hello = (over: Partial<Hello> = {}): Hello => ({ shard: null, shardCount: 2, ...terms(), ...over });

function done(window: number, next: number | null, outbound: CrossMessage[] = [], over: Partial<Done> = {}): Done {
  return { window, next, outbound, outboundCount: outbound.length, sentTo: [], earliestOutbound: null, digest: '', ...over };
}

function msg(from: string, seq: number, sentAt: number, deliverAt: number, to: string): CrossMessage {
  return { sentAt, deliverAt, from, to, seq, payload: new Uint8Array([seq & 0xff]) };
}

const releases = (effects: readonly CoordinatorEffect[]): Map<string, Release> =>
  new Map(effects.flatMap((e) => (e.kind === 'send' && e.body.kind === 'release' ? [[e.to, e.body.release] as const] : [])));

/** A core past the set-up: every shard said hello (claiming its index) and reported window 0 with `firstNext`. */
function started(
  shards: number,
  firstNext: (number | null)[],
  options: { routing?: Routing; end?: number | null } = {},
): { c: CoordinatorCore; first: CoordinatorEffect[] } {
  const c = core(shards, options);
  for (let k = 0; k < shards; k++) c.hello(client(k), hello({ shard: k, shardCount: shards, routing: options.routing ?? 'coordinator' }));
  let first: CoordinatorEffect[] = [];
  for (let k = 0; k < shards; k++) {
    first = c.done(
      client(k),
      done(0, firstNext[k] ?? null, [], options.routing === 'direct' ? { sentTo: new Array<number>(shards).fill(0) } : {}),
    );
  }
  return { c, first };
}

describe('CoordinatorCore: starting', () => {
  it('waits for N hellos, then acknowledges each shard with its index and asks for window 0', () => {
    const c = core(2);
    expect(c.hello(client(1), hello({ shard: 1 }))).toEqual([]);
    expect(c.hello(client(1), hello({ shard: 1 }))).toEqual([]); // a repeat
    const effects = c.hello(client(0), hello({ shard: 0 }));
    expect(effects[0]).toEqual({
      kind: 'started',
      shards: [
        { shard: 0, clientId: client(0) },
        { shard: 1, clientId: client(1) },
      ],
    });
    expect(effects.slice(1)).toEqual([
      { kind: 'send', to: client(0), body: { kind: 'helloAck', helloAck: { shard: 0, shardCount: 2 } } },
      { kind: 'send', to: client(1), body: { kind: 'helloAck', helloAck: { shard: 1, shardCount: 2 } } },
    ]);
    expect(c.phase).toBe('setting-up');
  });

  it('assigns free indices to shards that claim none, in client-id order', () => {
    const c = core(3);
    c.hello('sim.run-sx-zz', hello({ shardCount: 3 }));
    c.hello('sim.run-s1-aa', hello({ shard: 1, shardCount: 3 }));
    const effects = c.hello('sim.run-sx-bb', hello({ shardCount: 3 }));
    expect(effects[0]).toMatchObject({
      kind: 'started',
      shards: [
        { shard: 0, clientId: 'sim.run-sx-bb' },
        { shard: 1, clientId: 'sim.run-s1-aa' },
        { shard: 2, clientId: 'sim.run-sx-zz' },
      ],
    });
  });

  it.each([
    ['seed', { seed: '43' }, 'seed: expected "42", got "43"'],
    ['scenarioDigest', { scenarioDigest: 'abd' }, 'scenarioDigest: expected "abc", got "abd"'],
    ['shardCount', { shardCount: 3 }, 'shardCount: expected 2, got 3'],
    ['engineKind', { engineKind: 'solr' }, 'engineKind: expected "toy", got "solr"'],
    ['lookaheadMs', { lookaheadMs: 500 }, 'lookaheadMs: expected 1000, got 500'],
    ['routing', { routing: 'direct' as const }, 'routing: expected "coordinator", got "direct"'],
  ])('refuses to start when a shard differs in %s, naming the shard and the field', (field, over, text) => {
    const c = core(2);
    c.hello(client(0), hello({ shard: 0 }));
    const effects = c.hello(client(1), hello({ shard: 1, ...over }));
    expect(effects[0]).toMatchObject({ kind: 'abortAll' });
    const failed = effects.find((e) => e.kind === 'failed');
    expect(failed).toMatchObject({ failure: { kind: 'refused', who: { shard: 1, clientId: client(1) }, mismatches: [{ field }] } });
    const message = describeFailure(failed!.kind === 'failed' ? failed!.failure : (undefined as never));
    expect(message).toContain(`shard 1 (client ${client(1)})`);
    expect(message).toContain(text);
    expect(message).toContain('the run was not started');
    expect(c.phase).toBe('failed');
    expect(c.hello(client(0), hello({ shard: 0 }))).toEqual([]); // over
  });

  it('waits for every shard before refusing, so each is subscribed and hears the abort; names every field that differs', () => {
    const c = core(3);
    expect(c.hello(client(5), hello({ shard: 5, shardCount: 3, seed: 'x', scenarioDigest: 'y' }))).toEqual([]);
    expect(c.hello(client(0), hello({ shard: 0, shardCount: 3 }))).toEqual([]);
    const effects = c.hello(client(1), hello({ shard: 1, shardCount: 3 }));
    expect(effects.map((e) => e.kind)).toEqual(['abortAll', 'failed']);
    expect(effects[1]).toMatchObject({
      failure: {
        who: { shard: 5, clientId: client(5) },
        mismatches: [{ field: 'seed' }, { field: 'scenarioDigest' }, { field: 'shard', expected: '0..2' }],
      },
    });
  });

  it('refuses when the hello time is up, if a shard was refused while others never came', () => {
    const c = core(3);
    c.hello(client(1), hello({ shard: 1, shardCount: 3, seed: 'x' }));
    expect(c.timeout(10_000)[1]).toMatchObject({ failure: { kind: 'refused', who: { shard: 1 }, mismatches: [{ field: 'seed' }] } });
  });

  it('turns away a second claimant of an index, and a shard beyond N, without stopping the run', () => {
    const c = core(2);
    c.hello(client(0), hello({ shard: 0 }));
    expect(c.hello('sim.run-s0-other', hello({ shard: 0 }))).toEqual([
      { kind: 'send', to: 'sim.run-s0-other', body: { kind: 'abort', abort: { reason: `shard 0 is taken by client ${client(0)}` } } },
    ]);
    c.hello(client(1), hello({ shard: 1 }));
    expect(c.hello('sim.run-sx-late', hello())).toEqual([
      { kind: 'send', to: 'sim.run-sx-late', body: { kind: 'abort', abort: { reason: 'the run has started with its 2 shards' } } },
    ]);
    expect(c.phase).toBe('setting-up');
  });
});

describe('CoordinatorCore: the release rule', () => {
  it('releases window 1 only when every shard has reported window 0, starting at the earliest next event', () => {
    const c = core(2);
    c.hello(client(0), hello({ shard: 0 }));
    c.hello(client(1), hello({ shard: 1 }));
    expect(c.done(client(1), done(0, T0 + 700))).toEqual([]);
    const effects = c.done(client(0), done(0, T0 + 250));
    expect(effects[0]).toEqual({ kind: 'released', window: { window: 1, from: T0 + 250, until: T0 + 250 + L, messages: 0 } });
    expect([...releases(effects).values()].map((r) => [r.window, r.from, r.until])).toEqual([
      [1, T0 + 250, T0 + 1250],
      [1, T0 + 250, T0 + 1250],
    ]);
    expect(c.position).toEqual({ phase: 'window', window: 1, from: T0 + 250, until: T0 + 1250 });
  });

  it('skips idle stretches: the next window starts at the next event, however far', () => {
    const { c } = started(2, [T0, null]);
    expect(c.done(client(0), done(1, T0 + 3_600_000))).toEqual([]);
    const effects = c.done(client(1), done(1, null));
    expect(effects[0]).toMatchObject({ kind: 'released', window: { window: 2, from: T0 + 3_600_000, until: T0 + 3_601_000 } });
  });

  it('ignores a duplicate done and a stale one; a done for a future window breaks the protocol', () => {
    const { c } = started(2, [T0, T0]);
    expect(c.done(client(0), done(1, T0 + 5000))).toEqual([]);
    expect(c.done(client(0), done(1, T0 + 1000))).toEqual([]); // the first counts
    expect(c.done(client(0), done(0, T0))).toEqual([]);
    expect(c.done(client(1), done(3, null))[1]).toMatchObject({
      failure: { kind: 'protocol', who: { shard: 1 }, reason: 'done for window 3 while window 1 runs' },
    });
  });

  it('clips the last window at the end and then asks for results; merges them in shard order', () => {
    const end = T0 + 1500;
    const { c } = started(2, [T0, T0], { end });
    c.done(client(0), done(1, T0 + 1200));
    const second = c.done(client(1), done(1, null));
    expect(second[0]).toMatchObject({ kind: 'released', window: { window: 2, from: T0 + 1200, until: end } });
    c.done(client(0), done(2, T0 + 1600)); // beyond the end: never run
    const finishing = c.done(client(1), done(2, null));
    expect(finishing[0]).toEqual({ kind: 'finishing', at: end });
    expect(finishing.slice(1)).toEqual([0, 1].map((k) => ({ kind: 'send', to: client(k), body: { kind: 'finish', finish: { at: end } } })));
    expect(c.result(client(1), { shard: 1, result: new Uint8Array([2]) })).toEqual([]);
    const completed = c.result(client(0), { shard: 0, result: new Uint8Array([1]) });
    expect(completed).toHaveLength(1);
    expect(completed[0]).toMatchObject({
      kind: 'completed',
      outcome: { parts: [new Uint8Array([1]), new Uint8Array([2])], windows: 2, messages: 0, start: T0, end, skippedMs: 200 },
    });
  });

  it('finishes at once when no shard has anything to do', () => {
    const { first } = started(2, [null, null]);
    expect(first[0]).toMatchObject({ kind: 'finishing' });
  });
});

describe('CoordinatorCore: message accounting, via the coordinator', () => {
  it('delivers each message in the window its delivery time falls in, to the shard owning its addressee, in canonical order', () => {
    const { c } = started(3, [T0, T0, T0]);
    // Window 1 is [T0, T0+1000). Shard 0 sends b and c messages; shard 2 sends one to b due at the same instant.
    c.done(
      client(0),
      done(1, null, [msg('a1', 7, T0 + 10, T0 + 1500, 'b1'), msg('a1', 8, T0 + 20, T0 + 4000, 'c9'), msg('a0', 1, T0, T0 + 1500, 'b2')]),
    );
    c.done(client(2), done(1, null, [msg('c3', 0, T0 + 500, T0 + 1500, 'b1')]));
    const w2 = c.done(client(1), done(1, T0 + 2000));
    // Window 2 starts at the earliest undelivered message, T0+1500, and holds the three due before T0+2500.
    expect(w2[0]).toEqual({ kind: 'released', window: { window: 2, from: T0 + 1500, until: T0 + 2500, messages: 3 } });
    const r2 = releases(w2);
    expect(r2.get(client(1))!.inbound.map((m) => `${m.from}#${m.seq}`)).toEqual(['a0#1', 'a1#7', 'c3#0']);
    expect(r2.get(client(0))!.inbound).toEqual([]);
    expect(r2.get(client(2))!.inbound).toEqual([]); // c9's message is due later
    c.done(client(0), done(2, null));
    c.done(client(1), done(2, null));
    // Nothing runs between T0+2500 and T0+4000: skipped, and c9's message is delivered in window 3.
    const w3 = c.done(client(2), done(2, null));
    expect(w3[0]).toEqual({ kind: 'released', window: { window: 3, from: T0 + 4000, until: T0 + 5000, messages: 1 } });
    expect(
      releases(w3)
        .get(client(2))!
        .inbound.map((m) => m.to),
    ).toEqual(['c9']);
  });

  it('never releases a window while a shard has not accounted for its messages', () => {
    const { c } = started(2, [T0, T0]);
    // Shard 0 is done and has sent a message due at T0+1000; shard 1 has not reported yet: nothing is released.
    expect(c.done(client(0), done(1, null, [msg('a1', 0, T0, T0 + 1000, 'b1')]))).toEqual([]);
    expect(c.awaiting).toEqual([{ shard: 1, clientId: client(1) }]);
    const w2 = c.done(client(1), done(1, T0 + 5000));
    expect(releases(w2).get(client(1))!.inbound).toHaveLength(1);
  });

  it('refuses messages that break the lookahead, were sent outside the window, come from a key the shard does not own, or are miscounted', () => {
    const cases: [CrossMessage[], Partial<Done>, RegExp][] = [
      [[msg('a1', 0, T0 + 10, T0 + 500, 'b1')], {}, /sooner than the lookahead/],
      [[msg('a1', 0, T0 + 1000, T0 + 2000, 'b1')], {}, /outside the window/],
      [[msg('b1', 0, T0, T0 + 1000, 'a1')], {}, /owned by shard 1, not this shard 0/],
      [[msg('a1', 0, T0, T0 + 1000, 'b1')], { outboundCount: 2 }, /outbound count 2, but 1 messages carried/],
      [[], { next: T0 + 999 }, /before the end of the window/],
    ];
    for (const [outbound, over, reason] of cases) {
      const { c } = started(2, [T0, T0]);
      const effects = c.done(client(0), done(1, null, outbound, over));
      expect(effects[1]).toMatchObject({ kind: 'failed', failure: { kind: 'protocol', who: { shard: 0, clientId: client(0) } } });
      expect(effects[1]!.kind === 'failed' && effects[1]!.failure.kind === 'protocol' ? effects[1]!.failure.reason : '').toMatch(reason);
    }
  });

  it('refuses two messages with the same sender, sequence number and delivery time, naming the sender’s shard', () => {
    const { c } = started(2, [T0, T0]);
    c.done(client(0), done(1, null, [msg('a1', 3, T0, T0 + 1500, 'b1'), msg('a1', 3, T0 + 5, T0 + 1500, 'b2')]));
    const effects = c.done(client(1), done(1, null));
    expect(effects[1]).toMatchObject({ failure: { kind: 'protocol', who: { shard: 0 }, reason: 'two messages from "a1" share seq 3' } });
  });
});

describe('CoordinatorCore: message accounting, direct', () => {
  it('tells each shard how many messages addressed to it were sent before the window, and starts at the earliest one', () => {
    const { c } = started(3, [T0, T0, T0], { routing: 'direct' });
    c.done(client(0), done(1, null, [], { outboundCount: 3, sentTo: [1, 2, 0], earliestOutbound: T0 + 1700 }));
    c.done(client(1), done(1, null, [], { outboundCount: 1, sentTo: [0, 0, 1], earliestOutbound: T0 + 2500 }));
    const w2 = c.done(client(2), done(1, null, [], { sentTo: [0, 0, 0] }));
    expect(w2[0]).toMatchObject({ kind: 'released', window: { window: 2, from: T0 + 1700 } });
    expect([...releases(w2).values()].map((r) => r.expectReceived)).toEqual([1, 2, 1]);
    // Counts are cumulative.
    c.done(client(0), done(2, null, [], { outboundCount: 1, sentTo: [0, 1, 0], earliestOutbound: T0 + 2800 }));
    c.done(client(1), done(2, T0 + 2900, [], { sentTo: [0, 0, 0] }));
    const w3 = c.done(client(2), done(2, null, [], { sentTo: [0, 0, 0] }));
    expect([...releases(w3).values()].map((r) => r.expectReceived)).toEqual([1, 3, 1]);
    expect(w3[0]).toMatchObject({ window: { from: T0 + 2800 } });
  });

  it('refuses counts that do not add up or a done report carrying messages', () => {
    const bad: Partial<Done>[] = [
      { outboundCount: 2, sentTo: [1, 0], earliestOutbound: T0 + 1000 },
      { outboundCount: 1, sentTo: [1], earliestOutbound: T0 + 1000 },
      { outboundCount: 1, sentTo: [1, 0], earliestOutbound: null },
      { outboundCount: 1, sentTo: [1, 0], earliestOutbound: T0 + 999 },
      { outbound: [msg('a1', 0, T0, T0 + 1000, 'b1')], outboundCount: 1, sentTo: [0, 1], earliestOutbound: T0 + 1000 },
    ];
    for (const over of bad) {
      const { c } = started(2, [T0, T0], { routing: 'direct' });
      expect(c.done(client(0), done(1, null, [], over))[1]).toMatchObject({ failure: { kind: 'protocol' } });
    }
  });
});

describe('CoordinatorCore: failures', () => {
  it('a lost shard fails the run, naming its index, client id and the window it was in; everyone is told to stop', () => {
    const { c } = started(2, [T0, T0]);
    c.done(client(0), done(1, T0 + 1000));
    const effects = c.lost(client(1), 'its connection dropped: last will');
    expect(effects[0]).toEqual({ kind: 'abortAll', reason: expect.stringContaining('shard 1') as string });
    const failure = effects[1]!.kind === 'failed' ? effects[1]!.failure : undefined;
    expect(failure).toEqual({
      kind: 'lost',
      who: { shard: 1, clientId: client(1) },
      at: { phase: 'window', window: 1, from: T0, until: T0 + L },
      reason: 'its connection dropped: last will',
    });
    expect(describeFailure(failure!)).toBe(
      `shard 1 (client ${client(1)}) was lost (its connection dropped: last will) in window 1, virtual time [2026-03-01T00:00:00.000Z, 2026-03-01T00:00:01.000Z)`,
    );
    expect(c.position).toEqual({ phase: 'window', window: 1, from: T0, until: T0 + L });
    expect(c.done(client(1), done(1, null))).toEqual([]); // over
  });

  it('a timeout names only the shards that have not answered', () => {
    const { c } = started(3, [T0, T0, T0]);
    c.done(client(1), done(1, null));
    const effects = c.timeout(2_000);
    expect(effects[1]).toMatchObject({
      failure: { kind: 'timeout', who: [{ shard: 0 }, { shard: 2 }], waitedMs: 2_000, at: { phase: 'window', window: 1 } },
    });
  });

  it('a timeout while gathering names the shards that did arrive', () => {
    const c = core(3);
    c.hello(client(0), hello({ shard: 0, shardCount: 3 }));
    expect(c.timeout(5_000)[1]).toMatchObject({
      failure: { kind: 'hello-timeout', arrived: [{ shard: 0, clientId: client(0) }], expected: 3 },
    });
  });

  it('a will from a shard that has sent its result is not a failure; one from a stranger is ignored', () => {
    const { c } = started(2, [null, null]);
    c.result(client(0), { shard: 0, result: new Uint8Array() });
    expect(c.lost(client(0), 'gone')).toEqual([]);
    expect(c.lost('sim.run-s9-stranger', 'gone')).toEqual([]);
    expect(c.lost(client(1), 'gone')[1]).toMatchObject({ failure: { kind: 'lost', who: { shard: 1 }, at: { phase: 'finishing' } } });
  });

  it('a shard that reports failure fails the run', () => {
    const { c } = started(2, [T0, T0]);
    expect(c.failed(client(0), 'the engine failed: boom')[1]).toMatchObject({
      failure: { kind: 'shard-failed', who: { shard: 0 }, reason: 'the engine failed: boom' },
    });
  });
});
