// Filter: one profile over a group of nodes (DESIGN §14). A profile fits when tp × pp (or number_of_gpus) equals
// nodes × the GPUs this node gives it; every node checks its own GPUs, so the hardware filter is asked for the
// per-node share. The NIM Operator's mapping (LeaderWorkerSet size = pp, GPUs per pod = tp) reaches nimlet as
// NIM_TENSOR_PARALLEL_SIZE / NIM_PIPELINE_PARALLEL_SIZE: with multi-node on, a tagged profile of another shape
// would not match the pods the operator made, so it is refused with that reason. Pure.
import type { Profile } from '../../manifest/types.js';
import type { SelectRequest } from '../types.js';

export interface GroupShape {
  nodes: number;
}

/** The line the listing shows for a profile that runs across the group: "multi-node: 2 nodes × 8 GPUs". */
export function describeGroup(nodes: number, perNode: number): string {
  return `multi-node: ${nodes} nodes × ${perNode} GPU${perNode === 1 ? '' : 's'}`;
}

/** Why this profile cannot run across the group; empty when it can (its per-node share is then total ÷ nodes). */
export function checkMultiNode(profile: Profile, total: number, tp: number, pp: number, request: Pick<SelectRequest, 'multiNode' | 'tensorParallelSize' | 'pipelineParallelSize'>): string[] {
  const group = request.multiNode;
  if (!group) return [];
  const reasons: string[] = [];
  if (profile.engine === 'tensorrt_llm') {
    // NIM starts TensorRT-LLM across nodes with mpirun over ssh (the operator's MPI ConfigMaps and key); nimlet
    // does not drive mpirun yet, and a group that half-starts is worse than a refusal.
    reasons.push('TensorRT-LLM across nodes needs mpirun over ssh, which nimlet does not drive yet: choose a vLLM or SGLang profile for multi-node');
  }
  if (total % group.nodes !== 0) reasons.push(`needs ${total} GPUs (tp ${tp} × pp ${pp}), which ${group.nodes} nodes cannot share evenly`);
  const wantTp = profile.tp === null ? null : request.tensorParallelSize ?? null;
  const wantPp = profile.pp === null ? null : request.pipelineParallelSize ?? null;
  if ((wantTp !== null && wantTp !== tp) || (wantPp !== null && wantPp !== pp)) {
    reasons.push(`the group was made for tp ${request.tensorParallelSize ?? '?'} × pp ${request.pipelineParallelSize ?? '?'} (NIM_TENSOR_PARALLEL_SIZE, NIM_PIPELINE_PARALLEL_SIZE); this profile is tp ${tp} × pp ${pp}`);
  }
  return reasons;
}
