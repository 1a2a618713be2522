import { assign, setup } from 'xstate';
import type { Instant } from '../../../core/time/duration.ts';
import { HOUR_MS } from '../../../core/time/duration.ts';
import type { RemoteCommand } from '../chf/hub-messages.ts';

/**
 * The Gas Proxy Function: the always-on stand-in for the battery gas meter.
 * // DOMAIN §3.1, §3.2, §3.4
 *
 * - Holds commands for the GSME until it wakes and polls (about every 30
 *   minutes, or at once after a button press), then hands them over in order.
 * - Raises 0x819D GSME Command Not Retrieved, once per command, when one has
 *   waited longer than `collectWithinMs` (UNVERIFIED window, configurable).
 * - Keeps the GSME's mirrored readings, which lag the meter by up to a wake
 *   interval; reads of instantaneous gas values are answered from here.
 *
 * Effects: `handOver` (to the GSME), `alert` (to the CHF), `respond` (mirror reads).
 */
export interface GpfContext {
  readonly id: string;
  readonly gsme: string;
  queue: readonly QueuedCommand[];
  mirror: Mirror | null;
  readonly collectWithinMs: number;
}

export interface QueuedCommand {
  readonly command: RemoteCommand;
  readonly queuedAt: Instant;
  /** 0x819D has been raised for it. */
  readonly alerted: boolean;
}

/** The GSME's last report: register values by name, and when the meter pushed them. */
export interface Mirror {
  readonly at: Instant;
  readonly values: Readonly<Record<string, number | string | boolean | null>>;
}

export type GpfEvent =
  | { readonly type: 'command.hold'; readonly now: Instant; readonly command: RemoteCommand }
  | { readonly type: 'gsme.poll'; readonly now: Instant }
  | { readonly type: 'gsme.mirror'; readonly now: Instant; readonly values: Mirror['values'] }
  | { readonly type: 'read.mirror'; readonly now: Instant; readonly ref: string }
  | { readonly type: 'clock.due'; readonly now: Instant };

export interface GpfInput {
  readonly id: string;
  readonly gsme: string;
  readonly collectWithinMs?: number;
}

/** 0x819D GSME Command Not Retrieved. // DOMAIN §3.2 [GBCSP util.ts] */
export const ALERT_GSME_COMMAND_NOT_RETRIEVED = 0x819d;
/** How long a command may wait before 0x819D: a few missed wakes. // DOMAIN §3.4 (UNVERIFIED) */
export const DEFAULT_COLLECT_WITHIN_MS = 2 * HOUR_MS;

const base = setup({
  types: { context: {} as GpfContext, events: {} as GpfEvent, input: {} as GpfInput },
  actions: {
    handOver: (_, _p: { command: RemoteCommand }) => {},
    alert: (_, _p: { device: string; code: number; at: Instant; ref: string }) => {},
    respond: (_, _p: { ref: string; mirror: Mirror | null }) => {},
  },
});

export const gpfMachine = base.createMachine({
  id: 'gpf',
  context: ({ input }) => ({
    id: input.id,
    gsme: input.gsme,
    queue: [],
    mirror: null,
    collectWithinMs: input.collectWithinMs ?? DEFAULT_COLLECT_WITHIN_MS,
  }),
  on: {
    'command.hold': {
      actions: assign({
        queue: ({ context, event }) => [...context.queue, { command: event.command, queuedAt: event.now, alerted: false }],
      }),
    },
    // The GSME pulls what is waiting, oldest first. // DOMAIN §3.2 [HG c/ch.c tunnel "get"]
    'gsme.poll': {
      actions: base.enqueueActions(({ context, enqueue }) => {
        for (const q of context.queue) enqueue({ type: 'handOver', params: { command: q.command } });
        enqueue.assign({ queue: [] });
      }),
    },
    'gsme.mirror': { actions: assign({ mirror: ({ event }) => ({ at: event.now, values: event.values }) }) },
    // DOMAIN §3.1 [SECMP0015]: reads are answered from the mirror, with the time the GSME pushed it.
    'read.mirror': { actions: { type: 'respond', params: ({ context, event }) => ({ ref: event.ref, mirror: context.mirror }) } },
    'clock.due': {
      actions: base.enqueueActions(({ context, event, enqueue }) => {
        let changed = false;
        const queue = context.queue.map((q) => {
          if (q.alerted || event.now < q.queuedAt + context.collectWithinMs) return q;
          changed = true;
          enqueue({
            type: 'alert',
            params: { device: context.id, code: ALERT_GSME_COMMAND_NOT_RETRIEVED, at: event.now, ref: q.command.ref },
          });
          return { ...q, alerted: true };
        });
        if (changed) enqueue.assign({ queue });
      }),
    },
  },
});

/** The next instant a held command runs out of time (Infinity if none): schedule `clock.due` then. */
export function gpfDue(c: GpfContext): Instant {
  let due = Infinity;
  for (const q of c.queue) if (!q.alerted && q.queuedAt + c.collectWithinMs < due) due = q.queuedAt + c.collectWithinMs;
  return due;
}

export type GpfMachine = typeof gpfMachine;
