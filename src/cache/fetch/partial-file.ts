// The partial file a download writes into: cutting it, removing it, and making it durable.
import { open, rm, truncate } from 'node:fs/promises';

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
