// `cache prune`: what nothing needs — workspaces, blobs, source refs and partials that neither the manifest, nor a
// live lease (a running nimlet serving or filling it), nor a record (a profile another manifest used on this shared
// cache) names — plus temporaries older than an hour of dead processes, abandoned locks, stale leases and expired
// records. A lock whose holder is alive, and the partial it guards, are never touched.
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import { readSmall } from './safe-read.js';
import path from 'node:path';
import type { Manifest } from '../manifest/types.js';
import { parseSourceUri } from '../manifest/source-uri.js';
import { fileKey, sourceKey, workspaceKey } from './layout.js';
import { readLeases, type Needs } from './lease.js';
import { readRecords } from './record.js';
import { list, type Inventory } from './inventory.js';
import { DEFAULT_TIMINGS, isStale, pidAlive, takeOverStale } from './lock.js';

export const TMP_MAX_AGE_MS = 60 * 60 * 1000;

export interface PruneItem {
  kind: 'workspace' | 'blob' | 'ref' | 'partial' | 'temporary' | 'lock' | 'lease' | 'record' | 'legacy';
  path: string;
  bytes: number;
}

/** Something prune leaves, and why: the first reason found (the manifest, a live lease, a record). */
export interface KeptItem { kind: 'workspace' | 'blob' | 'ref' | 'partial'; path: string; why: string }

/** What each reason keeps, by kind: workspace keys, blob hexes, file keys (partials), source keys (refs). */
type Keep = Record<'workspaces' | 'blobs' | 'keys' | 'refs', Map<string, string>>;

function add(keep: Keep, needs: Needs, why: string): void {
  for (const k of ['workspaces', 'blobs', 'keys', 'refs'] as const) for (const v of needs[k]) if (!keep[k].has(v)) keep[k].set(v, why);
}

async function manifestNeeds(inv: Inventory, manifest: Manifest): Promise<Needs> {
  const needs: Needs = { workspaces: [], blobs: [], keys: [], refs: [] };
  for (const p of manifest.profiles) {
    needs.workspaces.push(workspaceKey(p));
    for (const f of p.files) {
      const parsed = parseSourceUri(f.uri, manifest.dir);
      if (!parsed.ok) continue;
      needs.keys.push(fileKey(f, parsed.source));
      if (f.sha256) needs.blobs.push(f.sha256);
      else needs.refs.push(sourceKey(parsed.source));
    }
  }
  return needs;
}

async function keepSets(inv: Inventory, manifest: Manifest, now: number): Promise<{ keep: Keep; stale: PruneItem[] }> {
  const keep: Keep = { workspaces: new Map(), blobs: new Map(), keys: new Map(), refs: new Map() };
  add(keep, await manifestNeeds(inv, manifest), `named by the manifest ${manifest.file}`);
  const leases = await readLeases(inv.layout, DEFAULT_TIMINGS, now);
  for (const l of leases.live) add(keep, l, `in use by the running nimlet ${l.holder} (a lease)`);
  const records = await readRecords(inv.layout, now);
  for (const r of records.kept) add(keep, r, `profile ${r.profile} of the manifest in ${r.manifestDir} used this cache (a record)`);
  // files without a sha256: the blob their source ref names; a kept workspace: the blobs its marker names
  for (const [ref, why] of keep.refs) {
    const hex = (await readSmall(path.join(inv.layout.refs, ref))).trim();
    if (hex && !keep.blobs.has(hex)) keep.blobs.set(hex, why);
  }
  for (const ws of inv.workspaces) {
    const why = keep.workspaces.get(ws.name);
    if (why !== undefined) for (const f of ws.marker?.files ?? []) if (!keep.blobs.has(f.sha256)) keep.blobs.set(f.sha256, why);
  }
  const stale = [
    ...leases.stale.map((p) => ({ kind: 'lease' as const, path: p, bytes: 0 })),
    ...records.expired.map((p) => ({ kind: 'record' as const, path: p, bytes: 0 })),
  ];
  return { keep, stale };
}

/** Everything prune would remove and everything it keeps with its reason; `--dry-run` prints both. */
export async function prunePlan(inv: Inventory, manifest: Manifest, now = Date.now()): Promise<{ remove: PruneItem[]; kept: KeptItem[] }> {
  const { keep, stale } = await keepSets(inv, manifest, now);
  const { layout } = inv;
  const out: PruneItem[] = [...stale];
  const kept: KeptItem[] = [];
  const liveLocks = new Set<string>();
  for (const name of await list(layout.locks)) {
    const isStaleLock = await isStale(path.join(layout.locks, name), DEFAULT_TIMINGS);
    if (isStaleLock === true) out.push({ kind: 'lock', path: path.join(layout.locks, name), bytes: 0 });
    else liveLocks.add(name.replace(/\.lock$/, ''));
  }
  const judge = (kind: KeptItem['kind'], why: string | undefined, p: string, bytes: number) => {
    if (why === undefined) out.push({ kind, path: p, bytes });
    else kept.push({ kind, path: p, why });
  };
  for (const ws of inv.workspaces) judge('workspace', keep.workspaces.get(ws.name), ws.dir, 0);
  for (const b of inv.blobs) judge('blob', keep.blobs.get(b.hex), path.join(layout.blobs, b.hex), b.bytes);
  for (const r of await list(layout.refs)) judge('ref', keep.refs.get(r), path.join(layout.refs, r), 0);
  for (const p of inv.partials) {
    const key = p.key.replace(/\.ranges$/, ''); // a ranged download's map goes and stays with its partial (fetch/range-map.ts)
    const why = keep.keys.get(key) ?? (liveLocks.has(key) ? 'being downloaded (its lock is live)' : undefined);
    judge('partial', why, path.join(layout.partials, p.key), p.bytes);
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
  // an earlier nimlet's compiled manifest copies: never read now (they left the shared volume, DESIGN §15)
  const legacy = path.join(layout.root, 'manifests');
  if (await stat(legacy).then((st) => st.isDirectory(), () => false)) out.push({ kind: 'legacy', path: legacy, bytes: 0 });
  return { remove: out, kept };
}

/** What prune would remove (see prunePlan). */
export async function planPrune(inv: Inventory, manifest: Manifest, now = Date.now()): Promise<PruneItem[]> {
  return (await prunePlan(inv, manifest, now)).remove;
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
