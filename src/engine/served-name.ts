// The name clients put in `model` when NIM_SERVED_MODEL_NAME is unset. NIM answers with the model's repository
// name (`meta/llama-3.1-8b-instruct`), so nimlet does the same: a `model` tag when the manifest has one, else the
// repository the profile's files come from, else the model folder's name (for a cache workspace, named by its
// key, the profile id: a hash of the profile's files means nothing to a client).
import path from 'node:path';
import { workspaceKey } from '../cache/layout.js';
import { parseSourceUri } from '../manifest/source-uri.js';
import type { Profile } from '../manifest/types.js';

function repositoryName(profile: Profile): string | null {
  for (const file of profile.files) {
    const parsed = parseSourceUri(file.uri, '/');
    if (!parsed.ok) continue;
    const s = parsed.source;
    // ngc://nim/meta/llama-3.1-8b-instruct:… → meta/llama-3.1-8b-instruct (the org is the registry's tenant)
    if (s.kind === 'ngc') return s.team === null ? `${s.org}/${s.model}` : `${s.team}/${s.model}`;
    if (s.kind === 'hf') return `${s.org}/${s.repo}`;
  }
  return null;
}

export function defaultServedModelName(profile: Profile, modelDir: string): string {
  const tag = profile.tags.model?.trim();
  if (tag) return tag;
  const folder = path.basename(path.resolve(modelDir));
  return repositoryName(profile) ?? (folder === workspaceKey(profile) ? profile.id : folder);
}
