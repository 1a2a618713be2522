import type { SnapshotFrom } from 'xstate';
import type { Eui64 } from '../../core/ids.ts';
import type { Money } from '../../core/money.ts';
import { unwrap } from '../../core/result.ts';
import type { Instant } from '../../core/time/duration.ts';
import type { TimerHandle, VirtualClock } from '../../core/time/virtual-clock.ts';
import { toHanResponse } from '../../proto/han-mapping.ts';
import type { Envelope, EnvelopeBody, FailureReason, HanCommandKind } from '../../proto/types.ts';
import { clientIdOf } from '../bus/acl.ts';
import type { Bus, BusFactory } from '../bus/port.ts';
import { hanInTopic, hanOutTopic } from '../bus/topics.ts';
import { isCriticalAlert } from '../devices/common/alerts.ts';
import { CommandAuthority, type TrustAnchors } from '../devices/common/command-authority.ts';
import { MachineStepper } from '../devices/common/machine-stepper.ts';
import type { MeterConfig } from '../devices/common/meter-config.ts';
import type { MeterMachine } from '../devices/common/meter-machine.ts';
import { planDue } from '../devices/common/meter-logic.ts';
import type { MeterContext, MeterEvent, MeterInput, MeterResponse, PaymentMode } from '../devices/common/meter-types.ts';
import type { ConsumptionProfile } from '../devices/common/profile.ts';
import type { UtrnSibling } from '../devices/common/utrn/utrn-acceptor.ts';
import { ESME_VARIANT, esmeMachine } from '../devices/esme/machine.ts';
import { GSME_VARIANT, gsmeMachine } from '../devices/gsme/machine.ts';
import { Inbox, type Inbound } from './inbox.ts';
import { hex4, stamp, type LogSink } from './log-line.ts';

/** A meter of the premises. */
export interface MeterSpec {
  readonly id: Eui64;
  readonly config: MeterConfig;
  readonly profile: ConsumptionProfile;
  readonly mode: PaymentMode;
  readonly balance: Money;
  /** Offset of the GSME's wake cycle (ignored for the ESME). */
  readonly wakePhaseMs?: number;
  /** The ECDH secret UTRNs for this meter are checked with; zeros when the script sends no UTRN. // DOMAIN §2.2 */
  readonly secret?: Uint8Array;
  readonly siblings?: readonly UtrnSibling[];
  /**
   * The trust anchors it checks critical remote commands against. Without
   * them the meter takes remote commands unsigned, as in runs without a DSP.
   * // DOMAIN §5.2, §5.3
   */
  readonly trustAnchors?: TrustAnchors;
}

/** What a node lends its meters: the clock, the log and a tracked QoS 1 publish. */
export interface NodeIo {
  readonly clock: VirtualClock;
  readonly log: LogSink;
  send(bus: Bus | null, topic: string, e: Envelope): void;
}

type MeterSnapshot = SnapshotFrom<MeterMachine>;
const steppers = { esme: new MachineStepper(esmeMachine), gsme: new MachineStepper(gsmeMachine) };

/**
 * One ESME or GSME on the bus, connected as `dev.<hub>.<meter>`: it hears its
 * `han/…/in` topic and says its responses and alerts (the machine's `respond`
 * and `alert` effects) on its `han/…/out` topic. Its credit events are planned
 * on the virtual clock with `planDue`. // DOMAIN §1.4, §3.2; ARCHITECTURE "Time"
 */
export class MeterOnBus {
  readonly kind: 'esme' | 'gsme';
  readonly id: Eui64;
  readonly hub: Eui64;
  /** What the meter's client received; the node drains it. */
  readonly inbox = new Inbox();
  /** Its signature check on critical remote commands, when it has trust anchors. */
  readonly authority: CommandAuthority | undefined;
  /** What `prepareInbound` took from the inbox for the next drain. */
  private prepared: Inbound[] = [];
  snapshot: MeterSnapshot;
  private bus: Bus | null = null;
  private counter = 0n;
  private due: TimerHandle | null = null;
  private dueAt: Instant = Infinity;
  private readonly io: NodeIo;

