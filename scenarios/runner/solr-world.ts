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
import { buildPremises, METER_PREFIX, premisesFacts } from '../../emulator/fleet/fleet-runner.ts';
import type { FleetWorld, MeterSlot, Premises } from '../../emulator/fleet/premises.ts';
import { toHanResponse } from '../../proto/han-mapping.ts';
import type {
  DccAlert,
  DeviceAlert,
  EnvelopeBody,
  HanCommand,
  HanResponse,
  ServiceRequest,
  ServiceRequestBody,
  ServiceResponse,
  WanResponse,
} from '../../proto/types.ts';
import { clientIdOf } from '../../emulator/bus/acl.ts';
import type { LinkRef } from '../../emulator/bus/fault-plan.ts';
import { userAlertsTopic, userRequestsTopic, userResponsesTopic, wanDownTopic, wanUpTopic } from '../../emulator/bus/topics.ts';
import { cspRegionOf, EVEN_REGIONS, HubOutages, MessageLosses, noFaults, type FaultTally } from './world-faults.ts';

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
 *
 * The world is also the edge where a scenario's faults act, in process and
 * on a bus alike (docs/scenarios.md "Faults"): comms hubs offline (WAN
 * outage, power cut, broker down) with their alerts queued, the DSP
 * unreachable with what reaches it held, messages lost on a link.
 */

/** ZAZ1-style identities of the parties. // DOMAIN §4.6 */
export const FAILED_SUPPLIER = '90-B3-D5-1F-30-01-00-00' as Eui64;
export const SOLR = '90-B3-D5-1F-30-03-00-00' as Eui64;
export const SRP_ID = '90-B3-D5-1F-30-05-00-00' as Eui64;
export const TRANS_COS_ID = '90-B3-D5-1F-30-00-00-04' as Eui64;
/** The DSP as the signer of its DUIS responses and alerts: the twin's own EUI-64 for it, not a ZAZ1 identity. UNVERIFIED // DOMAIN §4.6 */
export const DSP_ID = '90-B3-D5-1F-30-00-00-09' as Eui64;
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
  /** The estate's CSP regions and their shares, for regional WAN outages. Default North, Central, South a third each. // DOMAIN §3.3 */
  readonly cspRegions?: ReadonlyMap<string, number>;
  /** Device alerts a comms hub queues while offline. Default the CHF model's (`DEFAULT_ALERT_QUEUE_LIMIT`). UNVERIFIED // DOMAIN §3.3 */
  readonly alertQueueLimit?: number;
  /** Other DCC Users (suppliers with no meters of the estate, network operators…), each with its credentials. */
  readonly others?: readonly { readonly id: Eui64; readonly name: string; readonly party: PartyType; readonly roles: readonly Role[] }[];
  /**
   * DCC Users an outside system plays (a live rehearsal): the twin sends none
   * of their scripted requests. Default none.
   */
  readonly external?: readonly Eui64[];
  /**
   * One shard of a sharded run (docs/scale-out.md "The SoLR world"): this
   * world builds only premises `first` … `first + count − 1`, and holds the
   * DSP and the Users only when `dspHere`. Between the DSP and the comms hubs
   * everything goes through the `WanLink` the shard attaches. Default: the
   * whole estate and the DSP, in process.
   */
  readonly split?: { readonly first: number; readonly count: number; readonly dspHere: boolean };
}

/**
 * A sharded run's WAN between the DSP and the comms hubs: the DSP's commands
 * go down to a hub, the hubs' answers and alerts go up to the DSP; the shard
 * carries each as a message between shards, a WAN hop later.
 */
export interface WanLink {
  down(hub: Eui64, device: string, command: HanCommand): void;
  up(hub: Eui64, body: HubSays): void;
}

/** What a comms hub says up its WAN. */
export type HubSays =
  | { readonly kind: 'answer'; readonly wanResponse: WanResponse }
  | { readonly kind: 'alert'; readonly alert: DeviceAlert };

