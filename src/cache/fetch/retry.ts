// When and how long to wait before trying a request again. Pure: the clock and the dice are arguments.
import { readInt, type Env } from '../../config/env.js';

export interface RetryTuning {
  /** Failed attempts in a row before giving up. */
  attempts: number;
  /** First backoff delay; doubles each failure. */
  baseDelayMs: number;
  /** Ceiling of one backoff delay. */
  maxDelayMs: number;
  /** Ceiling of a server's Retry-After: a server asking for an hour must not hang a container start. */
  maxRetryAfterMs: number;
  /** No byte for this long within a body, or no complete response head this long after a request starts, counts as a failed attempt. */
  stallTimeoutMs: number;
}

export const DEFAULT_TUNING: RetryTuning = {
  attempts: 5,
  baseDelayMs: 1000,
  maxDelayMs: 30_000,
  maxRetryAfterMs: 120_000,
  stallTimeoutMs: 60_000,
};

/**
 * nimlet's own knobs, mainly so tests run fast: NIMLET_RETRY_ATTEMPTS, NIMLET_RETRY_BASE_MS,
 * NIMLET_RETRY_MAX_MS, NIMLET_RETRY_AFTER_MAX_MS, NIMLET_HTTP_TIMEOUT_MS. A bad value is exit 78.
 */
export function readRetryTuning(env: Env): RetryTuning {
  const base = readInt(env, 'NIMLET_RETRY_BASE_MS', 0, 600_000) ?? DEFAULT_TUNING.baseDelayMs;
  return {
    attempts: readInt(env, 'NIMLET_RETRY_ATTEMPTS', 1, 100) ?? DEFAULT_TUNING.attempts,
    baseDelayMs: base,
    maxDelayMs: readInt(env, 'NIMLET_RETRY_MAX_MS', 0, 3_600_000) ?? Math.max(base, DEFAULT_TUNING.maxDelayMs),
    maxRetryAfterMs: readInt(env, 'NIMLET_RETRY_AFTER_MAX_MS', 0, 3_600_000) ?? DEFAULT_TUNING.maxRetryAfterMs,
    stallTimeoutMs: readInt(env, 'NIMLET_HTTP_TIMEOUT_MS', 100, 3_600_000) ?? DEFAULT_TUNING.stallTimeoutMs,
  };
}

/**
 * Statuses worth another try: a timeout, throttling, and every server error (CDNs add their own, 520–530)
 * but the two that say the request itself can never work: 501 Not Implemented, 505 HTTP Version Not Supported.
 */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || (status >= 500 && status <= 599 && status !== 501 && status !== 505);
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
