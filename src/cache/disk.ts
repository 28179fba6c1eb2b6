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

const NOT_WRITABLE = new Set(['EACCES', 'EPERM', 'EROFS', 'ENOTDIR', 'EEXIST']);

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
