// create-model-store with a --model-store that cannot be created or written: exit 73 naming the path, before
// anything is fetched, and nothing already there lost (build first: npx tsc -p tsconfig.build.json).
import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { beforeEach, expect, it } from 'vitest';
import { bytesBody, sha256Of, type ArtifactServer } from '../fixtures/servers/artifact-server.js';
import { nimlet } from '../support/cli.js';
import { VLLM_TAGS, writeManifest } from '../support/manifest.js';
import { NOBODY, skipUnlessNobodyCanRun } from '../support/nobody.js';
import { cliEnv, makeSandbox } from '../support/sandbox.js';

const CONFIG = '{"architectures":["LlamaForCausalLM"]}';
let dir: string;
let srv: ArtifactServer;
let env: Record<string, string>;

beforeEach(async () => {
  const sb = makeSandbox({ engines: [] });
  dir = sb.dir;
  srv = await sb.server();
  srv.add('/m/config.json', bytesBody(CONFIG));
  const manifest = path.join(dir, 'model_manifest.yaml');
  await writeManifest(manifest, [{ name: 'p', tags: VLLM_TAGS, files: { 'config.json': { uri: `${srv.url}/m/config.json`, sha256: await sha256Of(bytesBody(CONFIG)) } } }]);
  env = cliEnv({ NIM_CACHE_PATH: path.join(dir, 'cache'), NIMLET_MANIFEST: manifest });
});

const createStore = (store: string) => nimlet(['create-model-store', '--profile', 'vllm-bf16-tp1', '--model-store', store], env);

it('a file where the store folder should be: exit 73 naming it, the file untouched, nothing fetched', async () => {
  const file = path.join(dir, 'afile');
  await writeFile(file, 'keep me');
  const r = await createStore(file);
  expect(r.code, r.all).toBe(73);
  expect(r.stderr).toContain(`nimlet: cannot write the model store ${file}: EEXIST on mkdir ${file}\n`);
  expect(r.stderr).toContain(`hint: ${file} is a file where a folder is needed`);
  expect(await readFile(file, 'utf8')).toBe('keep me');
  expect(srv.requests()).toEqual([]);
});

it('a file in the way of a parent folder: exit 73, the hint names that file', async () => {
  const file = path.join(dir, 'afile');
  await writeFile(file, 'keep me');
  const store = path.join(file, 'sub', 'deeper');
  const r = await createStore(store);
  expect(r.code, r.all).toBe(73);
  expect(r.stderr).toMatch(new RegExp(`nimlet: cannot write the model store ${store}: ENOTDIR on mkdir `));
  expect(r.stderr).toContain(`hint: ${file} is a file where a folder is needed`);
  expect(await readFile(file, 'utf8')).toBe('keep me');
});

// Node's recursive mkdir retries for ever there (mkdir answers ENOENT under /proc) and no signal stopped it.
it.skipIf(!existsSync('/proc/self'))('a store under /proc: exit 73 at once, no endless mkdir', async () => {
  // a regression spins in libuv's mkdir, off the event loop: the test's own timeout still ends it
  const r = await nimlet(['create-model-store', '--profile', 'vllm-bf16-tp1', '--model-store', '/proc/nimlet-nope/store'], env);
  expect(r.code, r.all).toBe(73);
  expect(r.stderr).toContain('nimlet: cannot write the model store /proc/nimlet-nope/store: ENOENT on mkdir /proc/nimlet-nope\n');
  expect(srv.requests()).toEqual([]);
});

it.skipIf(process.getuid?.() !== 0)('a folder the user may not write: exit 73, and what is already there stays', async ({ skip }) => {
  skipUnlessNobodyCanRun(skip);
  const rootOnly = path.join(dir, 'root-only');
  await mkdir(rootOnly, { mode: 0o755 });
  await writeFile(path.join(rootOnly, 'config.json'), 'older');
  await execa('chown', [`${NOBODY}:${NOBODY}`, dir]);
  const run = (store: string) => nimlet(['create-model-store', '--profile', 'vllm-bf16-tp1', '--model-store', store], env, { uid: NOBODY });
  const inside = await run(path.join(rootOnly, 'store'));
  expect(inside.code, inside.all).toBe(73);
  expect(inside.stderr).toContain(`nimlet: cannot write the model store ${path.join(rootOnly, 'store')}: EACCES on mkdir ${path.join(rootOnly, 'store')}\n`);
  expect(inside.stderr).toContain(`hint: choose a --model-store that uid 65534 can create and write, or make ${rootOnly} writable`);
  const itself = await run(rootOnly);
  expect(itself.code, itself.all).toBe(73);
  expect(itself.stderr).toMatch(new RegExp(`nimlet: cannot write the model store ${rootOnly}: EACCES on open ${rootOnly}/\\.nimlet-[0-9a-f]{12}\\.probe\\n`));
  expect(await readdir(rootOnly)).toEqual(['config.json']);
  expect(await readFile(path.join(rootOnly, 'config.json'), 'utf8')).toBe('older');
  expect(srv.requests()).toEqual([]);
});
