// Which model source a start uses, and the checkpoint it yields (DESIGN §13 table): NIM_MODEL_PATH=hf://… asks
// the Hub for metadata only (commit, tree, config.json), reusing a Hugging Face cache on disk for the bytes; with
// HF_HUB_OFFLINE=1 only that cache counts and nothing is requested. The commit a revision resolved to is recorded
// under the cache (`.nimlet/hf/…`), so a later start (the operator's model store) asks nothing again.
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Settings } from '../config/env.js';
import { NimletError } from '../errors.js';
import { engineLoads, parseHfModelUri, type Checkpoint, type HfModelUri } from './checkpoint.js';
import { readHfCache } from './hf-cache.js';
import { listFiles, readConfig, resolveCommit, type HubAccess } from './hub.js';

export type ModelSourceSettings = Pick<Settings, 'modelPath' | 'hfHubCache' | 'hfEndpoint' | 'hfToken' | 'offline' | 'cacheDir' | 'downloads'>;

/** The Hugging Face caches that may hold the model: HF_HUB_CACHE (or HF_HOME/hub), then NIM's own under the cache. */
function hubCaches(s: ModelSourceSettings): string[] {
  return [s.hfHubCache, path.join(s.cacheDir, 'huggingface', 'hub')];
}

function recordFile(s: ModelSourceSettings, m: HfModelUri): string {
  return path.join(s.cacheDir, '.nimlet', 'hf', `${m.org}--${m.name}`, `${encodeURIComponent(m.revision)}.json`);
}

/**
 * The record is on the cache volume, which other pods write (DESIGN §15): it is used only when every file is the
 * repository's own at the recorded commit, or a blob of that repository in a Hugging Face cache this start reads —
 * never another source (a file:// path elsewhere would copy any file the server can read into the cache).
 */
function trusted(cp: Partial<Checkpoint>, s: ModelSourceSettings, m: HfModelUri): cp is Checkpoint {
  const repo = `${m.org}/${m.name}`;
  if (cp.repo !== repo || typeof cp.commit !== 'string' || !/^[0-9a-f]{40}$/.test(cp.commit) || !Array.isArray(cp.files)) return false;
  if (typeof cp.config !== 'object' || cp.config === null || cp.localDir !== null) return false;
  const blobs = hubCaches(s).map((h) => path.join(h, `models--${m.org}--${m.name}`, 'blobs') + path.sep);
  return cp.files.every((f) => engineLoads(f.path) && Number.isSafeInteger(f.size)
    && (f.uri === `hf://${repo}:${cp.commit}?file=${f.path}` || (f.uri.startsWith('file://') && blobs.some((b) => f.uri.slice(7).startsWith(b)) && !f.uri.includes('/../'))));
}

async function readRecord(file: string, s: ModelSourceSettings, m: HfModelUri): Promise<Checkpoint | null> {
  const text = await readFile(file, 'utf8').catch(() => null);
  if (text === null) return null;
  try {
    const cp = JSON.parse(text) as Partial<Checkpoint>;
    return trusted(cp, s, m) ? cp : null;
  } catch {
    return null;
  }
}

async function writeRecord(file: string, cp: Checkpoint): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const aside = `${file}.${process.pid}.${Date.now()}.tmp`;
  await writeFile(aside, JSON.stringify(cp) + '\n');
  await rename(aside, file);
}

/** The checkpoint NIM_MODEL_PATH names. */
export async function hfCheckpoint(s: ModelSourceSettings, uri: string, from: string, signal?: AbortSignal): Promise<Checkpoint> {
  const model = parseHfModelUri(uri, from);
  const repo = `${model.org}/${model.name}`;
  const record = recordFile(s, model);
  const recorded = await readRecord(record, s, model);
  if (recorded !== null) return recorded;
  for (const hub of hubCaches(s)) {
    const snap = await readHfCache(hub, model);
    if (snap !== null && (s.offline || /^[0-9a-f]{40}$/.test(model.revision))) {
      return { repo, revision: model.revision, commit: snap.commit, files: snap.files, config: snap.config, localDir: null };
    }
  }
  if (s.offline) {
    throw new NimletError('offline-incomplete', `${repo}:${model.revision} is not in a Hugging Face cache on disk, and downloads are off (HF_HUB_OFFLINE)`, {
      hint: `looked in ${hubCaches(s).join(' and ')}; unset HF_HUB_OFFLINE, or set HF_HUB_CACHE to the cache that holds it`,
    });
  }
  const access: HubAccess = { endpoint: s.hfEndpoint, token: s.hfToken, proxy: s.downloads.proxy, stallTimeoutMs: s.downloads.retry.stallTimeoutMs, ...(signal ? { signal } : {}) };
  const commit = await resolveCommit(model, access);
  const [listed, config] = await Promise.all([listFiles(model, commit, access), readConfig(model, commit, access)]);
  // bytes already in a Hugging Face cache for this commit are copied from there (verified), not fetched
  let files = listed;
  for (const hub of hubCaches(s)) {
    const snap = await readHfCache(hub, model, commit);
    if (snap === null) continue;
    files = files.map((f) => snap.files.find((c) => c.path === f.path && c.size === f.size && (c.sha256 === f.sha256 || c.gitBlob === f.gitBlob)) ?? f);
  }
  if (!files.some((f) => f.path.endsWith('.safetensors'))) {
    throw new NimletError('not-found', `${repo} at ${commit} has no safetensors weights`, { hint: 'nimlet serves checkpoints in safetensors; pick a repository that has them' });
  }
  const cp: Checkpoint = { repo, revision: model.revision, commit, files, config, localDir: null };
  await writeRecord(record, cp).catch(() => undefined);
  return cp;
}
