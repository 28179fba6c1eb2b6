import { mkdir, mkdtemp, readdir, rm, stat, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { doOnce, waitingLine } from '../../src/cache/exclusive.js';
import { isStale, thisHost, tryLock, type LockTimings, type Owner } from '../../src/cache/lock.js';
import { NimletError } from '../../src/errors.js';

let dir: string;
let tmp: string;
const timings: LockTimings = { heartbeatMs: 20, staleMs: 60_000, pollMs: 10 };

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'nimlet-lock-'));
  tmp = path.join(dir, 'tmp');
  await mkdir(tmp);
});
afterEach(() => rm(dir, { recursive: true, force: true }));

async function fakeLock(lock: string, owner: object, ageMs = 0) {
  await mkdir(lock);
  await writeFile(path.join(lock, 'owner.json'), JSON.stringify(owner));
  const t = new Date(Date.now() - ageMs);
  await utimes(lock, t, t);
}

async function deadPid(): Promise<number> {
  const child = await execa(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  return Number(child.stdout);
}

describe('tryLock', () => {
  it('confirm() passes while the lock is ours, and after a takeover throws and aborts lost at once', async () => {
    const lock = path.join(dir, 'c.lock');
    const held = (await tryLock(lock, tmp, { ...timings, heartbeatMs: 60_000 }))!;
    await expect(held.confirm()).resolves.toBeUndefined();
    await writeFile(path.join(lock, 'owner.json'), JSON.stringify({ token: 'someone-else', host: 'h', pid: 1 }));
    await expect(held.confirm()).rejects.toThrow(/was taken over/);
    expect(held.lost.aborted).toBe(true);
    await held.release();
  });

  it('is exclusive, and free again after release', async () => {
    const lock = path.join(dir, 'f.lock');
    const a = await tryLock(lock, tmp, timings);
    expect(a).not.toBeNull();
    expect(await tryLock(lock, tmp, timings)).toBeNull();
    await a!.release();
    const b = await tryLock(lock, tmp, timings);
    expect(b).not.toBeNull();
    await b!.release();
    expect(await readdir(dir)).toEqual(['tmp']);
  });

  it('takes over at once a lock whose owner is a dead process on this host (SIGKILL)', async () => {
    const lock = path.join(dir, 'f.lock');
    await fakeLock(lock, { token: 't', host: await thisHost(), pid: await deadPid(), since: '' });
    expect(await isStale(lock, timings)).toBe(true);
    const got = await tryLock(lock, tmp, timings);
    expect(got).not.toBeNull();
    await got!.release();
  });

  it('leaves alone a fresh lock of a live process, or of another host', async () => {
    const a = path.join(dir, 'a.lock');
    await fakeLock(a, { token: 't', host: await thisHost(), pid: process.ppid, since: '' });
    expect(await tryLock(a, tmp, timings)).toBeNull();
    const b = path.join(dir, 'b.lock');
    await fakeLock(b, { token: 't', host: 'other-host/pid:[1]', pid: await deadPid(), since: '' });
    expect(await tryLock(b, tmp, timings)).toBeNull();
  });

  it('takes over a lock whose heartbeat is stale, even from another host or without an owner file', async () => {
    const a = path.join(dir, 'a.lock');
    await fakeLock(a, { token: 't', host: 'other-host/pid:[1]', pid: 1, since: '' }, 120_000);
    expect(await tryLock(a, tmp, timings)).not.toBeNull();
    const b = path.join(dir, 'b.lock');
    await mkdir(b);
    const old = new Date(Date.now() - 120_000);
    await utimes(b, old, old);
    expect(await tryLock(b, tmp, timings)).not.toBeNull();
  });

  it('keeps the heartbeat going, and signals `lost` when another process took the lock over', async () => {
    const lock = path.join(dir, 'f.lock');
    const held = (await tryLock(lock, tmp, timings))!;
    const old = new Date(Date.now() - 120_000);
    await utimes(lock, old, old);
    for (let i = 0; i < 500 && (await stat(lock)).mtimeMs < Date.now() - 60_000; i++) await new Promise((r) => setTimeout(r, 10));
    expect((await stat(lock)).mtimeMs).toBeGreaterThan(Date.now() - 60_000);
    await writeFile(path.join(lock, 'owner.json'), JSON.stringify({ token: 'someone-else', host: 'h', pid: 1, since: '' }));
    for (let i = 0; i < 500 && !held.lost.aborted; i++) await new Promise((r) => setTimeout(r, 10));
    expect(held.lost.aborted).toBe(true);
    await held.release();
    // release never removes a lock it no longer owns
    expect(await readdir(lock)).toEqual(['owner.json']);
  });
});

describe('a lock whose mtime is in the future (the clock of its host is ahead of ours)', () => {
  const watch: LockTimings = { heartbeatMs: 20, staleMs: 200, pollMs: 10 };
  const year2099 = new Date('2099-01-01T00:00:00Z');
  const owner = { token: 't', host: 'other-host/pid:[1]', pid: 4242, since: '2099-01-01T00:00:00.000Z' };
  /** Lets more than staleMs pass on this process's own clock. */
  const outlast = async (ms: number) => {
    const start = performance.now();
    while (performance.now() - start <= ms) await new Promise((r) => setTimeout(r, ms / 4));
  };

  it('is live while its mtime moves, and stale once it has not moved for staleMs of our watching', async () => {
    const lock = path.join(dir, 'future.lock');
    await fakeLock(lock, owner);
    await utimes(lock, year2099, year2099);
    expect(await isStale(lock, watch)).toBe(false);
    await outlast(watch.staleMs);
    // a heartbeat from the fast clock: the mtime moved, so the holder is alive and the watch starts again
    const beat = new Date(year2099.getTime() + 2000);
    await utimes(lock, beat, beat);
    expect(await isStale(lock, watch)).toBe(false);
    await outlast(watch.staleMs);
    expect(await isStale(lock, watch)).toBe(true);
  });

  it('doOnce says who holds it while waiting, then takes it over and does the work', async () => {
    const lock = path.join(dir, 'k.lock');
    await fakeLock(lock, owner);
    await utimes(lock, year2099, year2099);
    const told: (Owner | null)[] = [];
    const result = await doOnce({
      lockDir: lock, tmpDir: tmp, signal: new AbortController().signal, timings: watch,
      done: async () => null, work: async () => 'mine', onWait: (holder) => told.push(holder),
    });
    expect(result).toBe('mine');
    expect(told[0]).toEqual(owner);
    expect(waitingLine('config.json (profile p)', told[0]!)).toBe(
      'waiting for config.json (profile p), locked by other-host pid 4242 since 2099-01-01T00:00:00.000Z; taken over if its heartbeat stops for 30 s',
    );
  }, 30_000);
});

describe('doOnce', () => {
  it('runs the work once among many contenders; the others get its result', async () => {
    let runs = 0;
    let result: string | null = null;
    const contenders = Array.from({ length: 6 }, () =>
      doOnce({
        lockDir: path.join(dir, 'k.lock'),
        tmpDir: tmp,
        signal: new AbortController().signal,
        timings,
        done: async () => result,
        work: async () => {
          runs++;
          await new Promise((r) => setTimeout(r, 100));
          result = 'blob';
          return result;
        },
      }),
    );
    expect(await Promise.all(contenders)).toEqual(Array(6).fill('blob'));
    expect(runs).toBe(1);
  });

  it('stops waiting with the abort\'s own reason', async () => {
    const lock = path.join(dir, 'k.lock');
    await fakeLock(lock, { token: 't', host: await thisHost(), pid: process.ppid, since: '' });
    const ac = new AbortController();
    const waiting = doOnce({ lockDir: lock, tmpDir: tmp, signal: ac.signal, timings, done: async () => null, work: async () => 'x' });
    // the CLI aborts with its interruption as the reason (cli/interrupt.ts): that very error comes back
    const reason = new NimletError('interrupted', 'interrupted by SIGTERM', { exitCode: 143 });
    setTimeout(() => ac.abort(reason), 50);
    await expect(waiting).rejects.toBe(reason);
  });
});
