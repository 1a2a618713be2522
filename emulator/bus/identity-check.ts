import { fieldError, type FieldError } from '../../core/errors.ts';
import { err, ok, type Result } from '../../core/result.ts';
import { checkClientId } from './client-id.ts';
import type { BusIdentity, QoS } from './port.ts';
import { checkTopicName } from './topic-syntax.ts';

/**
 * The identity and QoS rules every bus applies, in one place, so a bad
 * identity or option fails the same way on the memory bus, over MQTT and
 * through the multiplexer.
 */

/** A will that passed the checks, its payload copied (the caller may reuse its buffer). */
export interface CheckedWill {
  readonly topic: string;
  readonly payload: Uint8Array;
  readonly qos: QoS;
  readonly retain: boolean;
}

/** The client id and the will of an identity, checked. */
export function checkIdentity(identity: BusIdentity): Result<CheckedWill | undefined, FieldError> {
  const id = checkClientId(identity.clientId);
  if (!id.ok) return id;
  const will = identity.will;
  if (will === undefined) return ok(undefined);
  const topic = checkTopicName(will.topic, 'will.topic');
  if (!topic.ok) return topic;
  const qos = checkQos(will.qos, 'will.qos');
  if (!qos.ok) return qos;
  if (!(will.payload instanceof Uint8Array)) return err(fieldError('will.payload', 'type', 'a Uint8Array', will.payload));
  return ok({ topic: will.topic, payload: will.payload.slice(), qos: qos.value, retain: will.retain === true });
}

/** A QoS option: absent or 0 is 0, 1 is 1; anything else is refused. */
export function checkQos(raw: unknown, path: string): Result<QoS, FieldError> {
  if (raw === undefined || raw === 0) return ok(0);
  if (raw === 1) return ok(1);
  return err(fieldError(path, 'range', 'QoS 0 or 1', raw));
}
