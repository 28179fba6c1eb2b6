// The range plan (pieces in file order, the tail split among idle connections) and the range map's parser.
import { describe, expect, it } from 'vitest';
import { CHUNK, RangePlan } from '../../../src/cache/fetch/range-plan.js';
import { parseRangeMap } from '../../../src/cache/fetch/range-map.js';

const MiB = 1024 * 1024;

describe('RangePlan', () => {
  it('hands out CHUNK-sized pieces in file order; the prefix is the first missing byte', () => {
    const plan = new RangePlan(20 * MiB, [[0, 20 * MiB]]);
    const a = plan.take()!;
    const b = plan.take()!;
    const c = plan.take()!;
    expect([a.done, a.end, b.done, b.end, c.done, c.end]).toEqual([0, CHUNK, CHUNK, 2 * CHUNK, 2 * CHUNK, 20 * MiB]);
    plan.advance(b, CHUNK); // b whole, a not: the prefix stays at a's first missing byte
    expect(plan.prefix()).toBe(0);
    plan.advance(a, MiB);
    expect(plan.prefix()).toBe(MiB);
    plan.advance(a, CHUNK - MiB);
    expect(plan.prefix()).toBe(2 * CHUNK);
    plan.advance(c, 20 * MiB - 2 * CHUNK);
    expect(plan.complete()).toBe(true);
    expect(plan.prefix()).toBe(20 * MiB);
  });

  it('a piece in flight is never split: an idle connection gets nothing while every piece is owned', () => {
    const plan = new RangePlan(2 * CHUNK, [[0, 2 * CHUNK]]);
    const a = plan.take()!;
    const b = plan.take()!;
    expect([a.end, b.end]).toEqual([CHUNK, 2 * CHUNK]);
    expect(plan.take()).toBeNull();
    expect(plan.todo()).toEqual([[0, CHUNK], [CHUNK, 2 * CHUNK]]);
  });

  it('a piece given up goes back to the free list from what is in the file', () => {
    const plan = new RangePlan(CHUNK, [[0, CHUNK]]);
    const a = plan.take()!;
    plan.advance(a, MiB);
    a.at = 2 * MiB;
    plan.release(a);
    const again = plan.take()!;
    expect([again.done, again.at, again.end]).toEqual([MiB, MiB, CHUNK]);
  });

  it('resumes from a map: only the missing ranges', () => {
    const plan = new RangePlan(100, [[10, 20], [50, 60]]);
    expect(plan.prefix()).toBe(10);
    expect(plan.todo()).toEqual([[10, 20], [50, 60]]);
  });
});

describe('parseRangeMap', () => {
  const ok = (todo: unknown, size = 100) => parseRangeMap(JSON.stringify({ v: 1, size, todo }) + '   ', size);
  it('reads a well-formed map (trailing spaces from an earlier, longer one)', () => {
    expect(ok([[0, 10], [20, 100]])).toEqual([[0, 10], [20, 100]]);
    expect(ok([])).toEqual([]);
  });
  it.each<[string, unknown]>([
    ['overlapping', [[0, 30], [20, 40]]],
    ['unsorted', [[50, 60], [0, 10]]],
    ['past the end', [[90, 101]]],
    ['empty range', [[5, 5]]],
    ['negative', [[-1, 5]]],
    ['fractions', [[0.5, 5]]],
    ['strings', [['0', '5']]],
    ['not pairs', [[0, 5, 9]]],
  ])('refuses %s ranges', (_, todo) => {
    expect(ok(todo)).toBeNull();
  });
  it('refuses another size, another version, garbage', () => {
    expect(parseRangeMap(JSON.stringify({ v: 1, size: 99, todo: [] }), 100)).toBeNull();
    expect(parseRangeMap(JSON.stringify({ v: 2, size: 100, todo: [] }), 100)).toBeNull();
    expect(parseRangeMap('{"v":1,"size":100,"todo":[[0,', 100)).toBeNull();
  });
});
