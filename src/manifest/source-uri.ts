// Parses a workspace file's source URI (DESIGN §3) into a typed source. Pure: resolving it to an HTTP URL
// (endpoints, mirrors) is the cache's job.
import path from 'node:path';

export type ParsedSource =
  | { kind: 'ngc'; org: string; team: string | null; model: string; version: string; file: string }
  | { kind: 'hf'; org: string; repo: string; revision: string; file: string }
  | { kind: 'http'; url: string }
  | { kind: 'file'; path: string };

export type SourceParse = { ok: true; source: ParsedSource } | { ok: false; error: string };

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** A file path inside a repository: relative, no `..`, no empty segments. */
function isSafeRelative(p: string): boolean {
  if (p === '' || p.startsWith('/') || p.includes('\\') || p.includes('\0')) return false;
  return p.split('/').every((s) => s !== '' && s !== '.' && s !== '..' && Buffer.byteLength(s) <= MAX_SEGMENT_BYTES);
}

/** The longest file name Linux file systems take (NAME_MAX): a longer segment can never be written. */
export const MAX_SEGMENT_BYTES = 255;

function splitRepoRef(body: string, scheme: string): { parts: string[]; ref: string; file: string } | string {
  const q = body.indexOf('?');
  const repoPart = q >= 0 ? body.slice(0, q) : body;
  const params = new URLSearchParams(q >= 0 ? body.slice(q + 1) : '');
  const file = params.get('file');
  if (file === null || file === '') return `${scheme}:// source needs ?file=<path>`;
  if (!isSafeRelative(file)) return `file=${JSON.stringify(file)} must be a relative path without '..', each name at most 255 bytes`;
  const colon = repoPart.lastIndexOf(':');
  if (colon < 0) return `${scheme}:// source needs a version after ':' (${scheme}://org/model:version?file=path)`;
  const ref = repoPart.slice(colon + 1);
  const parts = repoPart.slice(0, colon).split('/');
  // `.`/`..` (or any %-escape of a separator) would climb out of /resolve/<revision>/ or /versions/<version>/ with the token
  if (ref === '' || /[\s/\\%?#]/.test(ref) || ref === '.' || ref === '..') return `version ${JSON.stringify(ref)} is not valid`;
  if (parts.some((p) => !NAME.test(p))) return `repository ${JSON.stringify(repoPart.slice(0, colon))} is not valid`;
  return { parts, ref, file };
}

/**
 * Parses `uri`; relative paths and file:// resolve against `manifestDir`.
 * ngc://org[/team]/model:version?file=path · hf://org/model:revision?file=path · https:// · http:// · file:// · ./path
 */
export function parseSourceUri(uri: string, manifestDir: string): SourceParse {
  const fail = (error: string): SourceParse => ({ ok: false, error: `${error} in ${JSON.stringify(uri)}` });
  if (uri.startsWith('ngc://')) {
    const r = splitRepoRef(uri.slice('ngc://'.length), 'ngc');
    if (typeof r === 'string') return fail(r);
    if (r.parts.length !== 2 && r.parts.length !== 3) return fail('ngc:// source must be org/model or org/team/model');
    const [org, a, b] = r.parts as [string, string, string | undefined];
    return { ok: true, source: { kind: 'ngc', org, team: b === undefined ? null : a, model: b ?? a, version: r.ref, file: r.file } };
  }
  if (uri.startsWith('hf://')) {
    const r = splitRepoRef(uri.slice('hf://'.length), 'hf');
    if (typeof r === 'string') return fail(r);
    if (r.parts.length !== 2) return fail('hf:// source must be org/model');
    const [org, repo] = r.parts as [string, string];
    return { ok: true, source: { kind: 'hf', org, repo, revision: r.ref, file: r.file } };
  }
  if (/^https?:\/\//i.test(uri)) {
    try {
      const url = new URL(uri);
      if (!url.hostname) return fail('URL has no host');
      return { ok: true, source: { kind: 'http', url: url.href } };
    } catch {
      return fail('not a valid URL');
    }
  }
  if (uri.startsWith('file://')) {
    try {
      const url = new URL(uri);
      return { ok: true, source: { kind: 'file', path: decodeURIComponent(url.pathname) } };
    } catch {
      return fail('not a valid file:// URL');
    }
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(uri)) return fail(`scheme ${uri.split(':')[0]}:// is not supported (ngc, hf, https, http, file)`);
  if (uri === '') return fail('empty source');
  return { ok: true, source: { kind: 'file', path: path.resolve(manifestDir, uri) } };
}
