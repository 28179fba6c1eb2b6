// "Done once across processes": whoever gets a file's lock does the work; everyone else polls until the result
// appears (or the lock is abandoned and they take it over).
import { DEFAULT_TIMINGS, readOwner, sleep, tryLock, type LockTimings, type Owner } from './lock.js';

export interface OnceOptions<T> {
  lockDir: string;
  tmpDir: string;
  /** Stops the waiting; its reason (the CLI's interruption) is what is thrown. */
  signal: AbortSignal;
  timings?: LockTimings;
  /** The result when it already exists (another process finished), else null. */
  done: () => Promise<T | null>;
  /**
   * Runs under the lock; `lost` aborts when the lock was taken over, then the loop starts again. `confirm`
   * checks the lock on the spot (the heartbeat only looks every few seconds): call it before publishing.
   */
  work: (lost: AbortSignal, confirm: () => Promise<void>) => Promise<T>;
  /**
   * Told who holds the lock while we wait: once the wait outlasts a heartbeat (shorter is ordinary contention),
   * then every staleMs. A wait with no word is indistinguishable from a hang.
   */
  onWait?: (holder: Owner | null) => void;
}

/** The line a waiter prints: what it waits for, and who holds it since when. */
export function waitingLine(what: string, holder: Owner | null, timings: LockTimings = DEFAULT_TIMINGS): string {
  // the host is shown without its pid namespace (hostname/ns): the namespace tells a person nothing
  const since = typeof holder?.since === 'string' && holder.since !== '' ? ` since ${holder.since}` : '';
  const who = holder === null ? 'locked (its owner not recorded yet)' : `locked by ${holder.host.split('/')[0]} pid ${holder.pid}${since}`;
  return `waiting for ${what}, ${who}; taken over if its heartbeat stops for ${Math.round(timings.staleMs / 1000)} s`;
}

export async function doOnce<T>(o: OnceOptions<T>): Promise<T> {
  const timings = o.timings ?? DEFAULT_TIMINGS;
  let waitingSince: number | null = null;
  let nextReport = 0;
  for (;;) {
    o.signal.throwIfAborted();
    const existing = await o.done();
    if (existing !== null) return existing;
    const lock = await tryLock(o.lockDir, o.tmpDir, timings);
    if (lock === null) {
      const now = performance.now();
      waitingSince ??= now;
      if (o.onWait && now - waitingSince >= timings.heartbeatMs && now >= nextReport) {
        nextReport = now + timings.staleMs;
        o.onWait(await readOwner(o.lockDir));
      }
      // jitter keeps many waiters from polling an NFS server in lockstep
      await sleep(timings.pollMs * (0.75 + Math.random() / 2), o.signal);
      continue;
    }
    waitingSince = null;
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
