import { describe, expect, it } from 'vitest';
import type { GpuInventory } from '../../src/gpu/types.js';
import { evaluateProfiles } from '../../src/select/evaluate.js';
import { selectProfile } from '../../src/select/select.js';
import { gpu, host, many, mig, profile, request } from './build.js';
import { byName, catalog } from './catalog.js';

// What each kind of machine runs, the way the conformance captures exercise it.
describe('selectProfile on typical machines', () => {
  it.each<[string, GpuInventory, string, number[]]>([
    ['1 × H100', host(many('H100', 1)), 'tensorrt_llm-h100-fp8-tp1-latency', [0]],
    ['8 × H100: latency beats throughput, then the higher tp', host(many('H100', 8)), 'tensorrt_llm-h100-fp8-tp2-latency', [0, 1]],
    ['2 × H100 NVL', host(many('H100_NVL', 2)), 'tensorrt_llm-h100_nvl-fp8-tp2-throughput', [0, 1]],
    ['1 × H100 NVL: its tp2 build needs two', host(many('H100_NVL', 1)), 'vllm-fp8-tp1', [0]],
    ['L40S', host(many('L40S', 1)), 'tensorrt_llm-l40s-fp8-tp1-latency', [0]],
    ['an L40 is no L40S: generic fp8 (8.9)', host(many('L40', 1)), 'vllm-fp8-tp1', [0]],
    ['masked A10G matched by its name', host([gpu(0, 'A10G', { pciDeviceId: null })]), 'tensorrt_llm-a10g-bf16-tp1-throughput', [0]],
    ['4 × A40 (8.6): no fp8, bf16 with the highest tp', host(many('A40', 4)), 'vllm-bf16-tp2', [0, 1]],
    ['T4 (7.5): fp16 only', host(many('T4', 1)), 'vllm-fp16-tp1', [0]],
    ['B200: nvfp4', host(many('B200', 1)), 'tensorrt_llm-b200-nvfp4-tp1-latency', [0]],
    ['H100 in MIG mode, one MIG device: vLLM runs there as device 0', host([gpu(0, 'H100', { migEnabled: true, migDevices: [mig(0, '3g.40gb')] })]), 'vllm-fp8-tp1', [0]],
    // DESIGN §8: vLLM on one MIG device of several still fits and ranks first; serve refuses it (launchBlocker)
    ['H100 in MIG mode, two MIG devices: vLLM still ranks first', host([gpu(0, 'H100', { migEnabled: true, migDevices: [mig(0, '3g.40gb'), mig(1, '1g.10gb')] })]), 'vllm-fp8-tp1', [0]],
    ['mixed host: the H100s for the H100 build, not GPU 0', host([gpu(0, 'T4'), gpu(1, 'H100'), gpu(2, 'H100')]), 'tensorrt_llm-h100-fp8-tp2-latency', [1, 2]],
    ['T4 then L40S: fp8 on the L40S, the pool that passes', host([gpu(0, 'T4'), gpu(1, 'L40')]), 'vllm-fp8-tp1', [1]],
    ['MIG GPU 0 and whole H100 1: the whole one', host([gpu(0, 'H100', { migEnabled: true, migDevices: [mig(0, '7g.80gb')] }), gpu(1, 'H100')]), 'tensorrt_llm-h100-fp8-tp1-latency', [1]],
  ])('%s → %s', (_, inventory, name, gpus) => {
    const s = selectProfile(catalog, inventory, request());
    expect(s.profile.name).toBe(name);
    expect(s.gpus).toEqual(gpus);
  });

  it('a MIG device: its MIG uuid for CUDA_VISIBLE_DEVICES', () => {
    const s = selectProfile(catalog, host([gpu(0, 'H100', { migEnabled: true, migDevices: [mig(0, '3g.40gb')] })]), request());
    expect(s.deviceUuids).toEqual(['MIG-0-3g.40gb']);
    expect(s.reasons[0]).toBe('runs on MIG device 0 (3g.40gb) of GPU 0: MIG devices of GPU 0 (NVIDIA H100 80GB HBM3)');
  });

  it('whole GPUs: their GPU uuids, and the reasons say where and why', () => {
    const s = selectProfile(catalog, host(many('H100', 8)), request());
    expect(s.deviceUuids).toEqual(['GPU-H100-0', 'GPU-H100-1']);
    expect(s.reasons).toEqual(['runs on GPUs 0, 1: 2 × 2330:10de (NVIDIA H100 80GB HBM3)', 'compute capability 9.0 (fp8 needs ≥ 8.9)']);
    expect(s.why).toEqual(['best of 10 eligible profiles: built for this GPU (2330:10de), engine tensorrt_llm, precision fp8, profile latency, tp 2']);
    expect(s.tp).toBe(2);
    expect(s.pp).toBe(1);
  });
});

