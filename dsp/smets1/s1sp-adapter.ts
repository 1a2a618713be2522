import type { Eui64 } from '../../core/ids.ts';
import type { Instant } from '../../core/time/duration.ts';
import type { HanCommand } from '../../proto/types.ts';

/**
 * The SMETS1 Service Provider, as the DSP reaches it. // DOMAIN §6; OPEN-QUESTIONS F4
 *
 * For a SMETS1 device there is no Pre-Command for the User to sign: the DSP
 * validates the Service Request itself — MP134B's content rule reads the
 * request body for SMETS1 (req 5) — and passes the S1SP a Countersigned
 * Service Request; the S1SP turns it into the device's "Equivalent Steps" and
 * answers with a response it signs. Here the S1SP carries the command to the
 * device over the same WAN; the device takes it without a supplier signature
 * (SMETS1 security is the S1SP's and the DCO's, not GBCS's).
 *
 * Not modelled: the DCO's second check, per-model Equivalent Steps, and the
 * S1SP's own signature on responses (DOMAIN §6, UNVERIFIED details).
 */

/** One Countersigned Service Request passed to the S1SP. */
export interface S1spInstruction {
  /** `S1SP-<n>`, in issue order. */
  readonly id: string;
  readonly requestId: string;
  readonly device: Eui64;
  readonly srv: string;
  readonly at: Instant;
  /** The sender whose request it countersigns. */
  readonly sender: Eui64;
}

export class S1spAdapter {
  private readonly issued: S1spInstruction[] = [];

  /** Countersigns a validated request and returns the instruction and the device command the S1SP sends. */
  instruct(
    sender: Eui64,
    requestId: string,
    device: Eui64,
    srv: string,
    command: HanCommand,
    at: Instant,
  ): { instruction: S1spInstruction; command: HanCommand } {
    const instruction: S1spInstruction = { id: `S1SP-${this.issued.length + 1}`, requestId, device, srv, at, sender };
    this.issued.push(instruction);
    return { instruction, command };
  }

  /** Every instruction issued, oldest first. */
  instructions(): readonly S1spInstruction[] {
    return this.issued;
  }
}
