// Two contenders judge the same lock abandoned; one's rename arrives late (an NFS round trip), after the other
// has taken the lock over and made it fresh. The late one must not steal that live lock.
import { mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

const delay = vi.hoisted(() => ({ next: 0 }));
vi.mock('node:fs/promises', async (original) => {
  const fs = await original<typeof import('node:fs/promises')>();
  return {
    ...fs,
    rename: async (from: string, to: string) => {
      if (delay.next > 0 && to.includes('stale-lock-')) {
        const ms = delay.next;
        delay.next = 0;
        await new Promise((r) => setTimeout(r, ms));
      }
      return fs.rename(from, to);
    },
  };
});

const { tryLock } = await import('../../src/cache/lock.js');
const timings = { heartbeatMs: 60_000, staleMs: 30_000, pollMs: 10 };
let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'nimlet-lock-race-'));
  await mkdir(path.join(dir, 'tmp'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe('taking over an abandoned lock', () => {
  it('a rename that arrives after another contender took the lock over puts the live lock back', async () => {
    const lock = path.join(dir, 'f.lock');
    await mkdir(lock);
    await writeFile(path.join(lock, 'owner.json'), JSON.stringify({ token: 'dead', host: 'elsewhere', pid: 1, since: '' }));
    const old = new Date(Date.now() - 120_000);
    await utimes(lock, old, old);
    delay.next = 100; // the first contender's rename is the late one
    const [late, quick] = await Promise.all([tryLock(lock, path.join(dir, 'tmp'), timings), tryLock(lock, path.join(dir, 'tmp'), timings)]);
    expect(late).toBeNull();
    expect(quick).not.toBeNull();
    expect(await quick!.stillHeld()).toBe(true);
    await expect(quick!.confirm()).resolves.toBeUndefined();
    await quick!.release();
  });
});
