import type { Eui64, RequestId } from '../core/ids.ts';
import { unwrap } from '../core/result.ts';
import type { Instant } from '../core/time/duration.ts';
import { encodePreCommand, requestSignedContent } from '../proto/signed-content.ts';
import type { DeviceAlert, HanCommand, ServiceRequest, ServiceResponse, WanResponse } from '../proto/types.ts';
import { createAccessMatrix, type AccessMatrix } from './access/access-matrix.ts';
import { DspAdmin } from './admin.ts';
import { MATRIX_ROLES } from './access/roles.ts';
import { AnomalyDetection } from './adt/anomaly-detection.ts';
import { ServiceAuditTrail } from './audit/service-audit-trail.ts';
import { dspConfig, type DspConfig } from './dsp-config.ts';
import type { DspOutput } from './dsp-outputs.ts';
import { RequestLedger, type LedgerKey, type Outcome, type RequestInfo } from './ledger/request-ledger.ts';
import { registration, userAndRole } from './pipeline/authorisation.ts';
import { ADMISSION, DECISION, runStages } from './pipeline/pipeline.ts';
import { known, transformKey, type DspView, type RequestFacts, type Transformed } from './pipeline/request-facts.ts';
import { solrContingencyGates } from './pipeline/solr-contingency.ts';
import type { DeviceRecord, Registry } from './registry/registry.ts';
import { AntiReplay } from './replay/anti-replay.ts';
import { DUIS_CODES, EMULATOR_CODES, reject, type Rejection } from './response-codes.ts';
import { SignatureVerifier } from './smki/signature.ts';
import { S1spAdapter } from './smets1/s1sp-adapter.ts';
import type { Credential, Smki } from './smki/smki.ts';

/**
 * The DCC Data Service Provider: takes Service Requests from Users, runs the
 * pipeline, keeps the ledger and the Service Audit Trail, sends commands to
 * devices and routes responses and alerts back. // ARCHITECTURE "DSP"; DOMAIN §4.3
 *
 * Pure: every call takes the virtual instant and returns what to send as
 * `DspOutput` values; the gateway (`dsp-gateway.ts`) puts them on the bus and
 * calls `due` at `nextDue()`. No clock, randomness or I/O here.
 *
 * Nothing lost (RELIABILITY §2): a request whose key its sender owns is
 * entered in the ledger and ends in exactly one outcome — success, error or
 * quarantined — each with one SAT record. What cannot be keyed (unreadable
 * header, another party's RequestID) is answered and counted in
 * `stats.rejectedInput`; a resend of a known RequestID is answered from the
 * ledger (`stats.duplicates`) or, with other content, refused (`stats.replays`).
 */

/** How the DSP is built. */
export interface DspOptions {
  readonly registry: Registry;
  readonly smki: Smki;
  /** The DCC's TransCoS Digital-Signing credential, for Change of Supplier credential updates. // DOMAIN §5.3 */
  readonly transCoS?: Credential;
  readonly config?: Partial<DspConfig>;
}

/** Counters of what the ledger does not hold. */
export interface DspStats {
  rejectedInput: number;
  duplicates: number;
  replays: number;
  /** Device responses no pending request waited for. // RELIABILITY §2 item 3 ("unexpected") */
  unexpectedResponses: number;
  /** Device alerts for a device with no responsible supplier now: nobody to route them to. */
  unroutedAlerts: number;
}

/** A request sent to a device and waiting for its response. */
interface Pending {
  readonly key: LedgerKey;
  readonly facts: RequestFacts;
  readonly device: DeviceRecord;
  readonly deadline: Instant;
}

/** A future-dated request the DSP holds until its execution time. // DOMAIN §4.3 "Future-dated SRs" */
interface Scheduled {
  readonly key: LedgerKey;
  readonly facts: RequestFacts;
  readonly at: Instant;
}

export class Dsp {
  readonly config: DspConfig;
  readonly registry: Registry;
  readonly smki: Smki;
  readonly ledger = new RequestLedger();
  readonly sat = new ServiceAuditTrail();
  readonly adt: AnomalyDetection<RequestFacts>;
  /** Authority, SMKI PMA, SECAS and ARO/SRO operations, each audited. */
  readonly admin: DspAdmin = new DspAdmin(this);
  readonly stats: DspStats = { rejectedInput: 0, duplicates: 0, replays: 0, unexpectedResponses: 0, unroutedAlerts: 0 };
  private readonly view: DspView;
  private readonly transforms = new Map<string, Transformed>();
  private readonly pending = new Map<string, Pending>();
  private readonly scheduled: Scheduled[] = [];
  private readonly hubsOffline = new Set<string>();
  /** Commands the DSP sent on its own account (credential updates), by RequestID. */
  private readonly internal = new Map<string, { readonly device: string; readonly supplier: Eui64 }>();
  readonly transCoS: Credential | undefined;
  /** The S1SP the DSP passes SMETS1 requests to. // DOMAIN §6 */
  readonly s1sp = new S1spAdapter();

