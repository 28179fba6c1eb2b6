// The Hugging Face Hub's metadata API (DESIGN §13): the revision resolved once to a commit, the file tree of that
// commit (paged through the `Link` header, as huggingface_hub's `list_repo_tree` pages it), and config.json. Only
// metadata: no weight file is ever read here. A gated or private repository without a token is 77.
import { NimletError } from '../errors.js';
import { engineLoads, type CheckpointFile, type HfModelUri } from './checkpoint.js';

export interface HubAccess {
  endpoint: string;
  token: string | null;
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

/**
 * One GET, redirects followed by hand (a renamed repository answers 307): HF_TOKEN goes to HF_ENDPOINT's origin only,
 * never to another one a redirect names. Bounded in time, and by the command's interrupt.
 */
async function send(url: string, access: HubAccess): Promise<Response> {
  const origin = new URL(access.endpoint).origin;
  const timeout = AbortSignal.timeout(60_000);
  const signal = access.signal ? AbortSignal.any([access.signal, timeout]) : timeout;
  let at = url;
  for (let hop = 0; ; hop++) {
    const sameOrigin = new URL(at).origin === origin;
    const res = await fetch(at, { headers: access.token !== null && sameOrigin ? { authorization: `Bearer ${access.token}` } : {}, redirect: 'manual', signal });
    const location = res.headers.get('location');
    if (res.status < 300 || res.status >= 400 || location === null || hop >= 5) return res;
    await res.body?.cancel();
    at = new URL(location, at).href;
  }
}

async function hubGet(url: string, access: HubAccess, what: string, repo: string): Promise<Response> {
  let res: Response;
  try {
    res = await send(url, access);
  } catch (e) {
    throw new NimletError('network', `cannot reach the Hugging Face Hub for ${what} of ${repo}: ${(e as Error).message}`, {
      hint: 'check HF_ENDPOINT and the network (or a proxy); a model already on disk works with HF_HUB_OFFLINE=1',
    });
  }
  if (res.status === 401 || res.status === 403) {
    await res.body?.cancel();
    throw new NimletError('credentials', `the Hugging Face Hub refused ${what} of ${repo} (HTTP ${res.status}): a gated or private repository`, {
      hint: access.token === null ? 'set HF_TOKEN to a token that was granted access to this repository' : 'HF_TOKEN was sent: check that it has been granted access to this repository',
    });
  }
  if (res.status === 404) {
    await res.body?.cancel();
    throw new NimletError('not-found', `the Hugging Face Hub has no ${what} for ${repo} (HTTP 404)`, {
      hint: 'check the repository and revision in NIM_MODEL_PATH (hf://org/model:revision); a private one answers 404 without HF_TOKEN too',
    });
  }
  if (!res.ok) {
    await res.body?.cancel();
    throw new NimletError('network', `the Hugging Face Hub answered HTTP ${res.status} for ${what} of ${repo}`, { hint: 'try again later' });
  }
  return res;
}

async function json(res: Response, what: string): Promise<unknown> {
  try {
    return await res.json();
  } catch {
    throw new NimletError('network', `the Hugging Face Hub's answer for ${what} is not JSON`, { hint: 'check HF_ENDPOINT' });
  }
}

/** The commit a branch, tag or commit names, asked once so a moving branch never mixes files of two commits. */
export async function resolveCommit(model: HfModelUri, access: HubAccess): Promise<string> {
  const repo = `${model.org}/${model.name}`;
  const res = await hubGet(`${access.endpoint}/api/models/${seg(repo)}/revision/${encodeURIComponent(model.revision)}`, access, `revision ${model.revision}`, repo);
  const body = (await json(res, 'the revision')) as { sha?: unknown };
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
    const entries = (await json(res, 'the file list')) as TreeEntry[];
    if (!Array.isArray(entries)) throw new NimletError('network', `the Hugging Face Hub's file list of ${repo} is not a list`, { hint: 'check HF_ENDPOINT' });
    for (const e of entries) {
      if (e.type !== 'file' || typeof e.path !== 'string' || !engineLoads(e.path) || typeof e.size !== 'number') continue;
      const sha256 = typeof e.lfs?.oid === 'string' && HEX64.test(e.lfs.oid) ? e.lfs.oid : null;
      const gitBlob = sha256 === null && typeof e.oid === 'string' && HEX40.test(e.oid) ? e.oid : null;
      files.push({ path: e.path, size: e.size, sha256, gitBlob, uri: `hf://${repo}:${commit}?file=${e.path}` });
    }
    url = nextPage(res.headers.get('link'), url);
  }
  return files.sort((a, b) => (a.path < b.path ? -1 : 1));
}

/** config.json of the commit, parsed (a few KB: the only file read before a profile is chosen). */
export async function readConfig(model: HfModelUri, commit: string, access: HubAccess): Promise<Record<string, unknown>> {
  const repo = `${model.org}/${model.name}`;
  const res = await hubGet(`${access.endpoint}/${seg(repo)}/resolve/${commit}/config.json`, access, 'config.json', repo);
  const value = await json(res, 'config.json');
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new NimletError('manifest-invalid', `config.json of ${repo} is not a JSON object`, { hint: 'this repository is not a model nimlet can serve' });
  }
  return value as Record<string, unknown>;
}
