import type { SrvEntry } from '../access/srv-catalogue.ts';
import type { DeviceType } from '../registry/registry.ts';
import { DUIS_CODES, EMULATOR_CODES, reject } from '../response-codes.ts';
import { known, type Stage } from './request-facts.ts';

/**
 * Authorisation: the User holds the role it sends in, the role may send this
 * SRV with this Command Variant, the device exists and can take it, and the
 * sender is the device's supplier. // DOMAIN §4.4, §4.8 steps 2–4
 */

/** The sender is a User, holds the role named in the request (a role in force), and is active (E1, E3). // DOMAIN §4.4, §4.6 */
export const userAndRole: Stage = {
  name: 'user-and-role',
  run(f, dsp) {
    const user = dsp.registry.user(f.sender);
    if (user === undefined) return reject(DUIS_CODES.E1, `${f.sender} is not a DCC User`);
    const code = f.request.header.userRole;
    const role = known(f.role, 'role');
    // OPEN-QUESTIONS A1: without MP134B the role does not exist.
    if (role === 'SoLRContingency' && !dsp.config.solrContingencyRole) {
      return reject(DUIS_CODES.E1, `the SoLR Contingency role (${code}) is not in force`);
    }
    if (!user.roles.includes(role)) return reject(DUIS_CODES.E1, `${f.sender} is not registered in role ${code}`);
    if (!dsp.registry.userActive(f.sender, f.at)) return reject(DUIS_CODES.E3, `${f.sender} is suspended`);
    f.user = user;
    return undefined;
  },
};

/** The access matrix allows this role, SRV and Command Variant (X11, E2, E12). // DOMAIN §4.9; MP134B req 3 */
export const accessMatrix: Stage = {
  name: 'access-matrix',
  run(f, dsp) {
    const d = dsp.matrix.decide(known(f.role, 'role'), f.request.header.serviceReferenceVariant, f.request.header.commandVariant);
    if (!d.ok) return reject(d.code, d.reason);
    f.entry = d.entry;
    return undefined;
  },
};

/**
 * The device exists (E19), is commissioned (E5), is of a type the SRV applies
 * to (E11), and — SMETS1 — the request takes the S1SP path: no Pre-Command to
 * sign (E12 for CV 4), the Service Request body itself on the send.
 * // DOMAIN §4.4, §6; OPEN-QUESTIONS F4
 */
export const device: Stage = {
  name: 'device',
  run(f, dsp) {
    const entry = known(f.entry, 'entry');
    if (entry.nonDevice) return undefined;
    const target = known(f.ids, 'ids').target;
    const d = dsp.registry.device(target);
    if (d === undefined) return reject(DUIS_CODES.E19, `device ${target} is not in the inventory`);
    if (d.smiStatus !== 'Commissioned' && d.smiStatus !== 'InstalledNotCommissioned') {
      return reject(DUIS_CODES.E5, `device ${target} has SMI status ${d.smiStatus}`);
    }
    const types = deviceTypesOf(entry);
    if (types.size > 0 && !types.has(d.type)) return reject(DUIS_CODES.E11, `SRV ${entry.srv} does not apply to a ${d.type}`);
    const cv = f.request.header.commandVariant;
    const signedBody = f.request.kind === 'signedPreCommand';
    if (d.generation === 'SMETS1') {
      if (cv === 4)
        return reject(
          DUIS_CODES.E12,
          `device ${target} is SMETS1: the S1SP takes the Service Request itself, there is no Pre-Command to sign`,
        );
      if (signedBody)
        return reject(EMULATOR_CODES.X1, `device ${target} is SMETS1: send the Service Request body, not a signed Pre-Command`);
    } else if (entry.critical && cv !== 4 && !signedBody) {
      return reject(EMULATOR_CODES.X1, `SRV ${entry.srv} is critical: CV ${cv} carries the signed Pre-Command of its CV 4 transform`);
    } else if (signedBody && (!entry.critical || cv === 4)) {
      return reject(EMULATOR_CODES.X1, `a signed Pre-Command belongs only on CV 5, 6 or 7 of a critical SRV`);
    }
    f.device = d;
    return undefined;
  },
};

/**
 * A supplier role acts only on a device whose MPxN is registered to one of its
 * MPIDs at this instant, and only for its own fuel (E4). This is what moves
 * with the MPIDs at SoLR appointment (MP185). Other roles are not checked
 * against registration here. // DOMAIN §4.8 step 4; MP185; RELIABILITY SA13
 */
export const registration: Stage = {
  name: 'registration',
  run(f, dsp) {
    const role = known(f.role, 'role');
    const d = f.device;
    if (d === undefined || (role !== 'IS' && role !== 'ES' && role !== 'GS')) return undefined;
    if (role === 'GS' ? d.type === 'ESME' : d.type === 'GSME') {
      return reject(DUIS_CODES.E4, `role ${role} does not supply the ${d.type} ${d.id}`);
    }
    const supplier = dsp.registry.responsibleSupplier(d, f.at);
    if (supplier !== f.sender) {
      return reject(DUIS_CODES.E4, `${f.sender} is not the registered supplier of ${d.id} (${d.mpxn}) now`);
    }
    f.onBehalfOf = supplier;
    return undefined;
  },
};

/**
 * The device types an SRV applies to, from its GBCS use cases: ECS… electricity
 * meter, GCS… gas meter, CS… both meters, PCS… PPMID, DBCH… comms hub. An
 * empty set means the use cases do not say. // DOMAIN §4.9 (use-case column)
 */
export function deviceTypesOf(entry: SrvEntry): ReadonlySet<DeviceType> {
  const types = new Set<DeviceType>();
  for (const uc of entry.useCases) {
    if (uc.startsWith('ECS')) types.add('ESME');
    else if (uc.startsWith('GCS')) types.add('GSME');
    else if (uc.startsWith('PCS')) types.add('PPMID');
    else if (uc.startsWith('DBCH') || uc.startsWith('CCS')) types.add('CHF');
    else if (uc.startsWith('CS')) {
      types.add('ESME');
      types.add('GSME');
    }
  }
  return types;
}
