// The compiled copy of the manifest in the cache (<cache>/manifests/*.json) through the built CLI: a broken or
// hostile copy (the cache may be a volume other pods write) is parsed again and replaced, never an exit 70 on
// every start, and never a way around the manifest's checks (build first: npx tsc -p tsconfig.build.json).
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cliEnv, nimlet } from '../cache/helpers/cli.js';
import { MANIFEST, runCli } from '../select/cli-harness.js';

let dir: string;
let cache: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'nimlet-compiled-'));
  cache = path.join(dir, 'cache');
});
afterEach(async () => rm(dir, { recursive: true, force: true }));

async function theCopy(): Promise<string> {
  const names = await readdir(path.join(cache, 'manifests'));
  expect(names).toHaveLength(1);
  return path.join(cache, 'manifests', names[0]!);
}

/** Every file under `root`, relative to it. */
async function filesUnder(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries.filter((e) => !e.isDirectory()).map((e) => path.relative(root, path.join(e.parentPath, e.name))).sort();
}

describe('select with a broken copy of the manifest', () => {
  const select = () => runCli(['select', '--json', '--manifest', MANIFEST], { machine: 'h100-x8', env: { NIM_CACHE_PATH: cache } });

  it.each([['{}'], ['null'], ['{"profiles":[{}]}']])('%s: the same selection, and the copy replaced', async (broken) => {
    const before = select();
    expect(before.code).toBe(0);
    const copy = await theCopy();
    const good = await readFile(copy, 'utf8');
    await writeFile(copy, broken);
    const after = select();
    expect([after.code, after.stderr]).toEqual([0, '']);
    expect(after.stdout).toBe(before.stdout);
    expect(await readFile(copy, 'utf8')).toBe(good);
  });
});

describe('download-to-cache with a copy whose path climbs out of the cache', () => {
  it('fetches into the workspace as the manifest says and writes nothing outside the cache', async () => {
    const manifest = path.join(dir, 'model', 'model_manifest.yaml');
    await mkdir(path.join(dir, 'model', 'data'), { recursive: true });
    await writeFile(path.join(dir, 'model', 'data', 'config.json'), '{"a":1}\n');
    await writeFile(manifest, [
      'schema_version: 2.0.0',
      'profiles:',
      '  - tags: {llm_engine: vllm, precision: bf16, tp: "1"}',
      '    workspace:',
      '      files:',
      '        config.json: {uri: data/config.json}',
      '',
    ].join('\n'));
    const env = cliEnv({ NIM_CACHE_PATH: cache, NIMLET_MANIFEST: manifest });
    // `cache prune --dry-run` reads the manifest, so writes its copy, and fetches nothing.
    expect((await nimlet(['cache', 'prune', '--dry-run'], env)).exitCode).toBe(0);
    const copy = await theCopy();
    const parsed = JSON.parse(await readFile(copy, 'utf8'));
    // From the workspace being built (cache/tmp/ws-…) up to the folder that holds the cache.
    parsed.profiles[0].files[0].path = '../../../PWNED.txt';
    await writeFile(copy, JSON.stringify(parsed));

    const r = await nimlet(['download-to-cache', '--all'], env);
    expect(r.exitCode, r.all).toBe(0);
    const outside = (await filesUnder(dir)).filter((f) => !f.startsWith(`cache${path.sep}`));
    expect(outside).toEqual(['model/data/config.json', 'model/model_manifest.yaml']);
    const profiles = path.join(cache, 'profiles');
    const [workspace] = await readdir(profiles);
    expect(await readFile(path.join(profiles, workspace!, 'config.json'), 'utf8')).toBe('{"a":1}\n');
  });
});
