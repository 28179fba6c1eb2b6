// Keeps secrets out of everything nimlet prints: tokens, and the signatures of pre-signed storage URLs.
import type { Settings } from '../../config/env.js';

/** Replaces every credential value in `text` with `***`. */
export function scrubSecrets(text: string, settings: Pick<Settings, 'ngcApiKey' | 'hfToken'>): string {
  let out = text;
  for (const secret of [settings.ngcApiKey, settings.hfToken]) {
    // Very short values would blank out ordinary words; a real token is long.
    if (secret !== null && secret.length >= 4) out = out.split(secret).join('***');
  }
  return out.replace(/(authorization:\s*)(bearer\s+)?\S+/gi, '$1$2***');
}

/** A URL fit for a message: origin and path only; a signed CDN URL's query is a credential of its own. */
export function displayUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.origin}${u.pathname}`;
  } catch {
    return '(invalid URL)';
  }
}

/**
 * A stand-in for a low-level error (undici, fs) to keep as `cause`: the message scrubbed, the code kept,
 * nothing else — undici errors can hold request options, and the CLI prints causes under -v.
 */
export function scrubbedCause(err: unknown, settings: Pick<Settings, 'ngcApiKey' | 'hfToken'>): Error {
  const e = err as { message?: unknown; code?: unknown; name?: unknown } | null;
  const message = typeof e?.message === 'string' ? e.message : String(err);
  const out = new Error(scrubSecrets(message, settings)) as Error & { code?: string };
  if (typeof e?.code === 'string') out.code = e.code;
  if (typeof e?.name === 'string') out.name = e.name;
  // The stack of the stand-in would point here; the message and code are what matter.
  out.stack = `${out.name}: ${out.message}`;
  return out;
}
