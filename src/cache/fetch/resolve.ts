// Where a source's bytes come from, and the credential rule: a parsed source URI becomes an HTTP URL with the one
// credential its origin may receive (endpoints and the mirror come from Settings), or a file on disk; the exchange
// then follows redirects by hand, so that the token goes to the API's origin only: NGC and Hugging Face answer with
// a 302 to signed storage or a CDN, which must never see it.
import path from 'node:path';
import type { Readable } from 'node:stream';
import type { ProxySettings, RepositoryOverride } from '../../config/downloads.js';
import type { Settings } from '../../config/env.js';
import { NimletError } from '../../errors.js';
import type { ParsedSource } from '../../manifest/source-uri.js';
import { displayUrl } from '../../log/redact.js';
import { discardBody, send } from '../../http/transport.js';

export type Credential = 'NGC_API_KEY' | 'HF_TOKEN';

export type ResolvedSource =
  | { kind: 'http'; url: string; credential: Credential | null }
  | { kind: 'file'; path: string };

type NgcSource = Extract<ParsedSource, { kind: 'ngc' }>;

const seg = (s: string): string => encodeURIComponent(s);
const filePath = (p: string): string => p.split('/').map(seg).join('/');

/** The NGC file endpoint under `endpoint` (no trailing slash). */
function ngcFileUrl(endpoint: string, s: NgcSource): string {
  const team = s.team === null ? '' : `/team/${seg(s.team)}`;
  return `${endpoint}/v2/org/${seg(s.org)}${team}/models/${seg(s.model)}/versions/${seg(s.version)}/files/${filePath(s.file)}`;
}

/** The source written back as NIM writes it after `ngc://`: `org[/team]/model:version?file=path`. */
export function ngcKey(s: NgcSource): string {
  const repo = [s.org, ...(s.team === null ? [] : [s.team]), s.model].join('/');
  return `${repo}:${s.version}?file=${s.file}`;
}

/**
 * NIM_REPOSITORY_OVERRIDE (read in config/downloads.ts): `ngc://HOST` keeps NGC's API layout on another host (the
 * NGC key is still sent, to that host only); a plain mirror holds each file at `PATH/` + the URL-encoded
 * `org/team/model:version?file=path`. The NGC key is never sent to such a mirror: it is NVIDIA's credential, not the mirror's.
 */
function overridden(o: RepositoryOverride, s: NgcSource): ResolvedSource {
  if (o.kind === 'ngc') return { kind: 'http', url: ngcFileUrl(o.base, s), credential: 'NGC_API_KEY' };
  return { kind: 'http', url: `${o.base}/${encodeURIComponent(ngcKey(s))}`, credential: null };
}

/** Where `source`'s bytes come from, and which credential (by variable name) its origin may receive. */
export function resolveSource(source: ParsedSource, settings: Settings): ResolvedSource {
  switch (source.kind) {
    case 'ngc':
      if (settings.downloads.repository !== null) return overridden(settings.downloads.repository, source);
      return { kind: 'http', url: ngcFileUrl(settings.ngcEndpoint, source), credential: 'NGC_API_KEY' };
    case 'hf':
      return {
        kind: 'http',
        url: `${settings.hfEndpoint}/${seg(source.org)}/${seg(source.repo)}/resolve/${seg(source.revision)}/${filePath(source.file)}`,
        credential: 'HF_TOKEN',
      };
    case 'http':
      return { kind: 'http', url: source.url, credential: null };
    case 'file':
      return { kind: 'file', path: path.resolve(source.path) };
  }
}

/**
 * Where `source`'s bytes come from; the one place the fetch stack checks offline mode: no request of any kind.
 * (The cache refuses a whole profile before this, naming what is missing; this holds for every other caller.)
 */
export function resolveOnline(source: ParsedSource, settings: Settings, label: string): ResolvedSource {
  const resolved = resolveSource(source, settings);
  if (resolved.kind === 'http' && settings.offline) {
    throw new NimletError('offline-incomplete', `${label} is not in the cache and downloads are turned off`, {
      hint: 'unset HF_HUB_OFFLINE, NIMLET_OFFLINE and NIM_DISABLE_MODEL_DOWNLOAD, or fill the cache first (download-to-cache)',
    });
  }
  return resolved;
}

