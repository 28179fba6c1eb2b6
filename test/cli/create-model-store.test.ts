// create-model-store with a --model-store that cannot be created or written: exit 73 naming the path, before
// anything is fetched, and nothing already there lost (build first: npx tsc -p tsconfig.build.json).
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { bytesBody, sha256Of, startArtifactServer, type ArtifactServer } from '../fixtures/servers/artifact-server.js';
import { BIN, cliEnv, nimlet, NOBODY, skipUnlessNobodyCanRun, VLLM_TAGS, writeManifest } from '../cache/helpers/cli.js';

const CONFIG = '{"architectures":["LlamaForCausalLM"]}';
let dir: string;
let srv: ArtifactServer;
let env: Record<string, string>;

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'nimlet-store-'));
  srv = await startArtifactServer();
  srv.add('/m/config.json', bytesBody(CONFIG));
  const manifest = path.join(dir, 'model_manifest.yaml');
  await writeManifest(manifest, [{ name: 'p', tags: VLLM_TAGS, files: { 'config.json': { uri: `${srv.url}/m/config.json`, sha256: await sha256Of(bytesBody(CONFIG)) } } }]);
  env = cliEnv({ NIM_CACHE_PATH: path.join(dir, 'cache'), NIMLET_MANIFEST: manifest });
});
afterEach(async () => {
  await srv.stop();
  await rm(dir, { recursive: true, force: true });
});

const createStore = (store: string) => nimlet(['create-model-store', '--profile', 'vllm-bf16-tp1', '--model-store', store], env);

it('a file where the store folder should be: exit 73 naming it, the file untouched, nothing fetched', async () => {
  const file = path.join(dir, 'afile');
  await writeFile(file, 'keep me');
  const r = await createStore(file);
  expect(r.exitCode, r.all).toBe(73);
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
  expect(r.exitCode, r.all).toBe(73);
  expect(r.stderr).toMatch(new RegExp(`nimlet: cannot write the model store ${store}: ENOTDIR on mkdir `));
  expect(r.stderr).toContain(`hint: ${file} is a file where a folder is needed`);
  expect(await readFile(file, 'utf8')).toBe('keep me');
});

// Node's recursive mkdir retries for ever there (mkdir answers ENOENT under /proc) and no signal stopped it.
it.skipIf(!existsSync('/proc/self'))('a store under /proc: exit 73 at once, no endless mkdir', async () => {
  // SIGKILL after a generous bound: a regression would otherwise leave a process spinning that SIGTERM cannot stop
  const r = await execa(process.execPath, [BIN, 'create-model-store', '--profile', 'vllm-bf16-tp1', '--model-store', '/proc/nimlet-nope/store'], {
    env, extendEnv: false, reject: false, all: true, timeout: 30_000, killSignal: 'SIGKILL',
  });
  expect(r.exitCode, r.all).toBe(73);
  expect(r.stderr).toContain('nimlet: cannot write the model store /proc/nimlet-nope/store: ENOENT on mkdir /proc/nimlet-nope\n');
  expect(srv.requests()).toEqual([]);
});

it.skipIf(process.getuid?.() !== 0)('a folder the user may not write: exit 73, and what is already there stays', async ({ skip }) => {
  skipUnlessNobodyCanRun(skip);
  const rootOnly = path.join(dir, 'root-only');
  await mkdir(rootOnly, { mode: 0o755 });
  await writeFile(path.join(rootOnly, 'config.json'), 'older');
  await execa('chown', [`${NOBODY}:${NOBODY}`, dir]);
  const run = (store: string) => execa(process.execPath, [BIN, 'create-model-store', '--profile', 'vllm-bf16-tp1', '--model-store', store], {
    env, extendEnv: false, reject: false, all: true, uid: NOBODY, gid: NOBODY,
  });
  const inside = await run(path.join(rootOnly, 'store'));
  expect(inside.exitCode, inside.all).toBe(73);
  expect(inside.stderr).toContain(`nimlet: cannot write the model store ${path.join(rootOnly, 'store')}: EACCES on mkdir ${path.join(rootOnly, 'store')}\n`);
  expect(inside.stderr).toContain(`hint: choose a --model-store that uid 65534 can create and write, or make ${rootOnly} writable`);
  const itself = await run(rootOnly);
  expect(itself.exitCode, itself.all).toBe(73);
  expect(itself.stderr).toMatch(new RegExp(`nimlet: cannot write the model store ${rootOnly}: EACCES on open ${rootOnly}/\\.nimlet-[0-9a-f]{12}\\.probe\\n`));
  expect(await readdir(rootOnly)).toEqual(['config.json']);
  expect(await readFile(path.join(rootOnly, 'config.json'), 'utf8')).toBe('older');
  expect(srv.requests()).toEqual([]);
});
