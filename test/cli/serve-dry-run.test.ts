// `serve --dry-run --json` through the built CLI: each engine × (tp/pp, port, served name, max length, LoRA,
// profile args, passthrough, command override), asserting the exact argv and the environment changes.
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { workspaceKey } from '../../src/cache/layout.js';
import { nimlet } from '../support/cli.js';
import { manifestOf } from '../support/manifest.js';
import { makeModelFolder, makeSandbox } from '../support/sandbox.js';

const ID = 'c0ffee'.padEnd(64, '0');
const FILES = { 'config.json': { uri: 'hf://acme/Model-7B:main?file=config.json', size: 2 } };
const OFF = { HF_HUB_OFFLINE: '1' };
// the chosen GPUs as nvidia-smi indices, numbered in PCI bus order (DESIGN §8: GPU-… UUIDs crash vLLM)
const gpus = (n: number) => ({ CUDA_VISIBLE_DEVICES: Array.from({ length: n }, (_, i) => i).join(','), CUDA_DEVICE_ORDER: 'PCI_BUS_ID' });

interface Case {
  name: string;
  tags: Record<string, string>;
  engineSettings?: { args?: string[]; env?: Record<string, string> };
  env?: Record<string, string>;
  lora?: boolean;
  argv: (store: string, peft: string) => string[];
  changed: Record<string, string>;
  gpus: number[];
}

const V = 'vllm';
const T = 'tensorrt_llm';
const S = 'sglang';
const SG = ['python3', '-m', 'sglang.launch_server'];

