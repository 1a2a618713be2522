import type { Eui64 } from '../../core/ids.ts';
import { DAY_MS, type Instant } from '../../core/time/duration.ts';
import type { Role } from '../access/roles.ts';
import { Timeline } from './timeline.ts';

/**
 * What the DSP knows about the world it serves: Users, devices, who supplies
 * each device when, the failed-supplier list, Authority instructions and SRP
 * arrangements. // DOMAIN §4.6, §7.1–§7.3; MP185 §3
 *
 * Every fact that changes during a supplier failure is a `Timeline`, read at
 * the instant a request is decided: a scenario can flip a fact at any instant
 * and every later decision follows it (RELIABILITY SA05).
 *
 * Ids are Maps keyed by canonical EUI-64 strings and MPIDs, never plain
 * objects, so no key from a request can reach a prototype.
 */

/** The kind of SEC party a User is. // DOMAIN §4.6, §7.1 */
export type PartyType = 'Supplier' | 'SharedResourceProvider' | 'NetworkOperator' | 'Other';

/** A DCC User. // DOMAIN §4.6 */
export interface DccUser {
  /** Its EUI-64 entity identifier, the originator of its RequestIDs. */
  readonly id: Eui64;
  readonly name: string;
  readonly party: PartyType;
  /** The User Roles it is registered in. */
  readonly roles: readonly Role[];
}

/** Device types of the inventory. // DOMAIN §3.1 */
export type DeviceType = 'ESME' | 'GSME' | 'PPMID' | 'CHF' | 'GPF';

/** SMI status of a device; only `Commissioned` and `InstalledNotCommissioned` take commands here. UNVERIFIED subset. // DOMAIN §4.4 E5 */
export type SmiStatus = 'Pending' | 'InstalledNotCommissioned' | 'Commissioned' | 'Suspended' | 'Decommissioned' | 'Withdrawn';

/** A device in the DSP's inventory. // DOMAIN §4.6, §6 */
export interface DeviceRecord {
  readonly id: Eui64;
  readonly type: DeviceType;
  readonly generation: 'SMETS1' | 'SMETS2';
  /** MPAN (ESME) or MPRN (GSME); '' for devices without one. */
  readonly mpxn: string;
  /** The comms hub the DSP reaches it through. */
  readonly commsHub: Eui64;
  smiStatus: SmiStatus;
}

/** An Authority instruction to an SRP to act for a failed supplier. // MP134B req 6; MP134A */
export interface AuthorityInstruction {
  readonly reference: string;
  readonly supplier: Eui64;
  readonly srp: Eui64;
  readonly from: Instant;
  /** When it was withdrawn, or null while it stands. */
  until: Instant | null;
}

/** An SRP acting for a supplier, from when until when. // DOMAIN §7.1; MP185 §3 */
export interface SrpAppointment {
  readonly srp: Eui64;
  readonly supplier: Eui64;
  readonly from: Instant;
  until: Instant | null;
}

/** A Supplier of Last Resort appointment for a failed supplier. // DOMAIN §7.2 */
export interface SolrAppointment {
  readonly failed: Eui64;
  readonly solr: Eui64;
  /** The SoLR date: SRP arrangements end at most `srpWindowMs` after it. */
  readonly at: Instant;
}

/** How long SoLR–SRP arrangements may last after the SoLR date: 90 days. // MP185 §3 ("not expected to continue beyond 90 days") */
export const SRP_WINDOW_MS = 90 * DAY_MS;

export class Registry {
  private readonly users = new Map<string, DccUser>();
  private readonly userStatus = new Map<string, Timeline<'active' | 'suspended'>>();
  private readonly devices = new Map<string, DeviceRecord>();
  private readonly mpidOwner = new Map<string, Timeline<Eui64 | null>>();
  private readonly registration = new Map<string, Timeline<string | null>>();
  private readonly anchors = new Map<string, Timeline<Eui64 | null>>();
  private readonly failed = new Map<string, Timeline<boolean>>();
  private readonly revokedLicence = new Map<string, Timeline<boolean>>();
  private readonly instructions: AuthorityInstruction[] = [];
  private readonly appointments: SrpAppointment[] = [];
  private readonly solr = new Map<string, SolrAppointment>();
  readonly srpWindowMs: number;