/** One meter of the estate as the DSP and the SRP know it, built here or not. */
export interface EstateMeter {
  readonly id: Eui64;
  readonly hub: Eui64;
  readonly fuel: 'electricity' | 'gas';
  readonly smets1: boolean;
  /** Its premises' index. */
  readonly home: number;
}

/** A party's credentials as the twin issued them: its XML-signing one, and the Digital-Signing one it signs Pre-Commands with. */
export interface PartyCredentials {
  readonly xml: Credential;
  /** An SRP's is the failed supplier's, held as agent. // MP134B req 2 */
  readonly signing?: Credential;
}

/** One meter this world built, as the scenario sees it. */
export interface MeterRef extends EstateMeter {
  readonly premises: Premises;
  readonly slot: MeterSlot;
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
  /** The premises this world built (all of them, unless it is one shard of a sharded run). */
  readonly homes: readonly Premises[];
  /** The meters this world built, in estate order. */
  readonly meters: readonly MeterRef[];
  /** Every meter of the estate, built here or not, in estate order: a built one is its `MeterRef`. */
  readonly estate: readonly EstateMeter[];
  /** Whether this world is one shard of a sharded run: its SRP then works from the failed supplier's records. */
  readonly split: boolean;
  /** Whether this world holds the DSP and the Users (always, unless a shard without them). */
  readonly dspHere: boolean;
  private wan: WanLink | null = null;
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
  private readonly hubs: HubOutages;
  private readonly losses = new MessageLosses();
  private dspOutages = 0;
  /** What reached the DSP's edge while it was unreachable, in arrival order, and what it said before it went. */
  private readonly heldIn: ToDsp[] = [];
  private readonly heldOut: DspOutput[] = [];
  /** What the faults did, counted, for the report. */
  readonly faults: FaultTally = noFaults();
  /** Premises whose mains power a fault cut, by index. */
  readonly powerCut = new Set<number>();
  private readonly seed: string;
  private readonly regions: ReadonlyMap<string, number>;
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
  /** The Users an outside system plays: their scripted requests are not sent. */
  readonly external: ReadonlySet<string>;
  /** Each User's credentials, by EUI-64. */
  readonly credentials = new Map<string, PartyCredentials>();
  /** The DSP's XML-signing credential (role 0x89): what it signs DUIS responses and alerts with. // DOMAIN §4.1, §5.3 */
  readonly dspXml: Credential;
  private readonly listeners: ((o: DspOutput) => void)[] = [];