describe('evaluateProfiles', () => {
  it('mixed host: short only of memory on the GPU that could run it is low-memory, whatever an older card beside it lacks', () => {
    const bf16 = profile({ llm_engine: 'vllm', precision: 'bf16', tp: '1' }, { requirements: { minGpuMemoryMiB: 20000 } });
    const nearlyFull = { memoryUsedMiB: 38000, memoryFreeMiB: 1500 };
    const alone = evaluateProfiles([bf16], host([gpu(0, 'A40', nearlyFull)]), request())[0]!;
    const mixed = evaluateProfiles([bf16], host([gpu(0, 'T4'), gpu(1, 'A40', nearlyFull)]), request())[0]!;
    expect(alone.status).toBe('low-memory');
    expect(mixed.status).toBe('low-memory');
    expect(mixed.reasons).toEqual(alone.reasons.map((r) => r.replaceAll('GPU 0', 'GPU 1')));
  });

  it('statuses and reasons on a T4', () => {
    const got = evaluateProfiles(catalog, host(many('T4', 1)), request());
    const row = (n: string) => got.find((e) => e.profile.name === n)!;
    expect(row('vllm-fp16-tp1')).toMatchObject({ status: 'runnable', gpus: [0] });
    expect(row('vllm-bf16-tp1')).toMatchObject({ status: 'incompatible', reasons: ['bf16 needs compute capability ≥ 8.0; GPU 0 has 7.5'], gpus: [] });
    expect(row('vllm-bf16-tp2').reasons).toEqual(['needs 2 GPUs of one model, found 1']);
    expect(row('tensorrt_llm-h100-fp8-tp1-latency').reasons).toEqual(['needs 1 × 2330:10de (H100), found 0; this host has 1 × 1eb8:10de (Tesla T4)']);
  });

  it('best first: runnable, then low-memory, then incompatible, each by rank', () => {
    const small = profile({ llm_engine: 'vllm', precision: 'fp16', tp: '1' }, { id: 'c'.repeat(64), requirements: { minGpuMemoryMiB: 100_000 } });
    const got = evaluateProfiles([...catalog, small], host(many('T4', 1)), request());
    expect(got.map((e) => e.status)).toEqual(['runnable', 'low-memory', ...Array(14).fill('incompatible')]);
    expect(got.slice(0, 2).map((e) => e.profile.id)).toEqual([byName('vllm-fp16-tp1').id, 'c'.repeat(64)]);
    expect(got[1]!.reasons).toEqual(['needs 100000 MiB free on 1 GPU (requirements.min_gpu_memory_mib); GPU 0 has 15359 MiB free']);
    // incompatible ones in rank order: hardware-specific first
    expect(got[2]!.profile.name).toBe('tensorrt_llm-b200-nvfp4-tp1-latency');
  });

  it('low memory on one pool, fit on another: runnable on the other', () => {
    const p = profile({ llm_engine: 'vllm', precision: 'fp16', tp: '1' }, { requirements: { minGpuMemoryMiB: 30_000 } });
    const [e] = evaluateProfiles([p], host([gpu(0, 'T4'), gpu(1, 'H100')]), request());
    expect(e).toMatchObject({ status: 'runnable', gpus: [1] });
  });

  it('capability failure and low memory together: incompatible, every reason', () => {
    const p = profile({ llm_engine: 'vllm', precision: 'bf16', tp: '1' }, { requirements: { minGpuMemoryMiB: 30_000 } });
    const [e] = evaluateProfiles([p], host([gpu(0, 'T4')]), request());
    expect(e).toMatchObject({ status: 'incompatible', reasons: ['bf16 needs compute capability ≥ 8.0; GPU 0 has 7.5'] });
  });

  it('a driver too old makes a fitting profile incompatible', () => {
    const p = profile({ llm_engine: 'vllm', precision: 'fp16', tp: '1' }, { requirements: { minDriver: '570' } });
    const [e] = evaluateProfiles([p], host([gpu(0, 'T4')]), request());
    expect(e).toMatchObject({ status: 'incompatible', reasons: ['needs driver ≥ 570 (requirements.min_driver); this host has 565.57.01'] });
  });

  it('a non-LLM profile is incompatible, with every other reason too', () => {
    const p = profile({ backend: 'triton', precision: 'fp16' });
    const [e] = evaluateProfiles([p], host([], { absentReason: 'NVIDIA_VISIBLE_DEVICES=none hides every GPU' }), request());
    expect(e!.reasons).toEqual(['llm_engine missing: not an LLM profile (backend: triton)', 'no GPU: NVIDIA_VISIBLE_DEVICES=none hides every GPU']);
  });

  it('NIM_TENSOR_PARALLEL_SIZE sets tp only for profiles without a tp tag', () => {
    const untagged = profile({ llm_engine: 'vllm', precision: 'bf16' });
    const tagged = profile({ llm_engine: 'vllm', precision: 'bf16', tp: '1' });
    const got = evaluateProfiles([untagged, tagged], host(many('H100', 4)), request({ tensorParallelSize: 4 }));
    expect(got.map((e) => [e.profile.tags.tp ?? null, e.tp, e.gpus])).toEqual([[null, 4, [0, 1, 2, 3]], ['1', 1, [0]]]);
  });

  it('number_of_gpus is the count when given', () => {
    const p = profile({ llm_engine: 'vllm', precision: 'bf16', tp: '1', number_of_gpus: '2' });
    expect(evaluateProfiles([p], host(many('H100', 4)), request())[0]!.gpus).toEqual([0, 1]);
    expect(evaluateProfiles([p], host(many('H100', 1)), request())[0]!.reasons).toEqual(['needs 2 GPUs of one model, found 1']);
  });

  it('pp counts: tp 2 × pp 2 needs four', () => {
    const p = profile({ llm_engine: 'vllm', precision: 'bf16', tp: '2', pp: '2' });
    expect(evaluateProfiles([p], host(many('H100', 4)), request())[0]!.gpus).toEqual([0, 1, 2, 3]);
    expect(evaluateProfiles([p], host(many('H100', 3)), request())[0]!.reasons).toEqual(['needs 4 GPUs of one model, found 3', 'across nodes it fits: 2 nodes × 2 GPUs, with NIM_MULTI_NODE=1 (docs/multi-node.md)']);
  });

  it('the MIG GPU with no MIG devices offers nothing', () => {
    const got = evaluateProfiles(catalog, host([gpu(0, 'H100', { migEnabled: true })]), request());
    expect(got.every((e) => e.status === 'incompatible')).toBe(true);
    expect(got.find((e) => e.profile.name === 'vllm-fp16-tp1')!.reasons).toEqual(['GPU 0 is in MIG mode with no MIG devices', 'needs 1 GPU of one model, found 0']);
    expect(got.find((e) => e.profile.name === 'tensorrt_llm-h100-fp8-tp1-latency')!.reasons).toEqual(['GPU 0 is in MIG mode', 'needs 1 × 2330:10de (H100), found 0']);
  });

  it('a MIG device may be too small for a memory requirement', () => {
    const p = profile({ llm_engine: 'sglang', precision: 'fp8', tp: '1' }, { requirements: { minGpuMemoryMiB: 20_000 } });
    const inv = host([gpu(0, 'H100', { migEnabled: true, migDevices: [mig(0, '1g.10gb'), mig(1, '3g.40gb')] })]);
    expect(evaluateProfiles([p], inv, request())[0]).toMatchObject({ status: 'runnable', deviceUuids: ['MIG-1-3g.40gb'], cudaDevices: ['MIG-1-3g.40gb'] });
  });
});

