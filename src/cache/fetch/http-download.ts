// One pass of an HTTP download into the partial file: resumes what is there with Range, retries with backoff
// (resuming again), and returns the bytes' sha256. Verification against the expected sum is the caller's.
import { lstat } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { NimletError } from '../../errors.js';
import {
  certificateError, credentialsError, describeNetworkFailure, isCertificateError, interruptedError, networkError, notFoundError, redirectError,
  writeError,
} from './fetch-errors.js';
import { TooManyBytes, WriteFailed, writeHashed } from './hashing-writer.js';
import { discardBody } from './transport.js';
import { BadRedirect, httpGet, vouchedGitBlob, vouchedSha256, type HttpResponse } from './http-get.js';
import { hashFileInBackground, type FileHash } from './background-hash.js';
import { truncatePartial } from './partial-file.js';
import { isRetryableStatus, parseRetryAfter, retryDelayMs } from './retry.js';
import { plan206, plan416 } from './range.js';
import { downloadRanged, MIN_RANGED_BYTES } from './ranged-download.js';
import type { Downloaded, HttpDownload } from './download-job.js';

export type { Downloaded, HttpDownload };

/** An attempt that made this much progress resets the failure count: a slow but moving link is no failure. */
const PROGRESS_RESETS_FAILURES = 1024 * 1024;
/** Bodies at least this large (or of unknown size) take the bulk client; small ones reuse keep-alive connections. */
const BULK_BYTES = 1024 * 1024;

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

/** Several ranged connections when the size is known and large enough, and the settings allow more than one. */
function ranged(d: HttpDownload): d is HttpDownload & { expectedSize: number } {
  return d.expectedSize !== null && d.expectedSize >= MIN_RANGED_BYTES && d.settings.downloads.connections > 1;
}

export async function downloadHttp(d: HttpDownload): Promise<Downloaded> {
  let hash: FileHash | null = null;
  try {
    if (ranged(d)) {
      const got = await downloadRanged(d, d.expectedSize);
      if (got !== null) return got; // else the server ignored Range: one stream
    }
    hash = hashFileInBackground(d.partialPath);
    return await download(d, hash);
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

async function download(d: HttpDownload, hash: FileHash): Promise<Downloaded> {
  const interrupted = () => interruptedError(d.label);
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
    if (d.signal.aborted) throw interrupted();
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
  let failures = 0;
  /** The most bytes the partial has held: only going past it counts as progress (a restart to 0 does not). */
  let furthest = have;
  let crossOriginRefusals = 0;
  const fail = async (problem: string, cause: unknown, retryAfter: string | null): Promise<void> => {
    failures++;
    if (failures >= d.tuning.attempts) throw networkError(d.label, failures, problem, cause, d.settings);
    const wait = retryDelayMs(failures, d.tuning, parseRetryAfter(retryAfter, Date.now()), Math.random());
    try {
      await sleep(wait, undefined, { signal: d.signal });
    } catch {
      throw interrupted();
    }
  };
  for (;;) {
    if (d.signal.aborted) throw interrupted();
    let res: HttpResponse;
    d.countRequest();
    try {
      res = await httpGet({ url: d.url, token: d.token }, {
        method: 'GET', from: have, signal: d.signal, stallTimeoutMs: d.tuning.stallTimeoutMs, env: d.env,
        bulk: d.expectedSize === null || d.expectedSize - have >= BULK_BYTES,
      });
    } catch (err) {
      if (d.signal.aborted) throw interrupted();
      if (isCertificateError(err)) throw certificateError(d.label, describeNetworkFailure(err, d.url), err, d.settings);
      if (err instanceof BadRedirect) throw redirectError(d.label, err, d.settings);
      await fail(describeNetworkFailure(err, d.url), err, null);
      continue;
    }
    vouched ??= vouchedSha256(res.chain, d.trustEtag);
    gitBlob ??= vouchedGitBlob(res.chain, d.trustEtag);
    const status = res.status;
    const discard = () => discardBody(res.body);
    if (status === 200 || status === 206) {
      if (status === 200 && have > 0) await restart(); // the server ignored Range: take the whole file
      if (status === 206) {
        const plan = plan206(res.headers['content-range'], have, d.expectedSize);
        if (plan !== 'append') {
          res.body.destroy(); // the wrong bytes: not worth reading to the end
          await restart();
          await fail(`HTTP 206 with Content-Range ${res.headers['content-range'] ?? '(none)'} for bytes from ${have}`, undefined, null);
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
      if (d.signal.aborted) throw interrupted();
      if (failed instanceof WriteFailed) throw writeError(failed.original, d.partialPath, d.label, d.settings);
      if (failed instanceof TooManyBytes) {
        await discard();
        return { bytes: have, sha256: await digest(), vouched, gitBlob, tooMany: true };
      }
      if (have >= furthest + PROGRESS_RESETS_FAILURES) failures = 0;
      furthest = Math.max(furthest, have);
      await fail(describeNetworkFailure(failed, res.url), failed, null);
      continue;
    }
    await discard();
    if (status === 416) {
      const plan = plan416(res.headers['content-range'], have);
      if (plan === 'complete') return { bytes: have, sha256: await digest(), vouched, gitBlob, tooMany: false };
      await restart();
      await fail(`HTTP 416 for bytes from ${have}`, undefined, null);
      continue;
    }
    if (status === 401 || status === 403) {
      // Signed storage URLs expire: a refusal off the API's origin earns one fresh trip through the API.
      const offOrigin = new URL(res.url).origin !== new URL(d.url).origin;
      if (offOrigin && crossOriginRefusals++ === 0) {
        await fail(`HTTP ${status} from ${new URL(res.url).origin}`, undefined, null);
        continue;
      }
      throw credentialsError(status, res.url, d.label, d.credential, d.token !== null, d.settings);
    }
    if (status === 404 || status === 410) throw notFoundError(status, res.url, d.file, d.label, d.settings);
    const problem = `HTTP ${status}${res.statusText ? ` ${res.statusText}` : ''} from ${new URL(res.url).origin}`;
    if (!isRetryableStatus(status)) throw networkError(d.label, failures + 1, problem, undefined, d.settings);
    await fail(problem, undefined, res.headers['retry-after'] ?? null);
  }
}
