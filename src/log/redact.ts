// nimlet's one redaction policy (DESIGN §7): what every printer, the log, the download stack's errors and the
// engine's environment keep secrets out with. Rules: the value after a flag whose name says it is secret
// (--api-key X, --hf-token=X), the value of a KEY=value word whose key says it is secret (HF_TOKEN=…), every
// occurrence of a known secret string (the credentials nimlet holds) wherever it hides (inside JSON given to
// --hf-overrides, a URL…), a URL's user:password, an Authorization header's value, and a signed URL's query.

export const REDACTED = '***';

// Names that END in a secret word: --api-key, --hf-token, --ssl-keyfile-password; not --max-num-batched-tokens
// or --tokenizer, which only contain one.
const SECRET_FLAG = /^--?(?:[a-z0-9]+[-_])*(?:api[-_]?key|token|secret|password|passwd|credentials?)$/i;
const SECRET_KEY = /(?:^|_)(?:API_?KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIALS?|ACCESS_KEY|PRIVATE_KEY)$/i;
/**
 * Secrets shorter than this are not searched for as substrings: replacing every "abcd" would garble the text, and
 * the engine's environment would lose any variable that happens to contain it (PATH, a model path). Real
 * credentials are far longer (NGC keys: nvapi- and 64 more; Hugging Face tokens: hf_ and 34 more), so nothing real
 * goes unredacted; a short value is still hidden where a flag or a KEY= names it.
 */
const MIN_SECRET_LENGTH = 8;

/** The secrets worth searching for, longest first (so a token inside a longer one is not half-replaced). */
export function searchableSecrets(secrets: readonly (string | null | undefined)[]): string[] {
  return [...new Set(secrets.filter((s): s is string => typeof s === 'string' && s.length >= MIN_SECRET_LENGTH))]
    .sort((a, b) => b.length - a.length);
}

// `scheme://user:password@host`: the part before the @ is a credential whatever variable the URL came from
// (HF_ENDPOINT, NIMLET_NGC_ENDPOINT, a proxy, a manifest's uri).
const URL_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#@"'<>]+@/gi;

// An Authorization header as an error or a debug line may quote it: its value is the token.
const AUTHORIZATION = /(authorization:\s*)(bearer\s+)?\S+/gi;

/** URLs with their user and password parts replaced by ***. */
export function hideUrlUserinfo(text: string): string {
  return text.replace(URL_USERINFO, `$1${REDACTED}@`);
}

/** Replaces every occurrence of each secret string, and the credentials inside URLs. */
export function redactText(text: string, secrets: readonly (string | null | undefined)[]): string {
  let out = text;
  for (const s of searchableSecrets(secrets)) out = out.split(s).join(REDACTED);
  return hideUrlUserinfo(out).replace(AUTHORIZATION, `$1$2${REDACTED}`);
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
 * A stand-in for a low-level error (undici, fs) to keep as `cause`: the message redacted, the code kept,
 * nothing else — undici errors can hold request options, and the CLI prints causes under -v.
 */
export function redactedCause(err: unknown, secrets: readonly (string | null | undefined)[]): Error {
  const e = err as { message?: unknown; code?: unknown; name?: unknown } | null;
  const message = typeof e?.message === 'string' ? e.message : String(err);
  const out = new Error(redactText(message, secrets)) as Error & { code?: string };
  if (typeof e?.code === 'string') out.code = e.code;
  if (typeof e?.name === 'string') out.name = e.name;
  // The stack of the stand-in would point here; the message and code are what matter.
  out.stack = `${out.name}: ${out.message}`;
  return out;
}

function redactWord(word: string, secrets: readonly (string | null | undefined)[]): string {
  const eq = word.indexOf('=');
  if (eq > 0) {
    const key = word.slice(0, eq);
    if ((key.startsWith('-') && SECRET_FLAG.test(key)) || (!key.startsWith('-') && SECRET_KEY.test(key))) {
      return `${key}=${REDACTED}`;
    }
  }
  return redactText(word, secrets);
}

/** A command line with every secret value replaced by ***. */
export function redactArgv(argv: readonly string[], secrets: readonly (string | null | undefined)[] = []): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i]!;
    out.push(redactWord(word, secrets));
    if (SECRET_FLAG.test(word) && i + 1 < argv.length) {
      out.push(REDACTED);
      i++;
    }
  }
  return out;
}

/** Quotes a word for display the way a shell would need it; plain words stay bare. */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** The redacted command line as one copy-pasteable string. */
export function formatCommandLine(argv: readonly string[], secrets: readonly (string | null | undefined)[] = []): string {
  return redactArgv(argv, secrets).map(shellQuote).join(' ');
}