// DESIGN §8: what CUDA_VISIBLE_DEVICES gets, decided with the selection.
describe('cudaDevices', () => {
  const twoMig = host([gpu(0, 'H100', { migEnabled: true, migDevices: [mig(0, '3g.40gb'), mig(1, '1g.10gb')] })]);

  it('whole GPUs: nvidia-smi indices, the chosen model\'s lowest, never UUIDs', () => {
    const s = selectProfile(catalog, host([gpu(0, 'T4'), gpu(1, 'H100'), gpu(2, 'H100')]), request());
    expect([s.gpus, s.cudaDevices]).toEqual([[1, 2], ['1', '2']]);
  });

  it.each([['sglang'], ['tensorrt_llm']])('%s on a MIG device: its MIG- UUID', (engine) => {
    const p = profile({ llm_engine: engine, precision: 'bf16', tp: '1' });
    expect(evaluateProfiles([p], twoMig, request())[0]).toMatchObject({ status: 'runnable', cudaDevices: ['MIG-0-3g.40gb'] });
  });

  it('vLLM on one MIG device of several: runnable for the ranking, with a launch blocker saying how to expose only that one', () => {
    const p = profile({ llm_engine: 'vllm', precision: 'bf16', tp: '1' });
    const e = evaluateProfiles([p], twoMig, request())[0]!;
    const blocker = 'vLLM cannot be pinned to one MIG device (MIG device 0 (3g.40gb) of GPU 0) of several: it reads CUDA_VISIBLE_DEVICES as indices (vllm #41848); '
      + 'expose only that device to the container (docker run --gpus \'"device=MIG-0-3g.40gb"\', or NVIDIA_VISIBLE_DEVICES=MIG-0-3g.40gb) and it runs there as device 0';
    expect([e.status, e.cudaDevices, e.launchBlocker]).toEqual(['runnable', ['0'], blocker]);
    expect(e.reasons.at(-1)).toBe(blocker);
    // SGLang takes the MIG- UUID: nothing blocks it
    expect(evaluateProfiles([profile({ llm_engine: 'sglang', precision: 'bf16', tp: '1' })], twoMig, request())[0]!.launchBlocker).toBeUndefined();
  });

  it('vLLM where the container exposes only the chosen MIG device: index 0', () => {
    const p = profile({ llm_engine: 'vllm', precision: 'bf16', tp: '1' });
    const one = host([gpu(0, 'H100', { migEnabled: true, migDevices: [mig(1, '1g.10gb')] })]);
    expect(evaluateProfiles([p], one, request())[0]).toMatchObject({ status: 'runnable', deviceUuids: ['MIG-1-1g.10gb'], cudaDevices: ['0'] });
  });
});

