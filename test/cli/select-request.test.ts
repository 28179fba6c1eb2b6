// buildRequest: how the environment and --profile become the selection request.
import { describe, expect, it } from 'vitest';
import { readSettings } from '../../src/config/env.js';
import { buildRequest } from '../../src/cli/prepare-selection.js';

describe('buildRequest', () => {
  it.each([
    ['nothing set: automatic', {}, undefined, { pin: null, pinSource: 'NIM_MODEL_PROFILE', lora: false, allowUnsafe: false, tensorParallelSize: null }],
    ['NIM_MODEL_PROFILE', { NIM_MODEL_PROFILE: ' vllm-bf16-tp1 ' }, undefined, { pin: 'vllm-bf16-tp1', pinSource: 'NIM_MODEL_PROFILE' }],
    ['NIM_MODEL_PROFILE=default', { NIM_MODEL_PROFILE: 'default' }, undefined, { pin: null }],
    ['--profile wins', { NIM_MODEL_PROFILE: 'a' }, 'vllm-fp8-tp1', { pin: 'vllm-fp8-tp1', pinSource: '--profile' }],
    ['--profile auto: automatic even with NIM_MODEL_PROFILE', { NIM_MODEL_PROFILE: 'a' }, 'auto', { pin: null }],
    ['--profile "": automatic', {}, '', { pin: null }],
    ['NIM_PEFT_SOURCE turns LoRA on', { NIM_PEFT_SOURCE: '/loras' }, undefined, { lora: true }],
    ['NIM_MANIFEST_ALLOW_UNSAFE=1', { NIM_MANIFEST_ALLOW_UNSAFE: '1' }, undefined, { allowUnsafe: true }],
    ['NIM_TENSOR_PARALLEL_SIZE', { NIM_TENSOR_PARALLEL_SIZE: '4' }, undefined, { tensorParallelSize: 4 }],
  ])('%s', (_, env, profile, expected) => {
    const options = profile === undefined ? {} : { profile };
    expect(buildRequest(readSettings(env, '/'), options)).toMatchObject(expected);
  });
});
