// SGLang's flags (`python3 -m sglang.launch_server`), each checked against SGLang's parser for the releases nimlet
// supports (≥ 0.5): the inventory with file and line is test/fixtures/engines/sglang.json. --pp-size only when
// pp > 1 (1 is the default). LoRA: SGLang sizes its adapter memory pool at start and asserts that, without
// --lora-paths, both --max-lora-rank and --lora-target-modules are given (server_args.py), so nimlet always gives
// both: the rank the adapters and the profile need, and `all` target modules (any adapter loaded later fits).
import { neededLoraRank, SGLANG_DEFAULT_LORA_RANK } from './lora-rank.js';
import type { ArgGroup, EngineFlags, FlagInput } from './types.js';

export const SGLANG_COMMAND = ['python3', '-m', 'sglang.launch_server'];

export function sglangFlags(input: FlagInput): EngineFlags {
  const groups: ArgGroup[] = [
    ['--model-path', input.modelDir],
    ['--host', input.host],
    ['--port', String(input.port)],
    ['--tp-size', String(input.tp)],
  ];
  if (input.pp > 1) groups.push(['--pp-size', String(input.pp)]);
  groups.push(['--served-model-name', input.servedModelName]);
  if (input.maxModelLen !== null) groups.push(['--context-length', String(input.maxModelLen)]);
  if (input.group !== null) {
    // multi-node (DESIGN §14): every rank meets at rank 0's --dist-init-addr host:port; an IPv6 address in brackets
    const { nodes, rank, leaderAddress, port } = input.group;
    const host = leaderAddress.includes(':') ? `[${leaderAddress}]` : leaderAddress;
    groups.push(['--nnodes', String(nodes)], ['--node-rank', String(rank)], ['--dist-init-addr', `${host}:${port}`]);
  }
  if (input.lora) {
    const rank = neededLoraRank(input.lora.maxRank, input.lora.adapters) ?? SGLANG_DEFAULT_LORA_RANK;
    groups.push(['--enable-lora'], ['--max-lora-rank', String(rank)], ['--lora-target-modules', 'all']);
    const adapters = input.lora.adapters.map((a) => `${a.name}=${a.path}`);
    if (adapters.length > 0) groups.push(['--lora-paths', ...(adapters as [string, ...string[]])]);
  }
  return { groups, files: [], notes: [] };
}
