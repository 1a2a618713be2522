import { setup, assign } from 'xstate';
import type { Instant } from '../../../core/time/duration.ts';
import type { DeviceAlertMessage, DeviceReply, HanDeviceType, RemoteCommand, UndeliverableReason } from './hub-messages.ts';

/**
 * The Communications Hub Function: the WAN end of a premises and the
 * coordinator of its HAN. // DOMAIN §3.1, §3.2, §3.3
 *
 * - Only devices on its device log may talk (join / unjoin).
 * - Routes WAN commands to HAN devices; commands for the GSME go to the GPF,
 *   which holds them for the sleepy meter.
 * - A command it cannot deliver to the ESME raises 0x8F84.
 * - While the WAN is down, device alerts are queued (bounded; overflow is
 *   counted and reported) and delivered in order when it returns. Replies
 *   that cannot go up are lost: the DSP times out (E21).
 * - Powered from the ESME: off means nothing is routed and the alert queue,
 *   held in RAM, is lost (UNVERIFIED); the device log survives.
 *
 * Effects are named: `toHan`, `toGpf`, `toWan` (alerts and replies),
 * `undeliverable`, `overflowReported`.
 */
export interface ChfContext {
  readonly id: string;
  /** The device log: the HAN whitelist. // DOMAIN §3.1 */
  devices: Readonly<Record<string, HanDeviceType>>;
  /** Devices whose HAN link is down (faults). */
  linkDown: readonly string[];
  queue: readonly DeviceAlertMessage[];
  readonly queueLimit: number;
  overflow: number;
  repliesLost: number;
  droppedFromUnjoined: number;
}

export type ChfEvent =
  | { readonly type: 'han.join'; readonly now: Instant; readonly device: string; readonly deviceType: HanDeviceType }
  | { readonly type: 'han.unjoin'; readonly now: Instant; readonly device: string }
  | { readonly type: 'han.link'; readonly now: Instant; readonly device: string; readonly up: boolean }
  | { readonly type: 'wan.link'; readonly now: Instant; readonly up: boolean }
  | { readonly type: 'power'; readonly now: Instant; readonly on: boolean }
  | { readonly type: 'wan.command'; readonly now: Instant; readonly command: RemoteCommand }
  | { readonly type: 'han.alert'; readonly now: Instant; readonly alert: DeviceAlertMessage }
  | { readonly type: 'han.reply'; readonly now: Instant; readonly reply: DeviceReply };

export interface ChfInput {
  readonly id: string;
  /** Alerts held during a WAN outage before the oldest are kept and new ones counted as overflow. (UNVERIFIED) */
  readonly queueLimit?: number;
}

/** 0x8F84 Failure to Deliver Remote Party Message to ESME. // DOMAIN §3.2 [GBCSP util.ts] */
export const ALERT_UNDELIVERED_TO_ESME = 0x8f84;
export const DEFAULT_ALERT_QUEUE_LIMIT = 100;

export type ToWan = { readonly alert: DeviceAlertMessage } | { readonly reply: DeviceReply };

const base = setup({
  types: { context: {} as ChfContext, events: {} as ChfEvent, input: {} as ChfInput },
  actions: {
    toHan: (_, _p: { device: string; command: RemoteCommand }) => {},
    toGpf: (_, _p: { command: RemoteCommand }) => {},
    toWan: (_, _p: ToWan) => {},
    undeliverable: (_, _p: { ref: string; target: string; reason: UndeliverableReason }) => {},
    overflowReported: (_, _p: { count: number }) => {},
  },
  guards: {
    joined: ({ context, event }) => deviceOf(event) !== null && context.devices[deviceOf(event) ?? ''] !== undefined,
  },
});

function deviceOf(e: ChfEvent): string | null {
  switch (e.type) {
    case 'wan.command':
      return e.command.target;
    case 'han.alert':
      return e.alert.device;
    case 'han.reply':
      return e.reply.device;
    default:
      return null;
  }
}

/** Passes a WAN command to its device, or says why it cannot. */
const route = base.enqueueActions(({ context, event, enqueue }) => {
  if (event.type !== 'wan.command') return;
  const { command } = event;
  const type = context.devices[command.target];
  if (type === undefined) {
    enqueue({ type: 'undeliverable', params: { ref: command.ref, target: command.target, reason: 'not-joined' } });
  } else if (type === 'GSME') {
    enqueue({ type: 'toGpf', params: { command } }); // DOMAIN §3.2: the GPF holds commands for the sleepy GSME
  } else if (context.linkDown.includes(command.target)) {
    enqueue({ type: 'undeliverable', params: { ref: command.ref, target: command.target, reason: 'han-link-down' } });
    if (type === 'ESME') {
      const alert = { device: context.id, code: ALERT_UNDELIVERED_TO_ESME, at: event.now };
      enqueue({ type: 'toWan', params: { alert } });
    }
  } else {
    enqueue({ type: 'toHan', params: { device: command.target, command } });
  }
});

