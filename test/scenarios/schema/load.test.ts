import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import type { FieldError } from '../../../core/errors.ts';
import { loadScenarioFile, parseYaml } from '../../../scenarios/schema/load.ts';
import { validateScenario } from '../../../scenarios/schema/validate.ts';
import { EVERY_KIND } from './examples.ts';

const dir = mkdtempSync(join(tmpdir(), 'scenario-load-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

async function errorsOf(path: string): Promise<readonly FieldError[]> {
  const r = await loadScenarioFile(path);
  return r.ok ? [] : r.error;
}

const FIXTURES = 'test/scenarios/schema/fixtures';

describe('loadScenarioFile', () => {
  it('loads the examples', async () => {
    for (const path of ['scenarios/examples/small-solr.yaml', 'scenarios/examples/escalation.json', 'scenarios/examples/faults.yaml']) {
      expect(await errorsOf(path)).toEqual([]);
    }
  });

  it('gives the same scenario for YAML and JSON of the same content, and for the data itself', async () => {
    const direct = validateScenario(EVERY_KIND);
    expect(direct.ok).toBe(true);
    const yaml = await loadScenarioFile(file('every.yaml', stringify(EVERY_KIND)));
    const yml = await loadScenarioFile(file('every.yml', stringify(EVERY_KIND)));
    const json = await loadScenarioFile(file('every.json', JSON.stringify(EVERY_KIND, null, 2)));
    expect(yaml).toEqual(direct);
    expect(yml).toEqual(direct);
    expect(json).toEqual(direct);
  });

  it('gives the same scenario for the YAML example written as JSON', async () => {
    const yaml = await loadScenarioFile('scenarios/examples/small-solr.yaml');
    const data = parseYaml(readFileSync('scenarios/examples/small-solr.yaml', 'utf8'));
    expect(data.ok).toBe(true);
    if (!data.ok) return;
    expect(await loadScenarioFile(file('small-solr.json', JSON.stringify(data.value)))).toEqual(yaml);
  });

  it('reads a TypeScript module through its default export', async () => {
    const r = await loadScenarioFile(`${FIXTURES}/module-scenario.ts`);
    expect(r.ok && r.value.name).toBe('module-scenario');
    expect(r.ok && r.value.start).toBe(Date.UTC(2027, 0, 4));
  });

  it('reads YAML 1.2: a bare date stays a string, and times need a zone', async () => {
    const r = await loadScenarioFile(
      file('date.yaml', 'name: d\nstart: 2027-01-04\ntimeline:\n  - { at: 2027-01-05T09:00:00Z, kind: licenceRevoked }\n'),
    );
    expect(r.ok && r.value.timeline[0]?.at).toBe(Date.UTC(2027, 0, 5, 9));
  });
});

describe('loadScenarioFile: what goes wrong with the file', () => {
  const only = async (path: string): Promise<FieldError> => {
    const errors = await errorsOf(path);
    expect(errors).toHaveLength(1);
    return errors[0]!;
  };

  it('a missing file', async () => {
    expect(await only(join(dir, 'nope.yaml'))).toMatchObject({
      path: 'file',
      code: 'required',
      got: `${join(dir, 'nope.yaml')} (no such file)`,
    });
  });

  it('a directory', async () => {
    const sub = join(dir, 'folder.yaml');
    mkdirSync(sub);
    expect(await only(sub)).toMatchObject({ path: 'file', code: 'type' });
  });

  it('an extension it does not read', async () => {
    expect(await only(file('s.toml', 'name = "x"'))).toMatchObject({ path: 'file', code: 'unknown-kind' });
  });

  it('a YAML syntax error, with its line and column', async () => {
    const e = await only(file('bad.yaml', 'name: x\ntimeline:\n  - [at: +1d\nestate: {}\n'));
    expect(e).toMatchObject({ path: 'file', code: 'format', expected: 'valid YAML' });
    expect(e.got).toMatch(/^line \d+, column \d+: /);
  });

  it('a repeated YAML key', async () => {
    const errors = await errorsOf(file('twice.yaml', 'name: x\nname: y\n'));
    expect(errors).toEqual([{ path: 'file', code: 'format', expected: 'valid YAML', got: 'line 2, column 1: Map keys must be unique' }]);
  });

  it('two YAML documents in one file', async () => {
    expect(await errorsOf(file('two.yaml', 'name: a\n---\nname: b\n'))).toContainEqual(
      expect.objectContaining({ path: 'file', code: 'format' }),
    );
  });

  it('a YAML tag it does not know', async () => {
    expect(await errorsOf(file('tag.yaml', 'name: !!js/function x\n'))).toContainEqual(
      expect.objectContaining({ path: 'file', code: 'format' }),
    );
  });

  it('an alias bomb', async () => {
    const lines = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 0; i < 8; i++)
      lines.push(
        `${'bcdefghi'[i]}: &${'bcdefghi'[i]} [${Array(10)
          .fill(`*${i === 0 ? 'a' : 'bcdefghi'[i - 1]}`)
          .join(', ')}]`,
      );
    expect(await errorsOf(file('bomb.yaml', `${lines.join('\n')}\n`))).toContainEqual(
      expect.objectContaining({ path: 'file', code: 'format' }),
    );
  });

  it('a JSON syntax error, with its line and column', async () => {
    const e = await only(file('bad.json', '{\n  "name": "x",\n}\n'));
    expect(e).toMatchObject({ path: 'file', code: 'format', expected: 'valid JSON' });
    expect(e.got).toMatch(/^line 3, column 1: /);
  });

  it('a module that fails to load', async () => {
    expect(await only(`${FIXTURES}/throws.mjs`)).toMatchObject({
      path: 'file',
      code: 'format',
      got: `${FIXTURES}/throws.mjs: this module fails to load`,
    });
  });

  it('a module without a default export', async () => {
    expect(await only(`${FIXTURES}/no-default.mjs`)).toMatchObject({ path: 'file', code: 'required' });
  });

  it('an empty YAML file is no scenario', async () => {
    expect(await only(file('empty.yaml', ''))).toMatchObject({ path: 'scenario', code: 'type' });
  });
});

describe('loadScenarioFile: prototype pollution', () => {
  const untouched = (): void => {
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('polluted');
  };

  it('a __proto__ key in JSON or YAML is an unknown field, and Object.prototype is untouched', async () => {
    const json =
      '{"name":"p","__proto__":{"polluted":1},"estate":{"__proto__":{"polluted":1}},"timeline":[{"at":"+1d","kind":"licenceRevoked","__proto__":{"polluted":1}}]}';
    const yaml =
      'name: p\n__proto__: { polluted: 1 }\nestate:\n  __proto__: { polluted: 1 }\n  constructor: { prototype: { polluted: 1 } }\n';
    const fromJson = await errorsOf(file('proto.json', json));
    const fromYaml = await errorsOf(file('proto.yaml', yaml));
    untouched();
    expect(fromJson.map((e) => e.path)).toEqual(['__proto__', 'estate.__proto__', 'timeline[0].__proto__']);
    expect(fromYaml.map((e) => e.path)).toEqual(['__proto__', 'estate.__proto__', 'estate.constructor']);
    for (const e of [...fromJson, ...fromYaml]) expect(e.code).toBe('unknown-kind');
  });

  it('data whose own keys name prototype members is read as data', () => {
    const raw = JSON.parse('{"name":"p","estate":{"constructor":1,"toString":2,"hasOwnProperty":3}}') as unknown;
    const r = validateScenario(raw);
    untouched();
    expect(r.ok ? [] : r.error.map((e) => e.path)).toEqual(['estate.constructor', 'estate.toString', 'estate.hasOwnProperty']);
  });

  it('an object whose getter throws, or that contains itself, is an error at its path', () => {
    const getter = {
      name: 'g',
      estate: {
        get premises(): number {
          throw new Error('boom');
        },
      },
    };
    const r = validateScenario(getter);
    expect(r.ok ? [] : r.error.map((e) => [e.path, e.code])).toEqual([['estate.premises', 'type']]);
    const cyclic: Record<string, unknown> = { name: 'c', timeline: [] };
    (cyclic['timeline'] as unknown[]).push(cyclic);
    const c = validateScenario(cyclic);
    expect(c.ok ? [] : c.error.map((e) => [e.path, e.code])).toEqual([['timeline[0]', 'format']]);
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    const p = validateScenario({ name: 'p', estate: proxy });
    expect(p.ok ? [] : p.error.map((e) => [e.path, e.code])).toEqual([['estate', 'type']]);
  });
});
