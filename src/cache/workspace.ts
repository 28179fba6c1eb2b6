// Builds a profile's workspace aside in tmp/ (hard links to blobs, archives unpacked, the completion marker) and
// publishes it with one rename. The whole build runs under the profile's lock, so of many
// processes one builds and the others wait for its marker.
import { chmod, copyFile, link, lstat, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Profile, WorkspaceFile } from '../manifest/types.js';
import type { ArchiveLimits } from './archive-rules.js';
import { doOnce, waitingLine } from './exclusive.js';
import { extractArchive } from './extract.js';
import { hashTree } from './hash-file.js';
import { blobPath, COMPLETE_MARKER, lockPath, tmpName, workspaceKey, workspacePath, type CacheLayout } from './layout.js';
import type { LockTimings } from './lock.js';
import { findCompleteWorkspace, type Marker } from './marker.js';

const LINK_FALLBACK = new Set(['EXDEV', 'EPERM', 'EMLINK', 'ENOTSUP', 'EOPNOTSUPP', 'EACCES']);

/** A hard link to the blob; a copy where the file system refuses links (some NFS and overlay setups). */
export async function linkOrCopy(blob: string, dest: string): Promise<void> {
  try {
    await link(blob, dest);
  } catch (e) {
    if (!LINK_FALLBACK.has((e as NodeJS.ErrnoException).code ?? '')) throw e;
    await copyFile(blob, dest);
    await chmod(dest, 0o444);
  }
}

export interface PublishRequest {
  layout: CacheLayout;
  profile: Profile;
  /** Each workspace file with the sha256 of its verified blob. */
  entries: { file: WorkspaceFile; sha256: string }[];
  signal: AbortSignal;
  archiveLimits: ArchiveLimits;
  /** A line for the user while another process holds the profile's lock (it is publishing the same workspace). */
  onWaiting?: (line: string) => void;
  timings?: LockTimings;
}

async function build(req: PublishRequest, dir: string): Promise<Marker> {
  const files: Marker['files'] = [];
  await mkdir(dir, { recursive: true });
  for (const { file, sha256 } of req.entries) {
    const dest = path.join(dir, file.path);
    await mkdir(path.dirname(dest), { recursive: true });
    const blob = blobPath(req.layout, sha256);
    const st = await lstat(blob);
    // checked when it was found or fetched; again here: only a regular file is linked, copied or unpacked
    if (!st.isFile()) throw Object.assign(new Error(`${blob} is not a regular file`), { code: 'EEXIST', syscall: 'lstat', path: blob });
    const size = st.size;
    if (file.extract) {
      const unpacked = tmpName(req.layout, 'unpack');
      await extractArchive(blob, unpacked, `${file.path} of profile ${req.profile.name}`, req.archiveLimits);
      await rm(dest, { recursive: true, force: true });
      await rename(unpacked, dest);
      await chmod(dest, 0o755);
      files.push({ path: file.path, sha256, size, extract: true, tree: await hashTree(dest) });
    } else {
      await linkOrCopy(blob, dest);
      files.push({ path: file.path, sha256, size, extract: false });
    }
  }
  return { version: 1, id: req.profile.id, name: req.profile.name, key: workspaceKey(req.profile), files, completedAt: new Date().toISOString() };
}

/** Publishes the workspace (or finds it published by another process); resolves to its folder. */
export async function publishWorkspace(req: PublishRequest): Promise<string> {
  const { layout, profile } = req;
  const target = workspacePath(layout, profile);
  return doOnce({
    lockDir: lockPath(layout, `profile-${workspaceKey(profile)}`),
    tmpDir: layout.tmp,
    signal: req.signal,
    ...(req.timings ? { timings: req.timings } : {}),
    onWait: (holder) => req.onWaiting?.(waitingLine(`the workspace of profile ${profile.name}`, holder, req.timings)),
    done: () => findCompleteWorkspace(profile, layout.root),
    work: async (_lost, confirm) => {
      const aside = tmpName(layout, 'ws');
      try {
        const marker = await build(req, aside);
        // The marker goes in before the folder is published, written under a fresh exclusive name in tmp/ and
        // renamed in: never written at a name inside the workspace, where a workspace file (a hard link to a
        // verified blob) could stand and be written through. The one rename below publishes the folder whole.
        const tmpMarker = tmpName(layout, 'marker');
        await writeFile(tmpMarker, JSON.stringify(marker, null, 1) + '\n', { flush: true, flag: 'wx', mode: 0o644 });
        await rename(tmpMarker, path.join(aside, COMPLETE_MARKER));
        await confirm(); // the swap below must be ours alone
        await mkdir(layout.profiles, { recursive: true });
        // A folder there without a valid marker is a crash's leftover or an outdated profile: move it out first.
        const old = tmpName(layout, 'old-ws');
        await rename(target, old).then(() => rm(old, { recursive: true, force: true }), () => undefined);
        await rename(aside, target);
        return target;
      } finally {
        await rm(aside, { recursive: true, force: true });
      }
    },
  });
}
