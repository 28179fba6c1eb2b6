// The cache's entry point for serve and the download commands: a profile's files, verified and published as
// one workspace folder (DESIGN §7). A complete workspace is found with a few stats and no network; otherwise the
// missing blobs are fetched (bounded parallelism, free disk checked first) and the workspace is published.
import { NimletError } from '../errors.js';
import type { Settings } from '../config/env.js';
import type { Profile } from '../manifest/types.js';
import { jsonLogLine } from '../log/logger.js';
import { cacheLayout, fileKey, sourceKey, workspaceKey, type CacheLayout } from './layout.js';
import type { Lease, Needs } from './lease.js';
import { findCompleteWorkspace } from './marker.js';
import { runPool } from './pool.js';
import { parseFileSource, type FileState } from './scan.js';
import type { DownloadPlan, PreparedModel } from './types.js';

export { findCompleteWorkspace } from './marker.js';

export interface CacheOptions {
  cacheDir: string;
  settings: Settings;
  /** Abort: downloads stop, partials stay for a resume, nothing half-made is published; throws the signal's reason. */
  signal: AbortSignal;
  stderr: (s: string) => void;
  isTTY: boolean;
  /** Files fetched at once (default 4). */
  parallelism?: number;
  /** Refuse a file nothing vouches for (no sha256 in the manifest, none from the source): exit 65. */
  requireChecksums?: boolean;
  /** Bytes fetched so far of the total to fetch, as they arrive (the front's readiness shows them). */
  onProgress?: (doneBytes: number, totalBytes: number) => void;
}

const labelOf = (profile: Profile, path: string) => `${path} (profile ${profile.name})`;

/**
 * What a dry run shows: files, bytes still to fetch (sizes the manifest states; the others counted apart as of
 * unknown size: a dry run makes no request), files cached. It fails where the run would, writing nothing: a cache
 * that cannot be written (73), downloads turned off with files missing (66).
 */
export async function planProfile(profile: Profile, manifestDir: string, opts: Pick<CacheOptions, 'cacheDir' | 'settings'>): Promise<DownloadPlan> {
  const n = profile.files.length;
  if (await findCompleteWorkspace(profile, opts.cacheDir)) return { files: n, bytes: 0, cached: n, unknownSizeFiles: 0 };
  const layout = cacheLayout(opts.cacheDir);
  await (await import('./disk.js')).checkWritableAhead(layout);
  const { needsNetwork, planOf, scanProfile } = await import('./scan.js');
  const states = await scanProfile(layout, profile, manifestDir);
  await (await import('./nim-cache.js')).adoptNimCache(opts.cacheDir, states);
  const remote = states.filter((s) => s.sha256 === null && needsNetwork(s));
  if (opts.settings.offline && remote.length) throw offlineIncomplete(profile, remote);
  return planOf(states);
}

/**
 * Sizes of the missing files, learnt before the first byte: the manifest's, else what the source says (HEAD);
 * a file neither tells is counted in `unknown`, never as 0 bytes. `disk` is what must still fit (resumable
 * partials already hold part of it); `total` is what progress counts up to.
 */
async function missingBytes(missing: FileState[], opts: CacheOptions): Promise<{ disk: number; total: number; unknown: number }> {
  const { statSource } = await import('./fetch/fetch-file.js');
  const sizes = await runPool(missing, 8, opts.signal, async (s, signal) => {
    let size = s.file.size;
    // a hint: one HEAD, bounded by the stall timeout; when it fails the size is unknown and the GET goes on
    if (size === null && !opts.settings.offline) size = (await statSource(s.source, opts.settings, signal, 1).catch(() => ({ size: null }))).size;
    return size;
  });
  const total = sizes.reduce<number>((a, b) => a + (b ?? 0), 0);
  const disk = sizes.reduce<number>((a, b, i) => a + Math.max(0, (b ?? 0) - missing[i]!.partialBytes), 0);
  return { total, disk, unknown: sizes.filter((b) => b === null).length };
}

function offlineIncomplete(profile: Profile, missing: FileState[]): NimletError {
  return new NimletError('offline-incomplete', `profile ${profile.name} is not complete in the cache and downloads are turned off (${missing.length} file(s) missing)`, {
    details: missing.map((s) => `missing: ${s.file.path} (${s.file.uri})`),
    hint: 'unset HF_HUB_OFFLINE, NIMLET_OFFLINE and NIM_DISABLE_MODEL_DOWNLOAD, or fill the cache first with nimlet download-to-cache',
  });
}

/** A line for the user outside the progress display: plain, or a JSON line under NIM_JSONL_LOGGING. */
function note(opts: CacheOptions, line: string, level: 'info' | 'warning' = 'info'): void {
  const event = level === 'info' ? 'lock_wait' : 'unverified';
  opts.stderr(opts.settings.jsonLogging ? jsonLogLine(level, event, { message: line }) : `${line}\n`);
}

/** What of the cache this profile needs: prune keeps it while a lease or a record names it. */
function needsOf(profile: Profile, manifestDir: string): Needs {
  const files = profile.files.map((f) => ({ f, source: parseFileSource(f, manifestDir, profile) }));
  return {
    workspaces: [workspaceKey(profile)],
    blobs: files.flatMap(({ f }) => (f.sha256 ? [f.sha256] : [])),
    keys: files.map(({ f, source }) => fileKey(f, source)),
    refs: files.flatMap(({ f, source }) => (f.sha256 ? [] : [sourceKey(source)])),
  };
}

