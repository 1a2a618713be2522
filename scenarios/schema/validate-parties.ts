import { fieldError } from '../../core/errors.ts';
import { eui64FromIndex, toEui64, type Eui64 } from '../../core/ids.ts';
import { ROLES, SUPPLIER_ROLES, type Role } from '../../dsp/access/roles.ts';
import { DCC_SELF } from '../../dsp/admin.ts';
import type { PartyType } from '../../dsp/registry/registry.ts';
import { MPID_A, MPID_B, SRP, SUPPLIER_A, SUPPLIER_B, TRANS_COS } from '../../dsp/sample-world.ts';
import type { Checker } from './checker.ts';
import { get, readChoice, readList, readRecord, readString, required } from './checker.ts';
import { MAX_OTHER_PARTIES } from './defaults.ts';
import { childPath, itemPath } from './paths.ts';
import type { Parties, Party } from './scenario.ts';

/**
 * The `parties` section: the failed supplier, its SRP and the SoLR (each
 * with defaults from the ZAZ1 test identities the sample world uses,
 * DOMAIN §4.6), other suppliers and other Users. Ids, EUI-64s and MPIDs are
 * each unique; the DCC's own identities are taken.
 */

/** A party id: a letter, then letters, digits, `-`, `_` or `.`; at most 40. */
export const PARTY_ID = /^[A-Za-z][\w.-]{0,39}$/;
const ID_EXPECTED = 'an id of a letter then letters, digits, - _ or . (at most 40), e.g. small-energy';
/** An MPID: four upper-case letters or digits. // DOMAIN §4.6 */
const MPID = /^[A-Z0-9]{4}$/;
const NAME = { expected: 'a name', maxLength: 120 };

// EUI-64s no party may have: the DCC's own. // DOMAIN §4.6
const RESERVED = new Map<string, string>([
  [TRANS_COS, 'the DCC TransCoS party'],
  [DCC_SELF, 'the DCC itself'],
  ['90-B3-D5-1F-30-00-00-00', 'the DCC DSP'],
]);

// Default EUI-64s of other suppliers and Users: the test prefix 90-B3-D5-1F, then 40-nn or 50-nn. Not ZAZ1 identities.
const OTHER_PREFIX = 0x90b3d51f;
const supplierEui = (i: number): Eui64 => eui64FromIndex(OTHER_PREFIX, 0x40000000 + i * 0x10000);
const userEui = (i: number): Eui64 => eui64FromIndex(OTHER_PREFIX, 0x50000000 + i * 0x10000);

const SUPPLIER_KEYS = ['id', 'name', 'eui64', 'mpid', 'roles'] as const;
const SRP_KEYS = ['id', 'name', 'eui64'] as const;
const USER_KEYS = ['id', 'name', 'eui64', 'type', 'roles'] as const;
const USER_TYPES: readonly PartyType[] = ['SharedResourceProvider', 'NetworkOperator', 'Other'];

interface Defaults {
  readonly id: string | undefined;
  readonly name: string | undefined;
  readonly eui64: Eui64;
  readonly mpid: string | null;
  readonly type: PartyType;
  readonly roles: readonly Role[];
}

export function validateParties(c: Checker, raw: unknown, path: string): Parties {
  const r = readRecord(
    c,
    raw,
    path,
    ['failedSupplier', 'srp', 'solr', 'suppliers', 'users'],
    'an object { failedSupplier, srp, solr, suppliers, users }',
  );
  const at = (k: string): string => childPath(path, k);
  const supplier = { type: 'Supplier', roles: ['IS', 'GS'] } as const;
  const failedSupplier = party(c, get(r, 'failedSupplier'), at('failedSupplier'), SUPPLIER_KEYS, {
    ...supplier,
    id: 'failed',
    name: 'Failed supplier',
    eui64: SUPPLIER_A,
    mpid: MPID_A,
  });
  const srp = party(c, get(r, 'srp'), at('srp'), SRP_KEYS, {
    id: 'srp',
    name: 'Shared Resource Provider',
    eui64: SRP,
    mpid: null,
    type: 'SharedResourceProvider',
    roles: [],
  });
  const solr = party(c, get(r, 'solr'), at('solr'), SUPPLIER_KEYS, {
    ...supplier,
    id: 'solr',
    name: 'Supplier of Last Resort',
    eui64: SUPPLIER_B,
    mpid: MPID_B,
  });
  const suppliers = readList(c, get(r, 'suppliers'), at('suppliers'), MAX_OTHER_PARTIES, 'a list of suppliers').map((s, i) =>
    party(c, s, itemPath(at('suppliers'), i), SUPPLIER_KEYS, {
      ...supplier,
      id: undefined,
      name: undefined,
      eui64: supplierEui(i),
      mpid: `SP${String(i).padStart(2, '0')}`,
    }),
  );
  const users = readList(c, get(r, 'users'), at('users'), MAX_OTHER_PARTIES, 'a list of DCC Users').map((u, i) =>
    party(c, u, itemPath(at('users'), i), USER_KEYS, {
      id: undefined,
      name: undefined,
      eui64: userEui(i),
      mpid: null,
      type: 'Other',
      roles: [],
    }),
  );
  const byId = unique(c, [
    [failedSupplier, at('failedSupplier')],
    [srp, at('srp')],
    [solr, at('solr')],
    ...suppliers.map((p, i): [Party, string] => [p, itemPath(at('suppliers'), i)]),
    ...users.map((p, i): [Party, string] => [p, itemPath(at('users'), i)]),
  ]);
  return { failedSupplier, srp, solr, suppliers, users, byId };
}

