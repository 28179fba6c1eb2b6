// Profiles built from a checkpoint (issue 16 item 2): precision from config.json, tp from the attention heads,
// stable ids, and the schema-2 text that loads back into the same profiles.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadManifest } from '../../src/manifest/load.js';
import type { Checkpoint } from '../../src/model-source/checkpoint.js';
import { engineLoads, parseHfModelUri } from '../../src/model-source/checkpoint.js';
import { checkpointManifest, checkpointManifestText, tpChoices } from '../../src/model-source/generate.js';
import { checkpointPrecision } from '../../src/model-source/model-config.js';
import { LLAMA_8B_CONFIG } from '../fixtures/servers/hub-repo.js';

const C = 'a'.repeat(40);
const checkpoint = (config: Record<string, unknown> = LLAMA_8B_CONFIG): Checkpoint => ({
  repo: 'acme/Llama-8B', revision: 'main', commit: C, localDir: null, config,
  files: [
    { path: 'config.json', size: 900, sha256: null, gitBlob: 'b'.repeat(40), uri: `hf://acme/Llama-8B:${C}?file=config.json` },
    { path: 'model-00001-of-00001.safetensors', size: 16_060_556_376, sha256: 'c'.repeat(64), gitBlob: null, uri: `hf://acme/Llama-8B:${C}?file=model-00001-of-00001.safetensors` },
  ],
});

describe('checkpoint precision', () => {
  it.each([
    [{ torch_dtype: 'bfloat16' }, 'bf16'],
    [{ torch_dtype: 'float16' }, 'fp16'],
    [{ torch_dtype: 'float32' }, 'fp32'],
    [{ torch_dtype: 'bfloat16', quantization_config: { quant_method: 'fp8', activation_scheme: 'dynamic' } }, 'fp8'],
    [{ torch_dtype: 'float16', quantization_config: { quant_method: 'awq', bits: 4, group_size: 128 } }, 'int4_awq'],
    [{ torch_dtype: 'float16', quantization_config: { quant_method: 'gptq', bits: 4 } }, 'int4_gptq'],
    [{ torch_dtype: 'bfloat16', quantization_config: { quant_method: 'modelopt', quant_algo: 'NVFP4' } }, 'nvfp4'],
    [{ torch_dtype: 'bfloat16', quantization_config: { quant_method: 'modelopt', quant_algo: 'FP8' } }, 'fp8'],
  ])('%j → %s', (config, want) => expect(checkpointPrecision(config)).toBe(want));
});

describe('generated profiles', () => {
  it('tp: powers of two up to 8 that divide the attention heads', () => {
    expect(tpChoices(32)).toEqual([1, 2, 4, 8]);
    expect(tpChoices(14)).toEqual([1, 2]);
    expect(tpChoices(25)).toEqual([1]);
  });

  it('each engine × tp, named as §4, with ids stable across runs and the model shape from config.json', () => {
    const m = checkpointManifest(checkpoint());
    expect(m.profiles.map((p) => p.name)).toEqual(['tensorrt_llm', 'vllm', 'sglang'].flatMap((e) => [1, 2, 4, 8].map((tp) => `${e}-bf16-tp${tp}`)));
    expect(checkpointManifest(checkpoint()).profiles.map((p) => p.id)).toEqual(m.profiles.map((p) => p.id));
    expect(new Set(m.profiles.map((p) => p.id)).size).toBe(12);
    expect(m.profiles[0]!.model).toEqual({ weightBytes: 16_060_556_376, layers: 32, attentionHeads: 32, kvHeads: 8, headDim: 128, kvBytesPerValue: 2, maxContext: 131_072 });
    expect(m.profiles[0]!.tags).toMatchObject({ model: 'acme/Llama-8B', commit: C });
  });

  it('the schema-2 text loads back into the same ids, names and model shapes', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'nimlet-generate-'));
    try {
      const file = path.join(dir, 'm.yaml');
      await writeFile(file, checkpointManifestText(checkpoint()));
      const loaded = await loadManifest(file, file);
      const built = checkpointManifest(checkpoint());
      expect(loaded.profiles.map((p) => [p.id, p.name, p.model])).toEqual(built.profiles.map((p) => [p.id, p.name, p.model]));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('a config without heads is 65 with a hint', () => {
    expect(() => checkpointManifest(checkpoint({ model_type: 'bert' }))).toThrow(/num_attention_heads/);
  });
});

describe('sources', () => {
  it('hf://org/model[:revision]', () => {
    expect(parseHfModelUri('hf://acme/M', 'X')).toEqual({ org: 'acme', name: 'M', revision: 'main' });
    expect(parseHfModelUri('hf://acme/M:v1.0', 'X')).toEqual({ org: 'acme', name: 'M', revision: 'v1.0' });
    for (const bad of ['hf://acme', 'hf://a/b/c', 'hf://acme/M:', 'hf://acme/M:../x', 'hf://../M']) expect(() => parseHfModelUri(bad, 'X')).toThrow(/X=/);
  });

  it('only what engines load', () => {
    expect(['model-00001-of-00004.safetensors', 'model.safetensors.index.json', 'config.json', 'tokenizer.json', 'tokenizer_config.json', 'chat_template.jinja', 'generation_config.json']
      .every(engineLoads)).toBe(true);
    expect(['README.md', 'original/consolidated.00.pth', 'pytorch_model.bin', '.gitattributes', 'sub/model.safetensors'].some(engineLoads)).toBe(false);
  });
});
