/**
 * The MQTT adapter's opt-in reconnect mode (`MqttBusOptions.reconnect`): the
 * backoff between attempts and the error a call gets while the connection is down.
 *
 * Off by default: the bus contract's client has a clean session and no
 * automatic reconnect, so a dropped connection ends its handle. With it on, a
 * dropped connection leaves the handle open: the adapter dials again with
 * exponential backoff, and when the broker accepts the connection it sends
 * every live subscription again (a clean session always comes back without
 * one, CONNACK sessionPresent = 0) before the client counts as connected.
 */

/** How a client reconnects after its connection drops. */
export interface ReconnectOptions {
  /** The wait before the first attempt, in ms; it doubles after each failed attempt. */
  readonly initialDelayMs: number;
  /** The longest wait between two attempts, in ms. */
  readonly maxDelayMs: number;
}

/**
 * Thrown (as a rejection) by `publish` and `subscribe` while a reconnecting
 * client is not connected. Nothing is queued: a message published while the
 * connection is down is not sent, and the caller decides whether to retry.
 */
export class BusDisconnectedError extends Error {
  readonly clientId: string;
  constructor(method: string, clientId: string) {
    super(`Bus.${method} (${clientId}): not connected to the broker (reconnecting); nothing was sent`);
    this.name = 'BusDisconnectedError';
    this.clientId = clientId;
  }
}

/** @throws RangeError when the delays are not finite, positive and in order. */
export function checkReconnectOptions(options: ReconnectOptions): ReconnectOptions {
  const { initialDelayMs, maxDelayMs } = options;
  if (!Number.isFinite(initialDelayMs) || initialDelayMs <= 0)
    throw new RangeError(`MqttBusFactory: reconnect.initialDelayMs must be a positive number of ms, got ${initialDelayMs}`);
  if (!Number.isFinite(maxDelayMs) || maxDelayMs < initialDelayMs)
    throw new RangeError(`MqttBusFactory: reconnect.maxDelayMs must be at least initialDelayMs, got ${maxDelayMs}`);
  return { initialDelayMs, maxDelayMs };
}

/** The wait before attempt `attempt` (0 first): initialDelayMs · 2^attempt, capped at maxDelayMs. */
export function backoffDelay(options: ReconnectOptions, attempt: number): number {
  return Math.min(options.maxDelayMs, options.initialDelayMs * 2 ** Math.min(attempt, 30));
}

/** A wait that `cancel` cuts short (it then resolves at once). */
export function cancellableDelay(ms: number): { readonly done: Promise<void>; cancel(): void } {
  let timer: NodeJS.Timeout | undefined;
  let finish: () => void = () => {};
  const done = new Promise<void>((resolve) => {
    finish = resolve;
    timer = setTimeout(resolve, ms);
  });
  return {
    done,
    cancel: () => {
      clearTimeout(timer);
      finish();
    },
  };
}