  constructor(options: DspOptions) {
    this.config = dspConfig(options.config);
    const code = this.config.roleCodes.solrContingency;
    // A code that is empty or names a matrix role would silently turn that role's requests into SoLR Contingency ones.
    if (code === '' || (MATRIX_ROLES as readonly string[]).includes(code)) {
      throw new RangeError(`DspConfig.roleCodes.solrContingency: expected a code of its own, not ${JSON.stringify(code)}`);
    }
    this.registry = options.registry;
    this.smki = options.smki;
    this.transCoS = options.transCoS;
    this.adt = new AnomalyDetection<RequestFacts>({ defaultLimit: this.config.adtDefaultLimit });
    const matrix: AccessMatrix = unwrap(createAccessMatrix({ solrContingencySrvs: this.config.solrContingencySrvs }));
    this.view = {
      config: this.config,
      registry: this.registry,
      smki: this.smki,
      verifier: new SignatureVerifier({ highS: this.config.highS }),
      matrix,
      replay: new AntiReplay(),
      transforms: this.transforms,
    };
  }

  /** The access matrix in force (with this run's SoLR Contingency list). */
  get matrix(): AccessMatrix {
    return this.view.matrix;
  }

  /** Requests waiting for a device, oldest first. */
  inFlight(): readonly string[] {
    return [...this.pending.keys()];
  }

  // ---- Requests ----

  /** A Service Request from `sender` (the User whose gateway topic it came on), at `at`. */
  submit(sender: Eui64, request: ServiceRequest, at: Instant): DspOutput[] {
    const out: DspOutput[] = [];
    const f: RequestFacts = { at, sender, request };
    const refused = runStages(ADMISSION, f, this.view);
    if (refused !== undefined) {
      this.stats.rejectedInput++;
      respond(out, sender, request.header.requestId, 'duplicate' in refused ? reject(EMULATOR_CODES.X10, 'resend') : refused);
      return out;
    }
    const requestId = known(f.requestId, 'requestId');
    const key: LedgerKey = { sender, requestId, phase: known(f.phase, 'phase') };
    const opened = this.ledger.open(key, at, this.infoOf(f));
    if (!opened.ok) return this.resend(f, key, opened.error, out);
    this.audit(f, 'request', null, `role ${this.roleCode(f)}`);

    const verdict = runStages(DECISION, f, this.view);
    if (verdict !== undefined) {
      this.finish(out, f, key, 'duplicate' in verdict ? reject(EMULATOR_CODES.X10, 'a resend under a new ledger key') : verdict);
      return out;
    }
    if (key.phase === 'transform') {
      this.transform(out, f, key);
      return out;
    }
    // MP134B req 4; DOMAIN §4.7: anomaly detection counts what would be sent, and holds what breaches.
    const admission = this.adt.admit(sender, known(f.role, 'role'), request.header.serviceReferenceVariant, at, f);
    if (admission.kind === 'quarantine') {
      this.quarantine(out, f, key, admission.reference);
      return out;
    }
    const executeAt = f.request.kind === 'updatePaymentMode' ? f.request.updatePaymentMode.executionDateTime : undefined;
    if (executeAt !== undefined && executeAt > at) {
      this.scheduled.push({ key, facts: f, at: executeAt });
      this.scheduled.sort((a, b) => a.at - b.at);
      respond(out, sender, requestId, DUIS_CODES.I99, { executionDateTime: String(executeAt) });
      return out;
    }
    this.send(out, f, key, at);
    return out;
  }

