/**
 * A DCC User's own DUIS client, as an SRP would write one against
 * `smets-twin serve`: it reads its credentials from the PEM files `serve`
 * exported, talks HTTP only, and uses nothing of the running twin. It signs
 * request documents, verifies the DSP's signed answers, signs Pre-Commands,
 * and receives the asynchronous responses on a local HTTP receiver.
 * // DOMAIN §4.1–§4.3; docs/rehearsal.md "The sample client"
 *
 * The DUIS XML itself (signing, canonicalization, reading) is the twin's pure
 * library `dsp/duis-xml/`, which has no state and touches no world: a client
 * in another language does the same with its own XML-DSig library.
 */
import { sign as nodeSign, createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { formatRequestId, type Eui64 } from '../core/ids.ts';
import { err, ok, type Result } from '../core/result.ts';
import {
  formatDuisXmlError,
  preCommandOf,
  readSignedResponse,
  writeRequest,
  type DuisResponse,
  type RequestInput,
  type SignerIdentity,
  type XmlSigningKey,
} from '../dsp/duis-xml/index.ts';
import { privateKeyFromPem, publicKeyFromCertificatePem } from '../dsp/smki/pem.ts';
import type { ServiceRequestBody } from '../proto/types.ts';
import { CREDENTIAL_FILES, type PartyFile } from './credentials-export.ts';

/** What the client loaded from the credentials folder. */
export interface ClientCredentials {
  readonly party: PartyFile;
  readonly eui64: Eui64;
  /** The XML-signing key and the certificate KeyInfo names (serial, issuing CA). */
  readonly xmlKey: XmlSigningKey;
  /** The Digital-Signing key that signs Pre-Commands, if the party has one. */
  readonly signingKey: KeyObject | undefined;
  /** The DSP's XML-signing certificate: its key and how KeyInfo names it. */
  readonly dsp: { readonly publicKey: Uint8Array; readonly serial: bigint; readonly issuerName: string };
}

/**
 * Loads a party's credentials from the folder `serve` wrote (`party.json`
 * and the PEM files), checking that each certificate was issued by the
 * Organisation CA in the folder.
 */
export async function loadCredentials(dir: string): Promise<Result<ClientCredentials, string>> {
  try {
    const read = (name: string): Promise<string> => readFile(join(dir, name), 'utf8');
    const party = JSON.parse(await read(CREDENTIAL_FILES.party)) as PartyFile;
    const ca = new X509Certificate(await read(CREDENTIAL_FILES.organisationCa));
    const xmlPem = await read(party.xmlSigning.certificate);
    const dspPem = await read(party.dsp.certificate);
    for (const [what, pem] of [
      ['XML-signing', xmlPem],
      ['DSP', dspPem],
    ] as const) {
      const cert = new X509Certificate(pem);
      if (!cert.checkIssued(ca) || !cert.verify(ca.publicKey)) return err(`the ${what} certificate was not issued by the Organisation CA`);
    }
    const xmlCert = new X509Certificate(xmlPem);
    const xmlPrivate = privateKeyFromPem(await read(party.xmlSigning.key));
    if (!xmlPrivate.ok) return err(`xml-signing key: ${xmlPrivate.error}`);
    const dspKey = publicKeyFromCertificatePem(dspPem);
    if (!dspKey.ok) return err(`DSP certificate: ${dspKey.error}`);
    const dspCert = new X509Certificate(dspPem);
    const signing = party.digitalSigning === undefined ? undefined : createPrivateKey(await read(party.digitalSigning.key));
    return ok({
      party,
      eui64: party.eui64 as Eui64,
      xmlKey: {
        privateKey: xmlPrivate.value,
        // KeyInfo's X509IssuerSerial: the serial, and the issuing CA named by its common name (the twin writes OU=07 with it).
        certificate: { serial: BigInt(`0x${xmlCert.serialNumber}`), issuer: commonName(xmlCert.issuer) },
      },
      signingKey: signing,
      dsp: { publicKey: dspKey.value, serial: BigInt(`0x${dspCert.serialNumber}`), issuerName: rfc4514(dspCert.issuer) },
    });
  } catch (e) {
    return err(`cannot load the credentials in ${dir}: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** node:crypto prints a distinguished name one attribute a line, most significant first; XML-DSig writes RFC 4514, least first. */
const rfc4514 = (dn: string): string => dn.split('\n').reverse().join(',');
const commonName = (dn: string): string => /(?:^|\n)CN=([^\n]*)/.exec(dn)?.[1] ?? dn;
const sameName = (a: string, b: string): boolean => a.replace(/\s+/g, '').toLowerCase() === b.replace(/\s+/g, '').toLowerCase();

/** The last counter used per originator, in this process: strictly increasing whatever the clock does. */
const lastCounter = new Map<string, bigint>();

/**
 * The next RequestID counter of `originator`: the epoch milliseconds now, as
 * DCC's tools number them, or one above the last if the clock has not moved
 * on. // DOMAIN §4.1
 */
export function nextCounter(originator: string, now: number = Date.now()): bigint {
  const last = lastCounter.get(originator) ?? 0n;
  const ms = BigInt(Math.floor(now));
  const next = ms > last ? ms : last + 1n;
  lastCounter.set(originator, next);
  return next;
}

/** What came back from a DUIS web service. */
export interface DuisAnswer {
  readonly status: number;
  readonly contentType: string;
  readonly text: string;
  /** The DSP's response, read and verified under its certificate; undefined when the answer is not one. */
  readonly response: DuisResponse | undefined;
  /** Why `response` is undefined. */
  readonly problem: string | undefined;
  /** Wall milliseconds from sending to the whole answer. */
  readonly ms: number;
}

export type Service = 'serviceS' | 'serviceT' | 'serviceD';

export class DuisClient {
  readonly credentials: ClientCredentials;
  /** `http://host:port` of the twin. */
  readonly origin: string;
  private readonly log: (line: string) => void;

  constructor(credentials: ClientCredentials, origin: string, log: (line: string) => void = () => {}) {
    this.credentials = credentials;
    this.origin = origin.replace(/\/+$/, '');
    this.log = log;
  }

  /** A request's header for `target`, with a fresh counter unless one is given (CV 5–7 reuse their CV 4's). */
  header(target: string, srv: string, cv: number, counter: bigint = nextCounter(this.credentials.eui64)): RequestInput['header'] {
    return {
      requestId: formatRequestId({ originator: this.credentials.eui64, target: target as Eui64, counter }),
      commandVariant: cv,
      serviceReference: srv.split('.').slice(0, 2).join('.'),
      serviceReferenceVariant: srv,
    };
  }

  /** The signed request document. */
  document(input: RequestInput): string {
    const xml = writeRequest(input, this.credentials.xmlKey);
    if (!xml.ok) throw new Error(`the request cannot be written: ${formatDuisXmlError(xml.error)}`);
    return xml.value;
  }

  /** POSTs a document to a DUIS web service and reads the answer, verified under the DSP's certificate. */
  async post(service: Service, xml: string): Promise<DuisAnswer> {
    const started = performance.now();
    const res = await fetch(`${this.origin}/api/v1/${service}`, {
      method: 'POST',
      headers: { 'content-type': 'application/xml; charset=utf-8' },
      body: xml,
    });
    const text = await res.text();
    const ms = performance.now() - started;
    const contentType = res.headers.get('content-type') ?? '';
    if (!contentType.includes('xml')) return { status: res.status, contentType, text, response: undefined, problem: text.trim(), ms };
    const read = this.verify(text);
    return {
      status: res.status,
      contentType,
      text,
      response: read.ok ? read.value : undefined,
      problem: read.ok ? undefined : read.error,
      ms,
    };
  }

  /** A DSP document, verified: signed by the DSP's certificate (and no other), then read. */
  verify(xml: string): Result<DuisResponse, string> {
    const dsp = this.credentials.dsp;
    const resolve = (s: SignerIdentity): Uint8Array | undefined =>
      s.serial === dsp.serial && sameName(s.issuerName, dsp.issuerName) ? dsp.publicKey : undefined;
    const read = readSignedResponse(xml, resolve);
    return read.ok ? ok(read.value.response) : err(formatDuisXmlError(read.error));
  }

  /** Signs a Pre-Command with the Digital-Signing key: ECDSA P-256 / SHA-256, 64 bytes r ‖ s. // DOMAIN §4.3 step 2 */
  signPreCommand(preCommand: Uint8Array): Uint8Array {
    const key = this.credentials.signingKey;
    if (key === undefined) throw new Error(`${this.credentials.eui64} holds no Digital-Signing key to sign a Pre-Command with`);
    return new Uint8Array(nodeSign('sha256', preCommand, { key, dsaEncoding: 'ieee-p1363' }));
  }

  /** Sets this party's Receive Response Service URL through the admin API. */
  async setReceiveUrl(url: string | null): Promise<number> {
    const res = await fetch(`${this.origin}/api/admin/users/${this.credentials.eui64}/receive-url`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ url }),
    });
    await res.text();
    return res.status;
  }

  /** A non-critical request (CV 1 to Send Command): I99, then the response comes to the receiver. */
  async send(target: string, srv: string, body: ServiceRequestBody, cv = 1): Promise<{ requestId: string; answer: DuisAnswer }> {
    const header = this.header(target, srv, cv);
    const answer = await this.post('serviceS', this.document({ header, ...body }));
    this.log(`CV ${cv} SR ${srv} → /api/v1/serviceS  ${header.requestId}  HTTP ${answer.status} ${describe(answer)}`);
    return { requestId: header.requestId, answer };
  }

  /**
   * A critical request, both halves (DOMAIN §4.3): CV 4 to Transform, the
   * Pre-Command from its signed answer signed with the Digital-Signing key,
   * then CV 5 to Send Command with the same RequestID. Stops at the first
   * answer that is not the expected I0 / I99.
   */
  async critical(
    target: string,
    srv: string,
    body: ServiceRequestBody,
  ): Promise<{ requestId: string; transform: DuisAnswer; send: DuisAnswer | undefined; signature: Uint8Array | undefined }> {
    const counter = nextCounter(this.credentials.eui64);
    const cv4 = this.header(target, srv, 4, counter);
    const transform = await this.post('serviceT', this.document({ header: cv4, ...body }));
    this.log(`CV 4 SR ${srv} → /api/v1/serviceT  ${cv4.requestId}  HTTP ${transform.status} ${describe(transform)}`);
    const pre = transform.response === undefined ? undefined : preCommandOf(transform.response);
    if (transform.response?.header.responseCode !== 'I0' || pre === undefined)
      return { requestId: cv4.requestId, transform, send: undefined, signature: undefined };
    const signature = this.signPreCommand(pre);
    this.log(`  Pre-Command of ${pre.length} bytes signed with the Digital-Signing key: ${signature.length} bytes r ‖ s`);
    const cv5 = this.header(target, srv, 5, counter);
    const send = await this.post(
      'serviceS',
      this.document({ header: cv5, kind: 'signedPreCommand', signedPreCommand: { command: pre, signature } }),
    );
    this.log(`CV 5 SR ${srv} → /api/v1/serviceS  ${cv5.requestId}  HTTP ${send.status} ${describe(send)}`);
    return { requestId: cv4.requestId, transform, send, signature };
  }
}

