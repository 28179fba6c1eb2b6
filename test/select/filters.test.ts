import { describe, expect, it } from 'vitest';
import { checkComputeCapability } from '../../src/select/filters/compute-capability.js';
import { checkDriver } from '../../src/select/filters/driver.js';
import { checkEngine } from '../../src/select/filters/engine.js';
import { gpuMatchesProfile, matchHardware } from '../../src/select/filters/hardware.js';
import { placeOnPool } from '../../src/select/filters/memory.js';
import { wholeGpuPools } from '../../src/select/units.js';
import { compareVersions } from '../../src/select/version.js';
import { gpu, host, many, mig, profile } from './build.js';

describe('compareVersions', () => {
  it.each([
    ['8.9', '8.9', 0], ['9.0', '8.9', 1], ['8.6', '8.9', -1], ['10.0', '9.0', 1], ['12.0', '10.0', 1],
    ['565.57.01', '565.57.01', 0], ['565.57.01', '570', -1], ['570.86.10', '570', 1], ['570', '570.0.0', 0],
  ])('%s vs %s → %i', (a, b, sign) => expect(Math.sign(compareVersions(a, b))).toBe(sign));
});

describe('checkEngine', () => {
  it.each([
    [{ llm_engine: 'vllm' }, []],
    [{ llm_engine: 'tensorrt_llm' }, []],
    [{ llm_engine: 'sglang' }, []],
    [{ precision: 'fp16' }, ['llm_engine missing: not an LLM profile']],
    [{ backend: 'tensorrt', precision: 'fp16' }, ['llm_engine missing: not an LLM profile (backend: tensorrt)']],
  ])('%j → %j', (tags, reasons) => expect(checkEngine(profile(tags))).toEqual(reasons));
});

describe('checkDriver', () => {
  const p = (min: string | null) => profile({ llm_engine: 'vllm' }, { requirements: { minDriver: min } });
  it.each([
    [null, '565.57.01', []],
    [null, null, []],
    ['560', '565.57.01', []],
    ['565.57.01', '565.57.01', []],
    ['570', '565.57.01', ['needs driver ≥ 570 (requirements.min_driver); this host has 565.57.01']],
    ['570', null, ['needs driver ≥ 570 (requirements.min_driver); the driver version is unknown']],
  ])('min %s, driver %s → %j', (min, driver, reasons) => expect(checkDriver(p(min), driver)).toEqual(reasons));
});

describe('checkComputeCapability', () => {
  const units = (cc: string | null) => [{ gpuIndex: 0, uuid: 'GPU-0', label: 'GPU 0', computeCapability: cc, memoryFreeMiB: 1000 }];
  it.each([
    ['fp16', '7.5', null, []],
    ['fp16', '6.1', null, ['needs compute capability ≥ 7.0; GPU 0 has 6.1']],
    ['fp16', null, null, []],
    ['int8', '7.0', null, []],
    ['bf16', '8.0', null, []],
    ['bf16', '7.5', null, ['bf16 needs compute capability ≥ 8.0; GPU 0 has 7.5']],
    ['bf16', null, null, ["bf16 needs compute capability ≥ 8.0; GPU 0's is unknown"]],
    ['fp8', '8.9', null, []],
    ['fp8', '8.6', null, ['fp8 needs compute capability ≥ 8.9; GPU 0 has 8.6']],
    ['FP8', '8.6', null, ['fp8 needs compute capability ≥ 8.9; GPU 0 has 8.6']],
    ['fp8', null, null, ["fp8 needs compute capability ≥ 8.9; GPU 0's is unknown"]],
    ['nvfp4', '10.0', null, []],
    ['nvfp4', '12.0', null, []],
    ['nvfp4', '9.0', null, ['nvfp4 needs compute capability ≥ 10.0; GPU 0 has 9.0']],
    ['nvfp4', null, null, ["nvfp4 needs compute capability ≥ 10.0; GPU 0's is unknown"]],
    ['fp8', '6.1', null, ['needs compute capability ≥ 7.0; GPU 0 has 6.1', 'fp8 needs compute capability ≥ 8.9; GPU 0 has 6.1']],
    ['fp16', '8.0', '9.0', ['requirements.min_compute_capability needs compute capability ≥ 9.0; GPU 0 has 8.0']],
    ['fp16', null, '9.0', ["requirements.min_compute_capability needs compute capability ≥ 9.0; GPU 0's is unknown"]],
    ['fp16', '9.0', '9.0', []],
  ])('%s on %s (min %s) → %j', (precision, cc, min, reasons) => {
    const p = profile({ llm_engine: 'vllm', precision }, { requirements: { minComputeCapability: min } });
    expect(checkComputeCapability(p, units(cc))).toEqual(reasons);
  });
});

