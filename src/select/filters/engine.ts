// Filters on the engine: only LLM profiles (llm_engine one of the three engines) can be started by nimlet, and only
// when the image has that engine (DESIGN §8) — a profile of another engine would be downloaded (gigabytes) only for
// its command to be missing, a crash loop on Kubernetes.
import type { Profile } from '../../manifest/types.js';
import type { EnginesPresent } from '../types.js';

/** Why the profile's engine is not here; null when it is, or when no engine was found at all (a laptop lists all). */
export function engineAbsence(profile: Profile, engines: EnginesPresent | undefined): string | null {
  if (profile.engine === null || engines === undefined || engines.found.length === 0) return null;
  if (engines.found.includes(profile.engine)) return null;
  return `engine ${profile.engine} is not in this image; it has ${engines.found.join(', ')}`;
}

export function checkEngine(profile: Profile, engines?: EnginesPresent): string[] {
  if (profile.engine !== null) {
    const absent = engineAbsence(profile, engines);
    return absent === null ? [] : [absent];
  }
  // Non-LLM NIMs (embeddings, rerankers, MolMIM) name a `backend` instead; say which, so the user sees why.
  const backend = profile.tags.backend;
  return [`llm_engine missing: not an LLM profile${backend ? ` (backend: ${backend})` : ''}`];
}
