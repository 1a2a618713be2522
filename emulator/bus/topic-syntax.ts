import { fieldError, type FieldError } from '../../core/errors.ts';
import { err, ok, type Result } from '../../core/result.ts';

/**
 * MQTT's rules for topic names (what a message is published to) and topic
 * filters (what a client subscribes to), the same in MQTT 3.1.1 §4.7 and 5.0 §4.7.
 * Both implementations of the bus apply them before anything reaches a broker,
 * so a bad topic fails the same way in memory and over the network.
 */

/** The longest topic MQTT can carry: a topic is a string whose length is a 16-bit byte count. [MQTT-1.5.3] */
export const MAX_TOPIC_BYTES = 65_535;

/**
 * Checks a topic name: at least one character, at most 65 535 bytes of
 * well-formed UTF-8, no NUL and no wildcard (`+`, `#`) anywhere. Empty levels
 * (`a//b`) are legal MQTT and pass.
 *
 * @example
 * checkTopicName('smets/wan/00-DB-12-34-56-78-90-A0/up'); // ok
 * checkTopicName('smets/wan/+/up'); // err: format
 */
export function checkTopicName(raw: unknown, path = 'topic'): Result<string, FieldError> {
  const text = checkMqttString(raw, path, 'a topic name');
  if (!text.ok) return text;
  // [MQTT-3.3.2-2] a topic name must not contain wildcard characters.
  if (/[+#]/.test(text.value)) {
    return err(fieldError(path, 'format', 'a topic name without the wildcards + and #', raw));
  }
  return text;
}

/**
 * Checks a topic filter: a topic name that may also hold `+` as a whole level
 * and `#` as the whole last level. [MQTT-4.7.1-1..3]
 *
 * @example
 * checkTopicFilter('smets/han/00-DB-12-34-56-78-90-A0/+/out'); // ok
 * checkTopicFilter('smets/#/out'); // err: format
 */
export function checkTopicFilter(raw: unknown, path = 'filter'): Result<string, FieldError> {
  const text = checkMqttString(raw, path, 'a topic filter');
  if (!text.ok) return text;
  const levels = text.value.split('/');
  for (let i = 0; i < levels.length; i++) {
    const level = levels[i]!;
    if (level === '#' && i !== levels.length - 1) {
      return err(fieldError(path, 'format', 'a topic filter with # only as its last level', raw));
    }
    if (level.length > 1 && /[+#]/.test(level)) {
      return err(fieldError(path, 'format', 'a topic filter whose wildcards + and # fill a whole level', raw));
    }
  }
  return text;
}

/**
 * Whether `filter` matches `topic` by MQTT's rules: `+` matches exactly one
 * level (possibly empty), `#` matches the rest of the topic including the
 * parent level (`a/#` matches `a`), and a wildcard in the first level does not
 * match a topic that starts with `$`. Both arguments are expected to be valid
 * (see `checkTopicFilter`, `checkTopicName`).
 *
 * @example
 * filterMatches('smets/han/+/+/out', 'smets/han/00-DB-12-34-56-78-90-A0/00-DB-12-34-56-78-90-A1/out'); // true
 */
export function filterMatches(filter: string, topic: string): boolean {
  const f = filter.split('/');
  const t = topic.split('/');
  // [MQTT-4.7.2-1] topics beginning with $ are the server's, not matched by a leading wildcard.
  if (topic.startsWith('$') && (f[0] === '+' || f[0] === '#')) return false;
  for (let i = 0; i < f.length; i++) {
    const level = f[i]!;
    // [MQTT-4.7.1-2] '#' also matches the parent level, so it is checked before running out of topic.
    if (level === '#') return true;
    if (i >= t.length) return false;
    if (level !== '+' && level !== t[i]) return false;
  }
  return f.length === t.length;
}

/** Whether a valid topic filter contains a wildcard, so it can match more than one topic. */
export function hasWildcard(filter: string): boolean {
  return filter.includes('+') || filter.includes('#');
}

// The string rules shared by names and filters: [MQTT-4.7.3-1] non-empty,
// [MQTT-1.5.3-1] well-formed UTF-8 (no lone surrogates), [MQTT-1.5.3-2] no NUL,
// and a UTF-8 length that fits the 16-bit length prefix.
function checkMqttString(raw: unknown, path: string, what: string): Result<string, FieldError> {
  if (typeof raw !== 'string') return err(fieldError(path, 'type', what, raw));
  if (raw.length === 0) return err(fieldError(path, 'required', `${what} of at least one character`, raw));
  let bytes = 0;
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    if (c === 0) return err(fieldError(path, 'format', `${what} without NUL characters`, raw));
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff) {
      const next = raw.charCodeAt(i + 1);
      if (!(next >= 0xdc00 && next <= 0xdfff)) return err(fieldError(path, 'format', `${what} of well-formed UTF-8`, raw));
      bytes += 4;
      i++;
    } else if (c >= 0xdc00 && c <= 0xdfff) {
      return err(fieldError(path, 'format', `${what} of well-formed UTF-8`, raw));
    } else bytes += 3;
  }
  if (bytes > MAX_TOPIC_BYTES) return err(fieldError(path, 'range', `${what} of at most ${MAX_TOPIC_BYTES} bytes of UTF-8`, raw));
  return ok(raw);
}
