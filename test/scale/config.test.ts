import { describe, expect, it } from 'vitest';
import { parseCoordinatorCommand, parseLocalCommand, parseShardCommand } from '../../scale/config.ts';
import { shardArgs } from '../../scale/launch.ts';

// The command lines of the shard, the coordinator and a local run, and the same options from the environment (containers).

const CONFIG = '{"seed":1,"entities":10}';

describe('the shard command', () => {
  it('reads every option from the command line', () => {
    const argv = [
      '--broker',
      'mqtt://10.0.0.5:1883',
      '--run',
      'big-1',
      '--shard',
      '3',
      '--of',
      '8',
      '--config',
      CONFIG,
      '--routing',
      'direct',
    ];
    expect(parseShardCommand(argv, {})).toEqual({
      ok: true,
      value: {
        brokerUrl: 'mqtt://10.0.0.5:1883',
        runId: 'big-1',
        shard: 3,
        shards: 8,
        engine: 'toy',
        config: { seed: 1, entities: 10 },
        routing: 'direct',
      },
    });
  });

  it('reads them from the environment instead, the command line winning', () => {
    const env = {
      SMETS_BROKER_URL: 'mqtt://broker:1883',
      SMETS_RUN_ID: 'compose',
      SMETS_SHARD: 'auto',
      SMETS_SHARDS: '4',
      SMETS_ENGINE: 'toy',
      SMETS_ENGINE_CONFIG: CONFIG,
      SMETS_HELLO_TIMEOUT_MS: '5000',
      SMETS_CONNECT_RETRY_MS: '60000',
    };
    expect(parseShardCommand([], env)).toMatchObject({
      ok: true,
      value: {
        brokerUrl: 'mqtt://broker:1883',
        runId: 'compose',
        shard: 'auto',
        shards: 4,
        routing: 'coordinator',
        helloTimeoutMs: 5000,
        connectRetryMs: 60000,
      },
    });
    expect(parseShardCommand(['--shard', '1', '--run', 'other'], env)).toMatchObject({ ok: true, value: { shard: 1, runId: 'other' } });
  });

  it('runs the engine with its defaults when no configuration is given', () => {
    expect(parseShardCommand(['--broker', 'mqtt://b:1883', '--run', 'r', '--shard', '1', '--of', '2'], {})).toMatchObject({
      ok: true,
      value: { shard: 1, shards: 2, engine: 'toy', config: {} },
    });
  });

  it('is the inverse of the arguments the process launcher writes', () => {
    const job = {
      brokerUrl: 'mqtt://127.0.0.1:1883',
      runId: 'r',
      shard: 1,
      shards: 2,
      engine: 'toy',
      config: { seed: 1 },
      routing: 'direct' as const,
      helloIntervalMs: 200,
    };
    expect(parseShardCommand(shardArgs(job), {})).toEqual({ ok: true, value: job });
  });

  it.each([
    [[], {}, '--broker'],
    [['--broker', 'mqtt://b'], {}, '--run'],
    [['--broker', 'mqtt://b', '--run', 'r', '--shard', '0', '--of', '0', '--config', CONFIG], {}, '--of'],
    [['--broker', 'mqtt://b', '--run', 'r', '--shard', 'x', '--of', '2', '--config', CONFIG], {}, '--shard'],
    [['--broker', 'mqtt://b', '--run', 'r', '--shard', '0', '--of', '2', '--config', '[]'], {}, '--config'],
    [['--broker', 'mqtt://b', '--run', 'r', '--shard', '0', '--of', '2', '--config', CONFIG, '--routing', 'mesh'], {}, '--routing'],
    [['--broker', 'mqtt://b', '--run', 'r', '--shard', '0', '--of', '2', '--config-file', '/nonexistent.json'], {}, '--config-file'],
    [['--bogus'], {}, 'argv'],
  ])('names the option that is wrong: %j', (argv, env, path) => {
    const r = parseShardCommand(argv, env);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.path.split(' ')[0]).toBe(path);
  });
});

describe('the coordinator and local commands', () => {
  it('reads the coordinator from its environment, with its timeouts and output file', () => {
    const env = {
      SMETS_BROKER_URL: 'mqtt://broker:1883',
      SMETS_RUN_ID: 'compose',
      SMETS_SHARDS: '4',
      SMETS_ENGINE_CONFIG: CONFIG,
      SMETS_DONE_TIMEOUT_MS: '2000',
      SMETS_OUT: '/tmp/x',
    };
    expect(parseCoordinatorCommand([], env)).toEqual({
      ok: true,
      value: {
        job: {
          brokerUrl: 'mqtt://broker:1883',
          runId: 'compose',
          shards: 4,
          engine: 'toy',
          config: { seed: 1, entities: 10 },
          routing: 'coordinator',
          doneTimeoutMs: 2000,
        },
        out: '/tmp/x',
      },
    });
  });

  it('defaults a local run to worker threads over an embedded broker', () => {
    expect(parseLocalCommand(['--shards', '2', '--config', CONFIG], {})).toMatchObject({
      ok: true,
      value: { mode: 'workers', broker: 'embedded', shards: 2 },
    });
    expect(parseLocalCommand(['--shards', '2', '--config', '{"seed":1,"replyChance":3}'], {})).toMatchObject({
      ok: false,
      error: { path: '--config config.replyChance' },
    });
  });
});
