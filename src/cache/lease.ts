// Leases (DESIGN §7): a running nimlet holds one on each workspace it serves or fills, a file under leases/ with
// a heartbeat (its mtime, like the locks) naming what it needs: the workspace, the blobs, the partials' keys and
// the source refs. `cache prune` never removes anything a live lease names. A lease whose heartbeat stopped (its
// process died or was killed) is stale, and prune removes it. Serve holds its lease until it exits: the heartbeat
// timer does not keep the process alive, and a lease left behind by an exit simply goes stale.
import { randomBytes } from 'node:crypto';
import { readdir, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { DEFAULT_TIMINGS, pidAlive, thisHost, type LockTimings } from './lock.js';
import type { CacheLayout } from './layout.js';
import { readSmall } from './safe-read.js';

/** What a lease or a record keeps from prune. */
export interface Needs {
  workspaces: string[];
  blobs: string[];
  keys: string[];
  refs: string[];
}

export interface Lease {
  /** Adds a blob fetched meanwhile (one whose sha256 the manifest did not state). */
  addBlob(hex: string): Promise<void>;
  release(): Promise<void>;
}

async function writeLease(l: CacheLayout, file: string, body: object): Promise<void> {
  // a fresh exclusive name beside it, then rename: a reader sees the old lease or the new one, whole
  const tmp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
  await writeFile(tmp, JSON.stringify(body), { flag: 'wx', mode: 0o644 });
  await rename(tmp, file);
}

export async function takeLease(l: CacheLayout, needs: Needs, timings: LockTimings = DEFAULT_TIMINGS): Promise<Lease> {
  const file = path.join(l.leases, `${needs.workspaces[0] ?? 'none'}-${process.pid}-${randomBytes(6).toString('hex')}.json`);
  const body = { host: await thisHost(), pid: process.pid, since: new Date().toISOString(), ...needs, blobs: [...needs.blobs] };
  await writeLease(l, file, body);
  const beat = setInterval(() => {
    const now = new Date();
    void utimes(file, now, now).catch(() => undefined);
  }, timings.heartbeatMs);
  beat.unref();
  return {
    async addBlob(hex) {
      if (body.blobs.includes(hex)) return;
      body.blobs.push(hex);
      await writeLease(l, file, body);
    },
    async release() {
      clearInterval(beat);
      await rm(file, { force: true });
    },
  };
}

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

/** The live leases' needs, and the files of the stale ones (for prune to remove). */
export async function readLeases(l: CacheLayout, timings: LockTimings = DEFAULT_TIMINGS, now = Date.now()): Promise<{ live: (Needs & { holder: string })[]; stale: string[] }> {
  const live: (Needs & { holder: string })[] = [];
  const stale: string[] = [];
  const host = await thisHost();
  for (const name of (await readdir(l.leases).catch(() => [] as string[])).filter((n) => n.endsWith('.json'))) {
    const file = path.join(l.leases, name);
    const st = await stat(file).catch(() => null);
    if (st === null) continue;
    let o: Record<string, unknown> = {};
    try {
      o = JSON.parse(await readSmall(file, 16 << 20)) as Record<string, unknown>;
    } catch {
      // unreadable: judged by its heartbeat alone
    }
    const deadHere = o.host === host && typeof o.pid === 'number' && o.pid !== process.pid && !pidAlive(o.pid);
    if (deadHere || now - st.mtimeMs > timings.staleMs) {
      stale.push(file);
      continue;
    }
    const holder = `${String(o.host ?? '?').split('/')[0]} pid ${String(o.pid ?? '?')}`;
    live.push({ holder, workspaces: strings(o.workspaces), blobs: strings(o.blobs), keys: strings(o.keys), refs: strings(o.refs) });
  }
  return { live, stale };
}
