// What an archive entry may be (pure). node-tar already strips absolute paths and skips `..` and device files,
// but it does so with a warning and goes on; nimlet refuses the whole archive instead, and checks every entry
// itself rather than trusting a library default that a future version might relax.
import path from 'node:path';

export interface ArchiveLimits {
  /** Largest single entry, bytes. */
  maxEntryBytes: number;
  /** All entries together, bytes (the caller passes the free disk, so a bomb is refused before it fills it). */
  maxTotalBytes: number;
  /** Path segments. */
  maxDepth: number;
  maxPathLength: number;
  maxEntries: number;
}

export const DEFAULT_LIMITS: ArchiveLimits = {
  maxEntryBytes: 256 * 2 ** 30,
  maxTotalBytes: 4 * 2 ** 40,
  maxDepth: 64,
  maxPathLength: 4096,
  maxEntries: 1_000_000,
};

/** Entry kinds a model folder needs. Devices, FIFOs, sockets and anything unknown are refused. */
const ALLOWED = new Set(['File', 'OldFile', 'ContiguousFile', 'Directory', 'SymbolicLink', 'Link']);

export interface EntryFacts {
  type: string;
  path: string;
  size: number;
  linkpath: string | undefined;
}

export interface ArchiveState {
  entries: number;
  totalBytes: number;
  /** Normalised paths of symlinks seen: nothing may be written through them. */
  symlinks: Set<string>;
  /** Normalised paths of regular files seen: the only valid hard-link targets. */
  files: Set<string>;
}

export const newArchiveState = (): ArchiveState => ({ entries: 0, totalBytes: 0, symlinks: new Set(), files: new Set() });

/** A relative path's segments, or a reason it is not one. `.` segments and a trailing `/` are dropped. */
function segments(p: string, what: string): string[] | string {
  if (p.includes('\0')) return `${what} contains a NUL byte`;
  if (p.startsWith('/') || /^[A-Za-z]:/.test(p) || p.includes('\\')) return `${what} is absolute or not a POSIX path`;
  const parts = p.split('/').filter((s) => s !== '' && s !== '.');
  if (parts.includes('..')) return `${what} contains '..'`;
  return parts;
}

function viaSymlink(dir: string, target: string, symlinks: Set<string>): boolean {
  const at = dir === '.' ? [] : dir.split('/');
  for (const s of target.split('/')) {
    if (s === '' || s === '.') continue;
    if (s === '..') at.pop();
    else at.push(s);
    if (symlinks.has(at.join('/'))) return true;
  }
  return false;
}

/** Null when the entry is acceptable (and records it in `state`), else why the archive is refused. */
export function checkEntry(e: EntryFacts, state: ArchiveState, limits: ArchiveLimits): string | null {
  if (!ALLOWED.has(e.type)) return `entry type ${e.type} is not allowed (only files, folders and links inside the tree)`;
  if (e.path.length > limits.maxPathLength) return `path is longer than ${limits.maxPathLength} characters`;
  const parts = segments(e.path, 'path');
  if (typeof parts === 'string') return parts;
  if (parts.length > limits.maxDepth) return `path is ${parts.length} levels deep (limit ${limits.maxDepth})`;
  if (++state.entries > limits.maxEntries) return `more than ${limits.maxEntries} entries`;
  if (parts.length === 0) return e.type === 'Directory' ? null : 'entry has an empty path';
  const norm = parts.join('/');
  for (let i = 1; i <= parts.length; i++) {
    const prefix = parts.slice(0, i).join('/');
    if (state.symlinks.has(prefix)) return `path goes through or replaces the symlink ${prefix}`;
  }
  if (!Number.isSafeInteger(e.size) || e.size < 0) return 'entry size is not valid';
  if (e.size > limits.maxEntryBytes) return `entry of ${e.size} bytes is larger than the limit of ${limits.maxEntryBytes}`;
  state.totalBytes += e.size;
  if (state.totalBytes > limits.maxTotalBytes) return `entries total more than ${limits.maxTotalBytes} bytes`;
  if (e.type === 'SymbolicLink') {
    const target = e.linkpath ?? '';
    if (target === '' || target.startsWith('/') || target.includes('\0')) return `symlink target ${JSON.stringify(target)} is absolute or empty`;
    const resolved = path.posix.normalize(path.posix.join(path.posix.dirname(norm), target));
    if (resolved === '..' || resolved.startsWith('../')) return `symlink points outside the archive (${target})`;
    // `..` after another symlink resolves against that link's target, not lexically: refuse the combination.
    if (target.split('/').includes('..') && viaSymlink(path.posix.dirname(norm), target, state.symlinks)) {
      return `symlink target ${target} goes through another symlink`;
    }
    state.symlinks.add(norm);
  } else if (e.type === 'Link') {
    const target = segments(e.linkpath ?? '', 'hard link target');
    if (typeof target === 'string') return target;
    if (!state.files.has(target.join('/'))) return `hard link to ${e.linkpath ?? ''}, which is no earlier file of the archive`;
    state.files.add(norm);
  } else if (e.type !== 'Directory') {
    state.files.add(norm);
  }
  return null;
}
