// Ids for schema-2 profiles written without one: the sha256 of the profile's canonical JSON (sorted keys, tags
// and workspace only), so the same profile gets the same id whatever the manifest's order or formatting.
import { createHash } from 'node:crypto';

/** A schema-2 workspace file entry as the manifest states it (sha256 lower-cased). */
export interface FileEntry {
  uri: string;
  sha256?: string | undefined;
  size?: number | undefined;
  extract?: boolean | undefined;
}

/** JSON with object keys sorted at every level and undefined members left out. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/** sha256 hex of canonical JSON of `{tags, workspace: {files}}`. */
export function computeProfileId(
  tags: Readonly<Record<string, string>>,
  files: Readonly<Record<string, FileEntry>>,
): string {
  const canonical = canonicalJson({ tags, workspace: { files } });
  return createHash('sha256').update(canonical).digest('hex');
}
