// Unpacks an `extract: true` archive (a verified blob) into a private folder with node-tar, refusing the whole
// archive at the first entry that breaks archive-rules.ts, then walks the result once more: the tree on disk
// must hold only files, folders and symlinks that resolve inside it.
import { lstat, mkdir, readdir, realpath, rm } from 'node:fs/promises';
import path from 'node:path';
import { NimletError } from '../errors.js';
import { checkEntry, DEFAULT_LIMITS, newArchiveState, type ArchiveLimits } from './archive-rules.js';

/**
 * Errors the file system raises inside the unpack folder because of the archive's own entries: `x` as a file
 * and then `x/y`, or a folder and then a file of the same name. No fault of the disk: the archive is refused.
 */
const ENTRY_COLLISIONS = new Set(['EEXIST', 'ENOTDIR', 'EISDIR', 'ENOTEMPTY']);

function refused(label: string, reason: string): NimletError {
  return new NimletError('io', `refused to unpack ${label}: ${reason}`, {
    hint: 'the archive is unsafe or damaged; fix it at its source (nothing was written outside the cache)',
  });
}

/**
 * The first problem of the unpacked tree at `root`, or null. Symlinks are resolved by the file system, not by
 * their text: a chain of links, each innocent on its own and in any order, must still end inside the tree.
 */
async function auditTree(root: string): Promise<string | null> {
  const realRoot = await realpath(root);
  const stack = [''];
  while (stack.length) {
    const rel = stack.pop()!;
    for (const name of await readdir(path.join(root, rel))) {
      const relPath = rel ? `${rel}/${name}` : name;
      const abs = path.join(root, relPath);
      const st = await lstat(abs);
      if (st.isDirectory()) stack.push(relPath);
      else if (st.isSymbolicLink()) {
        let resolved: string;
        try {
          resolved = await realpath(abs);
        } catch {
          return `${relPath} is a symlink to nothing inside the archive`;
        }
        if (resolved !== realRoot && !resolved.startsWith(realRoot + path.sep)) return `${relPath} points outside the archive`;
      } else if (!st.isFile()) return `${relPath} is not a regular file`;
    }
  }
  return null;
}

/**
 * Unpacks `archive` into `target`, which must not exist yet; on any refusal `target` is removed.
 * node-tar runs non-strict with every warning recorded as the refusal (what strict mode would have thrown): a
 * strict node-tar rejects at the first bad header while the files it already opened are still being written, so
 * removing `target` then raced those writes (ENOTEMPTY, or files left behind). Non-strict, its promise settles
 * only once every write is closed. Only an unrecoverable abort (a broken gzip stream) still rejects early: the
 * removal retries then (rm's maxRetries covers ENOTEMPTY).
 */
export async function extractArchive(archive: string, target: string, label: string, limits: ArchiveLimits = DEFAULT_LIMITS): Promise<void> {
  const tar = await import('tar');
  await mkdir(target, { mode: 0o700 });
  const state = newArchiveState();
  let problem: string | null = null;
  let warning: NodeJS.ErrnoException | null = null;
  try {
    await tar.x({
      file: archive,
      cwd: target,
      strict: false,
      onwarn: (code, message, data) => {
        // The shape strict mode throws (tar's warn-method.ts): the Error itself, or "CODE: message".
        warning ??= data instanceof Error ? data : Object.assign(new Error(`${code}: ${message}`), data);
      },
      preservePaths: false,
      preserveOwner: false,
      maxDepth: limits.maxDepth,
      filter: (p, entry) => {
        if (problem !== null || warning !== null) return false;
        if (!('type' in entry)) return false;
        const why = checkEntry({ type: entry.type, path: p, size: entry.size, linkpath: entry.linkpath }, state, limits);
        // setuid, setgid and sticky bits never come along: unpacked as root they would make privileged files in the cache
        if (typeof entry.mode === 'number') entry.mode &= 0o777;
        if (why !== null) problem = `${JSON.stringify(p.slice(0, 200))}: ${why}`;
        return why === null;
      },
    });
    if (warning !== null) throw warning;
  } catch (e) {
    await rm(target, { recursive: true, force: true, maxRetries: 5 });
    if (problem !== null) throw refused(label, problem);
    const err = e as NodeJS.ErrnoException;
    const rel = typeof err.path === 'string' ? path.relative(target, err.path) : '';
    const insideTarget = rel !== '' && rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel);
    if (ENTRY_COLLISIONS.has(err.code ?? '') && insideTarget) {
      throw refused(label, `${JSON.stringify(rel.slice(0, 200))}: entries collide, one path is both a file and a folder (${err.code} on ${err.syscall ?? 'unpack'})`);
    }
    // A full disk or an unwritable folder is no fault of the archive: the caller reports it as what it is.
    if (err.syscall !== undefined) throw e;
    throw refused(label, err.message);
  }
  problem ??= await auditTree(target);
  if (problem !== null) {
    await rm(target, { recursive: true, force: true });
    throw refused(label, problem);
  }
}
