// LoRA ranks the engines accept. vLLM's --max-lora-rank must be one of fixed values, and vLLM aborts when an adapter's
// rank exceeds it, so nimlet picks the smallest allowed value that covers every adapter and the profile's
// feat_lora_max_rank. Allowed: 0.11 checks (8, 16, …, 512) (vllm/config/lora.py:104 at bb6d430); later releases add 1
// (MaxLoRARanks). Only values every supported release takes are used: a rank-1 adapter gets 8. See
// test/fixtures/engines/vllm.json. Pure.
import { NimletError } from '../errors.js';
import type { LoraAdapter } from './types.js';

export const VLLM_LORA_RANKS = [8, 16, 32, 64, 128, 256, 320, 512] as const;

/** SGLang needs a rank when it starts without adapters (it sizes its LoRA memory pool up front). */
export const SGLANG_DEFAULT_LORA_RANK = 64;

/** The largest rank asked for: the profile's tag and every adapter's `r`; null when none is known. */
export function neededLoraRank(tagRank: number | null, adapters: readonly LoraAdapter[]): number | null {
  const ranks = [tagRank, ...adapters.map((a) => a.rank)].filter((r): r is number => r !== null);
  return ranks.length === 0 ? null : Math.max(...ranks);
}

/** vLLM's --max-lora-rank value for a needed rank; throws 78 when no allowed value covers it. */
export function vllmLoraRank(needed: number, adapters: readonly LoraAdapter[]): number {
  const fit = VLLM_LORA_RANKS.find((r) => r >= needed);
  if (fit !== undefined) return fit;
  const culprit = adapters.find((a) => a.rank === needed);
  throw new NimletError('bad-config', `LoRA rank ${needed}${culprit ? ` (adapter ${culprit.name})` : ''} is above vLLM's largest --max-lora-rank, ${VLLM_LORA_RANKS.at(-1)}`, {
    hint: 'serve adapters of rank 512 or less (remove that adapter from NIM_PEFT_SOURCE), or use another engine',
  });
}
