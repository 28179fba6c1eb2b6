// create-model-store: a published workspace copied out as plain files (real copies, never links into the
// cache), for air-gapped use with NIM_MODEL_NAME=DIR. Each file lands under a temporary name first and is
// renamed into place, so an interrupted export never leaves a truncated file under its real name.
import { randomBytes } from 'node:crypto';
import { chmod, copyFile, cp, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { EXIT, NimletError } from '../errors.js';
import { STORE_RECORD, storeRecordText } from '../manifest/store-record.js';
import type { Profile } from '../manifest/types.js';
import { makeFolders } from './disk.js';
import type { Marker } from './marker.js';

/** The model store may not be created or written there: denied, read-only, or a file in the way. */
const CANNOT_CREATE = new Set(['EACCES', 'EPERM', 'EROFS', 'EEXIST', 'ENOTDIR', 'EISDIR', 'ENOENT', 'ENAMETOOLONG', 'ELOOP']);

const within = (dir: string, p: string): boolean => p === dir || p.startsWith(dir + path.sep);

/** The nearest of `p` and its parents that exists and is no folder: what ENOTDIR tripped on. */
async function fileInTheWay(p: string): Promise<string> {
  for (let at = p; ; at = path.dirname(at)) {
    const st = await stat(at).catch(() => null);
    if ((st !== null && !st.isDirectory()) || path.dirname(at) === at) return at;
  }
}

/** A file-system error met writing into the model store `dest`, as the error a user can act on; else null. */
export async function modelStoreError(e: unknown, dest: string): Promise<NimletError | null> {
  if (e instanceof NimletError || !(e instanceof Error)) return null;
  const err = e as NodeJS.ErrnoException & { dest?: string };
  // copyFile names the cache's side in `path` and the store's in `dest`; an ENOENT there may be either side's
  if (err.code === 'ENOENT' && err.syscall !== 'mkdir') return null;
  const where = [err.dest, err.path].find((p): p is string => typeof p === 'string' && (within(dest, p) || within(p, dest)));
  if (where === undefined) return null;
  if (err.code === 'ENOSPC' || err.code === 'EDQUOT') {
    return new NimletError('disk-full', `no space left on the device of the model store ${dest} (${err.syscall ?? 'write'} ${where})`, {
      hint: 'free space there or choose another --model-store',
      cause: e,
    });
  }
  if (!CANNOT_CREATE.has(err.code ?? '')) return null;
  const blocker = err.code === 'EEXIST' ? where : err.code === 'ENOTDIR' ? await fileInTheWay(where) : null;
  return new NimletError('io', `cannot write the model store ${dest}: ${err.code} on ${err.syscall ?? 'write'} ${where}`, {
    exitCode: EXIT.cacheNotWritable,
    hint: blocker !== null
      ? `${blocker} is a file where a folder is needed: choose another --model-store, or move that file away`
      : `choose a --model-store that uid ${process.getuid?.() ?? '?'} can create and write, or make ${path.dirname(where)} writable`,
    cause: e,
  });
}

/** Creates the model store folder and proves it writable before anything is fetched for it: a bad --model-store fails first. */
export async function prepareModelStore(dest: string): Promise<void> {
  try {
    await makeFolders(dest);
    const probe = path.join(dest, `.nimlet-${randomBytes(6).toString('hex')}.probe`);
    await writeFile(probe, '');
    await rm(probe);
  } catch (e) {
    throw (await modelStoreError(e, dest)) ?? e;
  }
}

export async function exportWorkspace(profile: Profile, workspace: string, marker: Marker, dest: string, signal?: AbortSignal): Promise<{ files: number; bytes: number }> {
  try {
    const done = await copyOut(workspace, marker, dest, signal);
    await writeRecord(profile, marker, dest);
    return done;
  } catch (e) {
    throw (await modelStoreError(e, dest)) ?? e;
  }
}

/** DIR/.nimlet/profile.json (DESIGN §13), written last and renamed into place: a store with it is complete. */
async function writeRecord(profile: Profile, marker: Marker, dest: string): Promise<void> {
  const target = path.join(dest, STORE_RECORD);
  await makeFolders(path.dirname(target));
  const tmp = `${target}.${randomBytes(6).toString('hex')}.tmp`;
  const files = marker.files.map((f) => ({ path: f.path, sha256: f.sha256, size: f.size, extract: f.extract }));
  await writeFile(tmp, storeRecordText(profile, files));
  await rename(tmp, target);
}

async function copyOut(workspace: string, marker: Marker, dest: string, signal?: AbortSignal): Promise<{ files: number; bytes: number }> {
  await makeFolders(dest);
  let bytes = 0;
  for (const f of marker.files) {
    signal?.throwIfAborted();
    const target = path.join(dest, f.path);
    const tmp = path.join(path.dirname(target), `.nimlet-${randomBytes(6).toString('hex')}.tmp`);
    await makeFolders(path.dirname(target));
    try {
      if (f.extract) {
        // verbatimSymlinks: the tree's relative links stay relative (they were checked to stay inside it)
        await cp(path.join(workspace, f.path), tmp, { recursive: true, verbatimSymlinks: true });
        bytes += (f.tree ?? []).reduce((s, e) => s + e.size, 0);
      } else {
        await copyFile(path.join(workspace, f.path), tmp);
        await chmod(tmp, 0o644);
        bytes += f.size;
      }
      await rm(target, { recursive: true, force: true });
      await rename(tmp, target);
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  }
  return { files: marker.files.length, bytes };
}
