import { readFile, stat } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { extname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseDocument } from 'yaml';
import type { FieldError } from '../../core/errors.ts';
import { err, ok, type Result } from '../../core/result.ts';
import type { Scenario } from './scenario.ts';
import { validateScenario } from './validate.ts';

/**
 * Reads a scenario file and validates it. YAML (`.yaml`, `.yml`), JSON
 * (`.json`) and modules whose default export is the scenario (`.ts`, `.mts`,
 * `.mjs`, `.js`; a `.ts` module needs the TypeScript loader the CLI runs
 * under). What goes wrong with the file itself — missing, unreadable, not
 * YAML or JSON (with line and column), a module that fails to load — is a
 * FieldError at path `file`, never a stack trace.
 *
 * @example
 * const r = await loadScenarioFile('scenarios/examples/small-solr.yaml');
 * if (!r.ok) for (const e of r.error) console.error(formatFieldError(e));
 */
export async function loadScenarioFile(path: string): Promise<Result<Scenario, readonly FieldError[]>> {
  const raw = await readScenarioFile(path);
  return raw.ok ? validateScenario(raw.value) : raw;
}

/** The path of every error about the file itself. */
export const FILE_PATH = 'file';

/** The extensions read, by how. */
export const SCENARIO_EXTENSIONS = ['.yaml', '.yml', '.json', '.ts', '.mts', '.mjs', '.js'] as const;

/** A scenario file is a few kilobytes; anything this large is a mistake (a log, a data dump). */
export const MAX_FILE_BYTES = 16 * 1024 * 1024;

// Aliases beyond this many in one YAML document are an expansion attack, not a scenario.
const MAX_ALIASES = 100;

const fileError = (code: FieldError['code'], expected: string, got: string): FieldError => ({ path: FILE_PATH, code, expected, got });

/** The file's content as data, before validation. */
export async function readScenarioFile(path: string): Promise<Result<unknown, readonly FieldError[]>> {
  const ext = extname(path).toLowerCase();
  if (!(SCENARIO_EXTENSIONS as readonly string[]).includes(ext)) {
    return err([fileError('unknown-kind', `a file ending ${SCENARIO_EXTENSIONS.join(', ')}`, path)]);
  }
  let info: Stats;
  try {
    info = await stat(path);
  } catch (e) {
    return err([fileError('required', 'a scenario file that exists and can be read', `${path} (${errorCode(e)})`)]);
  }
  if (!info.isFile()) return err([fileError('type', 'a file', `${path} (not a file)`)]);
  if (info.size > MAX_FILE_BYTES) return err([fileError('too-many', `a file of at most ${MAX_FILE_BYTES} bytes`, path)]);
  if (ext === '.yaml' || ext === '.yml' || ext === '.json') {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (e) {
      return err([fileError('required', 'a scenario file that can be read', `${path} (${errorCode(e)})`)]);
    }
    return ext === '.json' ? parseJson(text) : parseYaml(text);
  }
  return importModule(path);
}

/** JSON, with the line and column of a syntax error. */
export function parseJson(text: string): Result<unknown, readonly FieldError[]> {
  try {
    return ok(JSON.parse(text) as unknown);
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    const position = /at position (\d+)/.exec(message);
    const offset = position !== null ? Number(position[1]) : /end of JSON input/.test(message) ? text.length : undefined;
    const where = offset === undefined ? '' : `${lineColumn(text, offset)}: `;
    return err([fileError('format', 'valid JSON', `${where}${message}`)]);
  }
}

/** YAML 1.2 (core schema: `2027-01-12` stays a string), one document, keys unique; errors and warnings with line and column. */
export function parseYaml(text: string): Result<unknown, readonly FieldError[]> {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true, strict: true });
  const problems = [...doc.errors, ...doc.warnings];
  if (problems.length > 0) {
    return err(
      problems.map((p) => {
        const at = p.linePos?.[0];
        // The message ends with its own "at line L, column C:" and a picture of the line; the position goes first instead.
        const message = firstLine(p.message).replace(/ at line \d+, column \d+:?$/, '');
        return fileError('format', 'valid YAML', at === undefined ? message : `line ${at.line}, column ${at.col}: ${message}`);
      }),
    );
  }
  try {
    return ok(doc.toJS({ maxAliasCount: MAX_ALIASES }) as unknown);
  } catch (e) {
    return err([fileError('format', 'valid YAML', firstLine(e instanceof Error ? e.message : String(e)))]);
  }
}

async function importModule(path: string): Promise<Result<unknown, readonly FieldError[]>> {
  let mod: unknown;
  try {
    mod = await import(pathToFileURL(resolve(path)).href);
  } catch (e) {
    return err([fileError('format', 'a module that loads', `${path}: ${firstLine(e instanceof Error ? e.message : String(e))}`)]);
  }
  if (typeof mod !== 'object' || mod === null || !('default' in mod) || mod.default === undefined) {
    return err([fileError('required', 'a module whose default export is the scenario', `${path} (no default export)`)]);
  }
  return ok(mod.default);
}

function lineColumn(text: string, offset: number): string {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  const column = offset - before.lastIndexOf('\n');
  return `line ${line}, column ${column}`;
}

const firstLine = (s: string): string => s.split('\n')[0] ?? s;

function errorCode(e: unknown): string {
  const code = typeof e === 'object' && e !== null && 'code' in e ? e.code : undefined;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (typeof code === 'string') return code;
  return firstLine(e instanceof Error ? e.message : String(e));
}
