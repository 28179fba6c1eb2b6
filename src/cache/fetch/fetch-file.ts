// The fetch stack's two entry points, what the cache calls. fetchFile fetches one workspace file into a partial
// file and verifies it: the manifest's sha256, else the sha256 the server vouches for. A mismatch deletes the
// bytes and fetches once more from scratch; a second one is exit 74 with nothing left behind. statSource asks a
// source's size with HEAD. Both obey settings.downloads and nothing else; the cache never sees bad bytes.
import { stat } from 'node:fs/promises';
import type { Settings } from '../../config/env.js';
import { NimletError } from '../../errors.js';
import type { ParsedSource } from '../../manifest/source-uri.js';
import { hashFileInBackground, type FileHash } from './background-hash.js';
import { attempted, Attempts, checksumError, classifyStatus, classifyThrown, interruptedError, writeError } from './failures.js';
import { copyFileSource } from './file-source.js';
import { downloadOneStream, type Downloaded, type HttpDownload } from './http-download.js';
import { removePartial, syncFile } from './partial-file.js';
import { downloadRanged, MIN_RANGED_BYTES } from './ranged-download.js';
import { credentialValue, httpGet, resolveSource, type ResolvedSource } from './resolve.js';
import { contentLength, vouchedSha256 } from './response-head.js';
import { discardBody } from './transport.js';

export interface FetchRequest {
  source: ParsedSource;
  /** Bytes go here; if it exists with N bytes, they are re-hashed and the download resumes at N. */
  partialPath: string;
  /** The manifest's sha256; null: verify against the server's (Hugging Face X-Linked-Etag), if it gives one. */
  expectedSha256: string | null;
  expectedSize: number | null;
  /** For messages: "config.json (profile vllm-bf16-tp1)". */
  label: string;
  settings: Settings;
  /** Abort: stop promptly, keep the partial file for a later resume, throw NimletError('interrupted'). */
  signal: AbortSignal;
  /** Progress: bytes added to the partial; negative when bytes counted before are thrown away. */
  onBytes?: (n: number) => void;
}

export interface FetchResult {
  bytes: number;
  sha256: string;
  /** What the bytes were checked against: the manifest's sha256, the source's (sha256 ETag, git blob id), or nothing. */
  verifiedBy: 'manifest' | 'source' | null;
  /** HTTP exchanges made (a redirect chain counts once); 0 for file sources. */
  requests: number;
  /** Bytes that came over the network (or from the source file) in this call: not those a resume found in place. */
  fetched: number;
}

/**
 * Where `source`'s bytes come from; the one place the fetch stack checks offline mode: no request of any kind.
 * (The cache refuses a whole profile before this, naming what is missing; this holds for every other caller.)
 */
function resolveOnline(source: ParsedSource, settings: Settings, label: string): ResolvedSource {
  const resolved = resolveSource(source, settings);
  if (resolved.kind === 'http' && settings.offline) {
    throw new NimletError('offline-incomplete', `${label} is not in the cache and downloads are turned off`, {
      hint: 'unset HF_HUB_OFFLINE, NIMLET_OFFLINE and NIM_DISABLE_MODEL_DOWNLOAD, or fill the cache first (download-to-cache)',
    });
  }
  return resolved;
}

/** The file name a message should name: the path inside the repository, or the URL's last segment. */
export function sourceFileName(source: ParsedSource): string {
  if (source.kind === 'ngc' || source.kind === 'hf') return source.file;
  if (source.kind === 'file') return source.path;
  const last = new URL(source.url).pathname.split('/').pop() || source.url;
  try {
    return decodeURIComponent(last);
  } catch {
    return last; // `100%.bin`: not percent-encoding, the name as written
  }
}

export async function fetchFile(req: FetchRequest): Promise<FetchResult> {
  const resolved = resolveOnline(req.source, req.settings, req.label);
  const onBytes = req.onBytes ?? (() => undefined);
  const expected = req.expectedSha256?.toLowerCase() ?? null;
  let requests = 0;
  let fetched = 0;
  for (let round = 1; ; round++) {
    const got =
      resolved.kind === 'file'
        ? { ...(await copyFileSource({ ...req, path: resolved.path, onBytes: (n) => { onBytes(n); fetched += n; } })), vouched: null }
        : await downloadHttp({
            url: resolved.url,
            credential: resolved.credential,
            token: credentialValue(resolved.credential, req.settings),
            trustEtag: req.source.kind === 'hf',
            partialPath: req.partialPath,
            file: sourceFileName(req.source),
            label: req.label,
            expectedSize: req.expectedSize,
            expectedSha256: expected,
            settings: req.settings,
            tuning: req.settings.downloads.retry,
            signal: req.signal,
            onBytes,
            countRequest: () => void requests++,
            countBytes: (n) => void (fetched += n),
          });
    const want = expected ?? got.vouched;
    const sizeOk = !got.tooMany && (req.expectedSize === null || got.bytes === req.expectedSize);
    const blobId = want === null && sizeOk && got.gitBlob ? await gitBlobId(req.partialPath, got.bytes) : null;
    if (sizeOk && (want === null || want === got.sha256) && blobId === (got.gitBlob ?? null)) {
      // ENOSPC, EDQUOT or EIO often only show at the flush on network file systems.
      await syncFile(req.partialPath).catch((err: NodeJS.ErrnoException) => {
        throw writeError(err, req.partialPath, req.label, req.settings);
      });
      const verifiedBy = expected !== null ? 'manifest' : want !== null || blobId !== null ? 'source' : null;
      return { bytes: got.bytes, sha256: got.sha256, verifiedBy, requests, fetched };
    }
    // Wrong bytes never stay where a resume or the cache could pick them up.
    await removePartial(req.partialPath);
    onBytes(-got.bytes);
    // A local file reads the same twice; a network source earns one fresh download.
    if (round >= 2 || resolved.kind === 'file') {
      throw checksumError(req.label, want ?? (got.gitBlob ? `git blob ${got.gitBlob}` : '(size only)'), blobId ?? got.sha256, got.bytes, req.expectedSize);
    }
  }
}

