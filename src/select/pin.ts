// NIM_MODEL_PROFILE / --profile (DESIGN §4): a full id, a unique id prefix of ≥ 8 characters, a name in any
// case with or without `-pp1`, or the line `id (name)` pasted from list-model-profiles.
import { NimletError } from '../errors.js';
import type { Profile } from '../manifest/types.js';
import { closestNames } from './closest.js';

export const MIN_ID_PREFIX = 8;

/** Names compare without case and without a `-pp1` part (NIM 1.13 names carry it, nimlet's omit it). */
export function normalizeName(name: string): string {
  return name.trim().toLowerCase().replace(/-pp1(?=-|$)/g, '');
}

/** `  - 881ee9…(tensorrt_llm-h100-fp8-tp1-latency) [selected]` → id and name; null when the pin is no such line. */
function parsePastedLine(pin: string): { id: string; name: string } | null {
  const m = /^(?:[-*]\s+)?([^\s()]+)\s*\(([^()]*)\)/.exec(pin);
  return m ? { id: m[1]!, name: m[2]!.trim() } : null;
}

function byId(profiles: readonly Profile[], id: string): Profile | undefined {
  const want = id.toLowerCase();
  return profiles.find((p) => p.id.toLowerCase() === want);
}

function byName(profiles: readonly Profile[], name: string, source: string): Profile | undefined {
  const want = normalizeName(name);
  const found = profiles.filter((p) => normalizeName(p.name) === want);
  if (found.length > 1) {
    throw new NimletError('bad-config', `${source}=${JSON.stringify(name)} is ambiguous: ${found.length} profiles are named ${found[0]!.name}`, {
      hint: `set ${source} to one of their ids: ${found.map((p) => p.id).join(', ')}`,
    });
  }
  return found[0];
}

function byPrefix(profiles: readonly Profile[], prefix: string, source: string): Profile | undefined {
  const want = prefix.toLowerCase();
  if (!/^[0-9a-z]/.test(want)) return undefined;
  const found = profiles.filter((p) => p.id.toLowerCase().startsWith(want));
  if (found.length === 0) return undefined;
  if (want.length < MIN_ID_PREFIX) {
    throw new NimletError('unknown-profile', `${source}=${JSON.stringify(prefix)} is too short an id prefix (${want.length} characters)`, {
      hint: `give at least ${MIN_ID_PREFIX} characters of the id, or the whole id`,
    });
  }
  if (found.length > 1) {
    throw new NimletError('bad-config', `${source}=${JSON.stringify(prefix)} is the start of ${found.length} profile ids`, {
      hint: `give more of the id: ${found.slice(0, 5).map((p) => `${p.id} (${p.name})`).join(', ')}`,
    });
  }
  return found[0];
}

function find(profiles: readonly Profile[], text: string, source: string): Profile | undefined {
  return byId(profiles, text) ?? byName(profiles, text, source) ?? byPrefix(profiles, text, source);
}

/** A whole NIM profile id: 64 hex digits. No name is "close" to one, so none is suggested. */
const FULL_ID = /^[0-9a-f]{64}$/i;

/**
 * A pasted `id (name)` line: both halves must name the same profile. The id decides; a name that names another
 * profile means the line was edited or comes from another listing, and guessing which half was meant could start
 * the wrong model, so it is refused (78) naming both. A name that names no profile is no contradiction
 * (NIM's listings spell some names differently) and the id stands.
 */
function resolvePasted(profiles: readonly Profile[], pasted: { id: string; name: string }, pin: string, source: string): Profile | undefined {
  const byTheId = find(profiles, pasted.id, source);
  const byTheName = pasted.name ? byName(profiles, pasted.name, source) : undefined;
  if (byTheId && byTheName && byTheId !== byTheName) {
    throw new NimletError('unknown-profile', `${source}=${JSON.stringify(pin)} names two different profiles: the id is ${byTheId.id} (${byTheId.name}), the name is ${byTheName.name} (${byTheName.id})`, {
      hint: `set ${source} to just one of them: ${byTheId.id} or ${byTheName.name}`,
    });
  }
  return byTheId ?? byTheName;
}

/** The profile a pin names; throws 'unknown-profile' (78) naming the variable and the closest names. */
export function resolvePin(profiles: readonly Profile[], pin: string, source = 'NIM_MODEL_PROFILE'): Profile {
  const text = pin.trim();
  const pasted = parsePastedLine(text);
  const found = pasted ? resolvePasted(profiles, pasted, pin, source) : find(profiles, text, source);
  if (found) return found;
  const typed = pasted?.name || text;
  if (FULL_ID.test(typed)) {
    throw new NimletError('unknown-profile', `${source}=${JSON.stringify(pin)} is a profile id that no profile of this manifest has`, {
      hint: `profile ids belong to one model's manifest (was it copied from another model's listing?): set ${source} to an id or a name that \`nimlet list-model-profiles\` prints for this one, or unset it for automatic selection`,
    });
  }
  const near = closestNames(typed, profiles.map((p) => p.name));
  throw new NimletError('unknown-profile', `${source}=${JSON.stringify(pin)} matches no profile of the manifest${near.length ? `; closest: ${near.join(', ')}` : ''}`, {
    hint: `set ${source} to an id or a name that \`nimlet list-model-profiles\` prints, or unset it (or "default") for automatic selection`,
  });
}
