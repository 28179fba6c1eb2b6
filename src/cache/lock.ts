// A per-file lock that works on NFS and Kubernetes RWX volumes: an atomic mkdir (never flock), an owner file,
// and a heartbeat (the lock folder's mtime touched every few seconds). A lock whose heartbeat is stale, or whose
// owner is a dead process on this very host (same hostname and pid namespace: fast takeover after SIGKILL), is
// taken over by renaming it away, which only one contender can do. "Stale" is judged two ways: an mtime older
// than staleMs by our clock, or an mtime that has not moved for staleMs while we watched it, by our own monotonic
// clock — the only judge that holds when the owner's clock is ahead of ours (an mtime in the future never ages).
import { randomBytes } from 'node:crypto';
import { mkdir, readlink, rename, rm, utimes, writeFile, stat } from 'node:fs/promises';
import { readSmall } from './safe-read.js';
import os from 'node:os';
import path from 'node:path';

export interface LockTimings {
  heartbeatMs: number;
  /** A lock not touched for this long is abandoned. Far above heartbeatMs: NFS clocks and caches drift. */
  staleMs: number;
  pollMs: number;
}

export const DEFAULT_TIMINGS: LockTimings = { heartbeatMs: 2_000, staleMs: 30_000, pollMs: 250 };

export interface Owner {
  token: string;
  host: string;
  pid: number;
  since: string;
}

let hostIdentity: string | undefined;
/** hostname plus pid namespace: two containers sharing a hostname (host network) still differ. */
export async function thisHost(): Promise<string> {
  if (hostIdentity === undefined) {
    const ns = await readlink('/proc/self/ns/pid').catch(() => 'no-ns');
    hostIdentity = `${os.hostname()}/${ns}`;
  }
  return hostIdentity;
}

export async function readOwner(dir: string): Promise<Owner | null> {
  try {
    const o = JSON.parse(await readSmall(path.join(dir, 'owner.json'))) as Partial<Owner>;
    if (typeof o.token === 'string' && typeof o.host === 'string' && typeof o.pid === 'number') return o as Owner;
  } catch {
    // missing (owner crashed between mkdir and write) or half-written: judged by the heartbeat alone
  }
  return null;
}

/** Is a process of this pid alive in this pid namespace? (EPERM: alive, owned by another user.) */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The heartbeat this process last saw on each lock it judged: the mtime and owner, and since when (monotonic). */
const watched = new Map<string, { mtimeMs: number; token: string | null; since: number }>();

/** For how long, by our own clock, the lock at `dir` has shown this very heartbeat and owner. */
function unchangedFor(dir: string, mtimeMs: number, token: string | null): number {
  const now = performance.now();
  const seen = watched.get(dir);
  if (seen === undefined || seen.mtimeMs !== mtimeMs || seen.token !== token) {
    watched.set(dir, { mtimeMs, token, since: now });
    return 0;
  }
  return now - seen.since;
}

/** Is the lock at `dir` abandoned, and by which owner (its token; null when owner.json is missing)? */
async function judge(dir: string, timings: LockTimings): Promise<{ stale: boolean; token: string | null } | null> {
  let mtimeMs: number;
  try {
    mtimeMs = (await stat(dir)).mtimeMs;
  } catch {
    watched.delete(dir);
    return null;
  }
  const owner = await readOwner(dir);
  const token = owner?.token ?? null;
  if (Date.now() - mtimeMs > timings.staleMs) return { stale: true, token };
  if (unchangedFor(dir, mtimeMs, token) > timings.staleMs) return { stale: true, token };
  const deadHere = owner !== null && owner.host === (await thisHost()) && owner.pid !== process.pid && !pidAlive(owner.pid);
  return { stale: deadHere, token };
}

/** Is the lock at `dir` abandoned? Null when it vanished meanwhile. */
export async function isStale(dir: string, timings: LockTimings): Promise<boolean | null> {
  return (await judge(dir, timings))?.stale ?? null;
}

/**
 * Removes the lock at `dir` if it is abandoned; true when this process removed it. Rename, not rm: of several
 * processes seeing the same stale lock only one rename succeeds. And the lock renamed must be the one judged:
 * between the verdict and the rename another process may have taken it over and made it fresh (an NFS round
 * trip is enough), and that live lock is put back, not thrown away.
 */
export async function takeOverStale(dir: string, tmpDir: string, timings: LockTimings): Promise<boolean> {
  const verdict = await judge(dir, timings);
  if (verdict?.stale !== true) return false;
  const aside = path.join(tmpDir, `stale-lock-${process.pid}-${randomBytes(6).toString('hex')}`);
  try {
    await rename(dir, aside);
  } catch {
    return false;
  }
  watched.delete(dir);
  if (((await readOwner(aside))?.token ?? null) !== verdict.token) {
    const taken = await stat(dir).then(() => true, () => false);
    if (!taken) await rename(aside, dir).catch(() => undefined);
    await rm(aside, { recursive: true, force: true });
    return false;
  }
  await rm(aside, { recursive: true, force: true });
  return true;
}

export interface HeldLock {
  /** Aborted when another process took the lock over (our heartbeat stalled): stop writing at once. */
  lost: AbortSignal;
  /** True while owner.json still carries our token. */
  stillHeld(): Promise<boolean>;
  /** Checks the lock right before a step that must run under it (a publishing rename): throws, and aborts `lost`, when it was taken over. */
  confirm(): Promise<void>;
  release(): Promise<void>;
}

/** One attempt: the lock, or null when someone else holds it (a stale holder is removed first). */
export async function tryLock(dir: string, tmpDir: string, timings: LockTimings = DEFAULT_TIMINGS): Promise<HeldLock | null> {
  try {
    await mkdir(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    if (!(await takeOverStale(dir, tmpDir, timings))) return null;
    return tryLock(dir, tmpDir, timings);
  }
  const owner: Owner = { token: randomBytes(12).toString('hex'), host: await thisHost(), pid: process.pid, since: new Date().toISOString() };
  await writeFile(path.join(dir, 'owner.json'), JSON.stringify(owner), { flag: 'wx' });
  const lost = new AbortController();
  const stillHeld = async () => (await readOwner(dir))?.token === owner.token;
  const beat = setInterval(() => {
    void (async () => {
      if (!(await stillHeld())) {
        lost.abort(new Error(`lock ${dir} was taken over`));
        return;
      }
      const now = new Date();
      await utimes(dir, now, now).catch(() => undefined);
    })();
  }, timings.heartbeatMs);
  beat.unref();
  return {
    lost: lost.signal,
    stillHeld,
    confirm: async () => {
      if (!lost.signal.aborted && !(await stillHeld())) lost.abort(new Error(`lock ${dir} was taken over`));
      if (lost.signal.aborted) throw lost.signal.reason;
    },
    release: async () => {
      clearInterval(beat);
      if (!(await stillHeld())) return;
      const aside = path.join(tmpDir, `released-lock-${process.pid}-${randomBytes(6).toString('hex')}`);
      await rename(dir, aside).then(() => rm(aside, { recursive: true, force: true })).catch(() => undefined);
    },
  };
}

export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
