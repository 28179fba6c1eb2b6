// download-to-cache with neither --profiles nor --all: the profile `select` picks for this machine's GPUs (the
// project's fake nvidia-smi first on PATH), and only that one, is fetched and published. Build first.
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { bytesBody, sha256Of, type ArtifactServer } from '../fixtures/servers/artifact-server.js';
import { nimlet } from '../support/cli.js';
import { idOf, writeManifest, wsName, wsOf } from '../support/manifest.js';
import { ROOT } from '../support/paths.js';
import { cliEnv, makeSandbox } from '../support/sandbox.js';

const MACHINES = path.join(ROOT, 'test/fixtures/nvidia-smi/machines');
/** Manifest keys (ids are their sha256) and the names nimlet derives from the tags. */
const H100 = 'tensorrt_llm-h100-bf16-tp1-latency';
const GENERIC = 'vllm-bf16-tp1';
const CONFIG = '{"architectures":["LlamaForCausalLM"]}';
const ENGINE = 'h100-engine-bytes';
const WEIGHTS = 'generic-weights-bytes';

let dir: string;
let srv: ArtifactServer;

beforeEach(async () => {
  const sb = makeSandbox({ engines: [] });
  dir = sb.dir;
  srv = await sb.server();
  const files: Record<string, string> = { 'config.json': CONFIG, 'rank0.engine': ENGINE, 'model.safetensors': WEIGHTS };
  for (const [name, text] of Object.entries(files)) srv.add(`/m/${name}`, bytesBody(text));
  const file = async (name: string) => ({ uri: `${srv.url}/m/${name}`, sha256: await sha256Of(bytesBody(files[name]!)), size: files[name]!.length });
  await writeManifest(path.join(dir, 'model_manifest.yaml'), [
    {
      name: H100,
      tags: { llm_engine: 'tensorrt_llm', gpu: 'H100', gpu_device: '2330:10de', precision: 'bf16', tp: '1', pp: '1', profile: 'latency' },
      files: { 'config.json': await file('config.json'), 'rank0.engine': await file('rank0.engine') },
    },
    {
      name: GENERIC,
      tags: { llm_engine: 'vllm', precision: 'bf16', tp: '1', pp: '1' },
      files: { 'config.json': await file('config.json'), 'model.safetensors': await file('model.safetensors') },
    },
  ]);
});

/** Runs download-to-cache --json with no profile option, the fake nvidia-smi answering as `machine`. */
function download(machine: string) {
  return nimlet(['download-to-cache', '--json'], cliEnv({
    PATH: `${path.join(dir, 'bin')}${path.delimiter}${process.env.PATH ?? '/usr/bin:/bin'}`,
    NIM_CACHE_PATH: path.join(dir, 'cache'),
    NIMLET_MANIFEST: path.join(dir, 'model_manifest.yaml'),
    NIMLET_FAKE_NVSMI_MACHINE: path.join(MACHINES, machine),
    NIMLET_FAKE_NVSMI_LOG: path.join(dir, 'nvsmi.log'),
    NIMLET_PROBE_TIMEOUT: '60', // each query of the fake nvidia-smi starts node: more than 10 s on a loaded machine
  }));
}

const gets = () => srv.requests().map((r) => `${r.method} ${r.path}`).sort();

describe('download-to-cache without --profiles or --all', () => {
  it('on 8 × H100: fetches and publishes the H100 build only, after one probe', async () => {
    const r = await download('h100-sxm-x8');
    expect(r.stderr).not.toContain('nimlet:');
    expect(r.code).toBe(0);
    const ws = wsOf(path.join(dir, 'cache'), H100);
    expect(JSON.parse(r.stdout)).toEqual({
      profiles: [{ id: idOf(H100), name: H100, modelDir: ws, files: 2, bytes: CONFIG.length + ENGINE.length, fetchedBytes: CONFIG.length + ENGINE.length }],
    });
    expect(await readdir(path.join(dir, 'cache', 'profiles'))).toEqual([wsName(H100)]);
    expect((await readdir(ws)).sort()).toEqual(['.nimlet-complete', 'config.json', 'rank0.engine']);
    expect(await readFile(path.join(ws, 'rank0.engine'), 'utf8')).toBe(ENGINE);
    expect(gets()).toEqual(['GET /m/config.json', 'GET /m/rank0.engine']);
    const probes = (await readFile(path.join(dir, 'nvsmi.log'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as string[]);
    expect(probes).toHaveLength(1);
    expect(probes[0]![0]).toMatch(/^--query-gpu=index,uuid,name,/);

    // Run again: the selected profile is complete, nothing is requested.
    srv.reset();
    const again = await download('h100-sxm-x8');
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ profiles: [{ id: idOf(H100), fetchedBytes: 0 }] });
    expect(srv.requests()).toEqual([]);
  });

  it('on L40/L40S: the generic profile instead, and none of the H100 files', async () => {
    const r = await download('l40-l40s-mixed');
    expect(r.stderr).not.toContain('nimlet:');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ profiles: [{ id: idOf(GENERIC), name: GENERIC, files: 2, fetchedBytes: CONFIG.length + WEIGHTS.length }] });
    expect(await readdir(path.join(dir, 'cache', 'profiles'))).toEqual([wsName(GENERIC)]);
    expect(await readFile(path.join(wsOf(path.join(dir, 'cache'), GENERIC), 'model.safetensors'), 'utf8')).toBe(WEIGHTS);
    expect(gets()).toEqual(['GET /m/config.json', 'GET /m/model.safetensors']);
  });

  it('with no GPU at all: exit 69 before any request, nothing published', async () => {
    const r = await nimlet(['download-to-cache'], cliEnv({
      PATH: path.join(dir, 'empty-bin'),
      NIM_CACHE_PATH: path.join(dir, 'cache'),
      NIMLET_MANIFEST: path.join(dir, 'model_manifest.yaml'),
    }));
    expect(r.code).toBe(69);
    expect(srv.requests()).toEqual([]);
    await expect(readdir(path.join(dir, 'cache', 'profiles'))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