/** One line for an answer: the code and, on a refusal, why. */
export function describe(a: DuisAnswer): string {
  const r = a.response;
  if (r === undefined) return `(${a.problem ?? 'no DUIS response'})`;
  const body = r.body;
  const values = body?.kind === 'responseMessage' ? body.values : undefined;
  const why = values?.['refusal'] ?? values?.['reason'];
  const pre =
    body?.kind === 'responseMessage' && body.preCommand !== undefined ? `, Pre-Command of ${body.preCommand.payload.length - 1} bytes` : '';
  return `${r.header.responseCode}${pre}${why === undefined ? '' : ` — ${why}`} (signed by the DSP, verified)`;
}

/** One line for an asynchronous document: a response, a device alert or a DCC Alert. */
export function describeAsync(r: DuisResponse): string {
  const b = r.body;
  const what =
    b?.kind === 'deviceAlert'
      ? `device alert ${b.alertCode.toString(16).toUpperCase().padStart(4, '0')} (${r.header.responseId ?? ''})`
      : b?.kind === 'dccAlert'
        ? `DCC Alert ${b.dccAlertCode}: ${b.text}`
        : `${r.header.responseCode} for ${r.header.requestId ?? '-'}${b?.values?.['deviceOutcome'] === undefined ? '' : `, device ${b.values['deviceOutcome']}`}`;
  return `${what} (signed by the DSP, verified)`;
}

