// A Hugging Face cache already on disk (HF_HUB_CACHE, HF_HOME/hub) as a model source (DESIGN §13): the revision
// read from refs/, the files of that commit's snapshot. A snapshot entry counts only when it is a link to a regular
// file inside that repository's own blobs/ (the cache may be a shared volume), and only what vouches for it is
// taken: an LFS blob is named by its sha256, a small file's blob by its git blob id, which is checked here (a few
// KB) before its sha256 is handed on. The cache then verifies every byte it copies, as for any file:// source.
import { createHash } from 'node:crypto';
import { lstat, readdir, readFile, realpath } from 'node:fs/promises';
import path from 'node:path';
import { NimletError } from '../errors.js';
import { engineLoads, type CheckpointFile, type HfModelUri } from './checkpoint.js';

const HEX40 = /^[0-9a-f]{40}$/;
const HEX64 = /^[0-9a-f]{64}$/;
/** Small files are read whole to check their git blob id; anything larger must be an LFS blob (named by sha256). */
const SMALL_FILE_MAX = 64 << 20;

export interface CachedSnapshot {
  commit: string;
  files: CheckpointFile[];
  config: Record<string, unknown>;
}

const isDir = (p: string): Promise<boolean> => lstat(p).then((s) => s.isDirectory(), () => false);

/** The commit the cache knows for a revision: a commit as is, a branch or tag through refs/. */
async function cachedCommit(repoDir: string, revision: string): Promise<string | null> {
  if (HEX40.test(revision)) return revision;
  const ref = path.join(repoDir, 'refs', ...revision.split('/'));
  const st = await lstat(ref).catch(() => null);
  if (st === null || !st.isFile()) return null;
  const commit = (await readFile(ref, 'utf8')).trim();
  return HEX40.test(commit) ? commit : null;
}

/** The blob a snapshot entry links to, when it is a regular file in the repository's own blobs/; else null. */
async function ownBlob(entry: string, blobsDir: string): Promise<{ file: string; name: string; size: number } | null> {
  const link = await lstat(entry).catch(() => null);
  if (link === null || !link.isSymbolicLink()) return null;
  const target = await realpath(entry).catch(() => null);
  if (target === null || path.dirname(target) !== blobsDir) return null;
  const st = await lstat(target);
  return st.isFile() ? { file: target, name: path.basename(target), size: st.size } : null;
}

async function vouched(blob: { file: string; name: string; size: number }, rel: string): Promise<Pick<CheckpointFile, 'sha256' | 'gitBlob'> | null> {
  if (HEX64.test(blob.name)) return { sha256: blob.name, gitBlob: null };
  if (!HEX40.test(blob.name) || blob.size > SMALL_FILE_MAX) return null;
  const bytes = await readFile(blob.file);
  const id = createHash('sha1').update(`blob ${bytes.length}\0`).update(bytes).digest('hex');
  if (id !== blob.name) {
    throw new NimletError('checksum-mismatch', `the Hugging Face cache's ${rel} is damaged: its git blob id is ${id}, its name says ${blob.name}`, {
      hint: `delete ${path.dirname(path.dirname(blob.file))} (or that file) and download the model again`,
    });
  }
  return { sha256: createHash('sha256').update(bytes).digest('hex'), gitBlob: blob.name };
}

/** The model's snapshot in the Hugging Face cache `hubDir`, or null when the cache does not hold it whole. */
export async function readHfCache(hubDir: string, model: HfModelUri, commitWanted: string | null = null): Promise<CachedSnapshot | null> {
  const repoDir = path.join(hubDir, `models--${model.org}--${model.name}`);
  if (!(await isDir(repoDir))) return null;
  const commit = commitWanted ?? (await cachedCommit(repoDir, model.revision));
  if (commit === null) return null;
  const snapshot = path.join(repoDir, 'snapshots', commit);
  if (!(await isDir(snapshot))) return null;
  const blobsDir = await realpath(path.join(repoDir, 'blobs')).catch(() => null);
  if (blobsDir === null) return null;
  const files: CheckpointFile[] = [];
  for (const name of (await readdir(snapshot)).sort()) {
    if (!engineLoads(name)) continue;
    const blob = await ownBlob(path.join(snapshot, name), blobsDir);
    const v = blob === null ? null : await vouched(blob, name);
    if (blob === null || v === null) continue;
    files.push({ path: name, size: blob.size, ...v, uri: `file://${blob.file}` });
  }
  const configFile = files.find((f) => f.path === 'config.json');
  if (configFile === undefined || !files.some((f) => f.path.endsWith('.safetensors'))) return null;
  const config = JSON.parse(await readFile(new URL(configFile.uri), 'utf8')) as Record<string, unknown>;
  return { commit, files, config };
}