  constructor(options: SolrWorldOptions) {
    const o = options.fleet;
    this.clock = new VirtualClock(o.start);
    this.smki = new Smki({ seed: o.seed });
    this.registry = new Registry(options.srpWindowMs === undefined ? {} : { srpWindowMs: options.srpWindowMs });
    this.vending = { failedStops: Infinity, solrStartsAtCoS: true };
    this.hubs = new HubOutages(options.alertQueueLimit);
    this.seed = o.seed;
    this.regions = options.cspRegions ?? EVEN_REGIONS;
    this.external = new Set(options.external ?? []);
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
    this.credentials.set(FAILED_SUPPLIER, { xml: failedXml, signing: failedSigning });
    this.credentials.set(SOLR, { xml: solrXml, signing: this.solrSigning });
    if (options.srpActsAs === 'solr-contingency') {
      // MP134B req 2: its own XML-signing certificate; the failed supplier's signing key, held as agent.
      const code = options.dsp.roleCodes?.solrContingency ?? 'SC';
      const srpXml = xml(SRP_ID);
      this.srp = new DuisUser({ id: SRP_ID, role: code, xml: srpXml, signing: failedSigning });
      this.credentials.set(SRP_ID, { xml: srpXml, signing: failedSigning });
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
      const own = { xml: xml(u.id), ...(signing === undefined ? {} : { signing }) };
      this.credentials.set(u.id, own);
      this.others.set(u.id, new DuisUser({ id: u.id, role: code, ...own }));
    }
    // Issued last, so every User's certificate keeps the serial it had before the DSP signed DUIS XML.
    this.dspXml = this.smki.issueOrganisation(DSP_ID, REMOTE_PARTY_ROLE.dspXmlSigning, 'xmlSigning', FOREVER);
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
        const hub = eui64FromIndex(HUB_PREFIX, p.index);
        this.fromHub({ kind: 'alert', hub, alert: { code, device: slot.snapshot.context.id, at: now, critical: false } });
      },
    };
    this.fleetWorld = world;
    const split = options.split ?? { first: 0, count: o.premises, dspHere: true };
    this.split = options.split !== undefined;
    this.dspHere = split.dspHere;
    const keys = fleetKeys(o.seed, 2 * split.first, 2 * split.count);
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
    const estate: EstateMeter[] = [];
    for (let i = 0; i < o.premises; i++) {
      const built = i >= split.first && i < split.first + split.count;
      // A premises built elsewhere is known by its facts alone: its meters' ids, fuels and payment mode.
      const k = i - split.first;
      const p = built ? buildPremises(o, world, root, i, keys.secrets[2 * k], keys.secrets[2 * k + 1]) : null;
      const facts = p === null ? premisesFacts(o, root, i) : null;
      const hub = eui64FromIndex(HUB_PREFIX, i);
      const fuels: readonly ('electricity' | 'gas')[] =
        p !== null ? p.meters.map((m) => m.fuel) : facts?.dual === true ? ['electricity', 'gas'] : ['electricity'];
      fuels.forEach((fuel, n) => {
        const slot = p?.meters[n];
        const id = (slot?.snapshot.context.id ?? eui64FromIndex(METER_PREFIX, 2 * i + n)) as Eui64;
        // One draw per electricity meter in estate order, wherever the meter is built.
        const smets1 = fuel === 'electricity' && smets1Pick.chance(options.smets1Share);
        this.startMode.set(id, slot?.snapshot.context.mode ?? facts?.mode ?? 'Credit');
        if (split.dspHere) {
          const mpxn = fuel === 'electricity' ? mpanWithCheckDigit(`19${String(i).padStart(10, '0')}`) : String(10_000_000 + i);
          r.addDevice(
            {
              id,
              type: fuel === 'electricity' ? 'ESME' : 'GSME',
              generation: smets1 ? 'SMETS1' : 'SMETS2',
              mpxn,
              commsHub: hub,
              smiStatus: 'Commissioned',
            },
            FAILED_SUPPLIER,
          );
          r.register(mpxn, FAILED_MPID, o.start - DAY_MS);
        }
        if (p === null || slot === undefined) {
          estate.push({ id, hub, fuel, smets1, home: i });
          return;
        }
        // A SMETS1 meter checks no GBCS signature: the S1SP stands between it and the DSP. // DOMAIN §6
        if (!smets1) slot.authority = new CommandAuthority(id, anchors);
        const ref: MeterRef = { premises: p, slot, id, hub, fuel, smets1, home: i };
        meters.push(ref);
        estate.push(ref);
        this.byId.set(id, ref);
      });
      if (p !== null) homes.push(p);
    }
    this.homes = homes;
    this.meters = meters;
    this.estate = estate;
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
  spreadChangeOfSupplier(meters: readonly EstateMeter[], start: Instant, spreadMs: number, supplier: Eui64, mpid: string): void {
    meters.forEach((m, i) => {
      // A shard without the DSP keeps the SoLR's vending for its own meters on the same instants.
      if (!this.dspHere && !this.byId.has(m.id)) return;
      this.clock.schedule(Math.max(this.clock.now(), start + Math.floor((i * spreadMs) / Math.max(1, meters.length))), () => {
        const now = this.clock.now();
        if (this.dspHere) this.deliver(this.dsp.admin.changeOfSupplier(m.id, supplier, mpid, now));
        this.tookOver(m.id, now);
      });
    });
  }

  /**
   * A WAN outage from `from` to `until` for a share of the comms hubs (of one
   * CSP region, when `region` names one), picked from `label` alone (so every
   * policy loses the same hubs). Premises have their region from the seed
   * (`cspRegionOf`). // DOMAIN §3.3
   */
  cutWan(label: string, share: number, from: Instant, until: Instant, region: string | null = null): void {
    const pick = Rng.fromSeed(label);
    const hubs = new Set<Eui64>();
    for (const m of this.meters) {
      if (region !== null && cspRegionOf(this.seed, m.premises.index, this.regions) !== region) continue;
      if (!hubs.has(m.hub) && pick.chance(share)) hubs.add(m.hub);
    }
    for (const hub of hubs) this.cut.add(hub);
    this.clock.schedule(Math.max(this.clock.now(), from), () => {
      for (const hub of hubs) this.wanLink(hub, false);
    });
    this.clock.schedule(Math.max(this.clock.now(), until), () => {
      for (const hub of hubs) this.wanLink(hub, true);
    });
  }

  /** Whether a comms hub's WAN is up now. */
  hubUp(hub: string): boolean {
    return !this.hubs.offline(hub);
  }

  /** Every comms hub an outage cut. */
  get wanCut(): ReadonlySet<string> {
    return this.cut;
  }

  /**
   * Mains power lost from `from` to `until` at a share of the premises,
   * picked from `label` alone (so every policy loses the same premises). The
   * ESME powers the comms hub, so the hub is offline meanwhile (the DSP
   * answers E20; alerts wait in the hub); the household has no electricity
   * (off supply, cause `fault`); the gas meter, on its battery, keeps its
   * supply. // DOMAIN §3.1, §3.3
   */
  cutPower(label: string, share: number, from: Instant, until: Instant): void {
    const pick = Rng.fromSeed(label);
    const homes = this.homes.filter(() => pick.chance(share));
    for (const p of homes) {
      this.powerCut.add(p.index);
      for (const slot of p.meters) if (slot.fuel === 'electricity') slot.timeline.recordFault(from, until);
    }
    this.clock.schedule(Math.max(this.clock.now(), from), () => {
      for (const p of homes) this.outageStarts(eui64FromIndex(HUB_PREFIX, p.index));
    });
    this.clock.schedule(Math.max(this.clock.now(), until), () => {
      for (const p of homes) this.outageEnds(eui64FromIndex(HUB_PREFIX, p.index));
    });
  }

  /**
   * The broker down from `from` to `until`. It carries every WAN message and
   * every User's, so every comms hub is unreachable (as in a WAN outage of
   * all hubs) and so is the DSP (as in a DSP outage). When it is back the
   * clients reconnect: the hubs send what they queued, then the DSP gets what
   * was held.
   */
  brokerDown(from: Instant, until: Instant): void {
    const hubs = [...new Set(this.meters.map((m) => m.hub))];
    this.clock.schedule(Math.max(this.clock.now(), from), () => {
      this.dspOutages++;
      for (const hub of hubs) this.outageStarts(hub);
    });
    this.clock.schedule(Math.max(this.clock.now(), until), () => {
      for (const hub of hubs) this.outageEnds(hub);
      this.dspBack();
    });
  }

  /**
   * The DSP unreachable from `from` to `until`: nothing reaches it or leaves
   * it, and it judges no deadline. What is sent to it meanwhile (requests,
   * answers, alerts) waits at the edge in arrival order and is handed to it
   * when it is back, before its deadlines are judged.
   */
  dspOutage(from: Instant, until: Instant): void {
    this.clock.schedule(Math.max(this.clock.now(), from), () => {
      this.dspOutages++;
    });
    this.clock.schedule(Math.max(this.clock.now(), until), () => this.dspBack());
  }

  /**
   * Messages on `link` (a client's uplink, or a topic filter) lost with
   * probability `drop` from `from` to `until`, seeded from `label` and each
   * message's identity. // emulator/bus/fault-plan.ts
   */
  loseMessages(label: string, link: LinkRef, drop: number, from: Instant, until: Instant): void {
    this.losses.add(label, link, drop, from, until);
  }

  /** Whether the DSP is unreachable now (on a bus, the DSP node's deadline wake waits meanwhile). */
  get dspDown(): boolean {
    return this.dspOutages > 0;
  }

  /** Alerts still queued in offline comms hubs. */
  get alertsQueuedNow(): number {
    return this.hubs.queued;
  }

  meter(id: string): MeterRef | undefined {
    return this.byId.get(id);
  }

  /**
   * A User's critical request, the whole flow: CV 4, the Pre-Command signed,
   * CV 5 (for SMETS1, the request itself with CV 5). `done` hears the final
   * answer. // DOMAIN §4.3
   */
  critical(user: DuisUser, target: EstateMeter, srv: string, body: ServiceRequestBody, done?: (r: ServiceResponse) => void): void {
    // An outside system plays this User: it sends its own requests, or none.
    if (this.external.has(user.id)) return;
    const now = this.clock.now();
    if (!this.firstSent.has(target.id)) this.firstSent.set(target.id, now);
    // A shard without the Users knows when their request for its meter went out (the plan says), and sends nothing.
    if (!this.dspHere) return;
    // The flow goes on as the answers reach the User (`toUser`): the Pre-Command, then the final answer.
    if (target.smets1) {
      const req = user.request(target.id, srv, 5, body);
      this.await(req.header.requestId, user.id, done);
      this.sendRequest(user.id, req);
      return;
    }
    const cv4 = user.request(target.id, srv, 4, body);
    this.transformsWaiting.set(`${user.id}|${cv4.header.requestId}`, { user, cv4, done });
    this.sendRequest(user.id, cv4);
  }

  /**
   * A User's request handed to the DSP directly (a scenario's own requests,
   * on any bus; a live rehearsal's DUIS gateway), through the same gates as
   * any other; `after` hears the DSP's outputs for it once it has handled it
   * — at once, or when a DSP outage ends — and after they were sent on;
   * `before` hears them before they are sent on. Says whether the DSP
   * handled it now, holds it for later (the DSP unreachable) or never got
   * it (lost on its link).
   */
  submit(
    user: Eui64,
    request: ServiceRequest,
    after?: (out: readonly DspOutput[]) => void,
    hooks: { readonly before?: (out: readonly DspOutput[]) => void } = {},
  ): 'handled' | 'held' | 'lost' {
    return this.toDsp({
      kind: 'request',
      user,
      request,
      overBus: false,
      ...(after === undefined ? {} : { after }),
      ...(hooks.before === undefined ? {} : { before: hooks.before }),
    });
  }

  /** Whether a response the DSP sends `user` now reaches it (a messageLoss fault may lose it). */
  reaches(user: Eui64, r: ServiceResponse): boolean {
    return !this.losses.lost(this.clock.now(), DSP_CLIENT, userResponsesTopic(user), ...responseIdentity(r));
  }

  /**
   * A comms hub's WAN goes down or comes back: the DSP sees the hub's online
   * state (E20 for commands meanwhile), and the hub's meters' alerts do not
   * reach it. // DOMAIN §3.3
   */
  wanLink(hub: Eui64, up: boolean): void {
    if (up) this.outageEnds(hub);
    else this.outageStarts(hub);
  }

  /** One more outage at `hub`: offline from the first. */
  private outageStarts(hub: Eui64): void {
    if (this.hubs.down(hub)) this.dsp.hubOnline(hub, false);
  }

  /** An outage at `hub` ends; after the last the hub is online and sends up what it queued, oldest first. // DOMAIN §3.3 */
  private outageEnds(hub: Eui64): void {
    const queued = this.hubs.up(hub);
    if (queued === null) return;
    this.dsp.hubOnline(hub, true);
    for (const alert of queued) {
      this.faults.alertsDeliveredLate++;
      this.toDsp({ kind: 'alert', hub, alert });
    }
  }

  /** A User's request on its way to the DSP: published on its topic on a bus, handed over in process. */
  private sendRequest(user: Eui64, request: ServiceRequest): void {
    this.toDsp({ kind: 'request', user, request, overBus: this.bus !== null });
  }

  /** A comms hub says something up its WAN; while it is offline alerts wait in its queue and answers are lost. // DOMAIN §3.3 */
  private fromHub(m: Extract<ToDsp, { kind: 'answer' | 'alert' }>): void {
    if (!this.hubs.offline(m.hub)) {
      this.toDsp(m);
      return;
    }
    if (m.kind === 'answer') this.faults.lostAtOfflineHub++;
    else if (this.hubs.queue(m.hub, m.alert)) this.faults.alertsQueued++;
    else this.faults.alertsLost++;
  }

  /**
   * Everything on its way to the DSP passes here: lost on its link (a
   * messageLoss fault), held while the DSP is unreachable, else handed over —
   * on a bus, published on its topic.
   */
  private toDsp(m: ToDsp): 'handled' | 'held' | 'lost' {
    if (this.lostOnLink(m)) return 'lost';
    if (this.dspOutages > 0) {
      this.heldIn.push(m);
      this.faults.heldForDsp++;
      return 'held';
    }
    if (this.wan !== null && m.kind !== 'request') {
      this.wan.up(m.hub, m.kind === 'answer' ? { kind: 'answer', wanResponse: m.wanResponse } : { kind: 'alert', alert: m.alert });
      return 'handled';
    }
    const bus = this.bus;
    if (bus !== null && m.kind === 'request' && m.overBus) {
      bus.send(m.user, m.request);
      return 'handled';
    }
    if (bus !== null && m.kind !== 'request') {
      bus.up(
        m.hub,
        m.kind === 'answer' ? { kind: 'wanResponse', wanResponse: m.wanResponse } : { kind: 'deviceAlert', deviceAlert: m.alert },
      );
      return 'handled';
    }
    this.toDspHere(m);
    return 'handled';
  }

  /** The DSP handles `m` now and its outputs go on. */
  private toDspHere(m: ToDsp): void {
    const out = this.handToDsp(m);
    if (m.kind === 'request') m.before?.(out);
    this.deliver(out);
    if (m.kind === 'request') m.after?.(out);
  }

  private handToDsp(m: ToDsp): DspOutput[] {
    const now = this.clock.now();
    if (m.kind === 'request') return this.dsp.submit(m.user, m.request, now);
    if (m.kind === 'answer') return this.dsp.deviceResponse(m.hub, m.wanResponse, now);
    return this.dsp.deviceAlert(m.alert, now);
  }

  /** Whether a message on its way to the DSP is lost on its link (counted). */
  private lostOnLink(m: ToDsp): boolean {
    const now = this.clock.now();
    const lost =
      m.kind === 'request'
        ? this.losses.lost(now, clientIdOf({ kind: 'user', id: m.user }), userRequestsTopic(m.user), ...requestIdentity(m.request))
        : this.losses.lost(
            now,
            clientIdOf({ kind: 'hub', id: m.hub }),
            wanUpTopic(m.hub),
            ...(m.kind === 'answer' ? answerIdentity(m.wanResponse) : alertIdentity(m.alert)),
          );
    if (lost) this.faults.messagesLost++;
    return lost;
  }

  /** Whether a message the DSP sends now on `topic` is lost (counted). */
  private lostFromDsp(topic: string, [key, identity]: Identity): boolean {
    const lost = this.losses.lost(this.clock.now(), DSP_CLIENT, topic, key, identity);
    if (lost) this.faults.messagesLost++;
    return lost;
  }

  /**
   * The last outage of the DSP ends: what it said before it went leaves
   * first; then it handles what was held for it, in arrival order; then it
   * judges its deadlines — so held answers complete their requests before any
   * of them can time out (E21).
   */
  private dspBack(): void {
    if (this.dspOutages === 0 || --this.dspOutages > 0) return;
    const out = this.heldOut.splice(0);
    const after: (() => void)[] = [];
    for (const m of this.heldIn.splice(0)) {
      const handled = this.handToDsp(m);
      if (m.kind === 'request') m.before?.(handled);
      out.push(...handled);
      const then = m.kind === 'request' ? m.after : undefined;
      if (then !== undefined) after.push(() => then(handled));
    }
    out.push(...this.dsp.due(this.clock.now()));
    this.deliver(out);
    for (const f of after) f();
  }

  /** From now on the world talks to the DSP and its Users over the bus. */
  attachBus(wiring: BusWiring): void {
    this.bus = wiring;
  }

  /** From now on the DSP and the comms hubs talk over `link` (a sharded run): the Users stay with the DSP. */
  attachWan(link: WanLink): void {
    this.wan = link;
  }

  /** Sharded runs: what a comms hub said up its WAN reaches the DSP. */
  hubSaid(hub: Eui64, says: HubSays): void {
    this.toDspHere(
      says.kind === 'answer' ? { kind: 'answer', hub, wanResponse: says.wanResponse } : { kind: 'alert', hub, alert: says.alert },
    );
  }

  /** Bus runs: a command for a meter came down a comms hub's WAN (unless a messageLoss fault loses it on the way). */
  commandArrived(device: string, command: HanCommand): void {
    const hub = this.byId.get(device)?.hub;
    if (hub !== undefined && this.lostFromDsp(wanDownTopic(hub), commandIdentity(device, command))) return;
    this.toMeter(device, command);
  }

  /** Bus runs: a User received a response on its topic (unless a messageLoss fault loses it on the way). */
  responseArrived(user: Eui64, r: ServiceResponse): void {
    if (this.lostFromDsp(userResponsesTopic(user), responseIdentity(r))) return;
    this.toUser(user, r);
  }

  /** Bus runs: a User received an alert on its topic (unless a messageLoss fault loses it on the way). */
  alertArrived(user: Eui64, alert: DccAlert | DeviceAlert): void {
    if (this.lostFromDsp(userAlertsTopic(user), alertIdentity(alert))) return;
    this.inboxOf(user).alerts.push({ code: alertCode(alert), at: this.clock.now() });
  }

  /** Bus runs: the DSP's gateway sent a command (so watchers see it as they do in process). */
  commandSent(requestId: string, command: HanCommand): void {
    for (const w of this.watchers) w(requestId, command);
  }

  /** Hears every output of the DSP the world sends on (commands, responses, alerts), before it goes on. */
  listen(listener: (o: DspOutput) => void): void {
    this.listeners.push(listener);
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
  criticalRetrying(user: DuisUser, target: EstateMeter, srv: string, body: ServiceRequestBody, retryMs: number): void {
    this.critical(user, target, srv, body, (r) => {
      if (r.responseCode !== 'E20' && r.responseCode !== 'E21') return;
      this.clock.schedule(this.clock.now() + retryMs, () => this.criticalRetrying(user, target, srv, body, retryMs));
    });
  }

  /** Sends the DSP's outputs on: commands to meters, responses and alerts to Users' inboxes. */
  deliver(outputs: readonly DspOutput[]): void {
    if (this.dspOutages > 0) {
      // Nothing leaves an unreachable DSP: what it says (an admin step's commands) waits at the edge.
      this.heldOut.push(...outputs);
      this.faults.heldForDsp += outputs.length;
      return;
    }
    for (const o of outputs) for (const l of this.listeners) l(o);
    if (this.bus !== null) {
      // The DSP node tells `commandSent` of each command it publishes.
      this.bus.publishOutputs(outputs);
      return;
    }
    for (const o of outputs) {
      if (o.kind === 'command') {
        for (const w of this.watchers) w(o.requestId, o.command);
        if (this.lostFromDsp(wanDownTopic(o.hub), commandIdentity(o.device, o.command))) continue;
        if (this.wan !== null) this.wan.down(o.hub, o.device, o.command);
        else this.toMeter(o.device, o.command);
      } else if (o.kind === 'response') {
        if (!this.lostFromDsp(userResponsesTopic(o.to), responseIdentity(o.response))) this.toUser(o.to, o.response);
      } else if (!this.lostFromDsp(userAlertsTopic(o.to), alertIdentity(o.alert))) {
        this.inboxOf(o.to).alerts.push({ code: alertCode(o.alert), at: this.clock.now() });
      }
    }
    this.planWake();
  }

  private toMeter(device: string, command: HanCommand): void {
    const m = this.byId.get(device);
    if (m === undefined) return;
    // A command cannot reach a meter behind an offline comms hub: it is lost, and the DSP times out (E21). // DOMAIN §3.3
    if (this.hubs.offline(m.hub)) {
      this.faults.lostAtOfflineHub++;
      return;
    }
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
      this.answerUp(m, ok ? response : { ...response, reason: 'not-authorised' as const });
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
    this.answerUp(m, toHanResponse(response));
  }

  /** A meter's answer on its way to the DSP: up the hub's WAN on a bus, straight to the DSP in process. */
  private answerUp(m: MeterRef, response: HanResponse): void {
    this.fromHub({ kind: 'answer', hub: m.hub, wanResponse: { commsHub: m.hub, device: m.id, response } });
  }

  private toUser(user: string, r: ServiceResponse): void {
    this.inboxOf(user).responses.push(r);
    this.every.get(`${user}|${r.requestId}`)?.(r);
    const t = this.transformsWaiting.get(`${user}|${r.requestId}`);
    if (t !== undefined) {
      this.transformsWaiting.delete(`${user}|${r.requestId}`);
      if (r.responseCode === 'I0' && r.preCommand !== undefined) {
        this.await(r.requestId, user, t.done);
        this.sendRequest(t.user.id, t.user.signedSend(t.cv4, r.preCommand, 5));
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
      // An unreachable DSP judges no deadline; `dspBack` does when it is back.
      if (this.dspOutages > 0) return;
      this.deliver(this.dsp.due(this.clock.now()));
    });
  }
}

