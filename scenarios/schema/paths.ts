/**
 * Field paths as errors print them: `estate.prepaymentShare`, `timeline[3].at`,
 * `estate.cspRegions["4G North"]`. The whole scenario is `scenario`; its
 * fields are written without that prefix.
 */

/** The path of the whole scenario. */
export const ROOT_PATH = 'scenario';

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/** The path of field `key` of the value at `path`. */
export function childPath(path: string, key: string): string {
  if (IDENTIFIER.test(key)) return path === ROOT_PATH ? key : `${path}.${key}`;
  return `${path}[${JSON.stringify(key)}]`;
}

/** The path of item `index` of the list at `path`. */
export function itemPath(path: string, index: number): string {
  return `${path}[${index}]`;
}
