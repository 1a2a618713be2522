import { fieldError, type FieldError } from '../../core/errors.ts';
import { err, ok, type Result } from '../../core/result.ts';
import { checkClientId } from './client-id.ts';
import { checkTopicFilter, filterMatches } from './topic-syntax.ts';

/**
 * What can go wrong on the bus, as a value: which links lose, repeat, delay or
 * reorder messages, which are down at the start, and what happens to messages
 * sent over a link that is down. `FaultyBusFactory` applies it.
 *
 * A link is either one client's uplink (`{ client }`: everything that client
 * publishes) or a topic filter (`{ topic }`: everything published to a
 * matching topic, whoever sends it). A message published by client `c` to
 * topic `t` takes the rule of the first link in `links` that names `c` or whose
 * filter matches `t`; it is held (or dropped) while any down link names `c` or
 * matches `t`.
 *
 * @example
 * parseFaultPlan({ links: [{ client: 'ch-1', drop: 0.1, delay: { minMs: 20, maxMs: 200 } }], whileDown: 'hold' }, 'faults');
 */
export interface FaultPlan {
  /** Per-link rules, in priority order. */
  readonly links: readonly LinkFaults[];
  /** Links that are down when the run starts. */
  readonly down: readonly LinkRef[];
  /** What a link that is down does with messages: keep them and send them in order when it comes back, or lose them. */
  readonly whileDown: WhileDown;
}

/** One link: a client's uplink, or the messages published to topics matching a filter. */
export type LinkRef = { readonly client: string } | { readonly topic: string };

/** What a link that is down does with messages. */
export type WhileDown = 'hold' | 'drop';

/** The faults of one link; an absent field is no fault. */
export interface LinkRule {
  /** The probability, 0..1, that a message is lost. */
  readonly drop?: number;
  /** The probability, 0..1, that a message is sent twice. */
  readonly duplicate?: number;
  /**
   * A uniform delay, in whole virtual milliseconds, per message, counted from
   * when the message leaves the reorder window (if any); the link stays
   * first-in first-out, so a delay alone never reorders.
   */
  readonly delay?: { readonly minMs: number; readonly maxMs: number };
  /**
   * Shuffles messages in windows: `true` gathers the messages of one virtual
   * instant, `{ windowMs }` those of `windowMs` from the first, and sends them
   * in a seeded random order.
   */
  readonly reorder?: boolean | { readonly windowMs: number };
}

/** A link with its rule. */
export type LinkFaults = LinkRef & LinkRule;

/** The longest delay or reorder window a plan may ask for: one virtual day. */
export const MAX_FAULT_DELAY_MS = 86_400_000;

/** The plan that changes nothing. */
export const EMPTY_FAULT_PLAN: FaultPlan = { links: [], down: [], whileDown: 'hold' };

/**
 * The stable name of a link, used in statistics and to fork the link's random
 * stream: `client:{id}` or `topic:{filter}`.
 */
export function linkKey(link: LinkRef): string {
  return 'client' in link ? `client:${link.client}` : `topic:${link.topic}`;
}

/** Whether a message published by `clientId` to `topic` travels over `link`. */
export function linkCarries(link: LinkRef, clientId: string, topic: string): boolean {
  return 'client' in link ? link.client === clientId : filterMatches(link.topic, topic);
}

/**
 * Reads a link given as a string: one holding `/`, `+` or `#` (which a client
 * id never does) is a topic filter, anything else a client id. A one-level
 * topic filter must be given as `{ topic }`. Bad input is an error value.
 */
