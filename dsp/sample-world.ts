import { eui64FromIndex, mpanWithCheckDigit, type Eui64 } from '../core/ids.ts';
import type { Instant } from '../core/time/duration.ts';
import type { Role } from './access/roles.ts';
import { Dsp } from './dsp-service.ts';
import type { DspConfig } from './dsp-config.ts';
import { Registry, type DeviceRecord, type DeviceType, type PartyType } from './registry/registry.ts';
import { REMOTE_PARTY_ROLE } from './smki/certificate.ts';
import { Smki, type Credential } from './smki/smki.ts';
import { DuisUser } from './user/duis-user.ts';

/**
 * A small, complete DSP world for examples, tests and benchmarks: a supplier
 * that will fail, the Supplier of Last Resort that will take over, a Shared
 * Resource Provider holding the failing supplier's signing key as its agent,
 * a network operator, and one premises' devices per index — all with SMKI
 * credentials made from the seed. The identities follow the ZAZ1 test
 * identities where DOMAIN §4.6 gives them.
 */

/** ZAZ1 test identities. // DOMAIN §4.6 */
export const SUPPLIER_A = '90-B3-D5-1F-30-01-00-00' as Eui64;
export const SUPPLIER_B = '90-B3-D5-1F-30-03-00-00' as Eui64;
export const NETWORK_OPERATOR = '90-B3-D5-1F-30-02-00-00' as Eui64;
/** The SRP: not a ZAZ1 identity. */
export const SRP = '90-B3-D5-1F-30-05-00-00' as Eui64;
/** The DCC's Transitional Change of Supplier party. // DOMAIN §4.6 */
export const TRANS_COS = '90-B3-D5-1F-30-00-00-04' as Eui64;

/** MPIDs of the two suppliers' portfolios. */
export const MPID_A = 'SUPA';
export const MPID_B = 'SUPB';

/** Everything valid from the epoch to the end of 9999. */
const FOREVER = { notBefore: 0, notAfter: Date.UTC(9999, 11, 31) };

export interface SampleWorldOptions {
  readonly seed?: number | string;
  /** Premises, each with an ESME and a GSME on one comms hub. Default 4. */
  readonly premises?: number;
  /** Premises whose ESME is SMETS1 (reached through the S1SP): the last `smets1` ones. Default 0. */
  readonly smets1?: number;
  readonly config?: Partial<DspConfig>;
  /** When everything starts. Default 2026-01-01. */
  readonly start?: Instant;
}

/** One premises as the DSP's inventory holds it. */
export interface SamplePremises {
  readonly hub: Eui64;
  readonly esme: DeviceRecord;
  readonly gsme: DeviceRecord;
}

export interface SampleWorld {
  readonly dsp: Dsp;
  readonly registry: Registry;
  readonly smki: Smki;
  readonly premises: readonly SamplePremises[];
  /** Supplier A in role IS (it also holds GS). */
  readonly supplierA: DuisUser;
  readonly supplierAGas: DuisUser;
  readonly supplierB: DuisUser;
  /** The SRP in the SoLR Contingency role, signing Pre-Commands with supplier A's key as its agent. // MP134B req 2 */
  readonly srp: DuisUser;
  readonly networkOperator: DuisUser;
  /** Supplier A's Digital-Signing credential (the devices' trust anchor). */
  readonly supplierASigning: Credential;
  readonly supplierBSigning: Credential;
  /** The TransCoS Digital-Signing credential, which devices trust to replace supplier credentials. // DOMAIN §5.3 */
  readonly transCosSigning: Credential;
  readonly start: Instant;
}

/** Builds the world. Deterministic: the same options give the same identities, keys and certificates. */
export function sampleWorld(options: SampleWorldOptions = {}): SampleWorld {
  const start = options.start ?? Date.UTC(2026, 0, 1);
  const smki = new Smki({ seed: options.seed ?? 1 });
  const registry = new Registry();
  const party = (id: Eui64, name: string, type: PartyType, roles: Role[]): void => registry.addUser({ id, name, party: type, roles });
  party(SUPPLIER_A, 'Supplier A (fails)', 'Supplier', ['IS', 'GS']);
  party(SUPPLIER_B, 'Supplier B (SoLR)', 'Supplier', ['IS', 'GS']);
  party(SRP, 'Shared Resource Provider', 'SharedResourceProvider', ['SoLRContingency']);
  party(NETWORK_OPERATOR, 'Network operator', 'NetworkOperator', ['ED']);
  const xml = (id: Eui64): Credential => smki.issueOrganisation(id, REMOTE_PARTY_ROLE.xmlSigning, 'xmlSigning', FOREVER);
  const ds = (id: Eui64, role: number): Credential => smki.issueOrganisation(id, role, 'digitalSigning', FOREVER);
  const supplierASigning = ds(SUPPLIER_A, REMOTE_PARTY_ROLE.supplier);
  const supplierBSigning = ds(SUPPLIER_B, REMOTE_PARTY_ROLE.supplier);
  const transCosSigning = ds(TRANS_COS, REMOTE_PARTY_ROLE.transitionalCoS);
  const aXml = xml(SUPPLIER_A);
  const supplierA = new DuisUser({ id: SUPPLIER_A, role: 'IS', xml: aXml, signing: supplierASigning });
  const supplierAGas = supplierA.inRole('GS');
  const supplierB = new DuisUser({ id: SUPPLIER_B, role: 'IS', xml: xml(SUPPLIER_B), signing: supplierBSigning });
  // MP134B req 2: the SRP gets an XML-signing certificate only; it signs Pre-Commands with supplier A's key, held as agent.
  const roleCode = options.config?.roleCodes?.solrContingency ?? 'SC';
  const srp = new DuisUser({ id: SRP, role: roleCode, xml: xml(SRP), signing: supplierASigning });
  const networkOperator = new DuisUser({ id: NETWORK_OPERATOR, role: 'ED', xml: xml(NETWORK_OPERATOR) });

  registry.assignMpid(MPID_A, SUPPLIER_A, start);
  registry.assignMpid(MPID_B, SUPPLIER_B, start);
  const n = options.premises ?? 4;
  const smets1From = n - (options.smets1 ?? 0);
  const premises: SamplePremises[] = [];
  for (let i = 0; i < n; i++) {
    const hub = eui64FromIndex(0x00db1200, i * 4);
    const device = (type: DeviceType, offset: number, mpxn: string, generation: 'SMETS1' | 'SMETS2'): DeviceRecord => {
      const d: DeviceRecord = {
        id: eui64FromIndex(0x00db1200, i * 4 + offset),
        type,
        generation,
        mpxn,
        commsHub: hub,
        smiStatus: 'Commissioned',
      };
      registry.addDevice(d, SUPPLIER_A);
      registry.register(mpxn, MPID_A, start);
      return d;
    };
    const esme = device('ESME', 1, mpanWithCheckDigit(`1900${String(i).padStart(8, '0')}`), i >= smets1From ? 'SMETS1' : 'SMETS2');
    const gsme = device('GSME', 2, String(7_000_000 + i), 'SMETS2');
    premises.push({ hub, esme, gsme });
  }
  const dsp = new Dsp({ registry, smki, transCoS: transCosSigning, ...(options.config === undefined ? {} : { config: options.config }) });
  return {
    dsp,
    registry,
    smki,
    premises,
    supplierA,
    supplierAGas,
    supplierB,
    srp,
    networkOperator,
    supplierASigning,
    supplierBSigning,
    transCosSigning,
    start,
  };
}
