// Reading what another pod may have planted in the cache (DESIGN §15): never through a symlink (O_NOFOLLOW), never
// blocking on a FIFO (O_NONBLOCK), only a regular file. Used for every file nimlet reads back from the volume.
import { createHash } from 'node:crypto';
import { constants } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';

const FLAGS = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;

/** Opens `file` for reading when it is a regular file; throws ELOOP (a link), or EINVAL naming what it is. */
export async function openRegular(file: string): Promise<FileHandle> {
  const fh = await open(file, FLAGS);
  try {
    const st = await fh.stat();
    if (!st.isFile()) {
      const kind = st.isFIFO() ? 'a FIFO' : st.isCharacterDevice() || st.isBlockDevice() ? 'a device' : st.isSocket() ? 'a socket' : 'a folder';
      throw Object.assign(new Error(`${kind}, not a regular file`), { code: 'EINVAL', syscall: 'open', path: file });
    }
    return fh;
  } catch (e) {
    await fh.close();
    throw e;
  }
}

/** The text of a small regular file (at most `maxBytes`), or '' when it is missing, too large or no regular file. */
export async function readSmall(file: string, maxBytes = 4096): Promise<string> {
  try {
    const fh = await openRegular(file);
    try {
      return (await fh.stat()).size <= maxBytes ? await fh.readFile('utf8') : '';
    } finally {
      await fh.close();
    }
  } catch {
    return '';
  }
}

/** The sha256 of a regular file, streamed (multi-GB blobs never sit in memory); a link, FIFO or device throws. */
export async function sha256Regular(file: string): Promise<string> {
  const fh = await openRegular(file);
  const hash = createHash('sha256');
  for await (const chunk of fh.createReadStream({ highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Words for a failed read in a report: "a symbolic link" for ELOOP, else the error's message. */
export function unreadable(e: NodeJS.ErrnoException): string {
  return e.code === 'ELOOP' ? 'a symbolic link, not a regular file' : e.message;
}
