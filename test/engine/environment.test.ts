import { describe, expect, it } from 'vitest';
import { isCredentialVariable } from '../../src/config/credentials.js';
import { buildEngineEnv, changedVariables } from '../../src/engine/environment.js';

describe('changedVariables', () => {
  it('lists what the engine gets that differs from the parent, never a credential', () => {
    const parent = { PATH: '/bin', CUDA_VISIBLE_DEVICES: '0', HF_HUB_OFFLINE: '1', X: undefined };
    const engine = { PATH: '/bin', CUDA_VISIBLE_DEVICES: 'GPU-a', HF_HUB_OFFLINE: '1', FOO: 'bar', HF_TOKEN: 'leak' };
    expect(changedVariables(parent, engine)).toEqual({ CUDA_VISIBLE_DEVICES: 'GPU-a', FOO: 'bar' });
  });

  it.each([['NGC_API_KEY', true], ['hf_token', true], ['HUGGING_FACE_HUB_TOKEN', true], ['VLLM_API_KEY', false], ['PATH', false]])(
    '%s is a download credential: %s', (name, expected) => expect(isCredentialVariable(name)).toBe(expected));
});

describe('buildEngineEnv', () => {
  it('drops a variable that carries a credential value', () => {
    const env = buildEngineEnv({
      parentEnv: { HF_TOKEN: 'hf_abcdefgh123', NIM_PASSTHROUGH_ARGS: '--hf-token hf_abcdefgh123', NGC_API_KEY: 'short', KEEP: 'short' },
      cudaDevices: ['0'],
      profileEnv: {},
    });
    expect(env).toEqual({ KEEP: 'short', CUDA_VISIBLE_DEVICES: '0', CUDA_DEVICE_ORDER: 'PCI_BUS_ID', HF_HUB_OFFLINE: '1' });
  });

  it('the chosen devices, in order, are CUDA_VISIBLE_DEVICES, numbered in PCI bus order as nvidia-smi numbers them', () => {
    const cudaDevices = ['3', '1', 'MIG-9d1e2f30-0002-5a6b-8c9d-0e1f2a3b4c52'];
    const env = buildEngineEnv({ parentEnv: { CUDA_VISIBLE_DEVICES: 'GPU-x', CUDA_DEVICE_ORDER: 'FASTEST_FIRST' }, cudaDevices, profileEnv: {} });
    expect([env.CUDA_VISIBLE_DEVICES, env.CUDA_DEVICE_ORDER]).toEqual(['3,1,MIG-9d1e2f30-0002-5a6b-8c9d-0e1f2a3b4c52', 'PCI_BUS_ID']);
  });
});
