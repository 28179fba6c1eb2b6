// The partial file a download writes into: what is already there (to resume), and making it durable.
import { createReadStream } from 'node:fs';
import { open, rm, stat, truncate } from 'node:fs/promises';
import type { Hash } from 'node:crypto';

/** Feeds the partial's bytes to `hash` and returns how many there were (0 when there is no file). */
export async function hashExisting(path: string, hash: Hash, signal: AbortSignal): Promise<number> {
  let size: number;
  try {
    const st = await stat(path);
    if (!st.isFile()) return 0;
    size = st.size;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw err;
  }
  if (size === 0) return 0;
  let n = 0;
  // Read exactly `size` bytes: another writer appending meanwhile must not make hash and offset disagree.
  for await (const chunk of createReadStream(path, { start: 0, end: size - 1, highWaterMark: 1024 * 1024, signal })) {
    hash.update(chunk as Buffer);
    n += (chunk as Buffer).length;
  }
  return n;
}

/** Cuts the partial to `length` bytes (creating nothing when it does not exist). */
export async function truncatePartial(path: string, length: number): Promise<void> {
  try {
    await truncate(path, length);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}

/** Removes the partial; bytes that failed verification must never stay where a later run could trust them. */
export async function removePartial(path: string): Promise<void> {
  await rm(path, { force: true });
}

/** Flushes the file to stable storage, so that a rename by the cache cannot publish bytes still in RAM. */
export async function syncFile(path: string): Promise<void> {
  const fh = await open(path, 'r+');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}
