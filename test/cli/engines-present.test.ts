// Issue 10's acceptance: an image (or host) with only vLLM, on the 8 × H100 and 4 × A100 machines, with the project's
// NIM 1.x example manifest. TensorRT-LLM and SGLang profiles are incompatible with the reason, the best vLLM profile
// is selected, and serve asks the registry only for that profile's files. Real CLI processes, the project's fake
// nvidia-smi and engines, a local artifact server on 127.0.0.1.
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadManifest } from '../../src/manifest/load.js';
import { parseSourceUri } from '../../src/manifest/source-uri.js';
import type { Profile } from '../../src/manifest/types.js';
import { ngcFilePath, startArtifactServer, type ArtifactServer } from '../fixtures/servers/artifact-server.js';
import { nimlet } from '../support/cli.js';
import { makeSandbox } from '../support/sandbox.js';

const EXAMPLE = path.join(import.meta.dirname, '../../manifests/llama-3.1-8b-instruct.nim1.yaml');
const exampleYaml = readFileSync(EXAMPLE, 'utf8');
let profiles: Profile[] = [];
let server: ArtifactServer;

beforeAll(async () => {
  profiles = (await loadManifest(EXAMPLE)).profiles;
  server = await startArtifactServer();
});
afterAll(async () => server.stop());

/** The registry paths a profile's files are fetched from. */
function registryPaths(p: Profile): string[] {
  return p.files.map((f) => {
    const parsed = parseSourceUri(f.uri, '/');
    if (!parsed.ok || parsed.source.kind !== 'ngc') throw new Error(`not an ngc:// file: ${f.uri}`);
    return ngcFilePath(parsed.source);
  });
}

const MACHINES = [
  // fp8 needs compute capability 8.9: the H100s take the fp8 build; the A100s (8.0) the bf16 one with the highest tp
  ['8 × H100', 'h100-sxm-x8', 'vllm-fp8-tp1'],
  ['4 × A100', 'a100-80gb-x4', 'vllm-bf16-tp2'],
] as const;

interface Listed { selected: string | null; system: { engines: unknown }; profiles: { id: string; name: string; tags: Record<string, string>; status: string; reasons: string[] }[] }

describe.each(MACHINES)('an image with only vLLM on %s', (_label, machine, best) => {
  const sandbox = () => makeSandbox({ manifest: exampleYaml, engines: ['vllm'] });

  it(`list-model-profiles: every TensorRT-LLM and SGLang profile incompatible with the reason; ${best} selected`, async () => {
    const sb = sandbox();
    const r = await nimlet(['list-model-profiles', '--json'], { ...sb.env, NIMLET_FAKE_NVSMI_MACHINE: machine, NIMLET_ENGINES: 'vllm' });
    expect([r.code, r.stderr]).toEqual([0, '']);
    const listed = JSON.parse(r.stdout) as Listed;
    const others = listed.profiles.filter((p) => p.tags.llm_engine !== 'vllm');
    expect(others.length).toBe(19);
    for (const p of others) {
      expect(p.status).toBe('incompatible');
      expect(p.reasons[0]).toBe(`engine ${p.tags.llm_engine} is not in this image; it has vllm`);
    }
    expect(listed.profiles.find((p) => p.id === listed.selected)?.name).toBe(best);
    expect(listed.system.engines).toEqual({ found: ['vllm'], versions: {}, source: 'NIMLET_ENGINES' });
  });

  it(`select: ${best}`, async () => {
    const sb = sandbox();
    const r = await nimlet(['select', '--json'], { ...sb.env, NIMLET_FAKE_NVSMI_MACHINE: machine, NIMLET_ENGINES: 'vllm' });
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as { name: string }).name).toBe(best);
  });

  it('serve on a host where vllm is the only engine on PATH: only the vLLM profile\'s files are requested', async () => {
    server.reset();
    const sb = sandbox();
    // detected, not declared: vllm on PATH, no trtllm-serve, python3 without sglang
    const r = await nimlet(['serve'], { ...sb.env, NIMLET_FAKE_NVSMI_MACHINE: machine, NIMLET_NGC_ENDPOINT: server.url, NGC_API_KEY: 'nvapi-test', NIMLET_RETRY_ATTEMPTS: '1' });
    expect(r.code).not.toBe(0); // the registry has none of the files: the download fails
    const chosen = profiles.find((p) => p.name === best)!;
    const requested = [...new Set(server.requests().map((q) => q.path.split('?')[0]!))];
    expect(requested.length).toBeGreaterThan(0);
    expect(requested.filter((p) => !registryPaths(chosen).includes(p))).toEqual([]);
  });
});

