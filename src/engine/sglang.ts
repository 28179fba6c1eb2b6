// SGLang's flags. Checked against SGLang's server arguments page
// (https://docs.sglang.io/advanced_features/server_arguments.html: --model-path, --host, --port, --tp-size,
// --served-model-name, --context-length; pipeline parallelism is --pp-size) and LoRA serving
// (https://docs.sglang.io/advanced_features/lora.html: --enable-lora, --max-lora-rank, --lora-paths name=path …).
// --pp-size is given only when pp > 1: releases before pipeline parallelism reject the flag, and 1 is the default.
// Precision: SGLang reads the checkpoint's quantization config itself, like vLLM.
import type { EngineFlags, FlagInput } from './types.js';

export const SGLANG_COMMAND = ['python3', '-m', 'sglang.launch_server'];

export function sglangFlags(input: FlagInput): EngineFlags {
  const args = [
    '--model-path', input.modelDir,
    '--host', input.host,
    '--port', String(input.port),
    '--tp-size', String(input.tp),
  ];
  if (input.pp > 1) args.push('--pp-size', String(input.pp));
  args.push('--served-model-name', input.servedModelName);
  if (input.maxModelLen !== null) args.push('--context-length', String(input.maxModelLen));
  if (input.lora) {
    args.push('--enable-lora');
    if (input.lora.maxRank !== null) args.push('--max-lora-rank', String(input.lora.maxRank));
    if (input.lora.adapters.length > 0) args.push('--lora-paths', ...input.lora.adapters.map((a) => `${a.name}=${a.path}`));
  }
  return { args, files: [] };
}
