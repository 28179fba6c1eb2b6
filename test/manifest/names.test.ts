import { describe, expect, it } from 'vitest';
import { profileName } from '../../src/manifest/names.js';

const trt = { llm_engine: 'tensorrt_llm', pp: '1', feat_lora: 'false' };

describe('profileName', () => {
  it.each([
    [{ ...trt, gpu: 'H100', precision: 'fp8', tp: '1', profile: 'latency' }, 'tensorrt_llm-h100-fp8-tp1-latency'],
    [{ ...trt, gpu: 'H100_NVL', precision: 'fp8', tp: '2', profile: 'throughput' }, 'tensorrt_llm-h100_nvl-fp8-tp2-throughput'],
    [{ ...trt, gpu: 'A100', precision: 'bf16', tp: '4', pp: '2', profile: 'latency' }, 'tensorrt_llm-a100-bf16-tp4-pp2-latency'],
    [{ ...trt, gpu: 'L40S', precision: 'bf16', tp: '2', profile: 'throughput', feat_lora: 'true' }, 'tensorrt_llm-l40s-bf16-tp2-throughput-lora'],
    [{ llm_engine: 'vllm', precision: 'bf16', tp: '2', pp: '1' }, 'vllm-bf16-tp2'],
    [{ llm_engine: 'vllm', precision: 'bf16', tp: '1', feat_lora: 'true' }, 'vllm-bf16-tp1-lora'],
    [{ llm_engine: 'vllm', precision: 'fp16', tp: '1', feat_lora: 'True' }, 'vllm-fp16-tp1-lora'],
    [{ llm_engine: 'sglang', precision: 'fp8', tp: '8', pp: '2' }, 'sglang-fp8-tp8-pp2'],
    [{ llm_engine: 'vllm' }, 'vllm'],
    [{ llm_engine: 'vllm', precision: 'bf16', tp: '' }, 'vllm-bf16'],
    [{ backend: 'tensorrt', precision: 'fp16', gpu: 'A10G', key: 'NVIDIA-A10G_10.0.1_12' }, 'tensorrt-fp16-a10g'],
    [{ backend: 'onnx', precision: 'fp16' }, 'onnx-fp16'],
    [{ key: 'x' }, 'profile'],
  ])('%j → %s', (tags, name) => {
    expect(profileName(tags)).toBe(name);
  });
});
