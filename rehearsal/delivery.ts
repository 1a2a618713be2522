import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { fieldError, type FieldError } from '../core/errors.ts';
import { err, ok, type Result } from '../core/result.ts';
import type { Instant } from '../core/time/duration.ts';
import type { DspOutput } from '../dsp/dsp-outputs.ts';
import { jsonSafe } from './http-server.ts';

/**
 * Outbound delivery of the DSP's asynchronous responses and alerts to each
 * User's Receive Response Service URL, as the DCC POSTs them. // DOMAIN §4.1, §4.3
 *
 * Per User, one queue in the order the DSP produced the outputs, one POST in
 * flight at a time: the next output goes only once the one before was
 * delivered (a 2xx answer) or given up. A failed attempt (no connection, a
 * time-out, any other status) is tried again after an exponential backoff,
 * up to `maxAttempts`. Every attempt is recorded: when, where, which attempt,
 * the status and the outcome.
 *
 * Retries run on the wall clock: the receiver is a real system on a real
 * network, whatever the pace of the twin's virtual time.
 */

/** An output a User receives: a response or an alert. */
export type UserOutput = Extract<DspOutput, { readonly kind: 'response' | 'dccAlert' | 'deviceAlert' }>;

/** What is POSTed for an output. */
export interface Encoded {
  readonly contentType: string;
  readonly body: string;
}

/** Turns an output, produced at virtual instant `virtualAt`, into the body that is POSTed (`duisXmlEncoder` plugs in here). */
export type OutputEncoder = (output: UserOutput, virtualAt: Instant) => Encoded;

/** How failed attempts are tried again. */
export interface RetryPolicy {
  /** Attempts per output, the first included. Default 6. */
  readonly maxAttempts: number;
  /** Wait before the second attempt, in wall ms; each later wait doubles. Default 500. */
  readonly firstDelayMs: number;
  /** The longest wait between attempts, in wall ms. Default 30 000. */
  readonly maxDelayMs: number;
  /** How long one attempt may take, in wall ms, before it counts as failed. Default 10 000. */
  readonly timeoutMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 6, firstDelayMs: 500, maxDelayMs: 30_000, timeoutMs: 10_000 };

/** One delivery attempt. */
export interface DeliveryRecord {
  /** Position among all records, from 1. */
  readonly seq: number;
  /** The output's number among all outputs queued, from 1: every attempt at one output has the same. */
  readonly output: number;
  readonly user: string;
  readonly kind: UserOutput['kind'];
  /** The RequestID the output answers, or null. */
  readonly requestId: string | null;
  /** The response or alert code. */
  readonly code: string;
  /** The virtual instant the DSP produced the output. */
  readonly virtualAt: string;
  /** The wall-clock instant of the attempt. */
  readonly at: string;
  readonly url: string;
  readonly attempt: number;
  /** The HTTP status the receiver answered, or null when none came (no connection, time-out). */
  readonly status: number | null;
  /** `delivered`: a 2xx answer; `retrying`: failed, tried again later; `gave-up`: failed and no attempts left. */
  readonly outcome: 'delivered' | 'retrying' | 'gave-up';
  /** Why an attempt failed, or null. */
  readonly error: string | null;
}

/** Counts per User. */
export interface DeliveryCounts {
  readonly queued: number;
  readonly delivered: number;
  readonly failedAttempts: number;
  readonly gaveUp: number;
  /** Outputs for the User while it had no URL: not delivered anywhere (they stay in the twin's inbox). */
  readonly withoutUrl: number;
}

/** POSTs one body; resolves with the HTTP status or rejects (no connection, time-out). */
export type Poster = (url: string, encoded: Encoded, timeoutMs: number) => Promise<number>;

/** Wall-clock time and timers for retries, injectable for tests. */
export interface DeliveryWall {
  /** Epoch milliseconds, for the records. */
  now(): number;
  setTimer(fn: () => void, ms: number): () => void;
}

export interface DeliveryOptions {
  /** Default `jsonEncoder`. */
  readonly encode?: OutputEncoder;
  readonly retry?: Partial<RetryPolicy>;
  /** Default node:http / node:https. */
  readonly post?: Poster;
  /** Default `Date.now` and `setTimeout`. */
  readonly wall?: DeliveryWall;
  /** Records kept, newest last; older ones are dropped. Default 10 000. */
  readonly maxRecords?: number;
  /** Hears each record as it is made. */
  readonly onRecord?: (r: DeliveryRecord) => void;
}

/** A queued output: what each of its records repeats, and what its attempts need. */
interface Item extends Pick<DeliveryRecord, 'output' | 'user' | 'kind' | 'requestId' | 'code' | 'virtualAt'> {
  /** Encoded at its first attempt, not when queued: whoever produced the output (a DUIS call) answers first. */
  readonly value: UserOutput;
  readonly producedAt: Instant;
  encoded: Encoded | null;
  attempts: number;
}

