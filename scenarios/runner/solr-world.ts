import { eui64FromIndex, eui64ToBytes, mpanWithCheckDigit, type Eui64 } from '../../core/ids.ts';
import { Rng } from '../../core/rng.ts';
import type { Instant } from '../../core/time/duration.ts';
import { DAY_MS } from '../../core/time/duration.ts';
import { VirtualClock } from '../../core/time/virtual-clock.ts';
import { Dsp } from '../../dsp/dsp-service.ts';
import type { DspConfig } from '../../dsp/dsp-config.ts';
import type { DspOutput } from '../../dsp/dsp-outputs.ts';
import { Registry, type PartyType } from '../../dsp/registry/registry.ts';
import type { Role } from '../../dsp/access/roles.ts';
import { REMOTE_PARTY_ROLE } from '../../dsp/smki/certificate.ts';
import { Smki, type Credential } from '../../dsp/smki/smki.ts';
import { DuisUser } from '../../dsp/user/duis-user.ts';
import { MachineStepper } from '../../emulator/devices/common/machine-stepper.ts';
import { CommandAuthority } from '../../emulator/devices/common/command-authority.ts';
import { esmeMachine } from '../../emulator/devices/esme/machine.ts';
import { gsmeMachine } from '../../emulator/devices/gsme/machine.ts';
import { ppmidMachine } from '../../emulator/devices/ppmid/machine.ts';
import { fleetKeys } from '../../emulator/fleet/fleet-keys.ts';
import type { FleetOptions } from '../../emulator/fleet/fleet-options.ts';
import { buildPremises } from '../../emulator/fleet/fleet-runner.ts';
import type { FleetWorld, MeterSlot, Premises } from '../../emulator/fleet/premises.ts';
import { toHanResponse } from '../../proto/han-mapping.ts';
import type { EnvelopeBody, HanCommand, HanResponse, ServiceRequest, ServiceRequestBody, ServiceResponse } from '../../proto/types.ts';

/**
 * The world of a supplier-failure scenario, in one process: the estate's
 * homes (households and meters from the fleet engine), the DSP with its
 * registry and SMKI, and the parties — the supplier that fails, the Supplier
 * of Last Resort, the Shared Resource Provider — as DCC Users.
 * // DOMAIN §7.1, §7.2; ARCHITECTURE "Scenarios"
 *
 * The WAN is direct here: the DSP's commands reach the meters through
 * `Premises.remote` (checked against each meter's trust anchors) and their
 * answers go back to the DSP, all on the one virtual clock. Nothing but the
 * transport differs from a run on the bus.
 */

/** ZAZ1-style identities of the parties. // DOMAIN §4.6 */
export const FAILED_SUPPLIER = '90-B3-D5-1F-30-01-00-00' as Eui64;
export const SOLR = '90-B3-D5-1F-30-03-00-00' as Eui64;
export const SRP_ID = '90-B3-D5-1F-30-05-00-00' as Eui64;
export const TRANS_COS_ID = '90-B3-D5-1F-30-00-00-04' as Eui64;
export const FAILED_MPID = 'FAIL';
export const SOLR_MPID = 'SOLR';
const HUB_PREFIX = 0x00db1400;
const FOREVER = { notBefore: 0, notAfter: Date.UTC(9999, 11, 31) };

export interface SolrWorldOptions {
  readonly fleet: FleetOptions;
  /** Share of electricity meters that are SMETS1, reached through the S1SP. */
  readonly smets1Share: number;
  readonly dsp: Partial<DspConfig>;
  /**
   * How the SRP acts: in the SoLR Contingency role with its own XML-signing
   * certificate (MP134B), or as the failed supplier, with its certificates
   * held as agent (the MP134A / MP185 world). // OPEN-QUESTIONS A1
   */
  readonly srpActsAs: 'solr-contingency' | 'failed-supplier';
  /** How long SRP arrangements may last after the SoLR date. Default 90 days. // MP185 §3 */
  readonly srpWindowMs?: number;
  /** Other DCC Users (suppliers with no meters of the estate, network operators…), each with its credentials. */
  readonly others?: readonly { readonly id: Eui64; readonly name: string; readonly party: PartyType; readonly roles: readonly Role[] }[];
}

/** One meter as the scenario sees it. */
export interface MeterRef {
  readonly premises: Premises;
  readonly slot: MeterSlot;
  readonly id: Eui64;
  readonly hub: Eui64;
  readonly smets1: boolean;
}