describe('engines the image does not have', () => {
  const trt = 'tensorrt_llm-h100-fp8-tp1-throughput';

  it('a pin of a TensorRT-LLM profile in a vLLM image: 69 before any download, naming the image to use', async () => {
    const sb = makeSandbox({ manifest: exampleYaml, engines: ['vllm'] });
    const r = await nimlet(['serve'], { ...sb.env, NIMLET_ENGINES: 'vllm', NIM_MODEL_PROFILE: trt, NIM_MANIFEST_ALLOW_UNSAFE: '1', NIMLET_NGC_ENDPOINT: 'http://127.0.0.1:9' });
    expect(r.code).toBe(69);
    const id = profiles.find((p) => p.name === trt)!.id;
    expect(r.stderr).toBe(`nimlet: NIM_MODEL_PROFILE names ${id} (${trt}), which cannot run here: engine tensorrt_llm is not in this image; it has vllm\n`
      + "hint: run it with nimlet's tensorrt_llm image (built with ENGINE_IMAGE=nvcr.io/nvidia/tensorrt-llm/release:<tag>, see docs/container.md), or pin a profile of an engine this image has\n");
  });

  it('download-to-cache --profiles of another engine: 69; --all fetches only this image\'s engine', async () => {
    const sb = makeSandbox({ manifest: exampleYaml, engines: ['vllm'] });
    const env = { ...sb.env, NIMLET_ENGINES: 'vllm', NIMLET_NGC_ENDPOINT: 'http://127.0.0.1:9' };
    const pinned = await nimlet(['download-to-cache', '--profiles', trt], env);
    expect(pinned.code).toBe(69);
    expect(pinned.stderr).toContain('engine tensorrt_llm is not in this image; it has vllm');
    server.reset();
    const all = await nimlet(['download-to-cache', '--all'], { ...env, NIMLET_NGC_ENDPOINT: server.url, NGC_API_KEY: 'nvapi-test', NIMLET_RETRY_ATTEMPTS: '1' });
    expect(all.stderr).toContain('nimlet: note: 19 profile(s) skipped: engine tensorrt_llm is not in this image; it has vllm');
    const vllmPaths = profiles.filter((p) => p.engine === 'vllm').flatMap(registryPaths);
    const requested = server.requests().map((q) => q.path.split('?')[0]!);
    expect(requested.length).toBeGreaterThan(0);
    expect(requested.filter((p) => !vllmPaths.includes(p))).toEqual([]);
  });

  it('the text listing says which engines it found and how', async () => {
    const sb = makeSandbox({ manifest: exampleYaml, engines: ['vllm'] });
    const declared = await nimlet(['list-model-profiles'], { ...sb.env, NIMLET_ENGINES: 'vllm@0.11.2' });
    expect(declared.stdout).toContain('\n- Engines: vllm 0.11.2 (declared by NIMLET_ENGINES)\n');
    const detected = await nimlet(['list-model-profiles'], sb.env);
    expect(detected.stdout).toContain('\n- Engines: vllm (detected)\n');
  });

  it('detection: a NIMLET_*_CMD counts, and python3 answers for SGLang and the versions', async () => {
    const sb = makeSandbox({ manifest: exampleYaml, engines: ['vllm'] });
    // a stand-in python3 first on PATH: what the real one prints for an image with vLLM 0.11.2 and SGLang 0.5.3
    writeFileSync(path.join(sb.bin, 'python3'), '#!/bin/sh\necho \'{"versions": {"vllm": "0.11.2", "tensorrt_llm": null, "sglang": "0.5.3"}, "sglang": true}\'\n');
    chmodSync(path.join(sb.bin, 'python3'), 0o755);
    const both = await nimlet(['list-model-profiles'], sb.env);
    expect(both.stdout).toContain('\n- Engines: vllm 0.11.2, sglang 0.5.3 (detected)\n');
    const withCmd = await nimlet(['list-model-profiles'], { ...sb.env, NIMLET_TRTLLM_CMD: '/opt/trt/bin/trtllm-serve' });
    expect(withCmd.stdout).toContain('\n- Engines: tensorrt_llm, vllm 0.11.2, sglang 0.5.3 (detected)\n');
  });

  it.each([
    ['vllm,tgi', '"tgi" is no engine nimlet starts'],
    ['vllm@latest', '"latest" is no version of vllm'],
    ['vllm,,sglang', 'it has an empty item'],
    ['vllm,VLLM', 'vllm is named twice'],
  ])('NIMLET_ENGINES=%s: 78 naming the variable', async (value, why) => {
    const sb = makeSandbox({ manifest: exampleYaml, engines: ['vllm'] });
    const r = await nimlet(['select'], { ...sb.env, NIMLET_ENGINES: value });
    expect(r.code).toBe(78);
    expect(r.stderr.split('\n')[0]).toBe(`nimlet: NIMLET_ENGINES=${JSON.stringify(value)} is not valid: ${why}`);
  });
});
