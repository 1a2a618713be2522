import { formatRequestId, type Eui64 } from '../core/ids.ts';
import { createFastSigner } from '../core/crypto/ecdsa.ts';
import { encodePreCommand } from '../proto/signed-content.ts';
import type { DspOutput } from './dsp-outputs.ts';
import { err, ok, type Result } from '../core/result.ts';
import type { Instant } from '../core/time/duration.ts';
import type { FieldError } from '../core/errors.ts';
import type { AdtFile } from './adt/adt-file.ts';
import type { Dsp } from './dsp-service.ts';
import { KEY_USAGES } from './smki/certificate.ts';

/** The SAT sender of an admin record that concerns no single User: the DCC itself (an all-zero EUI-64). */
export const DCC_SELF = '00-00-00-00-00-00-00-00' as Eui64;

/**
 * The parties outside the DSP that change what it allows: the Authority
 * (Ofgem), the SMKI PMA, SECAS and a User's Authorised/Senior Responsible
 * Officers. Each operation is an explicit, audited call: one `admin` record in
 * the Service Audit Trail naming who acted and what changed.
 * // DOMAIN §7.1, §7.2; MP134A; MP185; MP134B req 4, 6
 */
export class DspAdmin {
  private readonly dsp: Dsp;
  private cosCounter = 0n;
  private transCoSSigner: ((message: Uint8Array) => Uint8Array) | undefined;

  constructor(dsp: Dsp) {
    this.dsp = dsp;
  }

  /**
   * The Authority revokes `supplier`'s licence at `at`. Its SMKI certificates
   * are revoked at once, as SEC Section L requires — unless the SMKI PMA delays
   * revocation (MP134A), in which case they are revoked at `delayRevocationUntil`.
   * From `at`, its device alerts go to the SRPs acting for it. // DOMAIN §5.3, §7.2 steps 2–3; MP134B req 7
   */
  revokeLicence(supplier: Eui64, at: Instant, options: { readonly delayRevocationUntil?: Instant } = {}): void {
    const r = this.dsp.registry;
    r.revokeLicence(supplier, at);
    const when = options.delayRevocationUntil ?? at;
    const revoked: string[] = [];
    for (const usage of KEY_USAGES) {
      const c = this.dsp.smki.find(supplier, usage);
      if (c === undefined) continue;
      this.dsp.smki.revoke(c.serial, when);
      revoked.push(`${usage} ${c.serial}`);
    }
    const delay = options.delayRevocationUntil === undefined ? 'now' : `at ${new Date(when).toISOString()} (SMKI PMA delay, MP134A)`;
    this.audit(at, supplier, `licence revoked; certificates revoked ${delay}: ${revoked.join(', ') || 'none'}`);
  }

  /** SECAS puts `supplier` on (or takes it off) the failed-supplier list. // MP134B req 6; OPEN-QUESTIONS A8 */
  setFailedSupplier(supplier: Eui64, failed: boolean, at: Instant): void {
    this.dsp.registry.setFailed(supplier, failed, at);
    this.audit(at, supplier, failed ? 'added to the failed-supplier list' : 'removed from the failed-supplier list');
  }

  /** The Authority instructs `srp` to act for failed `supplier`. // MP134B req 6; MP134A */
  instruct(reference: string, supplier: Eui64, srp: Eui64, at: Instant): void {
    this.dsp.registry.instruct({ reference, supplier, srp, from: at });
    this.audit(at, srp, `Authority instruction ${reference}: act for ${supplier}`);
  }

  /** The Authority withdraws an instruction. */
  withdrawInstruction(reference: string, at: Instant): void {
    this.dsp.registry.withdrawInstruction(reference, at);
    this.audit(at, null, `Authority instruction ${reference} withdrawn`);
  }

  /** `srp` acts as agent for `supplier` (it holds its DCC access and keys). // DOMAIN §7.1 */
  appointSrp(srp: Eui64, supplier: Eui64, at: Instant, until: Instant | null = null): void {
    this.dsp.registry.appointSrp(srp, supplier, at, until);
    this.audit(at, srp, `SRP for ${supplier}${until === null ? '' : ` until ${new Date(until).toISOString()}`}`);
  }

  /**
   * The Authority appoints `solr` as Supplier of Last Resort for `failed` at
   * `at`. The failed supplier's MPIDs move to the SoLR then — unless the SMKI
   * PMA delays the transfer (MP185), to `delayTransferUntil`. SRP
   * arrangements end at most 90 days after `at`. // DOMAIN §7.2 steps 2, 4, 6; MP185 §3
   */
  appointSolr(failed: Eui64, solr: Eui64, at: Instant, options: { readonly delayTransferUntil?: Instant } = {}): void {
    const r = this.dsp.registry;
    r.appointSolr({ failed, solr, at });
    const when = options.delayTransferUntil ?? at;
    const mpids = r.portfolio(failed, at);
    for (const mpid of mpids) r.assignMpid(mpid, solr, when);
    const delay = options.delayTransferUntil === undefined ? 'now' : `at ${new Date(when).toISOString()} (SMKI PMA delay, MP185)`;
    this.audit(at, failed, `SoLR ${solr} appointed; MPIDs ${mpids.join(', ') || 'none'} move ${delay}`);
  }