/** What a User received, for the report. */
export interface UserInbox {
  readonly responses: ServiceResponse[];
  readonly alerts: { readonly code: string; readonly at: Instant }[];
}

/**
 * How a world reaches the bus when it runs on one (`bus-run.ts`): the DSP's
 * outputs go out through its gateway, Users send on their own topics, and
 * each comms hub says what its meters answered up its WAN.
 */
export interface BusWiring {
  publishOutputs(outputs: readonly DspOutput[]): void;
  send(user: string, request: ServiceRequest): void;
  up(hub: Eui64, body: EnvelopeBody): void;
}

export class SolrWorld {
  readonly clock: VirtualClock;
  readonly dsp: Dsp;
  readonly registry: Registry;
  readonly smki: Smki;
  readonly homes: readonly Premises[];
  readonly meters: readonly MeterRef[];
  readonly failed: DuisUser;
  readonly failedGas: DuisUser;
  readonly solr: DuisUser;
  readonly solrGas: DuisUser;
  readonly srp: DuisUser;
  readonly srpGas: DuisUser;
  readonly solrSigning: Credential;
  /** The failed supplier's Digital-Signing private key (its SRP holds it as agent; scenarios forge with it). */
  readonly failedSigningKey: Uint8Array;
  /** What each User received, by EUI-64. */
  readonly inbox = new Map<string, UserInbox>();
  /** The other DCC Users of the run, by EUI-64. */
  readonly others = new Map<string, DuisUser>();
  /** When a User first sent each meter a critical request. */
  readonly firstSent = new Map<string, Instant>();
  /** When each meter was put into Credit mode by a remote command. */
  readonly creditAt = new Map<string, Instant>();
  private readonly byId = new Map<string, MeterRef>();
  private readonly waiting = new Map<string, (r: ServiceResponse) => void>();
  private wakeAt: Instant = Infinity;
  readonly vending: { failedStops: Instant; solrStartsAtCoS: boolean };
  private readonly switched = new Map<string, Instant>();
  private readonly hubsDown = new Set<string>();
  private readonly cut = new Set<string>();
  /** The SR 1.6 commands the SRP's requests put on the WAN, and how many were not a change to Credit. // MP134B req 5 */
  readonly srpCommands = { sent: 0, notCredit: 0 };
  private bus: BusWiring | null = null;
  /** Bus runs: CV 4 requests waiting for their Pre-Command, by user and RequestID. */
  private readonly transformsWaiting = new Map<
    string,
    { user: DuisUser; cv4: ServiceRequest; done: ((r: ServiceResponse) => void) | undefined }
  >();
  private solrVends: ((id: string, now: Instant) => boolean) | null = null;
  private readonly every = new Map<string, (r: ServiceResponse) => void>();
  private readonly watchers: ((requestId: string, command: HanCommand) => void)[] = [];
  /** Each meter's payment mode when the run began. */
  readonly startMode = new Map<string, 'Prepayment' | 'Credit'>();

