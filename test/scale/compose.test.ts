import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseCoordinatorCommand, parseShardCommand } from '../../scale/config.ts';

// docker-compose.yml: a broker, the coordinator and N shards, configured by environment variables. The machine that runs
// the tests has no Docker engine; the file is checked by reading it, and by `docker compose config` where compose exists.

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const file = readFileSync(`${ROOT}docker-compose.yml`, 'utf8');

interface Service {
  image?: string;
  build?: string;
  command?: string[];
  environment?: Record<string, string>;
  deploy?: { replicas?: string | number };
}
const compose = parse(file, { merge: true }) as { services: Record<string, Service> };

/** The environment a service would see with the defaults of `${VAR:-default}` filled in. */
function environment(service: Service): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(service.environment ?? {})) env[k] = String(v).replace(/\$\{[A-Z_]+:-([^}]*)\}/g, '$1');
  return env;
}

const composeAvailable = (() => {
  try {
    return spawnSync('docker', ['compose', 'version'], { encoding: 'utf8', timeout: 20_000 }).status === 0;
  } catch {
    return false;
  }
})();

describe('docker-compose.yml', () => {
  it("has a mosquitto broker, a coordinator, the DSP's shard and a scalable shard service built from the repository", () => {
    expect(Object.keys(compose.services).sort()).toEqual(['broker', 'coordinator', 'dsp', 'shard']);
    expect(compose.services['broker']!.image).toMatch(/^eclipse-mosquitto:2/);
    expect(compose.services['coordinator']!.build).toBe('.');
    expect(compose.services['coordinator']!.command).toEqual(['node', '--import', 'tsx', 'scale/coordinator-main.ts']);
    expect(compose.services['shard']!.command).toEqual(['node', '--import', 'tsx', 'scale/shard-main.ts']);
    expect(compose.services['dsp']!.command).toEqual(['node', '--import', 'tsx', 'scale/shard-main.ts']);
    // SHARDS counts the DSP's shard too.
    expect(compose.services['shard']!.deploy?.replicas).toBe(4);
    expect(environment(compose.services['shard']!)['SMETS_SHARDS']).toBe('5');
  });

  it('configures the coordinator and the shards through environment variables their commands accept, for one run', () => {
    const coordinator = parseCoordinatorCommand([], environment(compose.services['coordinator']!));
    const shard = parseShardCommand([], environment(compose.services['shard']!));
    const dsp = parseShardCommand([], environment(compose.services['dsp']!));
    if (!coordinator.ok) throw new Error(JSON.stringify(coordinator.error));
    if (!shard.ok) throw new Error(JSON.stringify(shard.error));
    if (!dsp.ok) throw new Error(JSON.stringify(dsp.error));
    expect(shard.value.shard).toBe('auto');
    // The solr engine puts the DSP on shard 0.
    expect(dsp.value.shard).toBe(0);
    expect(coordinator.value.out).toBe('/out/report.json');
    const { shard: _dspIndex, ...dspRun } = dsp.value;
    const { shard: _shardIndex, ...shardRun0 } = shard.value;
    expect(dspRun).toEqual(shardRun0);
    expect(shard.value.brokerUrl).toBe('mqtt://broker:1883');
    const { shard: _index, shards, ...shardRun } = shard.value;
    const { shards: expected, doneTimeoutMs: _done, ...coordinatorRun } = coordinator.value.job;
    expect(shards).toBe(expected);
    expect(shardRun).toEqual(coordinatorRun);
  });

  it('has a Dockerfile on node:20-slim that installs with npm ci', () => {
    const dockerfile = readFileSync(`${ROOT}Dockerfile`, 'utf8');
    expect(dockerfile).toMatch(/^FROM node:20-slim$/m);
    expect(dockerfile).toMatch(/^RUN npm ci\b/m);
  });

  it.skipIf(!composeAvailable)('passes `docker compose config`', () => {
    const out = execFileSync('docker', ['compose', '-f', `${ROOT}docker-compose.yml`, 'config', '--quiet'], {
      encoding: 'utf8',
      cwd: ROOT,
    });
    expect(out).toBe('');
  });
});
