/**
 * The known word nearest to a mistyped one, for "did you mean" hints on
 * unknown fields, kinds and names. Case is ignored; a word is near when at
 * most a third of its letters (at least one) must change.
 */

/** Words longer than this are never matched: nobody mistypes a 65-letter field name, and the distance is quadratic. */
const MAX_WORD = 64;

/**
 * The nearest of `known` to `word`, or undefined when none is near.
 *
 * @example
 * didYouMean('prepaymentShar', ['premises', 'prepaymentShare']); // 'prepaymentShare'
 * didYouMean('MP134B', ['none', 'mp134b']); // 'mp134b'
 */
export function didYouMean(word: string, known: Iterable<string>): string | undefined {
  if (word.length === 0 || word.length > MAX_WORD) return undefined;
  const w = word.toLowerCase();
  let best: string | undefined;
  let bestDistance = Math.max(1, Math.floor(word.length / 3)) + 1;
  for (const k of known) {
    if (k.length > MAX_WORD) continue;
    const d = distance(w, k.toLowerCase());
    if (d < bestDistance) {
      best = k;
      bestDistance = d;
    }
  }
  return best;
}

/** Optimal string alignment distance: insertions, deletions, substitutions and swaps of neighbours each cost one. */
function distance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > MAX_WORD) return Infinity;
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d = new Uint16Array(rows * cols);
  for (let i = 0; i < rows; i++) d[i * cols] = i;
  for (let j = 0; j < cols; j++) d[j] = j;
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[(i - 1) * cols + j]! + 1, d[i * cols + j - 1]! + 1, d[(i - 1) * cols + j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[(i - 2) * cols + j - 2]! + 1);
      d[i * cols + j] = v;
    }
  }
  return d[rows * cols - 1]!;
}