export function toLinkRef(raw: string | LinkRef, path = 'link'): Result<LinkRef, FieldError> {
  if (typeof raw === 'string') return /[/+#]/.test(raw) ? parseLinkRef({ topic: raw }, path) : parseLinkRef({ client: raw }, path);
  return parseLinkRef(raw, path);
}

/**
 * Reads a fault plan from configuration. `undefined` is the empty plan; every
 * mistake is one FieldError under `path` (probabilities outside 0..1, a delay
 * whose minimum exceeds its maximum, unknown fields, malformed client ids or
 * topic filters, a link listed twice).
 *
 * @example
 * parseFaultPlan({ links: [{ topic: 'smets/wan/+/up', reorder: true }] }, 'faults'); // ok
 * parseFaultPlan({ links: [{ client: 'ch-1', drop: 2 }] }, 'faults'); // err: faults.links[0].drop range
 */
export function parseFaultPlan(raw: unknown, path = 'faults'): Result<FaultPlan, FieldError> {
  if (raw === undefined) return ok(EMPTY_FAULT_PLAN);
  if (!isRecord(raw)) return err(fieldError(path, 'type', 'an object { links, down, whileDown }', raw));
  const bad = checkKeys(raw, path, ['links', 'down', 'whileDown']);
  if (bad) return err(bad);

  const links: LinkFaults[] = [];
  const rawLinks = raw['links'] ?? [];
  if (!Array.isArray(rawLinks)) return err(fieldError(`${path}.links`, 'type', 'an array of link rules', rawLinks));
  const seen = new Set<string>();
  for (let i = 0; i < rawLinks.length; i++) {
    const p = `${path}.links[${i}]`;
    const link = parseLinkFaults(rawLinks[i], p);
    if (!link.ok) return link;
    const key = linkKey(link.value);
    if (seen.has(key)) return err(fieldError(p, 'format', 'a link listed once', key));
    seen.add(key);
    links.push(link.value);
  }

  const down: LinkRef[] = [];
  const rawDown = raw['down'] ?? [];
  if (!Array.isArray(rawDown)) return err(fieldError(`${path}.down`, 'type', 'an array of links { client } or { topic }', rawDown));
  for (let i = 0; i < rawDown.length; i++) {
    const link = parseLinkRef(rawDown[i], `${path}.down[${i}]`);
    if (!link.ok) return link;
    down.push(link.value);
  }

  const whileDown = raw['whileDown'] ?? 'hold';
  if (whileDown !== 'hold' && whileDown !== 'drop')
    return err(fieldError(`${path}.whileDown`, 'unknown-kind', "'hold' or 'drop'", whileDown));
  return ok({ links, down, whileDown });
}

const LINK_KEYS = ['client', 'topic'] as const;
const RULE_KEYS = ['drop', 'duplicate', 'delay', 'reorder'] as const;

function parseLinkRef(raw: unknown, path: string): Result<LinkRef, FieldError> {
  if (!isRecord(raw)) return err(fieldError(path, 'type', 'an object { client } or { topic }', raw));
  const bad = checkKeys(raw, path, LINK_KEYS);
  if (bad) return err(bad);
  return readLink(raw, path);
}

function readLink(raw: Record<string, unknown>, path: string): Result<LinkRef, FieldError> {
  const hasClient = raw['client'] !== undefined;
  const hasTopic = raw['topic'] !== undefined;
  if (hasClient && hasTopic) return err(fieldError(path, 'format', 'either client or topic, not both', 'both'));
  if (hasClient) {
    const client = checkClientId(raw['client'], `${path}.client`);
    return client.ok ? ok({ client: client.value }) : client;
  }
  if (hasTopic) {
    const topic = checkTopicFilter(raw['topic'], `${path}.topic`);
    return topic.ok ? ok({ topic: topic.value }) : topic;
  }
  return err(fieldError(`${path}.client`, 'required', 'a client id or a topic filter (client or topic)', undefined));
}

function parseLinkFaults(raw: unknown, path: string): Result<LinkFaults, FieldError> {
  if (!isRecord(raw)) return err(fieldError(path, 'type', 'an object { client | topic, drop, duplicate, delay, reorder }', raw));
  const bad = checkKeys(raw, path, [...LINK_KEYS, ...RULE_KEYS]);
  if (bad) return err(bad);
  const link = readLink(raw, path);
  if (!link.ok) return link;
  let rule: LinkRule = {};
  for (const key of ['drop', 'duplicate'] as const) {
    const v = raw[key];
    if (v === undefined) continue;
    const p = readProbability(v, `${path}.${key}`);
    if (!p.ok) return p;
    rule = { ...rule, [key]: p.value };
  }
  if (raw['delay'] !== undefined) {
    const delay = readDelay(raw['delay'], `${path}.delay`);
    if (!delay.ok) return delay;
    rule = { ...rule, delay: delay.value };
  }
  const reorder = raw['reorder'];
  if (reorder !== undefined) {
    const p = `${path}.reorder`;
    if (typeof reorder === 'boolean') rule = { ...rule, reorder };
    else if (isRecord(reorder)) {
      const badWindow = checkKeys(reorder, p, ['windowMs']);
      if (badWindow) return err(badWindow);
      const windowMs = readMs(reorder['windowMs'], `${p}.windowMs`);
      if (!windowMs.ok) return windowMs;
      rule = { ...rule, reorder: { windowMs: windowMs.value } };
    } else return err(fieldError(p, 'type', 'true, false or an object { windowMs }', reorder));
  }
  return ok({ ...link.value, ...rule });
}

function readProbability(v: unknown, path: string): Result<number, FieldError> {
  if (typeof v !== 'number' || !Number.isFinite(v)) return err(fieldError(path, 'type', 'a probability from 0 to 1', v));
  if (v < 0 || v > 1) return err(fieldError(path, 'range', 'a probability from 0 to 1', v));
  return ok(v);
}

function readDelay(raw: unknown, path: string): Result<{ minMs: number; maxMs: number }, FieldError> {
  if (!isRecord(raw)) return err(fieldError(path, 'type', 'an object { minMs, maxMs }', raw));
  const bad = checkKeys(raw, path, ['minMs', 'maxMs']);
  if (bad) return err(bad);
  const minMs = readMs(raw['minMs'], `${path}.minMs`);
  if (!minMs.ok) return minMs;
  const maxMs = readMs(raw['maxMs'], `${path}.maxMs`);
  if (!maxMs.ok) return maxMs;
  if (minMs.value > maxMs.value) return err(fieldError(`${path}.maxMs`, 'order', `at least minMs (${minMs.value})`, maxMs.value));
  return ok({ minMs: minMs.value, maxMs: maxMs.value });
}

function readMs(v: unknown, path: string): Result<number, FieldError> {
  const expected = `whole milliseconds from 0 to ${MAX_FAULT_DELAY_MS}`;
  if (v === undefined) return err(fieldError(path, 'required', expected, v));
  if (typeof v !== 'number' || !Number.isInteger(v)) return err(fieldError(path, 'type', expected, v));
  if (v < 0 || v > MAX_FAULT_DELAY_MS) return err(fieldError(path, 'range', expected, v));
  return ok(v);
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function checkKeys(raw: Record<string, unknown>, path: string, allowed: readonly string[]): FieldError | undefined {
  for (const k of Object.keys(raw)) {
    if (!allowed.includes(k)) return fieldError(`${path}.${k}`, 'unknown-kind', `one of the fields ${allowed.join(', ')}`, k);
  }
  return undefined;
}
