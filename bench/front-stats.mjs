// How far bench/front.mjs's "p99 added" can be trusted. One sitting's figure swings by more than the 2 ms bound on
// the project's 2-core machines (512 staggered: +1.9 to +8.5 for the same nimlet within an hour, direct B − A up to
// ±5 at 64 in lock step), so a single figure cannot say met or not met. The rounds are the unit of noise (a bad
// moment of the machine hits a whole round, not single requests), so the interval resamples rounds: each bootstrap
// sample draws R of the R rounds with replacement, pools the row's requests of those rounds and direct A's of the
// same rounds (paired: a round's rows ran minutes apart at most), and takes the difference of the pooled p99s.
// Pure, and seeded: the same rounds give the same interval.

/** The p-quantile of the values of all `arrays` together, as the bench reads it (the floor(p·n)-th smallest). */
export function pooledQuantile(arrays, p) {
  let n = 0;
  for (const a of arrays) n += a.length;
  if (n === 0) return NaN;
  const all = new Float64Array(n);
  let at = 0;
  for (const a of arrays) for (const x of a) all[at++] = x;
  return select(all, Math.min(n - 1, Math.floor(p * n)));
}

/** The k-th smallest of `xs` (reordered in place), by quickselect: a pooled 512-stream round set is ~50k values. */
function select(xs, k) {
  let lo = 0;
  let hi = xs.length - 1;
  while (lo < hi) {
    const pivot = xs[(lo + hi) >>> 1];
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (xs[i] < pivot) i++;
      while (xs[j] > pivot) j--;
      if (i <= j) {
        const t = xs[i];
        xs[i++] = xs[j];
        xs[j--] = t;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return xs[k];
  }
  return xs[k];
}

/** mulberry32: a small seeded generator, so that an interval can be recomputed from the same rounds. */
function random(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The `level` (0.9: 5 % to 95 %) bootstrap interval of pooled-p99(row) − pooled-p99(base) over paired rounds:
 * `row[i]` and `base[i]` are round i's TTFBs. Null with fewer than `minRounds` rounds (a handful of rounds resampled
 * gives an interval narrower than the truth).
 */
export function addedP99Interval(row, base, { level = 0.9, samples = 1000, seed = 1, minRounds = 6 } = {}) {
  const rounds = row.length;
  if (rounds !== base.length) throw new Error(`paired rounds: ${rounds} against ${base.length}`);
  if (rounds < minRounds) return null;
  const next = random(seed);
  const diffs = new Float64Array(samples);
  const pickedRow = new Array(rounds);
  const pickedBase = new Array(rounds);
  for (let s = 0; s < samples; s++) {
    for (let i = 0; i < rounds; i++) {
      const r = Math.floor(next() * rounds);
      pickedRow[i] = row[r];
      pickedBase[i] = base[r];
    }
    diffs[s] = pooledQuantile(pickedRow, 0.99) - pooledQuantile(pickedBase, 0.99);
  }
  diffs.sort();
  const tail = (1 - level) / 2;
  return { low: diffs[Math.floor(tail * samples)], high: diffs[Math.min(samples - 1, Math.floor((1 - tail) * samples))] };
}

/** What an interval says of a bound on the added p99: met (all of it below), not met (all above), or undecided. */
export function verdict(interval, bound) {
  if (interval === null) return 'too few rounds to say';
  if (interval.high <= bound) return 'met';
  if (interval.low > bound) return 'not met';
  return 'undecided at this noise';
}