describe('gpuMatchesProfile', () => {
  const h100dev = profile({ llm_engine: 'tensorrt_llm', gpu: 'H100', gpu_device: '2330:10de' });
  const h100fam = profile({ llm_engine: 'tensorrt_llm', gpu: 'H100' });
  const l40s = profile({ llm_engine: 'tensorrt_llm', gpu: 'L40S', gpu_device: '26b9:10de' });
  const a10g = profile({ llm_engine: 'tensorrt_llm', gpu: 'A10G', gpu_device: '2237:10de' });
  const deviceOnly = profile({ llm_engine: 'tensorrt_llm', gpu_device: '2237:10de' });
  it.each([
    ['gpu_device equal', h100dev, gpu(0, 'H100'), true],
    ['gpu_device differs (H100 NVL is no H100 SXM)', h100dev, gpu(0, 'H100_NVL'), false],
    ['gpu_device wins over family', h100dev, gpu(0, 'H100', { pciDeviceId: '2331:10de' }), false],
    ['an L40 is no L40S', l40s, gpu(0, 'L40'), false],
    ['only gpu: family from the table', h100fam, gpu(0, 'H100', { pciDeviceId: '2331:10de' }), true],
    ['only gpu: family exact (H100_NVL is no H100)', h100fam, gpu(0, 'H100_NVL'), false],
    ['masked id: family from the name', a10g, gpu(0, 'A10G', { pciDeviceId: null }), true],
    ['masked id: other family', l40s, gpu(0, 'A10G', { pciDeviceId: null }), false],
    ['masked id, profile names only a device', deviceOnly, gpu(0, 'A10G', { pciDeviceId: null }), false],
    ['masked id, family unknown', a10g, gpu(0, 'A10G', { pciDeviceId: null, family: null }), false],
  ])('%s', (_, p, g, expected) => expect(gpuMatchesProfile(p, g)).toBe(expected));
});