  constructor(options: SolrWorldOptions) {
    const o = options.fleet;
    this.clock = new VirtualClock(o.start);
    this.smki = new Smki({ seed: o.seed });
    this.registry = new Registry(options.srpWindowMs === undefined ? {} : { srpWindowMs: options.srpWindowMs });
    this.vending = { failedStops: Infinity, solrStartsAtCoS: true };
    const r = this.registry;
    r.addUser({ id: FAILED_SUPPLIER, name: 'Failed supplier', party: 'Supplier', roles: ['IS', 'GS'] });
    r.addUser({ id: SOLR, name: 'Supplier of Last Resort', party: 'Supplier', roles: ['IS', 'GS'] });
    r.addUser({ id: SRP_ID, name: 'Shared Resource Provider', party: 'SharedResourceProvider', roles: ['SoLRContingency'] });
    const xml = (id: Eui64): Credential => this.smki.issueOrganisation(id, REMOTE_PARTY_ROLE.xmlSigning, 'xmlSigning', FOREVER);
    const ds = (id: Eui64, role: number): Credential => this.smki.issueOrganisation(id, role, 'digitalSigning', FOREVER);
    const failedSigning = ds(FAILED_SUPPLIER, REMOTE_PARTY_ROLE.supplier);
    this.failedSigningKey = failedSigning.privateKey;
    this.solrSigning = ds(SOLR, REMOTE_PARTY_ROLE.supplier);
    const transCoS = ds(TRANS_COS_ID, REMOTE_PARTY_ROLE.transitionalCoS);
    const failedXml = xml(FAILED_SUPPLIER);
    const solrXml = xml(SOLR);
    this.failed = new DuisUser({ id: FAILED_SUPPLIER, role: 'IS', xml: failedXml, signing: failedSigning });
    this.failedGas = this.failed.inRole('GS');
    this.solr = new DuisUser({ id: SOLR, role: 'IS', xml: solrXml, signing: this.solrSigning });
    this.solrGas = this.solr.inRole('GS');
    if (options.srpActsAs === 'solr-contingency') {
      // MP134B req 2: its own XML-signing certificate; the failed supplier's signing key, held as agent.
      const code = options.dsp.roleCodes?.solrContingency ?? 'SC';
      const srpXml = xml(SRP_ID);
      this.srp = new DuisUser({ id: SRP_ID, role: code, xml: srpXml, signing: failedSigning });
      this.srpGas = this.srp;
    } else {
      // Without the role the SRP sends as the failed supplier itself, with its credentials and its counter.
      this.srp = this.failed;
      this.srpGas = this.failedGas;
    }
    for (const u of options.others ?? []) {
      r.addUser({ id: u.id, name: u.name, party: u.party, roles: u.roles });
      // A supplier signs critical commands too; any User signs its requests. // DOMAIN §5.3
      const signing = u.party === 'Supplier' ? ds(u.id, REMOTE_PARTY_ROLE.supplier) : undefined;
      const first = u.roles[0] ?? 'OU';
      const code = first === 'SoLRContingency' ? (options.dsp.roleCodes?.solrContingency ?? 'SC') : first;
      this.others.set(u.id, new DuisUser({ id: u.id, role: code, xml: xml(u.id), ...(signing === undefined ? {} : { signing }) }));
    }
    this.dsp = new Dsp({ registry: r, smki: this.smki, transCoS, config: options.dsp });

    const world: FleetWorld = {
      clock: this.clock,
      esme: new MachineStepper(esmeMachine),
      gsme: new MachineStepper(gsmeMachine),
      ppmid: new MachineStepper(ppmidMachine),
      supplier: eui64ToBytes(FAILED_SUPPLIER),
      stats: { alerts: new Map(), topUps: 0, topUpsRejected: 0, topUpsUnavailable: 0 },
      vendingOpen: (_p, slot, now) => this.canVend(slot, now),
      onRemoteResponse: (p, slot, response, now) => this.meterAnswered(p, slot, response, now),
      onAlert: (p, slot, code, now) => {
        // Behind a WAN outage the alert stays at the premises. Not modelled: the CHF's queue that delivers it later.
        const hub = eui64FromIndex(HUB_PREFIX, p.index);
        if (this.hubsDown.has(hub)) return;
        const alert = { code, device: slot.snapshot.context.id, at: now, critical: false };
        if (this.bus !== null) this.bus.up(hub, { kind: 'deviceAlert', deviceAlert: alert });
        else this.deliver(this.dsp.deviceAlert(alert, now));
      },
    };
    this.fleetWorld = world;
    const keys = fleetKeys(o.seed, 0, 2 * o.premises);
    const root = Rng.fromSeed(o.seed);
    const smets1Pick = root.fork('smets1');
    const anchors = {
      supplier: { party: FAILED_SUPPLIER, publicKey: failedSigning.certificate.publicKey },
      transCoS: { party: TRANS_COS_ID, publicKey: transCoS.certificate.publicKey },
    };
    r.assignMpid(FAILED_MPID, FAILED_SUPPLIER, o.start - DAY_MS);
    r.assignMpid(SOLR_MPID, SOLR, o.start - DAY_MS);
    const homes: Premises[] = [];
    const meters: MeterRef[] = [];
    for (let i = 0; i < o.premises; i++) {
      const p = buildPremises(o, world, root, i, keys.secrets[2 * i], keys.secrets[2 * i + 1]);
      homes.push(p);
      const hub = eui64FromIndex(HUB_PREFIX, i);
      for (const slot of p.meters) {
        const id = slot.snapshot.context.id as Eui64;
        const smets1 = slot.fuel === 'electricity' && smets1Pick.chance(options.smets1Share);
        const mpxn = slot.fuel === 'electricity' ? mpanWithCheckDigit(`19${String(i).padStart(10, '0')}`) : String(10_000_000 + i);
        r.addDevice(
          {
            id,
            type: slot.fuel === 'electricity' ? 'ESME' : 'GSME',
            generation: smets1 ? 'SMETS1' : 'SMETS2',
            mpxn,
            commsHub: hub,
            smiStatus: 'Commissioned',
          },
          FAILED_SUPPLIER,
        );
        r.register(mpxn, FAILED_MPID, o.start - DAY_MS);
        // A SMETS1 meter checks no GBCS signature: the S1SP stands between it and the DSP. // DOMAIN §6
        if (!smets1) slot.authority = new CommandAuthority(id, anchors);
        const ref: MeterRef = { premises: p, slot, id, hub, smets1 };
        this.startMode.set(id, slot.snapshot.context.mode);
        meters.push(ref);
        this.byId.set(id, ref);
      }
    }
    this.homes = homes;
    this.meters = meters;
    this.watchCommands((requestId, command) => {
      if (!requestId.startsWith(`${this.srp.id}:`)) return;
      this.srpCommands.sent++;
      if (command.kind !== 'modeSet' || command.modeSet.kind !== 'credit') this.srpCommands.notCredit++;
    });
  }

