import { describe, expect, it } from 'vitest';
import { evaluateProfiles } from '../../src/select/evaluate.js';
import { formatProfiles, formatSystemInfo } from '../../src/select/listing.js';
import { gpu, host, mig, profile, request } from './build.js';

describe('formatSystemInfo', () => {
  it('a GPU line per GPU, MIG devices under their GPU, unknowns said as such', () => {
    const inv = host([
      gpu(0, 'A10G', { pciDeviceId: null, memoryFreeMiB: null }),
      gpu(1, 'H100', { migEnabled: true, migDevices: [mig(0, '1g.10gb')] }),
      gpu(2, 'P400', { computeCapability: null }),
    ]);
    expect(formatSystemInfo(inv)).toEqual([
      'SYSTEM INFO',
      '- Free GPUs:',
      '  -  [unknown id] (0) NVIDIA A10G (A10G) [compute capability 8.6, free memory unknown]',
      '  -  [2330:10de] (1) NVIDIA H100 80GB HBM3 (H100) [compute capability 9.0, MIG mode, 1 MIG device]',
      '    - MIG 1g.10gb (1:0) MIG-0-1g.10gb',
      '  -  [1cb3:10de] (2) Quadro P400 [compute capability unknown, 2047 MiB free of 2048]',
    ]);
  });

  it('no GPU: <None> and the reason', () => {
    expect(formatSystemInfo(host([], { absentReason: 'No devices were found' }))).toEqual(['SYSTEM INFO', '- Free GPUs: <None>', '  No devices were found']);
  });
});

describe('formatProfiles', () => {
  const lora = profile({ llm_engine: 'vllm', precision: 'bf16', tp: '1', feat_lora: 'true' }, { id: 'b'.repeat(64) });
  const plain = profile({ llm_engine: 'vllm', precision: 'bf16', tp: '1' }, { id: 'a'.repeat(64) });

  it('only LoRA profiles runnable: the runnable header, then the LoRA group', () => {
    const evs = evaluateProfiles([lora], host([gpu(0, 'H100')]), request());
    expect(formatProfiles(evs, { selection: null, request: request(), explain: false })).toEqual([
      'MODEL PROFILES',
      '- Compatible with system and runnable:',
      '  - With LoRA support:',
      `    - ${'b'.repeat(64)} (vllm-bf16-tp1-lora)`,
      '- Compatible with system but low memory: <None>',
      '- Incompatible with system: <None>',
    ]);
  });

  it('no LoRA profile runnable: <None> under the runnable ones', () => {
    const evs = evaluateProfiles([plain], host([gpu(0, 'H100')]), request());
    expect(formatProfiles(evs, { selection: null, request: request(), explain: false }).slice(1, 4)).toEqual([
      '- Compatible with system and runnable:',
      `  - ${'a'.repeat(64)} (vllm-bf16-tp1)`,
      '  - With LoRA support: <None>',
    ]);
  });
});