/** The value of a credential variable in `settings`, or null when it is not set. */
export function credentialValue(credential: Credential | null, settings: Settings): string | null {
  if (credential === 'NGC_API_KEY') return settings.ngcApiKey;
  if (credential === 'HF_TOKEN') return settings.hfToken;
  return null;
}

export interface HttpTarget {
  /** The resolved API URL: its origin is the only one that receives `token`. */
  url: string;
  token: string | null;
}

export interface HttpResponse {
  status: number;
  statusText: string;
  /** The URL that answered (after redirects). */
  url: string;
  headers: Record<string, string>;
  /** Headers of every response in the chain, first to last: Hugging Face puts X-Linked-Etag on the 302. */
  chain: Array<Record<string, string>>;
  body: Readable;
}

const MAX_REDIRECTS = 10;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const USER_AGENT = 'nimlet (+https://github.com/nimlet)';

export interface GetOptions {
  method: 'GET' | 'HEAD';
  /** First byte wanted; > 0 sends `Range: bytes=N-`. */
  from: number;
  /** Last byte wanted (inclusive): sends `Range: bytes=from-to` even when `from` is 0. */
  to?: number;
  signal: AbortSignal;
  stallTimeoutMs: number;
  /** HTTP(S)_PROXY and NO_PROXY (settings.downloads.proxy); null: direct. */
  proxy: ProxySettings | null;
  readBufferBytes?: number;
}

/** True when `url` is off `api`'s origin: signed storage or a CDN, which never receives the token. */
export const offOrigin = (url: string, api: string): boolean => new URL(url).origin !== new URL(api).origin;

/** Where the API sent a request (`landed`), as a target of its own: the token goes along only on the API's origin. */
export const landedTarget = (api: HttpTarget, landed: string): HttpTarget => ({ url: landed, token: offOrigin(landed, api.url) ? null : api.token });

/** Sends the request, following up to 10 redirects; Authorization only while on the API's origin. */
export async function httpGet(target: HttpTarget, opts: GetOptions): Promise<HttpResponse> {
  const chain: Array<Record<string, string>> = [];
  let url = target.url;
  for (let hop = 0; ; hop++) {
    const headers: Record<string, string> = { 'user-agent': USER_AGENT, 'accept-encoding': 'identity' };
    if (opts.to !== undefined) headers.range = `bytes=${opts.from}-${opts.to}`;
    else if (opts.from > 0) headers.range = `bytes=${opts.from}-`;
    if (target.token !== null && !offOrigin(url, target.url)) headers.authorization = `Bearer ${target.token}`;
    const res = await send(url, { method: opts.method, headers, signal: opts.signal, stallTimeoutMs: opts.stallTimeoutMs, proxy: opts.proxy,
      ...(opts.readBufferBytes === undefined ? {} : { readBufferBytes: opts.readBufferBytes }) });
    chain.push(res.headers);
    const location = res.headers.location;
    if (!REDIRECTS.has(res.status) || location === undefined) {
      return { status: res.status, statusText: res.statusText, url, headers: res.headers, chain, body: res.body };
    }
    await discardBody(res.body);
    url = redirectTarget(res.status, url, location, hop);
  }
}

/** A redirect nimlet will not follow: the server answers wrongly, and asking again gets the same answer. */
export class BadRedirect extends Error {
  readonly code = 'ERR_BAD_REDIRECT';
}

/** Where a redirect leads; only http: and https: are followed (anything else would be spoken to as plain HTTP). */
function redirectTarget(status: number, from: string, location: string, hop: number): string {
  const where = `HTTP ${status} from ${displayUrl(from)}`;
  if (hop >= MAX_REDIRECTS) throw new BadRedirect(`${where}: more than ${MAX_REDIRECTS} redirects in a row (a redirect loop?)`);
  let to: URL;
  try {
    to = new URL(location, from);
  } catch {
    // Without its query: a signed storage URL's signature is a credential of its own.
    throw new BadRedirect(`${where} redirects to an invalid URL: ${JSON.stringify(location.split('?')[0]!.slice(0, 80))}`);
  }
  if (to.protocol !== 'http:' && to.protocol !== 'https:') {
    // The scheme only: the rest of a URL nimlet will never fetch may hold a signature or a local path.
    throw new BadRedirect(`${where} redirects to "${to.protocol}", a scheme nimlet does not follow (only http: and https:)`);
  }
  return to.href;
}
