// An existing NIM 1.x cache under the same NIM_CACHE_PATH is adopted (issue 13 item 4): files NIM wrote as
// ngc/hub/models--org--team--model/snapshots/<version>/… are verified against the manifest's sha256 and copied
// into nimlet's blobs with no request; a file that does not match, or a link out of the repository's blobs/, is
// fetched as usual. Through the built CLI (build first), against the fake artifact server on 127.0.0.1.
import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { bytesBody, ngcFilePath, sha256Of, type ArtifactServer } from '../fixtures/servers/artifact-server.js';
import { nimlet } from '../support/cli.js';
import { VLLM_TAGS, writeManifest } from '../support/manifest.js';
import { cliEnv, makeSandbox } from '../support/sandbox.js';

const FILES = { 'config.json': '{"architectures":["LlamaForCausalLM"]}', 'model.safetensors': 'weights '.repeat(5000), 'tokenizer.json': '{"t":1}' };
const ngc = (file: string) => ({ org: 'nim', team: 'meta', model: 'llama', version: '1.0', file });

let dir: string;
let cache: string;
let manifest: string;
let srv: ArtifactServer;
/** The repository folder NIM 1.x writes for ngc://nim/meta/llama. */
let repo: string;

beforeEach(async () => {
  const sb = makeSandbox({ engines: [] });
  dir = sb.dir;
  cache = sb.cache;
  manifest = sb.manifest;
  repo = path.join(cache, 'ngc/hub/models--nim--meta--llama');
  srv = await sb.server();
  const files: Record<string, { uri: string; sha256: string; size: number }> = {};
  for (const [name, text] of Object.entries(FILES)) {
    srv.add(ngcFilePath(ngc(name)), bytesBody(text));
    files[name] = { uri: `ngc://nim/meta/llama:1.0?file=${name}`, sha256: await sha256Of(bytesBody(text)), size: Buffer.byteLength(text) };
  }
  await writeManifest(manifest, [{ name: 'vllm-bf16-tp1', tags: VLLM_TAGS, files }]);
});

/** NIM's layout: a snapshot folder whose entries are links into the repository's blobs/ (as huggingface_hub writes). */
async function nimCache(contents: Record<string, string>): Promise<void> {
  const snapshot = path.join(repo, 'snapshots/1.0');
  await mkdir(snapshot, { recursive: true });
  await mkdir(path.join(repo, 'blobs'), { recursive: true });
  for (const [name, text] of Object.entries(contents)) {
    const blob = path.join(repo, 'blobs', `b-${name}`);
    await writeFile(blob, text);
    await symlink(path.relative(snapshot, blob), path.join(snapshot, name));
  }
}

const download = () => nimlet(['download-to-cache', '--all'], cliEnv({ NIM_CACHE_PATH: cache, NIMLET_MANIFEST: manifest, NIMLET_NGC_ENDPOINT: srv.url }));
const fetched = () => srv.requests().filter((r) => r.method === 'GET').map((r) => path.basename(r.path)).sort();

describe('a NIM 1.x cache under NIM_CACHE_PATH', () => {
  it('every file there and matching the manifest: download-to-cache makes zero requests; the files are reused', async () => {
    await nimCache(FILES);
    const r = await download();
    expect(r.code, r.all).toBe(0);
    expect(srv.requests()).toEqual([]);
    expect(r.stdout).toContain('nothing fetched (already cached)');
    const out = await nimlet(['download-to-cache', '--all', '--json'], cliEnv({ NIM_CACHE_PATH: cache, NIMLET_MANIFEST: manifest, NIMLET_NGC_ENDPOINT: srv.url, NIMLET_OFFLINE: '1' }));
    const { modelDir } = (JSON.parse(out.stdout) as { profiles: Array<{ modelDir: string }> }).profiles[0]!;
    for (const [name, text] of Object.entries(FILES)) expect(await readFile(path.join(modelDir, name), 'utf8')).toBe(text);
    expect(srv.requests()).toEqual([]);
  });

  it('offline (downloads turned off) with the NIM cache complete: served from it, exit 0', async () => {
    await nimCache(FILES);
    const r = await nimlet(['download-to-cache', '--all'], cliEnv({ NIM_CACHE_PATH: cache, NIMLET_MANIFEST: manifest, NIM_DISABLE_MODEL_DOWNLOAD: '1' }));
    expect(r.code, r.all).toBe(0);
  });

  it('a file whose bytes differ from the manifest, and a missing one, are fetched; the matching one is not', async () => {
    await nimCache({ 'config.json': FILES['config.json'], 'model.safetensors': 'tampered weights' });
    const r = await download();
    expect(r.code, r.all).toBe(0);
    expect(fetched()).toEqual(['model.safetensors', 'tokenizer.json']);
  });

  it('a snapshot link out of the repository\'s blobs/ is not followed: the file is fetched', async () => {
    await nimCache({ 'config.json': FILES['config.json'], 'tokenizer.json': FILES['tokenizer.json'] });
    const outside = path.join(dir, 'elsewhere.bin');
    await writeFile(outside, FILES['model.safetensors']);
    await symlink(outside, path.join(repo, 'snapshots/1.0/model.safetensors'));
    const r = await download();
    expect(r.code, r.all).toBe(0);
    expect(fetched()).toEqual(['model.safetensors']);
  });
});
