// Verified blobs, fetched once across processes: the lock holder downloads into the file's partial (resuming
// what a killed holder left) and renames the verified result into blobs/sha256/<hex>.
import { lstat, mkdir, rename, rm, unlink, writeFile } from 'node:fs/promises';
import { NimletError } from '../errors.js';
import type { Settings } from '../config/env.js';
import type { ParsedSource } from '../manifest/source-uri.js';
import type { WorkspaceFile } from '../manifest/types.js';
import { doOnce, waitingLine } from './exclusive.js';
import { blobPath, fileKey, lockPath, partialPath, refPath, tmpName, type CacheLayout } from './layout.js';
import type { LockTimings } from './lock.js';
import { readSmall } from './safe-read.js';

const HEX = /^[0-9a-f]{64}$/;

/**
 * A blob is used only as a regular file of its recorded size, never through a link: a folder, a symlink, a FIFO
 * or a device in blobs/ is no blob nimlet made (DESIGN §15).
 */
const isBlob = (p: string, size: number | null): Promise<boolean> =>
  lstat(p).then((s) => s.isFile() && (size === null || s.size === size), () => false);

/** The sha256 of the cached blob for this file, or null when it is not in the cache. No network. */
export async function cachedBlob(layout: CacheLayout, file: WorkspaceFile, source: ParsedSource): Promise<string | null> {
  let hex = file.sha256;
  if (hex === null) {
    hex = (await readSmall(refPath(layout, source))).trim();
    if (!HEX.test(hex)) return null;
  }
  return (await isBlob(blobPath(layout, hex), file.size)) ? hex : null;
}

/**
 * Renames the file `from` onto `target`. A folder where that file belongs (a damaged cache: rename cannot replace
 * it) is moved aside under tmp/ and removed, then the rename is tried once more. With other processes healing the
 * same entry, the one that finds the folder gone just renames; the file renamed last wins, and every contender's
 * file is verified and equivalent.
 */
export async function renameOnto(layout: CacheLayout, from: string, target: string): Promise<void> {
  try {
    await rename(from, target);
    return;
  } catch (e) {
    if (!['EISDIR', 'ENOTEMPTY', 'EEXIST'].includes((e as NodeJS.ErrnoException).code ?? '')) throw e;
    if (!(await lstat(target).then((st) => st.isDirectory(), () => false))) throw e;
  }
  const aside = tmpName(layout, 'damaged');
  await rename(target, aside).then(() => rm(aside, { recursive: true, force: true }), (e: NodeJS.ErrnoException) => {
    if (e.code !== 'ENOENT') throw e;
  });
  await rename(from, target);
}

/** Writes a small file atomically: a fresh temporary opened exclusively (no planted link is written through), then rename. */
export async function writeAtomic(layout: CacheLayout, target: string, content: string): Promise<void> {
  const tmp = tmpName(layout, 'write');
  await writeFile(tmp, content, { flush: true, flag: 'wx', mode: 0o644 });
  await renameOnto(layout, tmp, target);
}

export interface BlobRequest {
  layout: CacheLayout;
  file: WorkspaceFile;
  source: ParsedSource;
  label: string;
  settings: Settings;
  signal: AbortSignal;
  onBytes: (n: number) => void;
  /** A line for the user while another process holds this file's lock. */
  onWaiting?: (line: string) => void;
  timings?: LockTimings;
  /** Refuse bytes that neither the manifest (sha256) nor the source (sha256 ETag, git blob id) vouches for. */
  requireChecksums?: boolean;
}

/**
 * Ensures the file's blob exists; resolves to its sha256, the bytes this process fetched, and whether what it
 * fetched was checked against nothing (no sha256 in the manifest, none offered by the source).
 */
export async function ensureBlob(req: BlobRequest): Promise<{ sha256: string; fetched: number; unverified: boolean }> {
  const { layout, file, source } = req;
  const key = fileKey(file, source);
  const partial = partialPath(layout, key);
  return doOnce({
    lockDir: lockPath(layout, key),
    tmpDir: layout.tmp,
    signal: req.signal,
    ...(req.timings ? { timings: req.timings } : {}),
    onWait: (holder) => req.onWaiting?.(waitingLine(req.label, holder, req.timings)),
    done: async () => {
      const hex = await cachedBlob(layout, file, source);
      return hex === null ? null : { sha256: hex, fetched: 0, unverified: false };
    },
    work: async (lost, confirm) => {
      const { fetchFile } = await import('./fetch/fetch-file.js');
      const signal = AbortSignal.any([req.signal, lost]);
      let result;
      const { claimPartial, openPartial, publishPartial } = await import('./fetch/partial-file.js');
      // A link, FIFO or device planted at the predictable name goes (the link, not its target) before any open.
      const resumed = await claimPartial(partial);
      // A partial an older nimlet made read-only just before being killed: writable again, or it blocks for good.
      if (resumed > 0) await openPartial(partial, 'read').then((fh) => fh.chmod(0o644).finally(() => fh.close())).catch(() => undefined);
      try {
        result = await fetchFile({
          source, partialPath: partial, expectedSha256: file.sha256, expectedSize: file.size,
          label: req.label, settings: req.settings, signal, onBytes: req.onBytes,
        });
      } catch (e) {
        // A full disk must not stay full because of us: drop the partial (other pods share this volume).
        if (e instanceof NimletError && e.code === 'disk-full') await unlink(partial).catch(() => undefined);
        throw e;
      }
      if (!HEX.test(result.sha256)) throw new NimletError('internal', `fetch of ${req.label} returned no sha256`);
      if (file.sha256 !== null && result.sha256 !== file.sha256) {
        await unlink(partial).catch(() => undefined);
        throw new NimletError('checksum-mismatch', `${req.label}: sha256 ${result.sha256} does not match the manifest's ${file.sha256}`);
      }
      if (result.verifiedBy === null && req.requireChecksums === true) {
        await unlink(partial).catch(() => undefined);
        throw new NimletError('manifest-invalid', `${req.label}: no sha256 in the manifest and none offered by ${source.kind === 'file' ? 'the file' : 'the source'}: refused (--require-checksums)`, {
          hint: 'add the file\'s sha256 to the manifest, or run without --require-checksums to accept it unverified',
        });
      }
      await confirm();
      await mkdir(layout.blobs, { recursive: true });
      await publishPartial(partial, blobPath(layout, result.sha256), result.bytes, (from, to) => renameOnto(layout, from, to));
      if (file.sha256 === null) await writeAtomic(layout, refPath(layout, source), result.sha256 + '\n');
      return { sha256: result.sha256, fetched: result.fetched, unverified: result.verifiedBy === null };
    },
  });
}
