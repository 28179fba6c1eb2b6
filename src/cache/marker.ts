// The completion marker of a published workspace: written last, so a folder without it (a crash between the
// rename and the marker) is never taken for whole. It records what was published, for `cache verify`.
import { lstat, rename } from 'node:fs/promises';
import path from 'node:path';
import type { Profile } from '../manifest/types.js';
import { cacheLayout, COMPLETE_MARKER, profileDirName, workspaceKey, workspacePath } from './layout.js';
import { readSmall } from './safe-read.js';

export interface TreeEntry { path: string; size: number; sha256: string | null; link?: string }

export interface Marker {
  version: 1;
  id: string;
  name: string;
  /** The workspace key (layout.ts) it was built for; absent in a marker an earlier nimlet wrote. */
  key?: string;
  files: Array<{
    path: string;
    /** sha256 of the blob (the archive, for an extracted folder). */
    sha256: string;
    size: number;
    extract: boolean;
    tree?: TreeEntry[];
  }>;
  completedAt: string;
}

// Checked by hand, not with zod: reading a marker is the whole warm path of serve and download-to-cache, and
// loading zod costs more than the rest of it (bench/download.mjs, warm run against `select`).
type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const isStr = (v: unknown): v is string => typeof v === 'string';
const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isTreeEntry = (e: unknown): boolean =>
  isObj(e) && isStr(e.path) && isNum(e.size) && (e.sha256 === null || isStr(e.sha256)) && (e.link === undefined || isStr(e.link));
const isFile = (f: unknown): boolean =>
  isObj(f) && isStr(f.path) && isStr(f.sha256) && isNum(f.size) && typeof f.extract === 'boolean'
  && (f.tree === undefined || (Array.isArray(f.tree) && f.tree.every(isTreeEntry)));

/** The marker's JSON, if it has the shape of version 1; null otherwise. */
export function parseMarker(json: unknown): Marker | null {
  if (!isObj(json) || json.version !== 1 || !isStr(json.id) || !isStr(json.name) || !isStr(json.completedAt)) return null;
  if (json.key !== undefined && !isStr(json.key)) return null;
  return Array.isArray(json.files) && json.files.every(isFile) ? (json as unknown as Marker) : null;
}

export async function readMarker(workspace: string): Promise<Marker | null> {
  try {
    // a marker lists every unpacked file: generous, but bounded (a planted huge file or FIFO must not stall a start)
    return parseMarker(JSON.parse(await readSmall(path.join(workspace, COMPLETE_MARKER), 64 << 20)));
  } catch {
    return null;
  }
}

/** Does the marker describe this profile's current files (a manifest that changed a file's sha256 does not match)? */
export function markerMatches(marker: Marker, profile: Profile): boolean {
  // generated profiles of one checkpoint share a workspace (layout.ts): its key, not the id, says whose it is
  const shared = profile.model !== undefined && marker.key === workspaceKey(profile);
  if ((marker.id !== profile.id && !shared) || marker.files.length !== profile.files.length) return false;
  if (marker.key !== undefined && marker.key !== workspaceKey(profile)) return false;
  const byPath = new Map(marker.files.map((f) => [f.path, f]));
  return profile.files.every((f) => {
    const m = byPath.get(f.path);
    return m !== undefined && m.extract === f.extract && (f.sha256 === null || f.sha256 === m.sha256) && (f.size === null || f.extract || f.size === m.size);
  });
}

async function complete(dir: string, profile: Profile): Promise<boolean> {
  const marker = await readMarker(dir);
  if (marker === null || !markerMatches(marker, profile)) return false;
  // Someone may have deleted files by hand: a workspace missing a file is not complete.
  const present = await Promise.all(marker.files.map((f) => lstat(path.join(dir, f.path)).then(() => true, () => false)));
  return present.every(Boolean);
}

/**
 * A workspace an earlier nimlet published under the profile's id, moved once to its key: only when every file has
 * a sha256 (the marker then proves the same bytes; files known by source alone could be another manifest's).
 */
async function adoptOld(profile: Profile, cacheDir: string, target: string): Promise<boolean> {
  if (profile.files.some((f) => f.sha256 === null)) return false;
  const old = path.join(cacheLayout(cacheDir).profiles, profileDirName(profile.id));
  if (!(await complete(old, profile))) return false;
  // one rename: of many processes one moves it, the others find it at the target
  await rename(old, target).catch(() => undefined);
  return complete(target, profile);
}

/** The published, complete workspace of `profile` under `cacheDir`, or null. No network, no lock. */
export async function findCompleteWorkspace(profile: Profile, cacheDir: string): Promise<string | null> {
  const dir = workspacePath(cacheLayout(cacheDir), profile);
  if (await complete(dir, profile)) return dir;
  return (await adoptOld(profile, cacheDir, dir)) ? dir : null;
}
