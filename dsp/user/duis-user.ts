import { formatRequestId, type Eui64 } from '../../core/ids.ts';
import { requestSignedContent } from '../../proto/signed-content.ts';
import type { ServiceRequest, ServiceRequestBody } from '../../proto/types.ts';
import { serviceReferenceOf } from '../access/srv.ts';
import type { Srv } from '../access/srv.ts';
import { createAsyncSigner, createFastSigner, type AsyncSigner, type Signer } from '../../core/crypto/ecdsa.ts';
import type { Credential } from '../smki/smki.ts';

/**
 * A DCC User as the DSP sees one from the outside: it numbers its requests,
 * signs each with its XML-signing credential, and signs the Pre-Commands the
 * DSP returns with a Digital-Signing key it holds — its own, or, for an SRP,
 * the supplier's it holds as agent. Scenarios, tests and rehearsals act
 * through it. // DOMAIN §4.1, §4.3; MP134B req 2
 */
export interface DuisUserOptions {
  readonly id: Eui64;
  /** The User Role code it sends in, e.g. `IS` or `SC`. */
  readonly role: string;
  /** Its XML-signing credential. */
  readonly xml: Credential;
  /** The Digital-Signing credential it signs Pre-Commands with, if it has one. */
  readonly signing?: Credential;
  /** Its first counter. Default 1. DCC's tools use epoch milliseconds. // DOMAIN §4.1 */
  readonly firstCounter?: bigint;
  /** A counter another view of this User already uses (see `inRole`). */
  readonly sharedCounter?: { value: bigint };
}

export class DuisUser {
  readonly id: Eui64;
  readonly role: string;
  private readonly xml: Credential;
  private readonly signXml: Signer;
  private readonly signPre: Signer | undefined;
  private readonly signXmlAsync: AsyncSigner;
  private readonly signPreAsync: AsyncSigner | undefined;
  /** Shared by every role view of one User (`inRole`): counters strictly increase per originator, whatever the role. // DOMAIN §4.1 */
  private readonly counter: { value: bigint };

  private readonly options: DuisUserOptions;

  constructor(options: DuisUserOptions) {
    this.options = options;
    this.id = options.id;
    this.role = options.role;
    this.xml = options.xml;
    this.signXml = createFastSigner({ privateKey: options.xml.privateKey, publicKey: options.xml.certificate.publicKey });
    this.signXmlAsync = createAsyncSigner({ privateKey: options.xml.privateKey, publicKey: options.xml.certificate.publicKey });
    const s = options.signing;
    const pair = s === undefined ? undefined : { privateKey: s.privateKey, publicKey: s.certificate.publicKey };
    this.signPre = pair === undefined ? undefined : createFastSigner(pair);
    this.signPreAsync = pair === undefined ? undefined : createAsyncSigner(pair);
    this.counter = options.sharedCounter ?? { value: (options.firstCounter ?? 1n) - 1n };
  }

  /** The next counter: strictly increasing. */
  nextCounter(): bigint {
    return ++this.counter.value;
  }

  /** The same User sending in another role: same credentials, same counter. */
  inRole(role: string): DuisUser {
    return new DuisUser({ ...this.options, role, sharedCounter: this.counter });
  }

  /**
   * A signed Service Request for `target`. `counter` defaults to the next one;
   * `role` to the User's.
   */
  request(
    target: Eui64,
    srv: Srv | string,
    cv: number,
    body: ServiceRequestBody,
    options: { counter?: bigint; role?: string } = {},
  ): ServiceRequest {
    const counter = options.counter ?? this.nextCounter();
    return this.sign(this.unsigned(target, srv, cv, body, counter, options.role ?? this.role));
  }

  /**
   * `request`, signed in the background: many requests signed at once share
   * the machine's cores. The counter is taken now, so order is kept.
   */
  requestAsync(
    target: Eui64,
    srv: Srv | string,
    cv: number,
    body: ServiceRequestBody,
    options: { role?: string } = {},
  ): Promise<ServiceRequest> {
    const unsigned = this.unsigned(target, srv, cv, body, this.nextCounter(), options.role ?? this.role);
    return this.signAsync(unsigned);
  }

  /** `signedSend`, signed in the background. */
  async signedSendAsync(transformed: ServiceRequest, preCommand: Uint8Array, cv: 5 | 6 | 7 = 5): Promise<ServiceRequest> {
    if (this.signPreAsync === undefined) throw new Error(`DuisUser ${this.id}: no Digital-Signing credential to sign a Pre-Command with`);
    const signature = await this.signPreAsync(preCommand);
    return this.signAsync({
      header: { ...transformed.header, commandVariant: cv },
      kind: 'signedPreCommand',
      signedPreCommand: { command: preCommand, signature },
    });
  }

  private async signAsync(r: ServiceRequest): Promise<ServiceRequest> {
    const signature = await this.signXmlAsync(requestSignedContent(r));
    return { ...r, xmlSignature: { certificateSerial: this.xml.certificate.serial, signature } };
  }

  private unsigned(target: Eui64, srv: Srv | string, cv: number, body: ServiceRequestBody, counter: bigint, role: string): ServiceRequest {
    return {
      header: {
        requestId: formatRequestId({ originator: this.id, target, counter }),
        serviceReference: serviceReferenceOf(srv as Srv),
        serviceReferenceVariant: srv,
        commandVariant: cv,
        businessOriginator: this.id,
        businessTarget: target,
        userRole: role,
      },
      ...body,
    };
  }

  /** The request with this User's XML signature (replacing any). */
  sign(r: ServiceRequest): ServiceRequest {
    const signature = this.signXml(requestSignedContent(r));
    return { ...r, xmlSignature: { certificateSerial: this.xml.certificate.serial, signature } };
  }

  /**
   * CV 5/6/7 for a transformed request: the same RequestID and SRV, the
   * Pre-Command signed with this User's Digital-Signing key. // DOMAIN §4.3 steps 2–3
   */
  signedSend(transformed: ServiceRequest, preCommand: Uint8Array, cv: 5 | 6 | 7 = 5): ServiceRequest {
    if (this.signPre === undefined) throw new Error(`DuisUser ${this.id}: no Digital-Signing credential to sign a Pre-Command with`);
    const { header } = transformed;
    return this.sign({
      header: { ...header, commandVariant: cv },
      kind: 'signedPreCommand',
      signedPreCommand: { command: preCommand, signature: this.signPre(preCommand) },
    });
  }

  /** Signs bytes with the Digital-Signing key (to build deliberately bad requests in tests). */
  signWithSigningKey(bytes: Uint8Array): Uint8Array {
    if (this.signPre === undefined) throw new Error(`DuisUser ${this.id}: no Digital-Signing credential`);
    return this.signPre(bytes);
  }
}
