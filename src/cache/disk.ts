// Free disk and writability of the cache, checked before the first byte is fetched.
import { constants } from 'node:fs';
import { access, mkdir, rm, stat, statfs, writeFile } from 'node:fs/promises';
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
/**
 * Creating the cache's folders: denied, a file where a folder should be, or ENOENT once every parent exists (a
 * pseudo file system such as /proc, where mkdir says ENOENT for ever).
 */
const NOT_WRITABLE = new Set([...DENIED, 'ENOTDIR', 'EEXIST', 'ENOENT']);

const isFolder = (p: string): Promise<boolean> => stat(p).then((st) => st.isDirectory(), () => false);

/**
 * Creates `dir` and its missing parents, one level at a time. Not `mkdir(recursive)`, which misreports: on a
 * read-only file system it says ENOENT (not EROFS), and under /proc, where mkdir answers ENOENT although the parent
 * exists, it retries for ever and no signal stops it. Made one at a time, each folder fails with its real errno.
 */
export async function makeFolders(dir: string): Promise<void> {
  try {
    await mkdir(dir);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    // EEXIST: a folder (or a link to one) is fine; a file or a dangling link is in the way
    if (code === 'EEXIST') {
      if (await isFolder(dir)) return;
      throw e;
    }
    const parent = path.dirname(dir);
    if (code !== 'ENOENT' || parent === dir) throw e;
    await makeFolders(parent);
    await mkdir(dir).catch(async (again: NodeJS.ErrnoException) => {
      if (again.code !== 'EEXIST' || !(await isFolder(dir))) throw again;
    });
  }
}

/** Creates the cache's folders and proves it can write there (root ignores modes; a read-only mount does not). */
export async function ensureWritable(layout: CacheLayout): Promise<void> {
  try {
    for (const d of [layout.blobs, layout.refs, layout.partials, layout.locks, layout.profiles, layout.tmp, layout.leases, layout.records]) await makeFolders(d);
    const probe = tmpName(layout, 'probe');
    await writeFile(probe, '');
    await rm(probe);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? '';
    if (!NOT_WRITABLE.has(code)) throw e;
    throw notWritable(layout, code, e);
  }
}

function notWritable(layout: CacheLayout, code: string, cause?: unknown): NimletError {
  return new NimletError('cache-not-writable', `cache folder ${layout.root} is not writable (${code})`, {
    hint: `set NIM_CACHE_PATH (or --cache) to a writable folder, or make ${path.resolve(layout.root)} writable by uid ${process.getuid?.() ?? '?'}`,
    ...(cause === undefined ? {} : { cause }),
  });
}

/**
 * What ensureWritable would refuse, found without writing anything (a dry run): the nearest existing folder of
 * the cache root must be a folder this user may write; a file on the way is ENOTDIR, as creating it would say.
 */
export async function checkWritableAhead(layout: CacheLayout): Promise<void> {
  for (let at = path.resolve(layout.root); ; at = path.dirname(at)) {
    const st = await stat(at).catch(() => null);
    if (st !== null) {
      if (!st.isDirectory()) throw notWritable(layout, 'ENOTDIR');
      const denied = await access(at, constants.W_OK).then(() => null, (e: NodeJS.ErrnoException) => e.code ?? 'EACCES');
      if (denied !== null) throw notWritable(layout, denied);
      return;
    }
    if (path.dirname(at) === at) return;
  }
}

/** A cache entry of the wrong kind: a folder where a blob or ref belongs, a file where a folder belongs. */
const WRONG_KIND = new Set(['EISDIR', 'ENOTDIR', 'EEXIST', 'ENOTEMPTY']);

const inside = (dir: string, p: string): boolean => {
  const rel = path.relative(dir, p);
  return rel !== '' && rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel);
};

/**
 * The folder (or file) this user may not write that made `err` fail. For a rename or link Node's `path` is the
 * source and `dest` the target: either parent may be the one denied, so each is asked, the target's first.
 */
async function deniedAt(err: NodeJS.ErrnoException & { dest?: string }): Promise<string | null> {
  const candidates = [err.dest, err.path].filter((p): p is string => typeof p === 'string').flatMap((p) => [path.dirname(p), p]);
  for (const p of candidates) {
    const denied = await access(p, constants.W_OK).then(() => false, (e: NodeJS.ErrnoException) => e.code !== 'ENOENT');
    if (denied) return p;
  }
  return null;
}

/**
 * A raw file-system error met while filling or publishing the cache, as the error a user can act on: a full
 * disk (74), a folder this user may not write (73: on a shared volume another pod's uid may own `locks/` or
 * `blobs/`), an entry of the wrong kind (74: the cache was damaged by hand or by another tool), else null (the
 * caller rethrows it as it is).
 */
export async function cacheFsError(e: unknown, layout: CacheLayout): Promise<NimletError | null> {
  if (e instanceof NimletError || !(e instanceof Error)) return null;
  const err = e as NodeJS.ErrnoException & { dest?: string };
  const where = err.path ?? layout.root;
  if (err.code === 'ENOSPC' || err.code === 'EDQUOT') {
    return new NimletError('disk-full', `no space left on the device under ${layout.root} (${err.syscall ?? 'write'} ${where})`, {
      hint: 'free space there (nimlet cache prune removes what the manifest no longer needs) or set NIM_CACHE_PATH to a larger volume',
      cause: e,
    });
  }
  if (DENIED.has(err.code ?? '')) {
    const denied = await deniedAt(err);
    return new NimletError('cache-not-writable', `cannot write in the cache: ${err.code} on ${denied ?? where}`, {
      hint: `make ${denied ?? path.dirname(where)} writable by uid ${process.getuid?.() ?? '?'} (a volume shared by pods needs one uid or group-writable folders), or set NIM_CACHE_PATH elsewhere`,
      cause: e,
    });
  }
  // Under tmp/ nimlet builds from the manifest's own paths: a clash there is no damage of the cache.
  const damaged = [err.dest, err.path].find((p): p is string => typeof p === 'string' && inside(layout.root, p) && !inside(layout.tmp, p));
  if (WRONG_KIND.has(err.code ?? '') && damaged !== undefined) {
    return new NimletError('io', `the cache is damaged: ${err.code} on ${err.syscall ?? 'access'} ${damaged} (an entry of the wrong kind, not made by nimlet)`, {
      hint: `remove ${damaged} and run again (nimlet cache verify checks the rest; nimlet cache prune removes what no profile needs)`,
      cause: e,
    });
  }
  return null;
}
