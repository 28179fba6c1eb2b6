// Issue 11 fault 9 through the built CLI (build first) and the fake artifact server on 127.0.0.1: a file the
// manifest gives no sha256 is verified against what the source offers (a Hugging Face git blob id), published
// with a warning when nothing vouches for it, and refused under --require-checksums (65, nothing published).
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { bytesBody, hfFilePath, type ArtifactServer } from '../fixtures/servers/artifact-server.js';
import { nimlet } from '../support/cli.js';
import { VLLM_TAGS, writeManifest } from '../support/manifest.js';
import { cliEnv, makeSandbox } from '../support/sandbox.js';

const HTML = '<html><body>Sign in to continue</body></html>';
const CONFIG = '{"architectures":["LlamaForCausalLM"]}';
const gitBlob = (s: string) => createHash('sha1').update(`blob ${Buffer.byteLength(s)}\0${s}`).digest('hex');
let dir: string;
let srv: ArtifactServer;
let manifest: string;
beforeEach(async () => {
  const sb = makeSandbox({ engines: [] });
  dir = sb.dir;
  srv = await sb.server();
  manifest = path.join(dir, 'm.yaml');
});

const env = () => cliEnv({ NIM_CACHE_PATH: path.join(dir, 'cache'), NIMLET_MANIFEST: manifest, XDG_CACHE_HOME: path.join(dir, 'xdg'), HF_ENDPOINT: srv.url });
const hf = (file: string) => hfFilePath({ org: 'acme', repo: 'model', revision: 'main', file });
const published = async () => (existsSync(path.join(dir, 'cache', 'profiles')) ? readdir(path.join(dir, 'cache', 'profiles')) : []);

describe('files without a sha256 in the manifest', () => {
  it('nothing vouches (an HTML 200): published with a warning naming the file', async () => {
    srv.add('/m/config.json', bytesBody(HTML));
    await writeManifest(manifest, [{ name: 'p', tags: VLLM_TAGS, files: { 'config.json': { uri: `${srv.url}/m/config.json` } } }]);
    const r = await nimlet(['download-to-cache', '--all'], env());
    expect(r.code, r.all).toBe(0);
    expect(r.stderr).toContain('warning: profile vllm-bf16-tp1: 1 file(s) published unverified — no sha256 in the manifest and none from the source: config.json');
  });

  it('--require-checksums: refused, 65, nothing published', async () => {
    srv.add('/m/config.json', bytesBody(HTML));
    await writeManifest(manifest, [{ name: 'p', tags: VLLM_TAGS, files: { 'config.json': { uri: `${srv.url}/m/config.json` } } }]);
    const r = await nimlet(['download-to-cache', '--all', '--require-checksums'], env());
    expect(r.code, r.all).toBe(65);
    expect(r.stderr).toContain('config.json (profile vllm-bf16-tp1): no sha256 in the manifest and none offered by the source: refused (--require-checksums)');
    expect(await published()).toEqual([]);
    expect(await readdir(path.join(dir, 'cache', 'blobs', 'sha256'))).toEqual([]);
  });

  it('a Hugging Face git blob id as ETag: the right bytes pass with no warning, even under --require-checksums', async () => {
    srv.add(hf('config.json'), bytesBody(CONFIG), { etag: gitBlob(CONFIG) });
    await writeManifest(manifest, [{ name: 'p', tags: VLLM_TAGS, files: { 'config.json': { uri: 'hf://acme/model:main?file=config.json' } } }]);
    const r = await nimlet(['download-to-cache', '--all', '--require-checksums'], env());
    expect(r.code, r.all).toBe(0);
    expect(r.stderr).not.toContain('unverified');
  });

  it('a Hugging Face git blob id the bytes do not match: fetched once more, then 74, nothing published', async () => {
    srv.add(hf('config.json'), bytesBody(HTML), { etag: gitBlob(CONFIG) });
    await writeManifest(manifest, [{ name: 'p', tags: VLLM_TAGS, files: { 'config.json': { uri: 'hf://acme/model:main?file=config.json' } } }]);
    const r = await nimlet(['download-to-cache', '--all'], env());
    expect(r.code, r.all).toBe(74);
    expect(r.stderr).toContain(`git blob ${gitBlob(CONFIG)}`);
    expect(srv.requests().filter((q) => q.method === 'GET')).toHaveLength(2);
    expect(await published()).toEqual([]);
  });
});
