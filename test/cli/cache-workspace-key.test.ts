// Workspaces keyed by the profile's own normalised entry (DESIGN §15), through the built CLI: two manifests that
// reuse a profile id with other files never share a folder (issue 11 fault 4), and a workspace an earlier nimlet
// published under the id is adopted once, with no request.
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { bytesBody, sha256Of, type ArtifactServer } from '../fixtures/servers/artifact-server.js';
import { nimlet } from '../support/cli.js';
import { idOf, VLLM_TAGS, writeManifest, wsOf } from '../support/manifest.js';
import { cliEnv, makeSandbox } from '../support/sandbox.js';

let dir: string;
let cache: string;
let srv: ArtifactServer;
beforeEach(async () => {
  const sb = makeSandbox({ engines: [] });
  dir = sb.dir;
  cache = sb.cache;
  srv = await sb.server();
  srv.add('/a/config.json', bytesBody('{"model":"A"}'));
  srv.add('/b/config.json', bytesBody('{"model":"B"}'));
});

const env = (manifest: string) => cliEnv({ NIM_CACHE_PATH: cache, NIMLET_MANIFEST: manifest, XDG_CACHE_HOME: path.join(dir, 'xdg') });
const gets = () => srv.requests().filter((r) => r.method === 'GET').length;

describe('two manifests reusing one profile id (fault 4)', () => {
  it.each([['with sha256', true], ['without sha256', false]])('%s: two workspaces, each with its own files', async (_what, withSha) => {
    const dirs: string[] = [];
    for (const m of ['a', 'b']) {
      const manifest = path.join(dir, `${m}.yaml`);
      const sha = withSha ? { sha256: await sha256Of(bytesBody(`{"model":"${m.toUpperCase()}"}`)) } : {};
      // the same name, so the same id (writeManifest ids a profile by its name), and the same workspace path
      await writeManifest(manifest, [{ name: 'vllm-bf16-tp1', tags: VLLM_TAGS, files: { 'config.json': { uri: `${srv.url}/${m}/config.json`, ...sha } } }]);
      const r = await nimlet(['download-to-cache', '--all', '--json'], env(manifest));
      expect(r.code, r.all).toBe(0);
      const out = JSON.parse(r.stdout) as { profiles: { id: string; modelDir: string }[] };
      expect(out.profiles[0]!.id).toBe(idOf('vllm-bf16-tp1'));
      dirs.push(out.profiles[0]!.modelDir);
    }
    expect(new Set(dirs).size).toBe(2);
    expect(await readFile(path.join(dirs[0]!, 'config.json'), 'utf8')).toBe('{"model":"A"}');
    expect(await readFile(path.join(dirs[1]!, 'config.json'), 'utf8')).toBe('{"model":"B"}');
    // and A again: still its own files, from the cache
    srv.reset();
    const again = await nimlet(['download-to-cache', '--all', '--json'], env(path.join(dir, 'a.yaml')));
    expect(JSON.parse(again.stdout).profiles[0].modelDir).toBe(dirs[0]);
    expect(gets()).toBe(0);
  });
});

describe('a cache written by an earlier nimlet (profiles/<id>, a marker without a key)', () => {
  it('is adopted once: no request, the same files, then found at its key', async () => {
    const manifest = path.join(dir, 'a.yaml');
    const sha = await sha256Of(bytesBody('{"model":"A"}'));
    await writeManifest(manifest, [{ name: 'vllm-bf16-tp1', tags: VLLM_TAGS, files: { 'config.json': { uri: `${srv.url}/a/config.json`, sha256: sha } } }]);
    expect((await nimlet(['download-to-cache', '--all'], env(manifest))).code).toBe(0);
    // made into what an earlier nimlet left: the folder named by the id, its marker without a key
    const old = path.join(cache, 'profiles', idOf('vllm-bf16-tp1'));
    await rename(wsOf(cache, 'vllm-bf16-tp1'), old);
    const marker = JSON.parse(await readFile(path.join(old, '.nimlet-complete'), 'utf8'));
    delete marker.key;
    await writeFile(path.join(old, '.nimlet-complete'), JSON.stringify(marker));
    await mkdir(path.join(cache, 'partials'), { recursive: true });
    srv.reset();
    const r = await nimlet(['download-to-cache', '--all'], env(manifest));
    expect(r.code, r.all).toBe(0);
    expect(gets()).toBe(0);
    expect(await readdir(path.join(cache, 'profiles'))).toEqual([path.basename(wsOf(cache, 'vllm-bf16-tp1'))]);
    expect(await readFile(path.join(wsOf(cache, 'vllm-bf16-tp1'), 'config.json'), 'utf8')).toBe('{"model":"A"}');
  });
});
