// The Hugging Face Hub's metadata API (DESIGN §13): the revision resolved once to a commit, the file tree of that
// commit (paged through the `Link` header, as huggingface_hub's `list_repo_tree` pages it), and config.json. Only
// metadata: no weight file is ever read here. A gated or private repository without a token is 77.
// Sent by the downloads' own HTTP client (http/transport.ts): through HTTP(S)_PROXY unless NO_PROXY names the
// host, bounded by NIMLET_HTTP_TIMEOUT_MS. Node 20's global fetch reads no proxy variable, so behind a proxy the
// metadata failed to reach the Hub while the downloads that followed would have gone through.
import type { Readable } from 'node:stream';
import type { ProxySettings } from '../config/downloads.js';
import { NimletError } from '../errors.js';
import { discardBody, send as sendRequest, type Sent } from '../http/transport.js';
import { engineLoads, type CheckpointFile, type HfModelUri } from './checkpoint.js';

export interface HubAccess {
  endpoint: string;
  token: string | null;
  /** settings.downloads.proxy: null sends direct. */
  proxy: ProxySettings | null;
  /** No answer head, or no body byte, for this long fails a request (NIMLET_HTTP_TIMEOUT_MS). */
  stallTimeoutMs: number;
  signal?: AbortSignal;
}

interface TreeEntry {
  type?: string;
  path?: string;
  size?: number;
  oid?: string;
  lfs?: { oid?: string; size?: number } | null;
}

const seg = (s: string): string => s.split('/').map(encodeURIComponent).join('/');
const HEX40 = /^[0-9a-f]{40}$/;
const HEX64 = /^[0-9a-f]{64}$/;
/** The most of one answer read: a tree page of a thousand files is a few hundred KB. */
const ANSWER_LIMIT = 64 * 1024 * 1024;

/**
 * One GET, redirects followed by hand (a renamed repository answers 307): HF_TOKEN goes to HF_ENDPOINT's origin only,
 * never to another one a redirect names. Bounded in time as a whole (at least 60 s), and by the command's interrupt.
 */
async function get(url: string, access: HubAccess, signal: AbortSignal): Promise<Sent> {
  const origin = new URL(access.endpoint).origin;
  let at = url;
  for (let hop = 0; ; hop++) {
    const sameOrigin = new URL(at).origin === origin;
    const headers: Record<string, string> = { accept: 'application/json' };
    if (access.token !== null && sameOrigin) headers.authorization = `Bearer ${access.token}`;
    const res = await sendRequest(at, { method: 'GET', headers, signal, stallTimeoutMs: access.stallTimeoutMs, proxy: access.proxy, readBufferBytes: 64 * 1024 });
    const location = res.headers.location;
    if (res.status < 300 || res.status >= 400 || location === undefined || hop >= 5) return res;
    await discardBody(res.body);
    at = new URL(location, at).href;
  }
}

/** A whole answer's text, at most ANSWER_LIMIT bytes. */
async function readText(body: Readable): Promise<string> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > ANSWER_LIMIT) {
      body.destroy();
      throw new Error(`the answer is over ${ANSWER_LIMIT} bytes`);
    }
    parts.push(chunk);
  }
  return Buffer.concat(parts).toString('utf8');
}

/** A successful GET's answer, read whole: its headers and text. */
interface Answer {
  headers: Record<string, string>;
  text: string;
}

async function hubGet(url: string, access: HubAccess, what: string, repo: string): Promise<Answer> {
  const deadline = AbortSignal.timeout(Math.max(60_000, access.stallTimeoutMs));
  const signal = access.signal ? AbortSignal.any([access.signal, deadline]) : deadline;
  const unreachable = (e: unknown): NimletError => new NimletError('network', `cannot reach the Hugging Face Hub for ${what} of ${repo}: ${(e as Error).message}`, {
    hint: 'check HF_ENDPOINT and the network (or HTTPS_PROXY and NO_PROXY); a model already on disk works with HF_HUB_OFFLINE=1',
  });
  let res: Sent;
  try {
    res = await get(url, access, signal);
  } catch (e) {
    throw unreachable(e);
  }
  if (res.status === 401 || res.status === 403) {
    res.body.destroy();
    throw new NimletError('credentials', `the Hugging Face Hub refused ${what} of ${repo} (HTTP ${res.status}): a gated or private repository`, {
      hint: access.token === null ? 'set HF_TOKEN to a token that was granted access to this repository' : 'HF_TOKEN was sent: check that it has been granted access to this repository',
    });
  }
  if (res.status === 404) {
    res.body.destroy();
    throw new NimletError('not-found', `the Hugging Face Hub has no ${what} for ${repo} (HTTP 404)`, {
      hint: 'check the repository and revision in NIM_MODEL_PATH (hf://org/model:revision); a private one answers 404 without HF_TOKEN too',
    });
  }
  if (res.status < 200 || res.status >= 300) {
    res.body.destroy();
    throw new NimletError('network', `the Hugging Face Hub answered HTTP ${res.status} for ${what} of ${repo}`, { hint: 'try again later' });
  }
  try {
    return { headers: res.headers, text: await readText(res.body) };
  } catch (e) {
    throw unreachable(e);
  }
}

