// What ends an attempt or a download, and whether to try again: the one status classifier, the one retry driver
// (backoff, Retry-After, the attempt budget) and the NimletErrors a download ends with, each naming the file and
// what it is for (`label`) with a hint. Every text goes through scrubSecrets (log/redact.ts's policy): no token reaches a log, an error or a cause.
import { setTimeout as sleep } from 'node:timers/promises';
import type { RetryTuning } from '../../config/downloads.js';
import type { Settings } from '../../config/env.js';
import { NimletError } from '../../errors.js';
import { BadRedirect, type Credential } from './resolve.js';
import { displayUrl, redactedCause, redactText } from '../../log/redact.js';

type Secrets = Pick<Settings, 'ngcApiKey' | 'hfToken'>;

const scrubSecrets = (text: string, s: Secrets): string => redactText(text, [s.ngcApiKey, s.hfToken]);
const scrubbedCause = (err: unknown, s: Secrets): Error => redactedCause(err, [s.ngcApiKey, s.hfToken]);

/** What the classifier needs to name a failure of one file's requests. */
export interface Attempted {
  label: string;
  /** The file's name in messages (the path inside the repository, or the URL's last segment). */
  file: string;
  credential: Credential | null;
  tokenSent: boolean;
  settings: Secrets;
}

/** What names the failures of one file's requests: its label and name, the credential rule, the secrets to scrub. */
export const attempted = (d: { label: string; file: string; credential: Credential | null; token: string | null; settings: Secrets }): Attempted =>
  ({ label: d.label, file: d.file, credential: d.credential, tokenSent: d.token !== null, settings: d.settings });

const CREDENTIAL_HINTS: Record<Credential, string> = {
  NGC_API_KEY: 'set NGC_API_KEY to an NGC API key (nvapi-…) whose organisation can read this model',
  HF_TOKEN: "set HF_TOKEN to a Hugging Face token that can read this repository (gated models: accept the licence on the model's page first)",
};

/**
 * Statuses worth another try: a timeout, throttling, and every server error (CDNs add their own, 520–530)
 * but the two that say the request itself can never work: 501 Not Implemented, 505 HTTP Version Not Supported.
 */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || (status >= 500 && status <= 599 && status !== 501 && status !== 505);
}

/**
 * The one verdict on a status the caller does not take as bytes (2xx, a 416 or 401/403 it handles itself): throws
 * what ends the download (77, 66, 75 at once), or returns the problem worth another attempt.
 */
export function classifyStatus(a: Attempted, status: number, statusText: string, url: string, failures: number): string {
  if (status === 401 || status === 403) {
    const { credential } = a;
    const why = credential === null ? 'nimlet sends no credentials to this URL' : a.tokenSent ? `${credential} was refused` : `${credential} is not set`;
    const hint = credential === null ? 'make the mirror readable without credentials, or use an ngc:// or hf:// source with its token' : CREDENTIAL_HINTS[credential];
    throw new NimletError('credentials', scrubSecrets(`HTTP ${status} for ${a.label} from ${displayUrl(url)}: ${why}`, a.settings), { hint });
  }
  if (status === 404 || status === 410) {
    throw new NimletError('not-found', scrubSecrets(`${a.file} not found (HTTP ${status}) for ${a.label} at ${displayUrl(url)}`, a.settings), {
      hint: "check the manifest's source URI for this file (organisation, model, version, file name) and the endpoint (NIMLET_NGC_ENDPOINT, HF_ENDPOINT, NIM_REPOSITORY_OVERRIDE)",
    });
  }
  const problem = `HTTP ${status}${statusText ? ` ${statusText}` : ''} from ${new URL(url).origin}`;
  if (status !== 416 && !isRetryableStatus(status)) throw networkError(a, failures + 1, problem, undefined);
  return problem;
}

/** OpenSSL's verdicts on a server's certificate (as err.code, or the cause's code under undici). */
const CERTIFICATE_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'CERT_UNTRUSTED', 'CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID', 'CERT_SIGNATURE_FAILURE',
  'CERT_REVOKED', 'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/**
 * The one verdict on a request that threw: an untrusted certificate or a redirect nimlet will not follow ends the
 * download at once (asking again gets the same answer); anything else (a reset, a timeout, DNS) is one line to retry on.
 */
export function classifyThrown(a: Attempted, err: unknown, url: string): string {
  const e = err as { code?: unknown; message?: unknown; cause?: { code?: unknown } } | null;
  const code = typeof e?.code === 'string' ? e.code : typeof e?.cause?.code === 'string' ? e.cause.code : null;
  const line = `${typeof e?.message === 'string' ? e.message : String(err)}${code !== null ? ` (${code})` : ''} talking to ${displayUrl(url)}`;
  if (CERTIFICATE_CODES.has(String(e?.code)) || CERTIFICATE_CODES.has(String(e?.cause?.code))) {
    throw new NimletError('network', scrubSecrets(`downloading ${a.label} failed: TLS certificate not trusted: ${line}`, a.settings), {
      hint: 'for a mirror with a private CA, set NODE_EXTRA_CA_CERTS to a PEM file holding that CA (it is read when nimlet starts); check the system clock for expired or not-yet-valid certificates',
      cause: scrubbedCause(err, a.settings),
    });
  }
  if (err instanceof BadRedirect) {
    throw new NimletError('network', scrubSecrets(`downloading ${a.label} failed: ${err.message}`, a.settings), {
      hint: "the server, or a proxy or mirror in between, redirects where nimlet cannot follow; check the manifest's source URI and the endpoint (NIMLET_NGC_ENDPOINT, HF_ENDPOINT, NIM_REPOSITORY_OVERRIDE)",
    });
  }
  return line;
}