  constructor(options: { readonly srpWindowMs?: number } = {}) {
    this.srpWindowMs = options.srpWindowMs ?? SRP_WINDOW_MS;
  }

  // ---- Users ----

  addUser(user: DccUser): void {
    if (this.users.has(user.id)) throw new RangeError(`Registry.addUser: ${user.id} is already a User`);
    this.users.set(user.id, user);
    this.userStatus.set(user.id, new Timeline<'active' | 'suspended'>('active'));
  }

  user(id: string): DccUser | undefined {
    return this.users.get(id);
  }

  userActive(id: string, at: Instant): boolean {
    return this.userStatus.get(id)?.at(at) === 'active';
  }

  setUserStatus(id: Eui64, status: 'active' | 'suspended', at: Instant): void {
    this.need(this.userStatus.get(id), 'User', id).set(at, status);
  }

  allUsers(): readonly DccUser[] {
    return [...this.users.values()];
  }

  // ---- Devices and registration ----

  /** Adds a device to the inventory; `supplier` is the Supplier whose credentials it trusts (its trust anchor). */
  addDevice(device: DeviceRecord, supplier: Eui64 | null): void {
    if (this.devices.has(device.id)) throw new RangeError(`Registry.addDevice: ${device.id} is already in the inventory`);
    this.devices.set(device.id, device);
    this.anchors.set(device.id, new Timeline<Eui64 | null>(supplier));
  }

  device(id: string): DeviceRecord | undefined {
    return this.devices.get(id);
  }

  allDevices(): readonly DeviceRecord[] {
    return [...this.devices.values()];
  }

  /** From `at`, MPxN `mpxn` is registered to MPID `mpid`. // DOMAIN §4.8 step 4 */
  register(mpxn: string, mpid: string, at: Instant): void {
    let t = this.registration.get(mpxn);
    if (t === undefined) this.registration.set(mpxn, (t = new Timeline<string | null>(null)));
    t.set(at, mpid);
  }

  /** The MPID an MPxN is registered to at `at`, or null. */
  registeredMpid(mpxn: string, at: Instant): string | null {
    return this.registration.get(mpxn)?.at(at) ?? null;
  }

  /** From `at`, MPID `mpid` belongs to User `owner` (its portfolio). // MP185 */
  assignMpid(mpid: string, owner: Eui64, at: Instant): void {
    let t = this.mpidOwner.get(mpid);
    if (t === undefined) this.mpidOwner.set(mpid, (t = new Timeline<Eui64 | null>(null)));
    t.set(at, owner);
  }

  /** The User owning an MPID at `at`, or null. */
  mpidOwnerAt(mpid: string, at: Instant): Eui64 | null {
    return this.mpidOwner.get(mpid)?.at(at) ?? null;
  }

  /** The MPIDs a User owns at `at`. */
  portfolio(owner: Eui64, at: Instant): string[] {
    const out: string[] = [];
    for (const [mpid, t] of this.mpidOwner) if (t.at(at) === owner) out.push(mpid);
    return out.sort();
  }

  /** Every User that ever owned an MPID, with when the ownership began. */
  mpidHistory(mpid: string): readonly { readonly at: Instant; readonly value: Eui64 | null }[] {
    return this.mpidOwner.get(mpid)?.changes() ?? [];
  }

  /** The Supplier responsible for a device at `at`: the owner of the MPID its MPxN is registered to. // DOMAIN §4.8 step 4 */
  responsibleSupplier(device: DeviceRecord, at: Instant): Eui64 | null {
    const mpid = this.registeredMpid(device.mpxn, at);
    return mpid === null ? null : this.mpidOwnerAt(mpid, at);
  }

  /** The Supplier whose Digital-Signing credentials the device trusts at `at`. // DOMAIN §5.3 */
  trustAnchor(device: Eui64, at: Instant): Eui64 | null {
    return this.anchors.get(device)?.at(at) ?? null;
  }

  /** From `at` the device trusts `supplier`'s credentials (Change of Supplier replaced its trust anchor). // DOMAIN §5.3 */
  setTrustAnchor(device: Eui64, supplier: Eui64, at: Instant): void {
    this.need(this.anchors.get(device), 'device', device).set(at, supplier);
  }

