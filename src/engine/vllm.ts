// vLLM's flags (`vllm serve`), each checked against vLLM's own parser for the releases nimlet supports (≥ 0.11):
// the inventory with file and line is test/fixtures/engines/vllm.json, and test/engine/inventory.test.ts holds every
// argv built here to it. Precision: vLLM reads a quantized checkpoint's `quantization_config` from its config.json,
// so an fp8 profile (pre-quantized weights, as NIM ships them) needs no --quantization.
import { neededLoraRank, vllmLoraRank } from './lora-rank.js';
import type { ArgGroup, EngineFlags, FlagInput } from './types.js';

export const VLLM_COMMAND = ['vllm', 'serve'];

export function vllmFlags(input: FlagInput): EngineFlags {
  const groups: ArgGroup[] = [
    [input.modelDir],
    ['--host', input.host],
    ['--port', String(input.port)],
    ['--served-model-name', input.servedModelName],
    ['--tensor-parallel-size', String(input.tp)],
    ['--pipeline-parallel-size', String(input.pp)],
  ];
  if (input.maxModelLen !== null) groups.push(['--max-model-len', String(input.maxModelLen)]);
  if (input.group !== null) {
    // native multi-node (mp executor) across a LeaderWorkerSet group (DESIGN §14): every rank meets rank 0's torch
    // store at master-addr:master-port; ranks ≥ 1 run only their GPU workers, without an API server (--headless)
    const { nodes, rank, leaderAddress, port } = input.group;
    groups.push(['--nnodes', String(nodes)], ['--node-rank', String(rank)], ['--master-addr', leaderAddress], ['--master-port', String(port)]);
    if (rank > 0) groups.push(['--headless']);
  }
  if (input.lora) {
    groups.push(['--enable-lora']);
    const needed = neededLoraRank(input.lora.maxRank, input.lora.adapters);
    if (needed !== null) groups.push(['--max-lora-rank', String(vllmLoraRank(needed, input.lora.adapters))]);
    // --lora-modules takes several name=path values after one flag
    const adapters = input.lora.adapters.map((a) => `${a.name}=${a.path}`);
    if (adapters.length > 0) groups.push(['--lora-modules', ...(adapters as [string, ...string[]])]);
  }
  return { groups, files: [], notes: [] };
}