const cases: Case[] = [
  // vLLM
  { name: 'vllm tp2', tags: { llm_engine: V, precision: 'bf16', tp: '2' }, gpus: [0, 1], changed: { ...gpus(2), ...OFF },
    argv: (d) => ['vllm', 'serve', d, '--host', '0.0.0.0', '--port', '8000', '--served-model-name', 'acme/Model-7B', '--tensor-parallel-size', '2', '--pipeline-parallel-size', '1'] },
  { name: 'vllm tp2 pp2, port, name, max len', tags: { llm_engine: V, precision: 'bf16', tp: '2', pp: '2' }, gpus: [0, 1, 2, 3], changed: { ...gpus(4), ...OFF },
    env: { NIM_SERVER_PORT: '9000', NIM_SERVED_MODEL_NAME: 'my-model', NIM_MAX_MODEL_LEN: '4096' },
    argv: (d) => ['vllm', 'serve', d, '--host', '0.0.0.0', '--port', '9000', '--served-model-name', 'my-model', '--tensor-parallel-size', '2', '--pipeline-parallel-size', '2', '--max-model-len', '4096'] },
  { name: 'vllm LoRA', tags: { llm_engine: V, precision: 'bf16', tp: '1', feat_lora: 'true', feat_lora_max_rank: '32' }, lora: true, gpus: [0], changed: { ...gpus(1), ...OFF },
    argv: (d, p) => ['vllm', 'serve', d, '--host', '0.0.0.0', '--port', '8000', '--served-model-name', 'acme/Model-7B', '--tensor-parallel-size', '1', '--pipeline-parallel-size', '1', '--enable-lora', '--max-lora-rank', '32', '--lora-modules', `sql=${p}/sql`, `summarize=${p}/summarize`] },
  { name: 'vllm profile args, env and passthrough', tags: { llm_engine: V, precision: 'bf16', tp: '1' }, gpus: [0],
    engineSettings: { args: ['--enforce-eager'], env: { VLLM_ATTENTION_BACKEND: 'FLASHINFER' } }, env: { NIM_PASSTHROUGH_ARGS: '--max-num-seqs 16' },
    changed: { ...gpus(1), ...OFF, VLLM_ATTENTION_BACKEND: 'FLASHINFER' },
    argv: (d) => ['vllm', 'serve', d, '--host', '0.0.0.0', '--port', '8000', '--served-model-name', 'acme/Model-7B', '--tensor-parallel-size', '1', '--pipeline-parallel-size', '1', '--enforce-eager', '--max-num-seqs', '16'] },
  { name: 'vllm command override', tags: { llm_engine: V, precision: 'bf16', tp: '1' }, gpus: [0], changed: { ...gpus(1), ...OFF },
    env: { NIMLET_VLLM_CMD: '/opt/vllm/bin/python -m vllm.entrypoints.cli.main serve' },
    argv: (d) => ['/opt/vllm/bin/python', '-m', 'vllm.entrypoints.cli.main', 'serve', d, '--host', '0.0.0.0', '--port', '8000', '--served-model-name', 'acme/Model-7B', '--tensor-parallel-size', '1', '--pipeline-parallel-size', '1'] },
  { name: 'vllm without a tp tag: NIM_TENSOR_PARALLEL_SIZE', tags: { llm_engine: V, precision: 'bf16' }, gpus: [0, 1], changed: { ...gpus(2), ...OFF },
    env: { NIM_TENSOR_PARALLEL_SIZE: '2' },
    argv: (d) => ['vllm', 'serve', d, '--host', '0.0.0.0', '--port', '8000', '--served-model-name', 'acme/Model-7B', '--tensor-parallel-size', '2', '--pipeline-parallel-size', '1'] },
  // TensorRT-LLM
  { name: 'trtllm tp4', tags: { llm_engine: T, precision: 'fp8', tp: '4', gpu: 'H100', gpu_device: '2330:10de', profile: 'latency' }, gpus: [0, 1, 2, 3], changed: { ...gpus(4), ...OFF },
    argv: (d) => ['trtllm-serve', d, '--backend', 'pytorch', '--host', '0.0.0.0', '--port', '8000', '--tp_size', '4', '--pp_size', '1'] },
  { name: 'trtllm tp2 pp2, port, name, max len', tags: { llm_engine: T, precision: 'fp8', tp: '2', pp: '2' }, gpus: [0, 1, 2, 3], changed: { ...gpus(4), ...OFF },
    env: { NIM_SERVER_PORT: '8080', NIM_SERVED_MODEL_NAME: 'served', NIM_MAX_MODEL_LEN: '16384', NIMLET_ENGINES: 'tensorrt_llm@1.3.0' },
    argv: (d) => ['trtllm-serve', d, '--backend', 'pytorch', '--host', '0.0.0.0', '--port', '8080', '--tp_size', '2', '--pp_size', '2', '--served_model_name', 'served', '--max_seq_len', '16384'] },
  { name: 'trtllm LoRA', tags: { llm_engine: T, precision: 'bf16', tp: '1', feat_lora: 'true', feat_lora_max_rank: '64' }, lora: true, gpus: [0], changed: { ...gpus(1), ...OFF },
    argv: (d) => ['trtllm-serve', d, '--backend', 'pytorch', '--host', '0.0.0.0', '--port', '8000', '--tp_size', '1', '--pp_size', '1', '--extra_llm_api_options', expect.stringMatching(/\/nimlet-\d+\/nimlet-trtllm-lora\.yaml$/) as unknown as string] },
  { name: 'trtllm profile args, env and passthrough', tags: { llm_engine: T, precision: 'bf16', tp: '1' }, gpus: [0],
    engineSettings: { args: ['--backend', 'pytorch'], env: { TLLM_LOG_LEVEL: 'INFO' } }, env: { NIM_PASSTHROUGH_ARGS: '--max_batch_size 32' },
    changed: { ...gpus(1), ...OFF, TLLM_LOG_LEVEL: 'INFO' },
    argv: (d) => ['trtllm-serve', d, '--host', '0.0.0.0', '--port', '8000', '--tp_size', '1', '--pp_size', '1', '--backend', 'pytorch', '--max_batch_size', '32'] },
  { name: 'trtllm command override', tags: { llm_engine: T, precision: 'bf16', tp: '1' }, gpus: [0], changed: { ...gpus(1), ...OFF },
    env: { NIMLET_TRTLLM_CMD: "mpirun --allow-run-as-root -n 1 'trtllm-serve'" },
    argv: (d) => ['mpirun', '--allow-run-as-root', '-n', '1', 'trtllm-serve', d, '--backend', 'pytorch', '--host', '0.0.0.0', '--port', '8000', '--tp_size', '1', '--pp_size', '1'] },
  // SGLang
  { name: 'sglang tp8', tags: { llm_engine: S, precision: 'bf16', tp: '8' }, gpus: [0, 1, 2, 3, 4, 5, 6, 7], changed: { ...gpus(8), ...OFF },
    argv: (d) => [...SG, '--model-path', d, '--host', '0.0.0.0', '--port', '8000', '--tp-size', '8', '--served-model-name', 'acme/Model-7B'] },
  { name: 'sglang tp2 pp2, port, name, max len', tags: { llm_engine: S, precision: 'bf16', tp: '2', pp: '2' }, gpus: [0, 1, 2, 3], changed: { ...gpus(4), ...OFF },
    env: { NIM_SERVER_PORT: '30000', NIM_SERVED_MODEL_NAME: 'sg', NIM_MAX_MODEL_LEN: '32768' },
    argv: (d) => [...SG, '--model-path', d, '--host', '0.0.0.0', '--port', '30000', '--tp-size', '2', '--pp-size', '2', '--served-model-name', 'sg', '--context-length', '32768'] },
  { name: 'sglang LoRA', tags: { llm_engine: S, precision: 'bf16', tp: '1', feat_lora: 'true', feat_lora_max_rank: '16' }, lora: true, gpus: [0], changed: { ...gpus(1), ...OFF },
    argv: (d, p) => [...SG, '--model-path', d, '--host', '0.0.0.0', '--port', '8000', '--tp-size', '1', '--served-model-name', 'acme/Model-7B', '--enable-lora', '--max-lora-rank', '16', '--lora-target-modules', 'all', '--lora-paths', `sql=${p}/sql`, `summarize=${p}/summarize`] },
  { name: 'sglang profile args, env and passthrough', tags: { llm_engine: S, precision: 'bf16', tp: '1' }, gpus: [0],
    engineSettings: { args: ['--mem-fraction-static', '0.8'], env: { SGLANG_X: '1' } }, env: { NIM_PASSTHROUGH_ARGS: '--mem-fraction-static 0.9' },
    changed: { ...gpus(1), ...OFF, SGLANG_X: '1' },
    argv: (d) => [...SG, '--model-path', d, '--host', '0.0.0.0', '--port', '8000', '--tp-size', '1', '--served-model-name', 'acme/Model-7B', '--mem-fraction-static', '0.8', '--mem-fraction-static', '0.9'] },
  { name: 'sglang command override', tags: { llm_engine: S, precision: 'bf16', tp: '1' }, gpus: [0], changed: { ...gpus(1), ...OFF },
    env: { NIMLET_SGLANG_CMD: '/venv/bin/python -m sglang.launch_server' },
    argv: (d) => ['/venv/bin/python', '-m', 'sglang.launch_server', '--model-path', d, '--host', '0.0.0.0', '--port', '8000', '--tp-size', '1', '--served-model-name', 'acme/Model-7B'] },
];

