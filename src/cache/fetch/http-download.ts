// One pass of an HTTP download into the partial file in one stream: resumes what is there with Range, retries
// with backoff (resuming again), and returns the bytes' sha256; verification against the expected sum is the
// caller's. And the same conversation without the bytes: statSource's HEAD for a size.
import { lstat, stat } from 'node:fs/promises';
import type { RetryTuning } from '../../config/downloads.js';
import type { Settings } from '../../config/env.js';
import type { ParsedSource } from '../../manifest/source-uri.js';
import { NimletError } from '../../errors.js';
import { attempted, Attempts, classifyStatus, classifyThrown, writeError } from './failures.js';
import { TooManyBytes, WriteFailed, writeHashed } from './hashing-writer.js';
import { discardBody } from '../../http/transport.js';
import { credentialValue, httpGet, offOrigin, resolveOnline, type Credential, type HttpResponse } from './resolve.js';
import type { FileHash } from './background-hash.js';
import { truncatePartial } from './partial-file.js';
import { contentLength } from '../../http/response-head.js';
import { plan206, plan416, vouchedGitBlob, vouchedSha256 } from './response-head.js';

export interface HttpDownload {
  url: string;
  credential: Credential | null;
  token: string | null;
  /** Trust a 64-hex ETag as the sha256 (Hugging Face). */
  trustEtag: boolean;
  partialPath: string;
  file: string;
  label: string;
  expectedSize: number | null;
  /** When the partial is already whole and matches this, no request is made at all. */
  expectedSha256: string | null;
  /** Everything else it obeys (retry tuning, proxy, connections) is settings.downloads. */
  settings: Settings;
  /** settings.downloads.retry, with fewer attempts where the caller wants only a hint (a HEAD for a size). */
  tuning: RetryTuning;
  signal: AbortSignal;
  onBytes: (n: number) => void;
  /** Counts every HTTP exchange started (redirect chains count once). */
  countRequest: () => void;
  /** Counts body bytes received over the network (not those a resume found in the partial). */
  countBytes: (n: number) => void;
}

export interface Downloaded {
  bytes: number;
  sha256: string;
  vouched: string | null;
  /** The git blob id the source gave (Hugging Face, files kept in git): checked when nothing else vouches. */
  gitBlob?: string | null;
  tooMany: boolean;
}


/** Bytes already in the partial (0 when there is none). */
async function partialLength(path: string): Promise<number> {
  try {
    const st = await lstat(path);
    return st.isFile() ? st.size : 0;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw err;
  }
}