/** One asynchronous document the receiver got. */
export interface Received {
  /** The wall instant it arrived (ms since the epoch). */
  readonly at: number;
  readonly text: string;
  /** Read and verified; undefined when it was not a document signed by the DSP. */
  readonly response: DuisResponse | undefined;
  readonly problem: string | undefined;
}

/**
 * The party's Receive Response Service: an HTTP server that takes the DSP's
 * POSTs, verifies each under the DSP's certificate, keeps it and answers 200
 * (so the DSP does not retry a document the client merely dislikes).
 */
export class Receiver {
  readonly received: Received[] = [];
  private server: Server | null = null;
  private waiters: (() => void)[] = [];
  private readonly client: DuisClient;
  private readonly log: (line: string) => void;
  private address = '';

  constructor(client: DuisClient, log: (line: string) => void = () => {}) {
    this.client = client;
    this.log = log;
  }

  /** Listens; resolves with the URL to give the twin. */
  async start(port = 0, host = '127.0.0.1', path = '/receive'): Promise<string> {
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        const read = this.client.verify(text);
        const got: Received = {
          at: Date.now(),
          text,
          response: read.ok ? read.value : undefined,
          problem: read.ok ? undefined : read.error,
        };
        this.received.push(got);
        this.log(
          `receiver: ${got.response === undefined ? `a POST that is not a DSP-signed document (${got.problem ?? ''})` : describeAsync(got.response)}`,
        );
        res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
        const waiting = this.waiters;
        this.waiters = [];
        for (const w of waiting) w();
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
    this.server = server;
    const a = server.address() as AddressInfo;
    this.address = `http://${a.address.includes(':') ? `[${a.address}]` : a.address}:${a.port}${path}`;
    return this.address;
  }

