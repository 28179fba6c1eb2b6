// Runs the built CLI (bin/nimlet, build first) as a real child process, and writes schema-2 manifests.
import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';

export const ROOT = path.resolve(import.meta.dirname, '../../..');
export const BIN = path.join(ROOT, 'bin', 'nimlet');

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

export const idOf = (name: string) => createHash('sha256').update(name).digest('hex');

export async function writeManifest(file: string, profiles: TestProfile[]): Promise<void> {
  const lines = ['schema_version: 2.0.0', 'profiles:'];
  for (const p of profiles) {
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

export const VLLM_TAGS = { llm_engine: 'vllm', precision: 'bf16', tp: '1' };

/** The environment a test run gets: nothing from the developer's shell but PATH and HOME. */
export function cliEnv(extra: Record<string, string>): Record<string, string> {
  return { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/root', NIMLET_RETRY_BASE_MS: '10', ...extra };
}

export function nimlet(args: string[], env: Record<string, string>, cwd = ROOT) {
  return execa(process.execPath, [BIN, ...args], { env, extendEnv: false, reject: false, all: true, cwd });
}
