import { assign, setup } from 'xstate';
import type { Money } from '../../../core/money.ts';
import type { Instant } from '../../../core/time/duration.ts';
import type { Fuel } from '../common/meter-config.ts';
import type { MeterEvent, PaymentMode, SupplyState } from '../common/meter-types.ts';

/**
 * The prepayment interface device in the home: shows each meter's credit and
 * any emergency-credit offer, takes UTRNs and emergency-credit requests for
 * either fuel, and can re-enable an armed *electricity* supply — never gas.
 * // DOMAIN §2.1, §1.5 [MAP PECS01–03, PCS01–02]
 *
 * It holds no credit itself: it forwards consumer actions to the meter it is
 * paired with (a named `forward` effect the HAN carries) and tells the consumer
 * what it cannot do (`show`).
 */
export interface PpmidContext {
  readonly id: string;
  meters: Partial<Record<Fuel, string>>;
  display: Partial<Record<Fuel, MeterDisplay>>;
}

/** What the PPMID last heard from a meter. */
export interface MeterDisplay {
  readonly at: Instant;
  readonly credit: Money;
  readonly ecOffered: boolean;
  readonly ecInUse: boolean;
  readonly supply: SupplyState;
  readonly mode: PaymentMode;
}

export type PpmidEvent =
  /** Pair with a meter on the HAN (SR 8.7.x pair-wise join). // DOMAIN §2.1 */
  | { readonly type: 'han.join'; readonly now: Instant; readonly fuel: Fuel; readonly meterId: string }
  | { readonly type: 'han.unjoin'; readonly now: Instant; readonly fuel: Fuel }
  | ({ readonly type: 'display.update'; readonly now: Instant; readonly fuel: Fuel } & Omit<MeterDisplay, 'at'>)
  | { readonly type: 'consumer.utrn'; readonly now: Instant; readonly fuel: Fuel; readonly utrn: string }
  | { readonly type: 'consumer.emergencyCredit'; readonly now: Instant; readonly fuel: Fuel }
  | { readonly type: 'consumer.enable'; readonly now: Instant; readonly fuel: Fuel };

/** Effect: a meter event for the paired meter of `fuel`. */
export interface ForwardParams {
  readonly fuel: Fuel;
  readonly meterId: string;
  readonly event: MeterEvent;
}

export type PpmidMessage = 'no-meter-paired' | 'enable-gas-at-the-meter';

export interface PpmidInput {
  readonly id: string;
}

const base = setup({
  types: { context: {} as PpmidContext, events: {} as PpmidEvent, input: {} as PpmidInput },
  actions: {
    /** Effect: the HAN carries a command to a meter. */
    forward: (_, _params: ForwardParams) => {},
    /** Effect: a message on the screen. */
    show: (_, _params: { message: PpmidMessage; fuel: Fuel }) => {},
  },
  guards: {
    pairedFor: ({ context, event }) => 'fuel' in event && context.meters[event.fuel] !== undefined,
    isGas: ({ event }) => 'fuel' in event && event.fuel === 'gas',
  },
});

/** The meter command a consumer action on the PPMID becomes. // DOMAIN §2.1 [MAP PECS01–03, PCS01–02] */
function toMeterEvent(e: PpmidEvent): MeterEvent | null {
  switch (e.type) {
    case 'consumer.utrn':
      return { type: 'credit.utrn', now: e.now, utrn: e.utrn, via: 'ppmid' };
    case 'consumer.emergencyCredit':
      return { type: 'ec.activate', now: e.now, via: 'ppmid' };
    case 'consumer.enable':
      return { type: 'supply.enableLocal', now: e.now, via: 'ppmid' };
    default:
      return null;
  }
}

const forwardToMeter = base.enqueueActions(({ context, event, enqueue }) => {
  const meterEvent = toMeterEvent(event);
  const meterId = 'fuel' in event ? context.meters[event.fuel] : undefined;
  if (meterEvent !== null && meterId !== undefined && 'fuel' in event)
    enqueue({ type: 'forward', params: { fuel: event.fuel, meterId, event: meterEvent } });
});
const noMeter = base.enqueueActions(({ event, enqueue }) => {
  if ('fuel' in event) enqueue({ type: 'show', params: { message: 'no-meter-paired', fuel: event.fuel } });
});
/** A consumer action reaches the paired meter of its fuel, or the screen says there is none. */
const toPairedMeter = [{ guard: 'pairedFor' as const, actions: forwardToMeter }, { actions: noMeter }];

export const ppmidMachine = base.createMachine({
  id: 'ppmid',
  context: ({ input }) => ({ id: input.id, meters: {}, display: {} }),
  initial: 'unpaired',
  on: {
    'han.join': {
      target: '.paired',
      actions: assign({ meters: ({ context, event }) => ({ ...context.meters, [event.fuel]: event.meterId }) }),
    },
  },
  states: {
    unpaired: {
      on: {
        'consumer.utrn': { actions: noMeter },
        'consumer.emergencyCredit': { actions: noMeter },
        'consumer.enable': { actions: noMeter },
      },
    },
    paired: {
      on: {
        'han.unjoin': [
          {
            guard: ({ context, event }) => Object.keys(context.meters).filter((f) => f !== event.fuel).length === 0,
            target: 'unpaired',
            actions: assign({ meters: () => ({}) }),
          },
          {
            actions: assign({
              meters: ({ context, event }) => {
                const { [event.fuel]: _gone, ...rest } = context.meters;
                return rest;
              },
            }),
          },
        ],
        'display.update': {
          actions: assign({
            display: ({ context, event }) => {
              const { type: _t, fuel, now, ...shown } = event;
              return { ...context.display, [fuel]: { at: now, ...shown } };
            },
          }),
        },
        // PCS01 / PECS01: a UTRN keyed on the PPMID goes to the meter of that fuel. // DOMAIN §2.1
        'consumer.utrn': toPairedMeter,
        // PCS02 / PECS02: select available emergency credit. // DOMAIN §1.7
        'consumer.emergencyCredit': toPairedMeter,
        // PECS03 enables electricity only; gas is turned on at the gas meter. // DOMAIN §1.5
        'consumer.enable': [
          {
            guard: 'isGas',
            actions: { type: 'show', params: () => ({ message: 'enable-gas-at-the-meter' as const, fuel: 'gas' as const }) },
          },
          ...toPairedMeter,
        ],
      },
    },
  },
});

export type PpmidMachine = typeof ppmidMachine;
