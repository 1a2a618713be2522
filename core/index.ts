/**
 * The public API of the pure core: results and field errors, money, virtual
 * time, UK civil time, the seeded random generator and identifiers.
 */
export * from './result.ts';
export * from './errors.ts';
export * from './money.ts';
export * from './time/duration.ts';
export * from './time/event-heap.ts';
export * from './time/virtual-clock.ts';
export * from './time/uk-time.ts';
export * from './rng.ts';
export * from './ids.ts';
