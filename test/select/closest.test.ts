import { describe, expect, it } from 'vitest';
import { closestNames, editDistance } from '../../src/select/closest.js';

describe('editDistance', () => {
  it.each([
    ['', '', 0], ['abc', '', 3], ['', 'abc', 3], ['kitten', 'sitting', 3], ['vllm-bf16-tp1', 'vllm-bf16-tp2', 1], ['tp1', 'tp1', 0],
  ])('%j → %j: %i', (a, b, d) => expect(editDistance(a, b)).toBe(d));
});

describe('closestNames', () => {
  it('nearest first, ties by name, case-insensitive, no repeats, at most 3', () => {
    expect(closestNames('VLLM-BF16-TP3', ['vllm-fp16-tp1', 'vllm-bf16-tp2', 'vllm-bf16-tp1', 'vllm-bf16-tp1', 'sglang-bf16-tp1']))
      .toEqual(['vllm-bf16-tp1', 'vllm-bf16-tp2', 'vllm-fp16-tp1']);
    expect(closestNames('x', [])).toEqual([]);
  });
});
