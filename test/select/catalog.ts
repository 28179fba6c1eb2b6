// A model's profiles the way NIM 1.x manifests tag them: hardware-specific TensorRT-LLM builds, then generic
// vLLM / SGLang ones and a LoRA one. Ids are fixed so tests can name them.
import type { Profile } from '../../src/manifest/types.js';
import { profile } from './build.js';

const trt = (gpu: string, device: string, precision: string, tp: string, opt: string) =>
  profile({ feat_lora: 'false', gpu, gpu_device: device, llm_engine: 'tensorrt_llm', pp: '1', precision, profile: opt, tp });
const generic = (engine: string, precision: string, tp: string, lora = false) =>
  profile({ feat_lora: String(lora), llm_engine: engine, pp: '1', precision, tp });

export const catalog: Profile[] = [
  trt('H100', '2330:10de', 'fp8', '1', 'latency'),
  trt('H100', '2330:10de', 'fp8', '2', 'latency'),
  trt('H100', '2330:10de', 'fp8', '8', 'throughput'),
  trt('H100', '2330:10de', 'bf16', '1', 'throughput'),
  trt('H100_NVL', '2321:10de', 'fp8', '2', 'throughput'),
  trt('L40S', '26b9:10de', 'fp8', '1', 'latency'),
  trt('A10G', '2237:10de', 'bf16', '1', 'throughput'),
  trt('B200', '2901:10de', 'nvfp4', '1', 'latency'),
  generic('vllm', 'fp8', '1'),
  generic('vllm', 'bf16', '1'),
  generic('vllm', 'bf16', '2'),
  generic('vllm', 'fp16', '1'),
  generic('vllm', 'bf16', '1', true),
  generic('sglang', 'bf16', '1'),
  generic('sglang', 'fp8', '1'),
];

export const byName = (name: string): Profile => {
  const p = catalog.find((x) => x.name === name);
  if (!p) throw new Error(`no ${name} in the catalog`);
  return p;
};
