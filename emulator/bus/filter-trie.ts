/**
 * Topic filters in a tree of levels, so finding the subscriptions that match
 * a topic costs the depth of the topic, not the number of subscriptions: a
 * fleet has a few subscriptions per comms hub and hundreds of thousands of
 * hubs. Matching follows MQTT exactly as `filterMatches` states it (the tests
 * hold the two against each other). Levels are `Map` keys, so a level named
 * `__proto__` is just a level.
 *
 * @example
 * const trie = new FilterTrie<string>();
 * trie.add('smets/han/+/+/out', 'hub');
 * trie.match('smets/han/A/B/out'); // ['hub']
 */
export class FilterTrie<T> {
  private readonly root = new TrieNode<T>();
  private count = 0;

  /** The number of (filter, value) pairs held. */
  get size(): number {
    return this.count;
  }

  /** Adds `value` under a valid `filter`. Adding the same pair twice holds it once. */
  add(filter: string, value: T): void {
    let node = this.root;
    for (const level of filter.split('/')) {
      let child = node.children.get(level);
      if (child === undefined) {
        child = new TrieNode<T>();
        node.children.set(level, child);
      }
      node = child;
    }
    if (!node.values.has(value)) {
      node.values.add(value);
      this.count++;
    }
  }

  /** Removes `value` from under `filter` and prunes empty branches; false when it was not there. */
  remove(filter: string, value: T): boolean {
    const path: [TrieNode<T>, string][] = [];
    let node = this.root;
    for (const level of filter.split('/')) {
      const child = node.children.get(level);
      if (child === undefined) return false;
      path.push([node, level]);
      node = child;
    }
    if (!node.values.delete(value)) return false;
    this.count--;
    // Prune from the leaf up, so a long run that keeps subscribing and leaving does not grow.
    for (let i = path.length - 1; i >= 0; i--) {
      const [parent, level] = path[i]!;
      const child = parent.children.get(level)!;
      if (child.values.size > 0 || child.children.size > 0) break;
      parent.children.delete(level);
    }
    return true;
  }

  /** Every value whose filter matches the topic name `topic`, each once, in no particular order. */
  match(topic: string): T[] {
    const out: T[] = [];
    const levels = topic.split('/');
    // [MQTT-4.7.2-1] a wildcard in the first level does not match a topic starting with '$'.
    collect(this.root, levels, 0, !topic.startsWith('$'), out);
    return out;
  }
}

class TrieNode<T> {
  readonly children = new Map<string, TrieNode<T>>();
  readonly values = new Set<T>();
}

function collect<T>(node: TrieNode<T>, levels: readonly string[], i: number, wildcards: boolean, out: T[]): void {
  // '#' matches the rest of the topic, including nothing more: 'a/#' matches 'a'. [MQTT-4.7.1-2]
  if (wildcards) {
    const rest = node.children.get('#');
    if (rest !== undefined) for (const v of rest.values) out.push(v);
  }
  if (i === levels.length) {
    for (const v of node.values) out.push(v);
    return;
  }
  const exact = node.children.get(levels[i]!);
  if (exact !== undefined) collect(exact, levels, i + 1, true, out);
  if (wildcards) {
    const one = node.children.get('+');
    if (one !== undefined) collect(one, levels, i + 1, true, out);
  }
}
