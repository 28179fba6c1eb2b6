// Two contenders judge the same lock abandoned; one's rename arrives late (an NFS round trip), after the other
// has taken the lock over and made it fresh. The late one must not steal that live lock.
import { mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

/** The first rename of a stale lock waits at this gate: the test decides when it lands. */
const gate = vi.hoisted(() => {
  let open!: () => void;
  let reached!: () => void;
  const g = {
    armed: false,
    opened: new Promise<void>((r) => (open = r)),
    reachedP: new Promise<void>((r) => (reached = r)),
    open: () => open(),
    reached: () => reached(),
  };
  return g;
});
vi.mock('node:fs/promises', async (original) => {
  const fs = await original<typeof import('node:fs/promises')>();
  return {
    ...fs,
    rename: async (from: string, to: string) => {
      if (gate.armed && to.includes('stale-lock-')) {
        gate.armed = false;
        gate.reached();
        await gate.opened;
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
    gate.armed = true;
    const late = tryLock(lock, path.join(dir, 'tmp'), timings); // judges the lock abandoned, its rename waits
    await gate.reachedP;
    const quick = await tryLock(lock, path.join(dir, 'tmp'), timings); // takes it over and makes it live meanwhile
    expect(quick).not.toBeNull();
    gate.open(); // now the late rename lands, on the live lock
    expect(await late).toBeNull();
    expect(await quick!.stillHeld()).toBe(true);
    await expect(quick!.confirm()).resolves.toBeUndefined();
    await quick!.release();
  });
});
