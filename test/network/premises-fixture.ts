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
import type { Bus, BusFactory } from '../../emulator/bus/port.ts';
import { WAN_UP_FILTER, wanDownTopic } from '../../emulator/bus/topics.ts';
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

export interface PremisesSetup {
  readonly esmeMode?: PaymentMode;
  readonly esmeBalance?: Money;
  readonly esmeWh?: number;
  readonly gsmeBalance?: Money;
  readonly gsmeWakePhaseMs?: number;
  readonly gpfCollectWithinMs?: number;
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
  };
}

/** What the DSP received on `wan/+/up`, with the virtual time it arrived. */
export interface Received {
  readonly at: Instant;
  readonly envelope: Envelope;
}

/** The DSP end of the WAN (client id `dsp`). */
export class DspClient {
  readonly got: Received[] = [];
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

  /** The WAN responses received for a request. */
  responses(requestId: string): Received[] {
    return this.got.filter((r) => r.envelope.kind === 'wanResponse' && r.envelope.requestId === requestId);
  }

  /** The alerts received with a code. */
  alerts(code: number): Received[] {
    return this.got.filter((r) => r.envelope.kind === 'deviceAlert' && r.envelope.deviceAlert.code === code);
  }
}
