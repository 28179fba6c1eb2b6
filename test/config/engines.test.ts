import { describe, expect, it } from 'vitest';
import { readEngines } from '../../src/config/engines.js';

describe('readEngines (NIMLET_ENGINES)', () => {
  it.each([
    [undefined, null],
    ['', null],
    ['  ', null],
    ['vllm', [{ engine: 'vllm', version: null }]],
    ['tensorrt_llm@1.3.0, sglang', [{ engine: 'tensorrt_llm', version: '1.3.0' }, { engine: 'sglang', version: null }]],
    ['TRTLLM@1.2.0rc1', [{ engine: 'tensorrt_llm', version: '1.2.0rc1' }]],
    ['tensorrt-llm,vllm@0.11.2.post1', [{ engine: 'tensorrt_llm', version: null }, { engine: 'vllm', version: '0.11.2.post1' }]],
  ])('%j → %j', (raw, expected) => {
    expect(readEngines(raw)).toEqual(expected);
  });

  it.each([
    ['vllm,tgi', '"tgi" is no engine nimlet starts'],
    ['vllm@', '"" is no version of vllm'],
    ['sglang@v0.5', '"v0.5" is no version of sglang'],
    ['vllm,', 'it has an empty item'],
    ['sglang,sglang@0.5.1', 'sglang is named twice'],
  ])('%j → 78 naming the variable: %s', (raw, why) => {
    expect(() => readEngines(raw)).toThrow(expect.objectContaining({
      exitCode: 78,
      message: `NIMLET_ENGINES=${JSON.stringify(raw)} is not valid: ${why}`,
      hint: expect.stringContaining('unset it to detect the engines') as unknown,
    }));
  });
});
