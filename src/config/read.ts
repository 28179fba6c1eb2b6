// The readers every setting is built from (DESIGN §2): one variable each, unset or empty as its default, and a bad
// value an error naming the variable (exit 78), never a silent default. Pure: the environment is an argument.
import { NimletError } from '../errors.js';

export type Env = Readonly<Record<string, string | undefined>>;

export function badValue(name: string, value: string, expected: string): NimletError {
  return new NimletError('bad-config', `${name}=${JSON.stringify(value)} is not valid: expected ${expected}`, {
    hint: `set ${name} to ${expected}, or unset it`,
  });
}

const TRUE = new Set(['1', 'true', 'yes', 'on']);
const FALSE = new Set(['0', 'false', 'no', 'off']);

/** A boolean variable: unset or empty is false; anything other than the usual spellings is an error. */
export function readFlag(env: Env, name: string): boolean {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return false;
  const v = raw.trim().toLowerCase();
  if (TRUE.has(v)) return true;
  if (FALSE.has(v)) return false;
  throw badValue(name, raw, '1/true/yes/on or 0/false/no/off');
}

/** A positive integer variable within [min, max]; unset or empty is null. */
export function readInt(env: Env, name: string, min: number, max: number): number | null {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return null;
  const v = raw.trim();
  if (!/^\d+$/.test(v)) throw badValue(name, raw, `a whole number from ${min} to ${max}`);
  const n = Number(v);
  if (n < min || n > max) throw badValue(name, raw, `a whole number from ${min} to ${max}`);
  return n;
}

export function readString(env: Env, name: string): string | null {
  const raw = env[name];
  return raw === undefined || raw.trim() === '' ? null : raw.trim();
}

export function readUrl(env: Env, name: string, fallback: string): string {
  const raw = readString(env, name);
  if (raw === null) return fallback;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw badValue(name, raw, 'an http:// or https:// URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw badValue(name, raw, 'an http:// or https:// URL');
  // paths are appended to it: a ?query or #fragment would swallow them (and send every file's request to one URL)
  if (url.search !== '' || url.hash !== '' || raw.includes('?') || raw.includes('#')) throw badValue(name, raw, 'an http:// or https:// URL without ?query or #fragment');
  return raw.replace(/\/+$/, '');
}
