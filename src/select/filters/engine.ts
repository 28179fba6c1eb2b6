// Filter: only LLM profiles (llm_engine one of the three engines) can be started by nimlet.
import type { Profile } from '../../manifest/types.js';

export function checkEngine(profile: Profile): string[] {
  if (profile.engine !== null) return [];
  // Non-LLM NIMs (embeddings, rerankers, MolMIM) name a `backend` instead; say which, so the user sees why.
  const backend = profile.tags.backend;
  return [`llm_engine missing: not an LLM profile${backend ? ` (backend: ${backend})` : ''}`];
}
