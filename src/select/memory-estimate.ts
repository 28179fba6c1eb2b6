// The memory estimate of DESIGN §13, pure: per GPU, weights ÷ tp + the KV cache for the context + a stated
// overhead, against free memory × the engine's utilisation. The KV cache per token is 2 (K and V) × layers × the
// KV heads one GPU holds (kv_heads ÷ tp, at least 1: heads are replicated when tp exceeds them) × head size × bytes
// per value. With no context asked (NIM_MAX_MODEL_LEN unset) and the model's own not fitting, the longest context
// that fits is offered, in steps of 1,024 tokens, down to CONTEXT_FLOOR.
import type { ModelShape } from '../manifest/types.js';

const GIB = 1024 ** 3;
const MIB = 1024 ** 2;
/** CUDA context, activations and the engine's own buffers: a stated flat allowance per GPU. */
export const OVERHEAD_BYTES = 1 * GIB;
/** The share of free memory an engine takes: vLLM's --gpu-memory-utilization default 0.9. */
export const UTILISATION = 0.9;
/** Below this a model is not worth starting: the profile is low-memory. */
export const CONTEXT_FLOOR = 4096;
const STEP = 1024;

export interface MemoryInput {
  model: ModelShape;
  tp: number;
  /** NIM_MAX_MODEL_LEN; null: the model's own, shortened to what fits. */
  askedContext: number | null;
  /** The GPU the estimate is checked against (the one with the least free memory of those chosen). */
  gpu: { label: string; freeMiB: number };
}

export interface MemoryEstimate {
  fits: boolean;
  /** The context the engine runs with; smaller than the model's own only when that did not fit. */
  context: number;
  /** True when `context` was shortened from the model's own to fit. */
  shortened: boolean;
  /** Every number, for a person: "needs 17.9 GiB per GPU at tp 1: weights 14.96 GiB + …". */
  reason: string;
}

const gib = (bytes: number, digits: number): string => (bytes / GIB).toFixed(digits);
const tokens = (n: number): string => n.toLocaleString('en-US');

export function kvBytesPerToken(model: ModelShape, tp: number): number {
  return 2 * model.layers * Math.max(1, model.kvHeads / tp) * model.headDim * model.kvBytesPerValue;
}

function needed(model: ModelShape, tp: number, context: number): { weights: number; kv: number; total: number } {
  const weights = model.weightBytes / tp;
  const kv = kvBytesPerToken(model, tp) * context;
  return { weights, kv, total: weights + kv + OVERHEAD_BYTES };
}

export function estimateMemory(input: MemoryInput): MemoryEstimate {
  const { model, tp, askedContext, gpu } = input;
  const budget = gpu.freeMiB * MIB * UTILISATION;
  let context = askedContext ?? model.maxContext;
  let shortened = false;
  if (askedContext === null && needed(model, tp, context).total > budget) {
    const room = budget - needed(model, tp, 0).total;
    const longest = Math.floor(room / kvBytesPerToken(model, tp) / STEP) * STEP;
    const floor = Math.min(CONTEXT_FLOOR, model.maxContext);
    if (longest >= floor) {
      context = Math.min(longest, model.maxContext);
      shortened = true;
    } else context = floor;
  }
  const n = needed(model, tp, context);
  const fits = n.total <= budget;
  const reason = `needs ${gib(n.total, 1)} GiB per GPU at tp ${tp}: weights ${gib(n.weights, 2)} GiB + KV cache ${gib(n.kv, 1)} GiB for ${tokens(context)} tokens + ${gib(OVERHEAD_BYTES, 1)} GiB overhead; ${gpu.label} has ${gib(gpu.freeMiB * MIB, 1)} GiB free × ${UTILISATION}`;
  const why = shortened
    ? `${reason} (the model's ${tokens(model.maxContext)} tokens do not fit: runs with ${tokens(context)})`
    : !fits && askedContext === null && context === CONTEXT_FLOOR && model.maxContext > CONTEXT_FLOOR
      ? `${reason} (not even the floor of ${tokens(CONTEXT_FLOOR)} tokens fits)`
      : reason;
  return { fits, context, shortened, reason: why };
}
