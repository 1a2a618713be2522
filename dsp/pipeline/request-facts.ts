import type { Eui64, RequestId, RequestIdParts } from '../../core/ids.ts';
import type { Instant } from '../../core/time/duration.ts';
import type { HanCommandBody, PreCommand, ServiceRequest } from '../../proto/types.ts';
import type { AccessMatrix } from '../access/access-matrix.ts';
import type { Role } from '../access/roles.ts';
import type { SrvEntry } from '../access/srv-catalogue.ts';
import type { DspConfig } from '../dsp-config.ts';
import type { Phase } from '../ledger/phase.ts';
import type { DccUser, DeviceRecord, Registry } from '../registry/registry.ts';
import type { AntiReplay } from '../replay/anti-replay.ts';
import type { Rejection } from '../response-codes.ts';
import type { SignatureVerifier } from '../smki/signature.ts';
import type { Smki } from '../smki/smki.ts';

/**
 * What the pipeline's stages read and what they learn about one request.
 * Stages are pure functions of these and the virtual instant: no clock, no
 * randomness, no I/O.
 */

/** The DSP's state as the stages see it (read-only but for what a stage records on pass). */
export interface DspView {
  readonly config: DspConfig;
  readonly registry: Registry;
  readonly smki: Smki;
  readonly verifier: SignatureVerifier;
  readonly matrix: AccessMatrix;
  readonly replay: AntiReplay;
  /** Pre-Commands the DSP transformed (CV 4), by sender and RequestID, for the CV 5–7 correlation check. */
  readonly transforms: ReadonlyMap<string, Transformed>;
}

/** A CV 4 transform kept for the send that follows it. // DOMAIN §4.3 step 4 */
export interface Transformed {
  readonly bytes: Uint8Array;
  readonly preCommand: PreCommand;
}

/** The key of a kept transform. */
export const transformKey = (sender: Eui64, requestId: RequestId): string => `${sender}|${requestId}`;

/** One request on its way through the pipeline: what came in, and what each stage established. */
export interface RequestFacts {
  readonly at: Instant;
  /** The authenticated sender: the User whose gateway topic the request came on. // RELIABILITY SB02 */
  readonly sender: Eui64;
  readonly request: ServiceRequest;
  // Established by the stages, in pipeline order:
  ids?: RequestIdParts;
  requestId?: RequestId;
  phase?: Phase;
  /** The bytes the XML signature covers (the request without its signature), computed once. */
  signedContent?: Uint8Array;
  /** SHA-256 of what the XML signature covers: the identity of the content, never of the signature. // RELIABILITY §3.6 SR03 */
  digest?: string;
  /** The role named in the header (admission); `userAndRole` checks the sender holds it. */
  role?: Role;
  user?: DccUser;
  entry?: SrvEntry;
  device?: DeviceRecord;
  /** The supplier the request acts for: the device's responsible supplier (or, for the SoLR Contingency role, the failed supplier). */
  onBehalfOf?: Eui64;
  /** The command the device will execute: from the request body, or from the signed Pre-Command. */
  command?: HanCommandBody;
  /** CV 5–7 to a SMETS2 device: the signed Pre-Command. */
  signed?: { readonly bytes: Uint8Array; readonly signature: Uint8Array; readonly preCommand: PreCommand };
}

/** A stage's verdict: pass (undefined), refuse, or — the replay stage only — a resend of a request already answered. */
export type StageResult = undefined | Rejection | { readonly duplicate: true };

/** One check of the pipeline. */
export interface Stage {
  /** Names the check in the audit trail and in docs/dsp-rules.md. */
  readonly name: string;
  readonly run: (f: RequestFacts, dsp: DspView) => StageResult;
}

/** A fact an earlier stage must have set; missing means the pipeline's order is wrong — a bug. */
export function known<T>(v: T | undefined, what: string): T {
  if (v === undefined) throw new Error(`pipeline: ${what} is not established yet (stage order)`);
  return v;
}