describe('matchHardware', () => {
  const trt = (tags: Record<string, string>) => profile({ llm_engine: 'tensorrt_llm', gpu: 'H100', gpu_device: '2330:10de', ...tags });
  const generic = (tags: Record<string, string> = {}) => profile({ llm_engine: 'vllm', ...tags });
  const d = (count: number, tp = count, pp = 1) => ({ count, tp, pp });
  it.each([
    ['no GPU', trt({}), host([], { absentReason: 'nvidia-smi was not found on PATH' }), d(1), ['no GPU: nvidia-smi was not found on PATH']],
    ['no GPU, no reason given', generic(), host([]), d(1), ['no GPU: nvidia-smi lists none']],
    ['too few', trt({}), host([gpu(0, 'H100')]), d(2), ['needs 2 × 2330:10de (H100), found 1']],
    ['wrong model', trt({}), host(many('L40S', 2)), d(1), ['needs 1 × 2330:10de (H100), found 0; this host has 2 × 26b9:10de (NVIDIA L40S)']],
    ['MIG GPU is no whole GPU', trt({}), host([gpu(0, 'H100', { migEnabled: true, migDevices: [mig(0, '1g.10gb')] })]), d(1),
      ['GPU 0 is in MIG mode', 'needs 1 × 2330:10de (H100), found 0']],
    ['generic too few', generic(), host([gpu(0, 'H100')]), d(2), ['needs 2 GPUs of one model, found 1']],
    ['generic: two models do not add up', generic(), host([gpu(0, 'H100'), gpu(1, 'L40S')]), d(2), ['needs 2 GPUs of one model, found 1']],
    ['generic tp2 on MIG', generic(), host([gpu(0, 'H100', { migEnabled: true, migDevices: [mig(0, '3g.40gb'), mig(1, '3g.40gb')] })]), d(2),
      ['GPU 0 is in MIG mode: its MIG devices take only single-GPU profiles (tp 1, pp 1); this one needs tp 2 × pp 1', 'needs 2 GPUs of one model, found 0']],
    ['generic pp2 on MIG', generic(), host([gpu(0, 'H100', { migEnabled: true, migDevices: [mig(0, '3g.40gb'), mig(1, '3g.40gb')] })]), d(2, 1, 2),
      ['GPU 0 is in MIG mode: its MIG devices take only single-GPU profiles (tp 1, pp 1); this one needs tp 1 × pp 2', 'needs 2 GPUs of one model, found 0']],
    ['MIG without devices', generic(), host([gpu(0, 'H100', { migEnabled: true })]), d(1),
      ['GPU 0 is in MIG mode with no MIG devices', 'needs 1 GPU of one model, found 0']],
  ])('%s', (_, p, inventory, demand, reasons) => {
    const m = matchHardware(p, inventory, demand);
    expect(m.pools).toEqual([]);
    expect(m.reasons).toEqual(reasons);
  });

  it('pools whole GPUs by model, lowest index first, only those big enough', () => {
    const inv = host([gpu(0, 'L40S'), gpu(1, 'H100'), gpu(2, 'L40S'), gpu(3, 'H100'), gpu(4, 'T4')]);
    const m = matchHardware(generic(), inv, d(2));
    expect(m.reasons).toEqual([]);
    expect(m.pools.map((p) => [p.label, p.units.map((u) => u.gpuIndex)])).toEqual([
      ['26b9:10de (NVIDIA L40S)', [0, 2]],
      ['2330:10de (NVIDIA H100 80GB HBM3)', [1, 3]],
    ]);
  });

  it('MIG devices serve generic tp1 profiles, after whole GPUs, with the parent capability', () => {
    const inv = host([gpu(0, 'H100', { migEnabled: true, migDevices: [mig(1, '1g.10gb'), mig(0, '3g.40gb')] }), gpu(1, 'T4')]);
    const m = matchHardware(generic(), inv, d(1));
    expect(m.pools.map((p) => p.units.map((u) => [u.label, u.uuid, u.computeCapability, u.memoryFreeMiB]))).toEqual([
      [['GPU 1', 'GPU-T4-1', '7.5', 15359]],
      [['MIG device 0 (3g.40gb) of GPU 0', 'MIG-0-3g.40gb', '9.0', 40960], ['MIG device 1 (1g.10gb) of GPU 0', 'MIG-1-1g.10gb', '9.0', 10240]],
    ]);
  });

  it('a hardware-specific profile skips MIG GPUs but uses the whole ones of its model', () => {
    const inv = host([gpu(0, 'H100', { migEnabled: true, migDevices: [mig(0, '7g.80gb')] }), gpu(1, 'H100'), gpu(2, 'H100')]);
    const m = matchHardware(trt({}), inv, d(2));
    expect(m.pools.map((p) => p.units.map((u) => u.gpuIndex))).toEqual([[1, 2]]);
  });
});

describe('placeOnPool', () => {
  const p = (min: number | null) => profile({ llm_engine: 'vllm' }, { requirements: { minGpuMemoryMiB: min } });
  const pool = (free: (number | null)[]) => wholeGpuPools(free.map((f, i) => gpu(i, 'H100', { memoryFreeMiB: f })))[0]!;
  it.each([
    ['no requirement: lowest indices', null, [10, 20, 30], 2, [0, 1], []],
    ['enough everywhere', 40000, [81000, 81000], 2, [0, 1], []],
    ['skips a busy GPU', 40000, [1000, 81000, 81000], 2, [1, 2], []],
    ['unknown free memory is not held against it', 40000, [null], 1, [0], []],
    ['short', 40000, [1000], 1, [], ['needs 40000 MiB free on 1 GPU (requirements.min_gpu_memory_mib); GPU 0 has 1000 MiB free']],
    ['short on one of two', 40000, [1000, 81000], 2, [], ['needs 40000 MiB free on 2 GPUs (requirements.min_gpu_memory_mib); GPU 0 has 1000 MiB free']],
    ['many short', 40000, [1, 2, 3, 4, 5, 6], 1, [],
      ['needs 40000 MiB free on 1 GPU (requirements.min_gpu_memory_mib); GPU 0 has 1 MiB free, GPU 1 has 2 MiB free, GPU 2 has 3 MiB free, GPU 3 has 4 MiB free, 2 more']],
  ])('%s', (_, min, free, count, gpus, reasons) => {
    const placed = placeOnPool(p(min), pool(free), count);
    expect(placed.units.map((u) => u.gpuIndex)).toEqual(gpus);
    expect(placed.reasons).toEqual(reasons);
  });
});
