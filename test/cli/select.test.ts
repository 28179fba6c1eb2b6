// `nimlet select` through the built CLI: the JSON shape, the text, LoRA, MIG, and exit 69 when nothing runs.
import { describe, expect, it } from 'vitest';
import { ids, MANIFEST, runCli } from '../support/select-fixtures.js';

const select = (extra: string[] = []) => ['select', '--manifest', MANIFEST, ...extra];

describe('select --json', () => {
  it('8 × H100: the tp2 latency build on GPUs 0 and 1', async () => {
    const r = await runCli(select(['--json']), { machine: 'h100-x8-gpu3-busy' });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      id: ids.h100Fp8Tp2,
      name: 'tensorrt_llm-h100-fp8-tp2-latency',
      tags: { llm_engine: 'tensorrt_llm', gpu: 'H100', gpu_device: '2330:10de', precision: 'fp8', tp: '2', pp: '1', profile: 'latency', feat_lora: 'false' },
      gpus: [0, 1],
      deviceUuids: ['GPU-a1b2c3d4-0000-4e5f-8a9b-000000000000', 'GPU-a1b2c3d4-0001-4e5f-8a9b-000000000001'],
      cudaDevices: ['0', '1'],
      status: 'runnable',
      tp: 2,
      pp: 1,
      reasons: [
        'best of 6 eligible profiles: built for this GPU (2330:10de), engine tensorrt_llm, precision fp8, profile latency, tp 2',
        'runs on GPUs 0, 1: 2 × 2330:10de (NVIDIA H100 80GB HBM3)',
        'compute capability 9.0 (fp8 needs ≥ 8.9)',
      ],
    });
  });

  it('CUDA_VISIBLE_DEVICES=2,3: GPUs 2 and 3', async () => {
    const r = await runCli(select(['--json']), { machine: 'h100-x8-gpu3-busy', env: { CUDA_VISIBLE_DEVICES: '2,3' } });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ id: ids.h100Fp8Tp2, gpus: [2, 3] });
  });

  it('MIG: a generic tp1 profile on the first MIG device; vLLM still ranks first, its reasons say it cannot be pinned there', async () => {
    const r = await runCli(select(['--json']), { machine: 'h100-mig-x1' });
    expect(r.code).toBe(0);
    const mig = 'MIG-c0ffee00-0000-5a6b-8c9d-000000000000';
    const out = JSON.parse(r.stdout) as { reasons: string[] };
    expect(out).toMatchObject({ id: ids.vllmFp8Tp1, gpus: [0], deviceUuids: [mig], cudaDevices: ['0'] });
    expect(out.reasons.at(-1)).toContain(`vLLM cannot be pinned to one MIG device (MIG device 0 (3g.40gb) of GPU 0) of several`);
  });

  it('MIG: with NIMLET_ENGINES=sglang the SGLang profile gets the MIG- UUID', async () => {
    const r = await runCli(select(['--json']), { machine: 'h100-mig-x1', env: { NIMLET_ENGINES: 'sglang' } });
    expect(r.code).toBe(0);
    const mig = 'MIG-c0ffee00-0000-5a6b-8c9d-000000000000';
    expect(JSON.parse(r.stdout)).toMatchObject({ gpus: [0], deviceUuids: [mig], cudaDevices: [mig] });
  });

  it('NIM_PEFT_SOURCE: only LoRA profiles', async () => {
    const r = await runCli(select(['--json']), { machine: 'h100-x1', env: { NIM_PEFT_SOURCE: '/loras' } });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ id: ids.h100Bf16Lora, name: 'tensorrt_llm-h100-bf16-tp1-throughput-lora' });
  });

  it('nothing runnable: exit 69, every profile with its reason', async () => {
    const r = await runCli(select(['--json']), { machine: 'p400-x1' });
    expect(r.code).toBe(69);
    expect(r.stdout).toBe('');
    const err = JSON.parse(r.stderr) as { error: string; message: string; details: string[] };
    expect(err.error).toBe('no-runnable-profile');
    expect(err.message).toBe("no profile of the manifest's 14 can run on this machine");
    expect(err.details).toHaveLength(14);
    expect(err.details).toContain(`${ids.vllmBf16Tp1} (vllm-bf16-tp1): needs compute capability ≥ 7.0; GPU 0 has 6.1; bf16 needs compute capability ≥ 8.0; GPU 0 has 6.1`);
  });

  it('no nvidia-smi: exit 69 (strict probe)', async () => {
    const r = await runCli(select(['--json']), { machine: null });
    expect(r.code).toBe(69);
    expect(JSON.parse(r.stderr)).toMatchObject({ error: 'no-gpu' });
  });

  it('a missing manifest: exit 66', async () => {
    const r = await runCli(['select', '--manifest', 'nope.yaml', '--json'], { machine: 'h100-x1' });
    expect(r.code).toBe(66);
  });
});

describe('select (text)', () => {
  it('the id (name), the GPUs, why', async () => {
    const r = await runCli(select(), { machine: 'h100-x1' });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe([
      `Selected profile: ${ids.h100Fp8Tp1} (tensorrt_llm-h100-fp8-tp1-latency)`,
      'GPUs: 0 (CUDA_VISIBLE_DEVICES=0)',
      'Why:',
      '  - best of 4 eligible profiles: built for this GPU (2330:10de), engine tensorrt_llm, precision fp8, profile latency, tp 1',
      '  - runs on GPU 0: 2330:10de (NVIDIA H100 80GB HBM3)',
      '  - compute capability 9.0 (fp8 needs ≥ 8.9)',
      '',
    ].join('\n'));
  });

  it('--explain adds every other profile and its reason', async () => {
    const r = await runCli(select(['--explain']), { machine: 'h100-x1' });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Other profiles (13):\n');
    expect(r.stdout).toContain(`  - ${ids.h100Fp8Tp2} (tensorrt_llm-h100-fp8-tp2-latency): needs 2 × 2330:10de (H100), found 1\n`);
    expect(r.stdout).toContain(`  - ${ids.vllmBf16Lora} (vllm-bf16-tp1-lora): LoRA profile: chosen only when NIM_PEFT_SOURCE is set\n`);
  });

  it('nothing runnable: exit 69, every profile listed on stderr', async () => {
    const r = await runCli(select(), { machine: 'p400-x1' });
    expect(r.code).toBe(69);
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines[0]).toBe("nimlet: no profile of the manifest's 14 can run on this machine");
    expect(lines.filter((l) => /^ {2}[0-9a-f]{64} \(/.test(l))).toHaveLength(14);
    expect(lines.at(-1)).toBe('hint: see `nimlet list-model-profiles --explain`; to force one, set NIM_MODEL_PROFILE and NIM_MANIFEST_ALLOW_UNSAFE=1');
  });
});
