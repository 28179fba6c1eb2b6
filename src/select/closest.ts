// "Did you mean": the profile names nearest to what the user typed, by edit distance.

/** Levenshtein distance, two rows. */
export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      cur.push(Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost));
    }
    prev = cur;
  }
  return prev[b.length]!;
}

/** Up to `limit` distinct candidates nearest to `typed` (case-insensitive), nearest first, ties by name. */
export function closestNames(typed: string, candidates: readonly string[], limit = 3): string[] {
  const t = typed.toLowerCase();
  return [...new Set(candidates)]
    .map((name) => ({ name, d: editDistance(t, name.toLowerCase()) }))
    .sort((x, y) => x.d - y.d || (x.name < y.name ? -1 : x.name > y.name ? 1 : 0))
    .slice(0, limit)
    .map((x) => x.name);
}
