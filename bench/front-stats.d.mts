// Types of bench/front-stats.mjs, for its test (test/bench/front-stats.test.ts).
export interface Interval {
  low: number;
  high: number;
}
export function pooledQuantile(arrays: readonly (readonly number[])[], p: number): number;
export function addedP99Interval(
  row: readonly (readonly number[])[],
  base: readonly (readonly number[])[],
  options?: { level?: number; samples?: number; seed?: number; minRounds?: number },
): Interval | null;
export function verdict(interval: Interval | null, bound: number): 'met' | 'not met' | 'undecided at this noise' | 'too few rounds to say';