function party(c: Checker, raw: unknown, path: string, keys: readonly string[], d: Defaults): Party {
  const r = readRecord(c, raw, path, keys, `an object { ${keys.join(', ')} }`);
  const at = (k: string): string => childPath(path, k);
  if (d.id === undefined) required(c, get(r, 'id'), at('id'), ID_EXPECTED);
  const id = readString(c, get(r, 'id'), at('id'), { expected: ID_EXPECTED, maxLength: 40, pattern: PARTY_ID }, d.id ?? '');
  const name = readString(c, get(r, 'name'), at('name'), NAME, d.name ?? id);
  const euiRaw = get(r, 'eui64');
  const eui64 = euiRaw === undefined ? d.eui64 : c.take(toEui64(euiRaw, at('eui64')), d.eui64);
  const mpid = keys.includes('mpid')
    ? readString(
        c,
        get(r, 'mpid'),
        at('mpid'),
        { expected: 'an MPID of 4 upper-case letters or digits, e.g. SUPA', maxLength: 4, pattern: MPID },
        d.mpid ?? '',
      )
    : null;
  const type = keys.includes('type') ? readChoice(c, get(r, 'type'), at('type'), USER_TYPES, d.type) : d.type;
  let roles = d.roles;
  if (keys.includes('roles')) {
    const supplierParty = d.type === 'Supplier';
    const allowed = supplierParty ? SUPPLIER_ROLES : ROLES;
    if (!supplierParty) required(c, get(r, 'roles'), at('roles'), `a list of User Roles (${allowed.join(', ')})`);
    roles = readRoles(c, get(r, 'roles'), at('roles'), allowed, d.roles);
  }
  return { id, name, eui64, type, roles, mpid };
}

function readRoles(c: Checker, raw: unknown, path: string, allowed: readonly Role[], fallback: readonly Role[]): readonly Role[] {
  if (raw === undefined) return fallback;
  const list = readList(c, raw, path, allowed.length, `a list of User Roles (${allowed.join(', ')})`);
  if (Array.isArray(raw) && raw.length === 0) c.add(fieldError(path, 'required', `at least one User Role (${allowed.join(', ')})`, raw));
  const roles: Role[] = [];
  for (const [i, v] of list.entries()) {
    const before = c.count;
    const role = readChoice(c, v, itemPath(path, i), allowed, allowed[0]!);
    if (c.count > before) continue;
    if (roles.includes(role)) c.add(fieldError(itemPath(path, i), 'format', 'each role once', role));
    else roles.push(role);
  }
  return roles;
}

/** Ids, EUI-64s and MPIDs are each held by one party; the later holder is blamed. */
function unique(c: Checker, parties: readonly (readonly [Party, string])[]): ReadonlyMap<string, Party> {
  const byId = new Map<string, Party>();
  const idPaths = new Map<string, string>();
  const byEui = new Map<string, string>(RESERVED);
  const byMpid = new Map<string, string>();
  for (const [p, path] of parties) {
    if (p.id !== '') {
      const other = idPaths.get(p.id);
      if (other !== undefined) c.add(fieldError(childPath(path, 'id'), 'format', `an id no other party has (${other} has it)`, p.id));
      else {
        byId.set(p.id, p);
        idPaths.set(p.id, path);
      }
    }
    const holder = byEui.get(p.eui64);
    if (holder !== undefined)
      c.add(fieldError(childPath(path, 'eui64'), 'format', `an EUI-64 no other party has (${holder} has it)`, p.eui64));
    else byEui.set(p.eui64, p.id === '' ? path : p.id);
    if (p.mpid !== null && p.mpid !== '') {
      const owner = byMpid.get(p.mpid);
      if (owner !== undefined)
        c.add(fieldError(childPath(path, 'mpid'), 'format', `an MPID no other supplier has (${owner} has it)`, p.mpid));
      else byMpid.set(p.mpid, p.id === '' ? path : p.id);
    }
  }
  return byId;
}
