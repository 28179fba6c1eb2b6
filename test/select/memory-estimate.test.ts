// The memory estimate of DESIGN §13 as a table: Llama-3.1-8B's shape on the free memory of real cards.
import { describe, expect, it } from 'vitest';
import type { ModelShape } from '../../src/manifest/types.js';
import { estimateMemory, kvBytesPerToken } from '../../src/select/memory-estimate.js';

const LLAMA_8B: ModelShape = { weightBytes: 16_060_556_376, layers: 32, attentionHeads: 32, kvHeads: 8, headDim: 128, kvBytesPerValue: 2, maxContext: 131_072 };
const gpu = (label: string, freeMiB: number) => ({ label, freeMiB });

describe('estimateMemory', () => {
  it('KV cache per token: 2 × layers × KV heads per GPU × head size × bytes (replicated past the KV heads)', () => {
    expect(kvBytesPerToken(LLAMA_8B, 1)).toBe(131_072);
    expect(kvBytesPerToken(LLAMA_8B, 8)).toBe(16_384);
    expect(kvBytesPerToken({ ...LLAMA_8B, kvHeads: 2 }, 8)).toBe(16_384);
  });

  const table: Array<[string, { tp: number; asked: number | null; free: number }, { fits: boolean; context: number; shortened: boolean; reason: string }]> = [
    ['L4, 16,384 tokens asked: fits', { tp: 1, asked: 16_384, free: 22_630 }, { fits: true, context: 16_384, shortened: false,
      reason: 'needs 18.0 GiB per GPU at tp 1: weights 14.96 GiB + KV cache 2.0 GiB for 16,384 tokens + 1.0 GiB overhead; GPU 0 (L4) has 22.1 GiB free × 0.9' }],
    ['L4, nothing asked: the 131,072 tokens do not fit, 31,744 do', { tp: 1, asked: null, free: 22_630 }, { fits: true, context: 31_744, shortened: true,
      reason: "needs 19.8 GiB per GPU at tp 1: weights 14.96 GiB + KV cache 3.9 GiB for 31,744 tokens + 1.0 GiB overhead; GPU 0 (L4) has 22.1 GiB free × 0.9 (the model's 131,072 tokens do not fit: runs with 31,744)" }],
    ['L4, 131,072 tokens asked: low-memory', { tp: 1, asked: 131_072, free: 22_630 }, { fits: false, context: 131_072, shortened: false,
      reason: 'needs 32.0 GiB per GPU at tp 1: weights 14.96 GiB + KV cache 16.0 GiB for 131,072 tokens + 1.0 GiB overhead; GPU 0 (L4) has 22.1 GiB free × 0.9' }],
    ['T4: not even the floor fits', { tp: 1, asked: null, free: 15_095 }, { fits: false, context: 4_096, shortened: false,
      reason: 'needs 16.5 GiB per GPU at tp 1: weights 14.96 GiB + KV cache 0.5 GiB for 4,096 tokens + 1.0 GiB overhead; GPU 0 (L4) has 14.7 GiB free × 0.9 (not even the floor of 4,096 tokens fits)' }],
    ['H100 NVL tp 2: the full context', { tp: 2, asked: null, free: 95_300 }, { fits: true, context: 131_072, shortened: false,
      reason: 'needs 16.5 GiB per GPU at tp 2: weights 7.48 GiB + KV cache 8.0 GiB for 131,072 tokens + 1.0 GiB overhead; GPU 0 (L4) has 93.1 GiB free × 0.9' }],
    ['exactly at the floor: fits with 4,096', { tp: 1, asked: null, free: Math.ceil((16_060_556_376 + 131_072 * 4096 + 1024 ** 3) / 0.9 / 1024 ** 2) }, { fits: true, context: 4_096, shortened: true,
      reason: "needs 16.5 GiB per GPU at tp 1: weights 14.96 GiB + KV cache 0.5 GiB for 4,096 tokens + 1.0 GiB overhead; GPU 0 (L4) has 18.3 GiB free × 0.9 (the model's 131,072 tokens do not fit: runs with 4,096)" }],
  ];
  it.each(table)('%s', (_name, input, want) => {
    expect(estimateMemory({ model: LLAMA_8B, tp: input.tp, askedContext: input.asked, gpu: gpu('GPU 0 (L4)', input.free) })).toEqual(want);
  });

  it('a model whose own context is under the floor is never stretched to it', () => {
    const small = { ...LLAMA_8B, maxContext: 2048 };
    expect(estimateMemory({ model: small, tp: 1, askedContext: null, gpu: gpu('GPU 0', 80_000) })).toMatchObject({ fits: true, context: 2048, shortened: false });
  });
});