  /**
   * Starts the request's signature checks in the background — its XML
   * signature and, for a signed Pre-Command, the Pre-Command's under the
   * device's trust anchor — so that `submit` finds the verdicts ready. A bus
   * gateway calls it for a batch before submitting the batch; it changes no
   * answer. // core/crypto/ecdsa.ts `SignatureVerifier.prime`
   */
  prime(request: ServiceRequest, at: Instant): Promise<unknown> {
    const checks: Promise<void>[] = [];
    const sig = request.xmlSignature;
    const cert = sig === undefined ? undefined : this.smki.bySerial(sig.certificateSerial);
    // What the xml-signature stage verifies: the SignedInfo of a request read from DUIS XML, else the twin's own encoding.
    if (sig !== undefined && cert !== undefined)
      checks.push(this.view.verifier.prime(cert.publicKey, sig.signedInfo ?? requestSignedContent(request), sig.signature));
    if (request.kind === 'signedPreCommand') {
      const anchor = this.registry.trustAnchor(request.header.businessTarget as Eui64, at);
      const ds = anchor === null ? undefined : this.smki.find(anchor, 'digitalSigning');
      const s = request.signedPreCommand;
      if (ds !== undefined) checks.push(this.view.verifier.prime(ds.publicKey, s.command, s.signature));
    }
    return Promise.all(checks);
  }

  /** A resend of a RequestID the ledger knows: the same content is answered as before; other content is a replay. // RELIABILITY §3.6 SR01–SR03, SR08 */
  private resend(
    f: RequestFacts,
    key: LedgerKey,
    refusal: { kind: string; existing?: { state: string; outcome?: Outcome } },
    out: DspOutput[],
  ): DspOutput[] {
    const ids = known(f.ids, 'ids');
    const v = this.view.replay.check(ids.originator, ids.target, ids.counter, known(f.digest, 'digest'), key.phase);
    if (v.kind !== 'duplicate') {
      this.stats.replays++;
      respond(
        out,
        f.sender,
        key.requestId,
        reject(EMULATOR_CODES.X10, v.kind === 'replay' ? v.detail : `RequestID ${key.requestId} was used before`),
      );
      return out;
    }
    this.stats.duplicates++;
    const e = refusal.existing;
    if (e?.state === 'settled' && e.outcome !== undefined) {
      const o = e.outcome;
      if (o.kind === 'success' && key.phase === 'transform') {
        const kept = this.transforms.get(transformKey(f.sender, key.requestId));
        if (kept !== undefined) respond(out, f.sender, key.requestId, DUIS_CODES.I0, {}, kept.bytes);
        return out;
      }
      if (o.kind === 'success') respond(out, f.sender, key.requestId, DUIS_CODES.I0, { duplicate: 'true' });
      else if (o.kind === 'error') respond(out, f.sender, key.requestId, reject(o.code, o.reason));
      else respond(out, f.sender, key.requestId, reject(EMULATOR_CODES.X9, `quarantined under ${o.reference}`));
    } else {
      respond(out, f.sender, key.requestId, DUIS_CODES.I99, { duplicate: 'true' });
    }
    return out;
  }

  /** CV 4: the Pre-Command the User must sign, bound to this request and device, signed by the device's trusted supplier. // DOMAIN §4.3 step 1 */
  private transform(out: DspOutput[], f: RequestFacts, key: LedgerKey): void {
    const d = known(f.device, 'device');
    const anchor = this.registry.trustAnchor(d.id, f.at);
    const ids = known(f.ids, 'ids');
    const preCommand = {
      requestId: key.requestId,
      remoteParty: anchor ?? '',
      device: d.id,
      counter: ids.counter,
      serviceReferenceVariant: f.request.header.serviceReferenceVariant,
      // The device acts when the command arrives; the signed content carries no instant of its own.
      command: { ...known(f.command, 'command'), now: 0 },
    };
    const bytes = encodePreCommand(preCommand);
    this.transforms.set(transformKey(f.sender, key.requestId), { bytes, preCommand });
    respond(out, f.sender, key.requestId, DUIS_CODES.I0, {}, bytes);
    this.settle(f, key, { kind: 'success', code: 'I0' }, 'Pre-Command returned for signing');
  }

