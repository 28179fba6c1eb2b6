// sha256 of a file on disk, streamed (multi-GB blobs never sit in memory).
import { lstat, readdir, readlink } from 'node:fs/promises';
import path from 'node:path';
import { sha256Regular } from './safe-read.js';

/** sha256 of a regular file, never through a link or from a FIFO or device (safe-read.ts). */
export const sha256File = sha256Regular;

export interface TreeEntry {
  path: string;
  size: number;
  /** Hex sha256 of a file; for a symlink, null (see `link`). */
  sha256: string | null;
  link?: string;
}

/** Every file and symlink under `root` (sorted, POSIX paths), hashed: what an unpacked archive must keep holding. */
export async function hashTree(root: string): Promise<TreeEntry[]> {
  const out: TreeEntry[] = [];
  const walk = async (rel: string): Promise<void> => {
    for (const name of (await readdir(path.join(root, rel))).sort()) {
      const relPath = rel ? `${rel}/${name}` : name;
      const abs = path.join(root, relPath);
      const st = await lstat(abs);
      if (st.isDirectory()) await walk(relPath);
      else if (st.isSymbolicLink()) out.push({ path: relPath, size: 0, sha256: null, link: await readlink(abs) });
      else out.push({ path: relPath, size: st.size, sha256: await sha256File(abs) });
    }
  };
  await walk('');
  return out;
}
