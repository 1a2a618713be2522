import type { IncomingHttpHeaders } from 'node:http';
import type { Eui64 } from '../core/ids.ts';
import type { Instant } from '../core/time/duration.ts';
import type { DspOutput } from '../dsp/dsp-outputs.ts';
import type { ServiceRequest } from '../proto/types.ts';
import type { SolrWorld } from '../scenarios/runner/solr-world.ts';
import { fail, type HttpReply, type Route } from './http-server.ts';
import type { PacedClock } from './paced-clock.ts';

/**
 * The slot for the three DUIS web services a User's own client calls. // DOMAIN §4.1
 *
 * - Send Command Service, `POST /api/v1/serviceS` (CV 1, 3, 5, 7)
 * - Transform Service, `POST /api/v1/serviceT` (CV 4: the Pre-Command, synchronously)
 * - Non-Device Service, `POST /api/v1/serviceD` (CV 2, 6, 8)
 *
 * A handler gets the raw body and the world at the paced instant (it runs
 * inside `PacedClock.inject`) and answers synchronously. The DUIS XML
 * handlers (`duis-handlers.ts`) are the default; a service given no handler
 * answers 501.
 */

/** The three services, by the last letter of their path. */
export const DUIS_SERVICES = ['serviceS', 'serviceT', 'serviceD'] as const;
export type DuisService = (typeof DUIS_SERVICES)[number];

/** What a DUIS handler sees of the twin: the paced instant and the world, for the length of one call. */
export interface DuisContext {
  /** The paced virtual instant the request arrived at. */
  readonly now: Instant;
  readonly world: SolrWorld;
  /** The HTTP request's headers (SOAPAction and the like, if a handler wants them). */
  readonly headers: IncomingHttpHeaders;
  /**
   * Submits a parsed request from `sender` (the User its XML signature names)
   * through the world's edge to the DSP — where a scenario's faults act: a
   * DSP outage holds it, a message loss loses it (`SolrWorld.submit`) — and
   * sends the DSP's outputs on: commands to the meters, responses and alerts
   * to the Users' inboxes and Receive Response Service URLs, except those
   * `inline` selects among the DSP's own outputs for this request, which the
   * handler answers in its HTTP reply (the synchronous I99, E-code or
   * Pre-Command). Outputs that follow from them within the same instant (a
   * meter answering at once: the final I0) are not selected and go on as
   * asynchronous responses.
   */
  submit(sender: Eui64, request: ServiceRequest, inline?: (o: DspOutput) => boolean): Submitted;
}

/**
 * What became of a submitted request: `handled` now (with the DSP's outputs
 * for it), `held` at the DSP's edge while the DSP is unreachable (handled when
 * it is back; its outputs then go to the Receive Response Service URL), or
 * `lost` on its way in (the DSP never saw it).
 */
export type Submitted =
  | { readonly kind: 'handled'; readonly outputs: readonly DspOutput[] }
  | { readonly kind: 'held' }
  | { readonly kind: 'lost' };

/** The HTTP answer of a DUIS call. */
export interface DuisReply {
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
}

/** A DUIS web service: the raw body (XML text) in, the synchronous answer out. */
export type DuisHandler = (body: string, ctx: DuisContext) => DuisReply;

export type DuisHandlers = Partial<Readonly<Record<DuisService, DuisHandler>>>;

/** The services' paths. */
export const duisPath = (service: DuisService): string => `/api/v1/${service}`;

/**
 * The three DUIS routes. Each runs its handler at the paced instant, with
 * `submit` marking the outputs it answers inline so delivery skips them.
 */
export function duisRoutes(
  handlers: DuisHandlers,
  paced: PacedClock,
  world: SolrWorld,
  answeredInline: (o: DspOutput) => void,
): readonly Route[] {
  return DUIS_SERVICES.map(
    (service): Route => ({
      method: 'POST',
      path: duisPath(service),
      body: 'text',
      handle: (req): HttpReply => {
        const handler = handlers[service];
        if (handler === undefined) {
          return fail(501, {
            code: 'not-implemented',
            path: duisPath(service),
            expected: 'a DUIS XML request to a twin with the DUIS XML layer wired in (docs/duis-xml.md)',
            got: `no handler for the ${service} web service in this build of the twin`,
          });
        }
        const reply = paced.inject((now) =>
          handler(req.body, {
            now,
            world,
            headers: req.headers,
            submit: (sender, request, inline): Submitted => {
              let outputs: readonly DspOutput[] = [];
              // Only while this call lasts: a request held for an unreachable DSP is answered later, and all of it is POSTed.
              let answering = true;
              const fate = world.submit(sender, request, undefined, {
                before: (out) => {
                  if (!answering) return;
                  outputs = out;
                  if (inline !== undefined) for (const o of out) if (inline(o)) answeredInline(o);
                },
              });
              answering = false;
              return fate === 'handled' ? { kind: 'handled', outputs } : { kind: fate };
            },
          }),
        );
        return { status: reply.status, contentType: reply.contentType, body: reply.body };
      },
    }),
  );
}
