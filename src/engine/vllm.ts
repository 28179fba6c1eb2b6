// vLLM's flags. Checked against the vLLM docs: `vllm serve` engine arguments
// (https://docs.vllm.ai/en/v0.8.5/serving/engine_args.html: --host, --port, --served-model-name,
// --tensor-parallel-size, --pipeline-parallel-size, --max-model-len) and LoRA serving
// (https://docs.vllm.ai/en/v0.8.5/features/lora.html: --enable-lora, --max-lora-rank, --lora-modules name=path …).
// Precision: vLLM reads a quantized checkpoint's `quantization_config` from its config.json, so an fp8 profile
// (pre-quantized weights, as NIM ships them) needs no --quantization; forcing one would re-quantize or be rejected.
import type { EngineFlags, FlagInput } from './types.js';

export const VLLM_COMMAND = ['vllm', 'serve'];

export function vllmFlags(input: FlagInput): EngineFlags {
  const args = [
    input.modelDir,
    '--host', input.host,
    '--port', String(input.port),
    '--served-model-name', input.servedModelName,
    '--tensor-parallel-size', String(input.tp),
    '--pipeline-parallel-size', String(input.pp),
  ];
  if (input.maxModelLen !== null) args.push('--max-model-len', String(input.maxModelLen));
  if (input.lora) {
    args.push('--enable-lora');
    if (input.lora.maxRank !== null) args.push('--max-lora-rank', String(input.lora.maxRank));
    // --lora-modules takes several name=path values after one flag
    if (input.lora.adapters.length > 0) args.push('--lora-modules', ...input.lora.adapters.map((a) => `${a.name}=${a.path}`));
  }
  return { args, files: [] };
}
