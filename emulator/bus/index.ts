/**
 * The bus: the port every component talks through, the topic layout, MQTT's
 * topic rules, the deterministic memory bus on the virtual clock, and the
 * network side — the MQTT adapter, the embedded broker and a mosquitto runner,
 * with the brokers' authentication and authorisation — and the connection
 * model: a connection per client, or logical clients multiplexed per shard.
 */
export * from './port.ts';
export * from './topics.ts';
export * from './topic-syntax.ts';
export * from './client-id.ts';
export * from './memory-bus.ts';
export * from './mqtt-bus.ts';
export * from './embedded-broker.ts';
export * from './mosquitto.ts';
export * from './broker-auth.ts';
export * from './mosquitto-acl.ts';
export * from './acl.ts';
export * from './fault-plan.ts';
export * from './faulty-bus.ts';
export * from './multiplexed-bus.ts';
export * from './connection-model.ts';
