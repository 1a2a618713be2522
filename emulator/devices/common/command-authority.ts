import { SignatureVerifier } from '../../../core/crypto/ecdsa.ts';
import { parseRequestId } from '../../../core/ids.ts';
import { decodePreCommand } from '../../../proto/signed-content.ts';
import type { HanCommand, HanCommandKind, PreCommand } from '../../../proto/types.ts';

/**
 * A device's trust anchors and the check it makes before acting on a remote
 * command. // DOMAIN §5.2, §5.3
 *
 * A critical command (SR 1.5, 1.6, 2.1, 2.3, 2.5, 7.1–7.3) is executed only as
 * the command inside a Pre-Command signed by the supplier in the device's
 * Supplier trust-anchor cell, addressed to this device, under a counter above
 * the last one accepted from that originator. The device does not consult a
 * revocation list: after a supplier's licence is revoked its key still works
 * here until Change of Supplier replaces it (DOMAIN §5.3, "Revocation
 * semantics"). Change of Supplier itself (`updateSupplierCredentials`) must be
 * signed by the TransCoS party.
 *
 * Not modelled: the Access Control Broker's MAC on every command, and the
 * encryption of sensitive payloads (DOMAIN §5.2).
 */

/** One trust-anchor cell: the remote party and its Digital-Signing public key. */
export interface TrustAnchor {
  /** EUI-64 of the party. */
  readonly party: string;
  /** 65 bytes, uncompressed P-256. */
  readonly publicKey: Uint8Array;
}

/** The cells this twin uses. // DOMAIN §5.3 (RemotePartyRole) */
export interface TrustAnchors {
  readonly supplier: TrustAnchor;
  /** Trusted to replace the supplier's credentials at Change of Supplier. Without it the device refuses every credential update. */
  readonly transCoS?: TrustAnchor;
}

/** The critical commands: they carry the supplier's signature. // DOMAIN §4.9 (critical SRVs), §5.2 */
const CRITICAL: ReadonlySet<HanCommandKind> = new Set([
  'modeSet',
  'supplyEnable',
  'supplyDisable',
  'supplyArm',
  'configPrepay',
  'configDebt',
  'balanceAdjust',
]);

/** Whether a command arriving over the WAN needs a signature. SR 2.5 (emergency credit, remote) is critical; the consumer's own button is not remote. */
export function isCriticalCommand(c: HanCommand): boolean {
  return CRITICAL.has(c.kind) || (c.kind === 'ecActivate' && c.ecActivate.via === 'remote') || c.kind === 'updateSupplierCredentials';
}

/** The device's answer: act on `command` (from the signed Pre-Command when there is one), or refuse and say why. */
export type AuthorityVerdict = { readonly ok: true; readonly command: HanCommand } | { readonly ok: false; readonly why: string };

/** One verifier for every device of a process: its cache of loaded keys is shared (a fleet's meters trust few suppliers). */
const DEVICES_VERIFIER = new SignatureVerifier();

export class CommandAuthority {
  readonly device: string;
  private anchors: TrustAnchors;
  private readonly verifier: SignatureVerifier;
  /** Highest counter accepted per request originator. // DOMAIN §5.2 ("devices keep per-remote-party floor counters") */
  private readonly floors = new Map<string, bigint>();

  constructor(device: string, anchors: TrustAnchors, verifier: SignatureVerifier = DEVICES_VERIFIER) {
    this.device = device;
    this.anchors = anchors;
    this.verifier = verifier;
  }

  /** The supplier the device trusts now. */
  get supplier(): TrustAnchor {
    return this.anchors.supplier;
  }

