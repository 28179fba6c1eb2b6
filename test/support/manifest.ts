// Writes schema-2 manifests for the CLI tests, and names what nimlet will make of them (ids, workspace folders).
import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { workspaceKey } from '../../src/cache/layout.js';

export interface ManifestFile {
  uri: string;
  sha256?: string;
  size?: number;
  extract?: boolean;
}

export interface TestProfile {
  name: string;
  tags: Record<string, string>;
  files: Record<string, ManifestFile>;
}

export const VLLM_TAGS = { llm_engine: 'vllm', precision: 'bf16', tp: '1' };

export const idOf = (name: string): string => createHash('sha256').update(name).digest('hex');

/** The profiles writeManifest wrote last, by name: what their workspace key (the folder under profiles/) is made of. */
const written = new Map<string, TestProfile>();

/** The workspace folder name of a profile writeManifest wrote: its key (src/cache/layout.ts), as nimlet computes it. */
export function wsName(name: string): string {
  const p = written.get(name);
  if (p === undefined) throw new Error(`no profile ${name} written by writeManifest`);
  return workspaceKey({
    tags: p.tags,
    files: Object.entries(p.files).map(([dst, f]) => ({ path: dst, uri: f.uri, sha256: f.sha256 ?? null, size: f.size ?? null, extract: f.extract ?? false })),
  });
}

/** The workspace folder of a profile writeManifest wrote, under `cache`. */
export const wsOf = (cache: string, name: string): string => path.join(cache, 'profiles', wsName(name));

/** A schema-2 manifest of these profiles (ids: the sha256 of each name) written to `file`. */
export async function writeManifest(file: string, profiles: TestProfile[]): Promise<void> {
  const lines = ['schema_version: 2.0.0', 'profiles:'];
  for (const p of profiles) {
    written.set(p.name, p);
    lines.push(`  - id: "${idOf(p.name)}"`, '    tags:');
    for (const [k, v] of Object.entries(p.tags)) lines.push(`      ${k}: "${v}"`);
    lines.push('    workspace:', '      files:');
    for (const [dst, f] of Object.entries(p.files)) {
      lines.push(`        ${JSON.stringify(dst)}:`, `          uri: ${JSON.stringify(f.uri)}`);
      if (f.sha256) lines.push(`          sha256: "${f.sha256}"`);
      if (f.size !== undefined) lines.push(`          size: ${f.size}`);
      if (f.extract) lines.push('          extract: true');
    }
  }
  await writeFile(file, lines.join('\n') + '\n');
}

/** A schema-2 manifest's text from raw profile objects (YAML is a superset of JSON). */
export function manifestOf(profiles: unknown[]): string {
  return JSON.stringify({ schema_version: '2.0.0', profiles }, null, 2);
}
