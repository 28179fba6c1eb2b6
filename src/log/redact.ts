// Keeps secrets out of what nimlet prints (DESIGN §7): the command line in the start-up summary, log lines.
// Three rules: the value after a flag whose name says it is secret (--api-key X, --hf-token=X), the value of a
// KEY=value word whose key says it is secret (HF_TOKEN=…), and every occurrence of a known secret string
// (the NGC and HF tokens nimlet holds), wherever it hides (inside JSON given to --hf-overrides, a URL…).

export const REDACTED = '***';

// Names that END in a secret word: --api-key, --hf-token, --ssl-keyfile-password; not --max-num-batched-tokens
// or --tokenizer, which only contain one.
const SECRET_FLAG = /^--?(?:[a-z0-9]+[-_])*(?:api[-_]?key|token|secret|password|passwd|credentials?)$/i;
const SECRET_KEY = /(?:^|_)(?:API_?KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIALS?|ACCESS_KEY|PRIVATE_KEY)$/i;
/** Tokens shorter than this are not searched for as substrings: replacing every "ab" would garble the text. */
const MIN_SECRET_LENGTH = 4;

function usableSecrets(secrets: readonly (string | null | undefined)[]): string[] {
  return [...new Set(secrets.filter((s): s is string => typeof s === 'string' && s.length >= MIN_SECRET_LENGTH))]
    .sort((a, b) => b.length - a.length);
}

// `scheme://user:password@host`: the part before the @ is a credential whatever variable the URL came from
// (HF_ENDPOINT, NIMLET_NGC_ENDPOINT, a proxy, a manifest's uri).
const URL_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#@"'<>]+@/gi;

/** URLs with their user and password parts replaced by ***. */
export function hideUrlUserinfo(text: string): string {
  return text.replace(URL_USERINFO, `$1${REDACTED}@`);
}

/** Replaces every occurrence of each secret string, and the credentials inside URLs. */
export function redactText(text: string, secrets: readonly (string | null | undefined)[]): string {
  let out = text;
  for (const s of usableSecrets(secrets)) out = out.split(s).join(REDACTED);
  return hideUrlUserinfo(out);
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