interface UserQueue {
  url: string | null;
  readonly items: Item[];
  busy: boolean;
  cancelRetry: (() => void) | null;
  delivered: number;
  failedAttempts: number;
  gaveUp: number;
  withoutUrl: number;
}

/** The default encoder: the output as JSON (bigints as strings, bytes as hex). */
export const jsonEncoder: OutputEncoder = (o) => ({ contentType: 'application/json; charset=utf-8', body: JSON.stringify(o, jsonSafe) });

/** A Receive Response Service URL: absolute http or https. */
export function parseReceiveUrl(raw: unknown, path: string): Result<string, FieldError> {
  if (typeof raw !== 'string') return err(fieldError(path, 'type', 'an http:// or https:// URL', raw));
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    return err(fieldError(path, 'format', 'an http:// or https:// URL', raw));
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return err(fieldError(path, 'format', 'an http:// or https:// URL', raw));
  return ok(u.href);
}

export class Delivery {
  private readonly encode: OutputEncoder;
  private readonly retry: RetryPolicy;
  private readonly post: Poster;
  private readonly wall: DeliveryWall;
  private readonly maxRecords: number;
  private readonly onRecord: ((r: DeliveryRecord) => void) | undefined;
  private readonly queues = new Map<string, UserQueue>();
  private readonly log: DeliveryRecord[] = [];
  private outputs = 0;
  private seq = 0;
  private stopped = false;
  private idleWaiters: (() => void)[] = [];

  constructor(options: DeliveryOptions = {}) {
    this.encode = options.encode ?? jsonEncoder;
    this.retry = { ...DEFAULT_RETRY, ...options.retry };
    const r = this.retry;
    if (!(Number.isInteger(r.maxAttempts) && r.maxAttempts >= 1))
      throw new RangeError(`Delivery: maxAttempts must be ≥ 1, got ${r.maxAttempts}`);
    for (const k of ['firstDelayMs', 'maxDelayMs', 'timeoutMs'] as const) {
      if (!(Number.isFinite(r[k]) && r[k] >= 0)) throw new RangeError(`Delivery: ${k} must be ≥ 0, got ${r[k]}`);
    }
    this.post = options.post ?? postWithNode;
    this.wall = options.wall ?? {
      now: () => Date.now(),
      setTimer: (fn, ms) => {
        const t = setTimeout(fn, ms);
        return () => clearTimeout(t);
      },
    };
    this.maxRecords = options.maxRecords ?? 10_000;
    this.onRecord = options.onRecord;
  }

  /** Sets (or clears, with null) a User's Receive Response Service URL; outputs waiting for it go out from now on. */
  setUrl(user: string, url: string | null): void {
    const q = this.queueOf(user);
    q.url = url;
    this.pump(q);
  }

  urlOf(user: string): string | null {
    return this.queues.get(user)?.url ?? null;
  }

  /** Every User with a URL or with something queued or counted. */
  users(): readonly { readonly user: string; readonly url: string | null; readonly counts: DeliveryCounts }[] {
    return [...this.queues.entries()].map(([user, q]) => ({ user, url: q.url, counts: countsOf(q) }));
  }

  /**
   * Queues an output for its User, produced at virtual instant `virtualAt`;
   * false (and counted) when the User has no URL. Commands are not for Users: ignored.
   */
  offer(output: DspOutput, virtualAt: Instant): boolean {
    if (output.kind === 'command' || this.stopped) return false;
    const q = this.queueOf(output.to);
    if (q.url === null) {
      q.withoutUrl++;
      return false;
    }
    const head =
      output.kind === 'response'
        ? { requestId: output.response.requestId, code: output.response.responseCode }
        : output.kind === 'dccAlert'
          ? { requestId: output.alert.requestId === '' ? null : output.alert.requestId, code: output.alert.code }
          : { requestId: null, code: `0x${output.alert.code.toString(16).toUpperCase().padStart(4, '0')}` };
    q.items.push({
      output: ++this.outputs,
      user: output.to,
      kind: output.kind,
      ...head,
      virtualAt: new Date(virtualAt).toISOString(),
      value: output,
      producedAt: virtualAt,
      encoded: null,
      attempts: 0,
    });
    // After the code that produced the output has run on: a DUIS handler's synchronous answer goes out first.
    queueMicrotask(() => this.pump(q));
    return true;
  }

  /** The attempts recorded, oldest first; `user` keeps one User's, `limit` the newest so many. */
  records(filter: { readonly user?: string; readonly limit?: number } = {}): readonly DeliveryRecord[] {
    const mine = filter.user === undefined ? this.log : this.log.filter((r) => r.user === filter.user);
    return filter.limit === undefined ? [...mine] : mine.slice(Math.max(0, mine.length - filter.limit));
  }

  /** Outputs queued and not yet delivered or given up (for one User, or all). */
  pending(user?: string): number {
    if (user !== undefined) return this.queues.get(user)?.items.length ?? 0;
    let n = 0;
    for (const q of this.queues.values()) n += q.items.length;
    return n;
  }