  /** Sends the command: locally (CV 2, 6), over the WAN (CV 1, 5), or both (CV 3, 7). // DOMAIN §4.2 */
  private send(out: DspOutput[], f: RequestFacts, key: LedgerKey, at: Instant): void {
    const d = known(f.device, 'device');
    const cv = f.request.header.commandVariant;
    const command: HanCommand = {
      ...known(f.command, 'command'),
      ref: key.requestId,
      now: at,
      ...(f.signed === undefined ? {} : { authorisation: { preCommand: f.signed.bytes, signature: f.signed.signature } }),
    };
    const local = cv === 2 || cv === 3 || cv === 6 || cv === 7 ? { localCommand: describeLocal(command) } : {};
    if (cv === 2 || cv === 6) {
      respond(out, f.sender, key.requestId, DUIS_CODES.I0, local);
      this.settle(f, key, { kind: 'success', code: 'I0' }, 'command returned for local delivery');
      return;
    }
    if (this.hubsOffline.has(d.commsHub)) {
      this.finish(out, f, key, reject(DUIS_CODES.E20, `comms hub ${d.commsHub} is offline`));
      return;
    }
    if (d.generation === 'SMETS1') {
      // DOMAIN §6: the S1SP takes the validated request; no User-signed Pre-Command.
      const s = this.s1sp.instruct(f.sender, key.requestId, d.id, f.request.header.serviceReferenceVariant, command, at);
      respond(out, f.sender, key.requestId, DUIS_CODES.I99, { ...local, s1spInstruction: s.instruction.id });
      out.push({ kind: 'command', hub: d.commsHub, device: d.id, requestId: key.requestId, command: s.command });
    } else {
      respond(out, f.sender, key.requestId, DUIS_CODES.I99, local);
      out.push({ kind: 'command', hub: d.commsHub, device: d.id, requestId: key.requestId, command });
    }
    this.pending.set(key.requestId, { key, facts: f, device: d, deadline: at + this.config.responseTimeoutMs[d.type] });
  }

  private quarantine(out: DspOutput[], f: RequestFacts, key: LedgerKey, reference: string): void {
    const requestId = key.requestId;
    respond(out, f.sender, requestId, reject(EMULATOR_CODES.X9, `quarantined by anomaly detection: reference ${reference}`));
    const alert = { code: this.config.dccAlertCodes.quarantined, text: `QuarantinedRequest ADUserThresholdBreach ${reference}`, requestId };
    out.push({ kind: 'dccAlert', to: f.sender, alert });
    this.settle(f, key, { kind: 'quarantined', reference }, `ADUserThresholdBreach ${reference}`);
    this.sat.append({
      at: f.at,
      kind: 'alert',
      sender: f.sender,
      businessOriginator: null,
      requestId,
      srv: null,
      commandVariant: null,
      code: alert.code,
      detail: alert.text,
    });
  }

  /**
   * Releases a quarantined request (the User, through the self-service
   * interface): a new ledger record linked to the quarantined one, checked
   * again at `at` for what may have changed, then sent. // DOMAIN §4.7; OPEN-QUESTIONS E3
   */
  release(user: Eui64, reference: string, at: Instant): DspOutput[] {
    const out: DspOutput[] = [];
    const q = this.adt.release(user, reference, at);
    if (!q.ok) return out;
    const f: RequestFacts = { ...q.value.request, at };
    const key: LedgerKey = { sender: f.sender, requestId: known(f.requestId, 'requestId'), phase: 'send', release: reference };
    const opened = this.ledger.open(key, at, this.infoOf(f));
    if (!opened.ok) return out;
    this.audit(f, 'request', null, `release of ${reference}`);
    const again = runStages([userAndRole, registration, solrContingencyGates], f, this.view);
    if (again !== undefined) {
      this.finish(out, f, key, 'duplicate' in again ? reject(EMULATOR_CODES.X10, 'resend') : again);
      return out;
    }
    this.send(out, f, key, at);
    return out;
  }

  // ---- Devices ----

  /** A device's response through its comms hub: completes the request it answers. // DOMAIN §4.3 step 4 */
  deviceResponse(hub: Eui64, r: WanResponse, at: Instant): DspOutput[] {
    const out: DspOutput[] = [];
    const ref = r.response.ref;
    const own = ref === null ? undefined : this.internal.get(ref);
    if (own !== undefined && ref !== null && own.device === r.device) {
      this.internal.delete(ref);
      return this.credentialsUpdated(own.supplier, r, at);
    }
    const p = ref === null ? undefined : this.pending.get(ref);
    if (p === undefined || p.device.id !== r.device || p.device.commsHub !== hub) {
      this.stats.unexpectedResponses++;
      return out;
    }
    this.pending.delete(p.key.requestId);
    const body: Record<string, string> = { deviceOutcome: r.response.outcome };
    if (r.response.reason !== undefined) body['reason'] = r.response.reason;
    for (const [k, v] of Object.entries(r.response.body ?? {})) if (k !== 'deviceOutcome' && k !== 'reason') body[k] = String(v);
    respond(out, p.facts.sender, p.key.requestId, DUIS_CODES.I0, body);
    this.settle(
      { ...p.facts, at },
      p.key,
      { kind: 'success', code: 'I0' },
      `device ${r.response.outcome}${r.response.reason === undefined ? '' : ` (${r.response.reason})`}`,
    );
    return out;
  }

