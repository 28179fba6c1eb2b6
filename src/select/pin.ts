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

/** The profile a pin names; throws 'unknown-profile' (78) naming the variable and the closest names. */
export function resolvePin(profiles: readonly Profile[], pin: string, source = 'NIM_MODEL_PROFILE'): Profile {
  const text = pin.trim();
  const pasted = parsePastedLine(text);
  const found = pasted
    ? (find(profiles, pasted.id, source) ?? (pasted.name ? byName(profiles, pasted.name, source) : undefined))
    : find(profiles, text, source);
  if (found) return found;
  const near = closestNames(pasted?.name || text, profiles.map((p) => p.name));
  throw new NimletError('unknown-profile', `${source}=${JSON.stringify(pin)} matches no profile of the manifest${near.length ? `; closest: ${near.join(', ')}` : ''}`, {
    hint: `set ${source} to an id or a name that \`nimlet list-model-profiles\` prints, or unset it (or "default") for automatic selection`,
  });
}
