// Runs the built CLI (bin/nimlet, build first) as a real child process, and writes schema-2 manifests.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { workspaceKey } from '../../../src/cache/layout.js';

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

export const VLLM_TAGS = { llm_engine: 'vllm', precision: 'bf16', tp: '1' };

/** The environment a test run gets: nothing from the developer's shell but PATH and HOME. */
export function cliEnv(extra: Record<string, string>): Record<string, string> {
  return { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/root', NIMLET_RETRY_BASE_MS: '10', ...extra };
}

export function nimlet(args: string[], env: Record<string, string>, cwd = ROOT) {
  return execa(process.execPath, [BIN, ...args], { env, extendEnv: false, reject: false, all: true, cwd });
}

/** The unprivileged user the root-only tests run nimlet as ("nobody"). */
export const NOBODY = 65534;

let nobodyProbe: string | null | undefined;

/**
 * Skips the calling test (its context's skip) when uid 65534 cannot run the built CLI from this checkout: a
 * checkout (or node) that other users may not read, e.g. one under /root, makes the child exit 1 before nimlet
 * starts, which a test expecting 73 or 0 would misread. Probed once, as root, with the cwd the tests run in.
 */
export function skipUnlessNobodyCanRun(skip: (note: string) => void): void {
  if (nobodyProbe === undefined) {
    const r = spawnSync(process.execPath, [BIN, '--version'], {
      cwd: ROOT, uid: NOBODY, gid: NOBODY, encoding: 'utf8', env: { PATH: process.env.PATH ?? '/usr/bin:/bin' }, timeout: 50_000,
    });
    // node's stack trace starts with a location; the line naming the error (EACCES on …) says more
    const lines = r.stderr.trim().split('\n');
    const why = r.error?.message ?? (lines.find((l) => /Error\b/.test(l)) ?? (lines[0] || `exit ${r.status ?? r.signal}`)).trim();
    nobodyProbe = r.status === 0 ? null : `uid ${NOBODY} cannot run ${BIN} (${why}): put the checkout where other users may read it`;
  }
  if (nobodyProbe !== null) skip(nobodyProbe);
}