describe('engines present (DESIGN §8)', () => {
  const vllmOnly = { found: ['vllm'] as const, versions: {}, source: 'NIMLET_ENGINES' as const };

  it('a profile of an absent engine is incompatible with the reason; the best present one is chosen', () => {
    const got = evaluateProfiles(catalog, host(many('H100', 8)), request({ engines: vllmOnly }));
    for (const e of got.filter((x) => x.profile.engine !== 'vllm' && x.profile.engine !== null)) {
      expect(e.status).toBe('incompatible');
      expect(e.reasons[0]).toBe(`engine ${e.profile.engine} is not in this image; it has vllm`);
    }
    expect(selectProfile(catalog, host(many('H100', 8)), request({ engines: vllmOnly })).profile.name).toBe('vllm-fp8-tp1');
  });

  it('no engine found at all (a laptop): every profile judged as if its engine were there', () => {
    const none = { found: [] as const, versions: {}, source: 'detected' as const };
    expect(selectProfile(catalog, host(many('H100', 8)), request({ engines: none })).profile.name).toBe('tensorrt_llm-h100-fp8-tp2-latency');
  });

  it.each([[false], [true]])('a pin of an absent engine: 69 naming the image to use (NIM_MANIFEST_ALLOW_UNSAFE=%s)', (allowUnsafe) => {
    const pin = 'tensorrt_llm-h100-fp8-tp1-latency';
    expect(() => selectProfile(catalog, host(many('H100', 8)), request({ engines: vllmOnly, pin, allowUnsafe }))).toThrow(expect.objectContaining({
      exitCode: 69,
      message: expect.stringContaining('which cannot run here: engine tensorrt_llm is not in this image; it has vllm') as unknown,
      hint: expect.stringContaining('ENGINE_IMAGE=nvcr.io/nvidia/tensorrt-llm/release') as unknown,
    }));
  });
});
