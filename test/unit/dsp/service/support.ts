import { expect } from 'vitest';
import type { Eui64 } from '../../../../core/ids.ts';
import { DAY_MS, type Instant } from '../../../../core/time/duration.ts';
import { SRV_CATALOGUE, type SrvEntry } from '../../../../dsp/access/srv-catalogue.ts';
import type { DspOutput } from '../../../../dsp/dsp-outputs.ts';
import type { Dsp } from '../../../../dsp/dsp-service.ts';
import { SRP, SUPPLIER_A, type SampleWorld } from '../../../../dsp/sample-world.ts';
import { REMOTE_PARTY_ROLE } from '../../../../dsp/smki/certificate.ts';
import { createFastSigner, type Signer } from '../../../../dsp/smki/signature.ts';
import type { Credential } from '../../../../dsp/smki/smki.ts';
import { BODY_SRV } from '../../../../dsp/transform.ts';
import type { DuisUser } from '../../../../dsp/user/duis-user.ts';
import type { HanCommand, ServiceRequest, ServiceRequestBody, ServiceResponse } from '../../../../proto/types.ts';

/** Helpers shared by the DSP service tests: request bodies, output filters, the SoLR set-up and the critical flow. */

/** SR 1.6 to Credit: the one content the SoLR Contingency role may send. // MP134B req 5 */
export const CREDIT: ServiceRequestBody = { kind: 'updatePaymentMode', updatePaymentMode: { kind: 'credit', credit: {} } };

/** SR 1.6 to Prepayment. */
export const PREPAYMENT: ServiceRequestBody = {
  kind: 'updatePaymentMode',
  updatePaymentMode: {
    kind: 'prepayment',
    prepayment: { disablementThreshold: 0, suspendDebtDisabled: false, suspendDebtEmergency: false },
  },
};

/** A body the twin does not model. */
export const OPAQUE: ServiceRequestBody = { kind: 'opaque', opaque: new Uint8Array([1, 2, 3]) };

/** Everything valid from the epoch to the end of 9999. */
export const FOREVER = { notBefore: 0, notAfter: Date.UTC(9999, 11, 31) };

/** The SRV of every modelled body kind, reversed: the body to send for an SRV. */
const BODY_OF_SRV: ReadonlyMap<string, ServiceRequestBody> = new Map(
  Object.entries(BODY_SRV).map(([kind, srv]): [string, ServiceRequestBody] => {
    switch (kind) {
      case 'updatePaymentMode':
        return [srv, CREDIT];
      case 'topUpDevice':
        return [srv, { kind: 'topUpDevice', topUpDevice: { utrn: '12345678901234567890' } }];
      default:
        return [srv, { kind, [kind]: {} } as ServiceRequestBody];
    }
  }),
);

/** A body that belongs to `srv`: its modelled body (Credit for 1.6), or an opaque one. */
export function bodyFor(srv: string): ServiceRequestBody {
  return BODY_OF_SRV.get(srv) ?? OPAQUE;
}

/** Whether `srv` has a modelled body. */
export const modelled = (srv: string): boolean => BODY_OF_SRV.has(srv);

/** The catalogue row of an SRV. */
export function entryOf(srv: string): SrvEntry {
  const e = SRV_CATALOGUE.find((x) => x.srv === srv);
  if (e === undefined) throw new Error(`no SRV ${srv} in the catalogue`);
  return e;
}

export const responses = (out: readonly DspOutput[]): ServiceResponse[] => out.flatMap((o) => (o.kind === 'response' ? [o.response] : []));
export const codes = (out: readonly DspOutput[]): string[] => responses(out).map((r) => r.responseCode);
export const commands = (out: readonly DspOutput[]): Extract<DspOutput, { kind: 'command' }>[] =>
  out.flatMap((o) => (o.kind === 'command' ? [o] : []));
export const dccAlerts = (out: readonly DspOutput[]): Extract<DspOutput, { kind: 'dccAlert' }>[] =>
  out.flatMap((o) => (o.kind === 'dccAlert' ? [o] : []));

/** The one response code of `out`; fails the test when there is not exactly one response. */
export function onlyCode(out: readonly DspOutput[]): string {
  const c = codes(out);
  expect(c, `expected one response, got ${JSON.stringify(c)}`).toHaveLength(1);
  return c[0] as string;
}

