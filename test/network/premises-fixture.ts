/**
 * One premises on the bus for the network tests, and a DSP-side client that
 * sends WAN commands and keeps what comes up. // DOMAIN §3.2
 */
import { eui64FromIndex, type Eui64 } from '../../core/ids.ts';
import { pounds, type Money } from '../../core/money.ts';
import { unwrap } from '../../core/result.ts';
import type { Instant } from '../../core/time/duration.ts';
import { encodeEnvelope, decodeEnvelope } from '../../proto/codec.ts';
import type { Envelope, HanCommandBody } from '../../proto/types.ts';
import type { Principal } from '../../emulator/bus/acl.ts';
import type { Bus, BusFactory } from '../../emulator/bus/port.ts';
import { CH_ONLINE_FILTER, WAN_UP_FILTER, wanDownTopic } from '../../emulator/bus/topics.ts';
import { defaultMeterConfig } from '../../emulator/devices/common/meter-config.ts';
import { constantProfile } from '../../emulator/devices/common/profile.ts';
import type { PaymentMode } from '../../emulator/devices/common/meter-types.ts';
import type { HubNodeOptions } from '../../emulator/network/hub-node.ts';
import type { NetworkRunner } from '../../emulator/network/runner.ts';

/** Tuesday 2026-06-02 12:00 BST, on a half hour: outside the default non-disablement hours. */
export const T0: Instant = Date.UTC(2026, 5, 2, 11);
export const HUB = eui64FromIndex(0x00db1300, 1);
export const GPF = eui64FromIndex(0x00db1300, 2);
export const ESME = eui64FromIndex(0x00db1200, 1);
export const GSME = eui64FromIndex(0x00db1200, 2);
export const DSP = eui64FromIndex(0x90b3d500, 1);
/** A device (or hub) this premises does not know. */
export const STRANGER = eui64FromIndex(0x00db1200, 99);

export interface PremisesSetup {
  readonly esmeMode?: PaymentMode;
  readonly esmeBalance?: Money;
  readonly esmeWh?: number;
  readonly gsmeBalance?: Money;
  readonly gsmeWakePhaseMs?: number;
  readonly gpfCollectWithinMs?: number;
  /** The ESME's UTRN secret and the supplier's EUI-64 bytes (default zeros). // DOMAIN §2.2 */
  readonly esmeSecret?: Uint8Array;
  readonly supplier?: Uint8Array;
}

export function premisesOptions(s: PremisesSetup = {}): HubNodeOptions {
  return {
    hub: HUB,
    gpf: GPF,
    esme: {
      id: ESME,
      config: defaultMeterConfig('electricity'),
      profile: constantProfile(s.esmeWh ?? 500),
      mode: s.esmeMode ?? 'Prepayment',
      balance: s.esmeBalance ?? pounds(20),
      ...(s.esmeSecret !== undefined ? { secret: s.esmeSecret } : {}),
    },
    gsme: {
      id: GSME,
      config: defaultMeterConfig('gas'),
      profile: constantProfile(500),
      mode: 'Prepayment',
      balance: s.gsmeBalance ?? pounds(20),
      wakePhaseMs: s.gsmeWakePhaseMs ?? 10 * 60_000,
    },
    ...(s.gpfCollectWithinMs !== undefined ? { gpfCollectWithinMs: s.gpfCollectWithinMs } : {}),
    ...(s.supplier !== undefined ? { supplier: s.supplier } : {}),
  };
}

/** Every identity of the premises and the DSP, for a broker's password and ACL files. */
export function premisesPrincipals(): Principal[] {
  return [{ kind: 'hub', id: HUB }, { kind: 'device', hub: HUB, id: ESME }, { kind: 'device', hub: HUB, id: GSME }, { kind: 'dsp' }];
}

/** What the DSP received on `wan/+/up`, with the virtual time it arrived. */
export interface Received {
  readonly at: Instant;
  readonly envelope: Envelope;
}

/** An online state the DSP saw on `ch/+/online`: the payload as text, and whether it came from the retained store. */
export interface OnlineState {
  readonly at: Instant;
  readonly topic: string;
  readonly state: string;
  readonly retained: boolean;
}

/** The DSP end of the WAN (client id `dsp`). */
export class DspClient {
  readonly got: Received[] = [];
  readonly online: OnlineState[] = [];
  private counter = 0n;
  private readonly bus: Bus;
  private readonly runner: NetworkRunner;

  private constructor(bus: Bus, runner: NetworkRunner) {
    this.bus = bus;
    this.runner = runner;
  }

  static async connect(factory: BusFactory, runner: NetworkRunner): Promise<DspClient> {
    const bus = unwrap(await factory.connect({ clientId: 'dsp' }));
    const dsp = new DspClient(bus, runner);
    await bus.subscribe(
      WAN_UP_FILTER,
      (m) => {
        const r = decodeEnvelope(m.payload);
        if (r.ok) dsp.got.push({ at: runner.clock.now(), envelope: r.value });
      },
      { qos: 1 },
    );
    await bus.subscribe(
      CH_ONLINE_FILTER,
      (m) => void dsp.online.push({ at: runner.clock.now(), topic: m.topic, state: Buffer.from(m.payload).toString(), retained: m.retain }),
      { qos: 1 },
    );
    return dsp;
  }

  /** The envelope of a WAN command for `device`, with the next counter; publish it with `send`. */
  command(device: Eui64, body: HanCommandBody): Envelope {
    this.counter++;
    const requestId = `${DSP}:${device}:${this.counter}`;
    return {
      messageId: `dsp/${this.counter}`,
      requestId,
      originator: DSP,
      target: HUB,
      counter: this.counter,
      at: this.runner.clock.now(),
      kind: 'wanCommand',
      wanCommand: { commsHub: HUB, device, command: { now: this.runner.clock.now(), ...body } },
    };
  }

  async send(e: Envelope): Promise<void> {
    await this.sendBytes(encodeEnvelope(e));
  }

  async sendBytes(bytes: Uint8Array): Promise<void> {
    await this.bus.publish(wanDownTopic(HUB), bytes, { qos: 1 });
  }

  /** A WAN command to another comms hub, sent on this hub's `down` topic. */
  commandVia(commsHub: Eui64, device: Eui64, body: HanCommandBody): Envelope {
    const e = this.command(device, body);
    return e.kind === 'wanCommand' ? { ...e, wanCommand: { ...e.wanCommand, commsHub } } : e;
  }

  /** The WAN responses received for a request. */
  responses(requestId: string): Received[] {
    return this.got.filter((r) => r.envelope.kind === 'wanResponse' && r.envelope.requestId === requestId);
  }

  /** The alerts received with a code. */
  alerts(code: number): Received[] {
    return this.got.filter((r) => r.envelope.kind === 'deviceAlert' && r.envelope.deviceAlert.code === code);
  }
}
