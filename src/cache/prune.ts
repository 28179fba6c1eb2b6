// `cache prune`: what no profile of the manifest needs — other profiles' workspaces, blobs, source refs and
// partials nobody will resume — plus temporaries older than an hour and abandoned locks. A lock whose holder
// is alive, and the partial it guards, are never touched.
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import { readSmall } from './safe-read.js';
import path from 'node:path';
import type { Manifest } from '../manifest/types.js';
import { parseSourceUri } from '../manifest/source-uri.js';
import { fileKey, refPath, sourceKey, workspaceKey } from './layout.js';
import { list, type Inventory } from './inventory.js';
import { DEFAULT_TIMINGS, isStale, pidAlive, takeOverStale } from './lock.js';

export const TMP_MAX_AGE_MS = 60 * 60 * 1000;

export interface PruneItem {
  kind: 'workspace' | 'blob' | 'ref' | 'partial' | 'temporary' | 'lock';
  path: string;
  bytes: number;
}

async function neededSets(inv: Inventory, manifest: Manifest) {
  const workspaces = new Set<string>();
  const blobs = new Set<string>();
  const refs = new Set<string>();
  const keys = new Set<string>();
  for (const p of manifest.profiles) {
    workspaces.add(workspaceKey(p));
    for (const f of p.files) {
      const parsed = parseSourceUri(f.uri, manifest.dir);
      if (!parsed.ok) continue;
      keys.add(fileKey(f, parsed.source));
      if (f.sha256) blobs.add(f.sha256);
      else {
        refs.add(sourceKey(parsed.source));
        const hex = (await readSmall(refPath(inv.layout, parsed.source))).trim();
        if (hex) blobs.add(hex);
      }
    }
  }
  for (const ws of inv.workspaces) {
    if (workspaces.has(ws.name)) for (const f of ws.marker?.files ?? []) blobs.add(f.sha256);
  }
  return { workspaces, blobs, refs, keys };
}

export async function planPrune(inv: Inventory, manifest: Manifest, now = Date.now()): Promise<PruneItem[]> {
  const need = await neededSets(inv, manifest);
  const { layout } = inv;
  const out: PruneItem[] = [];
  const liveLocks = new Set<string>();
  for (const name of await list(layout.locks)) {
    const stale = await isStale(path.join(layout.locks, name), DEFAULT_TIMINGS);
    if (stale === true) out.push({ kind: 'lock', path: path.join(layout.locks, name), bytes: 0 });
    else liveLocks.add(name.replace(/\.lock$/, ''));
  }
  for (const ws of inv.workspaces) if (!need.workspaces.has(ws.name)) out.push({ kind: 'workspace', path: ws.dir, bytes: 0 });
  for (const b of inv.blobs) if (!need.blobs.has(b.hex)) out.push({ kind: 'blob', path: path.join(layout.blobs, b.hex), bytes: b.bytes });
  for (const r of await list(layout.refs)) if (!need.refs.has(r)) out.push({ kind: 'ref', path: path.join(layout.refs, r), bytes: 0 });
  for (const p of inv.partials) {
    if (!need.keys.has(p.key) && !liveLocks.has(p.key)) out.push({ kind: 'partial', path: path.join(layout.partials, p.key), bytes: p.bytes });
  }
  for (const t of await list(layout.tmp)) {
    // `<purpose>-<pid>-<random>` (layout.ts): a process of that pid alive here may still be building in it.
    const pid = Number(/-(\d+)-[0-9a-f]{12}$/.exec(t)?.[1] ?? NaN);
    if (Number.isSafeInteger(pid) && pid > 0 && pidAlive(pid)) continue;
    const st = await stat(path.join(layout.tmp, t)).catch(() => null);
    if (st === null) continue;
    // A folder's own mtime stops moving while files deep inside are still written (a long unpack).
    const newest = st.isDirectory() ? await newestMtime(path.join(layout.tmp, t), st.mtimeMs) : st.mtimeMs;
    if (now - newest > TMP_MAX_AGE_MS) out.push({ kind: 'temporary', path: path.join(layout.tmp, t), bytes: st.isFile() ? st.size : 0 });
  }
  return out;
}

/** The newest mtime in a tree (looking at no more than `budget` entries: temporaries are small or few-level). */
async function newestMtime(dir: string, own: number, budget = 10_000): Promise<number> {
  let newest = own;
  const entries = await readdir(dir, { recursive: true }).catch(() => [] as string[]);
  for (const rel of entries.slice(0, budget)) {
    const st = await stat(path.join(dir, String(rel))).catch(() => null);
    if (st && st.mtimeMs > newest) newest = st.mtimeMs;
  }
  return newest;
}

/** Removes the planned items; resolves to those removed (a lock made live again since the plan stays). */
export async function applyPrune(items: readonly PruneItem[], tmpDir: string): Promise<PruneItem[]> {
  if (items.some((i) => i.kind === 'lock')) await mkdir(tmpDir, { recursive: true });
  const removed: PruneItem[] = [];
  for (const item of items) {
    // A lock is judged again and taken over by rename: a waiter may have taken it over and made it live since.
    if (item.kind === 'lock') {
      if (await takeOverStale(item.path, tmpDir, DEFAULT_TIMINGS)) removed.push(item);
    } else {
      await rm(item.path, { recursive: true, force: true });
      removed.push(item);
    }
  }
  return removed;
}
