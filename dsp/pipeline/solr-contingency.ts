import { decodePreCommand } from '../../proto/signed-content.ts';
import type { Eui64 } from '../../core/ids.ts';
import type { Instant } from '../../core/time/duration.ts';
import type { DeviceRecord, Registry } from '../registry/registry.ts';
import { DUIS_CODES, EMULATOR_CODES, reject } from '../response-codes.ts';
import { commandOf, isChangeToCredit } from '../transform.ts';
import { known, transformKey, type Stage } from './request-facts.ts';

/**
 * The SoLR Contingency role's gates and the critical-command content checks.
 * // MP134B req 3–7; MP185 §3; DOMAIN §4.3, §7.3
 */

/**
 * For the SoLR Contingency role: the device's supplier is on the failed list
 * (X6) — or, once its MPIDs have moved to the SoLR, refused as MP185 says
 * (E4 by default) — the sender is that supplier's SRP within the 90-day window
 * (E4 not appointed, X8 window over), and an Authority instruction stands (X7).
 * // MP134B req 6; MP185 §3; RELIABILITY SA04–SA06
 */
export const solrContingencyGates: Stage = {
  name: 'solr-contingency-gates',
  run(f, dsp) {
    if (f.role !== 'SoLRContingency' || f.device === undefined) return undefined;
    const r = dsp.registry;
    const supplier = r.responsibleSupplier(f.device, f.at);
    if (supplier === null) return reject(EMULATOR_CODES.X6, `device ${f.device.id} has no registered supplier now`);
    if (!r.isFailed(supplier, f.at)) {
      const moved = failedFormerOwner(r, f.device, supplier, f.at);
      if (moved !== undefined) {
        return reject(
          dsp.config.afterMpidTransferCode,
          `the MPIDs of failed supplier ${moved} have moved to ${supplier}: requests for the failed supplier are refused (MP185)`,
        );
      }
      return reject(EMULATOR_CODES.X6, `supplier ${supplier} of device ${f.device.id} is not on the failed-supplier list`);
    }
    const arrangement = r.srpArrangementHolds(f.sender, supplier, f.at);
    if (arrangement === 'not-appointed') return reject(DUIS_CODES.E4, `${f.sender} is not an SRP acting for ${supplier}`);
    if (arrangement === 'window-ended') {
      return reject(
        EMULATOR_CODES.X8,
        `${f.sender}'s arrangement with ${supplier} ended ${r.srpWindowMs / 86_400_000} days after the SoLR date`,
      );
    }
    if (r.instructionFor(f.sender, supplier, f.at) === undefined) {
      return reject(EMULATOR_CODES.X7, `no Authority instruction stands for ${f.sender} to act for ${supplier}`);
    }
    f.onBehalfOf = supplier;
    return undefined;
  },
};

/** A failed supplier that owned the MPID of the device's MPxN before it moved to `now`'s owner, if any. // MP185 */
function failedFormerOwner(r: Registry, d: DeviceRecord, owner: Eui64, at: Instant): Eui64 | undefined {
  const mpid = r.registeredMpid(d.mpxn, at);
  if (mpid === null) return undefined;
  for (const change of r.mpidHistory(mpid)) {
    const former = change.value;
    if (change.at <= at && former !== null && former !== owner && r.isFailed(former, at)) return former;
  }
  return undefined;
}

/**
 * The command: from the request body (CV 1–4, SMETS1 sends), or decoded from
 * the signed Pre-Command (CV 5–7 to SMETS2), which must be the one the DSP
 * transformed for this RequestID and is for this device (X4).
 * // DOMAIN §4.3 step 4 ("correlation"); RELIABILITY SA03, SR05
 */
export const command: Stage = {
  name: 'command',
  run(f, dsp) {
    const entry = known(f.entry, 'entry');
    if (entry.nonDevice) return reject(EMULATOR_CODES.X13, `SRV ${entry.srv} is a non-device service the twin does not model`);
    if (f.request.kind !== 'signedPreCommand') {
      const c = commandOf(f.request);
      if ('code' in c) return c;
      f.command = c;
      return undefined;
    }
    const { command: bytes, signature } = f.request.signedPreCommand;
    const kept = dsp.transforms.get(transformKey(f.sender, known(f.requestId, 'requestId')));
    if (kept === undefined) return reject(EMULATOR_CODES.X4, 'no CV 4 transform precedes this signed Pre-Command');
    if (!sameBytes(kept.bytes, bytes)) return reject(EMULATOR_CODES.X4, 'the signed Pre-Command is not the one the DSP transformed');
    const p = decodePreCommand(bytes);
    if (!p.ok) return reject(EMULATOR_CODES.X4, `the signed Pre-Command cannot be read: ${p.error.message}`);
    f.signed = { bytes, signature, preCommand: p.value };
    const { ref: _ref, now: _now, authorisation: _auth, ...body } = p.value.command;
    f.command = body;
    return undefined;
  },
};

/**
 * MP134B req 5: for the SoLR Contingency role the content — the Service
 * Request for SMETS1, the signed Pre-Command for SMETS2 — must change payment
 * mode to Credit; anything else is refused (X5). The check reads the command
 * the device would execute, never only the envelope. // RELIABILITY SA02, SA03
 */
export const solrContingencyContent: Stage = {
  name: 'solr-contingency-content',
  run(f) {
    if (f.role !== 'SoLRContingency') return undefined;
    const c = known(f.command, 'command');
    return isChangeToCredit(c)
      ? undefined
      : reject(EMULATOR_CODES.X5, `the SoLR Contingency role may only change payment mode to Credit, not send ${c.kind}`);
  },
};

/**
 * The signed Pre-Command verifies with the Digital-Signing key of the supplier
 * the device trusts (X2): what the device will check before acting. For the
 * SoLR Contingency role that is the failed supplier's key, held by the SRP as
 * its agent; the role has no signing key of its own. // MP134B req 2; DOMAIN §5.2, §5.3; RELIABILITY SA10
 */
export const preCommandSignature: Stage = {
  name: 'pre-command-signature',
  run(f, dsp) {
    const s = f.signed;
    if (s === undefined) return undefined;
    const d = known(f.device, 'device');
    const anchor = dsp.registry.trustAnchor(d.id, f.at);
    if (anchor === null) return reject(EMULATOR_CODES.X2, `device ${d.id} trusts no supplier's signing key`);
    const cert = dsp.smki.find(anchor, 'digitalSigning');
    if (cert === undefined) return reject(EMULATOR_CODES.X2, `supplier ${anchor} has no Digital-Signing certificate`);
    const verdict = dsp.verifier.verify(cert.publicKey, s.bytes, s.signature);
    return verdict === 'valid'
      ? undefined
      : reject(EMULATOR_CODES.X2, `the Pre-Command signature does not verify with ${anchor}'s key (${verdict})`);
  },
};

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
