// Fetches one workspace file into a partial file and verifies it: the manifest's sha256, else the sha256 the
// server vouches for. A mismatch deletes the bytes and fetches once more from scratch; a second one is exit
// 74 with nothing left behind. The cache (blobs, locks, publish) builds on this; it never sees bad bytes.
import type { Env, Settings } from '../../config/env.js';
import { NimletError } from '../../errors.js';
import type { ParsedSource } from '../../manifest/source-uri.js';
import { checksumError, writeError } from './fetch-errors.js';
import { copyFileSource } from './file-source.js';
import { downloadHttp } from './http-download.js';
import { removePartial, syncFile } from './partial-file.js';
import { credentialValue, resolveSource } from './resolve.js';
import { readRetryTuning, type RetryTuning } from './retry.js';

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
  /** Proxy variables and NIMLET_RETRY_* / NIMLET_HTTP_TIMEOUT_MS; default process.env. */
  env?: Env;
  /** Overrides the retry knobs read from `env`. */
  retry?: RetryTuning;
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

function offlineError(label: string): NimletError {
  return new NimletError('offline-incomplete', `${label} is not in the cache and downloads are turned off`, {
    hint: 'unset HF_HUB_OFFLINE, NIMLET_OFFLINE and NIM_DISABLE_MODEL_DOWNLOAD, or fill the cache first (download-to-cache)',
  });
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
  const resolved = resolveSource(req.source, req.settings);
  const env = req.env ?? process.env;
  const onBytes = req.onBytes ?? (() => undefined);
  if (resolved.kind === 'http' && req.settings.offline) throw offlineError(req.label);
  const tuning = req.retry ?? readRetryTuning(env);
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
            env,
            tuning,
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

export { statSource, type SourceStat } from './stat-source.js';
