// The compiled copy of the manifest through the built CLI (build first: npx tsc -p tsconfig.build.json). It lives in
// a private per-user folder (XDG_CACHE_HOME/nimlet-private/manifests), never on the shared cache (DESIGN §15): a
// copy planted where an older nimlet kept it (<cache>/manifests/) is never read; a private folder others can write
// is not used; a broken copy is parsed again and replaced, never an exit 70 on every start.
import { chmod, mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { nimlet } from '../support/cli.js';
import { cliEnv, makeSandbox } from '../support/sandbox.js';
import { MANIFEST, runCli } from '../support/select-fixtures.js';

let dir: string;
let cache: string;
let xdg: string;
beforeEach(async () => {
  const sb = makeSandbox({ engines: [], machine: null });
  dir = sb.dir;
  cache = sb.cache;
  xdg = path.join(dir, 'xdg');
});

const copies = () => path.join(xdg, 'nimlet-private', 'manifests');
async function theCopy(): Promise<string> {
  const names = await readdir(copies());
  expect(names).toHaveLength(1);
  return path.join(copies(), names[0]!);
}

/** Every file under `root`, relative to it. */
async function filesUnder(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries.filter((e) => !e.isDirectory()).map((e) => path.relative(root, path.join(e.parentPath, e.name))).sort();
}

describe('select with a broken copy of the manifest', () => {
  const select = () => runCli(['select', '--json', '--manifest', MANIFEST], { machine: 'h100-x8-gpu3-busy', env: { NIM_CACHE_PATH: cache, XDG_CACHE_HOME: xdg } });

  it.each([['{}'], ['null'], ['{"profiles":[{}]}']])('%s: the same selection, and the copy replaced', async (broken) => {
    const before = await select();
    expect(before.code).toBe(0);
    const copy = await theCopy();
    const good = await readFile(copy, 'utf8');
    await writeFile(copy, broken);
    const after = await select();
    expect([after.code, after.stderr]).toEqual([0, '']);
    expect(after.stdout).toBe(before.stdout);
    expect(await readFile(copy, 'utf8')).toBe(good);
  });

  it('select and list-model-profiles write nothing into the cache; the copy is private (0700 folder, 0600 file)', async () => {
    expect((await select()).code).toBe(0);
    expect((await runCli(['list-model-profiles', '--manifest', MANIFEST], { machine: 'h100-x8-gpu3-busy', env: { NIM_CACHE_PATH: cache, XDG_CACHE_HOME: xdg } })).code).toBe(0);
    await expect(stat(cache)).rejects.toMatchObject({ code: 'ENOENT' });
    expect((await stat(copies())).mode & 0o777).toBe(0o700);
    expect((await stat(await theCopy())).mode & 0o777).toBe(0o600);
  });

  it('a private folder others can write is not used: an edited copy there changes nothing', async () => {
    const before = await select();
    const copy = await theCopy();
    const parsed = JSON.parse(await readFile(copy, 'utf8'));
    parsed.profiles = parsed.profiles.slice(0, 1);
    await writeFile(copy, JSON.stringify(parsed));
    await chmod(copies(), 0o777);
    const after = await select();
    expect([after.code, after.stdout]).toEqual([0, before.stdout]);
  });
});

describe('download-to-cache with a hostile copy on the shared cache (issue 11 fault 1)', () => {
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
    const env = cliEnv({ NIM_CACHE_PATH: cache, NIMLET_MANIFEST: manifest, XDG_CACHE_HOME: xdg });
    // `cache prune --dry-run` reads the manifest, so writes its copy, and fetches nothing.
    expect((await nimlet(['cache', 'prune', '--dry-run'], env)).code).toBe(0);
    const copy = await theCopy();
    const parsed = JSON.parse(await readFile(copy, 'utf8'));
    // From the workspace being built (cache/tmp/ws-…) up to the folder that holds the cache, and a foreign source.
    parsed.profiles[0].files[0].path = '../../../PWNED.txt';
    parsed.profiles[0].files[0].uri = 'file:///etc/hostname';
    // planted where an older nimlet read it back, on the shared volume, under the name it would have had
    await mkdir(path.join(cache, 'manifests'), { recursive: true });
    await writeFile(path.join(cache, 'manifests', path.basename(copy)), JSON.stringify(parsed));
    await rm(xdg, { recursive: true });

    const r = await nimlet(['download-to-cache', '--all'], env);
    expect(r.code, r.all).toBe(0);
    const outside = (await filesUnder(dir)).filter((f) => !f.startsWith(`cache${path.sep}`) && !f.startsWith(`xdg${path.sep}`));
    // and prune removes the folder an earlier nimlet kept its copies in
    const pruned = await nimlet(['cache', 'prune', '--json'], env);
    expect(JSON.parse(pruned.stdout).removed).toContainEqual({ kind: 'legacy', path: path.join(cache, 'manifests'), bytes: 0 });
    await expect(stat(path.join(cache, 'manifests'))).rejects.toMatchObject({ code: 'ENOENT' });
    expect(outside).toEqual(['model/data/config.json', 'model/model_manifest.yaml']);
    const profiles = path.join(cache, 'profiles');
    const [workspace] = await readdir(profiles);
    expect(await readFile(path.join(profiles, workspace!, 'config.json'), 'utf8')).toBe('{"a":1}\n');
  });
});
