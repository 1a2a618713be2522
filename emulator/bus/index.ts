/**
 * The bus: the port every component talks through, the topic layout, MQTT's
 * topic rules, and the deterministic memory bus on the virtual clock.
 */
export * from './port.ts';
export * from './topics.ts';
export * from './topic-syntax.ts';
export * from './client-id.ts';
export * from './memory-bus.ts';
