// Turns a parsed source URI into where its bytes come from: an HTTP URL with the one credential that may be
// sent to that URL's origin, or a file on disk. Pure: endpoints and the mirror come from Settings.
import path from 'node:path';
import type { Settings } from '../../config/env.js';
import { NimletError } from '../../errors.js';
import type { ParsedSource } from '../../manifest/source-uri.js';

export type Credential = 'NGC_API_KEY' | 'HF_TOKEN';

export type ResolvedSource =
  | { kind: 'http'; url: string; credential: Credential | null }
  | { kind: 'file'; path: string };

type NgcSource = Extract<ParsedSource, { kind: 'ngc' }>;

const seg = (s: string): string => encodeURIComponent(s);
const filePath = (p: string): string => p.split('/').map(seg).join('/');

function badOverride(value: string, why: string): NimletError {
  return new NimletError('bad-config', `NIM_REPOSITORY_OVERRIDE=${JSON.stringify(value)} is not valid: ${why}`, {
    hint: 'set NIM_REPOSITORY_OVERRIDE to ngc://HOST (an NGC-compatible API) or https://HOST/PATH (a mirror), or unset it',
  });
}

/** The NGC file endpoint under `endpoint` (no trailing slash). */
function ngcFileUrl(endpoint: string, s: NgcSource): string {
  const team = s.team === null ? '' : `/team/${seg(s.team)}`;
  return `${endpoint}/v2/org/${seg(s.org)}${team}/models/${seg(s.model)}/versions/${seg(s.version)}/files/${filePath(s.file)}`;
}

/** The source written back as NIM writes it after `ngc://`: `org[/team]/model:version?file=path`. */
export function ngcKey(s: NgcSource): string {
  const repo = [s.org, ...(s.team === null ? [] : [s.team]), s.model].join('/');
  return `${repo}:${s.version}?file=${s.file}`;
}

/**
 * NIM_REPOSITORY_OVERRIDE as NIM documents it: `ngc://HOST` keeps NGC's API layout on another host (the
 * NGC key is still sent, to that host only); `https://HOST[/PATH]` is a plain mirror where each file lies at
 * `PATH/` + the URL-encoded `org/team/model:version?file=path`. The NGC key is never sent to such a mirror:
 * it is NVIDIA's credential, not the mirror's. http:// is allowed for mirrors on a private network.
 * s3:// (NIM's third form) needs AWS signing and is refused rather than half-supported.
 */
function resolveOverride(override: string, s: NgcSource): ResolvedSource {
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(override)?.[1]?.toLowerCase();
  if (scheme === 'ngc') {
    let url: URL;
    try {
      url = new URL(`https://${override.slice('ngc://'.length)}`);
    } catch {
      throw badOverride(override, 'ngc:// must be followed by a host name');
    }
    if (!url.hostname) throw badOverride(override, 'ngc:// must be followed by a host name');
    const base = `https://${url.host}${url.pathname.replace(/\/+$/, '')}`;
    return { kind: 'http', url: ngcFileUrl(base, s), credential: 'NGC_API_KEY' };
  }
  if (scheme === 'https' || scheme === 'http') {
    let url: URL;
    try {
      url = new URL(override);
    } catch {
      throw badOverride(override, 'not a valid URL');
    }
    if (!url.hostname) throw badOverride(override, 'the URL has no host');
    if (url.search || url.hash) throw badOverride(override, 'the URL must not have a query or fragment');
    const base = `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
    return { kind: 'http', url: `${base}/${encodeURIComponent(ngcKey(s))}`, credential: null };
  }
  if (scheme === 's3') throw badOverride(override, 's3:// mirrors are not supported by nimlet; serve the bucket over https://');
  throw badOverride(override, 'expected ngc://HOST or https://HOST/PATH');
}

/** Refuses a NIM_REPOSITORY_OVERRIDE nimlet cannot use (78), before any work rather than at the first ngc:// file. */
export function checkRepositoryOverride(override: string | null): void {
  if (override !== null) resolveOverride(override, { kind: 'ngc', org: 'o', team: null, model: 'm', version: 'v', file: 'f' });
}

/** Where `source`'s bytes come from, and which credential (by variable name) its origin may receive. */
export function resolveSource(source: ParsedSource, settings: Settings): ResolvedSource {
  switch (source.kind) {
    case 'ngc':
      if (settings.repositoryOverride !== null) return resolveOverride(settings.repositoryOverride, source);
      return { kind: 'http', url: ngcFileUrl(settings.ngcEndpoint, source), credential: 'NGC_API_KEY' };
    case 'hf':
      return {
        kind: 'http',
        url: `${settings.hfEndpoint}/${seg(source.org)}/${seg(source.repo)}/resolve/${seg(source.revision)}/${filePath(source.file)}`,
        credential: 'HF_TOKEN',
      };
    case 'http':
      return { kind: 'http', url: source.url, credential: null };
    case 'file':
      return { kind: 'file', path: path.resolve(source.path) };
  }
}

/** The value of a credential variable in `settings`, or null when it is not set. */
export function credentialValue(credential: Credential | null, settings: Settings): string | null {
  if (credential === 'NGC_API_KEY') return settings.ngcApiKey;
  if (credential === 'HF_TOKEN') return settings.hfToken;
  return null;
}