function networkError(a: Attempted, attempts: number, last: string, cause: unknown): NimletError {
  // Node's parser and raw-http's both name their verdicts HPE_…: the answer arrived, but was no valid HTTP.
  const malformed = /^HPE_/.test(String((cause as { code?: unknown } | undefined)?.code));
  return new NimletError('network', scrubSecrets(`downloading ${a.label} failed after ${attempts} attempt(s): ${last}`, a.settings), {
    hint: malformed
      ? 'the server, or a proxy in between, answers with malformed HTTP; check the mirror or proxy (HTTPS_PROXY, HTTP_PROXY, NO_PROXY)'
      : 'check the network and proxy settings (HTTPS_PROXY, HTTP_PROXY, NO_PROXY); run again to resume where it stopped',
    ...(cause === undefined ? {} : { cause: scrubbedCause(cause, a.settings) }),
  });
}

/** Retry-After in milliseconds: delta-seconds or an HTTP date; null when absent or unreadable. */
export function parseRetryAfter(value: string | null | undefined, nowMs: number): number | null {
  if (value === null || value === undefined) return null;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  if (Number.isNaN(at)) return null;
  return Math.max(0, at - nowMs);
}

/**
 * The wait before attempt number `failures + 1`: exponential backoff with "equal jitter" (half fixed, half
 * random) so many pods retrying one mirror spread out; a server's Retry-After wins when longer, capped.
 */
export function retryDelayMs(failures: number, tuning: RetryTuning, retryAfterMs: number | null, random: number): number {
  const exp = Math.min(tuning.maxDelayMs, tuning.baseDelayMs * 2 ** Math.max(0, failures - 1));
  const backoff = Math.round(exp / 2 + (exp / 2) * random);
  if (retryAfterMs === null) return backoff;
  return Math.max(backoff, Math.min(retryAfterMs, tuning.maxRetryAfterMs));
}

const PROGRESS_RESETS_FAILURES = 1024 * 1024;

/**
 * The one retry driver: counts failed attempts in a row, gives up with exit 75 once `tuning.attempts` are spent,
 * else waits out the backoff. The wait ends early when `signal` aborts; the caller then stops (interrupted).
 */
export class Attempts {
  failures = 0;

  constructor(private readonly a: Attempted, private readonly tuning: RetryTuning, private readonly signal: AbortSignal) {}

  async failed(problem: string, cause?: unknown, retryAfter: string | null = null): Promise<void> {
    this.failures++;
    if (this.failures >= this.tuning.attempts) throw networkError(this.a, this.failures, problem, cause);
    const wait = retryDelayMs(this.failures, this.tuning, parseRetryAfter(retryAfter, Date.now()), Math.random());
    await sleep(wait, undefined, { signal: this.signal }).catch(() => undefined);
  }

  /** A slow but moving link is no failure: an attempt that brought 1 MiB of new bytes starts the count again. */
  progressed(newBytes: number): boolean {
    if (newBytes < PROGRESS_RESETS_FAILURES) return false;
    this.failures = 0;
    return true;
  }
}

/** An fs error while writing: a full disk is 'disk-full', anything else 'io' (both exit 74). */
export function writeError(err: NodeJS.ErrnoException, path: string, label: string, s: Secrets): NimletError {
  if (err.code === 'ENOSPC' || err.code === 'EDQUOT') {
    return new NimletError('disk-full', `no space left on the device while writing ${label} to ${path}`, {
      hint: 'free space in the cache (nimlet cache prune) or point NIM_CACHE_PATH at a larger volume; the download resumes',
      cause: scrubbedCause(err, s),
    });
  }
  if (err.code === 'ELOOP') {
    // partial-file.ts refuses a link, FIFO or device at the partial's name: something planted it there
    return new NimletError('io', `cannot write ${label} to ${path}: not a regular file (a link, FIFO or device not made by nimlet)`, {
      hint: `remove ${path} and run again; nimlet cache verify lists anything else planted in the cache`,
      cause: scrubbedCause(err, s),
    });
  }
  return new NimletError('io', `cannot write ${label} to ${path}: ${err.code ?? err.message}`, {
    hint: 'check that the cache folder is writable and healthy',
    cause: scrubbedCause(err, s),
  });
}

export function checksumError(label: string, expected: string, got: string, bytes: number, size: number | null): NimletError {
  const sizeNote = size !== null && size !== bytes ? ` and ${bytes} bytes instead of ${size}` : '';
  return new NimletError('checksum-mismatch', `${label} failed verification twice: sha256 ${got}${sizeNote}, expected ${expected}`, {
    hint: 'the source serves other bytes than the manifest names; check the mirror or proxy, or the manifest entry; nothing was kept',
  });
}
