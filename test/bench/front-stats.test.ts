// bench/front-stats.mjs: the pooled quantile is the bench's own (floor(p·n)-th smallest), and the rounds' bootstrap
// interval brackets a known shift, widens with noise between rounds, and turns into the three verdicts.
import { describe, expect, it } from 'vitest';
import { addedP99Interval, pooledQuantile, verdict } from '../../bench/front-stats.mjs';

/** A seeded round of `n` TTFBs: a body around 1 ms and a tail up to `tail` ms, plus `shift`. */
function round(seed: number, n: number, shift: number, tail = 6): number[] {
  let s = seed;
  const next = (): number => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648);
  return Array.from({ length: n }, () => shift + (next() < 0.03 ? 1 + next() * tail : 0.5 + next()));
}

describe('pooledQuantile', () => {
  it.each([
    [[[5, 1, 3], [2, 4]], 0.5, 3],
    [[[5, 1, 3], [2, 4]], 0.99, 5],
    [[[5, 1, 3], [2, 4]], 0, 1],
    [[[], [7]], 0.99, 7],
    [[[10, 20], [30, 40, 50, 60, 70, 80, 90, 100]], 0.9, 100],
  ])('%j at %d is %d', (arrays, p, want) => {
    expect(pooledQuantile(arrays, p)).toBe(want);
  });

  it('agrees with sorting on a large pooled set with many equal values', () => {
    const arrays = [round(1, 5000, 0), round(2, 5000, 0).map((x) => Math.round(x * 10) / 10)];
    const sorted = arrays.flat().sort((a, b) => a - b);
    for (const p of [0.01, 0.5, 0.9, 0.99, 0.999]) expect(pooledQuantile(arrays, p)).toBe(sorted[Math.floor(p * sorted.length)]);
  });

  it('is NaN with no values', () => {
    expect(pooledQuantile([[], []], 0.99)).toBeNaN();
  });
});

describe('addedP99Interval', () => {
  const rounds = (from: number, shift: number): number[][] => Array.from({ length: 8 }, (_, i) => round(from + i, 2000, shift));
  /** Eight rounds, round i's every request shifted by shifts[i]. */
  const shifted = (from: number, shifts: number[]): number[][] => shifts.map((shift, i) => round(from + i, 2000, shift));

  it('brackets a 3 ms shift of every request, and says "not met" against 2 ms', () => {
    const interval = addedP99Interval(rounds(100, 3), rounds(100, 0));
    expect(interval).not.toBeNull();
    expect(interval!.low).toBeLessThanOrEqual(3);
    expect(interval!.high).toBeGreaterThanOrEqual(3);
    expect(interval!.high - interval!.low).toBeLessThan(1);
    expect(verdict(interval, 2)).toBe('not met');
  });

  it('puts no shift under the bound: "met"', () => {
    const interval = addedP99Interval(rounds(200, 0), rounds(300, 0));
    expect(verdict(interval, 2)).toBe('met');
  });

  it('widens when whole rounds move (a bad moment of the machine), and cannot decide then', () => {
    // two bad rounds of eight, 4 ms worse: the pooled p99 moves with how many of them a resample draws
    const quiet = addedP99Interval(rounds(400, 1), rounds(500, 0))!;
    const noisy = addedP99Interval(shifted(400, [0, 4, 0, 0, 4, 0, 0, 0]), rounds(500, 0))!;
    expect(noisy.high - noisy.low).toBeGreaterThan(3 * (quiet.high - quiet.low));
    expect(verdict(noisy, 2)).toBe('undecided at this noise');
  });

  it('is the same for the same rounds (seeded), and null with too few rounds', () => {
    const [row, base] = [rounds(600, 1), rounds(700, 0)];
    expect(addedP99Interval(row, base)).toEqual(addedP99Interval(row, base));
    expect(addedP99Interval(row.slice(0, 5), base.slice(0, 5))).toBeNull();
    expect(verdict(null, 2)).toBe('too few rounds to say');
  });

  it('refuses rounds that do not pair', () => {
    expect(() => addedP99Interval([[1]], [[1], [2]])).toThrow(/paired rounds: 1 against 2/);
  });
});