  constructor(kind: 'esme' | 'gsme', hub: Eui64, spec: MeterSpec, supplier: Uint8Array, io: NodeIo) {
    this.kind = kind;
    this.id = spec.id;
    this.hub = hub;
    this.io = io;
    this.authority = spec.trustAnchors === undefined ? undefined : new CommandAuthority(spec.id, spec.trustAnchors);
    const input: MeterInput = {
      id: spec.id,
      variant: kind === 'esme' ? ESME_VARIANT : GSME_VARIANT,
      config: spec.config,
      profile: spec.profile,
      credentials: {
        ownEui: Uint8Array.from(Buffer.from(spec.id.replaceAll('-', ''), 'hex')),
        supplier,
        secret: spec.secret ?? new Uint8Array(32),
        siblings: spec.siblings ?? [],
      },
      at: io.clock.now(),
      mode: spec.mode,
      meterBalance: spec.balance,
      ...(spec.wakePhaseMs !== undefined ? { wakePhaseMs: spec.wakePhaseMs } : {}),
    };
    this.snapshot = steppers[kind].start(input).snapshot;
  }

  get context(): MeterContext {
    return this.snapshot.context;
  }

  /** Connects with the meter's own identity, subscribes to its `in` topic and plans its first credit event. */
  async connect(factory: BusFactory): Promise<void> {
    const bus = unwrap(await factory.connect({ clientId: clientIdOf({ kind: 'device', hub: this.hub, id: this.id }) }));
    await bus.subscribe(hanInTopic(this.hub, this.id), this.inbox.handler, { qos: 1 });
    this.bus = bus;
    this.replan();
  }

  /** Steps the meter and publishes what it says on its `out` topic. */
  step(event: MeterEvent): void {
    const r = steppers[this.kind].step(this.snapshot, event);
    this.snapshot = r.snapshot;
    for (const effect of r.effects) {
      if (effect.type === 'alert') {
        const code = (effect.params as { code: number }).code;
        this.io.log(`${stamp(event.now)} alert device=${this.id} code=${hex4(code)}`);
        this.say('', { kind: 'deviceAlert', deviceAlert: { code, device: this.id, at: event.now, critical: isCriticalAlert(code) } });
      } else if (effect.type === 'respond') {
        const response = effect.params as MeterResponse;
        this.say(response.ref ?? '', { kind: 'hanResponse', hanResponse: toHanResponse(response) });
      }
    }
    this.replan();
  }

  /** Takes what arrived, for the next `takeInbound`; returns the newly taken. */
  prepareInbound(): readonly Inbound[] {
    const items = this.inbox.drain();
    this.prepared.push(...items);
    return items;
  }

  /** What to handle now: what was prepared, or else what arrived. */
  takeInbound(): Inbound[] {
    if (this.prepared.length === 0) return this.inbox.drain();
    const items = this.prepared;
    this.prepared = [];
    return items;
  }

  /** Answers a HAN command the device handled itself (not the meter machine) with a success on its `out` topic. */
  answer(ref: string, command: HanCommandKind): void {
    this.say(ref, { kind: 'hanResponse', hanResponse: { ref, command, outcome: 'success' } });
  }

  /** Answers a HAN command the meter cannot act on with a failure on its `out` topic. */
  refuse(ref: string, command: HanCommandKind, reason: FailureReason): void {
    this.say(ref, { kind: 'hanResponse', hanResponse: { ref, command, outcome: 'failure', reason } });
  }

  private say(requestId: string, body: EnvelopeBody): void {
    this.counter++;
    const e: Envelope = {
      messageId: `${this.id}/${this.counter}`,
      requestId,
      originator: this.id,
      target: this.hub,
      counter: this.counter,
      at: this.io.clock.now(),
      ...body,
    };
    this.io.send(this.bus, hanOutTopic(this.hub, this.id), e);
  }

  /** Schedules the meter's next credit event. // ARCHITECTURE "Time": credit is planned, not ticked */
  private replan(): void {
    const clock = this.io.clock;
    const due = Math.max(planDue(this.snapshot.context), clock.now());
    if (due === this.dueAt) return;
    if (this.due !== null) clock.cancel(this.due);
    this.dueAt = due;
    this.due = Number.isFinite(due)
      ? clock.schedule(due, () => {
          this.due = null;
          this.dueAt = Infinity;
          this.step({ type: 'clock.due', now: due });
        })
      : null;
  }
}
