// The failures a download ends with, each a NimletError with a message naming the file and what it is for
// (`label`), and a hint. Every text goes through scrubSecrets (log/redact.ts's policy): no token reaches a log,
// an error or a cause.
import type { Settings } from '../../config/env.js';
import { NimletError } from '../../errors.js';
import { displayUrl, redactedCause, redactText } from '../../log/redact.js';
import type { BadRedirect } from './http-get.js';
import type { Credential } from './resolve.js';

type Secrets = Pick<Settings, 'ngcApiKey' | 'hfToken'>;

const scrubSecrets = (text: string, s: Secrets): string => redactText(text, [s.ngcApiKey, s.hfToken]);
const scrubbedCause = (err: unknown, s: Secrets): Error => redactedCause(err, [s.ngcApiKey, s.hfToken]);

const CREDENTIAL_HINTS: Record<Credential, string> = {
  NGC_API_KEY: 'set NGC_API_KEY to an NGC API key (nvapi-…) whose organisation can read this model',
  HF_TOKEN: "set HF_TOKEN to a Hugging Face token that can read this repository (gated models: accept the licence on the model's page first)",
};

export function credentialsError(
  status: number, url: string, label: string, credential: Credential | null, tokenSent: boolean, s: Secrets,
): NimletError {
  const why =
    credential === null
      ? 'nimlet sends no credentials to this URL'
      : tokenSent ? `${credential} was refused` : `${credential} is not set`;
  const hint =
    credential === null
      ? 'make the mirror readable without credentials, or use an ngc:// or hf:// source with its token'
      : CREDENTIAL_HINTS[credential];
  return new NimletError('credentials', scrubSecrets(`HTTP ${status} for ${label} from ${displayUrl(url)}: ${why}`, s), { hint });
}

export function notFoundError(status: number, url: string, file: string, label: string, s: Secrets): NimletError {
  return new NimletError('not-found', scrubSecrets(`${file} not found (HTTP ${status}) for ${label} at ${displayUrl(url)}`, s), {
    hint: "check the manifest's source URI for this file (organisation, model, version, file name) and the endpoint (NIMLET_NGC_ENDPOINT, HF_ENDPOINT, NIM_REPOSITORY_OVERRIDE)",
  });
}

export function networkError(label: string, attempts: number, last: string, cause: unknown, s: Secrets): NimletError {
  // Node's parser and raw-http's both name their verdicts HPE_…: the answer arrived, but was no valid HTTP.
  const malformed = /^HPE_/.test(String((cause as { code?: unknown } | undefined)?.code));
  return new NimletError('network', scrubSecrets(`downloading ${label} failed after ${attempts} attempt(s): ${last}`, s), {
    hint: malformed
      ? 'the server, or a proxy in between, answers with malformed HTTP; check the mirror or proxy (HTTPS_PROXY, HTTP_PROXY, NO_PROXY)'
      : 'check the network and proxy settings (HTTPS_PROXY, HTTP_PROXY, NO_PROXY); run again to resume where it stopped',
    ...(cause === undefined ? {} : { cause: scrubbedCause(cause, s) }),
  });
}

/** A redirect that cannot be followed (another scheme, an invalid URL, a loop): retrying gets the same answer. */
export function redirectError(label: string, err: BadRedirect, s: Secrets): NimletError {
  return new NimletError('network', scrubSecrets(`downloading ${label} failed: ${err.message}`, s), {
    hint: "the server, or a proxy or mirror in between, redirects where nimlet cannot follow; check the manifest's source URI and the endpoint (NIMLET_NGC_ENDPOINT, HF_ENDPOINT, NIM_REPOSITORY_OVERRIDE)",
  });
}

/** OpenSSL's verdicts on a server's certificate (as err.code, or the cause's code under undici). */
const CERTIFICATE_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'CERT_UNTRUSTED', 'CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID', 'CERT_SIGNATURE_FAILURE',
  'CERT_REVOKED', 'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** True for a TLS certificate the client does not trust: retrying cannot help, so it is reported at once. */
export function isCertificateError(err: unknown): boolean {
  const e = err as { code?: unknown; cause?: { code?: unknown } } | null;
  return CERTIFICATE_CODES.has(String(e?.code)) || CERTIFICATE_CODES.has(String(e?.cause?.code));
}

export function certificateError(label: string, last: string, cause: unknown, s: Secrets): NimletError {
  return new NimletError('network', scrubSecrets(`downloading ${label} failed: TLS certificate not trusted: ${last}`, s), {
    hint: 'for a mirror with a private CA, set NODE_EXTRA_CA_CERTS to a PEM file holding that CA (it is read when nimlet starts); check the system clock for expired or not-yet-valid certificates',
    cause: scrubbedCause(cause, s),
  });
}

/** An fs error while writing: a full disk is 'disk-full', anything else 'io' (both exit 74). */
export function writeError(err: NodeJS.ErrnoException, path: string, label: string, s: Secrets): NimletError {
  if (err.code === 'ENOSPC' || err.code === 'EDQUOT') {
    return new NimletError('disk-full', `no space left on the device while writing ${label} to ${path}`, {
      hint: 'free space in the cache (nimlet cache prune) or point NIM_CACHE_PATH at a larger volume; the download resumes',
      cause: scrubbedCause(err, s),
    });
  }
  if (err.code === 'ELOOP') {
    // partial-file.ts refuses a link, FIFO or device at the partial's name: something planted it there
    return new NimletError('io', `cannot write ${label} to ${path}: not a regular file (a link, FIFO or device not made by nimlet)`, {
      hint: `remove ${path} and run again; nimlet cache verify lists anything else planted in the cache`,
      cause: scrubbedCause(err, s),
    });
  }
  return new NimletError('io', `cannot write ${label} to ${path}: ${err.code ?? err.message}`, {
    hint: 'check that the cache folder is writable and healthy',
    cause: scrubbedCause(err, s),
  });
}

export function interruptedError(label: string): NimletError {
  return new NimletError('interrupted', `download of ${label} interrupted; the partial file is kept to resume`);
}

export function checksumError(label: string, expected: string, got: string, bytes: number, size: number | null): NimletError {
  const sizeNote = size !== null && size !== bytes ? ` and ${bytes} bytes instead of ${size}` : '';
  return new NimletError('checksum-mismatch', `${label} failed verification twice: sha256 ${got}${sizeNote}, expected ${expected}`, {
    hint: 'the source serves other bytes than the manifest names; check the mirror or proxy, or the manifest entry; nothing was kept',
  });
}

/** One line for an error that ended an attempt: a connection reset, a timeout, a DNS failure. */
export function describeNetworkFailure(err: unknown, url: string): string {
  const e = err as { code?: unknown; message?: unknown; cause?: { code?: unknown } } | null;
  const code = typeof e?.code === 'string' ? e.code : typeof e?.cause?.code === 'string' ? e.cause.code : null;
  const text = typeof e?.message === 'string' ? e.message : String(err);
  return `${text}${code !== null ? ` (${code})` : ''} talking to ${displayUrl(url)}`;
}