/** A lease, best effort: a cache this process cannot write (a read-only mount serving a complete workspace) has none. */
async function lease(layout: CacheLayout, needs: Needs): Promise<Lease> {
  const { takeLease } = await import('./lease.js');
  const { makeFolders } = await import('./disk.js');
  try {
    await makeFolders(layout.leases);
    return await takeLease(layout, needs);
  } catch {
    return { addBlob: async () => undefined, release: async () => undefined };
  }
}

export async function ensureProfile(profile: Profile, manifestDir: string, opts: CacheOptions): Promise<PreparedModel> {
  const n = profile.files.length;
  const layout = cacheLayout(opts.cacheDir);
  const needs = needsOf(profile, manifestDir);
  // taken before the cache is looked at: a prune that starts now already sees it
  const held = await lease(layout, needs);
  const { recordUse } = await import('./record.js');
  const record = { profile: `${profile.id} (${profile.name})`, manifestDir };
  try {
    const ready = await findCompleteWorkspace(profile, opts.cacheDir);
    if (ready) {
      await recordUse(layout, record, needs);
      return { modelDir: ready, plan: { files: n, bytes: 0, cached: n, unknownSizeFiles: 0 }, fetchedBytes: 0, release: held.release };
    }
    const disk = await import('./disk.js');
    await disk.ensureWritable(layout);
    try {
      const done = await fill(profile, manifestDir, opts, layout, disk, held);
      // blobs known only once fetched (files without a sha256) are named by the lease: the record names them too
      await recordUse(layout, record, { ...needs, blobs: [...new Set([...needs.blobs, ...done.blobs])] });
      return { modelDir: done.modelDir, plan: done.plan, fetchedBytes: done.fetchedBytes, release: held.release };
    } catch (e) {
      throw (await disk.cacheFsError(e, layout)) ?? e;
    }
  } catch (e) {
    await held.release();
    throw e;
  }
}

async function fill(
  profile: Profile, manifestDir: string, opts: CacheOptions, layout: CacheLayout, { checkFreeSpace, freeBytes }: typeof import('./disk.js'), held: Lease,
): Promise<Omit<PreparedModel, 'release'> & { blobs: string[] }> {
  const [{ ensureBlob }, { DEFAULT_LIMITS }, { needsNetwork, planOf, scanProfile }, { publishWorkspace }] =
    await Promise.all([import('./blob-store.js'), import('./archive-rules.js'), import('./scan.js'), import('./workspace.js')]);
  const states = await scanProfile(layout, profile, manifestDir);
  const plan = planOf(states);
  // after the plan: files in a NIM cache beside nimlet's are copied from there, not fetched
  const adopted = await (await import('./nim-cache.js')).adoptNimCache(opts.cacheDir, states);
  const missing = states.filter((s) => s.sha256 === null);
  const remote = missing.filter(needsNetwork);
  if (opts.settings.offline && remote.length) throw offlineIncomplete(profile, remote);
  let fetchedBytes = 0;
  if (missing.length) {
    const sizes = await missingBytes(missing, opts);
    await checkFreeSpace(layout.root, sizes.disk);
    const { createProgress } = await import('../log/progress/create-progress.js');
    const progress = createProgress({
      stderr: opts.stderr, isTTY: opts.isTTY, jsonl: opts.settings.jsonLogging, totalBytes: sizes.total, unknownSizeFiles: sizes.unknown,
      label: profile.name, noColor: opts.settings.noColor,
    });
    let done = 0;
    opts.onProgress?.(0, sizes.total);
    try {
      const got = await runPool(missing, opts.parallelism ?? 4, opts.signal, async (s, signal) => {
        const r = await ensureBlob({
          layout, file: s.file, source: s.source, label: labelOf(profile, s.file.path),
          settings: opts.settings, signal, onBytes: (b) => {
            progress.add(b);
            opts.onProgress?.((done += b), sizes.total);
          }, onWaiting: (line) => progress.note(line),
          ...(opts.requireChecksums ? { requireChecksums: true } : {}),
        });
        await held.addBlob(r.sha256);
        progress.fileDone(s.file.path);
        return r;
      });
      missing.forEach((s, i) => (s.sha256 = got[i]!.sha256));
      // copied from a NIM cache on this disk is not fetched
      fetchedBytes = got.reduce((sum, r, i) => sum + (adopted.has(missing[i]!) ? 0 : r.fetched), 0);
      progress.finish(fetchedBytes);
      // DESIGN §7 promises every byte verified: where nothing could be, say so (an HTML 200 may be "the file")
      const unverified = missing.filter((_, i) => got[i]!.unverified).map((s) => s.file.path);
      if (unverified.length) {
        note(opts, `warning: profile ${profile.name}: ${unverified.length} file(s) published unverified — no sha256 in the manifest and none from the source: ${unverified.join(', ')} (--require-checksums refuses them)`, 'warning');
      }
    } catch (e) {
      progress.fail();
      throw e;
    }
  }
  const archiveLimits = { ...DEFAULT_LIMITS, maxTotalBytes: Math.min(DEFAULT_LIMITS.maxTotalBytes, await freeBytes(layout.root)) };
  const modelDir = await publishWorkspace({
    layout, profile, signal: opts.signal, archiveLimits, onWaiting: (line) => note(opts, line),
    entries: states.map((s) => ({ file: s.file, sha256: s.sha256! })),
  });
  return { modelDir, plan, fetchedBytes, blobs: states.map((s) => s.sha256!) };
}
