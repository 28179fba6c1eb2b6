// Adopting a NIM 1.x cache under the same NIM_CACHE_PATH (issue 13 item 4, DESIGN §13): NIM keeps what it
// downloaded as `ngc/hub/models--{org}[--{team}]--{model}/snapshots/{version}/{path}` (and Hugging Face's
// `huggingface/hub/models--{org}--{repo}/snapshots/{commit}/{path}`). A missing file found there, verified against
// the manifest's sha256 (and size), is copied into nimlet's blobs from disk instead of fetched: no request.
// The cache is a shared volume (DESIGN §15): no folder on the way may be a symlink, and a snapshot entry that is a
// link is followed only to a regular file inside that repository's own blobs/. A file the manifest gives no sha256
// for cannot be verified here and is fetched as usual (NIM's checksums.blake3 is not read yet).
import { lstat, readFile, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import type { ParsedSource } from '../manifest/source-uri.js';
import type { WorkspaceFile } from '../manifest/types.js';
import { sha256File } from './hash-file.js';
import type { FileState } from './scan.js';

const COMMIT = /^[0-9a-f]{40}$/;

/** The repository folder and the snapshot's path segments for a source, or null for sources NIM does not cache. */
async function nimLocation(cacheDir: string, source: ParsedSource): Promise<{ repo: string; segments: string[] } | null> {
  if (source.kind === 'ngc') {
    const repo = path.join(cacheDir, 'ngc', 'hub', `models--${[source.org, source.team, source.model].filter((p) => p !== null).join('--')}`);
    return { repo, segments: ['snapshots', source.version, ...source.file.split('/')] };
  }
  if (source.kind === 'hf') {
    const repo = path.join(cacheDir, 'huggingface', 'hub', `models--${source.org}--${source.repo}`);
    // a branch or tag names its commit in refs/ (a small regular file); snapshots are by commit
    const commit = COMMIT.test(source.revision)
      ? source.revision
      : (await regularFile(path.join(repo, 'refs', source.revision)) ? (await readFile(path.join(repo, 'refs', source.revision), 'utf8')).trim() : '');
    if (!COMMIT.test(commit)) return null;
    return { repo, segments: ['snapshots', commit, ...source.file.split('/')] };
  }
  return null;
}

const regularFile = (p: string): Promise<boolean> => lstat(p).then((s) => s.isFile(), () => false);
const realFolder = (p: string): Promise<boolean> => lstat(p).then((s) => s.isDirectory(), () => false);

/** The regular file NIM's cache holds for this source, found without following any link but a snapshot's own. */
async function nimFile(cacheDir: string, source: ParsedSource): Promise<string | null> {
  const where = await nimLocation(cacheDir, source);
  if (where === null) return null;
  if (!(await realFolder(path.dirname(path.dirname(where.repo)))) || !(await realFolder(path.dirname(where.repo)))) return null;
  for (let at = where.repo, i = -1; i < where.segments.length - 1; at = path.join(at, where.segments[++i]!)) {
    if (!(await realFolder(at))) return null;
  }
  const entry = path.join(where.repo, ...where.segments);
  const st = await lstat(entry).catch(() => null);
  if (st?.isFile()) return entry;
  if (!st?.isSymbolicLink()) return null;
  const target = await realpath(entry).catch(() => null);
  const blobs = path.join(await realpath(where.repo), 'blobs') + path.sep;
  if (target === null || !target.startsWith(blobs)) return null;
  return (await stat(target).then((s) => s.isFile(), () => false)) ? target : null;
}

/** The NIM cache's copy of `file`, when it holds exactly the manifest's bytes; else null (fetch it as usual). */
export async function adoptable(cacheDir: string, file: WorkspaceFile, source: ParsedSource): Promise<string | null> {
  if (file.sha256 === null) return null;
  const found = await nimFile(cacheDir, source);
  if (found === null) return null;
  if (file.size !== null && (await stat(found)).size !== file.size) return null;
  return (await sha256File(found)) === file.sha256 ? found : null;
}

/** Points each missing file that the NIM cache holds, verified, at that copy (a local source); returns those. */
export async function adoptNimCache(cacheDir: string, states: FileState[]): Promise<Set<FileState>> {
  const adopted = new Set<FileState>();
  for (const s of states) {
    if (s.sha256 !== null || s.partialBytes > 0) continue;
    const found = await adoptable(cacheDir, s.file, s.source).catch(() => null);
    if (found !== null) {
      s.source = { kind: 'file', path: found };
      adopted.add(s);
    }
  }
  return adopted;
}