  /** The fleet engine's shared state (counters of top-ups and alerts). */
  readonly fleetWorld: FleetWorld;

  /** Starts every household and meter. */
  begin(): void {
    for (const p of this.homes) p.begin(this.clock.now());
  }

  /** From `at`, the failed supplier sells no more top-ups. // SEED0 §2 ("no staff to issue top-ups") */
  stopFailedVending(at: Instant): void {
    this.vending.failedStops = at;
  }

  /** Whether the household of this meter can buy a top-up now: from its supplier, while that supplier vends. */
  private canVend(slot: MeterSlot, now: Instant): boolean {
    const id = slot.snapshot.context.id;
    // The SoLR vends for the meters it has taken over (from when it starts selling, when a scenario says).
    if (this.switched.has(id)) return this.solrVends === null || this.solrVends(id, now);
    return now < this.vending.failedStops;
  }

  /** Replaces when the SoLR sells a top-up for a meter it has taken over (default: from the takeover). */
  setSolrVending(vends: (id: string, now: Instant) => boolean): void {
    this.solrVends = vends;
  }

  /** Hears every answer (acknowledgements too) to one of a User's requests. */
  watchAll(user: string, requestId: string, each: (r: ServiceResponse) => void): void {
    this.every.set(`${user}|${requestId}`, each);
  }

  /** Marks a meter as taken over by the SoLR (Change of Supplier done): its household buys from the SoLR from then on. */
  tookOver(id: string, at: Instant): void {
    this.switched.set(id, at);
  }

  /** When each meter changed supplier. */
  get changedAt(): ReadonlyMap<string, Instant> {
    return this.switched;
  }

  /**
   * Change of Supplier for `meters`, one at a time at instants spread evenly
   * over `spreadMs` from `start`: the DSP's credential update to each, and
   * the SoLR selling top-ups for it from then on. // DOMAIN §7.2 step 5, §5.3
   */
  spreadChangeOfSupplier(meters: readonly MeterRef[], start: Instant, spreadMs: number, supplier: Eui64, mpid: string): void {
    meters.forEach((m, i) => {
      this.clock.schedule(Math.max(this.clock.now(), start + Math.floor((i * spreadMs) / Math.max(1, meters.length))), () => {
        const now = this.clock.now();
        this.deliver(this.dsp.admin.changeOfSupplier(m.id, supplier, mpid, now));
        this.tookOver(m.id, now);
      });
    });
  }

  /**
   * A WAN outage from `from` to `until` for a share of the comms hubs, picked
   * from `label` alone (so every policy loses the same hubs). // DOMAIN §3.3
   */
  cutWan(label: string, share: number, from: Instant, until: Instant): void {
    const pick = Rng.fromSeed(label);
    const hubs = new Set<Eui64>();
    for (const m of this.meters) if (!hubs.has(m.hub) && pick.chance(share)) hubs.add(m.hub);
    for (const hub of hubs) this.cut.add(hub);
    this.clock.schedule(Math.max(this.clock.now(), from), () => {
      for (const hub of hubs) this.wanLink(hub, false);
    });
    this.clock.schedule(Math.max(this.clock.now(), until), () => {
      for (const hub of hubs) this.wanLink(hub, true);
    });
  }

  /** Every comms hub an outage cut. */
  get wanCut(): ReadonlySet<string> {
    return this.cut;
  }