function json(res: Answer, what: string): unknown {
  try {
    return JSON.parse(res.text);
  } catch {
    throw new NimletError('network', `the Hugging Face Hub's answer for ${what} is not JSON`, { hint: 'check HF_ENDPOINT' });
  }
}

/** The commit a branch, tag or commit names, asked once so a moving branch never mixes files of two commits. */
export async function resolveCommit(model: HfModelUri, access: HubAccess): Promise<string> {
  const repo = `${model.org}/${model.name}`;
  const res = await hubGet(`${access.endpoint}/api/models/${seg(repo)}/revision/${encodeURIComponent(model.revision)}`, access, `revision ${model.revision}`, repo);
  const body = json(res, 'the revision') as { sha?: unknown };
  if (typeof body.sha !== 'string' || !HEX40.test(body.sha)) {
    throw new NimletError('network', `the Hugging Face Hub gave no commit for ${repo}:${model.revision}`, { hint: 'check HF_ENDPOINT' });
  }
  return body.sha;
}

/** `<url>; rel="next"` of a Link header (RFC 8288), resolved against the request's URL. */
function nextPage(link: string | null, base: string): string | null {
  for (const part of (link ?? '').split(',')) {
    const m = /<([^>]+)>\s*;\s*rel="?next"?/.exec(part);
    if (m) return new URL(m[1]!, base).href;
  }
  return null;
}

/** Every file of the commit that an engine loads, with its size and what vouches for it. */
export async function listFiles(model: HfModelUri, commit: string, access: HubAccess): Promise<CheckpointFile[]> {
  const repo = `${model.org}/${model.name}`;
  const files: CheckpointFile[] = [];
  let url: string | null = `${access.endpoint}/api/models/${seg(repo)}/tree/${commit}?recursive=true`;
  for (let page = 0; url !== null; page++) {
    if (page > 10_000) throw new NimletError('network', `the Hugging Face Hub's file list of ${repo} does not end`, { hint: 'check HF_ENDPOINT' });
    const res = await hubGet(url, access, 'the file list', repo);
    const entries = json(res, 'the file list') as TreeEntry[];
    if (!Array.isArray(entries)) throw new NimletError('network', `the Hugging Face Hub's file list of ${repo} is not a list`, { hint: 'check HF_ENDPOINT' });
    for (const e of entries) {
      if (e.type !== 'file' || typeof e.path !== 'string' || !engineLoads(e.path) || typeof e.size !== 'number') continue;
      const sha256 = typeof e.lfs?.oid === 'string' && HEX64.test(e.lfs.oid) ? e.lfs.oid : null;
      const gitBlob = sha256 === null && typeof e.oid === 'string' && HEX40.test(e.oid) ? e.oid : null;
      files.push({ path: e.path, size: e.size, sha256, gitBlob, uri: `hf://${repo}:${commit}?file=${e.path}` });
    }
    url = nextPage(res.headers.link ?? null, url);
  }
  return files.sort((a, b) => (a.path < b.path ? -1 : 1));
}

/** config.json of the commit, parsed (a few KB: the only file read before a profile is chosen). */
export async function readConfig(model: HfModelUri, commit: string, access: HubAccess): Promise<Record<string, unknown>> {
  const repo = `${model.org}/${model.name}`;
  const res = await hubGet(`${access.endpoint}/${seg(repo)}/resolve/${commit}/config.json`, access, 'config.json', repo);
  const value = json(res, 'config.json');
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new NimletError('manifest-invalid', `config.json of ${repo} is not a JSON object`, { hint: 'this repository is not a model nimlet can serve' });
  }
  return value as Record<string, unknown>;
}
