import { pounds, type Money } from '../../core/money.ts';
import type { Eui64 } from '../../core/ids.ts';
import { eui64FromIndex } from '../../core/ids.ts';
import { defaultMeterConfig } from '../../emulator/devices/common/meter-config.ts';
import type { PaymentMode } from '../../emulator/devices/common/meter-types.ts';
import { constantProfile } from '../../emulator/devices/common/profile.ts';
import type { TrustAnchors } from '../../emulator/devices/common/command-authority.ts';
import type { HubNode } from '../../emulator/network/hub-node.ts';
import type { NetworkRunner } from '../../emulator/network/runner.ts';
import { SUPPLIER_A, TRANS_COS, type SampleWorld } from '../sample-world.ts';
import type { DuisUser } from '../user/duis-user.ts';
import { DspNode } from './dsp-node.ts';
import { UserNode } from './user-node.ts';

/**
 * A sample world's premises, DSP and Users on a running bus: each premises is
 * a comms hub with its ESME and GSME whose trust anchors hold supplier A's
 * Digital-Signing key (and the TransCoS key for Change of Supplier), the DSP
 * is a `DspNode`, and each User a `UserNode`. // DOMAIN §5.3
 */
export interface SampleEstate {
  readonly dspNode: DspNode;
  readonly hubs: readonly HubNode[];
  /** The User nodes, by the User's EUI-64 (supplier A as IS and SRP…). */
  readonly users: ReadonlyMap<string, UserNode>;
  user(u: DuisUser): UserNode;
}

export interface SampleEstateOptions {
  /** Every meter's payment mode. Default Prepayment. */
  readonly mode?: PaymentMode;
  /** Every meter's opening balance. Default £20. */
  readonly balance?: Money;
  /** Constant consumption per half hour, Wh. Default 500. */
  readonly whPerHalfHour?: number;
}

/** The DCC's EUI-64 as originator of what the DSP publishes. */
export const DCC_DSP = '90-B3-D5-1F-30-00-00-00' as Eui64;

/** Connects the world's premises, DSP and Users to the runner's bus. */
export async function connectSampleEstate(
  world: SampleWorld,
  runner: NetworkRunner,
  options: SampleEstateOptions = {},
): Promise<SampleEstate> {
  const anchors: TrustAnchors = {
    supplier: { party: SUPPLIER_A, publicKey: world.supplierASigning.certificate.publicKey },
    transCoS: { party: TRANS_COS, publicKey: world.transCosSigning.certificate.publicKey },
  };
  const mode = options.mode ?? 'Prepayment';
  const balance = options.balance ?? pounds(20);
  const profile = constantProfile(options.whPerHalfHour ?? 500);
  const hubs: HubNode[] = [];
  for (const [i, p] of world.premises.entries()) {
    hubs.push(
      await runner.addHub({
        hub: p.hub,
        gpf: eui64FromIndex(0x00db1200, i * 4 + 3),
        // A SMETS1 meter checks no GBCS signature: the S1SP stands between it and the DSP. // DOMAIN §6
        esme: {
          id: p.esme.id,
          config: defaultMeterConfig('electricity'),
          profile,
          mode,
          balance,
          ...(p.esme.generation === 'SMETS2' ? { trustAnchors: anchors } : {}),
        },
        gsme: { id: p.gsme.id, config: defaultMeterConfig('gas'), profile, mode, balance, trustAnchors: anchors, wakePhaseMs: 10 * 60_000 },
      }),
    );
  }
  const dspNode = new DspNode(runner.clock, world.dsp, { id: DCC_DSP, log: (line) => runner.log.push(line) });
  await dspNode.connect(runner.bus);
  runner.attach(dspNode);
  const users = new Map<string, UserNode>();
  for (const u of [world.supplierA, world.supplierB, world.srp, world.networkOperator]) {
    const node = new UserNode(runner.clock, u);
    await node.connect(runner.bus);
    runner.attach(node);
    users.set(u.id, node);
  }
  return {
    dspNode,
    hubs,
    users,
    user(u: DuisUser): UserNode {
      const n = users.get(u.id);
      if (n === undefined) throw new RangeError(`SampleEstate: no User node for ${u.id}`);
      return n;
    },
  };
}
