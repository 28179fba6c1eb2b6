import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { computeProfileId } from '../../src/manifest/ids.js';
import { loadManifest, parseManifestText } from '../../src/manifest/load.js';
import { fixture } from './helpers.js';

const load = (name: string) => parseManifestText(readFileSync(fixture(name), 'utf8'), name);
const H = (c: string) => c.repeat(64);

describe('NIM 1.x layout', () => {
  const m = load('nim1-tagged.yaml');

  it('reads !workspace / !name and untagged workspaces into the normal form', () => {
    expect(m.layout).toBe('nim-1.x');
    expect(m.warnings).toEqual([]);
    expect(m.dir).toBe(path.dirname(path.resolve('nim1-tagged.yaml')));
    expect(m.profiles).toEqual([
      {
        id: H('1'),
        name: 'tensorrt_llm-h100_nvl-fp8-tp2-pp2-throughput',
        tags: { feat_lora: 'false', gpu: 'H100_NVL', gpu_device: '2321:10DE', llm_engine: 'tensorrt_llm', pp: '2', precision: 'fp8', profile: 'throughput', tp: '2' },
        engine: 'tensorrt_llm', precision: 'fp8', tp: 2, pp: 2, numberOfGpus: null, gpu: 'H100_NVL', gpuDevice: '2321:10de',
        optimization: 'throughput', lora: false,
        files: [
          { path: 'trtllm_engine/config.json', uri: 'ngc://example/team/model-8b:1.0-h100nvl?file=config.json', sha256: null, size: null, extract: false },
          { path: 'trtllm_engine/rank0.engine', uri: 'ngc://example/team/model-8b:1.0-h100nvl?file=rank0.engine', sha256: null, size: null, extract: false },
          { path: 'tokenizer.json', uri: 'ngc://example/model-8b:hf-abc123?file=tokenizer.json', sha256: null, size: null, extract: false },
        ],
        requirements: { minGpuMemoryMiB: null, minDriver: null, minComputeCapability: null },
        engineSettings: { args: [], env: {} },
        location: { file: 'nim1-tagged.yaml', line: 2 },
      },
      {
        id: H('2'),
        name: 'vllm-bf16-tp1-lora',
        tags: { feat_lora: 'true', feat_lora_max_rank: '32', llm_engine: 'vllm', precision: 'bf16', tp: '1' },
        engine: 'vllm', precision: 'bf16', tp: 1, pp: null, numberOfGpus: null, gpu: null, gpuDevice: null,
        optimization: null, lora: true,
        files: [
          { path: 'models/config.json', uri: 'hf://example/model-8b:main?file=config.json', sha256: null, size: null, extract: false },
          { path: 'models/model.safetensors', uri: 'hf://example/model-8b:main?file=model.safetensors', sha256: null, size: null, extract: false },
        ],
        requirements: { minGpuMemoryMiB: null, minDriver: null, minComputeCapability: null },
        engineSettings: { args: [], env: {} },
        location: { file: 'nim1-tagged.yaml', line: 28 },
      },
    ]);
  });

  it('loads non-LLM profiles with no engine and no files', () => {
    const n = load('nim1-non-llm.yaml');
    expect(n.profiles.map((p) => [p.id, p.name, p.engine, p.gpu, p.files.length])).toEqual([
      [H('3'), 'tensorrt-fp16-l4', null, 'L4', 0],
      [H('4'), 'onnx-fp16', null, null, 0],
    ]);
  });

  it('warns, with the line, about a repo_id it cannot fetch, and still loads', () => {
    const w = load('nim1-unversioned.yaml');
    expect(w.profiles).toHaveLength(1);
    expect(w.warnings).toEqual([
      `nim1-unversioned.yaml:11: ${H('5')}.workspace.components[0].src.repo_id: cannot be fetched: ngc:// source needs a version after ':' (ngc://org/model:version?file=path) in "ngc://nim/example/model-70b?file=config.json"`,
    ]);
  });
});

describe('schema 2 layout', () => {
  const m = load('schema2.yaml');

  it('reads files, requirements and engine settings, lower-cases ids and hashes, keeps criteria', () => {
    expect(m.layout).toBe('schema-2');
    expect(m.warnings).toEqual([]);
    expect(m.profileSelectionCriteria).toBe('default');
    const [a] = m.profiles;
    expect(a).toMatchObject({
      id: 'aaaabbbbccccddddeeeeffff0000111122223333444455556666777788889999',
      name: 'sglang-b200-fp8-tp4-latency',
      engine: 'sglang', tp: 4, pp: null, numberOfGpus: 4, gpu: 'B200', optimization: 'latency', lora: false,
      tags: { llm_engine: 'sglang', precision: 'fp8', tp: '4', number_of_gpus: '4', gpu: 'b200', profile: 'latency' },
      requirements: { minGpuMemoryMiB: 40960, minDriver: '550.90', minComputeCapability: '10.0' },
      engineSettings: { args: ['--max-running-requests', '16'], env: { SGLANG_FLAG: '1' } },
      location: { file: 'schema2.yaml', line: 4 },
    });
    expect(a?.files).toEqual([
      { path: 'config.json', uri: 'ngc://example/model:1.0?file=config.json', sha256: 'abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789', size: 1234, extract: false },
      { path: 'weights', uri: 'https://mirror.example/model/weights.tar.gz', sha256: null, size: null, extract: true },
      { path: 'local/notes.txt', uri: 'files/notes.txt', sha256: null, size: null, extract: false },
    ]);
  });

  it('computes the id of a profile written without one', () => {
    const b = m.profiles[1];
    expect(b?.id).toBe(computeProfileId({ llm_engine: 'vllm', precision: 'bf16', tp: '1' }, { 'config.json': { uri: 'hf://example/model:main?file=config.json' } }));
    expect(b?.location.line).toBe(24);
  });
});

describe('legacy list layout', () => {
  it('reads both entry forms, with any non-empty id', () => {
    const m = load('legacy-list.yaml');
    expect(m.layout).toBe('legacy-list');
    expect(m.profiles.map((p) => [p.id, p.name, p.engine, p.location.line, p.files])).toEqual([
      ['ExampleMol', 'pytorch-fp16', null, 3, [{ path: 'models/weights.ckpt', uri: 'ngc://nim/example/mol:1.3?file=weights.ckpt', sha256: null, size: null, extract: false }]],
      ['abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789', 'tensorrt-fp16-a100', null, 14, []],
    ]);
  });
});

describe('loadManifest', () => {
  it('reads a file and names it as given', async () => {
    const m = await loadManifest(fixture('nim1-non-llm.yaml'), 'shown.yaml');
    expect(m.file).toBe(fixture('nim1-non-llm.yaml'));
    expect(m.profiles[0]?.location).toEqual({ file: 'shown.yaml', line: 2 });
  });

  it.each([
    ['missing.yaml', 'no such file'],
    ['', 'it is a folder'],
  ])('%j is not-found (66): %s', async (name, why) => {
    const file = fixture(name);
    await expect(loadManifest(file)).rejects.toMatchObject({ code: 'not-found', exitCode: 66, message: `manifest ${file}: ${why}` });
  });
});
