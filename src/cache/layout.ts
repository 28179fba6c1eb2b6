// Where everything lives under the cache folder (NIM_CACHE_PATH). One file system, many readers and writers
// (pods on a ReadWriteMany volume, hosts over NFS), so every step that makes something visible is one atomic
// rename, mkdir or link, and nothing relies on flock.
//
//   <cache>/
//     blobs/sha256/<hex>          verified content, named by its sha256, read-only (0444); never written in place
//     refs/uri/<key>              for files the manifest gives no sha256: the hex of the blob fetched from that source
//     partials/<key>              resumable partial downloads; written only by the holder of locks/<key>.lock
//     locks/<key>.lock/           per-file lock: an atomic mkdir; owner.json inside; its mtime is the heartbeat
//     locks/profile-<ws>.lock/    the lock that serialises publishing one profile's workspace
//     profiles/<ws>/              a published workspace: the files at their workspace paths, hard links to blobs
//                                 (copies where linking fails), archives unpacked as real trees
//     profiles/<ws>/.nimlet-complete    the completion marker (JSON), in place before the folder is published
//     leases/<ws>-<pid>-<rnd>.json what a running nimlet serves or fills (lease.ts): prune keeps it; mtime = heartbeat
//     records/<ws>.json           a profile some manifest used (record.ts): prune keeps what it names
//     tmp/                        per-process temporaries on the same file system: workspaces built aside, archives
//                                 being unpacked, stale locks and old workspaces being deleted
//
// <ws> is the workspace key (workspaceKey below): the profile's own normalised entry, so two manifests reusing an id
// with other files never share a folder (DESIGN §15). A folder an earlier nimlet named by the profile id is adopted
// once when its marker proves the same files (marker.ts), else rebuilt from the blobs: nothing is fetched again.
// <key> is the file's sha256 when the manifest states it, else `u-` + the sha256 of its parsed source, so two
// processes fetching the same file always meet on the same lock and the same partial.
import { createHash, randomBytes } from 'node:crypto';
import path from 'node:path';
import type { ParsedSource } from '../manifest/source-uri.js';
import type { Profile, WorkspaceFile } from '../manifest/types.js';

export { COMPLETE_MARKER } from '../manifest/workspace-paths.js';

export interface CacheLayout {
  root: string;
  blobs: string;
  refs: string;
  partials: string;
  locks: string;
  profiles: string;
  tmp: string;
  leases: string;
  records: string;
}

export function cacheLayout(root: string): CacheLayout {
  return {
    root,
    blobs: path.join(root, 'blobs', 'sha256'),
    refs: path.join(root, 'refs', 'uri'),
    partials: path.join(root, 'partials'),
    locks: path.join(root, 'locks'),
    profiles: path.join(root, 'profiles'),
    tmp: path.join(root, 'tmp'),
    leases: path.join(root, 'leases'),
    records: path.join(root, 'records'),
  };
}

const SAFE_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/**
 * The workspace key: sha256 of the profile's canonical tags and files (path, uri, sha256, size, extract), keys
 * sorted. Not the manifest file's bytes: an image upgrade that leaves a profile unchanged re-downloads nothing.
 */
export function workspaceKey(profile: Pick<Profile, 'tags' | 'files' | 'model'>): string {
  // profiles built from one checkpoint (DESIGN §13) share its workspace: engine and tp are launch settings, and
  // the files' URIs already name the repository and commit
  const tags = profile.model !== undefined ? [] : Object.keys(profile.tags).sort().map((k) => [k, profile.tags[k]]);
  const files = [...profile.files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
    .map((f) => [f.path, f.uri, f.sha256, f.size, f.extract]);
  return createHash('sha256').update(JSON.stringify({ tags, files })).digest('hex');
}

/** The folder name an earlier nimlet gave a profile's workspace: its id when a safe file name; read for migration. */
export function profileDirName(id: string): string {
  return SAFE_ID.test(id) ? id : `x-${createHash('sha256').update(id).digest('hex')}`;
}

/** The key naming a file's lock and partial (see the layout above). */
export function fileKey(file: WorkspaceFile, source: ParsedSource): string {
  if (file.sha256) return file.sha256;
  return `u-${sourceKey(source)}`;
}

export function sourceKey(source: ParsedSource): string {
  return createHash('sha256').update(JSON.stringify(source)).digest('hex');
}

export const blobPath = (l: CacheLayout, hex: string): string => path.join(l.blobs, hex);
export const refPath = (l: CacheLayout, source: ParsedSource): string => path.join(l.refs, sourceKey(source));
export const partialPath = (l: CacheLayout, key: string): string => path.join(l.partials, key);
export const lockPath = (l: CacheLayout, key: string): string => path.join(l.locks, `${key}.lock`);
export const workspacePath = (l: CacheLayout, profile: Pick<Profile, 'tags' | 'files' | 'model'>): string => path.join(l.profiles, workspaceKey(profile));

/** A fresh name under tmp/ for this process: `<purpose>-<pid>-<random>`; prune reads the pid back. */
export function tmpName(l: CacheLayout, purpose: string): string {
  return path.join(l.tmp, `${purpose}-${process.pid}-${randomBytes(6).toString('hex')}`);
}
