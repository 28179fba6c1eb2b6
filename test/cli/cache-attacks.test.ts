// Issue 11: another pod (or uid) on the shared cache volume plants links, FIFOs and devices where nimlet writes or
// reads, replayed against the built CLI (build first) and the fake artifact server on 127.0.0.1. Nothing outside the
// cache is read, changed or published; `cache verify` names every planted entry as damage and never hangs.
import { execFileSync } from 'node:child_process';
import { chmod, lstat, mkdir, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { bytesBody, sha256Of, type ArtifactServer } from '../fixtures/servers/artifact-server.js';
import { nimlet } from '../support/cli.js';
import { VLLM_TAGS, writeManifest } from '../support/manifest.js';
import { cliEnv, makeSandbox } from '../support/sandbox.js';

const CONFIG = '{"architectures":["LlamaForCausalLM"]}';
let dir: string;
let cache: string;
let manifest: string;
let outside: string;
let srv: ArtifactServer;
let configHex: string;

beforeEach(async () => {
  const sb = makeSandbox({ engines: [] });
  dir = sb.dir;
  cache = sb.cache;
  manifest = sb.manifest;
  outside = path.join(dir, 'secret');
  srv = await sb.server();
  srv.add('/m/config.json', bytesBody(CONFIG));
  configHex = await sha256Of(bytesBody(CONFIG));
  await writeManifest(manifest, [{
    name: 'vllm-bf16-tp1', tags: VLLM_TAGS, files: { 'config.json': { uri: `${srv.url}/m/config.json`, sha256: configHex } },
  }]);
});

const env = () => cliEnv({ NIM_CACHE_PATH: cache, NIMLET_MANIFEST: manifest, XDG_CACHE_HOME: path.join(dir, 'xdg') });
const download = () => nimlet(['download-to-cache', '--all'], env());
async function theWorkspace(): Promise<string> {
  const names = await readdir(path.join(cache, 'profiles'));
  expect(names).toHaveLength(1);
  return path.join(cache, 'profiles', names[0]!);
}

describe('a symlink planted at the predictable partial name (fault 2)', () => {
  it.each([
    ['a secret of other bytes', 'top secret\n'],
    // the bytes hash right: before, the link itself was published as blob and workspace file
    ['a file that holds exactly the right bytes', CONFIG],
  ])('pointing at %s: the target is not read, changed or published', async (_what, content) => {
    await writeFile(outside, content, { mode: 0o600 });
    await mkdir(path.join(cache, 'partials'), { recursive: true });
    await symlink(outside, path.join(cache, 'partials', configHex));
    const r = await download();
    expect(r.code, r.all).toBe(0);
    const st = await stat(outside);
    expect([st.mode & 0o777, await readFile(outside, 'utf8')]).toEqual([0o600, content]);
    const blob = await lstat(path.join(cache, 'blobs/sha256', configHex));
    expect(blob.isFile()).toBe(true);
    expect(blob.ino).not.toBe(st.ino);
    const file = path.join(await theWorkspace(), 'config.json');
    expect((await lstat(file)).isFile()).toBe(true);
    expect(await readFile(file, 'utf8')).toBe(CONFIG);
  });
});

describe('a workspace file named like a temporary of the marker (fault 3)', () => {
  it('.nimlet-complete.tmp sharing a verified blob: the blob is not written through, verify stays good', async () => {
    await writeManifest(manifest, [{
      name: 'vllm-bf16-tp1', tags: VLLM_TAGS,
      files: {
        'config.json': { uri: `${srv.url}/m/config.json`, sha256: configHex },
        '.nimlet-complete.tmp': { uri: `${srv.url}/m/config.json`, sha256: configHex },
      },
    }]);
    const r = await download();
    expect(r.code, r.all).toBe(0);
    expect(await readFile(path.join(cache, 'blobs/sha256', configHex), 'utf8')).toBe(CONFIG);
    expect(await readFile(path.join(await theWorkspace(), '.nimlet-complete.tmp'), 'utf8')).toBe(CONFIG);
    const verify = await nimlet(['cache', 'verify'], env());
    expect(verify.code, verify.all).toBe(0);
  });
});

describe('cache verify with planted links, FIFOs and devices (fault 8)', () => {
  it('reports each as damage (exit 74) without hanging, and --repair removes them', async () => {
    expect((await download()).code).toBe(0);
    const blobs = path.join(cache, 'blobs/sha256');
    const fifo = 'f'.repeat(64);
    const zero = '0'.repeat(64);
    const out = 'a'.repeat(64);
    execFileSync('mkfifo', [path.join(blobs, fifo)]);
    await symlink('/dev/zero', path.join(blobs, zero));
    await writeFile(outside, 'top secret\n', { mode: 0o600 });
    await symlink(outside, path.join(blobs, out));
    // a workspace file replaced by a link out of the cache to bytes that hash right
    await writeFile(path.join(dir, 'same-bytes'), CONFIG);
    const wsFile = path.join(await theWorkspace(), 'config.json');
    await chmod(path.dirname(wsFile), 0o755);
    await rm(wsFile);
    await symlink(path.join(dir, 'same-bytes'), wsFile);

    // and entries added to the published workspace: the engine would read them as part of the model
    execFileSync('mkfifo', [path.join(path.dirname(wsFile), 'fifo')]);
    await symlink(outside, path.join(path.dirname(wsFile), 'tokenizer_config.json'));

    const r = await nimlet(['cache', 'verify'], env());
    expect(r.code, r.all).toBe(74);
    expect(r.stderr).toContain('fifo was not published by nimlet');
    expect(r.stderr).toContain('tokenizer_config.json was not published by nimlet');
    expect(r.stderr).toContain(`blob ${fifo}: content hashes to nothing: a FIFO, not a regular file`);
    expect(r.stderr).toContain(`blob ${zero}: content hashes to nothing: a symbolic link`);
    expect(r.stderr).toContain(`blob ${out}: content hashes to nothing: a symbolic link`);
    expect(r.stderr).toContain('config.json hashes to nothing: a symbolic link');
    const repaired = await nimlet(['cache', 'verify', '--repair'], env());
    expect(repaired.code, repaired.all).toBe(0);
    expect((await readdir(blobs)).sort()).toEqual([configHex]);
    expect(await readFile(outside, 'utf8')).toBe('top secret\n');
  });
});