  /**
   * Records a command the DSP sends on its own account (not a User's
   * request), so its response is recognised. // DOMAIN §5.3 (CoS)
   */
  trackInternal(requestId: string, device: string, supplier: Eui64): void {
    this.internal.set(requestId, { device, supplier });
  }

  /** The device answered a credential update: the new supplier is told (SecurityCredentialsUpdated). // DOMAIN §4.5, §5.3 */
  private credentialsUpdated(supplier: Eui64, r: WanResponse, at: Instant): DspOutput[] {
    const ok = r.response.outcome === 'success';
    const text = ok
      ? `SecurityCredentialsUpdated device ${r.device}: supplier ${supplier}`
      : `credential update of ${r.device} failed: ${r.response.reason ?? 'unknown'}`;
    const code = ok ? this.config.dccAlertCodes.credentialsUpdated : this.config.dccAlertCodes.commandFailure;
    this.sat.append({
      at,
      kind: 'alert',
      sender: supplier,
      businessOriginator: null,
      requestId: r.response.ref,
      srv: '6.23',
      commandVariant: null,
      code,
      detail: text,
    });
    return [{ kind: 'dccAlert', to: supplier, alert: { code, text, requestId: r.response.ref ?? '' } }];
  }

  /**
   * A device alert: to the device's responsible supplier; once that supplier's
   * licence is revoked, to the SRPs acting for it instead. // DOMAIN §4.5; MP134B req 7
   */
  deviceAlert(alert: DeviceAlert, at: Instant): DspOutput[] {
    const out: DspOutput[] = [];
    const d = this.registry.device(alert.device);
    const supplier = d === undefined ? null : this.registry.responsibleSupplier(d, at);
    if (supplier === null) {
      this.stats.unroutedAlerts++;
      return out;
    }
    const to = this.registry.licenceRevoked(supplier, at) ? this.registry.srpsOf(supplier, at) : [supplier];
    if (to.length === 0) this.stats.unroutedAlerts++;
    for (const user of to) {
      out.push({ kind: 'deviceAlert', to: user, alert });
      const code = `0x${alert.code.toString(16).toUpperCase().padStart(4, '0')}`;
      this.sat.append({
        at,
        kind: 'alert',
        sender: user,
        businessOriginator: supplier,
        requestId: null,
        srv: null,
        commandVariant: null,
        code,
        detail: `device ${alert.device}`,
      });
    }
    return out;
  }

  /** A comms hub's retained online state: commands for an offline hub fail at once with E20. // DOMAIN §4.4 */
  hubOnline(hub: Eui64, online: boolean): void {
    if (online) this.hubsOffline.delete(hub);
    else this.hubsOffline.add(hub);
  }

  // ---- Time ----

  /** The next instant `due` has work, or undefined. */
  nextDue(): Instant | undefined {
    let next: Instant | undefined = this.scheduled[0]?.at;
    for (const p of this.pending.values()) if (next === undefined || p.deadline < next) next = p.deadline;
    return next;
  }

  /**
   * Everything due by `at`: future-dated requests reach their execution time
   * (the User's status and the time-dependent gates are checked again —
   * RELIABILITY SA05, F15), and
   * requests whose device did not answer in time end with E21 and a
   * CommandFailure DCC Alert to the sender. // DOMAIN §4.4 E21; MP134B req 7
   *
   * Oldest first across both, so the ledger and the audit trail never go back
   * in time: deadlines differ by device type (60 s for an ESME, 25 h for a
   * GSME), and a request sent at its execution time may itself time out by `at`.
   */
  due(at: Instant): DspOutput[] {
    const out: DspOutput[] = [];
    const expired = [...this.pending.values()].filter((p) => p.deadline <= at).sort((a, b) => a.deadline - b.deadline);
    let next = 0;
    for (;;) {
      const s = this.scheduled[0];
      const p = expired[next];
      if (s !== undefined && s.at <= at && (p === undefined || s.at <= p.deadline)) {
        this.scheduled.shift();
        const f: RequestFacts = { ...s.facts, at: s.at };
        const again = runStages([userAndRole, registration, solrContingencyGates], f, this.view);
        if (again !== undefined) this.finish(out, f, s.key, 'duplicate' in again ? reject(EMULATOR_CODES.X10, 'resend') : again, true);
        else this.send(out, f, s.key, s.at);
        const sent = this.pending.get(s.key.requestId);
        if (sent !== undefined && sent.deadline <= at) {
          let i = next;
          while (i < expired.length && (expired[i] as Pending).deadline <= sent.deadline) i++;
          expired.splice(i, 0, sent);
        }
      } else if (p !== undefined) {
        next++;
        this.pending.delete(p.key.requestId);
        const f = { ...p.facts, at: p.deadline };
        this.finish(out, f, p.key, reject(DUIS_CODES.E21, `no response from device ${p.device.id}`), true);
      } else break;
    }
    this.adt.expire(at);
    return out;
  }