  meter(id: string): MeterRef | undefined {
    return this.byId.get(id);
  }

  /**
   * A User's critical request, the whole flow: CV 4, the Pre-Command signed,
   * CV 5 (for SMETS1, the request itself with CV 5). `done` hears the final
   * answer. // DOMAIN §4.3
   */
  critical(user: DuisUser, target: MeterRef, srv: string, body: ServiceRequestBody, done?: (r: ServiceResponse) => void): void {
    const now = this.clock.now();
    if (!this.firstSent.has(target.id)) this.firstSent.set(target.id, now);
    const bus = this.bus;
    if (bus !== null) {
      // Over the bus the flow goes on when the answers arrive: the Pre-Command, then the final answer.
      if (target.smets1) {
        const req = user.request(target.id, srv, 5, body);
        this.await(req.header.requestId, user.id, done);
        bus.send(user.id, req);
        return;
      }
      const cv4 = user.request(target.id, srv, 4, body);
      this.transformsWaiting.set(`${user.id}|${cv4.header.requestId}`, { user, cv4, done });
      bus.send(user.id, cv4);
      return;
    }
    if (target.smets1) {
      const req = user.request(target.id, srv, 5, body);
      this.await(req.header.requestId, user.id, done);
      this.deliver(this.dsp.submit(user.id, req, now));
      return;
    }
    const cv4 = user.request(target.id, srv, 4, body);
    const out = this.dsp.submit(user.id, cv4, now);
    const pre = out.find((o) => o.kind === 'response')?.response;
    this.deliver(out);
    if (pre?.responseCode !== 'I0' || pre.preCommand === undefined) {
      if (pre !== undefined) done?.(pre);
      return;
    }
    this.await(cv4.header.requestId, user.id, done);
    this.deliver(this.dsp.submit(user.id, user.signedSend(cv4, pre.preCommand, 5), now));
  }

  /**
   * A comms hub's WAN goes down or comes back: the DSP sees the hub's online
   * state (E20 for commands meanwhile), and the hub's meters' alerts do not
   * reach it. // DOMAIN §3.3
   */
  wanLink(hub: Eui64, up: boolean): void {
    this.dsp.hubOnline(hub, up);
    if (up) this.hubsDown.delete(hub);
    else this.hubsDown.add(hub);
  }

  /** From now on the world talks to the DSP and its Users over the bus. */
  attachBus(wiring: BusWiring): void {
    this.bus = wiring;
  }

  /** Bus runs: a command for a meter came down a comms hub's WAN. */
  commandArrived(device: string, command: HanCommand): void {
    this.toMeter(device, command);
  }

  /** Bus runs: a User received a response on its topic. */
  responseArrived(user: string, r: ServiceResponse): void {
    this.toUser(user, r);
  }

  /** Bus runs: a User received an alert on its topic. */
  alertArrived(user: string, code: string): void {
    this.inboxOf(user).alerts.push({ code, at: this.clock.now() });
  }

  /** Bus runs: the DSP's gateway sent a command (so watchers see it as they do in process). */
  commandSent(requestId: string, command: HanCommand): void {
    for (const w of this.watchers) w(requestId, command);
  }

  /** Hears every command the DSP sends, with the RequestID it answers. */
  watchCommands(watcher: (requestId: string, command: HanCommand) => void): void {
    this.watchers.push(watcher);
  }

  /**
   * `critical`, tried again `retryMs` later whenever the DSP cannot reach the
   * meter (E20) or the meter did not answer (E21), until it gets another
   * answer. // DOMAIN §4.4
   */
  criticalRetrying(user: DuisUser, target: MeterRef, srv: string, body: ServiceRequestBody, retryMs: number): void {
    this.critical(user, target, srv, body, (r) => {
      if (r.responseCode !== 'E20' && r.responseCode !== 'E21') return;
      this.clock.schedule(this.clock.now() + retryMs, () => this.criticalRetrying(user, target, srv, body, retryMs));
    });
  }

  /** Sends the DSP's outputs on: commands to meters, responses and alerts to Users' inboxes. */
  deliver(outputs: readonly DspOutput[]): void {
    if (this.bus !== null) {
      for (const o of outputs) if (o.kind === 'command') this.commandSent(o.requestId, o.command);
      this.bus.publishOutputs(outputs);
      return;
    }
    for (const o of outputs) {
      if (o.kind === 'command') for (const w of this.watchers) w(o.requestId, o.command);
      if (o.kind === 'command') this.toMeter(o.device, o.command);
      else if (o.kind === 'response') this.toUser(o.to, o.response);
      else this.inboxOf(o.to).alerts.push({ code: o.kind === 'dccAlert' ? o.alert.code : hex4(o.alert.code), at: this.clock.now() });
    }
    this.planWake();
  }

