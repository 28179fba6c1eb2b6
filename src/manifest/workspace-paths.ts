// What makes a profile's workspace paths buildable: each one a relative path inside the workspace, and no path
// both a file and a folder of another. The layout readers and the check of a compiled copy (compiled-check.ts)
// share these, so a path the parser refuses is never used from the cache either.
import path from 'node:path';

/** The completion marker the cache writes last at a workspace's root (src/cache/layout.ts): no file may take its name. */
export const COMPLETE_MARKER = '.nimlet-complete';

/** A workspace path: relative, inside the workspace, POSIX separators; null when it is not. */
export function workspacePath(p: string): string | null {
  if (p.includes('\\') || p.includes('\0') || p.startsWith('/')) return null;
  const segments = p.split('/');
  if (segments.includes('..')) return null;
  // NAME_MAX: a longer file name validates here but can never be created (it failed later with exit 70)
  if (segments.some((s) => Buffer.byteLength(s) > 255)) return null;
  // Already normal, as nearly every path is (and every path in a compiled copy must be): no `//`, `.` or trailing /.
  if (segments.every((s) => s !== '' && s !== '.')) return p;
  const normal = path.posix.normalize(p).replace(/\/+$/, '');
  if (normal === '' || normal === '.' || normal === '..' || normal.startsWith('../')) return null;
  return normal;
}

/** The folders above a workspace path, nearest last: `a/b/c` → `a`, `a/b`. */
function foldersAbove(p: string): string[] {
  const out: string[] = [];
  for (let i = p.indexOf('/'); i !== -1; i = p.indexOf('/', i + 1)) out.push(p.slice(0, i));
  return out;
}

/**
 * The paths of one profile's workspace, claimed one at a time (normal form, from workspacePath). A path is a
 * file, or with `extract` a folder an archive fills; either way nothing else may lie inside it. Without this,
 * `a` and `a/b` fail the download halfway (EEXIST), and `eng/x` beside an archive at `eng` is silently
 * replaced by the unpacked tree, so the profile never verifies and is rebuilt on every start.
 */
export class WorkspaceClaims {
  /** Each claimed path → whether an archive fills it. */
  readonly #paths = new Map<string, boolean>();
  /** Each folder above a claimed path → the first path claimed under it. */
  readonly #folders = new Map<string, string>();

  /** Claims `p`; when it clashes with a path claimed before, a message naming both (and nothing is claimed). */
  claim(p: string, extract: boolean): string | null {
    if (p === COMPLETE_MARKER) return `${JSON.stringify(p)} is the name of nimlet's completion marker in the workspace: rename the file`;
    if (this.#paths.has(p)) return `two files map to ${JSON.stringify(p)}`;
    const outer = foldersAbove(p).find((folder) => this.#paths.has(folder));
    if (outer !== undefined) return insideMessage(p, outer, this.#paths.get(outer) === true);
    const inner = this.#folders.get(p);
    if (inner !== undefined) return insideMessage(inner, p, extract);
    this.#paths.set(p, extract);
    for (const folder of foldersAbove(p)) if (!this.#folders.has(folder)) this.#folders.set(folder, p);
    return null;
  }
}

function insideMessage(inner: string, outer: string, outerIsArchive: boolean): string {
  const why = outerIsArchive
    ? 'which its archive fills (extract: true): nothing else may be put in that folder'
    : 'which is a file of this profile: a path cannot be both a file and a folder';
  return `${JSON.stringify(inner)} lies inside ${JSON.stringify(outer)}, ${why}`;
}
