// One HTTP exchange with redirects followed by hand, so that the credential goes to the API's origin only:
// NGC and Hugging Face answer with a 302 to signed storage or a CDN, which must never see the token.
import type { Readable } from 'node:stream';
import type { Env } from '../../config/env.js';
import { displayUrl } from '../../log/redact.js';
import { discardBody, send } from './transport.js';

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
  env: Env;
  /** A large body is expected (see transport's bulk client). */
  bulk?: boolean;
  readBufferBytes?: number;
}

/** Sends the request, following up to 10 redirects; Authorization only while on the API's origin. */
export async function httpGet(target: HttpTarget, opts: GetOptions): Promise<HttpResponse> {
  const apiOrigin = new URL(target.url).origin;
  const chain: Array<Record<string, string>> = [];
  let url = target.url;
  for (let hop = 0; ; hop++) {
    const headers: Record<string, string> = { 'user-agent': USER_AGENT, 'accept-encoding': 'identity' };
    if (opts.to !== undefined) headers.range = `bytes=${opts.from}-${opts.to}`;
    else if (opts.from > 0) headers.range = `bytes=${opts.from}-`;
    if (target.token !== null && new URL(url).origin === apiOrigin) headers.authorization = `Bearer ${target.token}`;
    const res = await send(url, { method: opts.method, headers, signal: opts.signal, stallTimeoutMs: opts.stallTimeoutMs, env: opts.env, bulk: opts.bulk === true,
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

/** A sha256 the server vouches for: X-Linked-Etag anywhere in the chain, else (Hugging Face only) an ETag. */
export function vouchedSha256(chain: ReadonlyArray<Record<string, string>>, trustEtag: boolean): string | null {
  const hex = (v: string | undefined): string | null => {
    const m = v === undefined ? null : /^(?:W\/)?"?([0-9a-fA-F]{64})"?$/.exec(v.trim());
    return m?.[1]?.toLowerCase() ?? null;
  };
  for (const h of chain) {
    const linked = hex(h['x-linked-etag']);
    if (linked) return linked;
  }
  if (!trustEtag) return null;
  for (const h of chain) {
    const etag = hex(h.etag);
    if (etag) return etag;
  }
  return null;
}

/**
 * A git blob id (40-hex sha1 of `blob <size>\0<bytes>`) the Hugging Face hub gives as the ETag of a file kept in git
 * rather than LFS (small files: config.json, tokenizer.json): something to verify when the manifest states no sha256.
 */
export function vouchedGitBlob(chain: ReadonlyArray<Record<string, string>>, trustEtag: boolean): string | null {
  if (!trustEtag) return null;
  for (const h of chain) {
    for (const v of [h['x-linked-etag'], h.etag]) {
      const m = v === undefined ? null : /^(?:W\/)?"?([0-9a-fA-F]{40})"?$/.exec(v.trim());
      if (m?.[1]) return m[1].toLowerCase();
    }
  }
  return null;
}