  /**
   * Checks a remote command. Non-critical commands pass as they are. A
   * critical one passes only with a valid authorisation, and what passes is
   * the command the signature covers, with the envelope's `ref` and `now`.
   */
  admit(c: HanCommand): AuthorityVerdict {
    if (!isCriticalCommand(c)) return { ok: true, command: c };
    const a = c.authorisation;
    if (a === undefined) return { ok: false, why: `critical ${c.kind} without a signed Pre-Command` };
    const decoded = decodePreCommand(a.preCommand);
    if (!decoded.ok) return { ok: false, why: `Pre-Command unreadable: ${decoded.error.message}` };
    const p = decoded.value;
    if (p.device !== this.device) return { ok: false, why: `Pre-Command for ${p.device}, not this device` };
    const anchor = p.command.kind === 'updateSupplierCredentials' ? this.anchors.transCoS : this.anchors.supplier;
    if (anchor === undefined) return { ok: false, why: 'no TransCoS trust anchor' };
    if (p.remoteParty !== anchor.party) return { ok: false, why: `signed for ${p.remoteParty}, the device trusts ${anchor.party}` };
    const verdict = this.verifier.verify(anchor.publicKey, a.preCommand, a.signature);
    if (verdict !== 'valid') return { ok: false, why: `signature ${verdict} for ${anchor.party}` };
    const originator = originatorOf(p);
    const floor = this.floors.get(originator);
    if (floor !== undefined && p.counter <= floor) return { ok: false, why: `counter ${p.counter} not above ${floor} (replay)` };
    // A new key is stored as a copy of its own: the parsed originator is a slice that would keep the whole RequestID alive.
    this.floors.set(floor === undefined ? originator.split('').join('') : originator, p.counter);
    const { ref: _ref, now: _now, authorisation: _a, ...body } = p.command;
    return { ok: true, command: { ...body, ...(c.ref === undefined ? {} : { ref: c.ref }), now: c.now } };
  }

  /**
   * Starts verifying a command's signature in the background, so that
   * `admit` finds the verdict ready (`SignatureVerifier.prime`). Changes no
   * verdict.
   */
  prime(c: HanCommand): Promise<void> {
    const a = c.authorisation;
    if (a === undefined || !isCriticalCommand(c)) return Promise.resolve();
    const decoded = decodePreCommand(a.preCommand);
    if (!decoded.ok) return Promise.resolve();
    const anchor = decoded.value.command.kind === 'updateSupplierCredentials' ? this.anchors.transCoS : this.anchors.supplier;
    return anchor === undefined ? Promise.resolve() : this.verifier.prime(anchor.publicKey, a.preCommand, a.signature);
  }

  /**
   * Change of Supplier: the supplier cell now holds `anchor`. Call only with a
   * command `admit` passed. // DOMAIN §5.3 (CS02b supplierByTransCoS)
   */
  replaceSupplier(anchor: TrustAnchor): void {
    this.anchors = sharedAnchors(this.anchors.transCoS, anchor);
  }
}

/**
 * One value per distinct set of cells, shared by every device that holds it: after Change of Supplier a fleet's
 * meters all trust the same new supplier, and a copy each (the key decoded from each device's command) cost about
 * 600 bytes per meter. Like `DEVICES_VERIFIER`, one table per process; it holds as many entries as there are
 * distinct (TransCoS, supplier) pairs, a handful in any run.
 */
const SHARED_ANCHORS = new Map<string, TrustAnchors>();

function sharedAnchors(transCoS: TrustAnchor | undefined, supplier: TrustAnchor): TrustAnchors {
  const key = `${transCoS === undefined ? '' : `${transCoS.party}:${hex(transCoS.publicKey)}`}|${supplier.party}:${hex(supplier.publicKey)}`;
  let anchors = SHARED_ANCHORS.get(key);
  if (anchors === undefined) {
    const own = (a: TrustAnchor): TrustAnchor => ({ party: a.party.split('').join(''), publicKey: Uint8Array.from(a.publicKey) });
    anchors = Object.freeze(transCoS === undefined ? { supplier: own(supplier) } : { supplier: own(supplier), transCoS: own(transCoS) });
    SHARED_ANCHORS.set(key, anchors);
  }
  return anchors;
}

const hex = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');

/** The originator of the request a Pre-Command answers: the floor is kept per originator. */
function originatorOf(p: PreCommand): string {
  const ids = parseRequestId(p.requestId, 'preCommand.requestId');
  return ids.ok ? ids.value.originator : p.requestId;
}