  get url(): string {
    return this.address;
  }

  /** The responses received for `requestId` so far. */
  responsesTo(requestId: string): readonly DuisResponse[] {
    return this.received.flatMap((r) => (r.response !== undefined && r.response.header.requestId === requestId ? [r.response] : []));
  }

  /** Resolves with the first response to `requestId` that `accept` takes, or undefined after `timeoutMs`. */
  async waitFor(
    requestId: string,
    timeoutMs = 10_000,
    accept: (r: DuisResponse) => boolean = () => true,
  ): Promise<DuisResponse | undefined> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const found = this.responsesTo(requestId).find(accept);
      if (found !== undefined) return found;
      const left = end - Date.now();
      if (left <= 0) return undefined;
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  async stop(): Promise<void> {
    const s = this.server;
    this.server = null;
    if (s === null) return;
    await new Promise<void>((resolve) => {
      s.close(() => resolve());
      s.closeAllConnections();
    });
  }
}

export interface CriticalFlowOptions {
  /** `http://host:port` of the twin. */
  readonly url: string;
  readonly credentials: string;
  /** The meter (an ESME, SMETS2) to put into Credit mode. */
  readonly device: string;
  /** The receiver's port (0: any free one) and host. Default 0, 127.0.0.1. */
  readonly receivePort?: number;
  readonly receiveHost?: string;
  /** How long to wait for the asynchronous response. Default 30 s. */
  readonly timeoutMs?: number;
  readonly log?: (line: string) => void;
}

export interface CriticalFlowResult {
  readonly requestId: string;
  /** The codes of the synchronous answers: CV 4, then CV 5. */
  readonly synchronous: readonly string[];
  /** The asynchronous final response, verified; undefined if none came in time. */
  readonly final: DuisResponse | undefined;
  readonly receiver: Receiver;
  readonly client: DuisClient;
}

/**
 * The SRP's critical flow, step by step, as `examples/srp-client.ts` runs
 * it: load the credentials, start the receiver and register its URL, SR 1.6
 * (Credit) with CV 4, the Pre-Command signed, CV 5 with the same RequestID,
 * then the asynchronous I0. The receiver is left running; stop it when done.
 */
export async function runCriticalFlow(o: CriticalFlowOptions): Promise<Result<CriticalFlowResult, string>> {
  const log = o.log ?? (() => {});
  const loaded = await loadCredentials(o.credentials);
  if (!loaded.ok) return loaded;
  const c = loaded.value;
  const p = c.party;
  log(`1. credentials from ${o.credentials}: ${p.name} ${c.eui64}, User Role ${p.userRoles.join(', ')}`);
  log(`   XML-signing certificate ${c.xmlKey.certificate.serial} (${p.xmlSigning.issuerName}); DSP certificate ${c.dsp.serial}`);
  if (p.digitalSigning !== undefined)
    log(
      `   Digital-Signing certificate ${p.digitalSigning.serial} of ${p.digitalSigning.subject}${p.digitalSigning.heldAsAgentFor === null ? '' : ' (held as agent)'}`,
    );
  const client = new DuisClient(c, o.url, log);
  const receiver = new Receiver(client, log);
  const url = await receiver.start(o.receivePort ?? 0, o.receiveHost ?? '127.0.0.1');
  const set = await client.setReceiveUrl(url);
  log(`2. receiver listening at ${url}; receive URL set through the admin API: HTTP ${set}`);
  if (set !== 200) {
    await receiver.stop();
    return err(`the admin API refused the receive URL: HTTP ${set}`);
  }
  log('3. SR 1.6 (Credit) in two halves:');
  const flow = await client.critical(o.device, '1.6', { kind: 'updatePaymentMode', updatePaymentMode: { kind: 'credit', credit: {} } });
  const synchronous = [flow.transform, flow.send].flatMap((a) => (a?.response === undefined ? [] : [a.response.header.responseCode]));
  if (flow.send?.response?.header.responseCode !== 'I99') {
    return ok({ requestId: flow.requestId, synchronous, final: undefined, receiver, client });
  }
  log('4. waiting for the asynchronous response on the receiver…');
  const final = await receiver.waitFor(flow.requestId, o.timeoutMs ?? 30_000, (r) => r.header.responseCode !== 'I99');
  log(final === undefined ? '   none came in time' : `   ${final.header.responseCode}: done`);
  return ok({ requestId: flow.requestId, synchronous, final, receiver, client });
}