const hex4 = (code: number): string => `0x${code.toString(16).toUpperCase().padStart(4, '0')}`;

/** What travels to the DSP through the world's edge. `overBus`: a request published on the User's topic when on a bus. */
type ToDsp =
  | {
      readonly kind: 'request';
      readonly user: Eui64;
      readonly request: ServiceRequest;
      readonly overBus: boolean;
      readonly after?: (out: readonly DspOutput[]) => void;
      readonly before?: (out: readonly DspOutput[]) => void;
    }
  | { readonly kind: 'answer'; readonly hub: Eui64; readonly wanResponse: WanResponse }
  | { readonly kind: 'alert'; readonly hub: Eui64; readonly alert: DeviceAlert };

const DSP_CLIENT = clientIdOf({ kind: 'dsp' });

/**
 * A message for message loss: what it is about (a key free of run-wide
 * counters such as a RequestID's, whose order a transport may change) and
 * its full identity. The same message has the same pair in process and on a bus.
 */
type Identity = readonly [key: string, identity: string];

/** A RequestID without its counter: originator and target. // DOMAIN §4.1 */
const aboutOf = (requestId: string): string => requestId.slice(0, Math.max(0, requestId.lastIndexOf(':')));
const requestIdentity = (r: ServiceRequest): Identity => [
  `request|${aboutOf(r.header.requestId)}|${r.header.commandVariant}`,
  `request|${r.header.requestId}|${r.header.commandVariant}`,
];
const responseIdentity = (r: ServiceResponse): Identity => {
  const what = `${r.responseCode}|${r.preCommand === undefined ? '' : 'pre-command'}`;
  return [`response|${aboutOf(r.requestId)}|${what}`, `response|${r.requestId}|${what}`];
};
const commandIdentity = (device: string, c: HanCommand): Identity => [`command|${device}`, `command|${device}|${c.ref ?? ''}`];
const answerIdentity = (w: WanResponse): Identity => [`answer|${w.device}`, `answer|${w.device}|${w.response.ref ?? ''}`];
const alertIdentity = (a: DccAlert | DeviceAlert): Identity =>
  'device' in a
    ? [`device-alert|${a.device}|${a.code}`, `device-alert|${a.device}|${a.code}|${a.at}`]
    : [`dcc-alert|${a.code}|${aboutOf(a.requestId)}`, `dcc-alert|${a.code}|${a.requestId}`];
const alertCode = (a: DccAlert | DeviceAlert): string => (typeof a.code === 'string' ? a.code : hex4(a.code));
