import { describe, expect, it } from 'vitest';
import { compareRank, describeRank } from '../../src/select/rank.js';
import { profile } from './build.js';

const r = (tags: Record<string, string>, id?: string, tp?: number) => {
  const p = profile(tags, id === undefined ? {} : { id });
  return { profile: p, tp: tp ?? p.tp ?? 1 };
};

// Each row: a profile that must rank strictly before another that differs (only) in one key.
describe('compareRank: one key at a time', () => {
  const base = { llm_engine: 'vllm', precision: 'bf16', tp: '1' };
  it.each([
    ['hardware-specific before generic', { ...base, gpu: 'H100', gpu_device: '2330:10de' }, base],
    ['gpu tag alone is hardware-specific', { ...base, gpu: 'H100' }, base],
    ['tensorrt_llm before vllm', { ...base, llm_engine: 'tensorrt_llm' }, base],
    ['vllm before sglang', base, { ...base, llm_engine: 'sglang' }],
    ['tensorrt_llm before sglang', { ...base, llm_engine: 'tensorrt_llm' }, { ...base, llm_engine: 'sglang' }],
    ['nvfp4 before fp8', { ...base, precision: 'nvfp4' }, { ...base, precision: 'fp8' }],
    ['fp8 before int8', { ...base, precision: 'fp8' }, { ...base, precision: 'int8' }],
    ['int8 before int4_awq', { ...base, precision: 'int8' }, { ...base, precision: 'int4_awq' }],
    ['int4_awq before bf16', { ...base, precision: 'int4_awq' }, base],
    ['bf16 before fp16', base, { ...base, precision: 'fp16' }],
    ['fp16 before fp32', { ...base, precision: 'fp16' }, { ...base, precision: 'fp32' }],
    ['fp32 before an unknown precision', { ...base, precision: 'fp32' }, { ...base, precision: 'mxfp6' }],
    ['fp32 before no precision', { ...base, precision: 'fp32' }, { llm_engine: 'vllm', tp: '1' }],
    ['latency before throughput', { ...base, profile: 'latency' }, { ...base, profile: 'throughput' }],
    ['throughput before none', { ...base, profile: 'throughput' }, base],
    ['higher tp first', { ...base, tp: '2' }, base],
    ['tp 8 before tp 4', { ...base, tp: '8' }, { ...base, tp: '4' }],
    ['an earlier key outweighs all later ones', { ...base, gpu: 'H100', precision: 'fp16', tp: '1' }, { ...base, llm_engine: 'tensorrt_llm', precision: 'nvfp4', profile: 'latency', tp: '8' }],
    ['engine outweighs precision', { ...base, llm_engine: 'tensorrt_llm', precision: 'fp16' }, { ...base, precision: 'nvfp4' }],
    ['precision outweighs latency', { ...base, precision: 'fp8', profile: 'throughput' }, { ...base, profile: 'latency' }],
    ['latency outweighs tp', { ...base, profile: 'latency', tp: '1' }, { ...base, profile: 'throughput', tp: '8' }],
  ])('%s', (_, better, worse) => {
    expect(compareRank(r(better, 'b'.repeat(64)), r(worse, 'a'.repeat(64)))).toBeLessThan(0);
    expect(compareRank(r(worse, 'a'.repeat(64)), r(better, 'b'.repeat(64)))).toBeGreaterThan(0);
  });

  it('the id breaks a full tie, by code units', () => {
    expect(compareRank(r(base, 'a'.repeat(64)), r(base, 'b'.repeat(64)))).toBeLessThan(0);
    expect(compareRank(r(base, 'B'.repeat(64)), r(base, 'a'.repeat(64)))).toBeLessThan(0);
    expect(compareRank(r(base, 'a'.repeat(64)), r(base, 'a'.repeat(64)))).toBe(0);
  });

  it('uses the effective tp (NIM_TENSOR_PARALLEL_SIZE for a profile without a tp tag)', () => {
    const untagged = { llm_engine: 'vllm', precision: 'bf16' };
    expect(compareRank(r(untagged, 'b'.repeat(64), 4), r({ ...untagged, tp: '2' }, 'a'.repeat(64)))).toBeLessThan(0);
  });

  it('engine and precision compare case-insensitively', () => {
    expect(compareRank(r({ llm_engine: 'vllm', precision: 'FP8' }, 'b'.repeat(64)), r({ llm_engine: 'vllm', precision: 'bf16' }, 'a'.repeat(64)))).toBeLessThan(0);
  });
});

describe('describeRank', () => {
  it('names every key', () => {
    expect(describeRank(r({ llm_engine: 'tensorrt_llm', gpu: 'H100', gpu_device: '2330:10de', precision: 'fp8', profile: 'latency', tp: '2' })))
      .toBe('built for this GPU (2330:10de), engine tensorrt_llm, precision fp8, profile latency, tp 2');
    expect(describeRank(r({ llm_engine: 'vllm', precision: 'bf16', tp: '1' }))).toBe('generic (any GPU), engine vllm, precision bf16, no latency/throughput tag, tp 1');
  });
});
