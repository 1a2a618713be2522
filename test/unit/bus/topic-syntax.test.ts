import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkClientId } from '../../../emulator/bus/client-id.ts';
import { FilterTrie } from '../../../emulator/bus/filter-trie.ts';
import { checkTopicFilter, checkTopicName, filterMatches, MAX_TOPIC_BYTES } from '../../../emulator/bus/topic-syntax.ts';

/**
 * A second, independent reading of MQTT 3.1.1 §4.7 for filterMatches: the
 * filter becomes a regular expression. '+' is one level of anything but '/';
 * a trailing '#' is "this level and below, or nothing more" ('a/#' matches 'a').
 */
function referenceMatches(filter: string, topic: string): boolean {
  if (topic.startsWith('$') && /^[+#]/.test(filter)) return false;
  if (filter === '#') return true;
  const escape = (level: string): string => (level === '+' ? '[^/]*' : level.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  const levels = filter.split('/');
  const multi = levels[levels.length - 1] === '#';
  const head = (multi ? levels.slice(0, -1) : levels).map(escape).join('/');
  return new RegExp(`^${head}${multi ? '(/.*)?' : ''}$`, 's').test(topic);
}

// A small alphabet so that random topics and filters often match.
const level = fc.constantFrom('a', 'b', '', '$x', '__proto__', 'é');
const topicArb = fc
  .array(level, { minLength: 1, maxLength: 4 })
  .map((ls) => ls.join('/'))
  .filter((t) => t.length > 0);
const filterArb = fc
  .tuple(fc.array(fc.oneof(level, fc.constant('+')), { minLength: 1, maxLength: 4 }), fc.boolean())
  .map(([ls, hash]) => (hash ? [...ls, '#'] : ls).join('/'))
  .filter((f) => f.length > 0)
  .chain((f) => fc.constantFrom(f, '#', `+/${f}`));

describe('topic names', () => {
  it('accepts ordinary names, empty levels and non-ASCII', () => {
    for (const t of ['a', '/', 'a//b', '/a', 'a/', 'smets/wan/x/up', 'é/日本/🙂', '$SYS/broker', ' '])
      expect(checkTopicName(t).ok, t).toBe(true);
  });

  it('refuses wildcards, NUL, lone surrogates, the empty string and non-strings', () => {
    const code = (raw: unknown): string | undefined => {
      const r = checkTopicName(raw);
      return r.ok ? undefined : r.error.code;
    };
    for (const t of ['+', '#', 'a/+', 'a/#', 'a+', 'a#b', 'a\u0000', '\ud800', 'a\udc00b', '\ud800a'])
      expect(code(t), JSON.stringify(t)).toBe('format');
    expect(code('')).toBe('required');
    expect(code(undefined)).toBe('type');
    expect(code(42)).toBe('type');
  });

  it('counts the 65 535-byte limit in UTF-8 bytes, not characters', () => {
    expect(checkTopicName('a'.repeat(MAX_TOPIC_BYTES)).ok).toBe(true);
    expect(checkTopicName('a'.repeat(MAX_TOPIC_BYTES + 1)).ok).toBe(false);
    expect(checkTopicName('é'.repeat(MAX_TOPIC_BYTES / 2 - 0.5) + 'a').ok).toBe(true); // 65 534 + 1 bytes
    expect(checkTopicName('é'.repeat(32_768)).ok).toBe(false); // 65 536 bytes in 32 768 characters
    expect(checkTopicName('🙂'.repeat(16_384)).ok).toBe(false); // 65 536 bytes
    expect(checkTopicName('🙂'.repeat(16_383)).ok).toBe(true);
  });
});

describe('topic filters', () => {
  it('accepts whole-level wildcards with # last', () => {
    for (const f of ['#', '+', '+/+', 'a/#', 'a/+/b', '+/#', '/+', 'a//#', 'a/b']) expect(checkTopicFilter(f).ok, f).toBe(true);
  });

  it('refuses # before the last level, wildcards inside a level, NUL and the empty string', () => {
    for (const f of ['#/a', 'a/#/b', 'a#', '#a', 'a/b#', 'a+', '+a', 'a/+b/c', '++', '##', 'a\u0000', '']) {
      expect(checkTopicFilter(f).ok, JSON.stringify(f)).toBe(false);
    }
  });

  it('generates only valid filters and topics here', () => {
    fc.assert(fc.property(filterArb, topicArb, (f, t) => checkTopicFilter(f).ok && checkTopicName(t).ok));
  });
});

describe('filterMatches', () => {
  it('follows the examples of MQTT 3.1.1 §4.7', () => {
    expect(filterMatches('sport/tennis/player1/#', 'sport/tennis/player1')).toBe(true);
    expect(filterMatches('sport/tennis/player1/#', 'sport/tennis/player1/ranking')).toBe(true);
    expect(filterMatches('sport/tennis/player1/#', 'sport/tennis/player1/score/wimbledon')).toBe(true);
    expect(filterMatches('sport/#', 'sport')).toBe(true);
    expect(filterMatches('sport/tennis/+', 'sport/tennis/player1')).toBe(true);
    expect(filterMatches('sport/tennis/+', 'sport/tennis/player1/ranking')).toBe(false);
    expect(filterMatches('sport/+', 'sport')).toBe(false);
    expect(filterMatches('sport/+', 'sport/')).toBe(true);
    expect(filterMatches('+/+', '/finance')).toBe(true);
    expect(filterMatches('/+', '/finance')).toBe(true);
    expect(filterMatches('+', '/finance')).toBe(false);
    expect(filterMatches('#', '$SYS/broker')).toBe(false);
    expect(filterMatches('+/monitor/Clients', '$SYS/monitor/Clients')).toBe(false);
    expect(filterMatches('$SYS/#', '$SYS/monitor/Clients')).toBe(true);
    expect(filterMatches('$SYS/monitor/+', '$SYS/monitor/Clients')).toBe(true);
  });

  it('agrees with a regular-expression reference on random filters and topics', () => {
    fc.assert(fc.property(filterArb, topicArb, (f, t) => filterMatches(f, t) === referenceMatches(f, t)));
  });
});

describe('FilterTrie', () => {
  it('matches exactly the filters filterMatches accepts, each once, and forgets removed ones', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(filterArb, { maxLength: 12 }),
        fc.array(topicArb, { maxLength: 8 }),
        fc.array(fc.nat(), { maxLength: 6 }),
        (filters, topics, drops) => {
          const trie = new FilterTrie<string>();
          for (const f of filters) trie.add(f, f);
          const live = new Set(filters);
          for (const d of drops) {
            const f = filters[d % Math.max(1, filters.length)];
            if (f !== undefined) expect(trie.remove(f, f)).toBe(live.delete(f));
          }
          expect(trie.size).toBe(live.size);
          for (const t of topics) {
            expect(trie.match(t).sort()).toEqual([...live].filter((f) => filterMatches(f, t)).sort());
          }
        },
      ),
    );
  });

  it('prunes emptied branches and holds a pair once', () => {
    const trie = new FilterTrie<number>();
    trie.add('a/b/c', 1);
    trie.add('a/b/c', 1);
    trie.add('a/+', 2);
    expect(trie.size).toBe(2);
    expect(trie.remove('a/b/c', 1)).toBe(true);
    expect(trie.remove('a/b/c', 1)).toBe(false);
    expect(trie.remove('a/x', 2)).toBe(false);
    expect(trie.match('a/b')).toEqual([2]);
    expect(trie.remove('a/+', 2)).toBe(true);
    expect(trie.size).toBe(0);
    expect(trie.match('a/b')).toEqual([]);
  });
});

describe('client ids', () => {
  it('accepts the safe alphabet, including prototype names', () => {
    for (const id of ['a', 'ch-00-DB-12-34-56-78-90-A0', 'dsp:user.1', '__proto__', 'constructor', 'x'.repeat(64)]) {
      expect(checkClientId(id).ok, id).toBe(true);
    }
  });

  it('refuses wildcards, separators, spaces, NUL, the empty string and over-long ids', () => {
    for (const id of ['', 'a/b', 'a+b', '#', 'a b', 'a\u0000', 'é', 'x'.repeat(65), '%c'])
      expect(checkClientId(id).ok, JSON.stringify(id)).toBe(false);
    expect(checkClientId(7).ok).toBe(false);
  });
});
