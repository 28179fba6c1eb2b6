// Every setting a download obeys, read once here (DESIGN §2, §7, §15) and passed down as `settings.downloads`:
// connections, retry tuning, the proxy, the NIM_REPOSITORY_OVERRIDE mirror. The fetch stack reads nothing else, so a
// download obeys exactly what the command checked. A bad value is exit 78 naming the variable (readInt).
import { NimletError } from '../errors.js';
import { readInt, type Env } from './read.js';

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

/** HTTP(S)_PROXY and NO_PROXY as undici's EnvHttpProxyAgent takes them (lower case first, as curl reads them). */
export interface ProxySettings { httpProxy: string; httpsProxy: string; noProxy: string }

/**
 * NIM_REPOSITORY_OVERRIDE as NIM documents it: `ngc://HOST` keeps NGC's API layout on another host (`base` is
 * https://HOST[/PATH]); `https://HOST[/PATH]` is a plain mirror. Read by cache/fetch/resolve.ts.
 */
export type RepositoryOverride = { kind: 'ngc' | 'mirror'; base: string };

export interface DownloadSettings {
  /** Ranged connections per file; 1 is one stream per file, as before issue 15. */
  connections: number;
  /** Connections across every file being fetched at once (4 files in parallel: see ensure-profile). */
  maxConnections: number;
  /** NIMLET_RETRY_ATTEMPTS, NIMLET_RETRY_BASE_MS, NIMLET_RETRY_MAX_MS, NIMLET_RETRY_AFTER_MAX_MS, NIMLET_HTTP_TIMEOUT_MS. */
  retry: RetryTuning;
  /** null: no HTTP(S)_PROXY set, every request goes direct. */
  proxy: ProxySettings | null;
  repository: RepositoryOverride | null;
}

/**
 * Defaults, measured with bench/download.mjs (nginx `limit_rate 20m` per connection, 2 cores): 16 per file is
 * what `aria2c -x16` and the DESIGN's budget use; at 4 connections a 512 MiB file took 5.7 s, at 16 3.2 s
 * (aria2c -x16: 2.9 s). 16 in all as well: the link is filled by the sum, not by how it is shared among the 4
 * files fetched at once, and each connection holds ~2 MB of buffers: 64 put nimlet over its 150 MB RSS budget.
 */
export const DEFAULT_DOWNLOADS = { connections: 16, maxConnections: 16 } as const;

export const DEFAULT_TUNING: RetryTuning = { attempts: 5, baseDelayMs: 1000, maxDelayMs: 30_000, maxRetryAfterMs: 120_000, stallTimeoutMs: 60_000 };

/** nimlet's own knobs, mainly so tests run fast. */
function readRetryTuning(env: Env): RetryTuning {
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
 * HTTP(S)_PROXY (either case) must be an http:// or https:// URL, which is what the proxy agent takes; a bad one is
 * refused up front, not met as a retried "Invalid URL" on the first download. The value is not shown: proxy URLs
 * carry passwords. null when none is set: then NO_PROXY alone changes nothing.
 */
function readProxy(env: Env): ProxySettings | null {
  const names = ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy'];
  for (const name of names) {
    const raw = env[name]?.trim();
    if (!raw) continue;
    let ok = false;
    try {
      ok = ['http:', 'https:'].includes(new URL(raw).protocol);
    } catch {
      ok = false;
    }
    if (!ok) {
      throw new NimletError('bad-config', `${name} is not a proxy URL (its value is not shown: it may hold a password)`, {
        hint: `set ${name} to http://host:port or https://host:port (with user:password@ if the proxy needs it), or unset it`,
      });
    }
  }
  if (!names.some((v) => (env[v] ?? '').trim() !== '')) return null;
  const pick = (lower: string, upper: string): string => env[lower] ?? env[upper] ?? '';
  return { httpProxy: pick('http_proxy', 'HTTP_PROXY'), httpsProxy: pick('https_proxy', 'HTTPS_PROXY'), noProxy: pick('no_proxy', 'NO_PROXY') };
}

function badOverride(value: string, why: string): NimletError {
  return new NimletError('bad-config', `NIM_REPOSITORY_OVERRIDE=${JSON.stringify(value)} is not valid: ${why}`, {
    hint: 'set NIM_REPOSITORY_OVERRIDE to ngc://HOST (an NGC-compatible API) or https://HOST/PATH (a mirror), or unset it',
  });
}

/**
 * http:// is allowed for mirrors on a private network. s3:// (NIM's third form) needs AWS signing and is refused
 * rather than half-supported.
 */
function readRepositoryOverride(env: Env): RepositoryOverride | null {
  const override = env.NIM_REPOSITORY_OVERRIDE?.trim();
  if (!override) return null;
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(override)?.[1]?.toLowerCase();
  if (scheme === 'ngc') {
    let url: URL;
    try {
      url = new URL(`https://${override.slice('ngc://'.length)}`);
    } catch {
      throw badOverride(override, 'ngc:// must be followed by a host name');
    }
    if (!url.hostname) throw badOverride(override, 'ngc:// must be followed by a host name');
    return { kind: 'ngc', base: `https://${url.host}${url.pathname.replace(/\/+$/, '')}` };
  }
  if (scheme === 'https' || scheme === 'http') {
    let url: URL;
    try {
      url = new URL(override);
    } catch {
      throw badOverride(override, 'not a valid URL');
    }
    if (!url.hostname) throw badOverride(override, 'the URL has no host');
    if (url.search || url.hash) throw badOverride(override, 'the URL must not have a query or fragment');
    return { kind: 'mirror', base: `${url.origin}${url.pathname.replace(/\/+$/, '')}` };
  }
  if (scheme === 's3') throw badOverride(override, 's3:// mirrors are not supported by nimlet; serve the bucket over https://');
  throw badOverride(override, 'expected ngc://HOST or https://HOST/PATH');
}

export function readDownloadSettings(env: Env): DownloadSettings {
  const proxy = readProxy(env);
  const connections = readInt(env, 'NIMLET_DOWNLOAD_CONNECTIONS', 1, 64) ?? DEFAULT_DOWNLOADS.connections;
  const maxConnections = readInt(env, 'NIMLET_MAX_CONNECTIONS', 1, 1024) ?? Math.max(connections, DEFAULT_DOWNLOADS.maxConnections);
  if (maxConnections < connections) {
    throw new NimletError('bad-config', `NIMLET_MAX_CONNECTIONS=${maxConnections} is below NIMLET_DOWNLOAD_CONNECTIONS=${connections}`, {
      hint: 'raise NIMLET_MAX_CONNECTIONS (connections across all files) to at least NIMLET_DOWNLOAD_CONNECTIONS (per file), or unset one',
    });
  }
  return { connections, maxConnections, retry: readRetryTuning(env), proxy, repository: readRepositoryOverride(env) };
}