  // ---- Bookkeeping ----

  /** Ends a request with an error: response to the sender, ledger, SAT; with `alert`, also a CommandFailure DCC Alert to the sender. */
  private finish(out: DspOutput[], f: RequestFacts, key: LedgerKey, r: Rejection, alert = false): void {
    respond(out, f.sender, key.requestId, r);
    this.settle(f, key, { kind: 'error', code: r.code, reason: r.reason }, r.reason);
    if (alert) {
      const a = { code: this.config.dccAlertCodes.commandFailure, text: `CommandFailure ${r.code}: ${r.reason}`, requestId: key.requestId };
      out.push({ kind: 'dccAlert', to: f.sender, alert: a });
      this.sat.append({
        at: f.at,
        kind: 'alert',
        sender: f.sender,
        businessOriginator: null,
        requestId: key.requestId,
        srv: null,
        commandVariant: null,
        code: a.code,
        detail: a.text,
      });
    }
  }

  private settle(f: RequestFacts, key: LedgerKey, outcome: Outcome, detail: string): void {
    this.ledger.settle(key, outcome, f.at);
    const code = outcome.kind === 'quarantined' ? EMULATOR_CODES.X9 : outcome.code;
    this.audit(f, 'outcome', code, detail);
  }

  /**
   * One SAT record. The sender is always the authenticated sender; for the
   * SoLR Contingency role that is the SRP, and the supplier it acted for is
   * named in the detail. // MP134B req 7; RELIABILITY §2 item 5
   */
  private audit(f: RequestFacts, kind: 'request' | 'outcome', code: string | null, detail: string): void {
    const h = f.request.header;
    const behalf = f.onBehalfOf !== undefined && f.onBehalfOf !== f.sender ? `; on behalf of ${f.onBehalfOf}` : '';
    this.sat.append({
      at: f.at,
      kind,
      sender: f.sender,
      businessOriginator: known(f.ids, 'ids').originator,
      requestId: known(f.requestId, 'requestId'),
      srv: h.serviceReferenceVariant,
      commandVariant: h.commandVariant,
      code,
      detail: `${detail}${behalf}`,
    });
  }

  private infoOf(f: RequestFacts): RequestInfo {
    const h = f.request.header;
    return {
      role: known(f.role, 'role'),
      businessOriginator: known(f.ids, 'ids').originator,
      srv: h.serviceReferenceVariant,
      commandVariant: h.commandVariant,
    };
  }

  private roleCode(f: RequestFacts): string {
    return f.request.header.userRole;
  }
}

/** Adds a response to `sender` for `requestId`: a code with optional body and Pre-Command, or a rejection. */
function respond(
  out: DspOutput[],
  sender: Eui64,
  requestId: RequestId | string,
  code: 'I0' | 'I99' | Rejection,
  body: Record<string, string> = {},
  preCommand?: Uint8Array,
): void {
  const response: ServiceResponse =
    typeof code === 'string'
      ? { requestId, responseCode: code, body, ...(preCommand === undefined ? {} : { preCommand }) }
      : { requestId, responseCode: code.code, body: { reason: code.reason } };
  out.push({ kind: 'response', to: sender, response });
}

/** A local command as the User receives it (DUIS `LocalCommand`): here, a readable description. // DOMAIN §4.3 "Local delivery" */
function describeLocal(c: HanCommand): string {
  return `${c.kind}${c.authorisation === undefined ? '' : ' (signed)'} ref=${c.ref ?? ''}`;
}