  private toMeter(device: string, command: HanCommand): void {
    const m = this.byId.get(device);
    if (m === undefined) return;
    if (command.kind === 'updateSupplierCredentials') {
      // The device's security layer, not its meter. // DOMAIN §5.3
      const now = this.clock.now();
      const verdict = m.slot.authority?.admit({ ...command, now });
      const ok = verdict?.ok === true && verdict.command.kind === 'updateSupplierCredentials';
      if (ok && verdict.command.kind === 'updateSupplierCredentials') {
        const u = verdict.command.updateSupplierCredentials;
        m.slot.authority?.replaceSupplier({ party: u.supplier, publicKey: u.publicKey });
      }
      const response = {
        ref: command.ref ?? null,
        command: 'updateSupplierCredentials' as const,
        outcome: ok ? ('success' as const) : ('failure' as const),
      };
      this.answerUp(m, ok ? response : { ...response, reason: 'not-authorised' as const }, now);
      return;
    }
    m.premises.remote(m.slot, command);
  }

  private meterAnswered(_p: Premises, slot: MeterSlot, response: Parameters<typeof toHanResponse>[0], now: Instant): void {
    const m = this.byId.get(slot.snapshot.context.id);
    if (m === undefined) return;
    if (
      response.outcome === 'success' &&
      response.command === 'mode.set' &&
      slot.snapshot.context.mode === 'Credit' &&
      !this.creditAt.has(m.id)
    ) {
      this.creditAt.set(m.id, now);
    }
    this.answerUp(m, toHanResponse(response), now);
  }

  /** A meter's answer on its way to the DSP: up the hub's WAN on a bus, straight to the DSP in process. */
  private answerUp(m: MeterRef, response: HanResponse, now: Instant): void {
    const wanResponse = { commsHub: m.hub, device: m.id, response };
    if (this.bus !== null) this.bus.up(m.hub, { kind: 'wanResponse', wanResponse });
    else this.deliver(this.dsp.deviceResponse(m.hub, wanResponse, now));
  }

  private toUser(user: string, r: ServiceResponse): void {
    this.inboxOf(user).responses.push(r);
    this.every.get(`${user}|${r.requestId}`)?.(r);
    const t = this.transformsWaiting.get(`${user}|${r.requestId}`);
    if (t !== undefined && this.bus !== null) {
      this.transformsWaiting.delete(`${user}|${r.requestId}`);
      if (r.responseCode === 'I0' && r.preCommand !== undefined) {
        this.await(r.requestId, user, t.done);
        this.bus.send(user, t.user.signedSend(t.cv4, r.preCommand, 5));
      } else t.done?.(r);
      return;
    }
    const done = this.waiting.get(`${user}|${r.requestId}`);
    // Final answers only: an acknowledgement (I99) is not the end of a request.
    if (done !== undefined && r.responseCode !== 'I99') {
      this.waiting.delete(`${user}|${r.requestId}`);
      done(r);
    }
  }

  /** Hears the final answer (not the acknowledgement) to one of a User's requests. */
  watchResponse(user: string, requestId: string, done: (r: ServiceResponse) => void): void {
    this.await(requestId, user, done);
  }

  private await(requestId: string, user: string, done?: (r: ServiceResponse) => void): void {
    if (done !== undefined) this.waiting.set(`${user}|${requestId}`, done);
  }

  private inboxOf(user: string): UserInbox {
    let i = this.inbox.get(user);
    if (i === undefined) this.inbox.set(user, (i = { responses: [], alerts: [] }));
    return i;
  }

  /** Wakes the DSP at its next deadline (response timeouts, future-dated requests). */
  private planWake(): void {
    const next = this.dsp.nextDue();
    if (next === undefined || next >= this.wakeAt) return;
    const at = Math.max(next, this.clock.now());
    this.wakeAt = at;
    this.clock.schedule(at, () => {
      if (this.wakeAt === at) this.wakeAt = Infinity;
      this.deliver(this.dsp.due(this.clock.now()));
    });
  }
}

const hex4 = (code: number): string => `0x${code.toString(16).toUpperCase().padStart(4, '0')}`;