/** Several ranged connections when the size is known and large enough, and the settings allow more than one. */
function ranged(d: HttpDownload): d is HttpDownload & { expectedSize: number } {
  return d.expectedSize !== null && d.expectedSize >= MIN_RANGED_BYTES && d.settings.downloads.connections > 1;
}

async function downloadHttp(d: HttpDownload): Promise<Downloaded> {
  let hash: FileHash | null = null;
  try {
    if (ranged(d)) {
      const got = await downloadRanged(d, d.expectedSize);
      if (got !== null) return got; // else the server ignored Range: one stream
    }
    hash = hashFileInBackground(d.partialPath);
    return await downloadOneStream(d, hash);
  } catch (err) {
    // The partial's own file-system failures (stat, truncate on a broken or full volume): an io error, not a bug.
    if (err instanceof Error && !(err instanceof NimletError) && (err as NodeJS.ErrnoException).syscall !== undefined) {
      throw writeError(err as NodeJS.ErrnoException, d.partialPath, d.label, d.settings);
    }
    throw err;
  } finally {
    hash?.close();
  }
}

/** The git blob id of the file: sha1 of `blob <size>\0` and its bytes (what git and the Hugging Face hub name it by). */
async function gitBlobId(file: string, size: number): Promise<string> {
  const { createHash } = await import('node:crypto');
  const { openPartial } = await import('./partial-file.js');
  const hash = createHash('sha1').update(`blob ${size}\0`);
  const fh = await openPartial(file, 'read');
  try {
    for await (const chunk of fh.createReadStream({ highWaterMark: 1 << 20, autoClose: false })) hash.update(chunk as Buffer);
  } finally {
    await fh.close();
  }
  return hash.digest('hex');
}

export interface SourceStat { size: number | null; sha256: string | null }

/**
 * Size and vouched sha256 of a source without fetching it (HEAD), for the free-disk check and plans when the
 * manifest gives no size; same credential rule, redirects, classifier and retry driver as a download. `attempts`
 * caps the tries below NIMLET_RETRY_ATTEMPTS: a HEAD asked only for a size hint (the GET follows and has its own
 * retries) takes one, so a failing source costs at most one stall timeout before the download, not a second budget.
 */
export async function statSource(source: ParsedSource, settings: Settings, signal: AbortSignal, attempts?: number): Promise<SourceStat> {
  const label = source.kind === 'file' ? source.path : source.kind === 'http' ? source.url : source.file;
  const resolved = resolveOnline(source, settings, label);
  if (resolved.kind === 'file') {
    try {
      return { size: (await stat(resolved.path)).size, sha256: null };
    } catch {
      throw new NimletError('not-found', `${resolved.path} not found`, { hint: "check the manifest's file:// or relative path" });
    }
  }
  const { retry, proxy } = settings.downloads;
  const token = credentialValue(resolved.credential, settings);
  const named = attempted({ label, file: label, credential: resolved.credential, token, settings });
  const tries = new Attempts(named, { ...retry, attempts: Math.min(retry.attempts, attempts ?? retry.attempts) }, signal);
  for (;;) {
    if (signal.aborted) throw interruptedError(label);
    try {
      const res = await httpGet({ url: resolved.url, token }, { method: 'HEAD', from: 0, signal, stallTimeoutMs: retry.stallTimeoutMs, proxy });
      await discardBody(res.body);
      if (res.status >= 200 && res.status < 300) return { size: sizeOf(res.chain, res.headers), sha256: vouchedSha256(res.chain, source.kind === 'hf') };
      await tries.failed(classifyStatus(named, res.status, res.statusText, res.url, tries.failures), undefined, res.headers['retry-after'] ?? null);
    } catch (err) {
      if (err instanceof NimletError) throw err;
      if (signal.aborted) throw interruptedError(label);
      await tries.failed(classifyThrown(named, err, resolved.url), err);
    }
  }
}

function sizeOf(chain: ReadonlyArray<Record<string, string>>, headers: Record<string, string>): number | null {
  // Hugging Face puts the LFS file's size on the 302 (X-Linked-Size); the CDN's Content-Length is the same.
  for (const h of chain) if (h['x-linked-size'] && /^\d+$/.test(h['x-linked-size'])) return Number(h['x-linked-size']);
  try {
    return contentLength(headers); // "3700, 3700" from a proxy is 3700
  } catch {
    return null; // a bad one only leaves the size unknown here; the download names it
  }
}
