import { describe, expect, it } from 'vitest';
import { startStopwatch } from '../../src/log/stopwatch.js';

describe('startStopwatch', () => {
  it('adds each stage and the total from a clock', async () => {
    let t = 100;
    const watch = startStopwatch(() => t);
    await watch.time('manifest', async () => { t += 5; });
    await watch.time('probe', async () => { t += 20; }).catch(() => undefined);
    await expect(watch.time('cache', async () => { t += 7; throw new Error('x'); })).rejects.toThrow('x');
    watch.add('select', 1.25);
    t += 3;
    expect(watch.read()).toEqual({ manifest: 5, probe: 20, select: 1.3, cache: 7, total: 35 });
  });
});
