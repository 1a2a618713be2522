import { fieldError, type FieldError } from '../../core/errors.ts';
import { err, ok, type Result } from '../../core/result.ts';

/** The longest client id the twin's buses accept. An aedes broker must be configured with at least this `maxClientsIdLength`. */
export const MAX_CLIENT_ID_LENGTH = 64;

const CLIENT_ID = /^[0-9A-Za-z_.:-]+$/;
const EXPECTED = `a client id of 1 to ${MAX_CLIENT_ID_LENGTH} letters, digits, '_', '.', ':' or '-'`;

/**
 * Checks the id a client connects with. Ids are restricted to a safe alphabet
 * (wider than MQTT's guaranteed `[0-9a-zA-Z]{1,23}` so an EUI-64 fits) because
 * brokers substitute client ids into ACL patterns: an id holding `+`, `#` or
 * `/` once let a client read other clients' topics (CVE-2017-7650). Names such
 * as `__proto__` are legal ids; the buses keep clients in `Map`s, not objects.
 *
 * @example
 * checkClientId('ch-00-DB-12-34-56-78-90-A0'); // ok
 * checkClientId('hub/+'); // err: format
 */
export function checkClientId(raw: unknown, path = 'clientId'): Result<string, FieldError> {
  if (typeof raw !== 'string') return err(fieldError(path, 'type', EXPECTED, raw));
  if (raw.length === 0) return err(fieldError(path, 'required', EXPECTED, raw));
  if (raw.length > MAX_CLIENT_ID_LENGTH) return err(fieldError(path, 'range', EXPECTED, raw));
  if (!CLIENT_ID.test(raw)) return err(fieldError(path, 'format', EXPECTED, raw));
  return ok(raw);
}
