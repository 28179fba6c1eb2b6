// Size and vouched sha256 of a source without fetching it (HEAD), for the free-disk check and plans when the
// manifest gives no size. Same credentials rule, redirects and retries as a download.
import { stat } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Env, Settings } from '../../config/env.js';
import { NimletError } from '../../errors.js';
import type { ParsedSource } from '../../manifest/source-uri.js';
import {
  certificateError, credentialsError, describeNetworkFailure, interruptedError, isCertificateError, networkError, notFoundError,
  redirectError,
} from './fetch-errors.js';
import { discardBody } from './transport.js';
import { BadRedirect, httpGet, vouchedSha256, type HttpResponse } from './http-get.js';
import { credentialValue, resolveSource } from './resolve.js';
import { contentLength } from './response-head.js';
import { isRetryableStatus, parseRetryAfter, readRetryTuning, retryDelayMs } from './retry.js';

export interface SourceStat { size: number | null; sha256: string | null }

function readSize(res: HttpResponse): number | null {
  // Hugging Face puts the LFS file's size on the 302 (X-Linked-Size); the CDN's Content-Length is the same.
  for (const h of res.chain) if (h['x-linked-size'] && /^\d+$/.test(h['x-linked-size'])) return Number(h['x-linked-size']);
  try {
    return contentLength(res.headers); // "3700, 3700" from a proxy is 3700
  } catch {
    return null; // a bad one only leaves the size unknown here; the download names it
  }
}

/**
 * `attempts` caps the tries below NIMLET_RETRY_ATTEMPTS: a HEAD asked only for a size hint (the GET follows and has
 * its own retries) takes one, so a failing source costs at most one stall timeout before the download, not a
 * second whole retry budget.
 */
export async function statSource(
  source: ParsedSource, settings: Settings, signal: AbortSignal, env: Env = process.env, attempts?: number,
): Promise<SourceStat> {
  const resolved = resolveSource(source, settings);
  const label = source.kind === 'file' ? source.path : source.kind === 'http' ? source.url : source.file;
  if (resolved.kind === 'file') {
    try {
      return { size: (await stat(resolved.path)).size, sha256: null };
    } catch {
      throw new NimletError('not-found', `${resolved.path} not found`, { hint: "check the manifest's file:// or relative path" });
    }
  }
  if (settings.offline) {
    throw new NimletError('offline-incomplete', `cannot look up ${label}: downloads are turned off`, {
      hint: 'unset HF_HUB_OFFLINE, NIMLET_OFFLINE and NIM_DISABLE_MODEL_DOWNLOAD, or give sizes in the manifest',
    });
  }
  const configured = readRetryTuning(env);
  const tuning = { ...configured, attempts: Math.min(configured.attempts, attempts ?? configured.attempts) };
  const token = credentialValue(resolved.credential, settings);
  for (let failures = 1; ; failures++) {
    let problem: string;
    let retryAfter: string | null = null;
    let cause: unknown;
    try {
      const res = await httpGet({ url: resolved.url, token }, {
        method: 'HEAD', from: 0, signal, stallTimeoutMs: tuning.stallTimeoutMs, env,
      });
      await discardBody(res.body);
      if (res.status >= 200 && res.status < 300) return { size: readSize(res), sha256: vouchedSha256(res.chain, source.kind === 'hf') };
      if (res.status === 401 || res.status === 403) {
        throw credentialsError(res.status, res.url, label, resolved.credential, token !== null, settings);
      }
      if (res.status === 404 || res.status === 410) throw notFoundError(res.status, res.url, label, label, settings);
      problem = `HTTP ${res.status} from ${new URL(res.url).origin}`;
      if (!isRetryableStatus(res.status)) throw networkError(label, failures, problem, undefined, settings);
      retryAfter = res.headers['retry-after'] ?? null;
    } catch (err) {
      if (err instanceof NimletError) throw err;
      if (signal.aborted) throw interruptedError(label);
      // an untrusted certificate stays untrusted: no retry, and a hint about CAs rather than proxies
      if (isCertificateError(err)) throw certificateError(label, describeNetworkFailure(err, resolved.url), err, settings);
      if (err instanceof BadRedirect) throw redirectError(label, err, settings);
      problem = describeNetworkFailure(err, resolved.url);
      cause = err;
    }
    if (failures >= tuning.attempts) throw networkError(label, failures, problem, cause, settings);
    try {
      await sleep(retryDelayMs(failures, tuning, parseRetryAfter(retryAfter, Date.now()), Math.random()), undefined, { signal });
    } catch {
      throw interruptedError(label);
    }
  }
}
