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

export const ppmidMachine = setup({
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
}).createMachine({
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
        'consumer.utrn': { actions: { type: 'show', params: ({ event }) => ({ message: 'no-meter-paired' as const, fuel: event.fuel }) } },
        'consumer.emergencyCredit': {
          actions: { type: 'show', params: ({ event }) => ({ message: 'no-meter-paired' as const, fuel: event.fuel }) },
        },
        'consumer.enable': {
          actions: { type: 'show', params: ({ event }) => ({ message: 'no-meter-paired' as const, fuel: event.fuel }) },
        },
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
        'consumer.utrn': [
          {
            guard: 'pairedFor',
            actions: {
              type: 'forward',
              params: ({ context, event }) => ({
                fuel: event.fuel,
                meterId: context.meters[event.fuel] ?? '',
                event: { type: 'credit.utrn', now: event.now, utrn: event.utrn, via: 'ppmid' },
              }),
            },
          },
          { actions: { type: 'show', params: ({ event }) => ({ message: 'no-meter-paired' as const, fuel: event.fuel }) } },
        ],
        // PCS02 / PECS02: select available emergency credit. // DOMAIN §1.7
        'consumer.emergencyCredit': [
          {
            guard: 'pairedFor',
            actions: {
              type: 'forward',
              params: ({ context, event }) => ({
                fuel: event.fuel,
                meterId: context.meters[event.fuel] ?? '',
                event: { type: 'ec.activate', now: event.now, via: 'ppmid' },
              }),
            },
          },
          { actions: { type: 'show', params: ({ event }) => ({ message: 'no-meter-paired' as const, fuel: event.fuel }) } },
        ],
        // PECS03 enables electricity only; gas is turned on at the gas meter. // DOMAIN §1.5
        'consumer.enable': [
          {
            guard: 'isGas',
            actions: { type: 'show', params: () => ({ message: 'enable-gas-at-the-meter' as const, fuel: 'gas' as const }) },
          },
          {
            guard: 'pairedFor',
            actions: {
              type: 'forward',
              params: ({ context, event }) => ({
                fuel: event.fuel,
                meterId: context.meters[event.fuel] ?? '',
                event: { type: 'supply.enableLocal', now: event.now, via: 'ppmid' },
              }),
            },
          },
          { actions: { type: 'show', params: ({ event }) => ({ message: 'no-meter-paired' as const, fuel: event.fuel }) } },
        ],
      },
    },
  },
});

export type PpmidMachine = typeof ppmidMachine;
