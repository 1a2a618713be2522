/**
 * A user's mistake in configuration or input, said precisely: where (a dotted
 * field path such as `tariff.blocks[1].upToWh`), a stable code, what was
 * expected and what was found. Never a stack trace.
 */
export interface FieldError {
  readonly path: string;
  readonly code: FieldErrorCode;
  readonly expected: string;
  readonly got: string;
}

export type FieldErrorCode = 'required' | 'type' | 'range' | 'format' | 'order' | 'unknown-kind' | 'too-many';

export function fieldError(path: string, code: FieldErrorCode, expected: string, got: unknown): FieldError {
  return { path, code, expected, got: describe(got) };
}

export function formatFieldError(e: FieldError): string {
  return `${e.path}: ${e.code} — expected ${e.expected}, got ${e.got}`;
}

function describe(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (typeof v === 'string') return JSON.stringify(v.length > 60 ? `${v.slice(0, 57)}...` : v);
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (v === null) return 'null';
  if (Array.isArray(v)) return `an array of ${v.length}`;
  return typeof v;
}