/** Whether a device command changes the payment mode to Credit. */
export const isCreditCommand = (c: HanCommand): boolean => c.kind === 'modeSet' && c.modeSet.kind === 'credit';

/** A signer over a credential's key. */
export const signerOf = (c: Credential): Signer => createFastSigner({ privateKey: c.privateKey, publicKey: c.certificate.publicKey });

/** A Digital-Signing credential the SRP owns itself: what MP134B req 2 says the role may not use. */
export function srpOwnSigning(w: SampleWorld): Credential {
  return w.smki.issueOrganisation(SRP, REMOTE_PARTY_ROLE.supplier, 'digitalSigning', FOREVER);
}

/**
 * CV 5/6/7 of `transformed` carrying `preCommand` signed by `sign` (any key), with `user`'s XML
 * signature: what `DuisUser.signedSend` does, with the signing key chosen by the test.
 */
export function signedSendWith(
  user: DuisUser,
  transformed: ServiceRequest,
  preCommand: Uint8Array,
  cv: number,
  sign: Signer,
): ServiceRequest {
  return user.sign({
    header: { ...transformed.header, commandVariant: cv },
    kind: 'signedPreCommand',
    signedPreCommand: { command: preCommand, signature: sign(preCommand) },
  });
}

/**
 * The SoLR situation from `at`: supplier A on the failed list, the SRP appointed for it and an
 * Authority instruction standing; with `adtLimit`, an ADT file letting the SRP send that many 1.6
 * requests a day.
 */
export function solrReady(
  w: SampleWorld,
  at: Instant,
  options: { readonly adtLimit?: number; readonly srvs?: readonly string[] } = {},
): void {
  w.dsp.admin.setFailedSupplier(SUPPLIER_A, true, at);
  w.dsp.admin.appointSrp(SRP, SUPPLIER_A, at);
  w.dsp.admin.instruct('AUTH-1', SUPPLIER_A, SRP, at);
  if (options.adtLimit !== undefined) allowAdt(w.dsp, at, options.adtLimit, options.srvs);
}

/** Uploads the SRP's ADT file: `limit` requests a day for each SRV (1.6 by default). */
export function allowAdt(dsp: Dsp, at: Instant, limit: number, srvs: readonly string[] = ['1.6']): void {
  const r = dsp.admin.uploadAdt(
    { user: SRP, role: 'SoLRContingency', thresholds: srvs.map((srv) => ({ srv, limit, periodMs: DAY_MS })) },
    at,
  );
  expect(r.ok).toBe(true);
}

/** The outputs of a critical request's two halves. */
export interface CriticalRun {
  readonly transform: DspOutput[];
  /** Undefined when the transform returned no Pre-Command. */
  readonly send: DspOutput[] | undefined;
  readonly cv4: ServiceRequest;
  /** The CV 5/6/7 request, when one was sent. */
  readonly signed: ServiceRequest | undefined;
}

/**
 * A critical request from `user`: CV 4 at `at`, then, if a Pre-Command came back, CV `cv` with it
 * signed by `sign` (the user's own Digital-Signing key by default) at `at`.
 */
export function critical(
  dsp: Dsp,
  user: DuisUser,
  target: Eui64,
  body: ServiceRequestBody,
  at: Instant,
  options: { readonly cv?: 5 | 6 | 7; readonly srv?: string; readonly sign?: Signer } = {},
): CriticalRun {
  const cv4 = user.request(target, options.srv ?? '1.6', 4, body);
  const transform = dsp.submit(user.id, cv4, at);
  const pre = responses(transform)[0]?.preCommand;
  if (pre === undefined) return { transform, send: undefined, cv4, signed: undefined };
  const cv = options.cv ?? 5;
  const signed = options.sign === undefined ? user.signedSend(cv4, pre, cv) : signedSendWith(user, cv4, pre, cv, options.sign);
  return { transform, send: dsp.submit(user.id, signed, at), cv4, signed };
}

/** A year: far enough for every device deadline, quarantine hold and SRP window to pass. */
export const FAR = 365 * DAY_MS;
