/**
 * DUIS User Roles. // DOMAIN §4.6
 *
 * The seven eligibility codes of the DUIS access matrix, and the role MP134B
 * proposes for Shared Resource Providers acting after a supplier failure,
 * "SoLR Contingency". That role is a proposal: it is not in live DUIS and its
 * DUIS code was never defined (DOMAIN §4.6, §7.3), so its code is
 * configuration (`RoleCodes`), `SC` by default.
 */

/** The roles of the DUIS access matrix. // DOMAIN §4.9 */
export const MATRIX_ROLES = ['IS', 'ES', 'GS', 'RSA', 'ED', 'GT', 'OU'] as const;

/** A role of the DUIS access matrix: Import Supplier, Export Supplier, Gas Supplier, Registered Supplier Agent, Electricity Distributor, Gas Transporter, Other User. */
export type MatrixRole = (typeof MATRIX_ROLES)[number];

/** Every role the DSP knows: the matrix roles and the proposed SoLR Contingency role. // MP134B req 1 */
export type Role = MatrixRole | 'SoLRContingency';

export const ROLES: readonly Role[] = [...MATRIX_ROLES, 'SoLRContingency'];

/** Supplier roles: their requests are checked against the device's registration. // DOMAIN §4.8 step 4 */
export const SUPPLIER_ROLES: readonly Role[] = ['IS', 'ES', 'GS'];

/** How roles are written on the wire (the request header's role). Only the SoLR Contingency role's code is open. */
export interface RoleCodes {
  /** The proposed role's code. Default `SC`. UNVERIFIED: DUIS never defined one. // MP134B req 1 */
  readonly solrContingency: string;
}

export const DEFAULT_ROLE_CODES: RoleCodes = { solrContingency: 'SC' };

/** The role a wire code names, or undefined. */
export function roleFromCode(code: string, codes: RoleCodes = DEFAULT_ROLE_CODES): Role | undefined {
  if (code === codes.solrContingency) return 'SoLRContingency';
  return (MATRIX_ROLES as readonly string[]).includes(code) ? (code as MatrixRole) : undefined;
}

/** The wire code of a role. */
export function roleCode(role: Role, codes: RoleCodes = DEFAULT_ROLE_CODES): string {
  return role === 'SoLRContingency' ? codes.solrContingency : role;
}