describe('serve --dry-run --json', () => {
  it.each(cases)('$name', async (c) => {
    const profile = { id: ID, tags: c.tags, workspace: { files: FILES }, ...(c.engineSettings ? { engine: c.engineSettings } : {}) };
    const sb = makeSandbox({ manifest: manifestOf([profile]) });
    const store = makeModelFolder(sb);
    const peft = path.join(sb.dir, 'loras');
    for (const a of ['summarize', 'sql']) mkdirSync(path.join(peft, a), { recursive: true });
    // the image has all three engines (sglang's launcher is not on this PATH for detection to find)
    const env = { ...sb.env, NIMLET_ENGINES: 'vllm,tensorrt_llm,sglang', NIM_MODEL_NAME: store, NGC_API_KEY: 'nvapi-NEVERSHOWN', HF_TOKEN: 'hf_NEVERSHOWN', ...(c.lora ? { NIM_PEFT_SOURCE: peft } : {}), ...c.env };
    const r = await nimlet(['serve', '--dry-run', '--json'], env);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(out).toEqual({
      profile: { id: ID, name: expect.any(String) as unknown, tags: c.tags },
      gpus: c.gpus,
      argv: c.argv(store, peft),
      env: c.changed,
      modelDir: store,
      download: { files: 0, bytes: 0, cached: 0, unknownSizeFiles: 0 },
    });
    expect(r.stdout).not.toContain('NEVERSHOWN');
  });

  it('from the cache: the workspace it would publish, and what it would download, with no network', async () => {
    const files = {
      'config.json': { uri: 'http://127.0.0.1:9/config.json', size: 2 },
      'model.safetensors': { uri: 'http://127.0.0.1:9/model.safetensors', size: 1000 },
    };
    const sb = makeSandbox({ manifest: manifestOf([{ id: ID, tags: { llm_engine: 'vllm', precision: 'bf16', tp: '1' }, workspace: { files } }]) });
    const r = await nimlet(['serve', '--dry-run', '--json'], sb.env);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { modelDir: string; download: unknown; argv: string[] };
    const key = workspaceKey({ tags: { llm_engine: 'vllm', precision: 'bf16', tp: '1' }, files: Object.entries(files).map(([p, f]) => ({ path: p, ...f, sha256: null, extract: false })) });
    expect(out.modelDir).toBe(path.join(sb.cache, 'profiles', key));
    expect(out.download).toEqual({ files: 2, bytes: 1002, cached: 0, unknownSizeFiles: 0 });
    // no model tag and no hf/ngc source: the served name is the model folder's name
    expect(out.argv.slice(2, 9)).toEqual([out.modelDir, '--host', '0.0.0.0', '--port', '8000', '--served-model-name', ID]);
  });

  it('a file of unknown size is counted apart, never as 0 bytes (JSON and text)', async () => {
    const files = {
      'config.json': { uri: 'http://127.0.0.1:9/config.json', size: 2 },
      'model.safetensors': { uri: 'http://127.0.0.1:9/model.safetensors' },
    };
    const sb = makeSandbox({ manifest: manifestOf([{ id: ID, tags: { llm_engine: 'vllm', precision: 'bf16', tp: '1' }, workspace: { files } }]) });
    const json = await nimlet(['serve', '--dry-run', '--json'], sb.env);
    expect((JSON.parse(json.stdout) as { download: unknown }).download).toEqual({ files: 2, bytes: 2, cached: 0, unknownSizeFiles: 1 });
    const text = await nimlet(['serve', '--dry-run'], sb.env);
    expect(text.stdout).toContain('download: 2 files, 0 cached, 2 bytes to fetch + 1 file(s) of unknown size\n');
  });

  // --dry-run fails exactly where the run would, with the same exit code and message, and writes nothing.
  const firstLine = (t: string) => t.split('\n')[0];
  it('downloads turned off with nothing cached: 66, as the run', async () => {
    const sb = makeSandbox({ manifest: manifestOf([{ id: ID, tags: { llm_engine: 'vllm', precision: 'bf16', tp: '1' }, workspace: { files: { 'config.json': { uri: 'http://127.0.0.1:9/config.json', size: 2 } } } }]) });
    const env = { ...sb.env, NIM_DISABLE_MODEL_DOWNLOAD: '1' };
    const dry = await nimlet(['serve', '--dry-run'], env);
    const run = await nimlet(['serve'], env);
    expect([dry.code, run.code]).toEqual([66, 66]);
    expect(firstLine(dry.stderr)).toBe(`nimlet: profile vllm-bf16-tp1 is not complete in the cache and downloads are turned off (1 file(s) missing)`);
    expect(firstLine(dry.stderr)).toBe(firstLine(run.stderr));
  });

  it('NIM_CACHE_PATH a file: 73, as the run, and the dry run writes nothing', async () => {
    const sb = makeSandbox({ manifest: manifestOf([{ id: ID, tags: { llm_engine: 'vllm', precision: 'bf16', tp: '1' }, workspace: { files: FILES } }]) });
    const file = path.join(sb.dir, 'a-file');
    writeFileSync(file, '');
    // HOME is the sandbox: its .cache/nimlet-private holds the per-user compiled manifest copy (DESIGN §15), which
    // any command may write; nothing else may appear
    const entries = () => readdirSync(sb.dir).filter((e) => e !== '.cache').sort();
    const before = entries();
    const dry = await nimlet(['serve', '--dry-run'], { ...sb.env, NIM_CACHE_PATH: file });
    expect(entries()).toEqual(before);
    const run = await nimlet(['serve'], { ...sb.env, NIM_CACHE_PATH: file });
    expect([dry.code, run.code]).toEqual([73, 73]);
    expect(firstLine(dry.stderr)).toBe(`nimlet: cache folder ${file} is not writable (ENOTDIR)`);
    expect(firstLine(dry.stderr)).toBe(firstLine(run.stderr));
  });

  it('text form on stdout, secrets redacted', async () => {
    const sb = makeSandbox({ manifest: manifestOf([{ id: ID, tags: { llm_engine: 'vllm', precision: 'bf16', tp: '1' }, workspace: { files: FILES } }]) });
    const store = makeModelFolder(sb);
    const r = await nimlet(['serve', '--dry-run'], { ...sb.env, NIM_MODEL_NAME: store, NIM_PASSTHROUGH_ARGS: '--api-key sk-1234' });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`command: vllm serve ${store} --host 0.0.0.0 --port 8000 --served-model-name acme/Model-7B --tensor-parallel-size 1 --pipeline-parallel-size 1 --api-key '***'\n`);
    expect(r.stdout).toContain('env: CUDA_DEVICE_ORDER=PCI_BUS_ID\nenv: CUDA_VISIBLE_DEVICES=0\n');
    expect(r.stdout).not.toContain('sk-1234');
  });

  it('NIM_MODEL_NAME naming no folder → 66', async () => {
    const sb = makeSandbox({ manifest: manifestOf([{ id: ID, tags: { llm_engine: 'vllm', precision: 'bf16', tp: '1' }, workspace: { files: FILES } }]) });
    const r = await nimlet(['serve', '--dry-run'], { ...sb.env, NIM_MODEL_NAME: path.join(sb.dir, 'nope') });
    expect(r.code).toBe(66);
    expect(r.stderr).toContain(`nimlet: NIM_MODEL_NAME="${path.join(sb.dir, 'nope')}" is not a folder`);
  });
});
