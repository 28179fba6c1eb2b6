// Free disk and writability of the cache, checked before the first byte is fetched.
import { mkdir, rm, statfs, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { NimletError } from '../errors.js';
import { formatBytesExact } from '../format-bytes.js';
import { tmpName, type CacheLayout } from './layout.js';

export async function freeBytes(dir: string): Promise<number> {
  const s = await statfs(dir);
  return s.bavail * s.bsize;
}

/** Refuses a download that cannot fit, before any byte is fetched. */
export async function checkFreeSpace(dir: string, needed: number): Promise<void> {
  const free = await freeBytes(dir);
  if (needed > free) {
    throw new NimletError('disk-full', `not enough free disk in ${dir}: the download needs ${formatBytesExact(needed)}, ${formatBytesExact(free)} free`, {
      hint: 'free space there (nimlet cache prune removes what the manifest no longer needs) or set NIM_CACHE_PATH to a larger volume',
    });
  }
}

/** This user may not write there. */
const DENIED = new Set(['EACCES', 'EPERM', 'EROFS']);
/** Creating the cache's folders: denied, or a file where a folder should be. */
const NOT_WRITABLE = new Set([...DENIED, 'ENOTDIR', 'EEXIST']);

/** Creates the cache's folders and proves it can write there (root ignores modes; a read-only mount does not). */
export async function ensureWritable(layout: CacheLayout): Promise<void> {
  try {
    for (const d of [layout.blobs, layout.refs, layout.partials, layout.locks, layout.profiles, layout.tmp]) await mkdir(d, { recursive: true });
    const probe = tmpName(layout, 'probe');
    await writeFile(probe, '');
    await rm(probe);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? '';
    if (!NOT_WRITABLE.has(code)) throw e;
    throw new NimletError('cache-not-writable', `cache folder ${layout.root} is not writable (${code})`, {
      hint: `set NIM_CACHE_PATH (or --cache) to a writable folder, or make ${path.resolve(layout.root)} writable by uid ${process.getuid?.() ?? '?'}`,
      cause: e,
    });
  }
}

/**
 * A raw file-system error met while filling or publishing the cache, as the error a user can act on: a full
 * disk (74), a folder this user may not write (73: on a shared volume another pod's uid may own `locks/` or
 * `blobs/`), else null (the caller rethrows it as it is).
 */
export function cacheFsError(e: unknown, layout: CacheLayout): NimletError | null {
  if (e instanceof NimletError || !(e instanceof Error)) return null;
  const err = e as NodeJS.ErrnoException;
  const where = err.path ?? layout.root;
  if (err.code === 'ENOSPC' || err.code === 'EDQUOT') {
    return new NimletError('disk-full', `no space left on the device under ${layout.root} (${err.syscall ?? 'write'} ${where})`, {
      hint: 'free space there (nimlet cache prune removes what the manifest no longer needs) or set NIM_CACHE_PATH to a larger volume',
      cause: e,
    });
  }
  if (DENIED.has(err.code ?? '')) {
    return new NimletError('cache-not-writable', `cannot write in the cache: ${err.code} on ${where}`, {
      hint: `make ${path.dirname(where)} writable by uid ${process.getuid?.() ?? '?'} (a volume shared by pods needs one uid or group-writable folders), or set NIM_CACHE_PATH elsewhere`,
      cause: e,
    });
  }
  return null;
}

