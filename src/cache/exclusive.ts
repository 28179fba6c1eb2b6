// "Done once across processes": whoever gets a file's lock does the work; everyone else polls until the result
// appears (or the lock is abandoned and they take it over).
import { NimletError } from '../errors.js';
import { DEFAULT_TIMINGS, sleep, tryLock, type LockTimings } from './lock.js';

export interface OnceOptions<T> {
  lockDir: string;
  tmpDir: string;
  signal: AbortSignal;
  timings?: LockTimings;
  /** The result when it already exists (another process finished), else null. */
  done: () => Promise<T | null>;
  /**
   * Runs under the lock; `lost` aborts when the lock was taken over, then the loop starts again. `confirm`
   * checks the lock on the spot (the heartbeat only looks every few seconds): call it before publishing.
   */
  work: (lost: AbortSignal, confirm: () => Promise<void>) => Promise<T>;
}

export function interrupted(): NimletError {
  return new NimletError('interrupted', 'interrupted: the download stopped; the cache is consistent and the next run resumes', {
    hint: 'run the same command again to resume',
  });
}

export async function doOnce<T>(o: OnceOptions<T>): Promise<T> {
  const timings = o.timings ?? DEFAULT_TIMINGS;
  for (;;) {
    if (o.signal.aborted) throw interrupted();
    const existing = await o.done();
    if (existing !== null) return existing;
    const lock = await tryLock(o.lockDir, o.tmpDir, timings);
    if (lock === null) {
      // jitter keeps many waiters from polling an NFS server in lockstep
      await sleep(timings.pollMs * (0.75 + Math.random() / 2), o.signal);
      continue;
    }
    try {
      const raced = await o.done();
      if (raced !== null) return raced;
      return await o.work(lock.lost, () => lock.confirm());
    } catch (e) {
      if (lock.lost.aborted && !o.signal.aborted) continue;
      throw e;
    } finally {
      await lock.release();
    }
  }
}
