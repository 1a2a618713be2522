import { fieldError } from '../../core/errors.ts';
import { MATRIX_ROLES } from '../../dsp/access/roles.ts';
import { parseSrv } from '../../dsp/access/srv.ts';
import { SRV_CATALOGUE } from '../../dsp/access/srv-catalogue.ts';
import type { Checker } from './checker.ts';
import { checkKeys, get, readChoice, readList, readNumber, readString, required } from './checker.ts';
import { DEFAULT_POLICY } from './defaults.ts';
import { childPath, itemPath } from './paths.ts';
import { isPlainRecord } from './plain-data.ts';
import { MAX_LEVER_DAYS, POLICY_LEVERS, defaultLevers } from './policy-plan.ts';
import { POLICY_NAMES, type Policy, type PolicyLevers, type PolicyName } from './scenario.ts';

/**
 * The `policy` section: a policy's name (`policy: mp134a`), or its name and
 * levers (`policy: { name: mp134b, delayMpidTransferDays: 14 }`). A lever the
 * named policy does not have is an error — `none` cannot delay revocation —
 * rather than silently ignored. // MP134A; MP185; MP134B
 */

const LEVER_NAMES = [
  'delayRevocationDays',
  'delayMpidTransferDays',
  'srpWindowDays',
  'solrContingencySrvs',
  'solrContingencyRoleCode',
  'afterMpidTransferCode',
] as const satisfies readonly (keyof PolicyLevers)[];

const KNOWN_SRVS: ReadonlySet<string> = new Set(SRV_CATALOGUE.map((e) => e.srv));
const SRV_EXPECTED = 'an SRV as a string, e.g. "1.6" (quote it in YAML: 4.10 unquoted reads as 4.1)';
const DAYS = { min: 0, max: MAX_LEVER_DAYS, what: 'days' };

export function validatePolicy(c: Checker, raw: unknown, path: string): Policy {
  if (raw === undefined) return { name: DEFAULT_POLICY, levers: defaultLevers(DEFAULT_POLICY) };
  if (typeof raw === 'string') {
    const name = readChoice(c, raw, path, POLICY_NAMES, DEFAULT_POLICY);
    return { name, levers: defaultLevers(name) };
  }
  if (!isPlainRecord(raw)) {
    c.add(fieldError(path, 'type', `a policy name (${POLICY_NAMES.join(', ')}) or an object { name, …levers }`, raw));
    return { name: DEFAULT_POLICY, levers: defaultLevers(DEFAULT_POLICY) };
  }
  checkKeys(c, raw, path, ['name', ...LEVER_NAMES]);
  required(c, get(raw, 'name'), childPath(path, 'name'), `a policy name (${POLICY_NAMES.join(', ')})`);
  const before = c.count;
  const name: PolicyName = readChoice(c, get(raw, 'name'), childPath(path, 'name'), POLICY_NAMES, DEFAULT_POLICY);
  const nameOk = c.count === before;
  const d = defaultLevers(name);
  const has = POLICY_LEVERS.get(name) ?? [];
  const at = (k: string): string => childPath(path, k);
  for (const lever of LEVER_NAMES) {
    if (!nameOk || get(raw, lever) === undefined || has.includes(lever)) continue;
    const levers = has.length === 0 ? 'it has none' : has.join(', ');
    c.add(fieldError(at(lever), 'unknown-kind', `a lever of policy ${name} (${levers})`, lever));
  }
  return {
    name,
    levers: {
      delayRevocationDays: readNumber(c, get(raw, 'delayRevocationDays'), at('delayRevocationDays'), DAYS, d.delayRevocationDays),
      delayMpidTransferDays: readNumber(c, get(raw, 'delayMpidTransferDays'), at('delayMpidTransferDays'), DAYS, d.delayMpidTransferDays),
      srpWindowDays: readNumber(c, get(raw, 'srpWindowDays'), at('srpWindowDays'), DAYS, d.srpWindowDays),
      solrContingencySrvs: srvList(c, get(raw, 'solrContingencySrvs'), at('solrContingencySrvs'), d.solrContingencySrvs),
      solrContingencyRoleCode: roleCode(c, get(raw, 'solrContingencyRoleCode'), at('solrContingencyRoleCode'), d.solrContingencyRoleCode),
      afterMpidTransferCode: readChoice(
        c,
        get(raw, 'afterMpidTransferCode'),
        at('afterMpidTransferCode'),
        ['E4', 'X6'] as const,
        d.afterMpidTransferCode,
      ),
    },
  };
}

/** SRVs the DSP knows, each once; an empty list is allowed (the role can send nothing). // MP134B req 3 */
function srvList(c: Checker, raw: unknown, path: string, fallback: readonly string[]): readonly string[] {
  if (raw === undefined) return fallback;
  const list = readList(c, raw, path, KNOWN_SRVS.size, 'a list of SRVs, e.g. ["1.6"]');
  const out: string[] = [];
  for (const [i, v] of list.entries()) {
    const p = itemPath(path, i);
    const srv = readSrv(c, v, p);
    if (srv === undefined) continue;
    if (!KNOWN_SRVS.has(srv)) c.add(fieldError(p, 'unknown-kind', 'an SRV of the DUIS catalogue (DOMAIN §4.9)', srv));
    else if (out.includes(srv)) c.add(fieldError(p, 'format', 'each SRV once', srv));
    else out.push(srv);
  }
  return out;
}

/** An SRV's syntax; a number gets its own message, because YAML reads `1.6` unquoted as one. */
export function readSrv(c: Checker, raw: unknown, path: string): string | undefined {
  if (typeof raw === 'number') {
    c.add(fieldError(path, 'type', SRV_EXPECTED, raw));
    return undefined;
  }
  const r = parseSrv(raw, path);
  if (r.ok) return r.value;
  c.add(r.error);
  return undefined;
}

/** The role's wire code: its own, never a matrix role's (the DSP refuses that when it is built). // OPEN-QUESTIONS A2 */
function roleCode(c: Checker, raw: unknown, path: string, fallback: string): string {
  const expected = 'a role code of 1–8 upper-case letters or digits that is not a matrix role, e.g. SC';
  const code = readString(c, raw, path, { expected, maxLength: 8, pattern: /^[A-Z0-9]{1,8}$/ }, fallback);
  if ((MATRIX_ROLES as readonly string[]).includes(code)) {
    c.add(fieldError(path, 'format', expected, code));
    return fallback;
  }
  return code;
}