  /**
   * A User's ARO/SRO uploads an Anomaly Detection Threshold file; `uploadedBy`
   * names which officer, when the caller knows. // MP134B req 4; DOMAIN §4.7
   */
  uploadAdt(file: unknown, at: Instant, uploadedBy?: 'ARO' | 'SRO'): Result<AdtFile, readonly FieldError[]> {
    const r = this.dsp.adt.upload(file, at);
    if (!r.ok) return err(r.error);
    const f = r.value;
    const by = uploadedBy === undefined ? '' : ` (uploaded by its ${uploadedBy})`;
    this.audit(
      at,
      f.user,
      `ADT file for role ${f.role}${by}: ${f.thresholds.map((t) => `${t.srv}≤${t.limit}`).join(', ') || 'no thresholds'}`,
    );
    return ok(f);
  }

  /**
   * Change of Supplier for one device at `at`: its MPxN is registered to
   * `mpid` (the gaining supplier's), the DSP's record of its trust anchor
   * moves to `supplier`, and the DCC's TransCoS party sends the device a
   * credential update signed with its key (GBCS CS02b supplierByTransCoS,
   * as SR 6.23 causes). From then the device refuses the old supplier's
   * signatures. Returns the command for the gateway to send. // DOMAIN §5.3; OPEN-QUESTIONS F3
   */
  changeOfSupplier(device: Eui64, supplier: Eui64, mpid: string, at: Instant): DspOutput[] {
    const d = this.dsp.registry.device(device);
    const transCoS = this.dsp.transCoS;
    if (d === undefined) throw new RangeError(`changeOfSupplier: no device ${device}`);
    if (transCoS === undefined) throw new Error('changeOfSupplier: the DSP was built without a TransCoS credential (DspOptions.transCoS)');
    const signing = this.dsp.smki.find(supplier, 'digitalSigning');
    if (signing === undefined) throw new RangeError(`changeOfSupplier: ${supplier} has no Digital-Signing certificate`);
    this.dsp.registry.register(d.mpxn, mpid, at);
    this.dsp.registry.setTrustAnchor(device, supplier, at);
    const party = transCoS.certificate.subject;
    const counter = ++this.cosCounter;
    const requestId = formatRequestId({ originator: party, target: device, counter });
    const command = { kind: 'updateSupplierCredentials' as const, updateSupplierCredentials: { supplier, publicKey: signing.publicKey } };
    const preCommand = encodePreCommand({
      requestId,
      remoteParty: party,
      device,
      counter,
      serviceReferenceVariant: '6.23',
      command: { ...command, now: 0 },
    });
    // One signer for the run: building OpenSSL's key object costs more than a signature.
    const sign = (this.transCoSSigner ??= createFastSigner({ privateKey: transCoS.privateKey, publicKey: transCoS.certificate.publicKey }));
    this.dsp.trackInternal(requestId, device, supplier);
    this.audit(at, supplier, `Change of Supplier: ${device} (${d.mpxn}) to ${supplier}, MPID ${mpid}; credential update ${requestId}`);
    return [
      {
        kind: 'command',
        hub: d.commsHub,
        device,
        requestId,
        command: { ...command, ref: requestId, now: at, authorisation: { preCommand, signature: sign(preCommand) } },
      },
    ];
  }

  /** The DCC suspends or restores a User. // DOMAIN §4.4 E3 */
  setUserStatus(user: Eui64, status: 'active' | 'suspended', at: Instant): void {
    this.dsp.registry.setUserStatus(user, status, at);
    this.audit(at, user, `User ${status}`);
  }

  /**
   * A User's Receive Response Service URL is set, or cleared with null: where
   * the DCC POSTs its asynchronous responses and alerts. The DSP records the
   * change; the edge that delivers holds the URL. // DOMAIN §4.1
   */
  setReceiveUrl(user: Eui64, url: string | null, at: Instant): void {
    this.audit(at, user, url === null ? 'Receive Response Service URL cleared' : `Receive Response Service URL set to ${url}`);
  }

  private audit(at: Instant, sender: Eui64 | null, detail: string): void {
    this.dsp.sat.append({
      at,
      kind: 'admin',
      sender: sender ?? DCC_SELF,
      businessOriginator: null,
      requestId: null,
      srv: null,
      commandVariant: null,
      code: null,
      detail,
    });
  }
}