  // ---- Supplier failure ----

  /** From `at`, `supplier` is on (or off) the failed-supplier list. // MP134B req 6 */
  setFailed(supplier: Eui64, failed: boolean, at: Instant): void {
    let t = this.failed.get(supplier);
    if (t === undefined) this.failed.set(supplier, (t = new Timeline(false)));
    t.set(at, failed);
  }

  isFailed(supplier: Eui64, at: Instant): boolean {
    return this.failed.get(supplier)?.at(at) ?? false;
  }

  /** From `at`, `supplier`'s licence is revoked. // DOMAIN §7.2 step 1 */
  revokeLicence(supplier: Eui64, at: Instant): void {
    let t = this.revokedLicence.get(supplier);
    if (t === undefined) this.revokedLicence.set(supplier, (t = new Timeline(false)));
    t.set(at, true);
  }

  licenceRevoked(supplier: Eui64, at: Instant): boolean {
    return this.revokedLicence.get(supplier)?.at(at) ?? false;
  }

  /** Records an Authority instruction; `withdrawInstruction` ends it. // MP134B req 6 */
  instruct(instruction: Omit<AuthorityInstruction, 'until'>): AuthorityInstruction {
    if (this.instructions.some((i) => i.reference === instruction.reference)) {
      throw new RangeError(`Registry.instruct: instruction ${instruction.reference} exists`);
    }
    const i: AuthorityInstruction = { ...instruction, until: null };
    this.instructions.push(i);
    return i;
  }

  withdrawInstruction(reference: string, at: Instant): void {
    const i = this.instructions.find((x) => x.reference === reference);
    if (i === undefined) throw new RangeError(`Registry.withdrawInstruction: no instruction ${reference}`);
    i.until = at;
  }

  /** The instruction under which `srp` may act for `supplier` at `at`, if one stands. */
  instructionFor(srp: Eui64, supplier: Eui64, at: Instant): AuthorityInstruction | undefined {
    return this.instructions.find((i) => i.srp === srp && i.supplier === supplier && i.from <= at && (i.until === null || at < i.until));
  }

  /** Records that `srp` acts for `supplier`. // DOMAIN §7.1 */
  appointSrp(srp: Eui64, supplier: Eui64, from: Instant, until: Instant | null = null): void {
    this.appointments.push({ srp, supplier, from, until });
  }

  /** Records a SoLR appointment for a failed supplier. // DOMAIN §7.2 */
  appointSolr(appointment: SolrAppointment): void {
    this.solr.set(appointment.failed, appointment);
  }

  solrOf(failed: Eui64): SolrAppointment | undefined {
    return this.solr.get(failed);
  }

  /**
   * Whether `srp`'s arrangement with `supplier` holds at `at`: appointed, not
   * ended, and not past the SoLR date plus the window. // MP185 §3
   */
  srpArrangementHolds(srp: Eui64, supplier: Eui64, at: Instant): 'holds' | 'not-appointed' | 'window-ended' {
    const a = this.appointments.find((x) => x.srp === srp && x.supplier === supplier && x.from <= at && (x.until === null || at < x.until));
    if (a === undefined) return 'not-appointed';
    const s = this.solr.get(supplier);
    if (s !== undefined && at >= s.at + this.srpWindowMs) return 'window-ended';
    return 'holds';
  }

  /** The SRPs whose arrangement with `supplier` holds at `at`. */
  srpsOf(supplier: Eui64, at: Instant): Eui64[] {
    const out = new Set<Eui64>();
    for (const a of this.appointments)
      if (a.supplier === supplier && this.srpArrangementHolds(a.srp, supplier, at) === 'holds') out.add(a.srp);
    return [...out].sort();
  }

  /** The supplier an SRP acts for: the suppliers with an arrangement that holds at `at`. */
  suppliersOf(srp: Eui64, at: Instant): Eui64[] {
    return this.appointments
      .filter((a) => a.srp === srp && this.srpArrangementHolds(srp, a.supplier, at) === 'holds')
      .map((a) => a.supplier);
  }

  private need<T>(v: T | undefined, what: string, id: string): T {
    if (v === undefined) throw new RangeError(`Registry: no ${what} ${id}`);
    return v;
  }
}
