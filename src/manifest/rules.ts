// The rules a manifest's values follow, in plain code: the layout readers' zod schemas apply them with a
// located message, and the check of a compiled copy (compiled-check.ts) applies them again on every warm start,
// where loading zod alone would cost as much as starting Node.
import { ENGINES } from './types.js';

/** A profile id or a sha256 as a manifest may write it (readers lower-case both). */
export const HEX_ID = /^[0-9a-fA-F]{64}$/;
export const DRIVER_VERSION = /^\d+(\.\d+){0,3}$/;
export const COMPUTE_CAPABILITY = /^\d+\.\d+$/;
export const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * An engine argument or environment value: text without a NUL byte, which no process can be given (execve
 * ends the string there), so it is refused when the manifest is read, not by spawn after the download.
 */
export const isProcessText = (value: unknown): value is string => typeof value === 'string' && !value.includes('\0');

const COUNT_TAGS = new Set(['tp', 'pp', 'number_of_gpus']);
const POSITIVE_INT = /^[1-9][0-9]{0,5}$/;

/** What is wrong with one tag (a known engine, positive GPU counts, text values); null when nothing. */
export function tagProblem(key: string, value: unknown): string | null {
  if (typeof value !== 'string') return value === null ? 'a tag needs a value' : 'a tag value must be text, not a list or map';
  if (key === 'llm_engine' && !(ENGINES as readonly string[]).includes(value)) {
    return `unknown llm_engine ${JSON.stringify(value)}: expected one of ${ENGINES.join(', ')}`;
  }
  if (COUNT_TAGS.has(key) && !POSITIVE_INT.test(value.trim())) return `${key} must be a positive whole number, got ${JSON.stringify(value)}`;
  return null;
}
