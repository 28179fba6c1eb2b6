import { describe, expect, it } from 'vitest';
import { buildEngineEnv, changedVariables, isCredentialVariable } from '../../src/engine/environment.js';
import { NimletError } from '../../src/errors.js';

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
      deviceUuids: ['GPU-a'],
      profileEnv: {},
    });
    expect(env).toEqual({ KEEP: 'short', CUDA_VISIBLE_DEVICES: 'GPU-a', HF_HUB_OFFLINE: '1' });
  });

  it('the chosen GPUs and MIG devices, in order, are CUDA_VISIBLE_DEVICES', () => {
    const deviceUuids = ['GPU-3f2a9c11-7b4e-4d21-9a0c-5e8f1b2c3d41', 'MIG-9d1e2f30-0001-5a6b-8c9d-0e1f2a3b4c51', 'MIG-9d1e2f30-0002-5a6b-8c9d-0e1f2a3b4c52'];
    expect(buildEngineEnv({ parentEnv: {}, deviceUuids, profileEnv: {} }).CUDA_VISIBLE_DEVICES).toBe(deviceUuids.join(','));
  });

  it('two chosen GPUs reported under one UUID: refused (69), CUDA could not tell them apart', () => {
    const twin = 'GPU-12345678-aaaa-bbbb-cccc-0123456789ab';
    let error: unknown;
    try {
      buildEngineEnv({ parentEnv: {}, deviceUuids: [twin, twin], profileEnv: {} });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(NimletError);
    const e = error as NimletError;
    expect([e.code, e.exitCode, e.message]).toEqual(['gpu-probe-failed', 69,
      `nvidia-smi reports the same UUID, ${twin}, for two of the GPUs chosen for the engine, so CUDA_VISIBLE_DEVICES cannot name them apart`]);
    expect(e.hint).toContain('NIM_MODEL_PROFILE');
  });
});
