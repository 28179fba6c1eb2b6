// TensorRT-LLM's flags. Checked against the trtllm-serve reference
// (https://nvidia.github.io/TensorRT-LLM/latest/commands/trtllm-serve.html and the 0.18 option list at
// https://nvidia.github.io/TensorRT-LLM/0.18.2/commands/trtllm-serve.html: MODEL, --host, --port, --tp_size,
// --pp_size, --max_seq_len; --served_model_name only in recent releases, so it is given only when
// NIM_SERVED_MODEL_NAME asks for it). trtllm-serve has no LoRA flags: LoRA goes through
// --extra_llm_api_options, a YAML file of LLM API options whose `lora_config` holds `lora_dir` and
// `max_lora_rank` (https://www.mintlify.com/NVIDIA/TensorRT-LLM/features/lora). nimlet writes that file as JSON,
// which is YAML. Precision is built into a TensorRT engine (or read from the checkpoint): no flag.
import path from 'node:path';
import type { EngineFlags, FlagInput } from './types.js';

export const TRTLLM_COMMAND = ['trtllm-serve'];

export function trtllmFlags(input: FlagInput): EngineFlags {
  const args = [
    input.modelDir,
    '--host', input.host,
    '--port', String(input.port),
    '--tp_size', String(input.tp),
    '--pp_size', String(input.pp),
  ];
  if (input.servedNameExplicit) args.push('--served_model_name', input.servedModelName);
  if (input.maxModelLen !== null) args.push('--max_seq_len', String(input.maxModelLen));
  const files = [];
  if (input.lora) {
    const file = path.join(input.scratchDir, 'nimlet-trtllm-lora.yaml');
    const loraConfig: Record<string, unknown> = { lora_dir: input.lora.adapters.map((a) => a.path) };
    if (input.lora.maxRank !== null) loraConfig.max_lora_rank = input.lora.maxRank;
    files.push({ path: file, content: JSON.stringify({ lora_config: loraConfig }, null, 2) + '\n' });
    args.push('--extra_llm_api_options', file);
  }
  return { args, files };
}
