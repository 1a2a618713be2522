import { fieldError, type FieldError } from '../../core/errors.ts';
import { err, ok, type Result } from '../../core/result.ts';
import { reject, type Rejection } from '../response-codes.ts';
import { isCommandVariant } from './command-variant.ts';
import type { Role } from './roles.ts';
import { SRV_CATALOGUE, type SrvEntry } from './srv-catalogue.ts';
import { parseSrv, type Srv } from './srv.ts';

/**
 * The DUIS access matrix: may this role send this Service Reference Variant
 * with this Command Variant? // DOMAIN §4.4, §4.6, §4.9; MP134B req 3
 *
 * Built from SRV_CATALOGUE and nothing else: a matrix role may send an SRV
 * when the catalogue lists it, with the CVs the catalogue allows. The proposed
 * SoLR Contingency role is in no catalogue row; it may send exactly the SRVs on
 * its configured list, with each one's allowed CVs (MP134B: "each valid CV of
 * SR 1.6 (4/5/6/7)"). Everything else is refused: default deny.
 *
 * Check order, fixed so the same request always gets the same code:
 * 1. unknown SRV → X11 (nothing else can be judged without the row);
 * 2. role not eligible for the SRV → E2;
 * 3. CV outside 1–8, or not allowed for the SRV → E12.
 * Role before CV follows DOMAIN §4.8 (role/SRV eligibility is step 2, CV
 * validity step 3), and a role that may not send an SRV at all learns nothing
 * about how that SRV would be sent.
 */

/** The SRVs the SoLR Contingency role may send unless configured otherwise: SR 1.6 only. // MP134B req 3 */
export const DEFAULT_SOLR_CONTINGENCY_SRVS: readonly string[] = Object.freeze(['1.6']);

/** How the matrix is built. */
export interface AccessMatrixOptions {
  /** SRVs the SoLR Contingency role may send; each must be in the catalogue. Default `['1.6']`. // MP134B req 3 */
  readonly solrContingencySrvs?: readonly string[];
}

/** The matrix's answer: the catalogue row when allowed, else a Rejection (X11, E2 or E12) that also says `ok: false`. */
export type AccessDecision = { readonly ok: true; readonly entry: SrvEntry } | (Rejection & { readonly ok: false });

/** The access matrix, immutable once built. */
export interface AccessMatrix {
  /** The catalogue row of an SRV, or undefined when the DSP does not know it (or it is not an SRV at all). */
  entry(srv: string): SrvEntry | undefined;
  /** Whether `role` may send `srv` with some CV. */
  eligible(role: Role, srv: string): boolean;
  /** The decision for one request header. */
  decide(role: Role, srv: string, cv: number): AccessDecision;
  /** The SRVs the SoLR Contingency role may send, as configured. */
  readonly solrContingencySrvs: readonly Srv[];
}

const PATH = 'solrContingencySrvs';

/**
 * Builds the access matrix. A configured SoLR Contingency SRV that is not an
 * SRV, or not in the catalogue, is a configuration error. Repeats are harmless.
 *
 * @example
 * const m = unwrap(createAccessMatrix());
 * m.decide('SoLRContingency', '1.6', 5); // { ok: true, entry: … }
 * m.decide('SoLRContingency', '1.6', 1); // { ok: false, code: 'E12', … }
 */
export function createAccessMatrix(options: AccessMatrixOptions = {}): Result<AccessMatrix, FieldError> {
  const bySrv = new Map<string, SrvEntry>(SRV_CATALOGUE.map((e) => [e.srv, e]));

  const raw: unknown = options.solrContingencySrvs ?? DEFAULT_SOLR_CONTINGENCY_SRVS;
  if (!Array.isArray(raw)) return err(fieldError(PATH, 'type', 'a list of Service Reference Variants', raw));
  const solr: Srv[] = [];
  for (const [i, item] of (raw as readonly unknown[]).entries()) {
    const parsed = parseSrv(item, `${PATH}[${i}]`);
    if (!parsed.ok) return parsed;
    if (!bySrv.has(parsed.value)) {
      return err(fieldError(`${PATH}[${i}]`, 'unknown-kind', 'a Service Reference Variant of the DUIS catalogue (DOMAIN §4.9)', item));
    }
    if (!solr.includes(parsed.value)) solr.push(parsed.value);
  }
  const solrSet: ReadonlySet<string> = new Set(solr);

  const eligibleFor = (role: Role, entry: SrvEntry): boolean =>
    role === 'SoLRContingency' ? solrSet.has(entry.srv) : entry.roles.includes(role);

  const decide = (role: Role, srv: string, cv: number): AccessDecision => {
    const entry = bySrv.get(srv);
    if (entry === undefined) return denied(reject('X11', `SRV ${quote(srv)} is not in the DUIS catalogue`));
    if (!eligibleFor(role, entry)) {
      // The SoLR Contingency reason names only this SRV, not the whole list, so a change to the list changes no other SRV's answer.
      const why = role === 'SoLRContingency' ? 'it is not on the SoLR Contingency list' : `the catalogue lists: ${list(entry.roles)}`;
      return denied(reject('E2', `role ${role} may not send SRV ${entry.srv} (${entry.name}); ${why}`));
    }
    if (!isCommandVariant(cv)) return denied(reject('E12', `CV ${cv} is not a Command Variant a User may send (1–8)`));
    if (!entry.commandVariants.includes(cv)) {
      return denied(reject('E12', `CV ${cv} is not valid for SRV ${entry.srv} (${entry.name}); allowed: ${list(entry.commandVariants)}`));
    }
    return { ok: true, entry };
  };

  return ok(
    Object.freeze({
      entry: (srv: string) => bySrv.get(srv),
      eligible: (role: Role, srv: string) => {
        const entry = bySrv.get(srv);
        return entry !== undefined && eligibleFor(role, entry);
      },
      decide,
      solrContingencySrvs: Object.freeze(solr),
    }),
  );
}

function denied(r: Rejection): AccessDecision {
  return { ok: false, ...r };
}

function list(items: readonly (string | number)[]): string {
  return items.length === 0 ? 'none' : items.join(', ');
}

// The SRV comes from the request: quoted, and cut short so a long one cannot swell the audit trail.
function quote(s: string): string {
  return JSON.stringify(s.length > 20 ? `${s.slice(0, 17)}...` : s);
}
