// The fetch stack's entry points, what the cache calls. fetchFile fetches one workspace file into a partial file
// and verifies it: the manifest's sha256, else the sha256 the server vouches for. A mismatch deletes the bytes and
// fetches once more from scratch; a second one is exit 74 with nothing left behind. statSource asks a source's
// size with HEAD. Both obey `settings` (settings.downloads: retry, proxy, connections) and nothing else; the cache
// never sees bad bytes.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { Settings } from '../../config/env.js';
import { NimletError } from '../../errors.js';
import type { ParsedSource } from '../../manifest/source-uri.js';
import { hashFileInBackground, type FileHash } from './background-hash.js';
import { checksumError, writeError } from './failures.js';
import { inlineHash, TooManyBytes, WriteFailed, writeHashed } from './hashing-writer.js';
import { downloadOneStream, type Downloaded, type HttpDownload } from './http-download.js';
import { openPartial, removePartial, syncFile } from './partial-file.js';
import { downloadRanged, MIN_RANGED_BYTES } from './ranged-download.js';
import { credentialValue, resolveOnline } from './resolve.js';

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
  /** Abort: stop promptly, keep the partial file for a later resume, throw the abort's own reason (the CLI's interruption: 143 for SIGTERM). */
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

interface FileCopy {
  path: string;
  partialPath: string;
  label: string;
  expectedSize: number | null;
  settings: Settings;
  signal: AbortSignal;
  onBytes: (n: number) => void;
}

/**
 * file:// sources and paths beside the manifest: the whole file copied into the partial (a local copy is cheap: no
 * resume) with the same hashing writer, so they are verified exactly like downloads. No network.
 */
async function copyFileSource(c: FileCopy): Promise<{ bytes: number; sha256: string; tooMany: boolean }> {
  try {
    const st = await stat(c.path);
    if (!st.isFile()) throw Object.assign(new Error('not a regular file'), { code: 'EISDIR' });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      throw new NimletError('not-found', `${c.path} not found for ${c.label}`, {
        hint: "check the manifest's file:// or relative path (relative paths start at the manifest's folder)",
      });
    }
    throw new NimletError('io', `cannot read ${c.path} for ${c.label}: ${code ?? (err as Error).message}`, {
      hint: 'the source must be a readable regular file',
    });
  }
  const hash = createHash('sha256');
  let added = 0;
  try {
    await writeHashed(createReadStream(c.path, { highWaterMark: 1024 * 1024 }), {
      path: c.partialPath, from: 0, hash: inlineHash(hash), limit: c.expectedSize, signal: c.signal,
      onBytes: c.onBytes, onWritten: (n) => void (added += n),
    });
    return { bytes: added, sha256: hash.digest('hex'), tooMany: false };
  } catch (err) {
    c.signal.throwIfAborted();
    if (err instanceof TooManyBytes) return { bytes: added, sha256: hash.digest('hex'), tooMany: true };
    if (err instanceof WriteFailed) throw writeError(err.original, c.partialPath, c.label, c.settings);
    const e = err as NodeJS.ErrnoException;
    throw new NimletError('io', `cannot read ${c.path} for ${c.label}: ${e.code ?? e.message}`, {
      hint: 'the source file could not be read to the end; check the disk or mount it comes from',
    });
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
  const hash = createHash('sha1').update(`blob ${size}\0`);
  const fh = await openPartial(file, 'read');
  try {
    for await (const chunk of fh.createReadStream({ highWaterMark: 1 << 20, autoClose: false })) hash.update(chunk as Buffer);
  } finally {
    await fh.close();
  }
  return hash.digest('hex');
}

export { statSource, type SourceStat } from './http-download.js';
