// TensorRT-LLM's flags (`trtllm-serve`), each checked against tensorrt_llm/commands/serve.py of the releases nimlet
// supports (1.0–1.3): the inventory with file and line is test/fixtures/engines/tensorrt_llm.json.
// - Since 1.0 trtllm-serve defaults to the PyTorch backend (TensorRT-LLM #8223), which cannot load a built engine:
//   a NIM 1.x profile that ships one in trtllm_engine/ starts `trtllm-serve DIR/trtllm_engine --backend tensorrt
//   --tokenizer DIR` (the engine folder holds no tokenizer); a checkpoint gets `--backend pytorch`, said outright.
// - --served_model_name exists from 1.3 (PR #11711); older releases exit on it, so it is given only when the
//   version is known to be ≥ 1.3 and NIM_SERVED_MODEL_NAME asks for a name.
// - LoRA has no flag: --extra_llm_api_options names a YAML file of LLM API options whose `lora_config` holds
//   `lora_dir` and `max_lora_rank`; nimlet writes it as JSON, which is YAML.
// Precision is built into a TensorRT engine (or read from the checkpoint): no flag.
import path from 'node:path';
import { compareVersions } from '../select/version.js';
import { neededLoraRank } from './lora-rank.js';
import type { ArgGroup, EngineFlags, FlagInput, GeneratedFile } from './types.js';

export const TRTLLM_COMMAND = ['trtllm-serve'];

/** Where a NIM 1.x TensorRT-LLM profile keeps its built engine, inside the workspace. */
export const TRTLLM_ENGINE_DIR = 'trtllm_engine';

/** The first release whose trtllm-serve has --served_model_name. */
export const TRTLLM_SERVED_NAME_SINCE = '1.3';

function servedName(input: FlagInput): { groups: ArgGroup[]; notes: string[] } {
  if (!input.servedNameExplicit) return { groups: [], notes: [] };
  if (input.engineVersion !== null && compareVersions(input.engineVersion, TRTLLM_SERVED_NAME_SINCE) >= 0) {
    return { groups: [['--served_model_name', input.servedModelName]], notes: [] };
  }
  const known = input.engineVersion === null ? 'its version is unknown' : `this is ${input.engineVersion}`;
  return {
    groups: [],
    notes: [`NIM_SERVED_MODEL_NAME is not passed to trtllm-serve: --served_model_name exists from TensorRT-LLM ${TRTLLM_SERVED_NAME_SINCE} and ${known} (declare it as NIMLET_ENGINES=tensorrt_llm@VERSION)`],
  };
}

export function trtllmFlags(input: FlagInput): EngineFlags {
  const model = input.builtEngine
    ? [[path.join(input.modelDir, TRTLLM_ENGINE_DIR)], ['--backend', 'tensorrt'], ['--tokenizer', input.modelDir]] as ArgGroup[]
    : [[input.modelDir], ['--backend', 'pytorch']] as ArgGroup[];
  const name = servedName(input);
  const groups: ArgGroup[] = [
    ...model,
    ['--host', input.host],
    ['--port', String(input.port)],
    ['--tp_size', String(input.tp)],
    ['--pp_size', String(input.pp)],
    ...name.groups,
  ];
  if (input.maxModelLen !== null) groups.push(['--max_seq_len', String(input.maxModelLen)]);
  const files: GeneratedFile[] = [];
  if (input.lora) {
    const file = path.join(input.scratchDir, 'nimlet-trtllm-lora.yaml');
    const loraConfig: Record<string, unknown> = { lora_dir: input.lora.adapters.map((a) => a.path) };
    const rank = neededLoraRank(input.lora.maxRank, input.lora.adapters);
    if (rank !== null) loraConfig.max_lora_rank = rank;
    files.push({ path: file, content: JSON.stringify({ lora_config: loraConfig }, null, 2) + '\n' });
    groups.push(['--extra_llm_api_options', file]);
  }
  return { groups, files, notes: name.notes };
}