  /** Resolves when nothing is queued that can go out (every queue empty, or waiting for a URL), or once stopped. */
  idle(): Promise<void> {
    if (this.stopped || this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Stops: no new attempts, retry timers cancelled. Outputs still queued stay undelivered. */
  stop(): void {
    this.stopped = true;
    for (const q of this.queues.values()) {
      q.cancelRetry?.();
      q.cancelRetry = null;
    }
    this.wakeIdle(true);
  }

  private queueOf(user: string): UserQueue {
    let q = this.queues.get(user);
    if (q === undefined) {
      q = { url: null, items: [], busy: false, cancelRetry: null, delivered: 0, failedAttempts: 0, gaveUp: 0, withoutUrl: 0 };
      this.queues.set(user, q);
    }
    return q;
  }

  /** Starts the next attempt of `q`'s head, unless one is in flight or waiting out its backoff. */
  private pump(q: UserQueue): void {
    if (this.stopped || q.busy || q.cancelRetry !== null) return;
    const item = q.items[0];
    const url = q.url;
    if (item === undefined || url === null) {
      this.wakeIdle(false);
      return;
    }
    q.busy = true;
    item.attempts++;
    const attempt = item.attempts;
    const at = this.wall.now();
    if (item.encoded === null) {
      try {
        item.encoded = this.encode(item.value, item.producedAt);
      } catch (e) {
        // A bug in an encoder: the output cannot go; recorded as given up, and the queue goes on.
        item.attempts = this.retry.maxAttempts;
        queueMicrotask(() => this.settleEncodingFailure(q, item, at, e));
        return;
      }
    }
    const encoded = item.encoded;
    const settle = (status: number | null, error: string | null): void => {
      q.busy = false;
      if (this.stopped) return;
      const delivered = status !== null && status >= 200 && status < 300;
      const last = !delivered && attempt >= this.retry.maxAttempts;
      this.record({
        output: item.output,
        user: item.user,
        kind: item.kind,
        requestId: item.requestId,
        code: item.code,
        virtualAt: item.virtualAt,
        at: new Date(at).toISOString(),
        url,
        attempt,
        status,
        outcome: delivered ? 'delivered' : last ? 'gave-up' : 'retrying',
        error: delivered ? null : (error ?? `HTTP ${status ?? '?'}`),
      });
      if (delivered || last) {
        q.items.shift();
        if (delivered) q.delivered++;
        else q.gaveUp++;
        if (!delivered) q.failedAttempts++;
        this.pump(q);
        return;
      }
      q.failedAttempts++;
      const wait = Math.min(this.retry.maxDelayMs, this.retry.firstDelayMs * 2 ** (attempt - 1));
      q.cancelRetry = this.wall.setTimer(() => {
        q.cancelRetry = null;
        this.pump(q);
      }, wait);
    };
    this.post(url, encoded, this.retry.timeoutMs).then(
      (status) => settle(status, null),
      (e: unknown) => settle(null, e instanceof Error ? e.message : String(e)),
    );
  }

  private settleEncodingFailure(q: UserQueue, item: Item, at: number, e: unknown): void {
    q.busy = false;
    if (this.stopped) return;
    this.record({
      output: item.output,
      user: item.user,
      kind: item.kind,
      requestId: item.requestId,
      code: item.code,
      virtualAt: item.virtualAt,
      at: new Date(at).toISOString(),
      url: q.url ?? '',
      attempt: item.attempts,
      status: null,
      outcome: 'gave-up',
      error: `cannot encode: ${e instanceof Error ? e.message : String(e)}`,
    });
    q.items.shift();
    q.gaveUp++;
    q.failedAttempts++;
    this.pump(q);
  }

  private record(r: Omit<DeliveryRecord, 'seq'>): void {
    const full: DeliveryRecord = { seq: ++this.seq, ...r };
    this.log.push(full);
    if (this.log.length > this.maxRecords) this.log.splice(0, this.log.length - this.maxRecords);
    this.onRecord?.(full);
  }

  private isIdle(): boolean {
    for (const q of this.queues.values()) if (q.busy || q.cancelRetry !== null || (q.items.length > 0 && q.url !== null)) return false;
    return true;
  }

  private wakeIdle(force: boolean): void {
    if (this.idleWaiters.length === 0 || !(force || this.isIdle())) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }
}

function countsOf(q: UserQueue): DeliveryCounts {
  return { queued: q.items.length, delivered: q.delivered, failedAttempts: q.failedAttempts, gaveUp: q.gaveUp, withoutUrl: q.withoutUrl };
}

/** POSTs with node:http(s), without keep-alive, so stopping leaves no socket open. */
export const postWithNode: Poster = (url, encoded, timeoutMs) =>
  new Promise<number>((resolve, reject) => {
    const u = new URL(url);
    const send = u.protocol === 'https:' ? httpsRequest : httpRequest;
    const body = Buffer.from(encoded.body, 'utf8');
    const req = send(
      u,
      { method: 'POST', agent: false, headers: { 'content-type': encoded.contentType, 'content-length': body.length }, timeout: timeoutMs },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(body);
  });