/** One stream, `hash` following the partial on the hashing thread. */
export async function downloadOneStream(d: HttpDownload, hash: FileHash): Promise<Downloaded> {
  let have = await partialLength(d.partialPath);
  if (d.expectedSize !== null && have > d.expectedSize) {
    // Longer than the file can be: those bytes are wrong, start over.
    await truncatePartial(d.partialPath, 0);
    have = 0;
  }
  // Resuming: the bytes already there are hashed first (on the hashing thread, like the new ones).
  hash.wrote([], have);
  const digest = async (): Promise<string> => {
    let hex: string;
    try {
      hex = await hash.digest(have);
    } catch (err) {
      // Reading the partial back failed (EIO, a file cut short under us): retrying the network would not help.
      throw new NimletError('io', `cannot read back ${d.partialPath} to verify ${d.label}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, {
        hint: 'check the disk or volume the cache is on; the next run starts this file again', cause: err,
      });
    }
    d.signal.throwIfAborted();
    return hex;
  };
  d.onBytes(have);
  if (have > 0 && have === d.expectedSize && d.expectedSha256 !== null && (await digest()) === d.expectedSha256) {
    return { bytes: have, sha256: d.expectedSha256, vouched: null, tooMany: false };
  }
  const restart = async (): Promise<void> => {
    await truncatePartial(d.partialPath, 0);
    hash.reset();
    d.onBytes(-have);
    have = 0;
  };
  let vouched: string | null = null;
  let gitBlob: string | null = null;
  /** The most bytes the partial has held: only going past it counts as progress (a restart to 0 does not). */
  let furthest = have;
  let crossOriginRefusals = 0;
  const tries = new Attempts(attempted(d), d.tuning, d.signal);
  for (;;) {
    d.signal.throwIfAborted();
    let res: HttpResponse;
    d.countRequest();
    try {
      res = await httpGet({ url: d.url, token: d.token }, {
        method: 'GET', from: have, signal: d.signal, stallTimeoutMs: d.tuning.stallTimeoutMs, proxy: d.settings.downloads.proxy,
      });
    } catch (err) {
      d.signal.throwIfAborted();
      await tries.failed(classifyThrown(attempted(d), err, d.url), err);
      continue;
    }
    vouched ??= vouchedSha256(res.chain, d.trustEtag);
    gitBlob ??= vouchedGitBlob(res.chain, d.trustEtag);
    const status = res.status;
    if (status === 200 || status === 206) {
      if (status === 200 && have > 0) await restart(); // the server ignored Range: take the whole file
      if (status === 206) {
        const plan = plan206(res.headers['content-range'], have, d.expectedSize);
        if (plan !== 'append') {
          res.body.destroy(); // the wrong bytes: not worth reading to the end
          await restart();
          await tries.failed(`HTTP 206 with Content-Range ${res.headers['content-range'] ?? '(none)'} for bytes from ${have}`);
          continue;
        }
      }
      let added = 0;
      let failed: unknown = null;
      try {
        await writeHashed(res.body, {
          path: d.partialPath, from: have, hash, limit: d.expectedSize, signal: d.signal,
          onBytes: (n) => { d.onBytes(n); d.countBytes(n); }, onWritten: (n) => void (added += n),
        });
      } catch (err) {
        failed = err;
      }
      have += added;
      if (failed === null) return { bytes: have, sha256: await digest(), vouched, gitBlob, tooMany: false };
      d.signal.throwIfAborted();
      if (failed instanceof WriteFailed) throw writeError(failed.original, d.partialPath, d.label, d.settings);
      if (failed instanceof TooManyBytes) {
        await discardBody(res.body);
        return { bytes: have, sha256: await digest(), vouched, gitBlob, tooMany: true };
      }
      tries.progressed(have - furthest);
      furthest = Math.max(furthest, have);
      await tries.failed(classifyThrown(attempted(d), failed, res.url), failed);
      continue;
    }
    await discardBody(res.body);
    if (status === 416) {
      const plan = plan416(res.headers['content-range'], have);
      if (plan === 'complete') return { bytes: have, sha256: await digest(), vouched, gitBlob, tooMany: false };
      await restart();
      await tries.failed(`HTTP 416 for bytes from ${have}`);
      continue;
    }
    // Signed storage URLs expire: a refusal off the API's origin earns one fresh trip through the API.
    if ((status === 401 || status === 403) && offOrigin(res.url, d.url) && crossOriginRefusals++ === 0) {
      await tries.failed(`HTTP ${status} from ${new URL(res.url).origin}`);
      continue;
    }
    await tries.failed(classifyStatus(attempted(d), status, res.statusText, res.url, tries.failures), undefined, res.headers['retry-after'] ?? null);
  }
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
    signal.throwIfAborted();
    try {
      const res = await httpGet({ url: resolved.url, token }, { method: 'HEAD', from: 0, signal, stallTimeoutMs: retry.stallTimeoutMs, proxy });
      await discardBody(res.body);
      if (res.status >= 200 && res.status < 300) return { size: sizeOf(res.chain, res.headers), sha256: vouchedSha256(res.chain, source.kind === 'hf') };
      await tries.failed(classifyStatus(named, res.status, res.statusText, res.url, tries.failures), undefined, res.headers['retry-after'] ?? null);
    } catch (err) {
      if (err instanceof NimletError) throw err;
      signal.throwIfAborted();
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
