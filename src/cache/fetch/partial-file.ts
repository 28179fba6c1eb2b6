// The partial file a download writes into: opening, cutting, removing and publishing it. Its name is predictable
// (partials/<key>) on a volume other pods write, so it is never opened through a link: every open is O_NOFOLLOW
// and must find a regular file, and the file published is proven to be the one this process wrote (DESIGN §15).
import { constants } from 'node:fs';
import { lstat, open, rename, rm, type FileHandle } from 'node:fs/promises';

/** No link followed; no hang on a FIFO planted in the file's place. */
const SAFE = constants.O_NOFOLLOW | constants.O_NONBLOCK;

function notRegular(path: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${path} is not a regular file (a link, FIFO or device planted in the cache?)`), { code: 'ELOOP', syscall: 'open', path });
}

/**
 * Opens the partial without following a link and only when it is a regular file: `write` creates or empties it,
 * `update` writes into what is there, `read` only reads.
 */
export async function openPartial(path: string, how: 'write' | 'update' | 'read'): Promise<FileHandle> {
  const flags = how === 'write' ? constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC : how === 'update' ? constants.O_RDWR : constants.O_RDONLY;
  const fh = await open(path, flags | SAFE, 0o644);
  try {
    if (!(await fh.stat()).isFile()) throw notRegular(path);
    return fh;
  } catch (e) {
    await fh.close();
    throw e;
  }
}

/**
 * Makes the partial's name safe to use: anything there that is no regular file (a planted symlink, FIFO, device
 * or folder) is removed — the link itself, never its target. Resolves to the bytes a regular partial holds.
 */
export async function claimPartial(path: string): Promise<number> {
  const st = await lstat(path).catch(() => null);
  if (st === null) return 0;
  if (st.isFile()) return st.size;
  await rm(path, { recursive: true, force: true });
  return 0;
}

/** Cuts the partial to `length` bytes (creating nothing when it does not exist). */
export async function truncatePartial(path: string, length: number): Promise<void> {
  let fh: FileHandle;
  try {
    fh = await openPartial(path, 'update');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  try {
    await fh.truncate(length);
  } finally {
    await fh.close();
  }
}

/** Removes the partial; bytes that failed verification must never stay where a later run could trust them. */
export async function removePartial(path: string): Promise<void> {
  await rm(path, { force: true });
  await rm(`${path}.ranges`, { force: true }); // a ranged download's map (range-map.ts): it describes those bytes only
}

/** Flushes the file to stable storage, so that a rename by the cache cannot publish bytes still in RAM. */
export async function syncFile(path: string): Promise<void> {
  const fh = await openPartial(path, 'read');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/**
 * Renames the verified partial to `target` and makes it read-only, proving first and after that the name held
 * the regular file of `size` bytes this process wrote (same inode): a link or another file swapped in between
 * is never published. Throws ELOOP otherwise (the caller drops the partial and fetches again).
 */
export async function publishPartial(path: string, target: string, size: number, renameOnto: (from: string, to: string) => Promise<void> = rename): Promise<void> {
  const fh = await openPartial(path, 'read');
  try {
    const before = await fh.stat();
    if (before.size !== size) throw notRegular(path);
    await renameOnto(path, target);
    const after = await lstat(target);
    if (!after.isFile() || after.ino !== before.ino || after.dev !== before.dev) {
      await rm(target, { force: true });
      throw notRegular(target);
    }
    // Read-only: workspaces hard-link blobs, and an engine writing into its model folder must not edit one. Set
    // through the open file, after the rename: a partial made read-only and then killed would wedge a non-root run.
    await fh.chmod(0o444);
  } finally {
    await fh.close();
  }
}