/** The same, with the WAN down: the hub's own 0x8F84 is queued like any alert. */
const routeWanDown = base.enqueueActions(({ context, event, enqueue }) => {
  if (event.type !== 'wan.command') return;
  const { command } = event;
  const type = context.devices[command.target];
  if (type === 'ESME' && context.linkDown.includes(command.target)) {
    enqueue({ type: 'undeliverable', params: { ref: command.ref, target: command.target, reason: 'han-link-down' } });
    enqueue.assign(enqueueAlert(context, { device: context.id, code: ALERT_UNDELIVERED_TO_ESME, at: event.now }));
  }
});

function enqueueAlert(c: ChfContext, alert: DeviceAlertMessage): Partial<ChfContext> {
  return c.queue.length < c.queueLimit ? { queue: [...c.queue, alert] } : { overflow: c.overflow + 1 };
}

const countUnjoined = base.assign({ droppedFromUnjoined: ({ context }) => context.droppedFromUnjoined + 1 });

export const chfMachine = base.createMachine({
  id: 'chf',
  context: ({ input }) => ({
    id: input.id,
    devices: {},
    linkDown: [],
    queue: [],
    queueLimit: input.queueLimit ?? DEFAULT_ALERT_QUEUE_LIMIT,
    overflow: 0,
    repliesLost: 0,
    droppedFromUnjoined: 0,
  }),
  initial: 'on',
  on: {
    // The device log and link states are kept however the hub is powered. // DOMAIN §3.1 (CCS01/CCS02)
    'han.join': { actions: assign({ devices: ({ context, event }) => ({ ...context.devices, [event.device]: event.deviceType }) }) },
    'han.unjoin': {
      actions: assign({
        devices: ({ context, event }) => Object.fromEntries(Object.entries(context.devices).filter(([d]) => d !== event.device)),
      }),
    },
    'han.link': {
      actions: assign({
        linkDown: ({ context, event }) =>
          event.up
            ? context.linkDown.filter((d) => d !== event.device)
            : [...context.linkDown.filter((d) => d !== event.device), event.device],
      }),
    },
  },
  states: {
    on: {
      initial: 'wanUp',
      on: { power: { guard: ({ event }) => !event.on, target: 'off' } },
      states: {
        wanUp: {
          on: {
            'wan.link': { guard: ({ event }) => !event.up, target: 'wanDown' },
            'wan.command': { actions: route },
            'han.alert': [
              { guard: 'joined', actions: { type: 'toWan', params: ({ event }) => ({ alert: event.alert }) } },
              { actions: countUnjoined },
            ],
            'han.reply': [
              { guard: 'joined', actions: { type: 'toWan', params: ({ event }) => ({ reply: event.reply }) } },
              { actions: countUnjoined },
            ],
          },
        },
        wanDown: {
          // DOMAIN §3.3: alerts wait in the hub and go up in order when the WAN returns.
          on: {
            'wan.link': {
              guard: ({ event }) => event.up,
              target: 'wanUp',
              actions: base.enqueueActions(({ context, enqueue }) => {
                for (const alert of context.queue) enqueue({ type: 'toWan', params: { alert } });
                if (context.overflow > 0) enqueue({ type: 'overflowReported', params: { count: context.overflow } });
                enqueue.assign({ queue: [], overflow: 0 });
              }),
            },
            // Commands do not arrive while the WAN is down; only the hub's own failures matter here.
            'wan.command': { actions: routeWanDown },
            'han.alert': [
              { guard: 'joined', actions: assign(({ context, event }) => enqueueAlert(context, event.alert)) },
              { actions: countUnjoined },
            ],
            'han.reply': [
              { guard: 'joined', actions: assign({ repliesLost: ({ context }) => context.repliesLost + 1 }) },
              { actions: countUnjoined },
            ],
          },
        },
      },
    },
    off: {
      entry: assign({ queue: () => [], overflow: () => 0 }),
      on: {
        power: { guard: ({ event }) => event.on, target: 'on' },
        'wan.command': {
          actions: {
            type: 'undeliverable',
            params: ({ event }) => ({ ref: event.command.ref, target: event.command.target, reason: 'hub-off' as const }),
          },
        },
      },
    },
  },
});

export type ChfMachine = typeof chfMachine;
