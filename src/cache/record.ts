// The cache records which manifests' profiles have used it (DESIGN §7): one file per profile workspace under
// records/, refreshed (its mtime) each time a nimlet fills or serves that profile. `cache prune` keeps what a
// record names, so a prune run with one model's manifest never removes another model's profiles on a shared
// cache. A record not refreshed for RECORD_KEEP_MS is a profile no manifest has used for that long: prune drops it.
// Records only ever decide what prune keeps; nothing read from one changes what runs (DESIGN §15).
// Beside them, `<workspace key>.on-purpose`: the profile was put there on purpose (download-to-cache --profiles,
// create-model-store), which the selection prefers (DESIGN §6). A separate file, because each use rewrites the record.
// It only ever reorders complete, eligible profiles: one planted for a workspace that is not complete changes nothing.
import { randomBytes } from 'node:crypto';
import { readdir, rename, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { makeFolders } from './disk.js';
import { cacheLayout, workspaceKey, type CacheLayout } from './layout.js';
import { findCompleteWorkspace } from './marker.js';
import type { Profile } from '../manifest/types.js';
import type { Needs } from './lease.js';
import { readSmall } from './safe-read.js';

export const RECORD_KEEP_MS = 30 * 24 * 60 * 60 * 1000;

export interface RecordInfo { profile: string; manifestDir: string }

/** Writes (or refreshes) the record of a profile's workspace. Best effort: a record that cannot be written costs only prune's memory. */
export async function recordUse(l: CacheLayout, info: RecordInfo, needs: Needs): Promise<void> {
  const file = path.join(l.records, `${needs.workspaces[0]}.json`);
  const tmp = path.join(l.tmp, `record-${process.pid}-${randomBytes(6).toString('hex')}`);
  try {
    // a cache an earlier nimlet filled has no records/ yet, and a warm start does not go through ensureWritable
    await makeFolders(l.records);
    await makeFolders(l.tmp);
    await writeFile(tmp, JSON.stringify({ ...info, usedAt: new Date().toISOString(), ...needs }), { flag: 'wx', mode: 0o644 });
    await rename(tmp, file);
  } catch {
    // a read-only cache (serving from a complete workspace) keeps no record: prune cannot run there anyway
  }
}

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

/** The records in use (refreshed within RECORD_KEEP_MS) and the files of the expired ones. */
export async function readRecords(l: CacheLayout, now = Date.now()): Promise<{ kept: (Needs & RecordInfo)[]; expired: string[] }> {
  const kept: (Needs & RecordInfo)[] = [];
  const expired: string[] = [];
  for (const name of (await readdir(l.records).catch(() => [] as string[])).filter((n) => n.endsWith('.json'))) {
    const file = path.join(l.records, name);
    const st = await stat(file).catch(() => null);
    if (st === null) continue;
    if (now - st.mtimeMs > RECORD_KEEP_MS) {
      expired.push(file);
      continue;
    }
    let o: Record<string, unknown> = {};
    try {
      o = JSON.parse(await readSmall(file, 16 << 20)) as Record<string, unknown>;
    } catch {
      continue;
    }
    kept.push({
      profile: String(o.profile ?? '?'), manifestDir: String(o.manifestDir ?? '?'),
      workspaces: strings(o.workspaces), blobs: strings(o.blobs), keys: strings(o.keys), refs: strings(o.refs),
    });
  }
  return { kept, expired };
}

const onPurposeFile = (l: CacheLayout, profile: Profile): string => path.join(l.records, `${workspaceKey(profile)}.on-purpose`);

/** Marks a complete profile as put into the cache on purpose by `by` (a command). Returns an error line, or null when written. */
export async function recordOnPurpose(l: CacheLayout, profile: Profile, by: string): Promise<string | null> {
  const tmp = path.join(l.tmp, `on-purpose-${process.pid}-${randomBytes(6).toString('hex')}`);
  try {
    await makeFolders(l.records);
    await makeFolders(l.tmp);
    await writeFile(tmp, JSON.stringify({ profile: `${profile.id} (${profile.name})`, by, at: new Date().toISOString() }) + '\n', { flag: 'wx', mode: 0o644 });
    await rename(tmp, onPurposeFile(l, profile));
    return null;
  } catch (e) {
    return (e as Error).message;
  }
}

/**
 * Ids of `profiles` marked as cached on purpose AND complete in the cache (checked as a warm start checks them);
 * any error reading is "none": a cache that cannot be read holds nothing to prefer.
 */
export async function findCachedOnPurpose(profiles: readonly Profile[], cacheDir: string): Promise<string[]> {
  const l = cacheLayout(cacheDir);
  const marks = new Set(await readdir(l.records).catch(() => [] as string[]));
  if (marks.size === 0) return [];
  const out: string[] = [];
  for (const p of profiles) {
    if (p.files.length === 0 || !marks.has(path.basename(onPurposeFile(l, p)))) continue;
    if ((await findCompleteWorkspace(p, cacheDir).catch(() => null)) !== null) out.push(p.id);
  }
  return out;
}
