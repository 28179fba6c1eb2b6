import { describe, expect, it } from 'vitest';
import { selectProfile } from '../../src/select/select.js';
import { gpu, host, many, mig, request, thrown } from './build.js';
import { byName, catalog } from './catalog.js';

describe('LoRA', () => {
  it('without NIM_PEFT_SOURCE a LoRA profile is never chosen automatically', () => {
    expect(selectProfile(catalog, host(many('A40', 1)), request()).profile.name).toBe('vllm-bf16-tp1');
  });
  it('with NIM_PEFT_SOURCE only LoRA profiles are eligible', () => {
    expect(selectProfile(catalog, host(many('H100', 8)), request({ lora: true })).profile.name).toBe('vllm-bf16-tp1-lora');
  });
  it('with NIM_PEFT_SOURCE and no runnable LoRA profile: 69', () => {
    const e = thrown(() => selectProfile(catalog, host(many('T4', 1)), request({ lora: true })));
    expect(e.code).toBe('no-runnable-profile');
    expect(e.message).toBe("no LoRA profile of the manifest's 15 can run on this machine (NIM_PEFT_SOURCE is set)");
    expect(e.details).toContain(`${byName('vllm-fp16-tp1').id} (vllm-fp16-tp1): NIM_PEFT_SOURCE is set: only LoRA profiles are eligible, this one has no LoRA support`);
  });
  it('a pinned LoRA profile runs without NIM_PEFT_SOURCE', () => {
    expect(selectProfile(catalog, host(many('H100', 1)), request({ pin: 'vllm-bf16-tp1-lora' })).profile.name).toBe('vllm-bf16-tp1-lora');
  });
  it('a pinned non-LoRA profile with NIM_PEFT_SOURCE: 69', () => {
    const e = thrown(() => selectProfile(catalog, host(many('H100', 1)), request({ pin: 'vllm-bf16-tp1', lora: true })));
    expect(e.code).toBe('profile-not-runnable');
    expect(e.details).toEqual(['NIM_PEFT_SOURCE is set: only LoRA profiles are eligible, this one has no LoRA support']);
  });
});

describe('pins', () => {
  it('a runnable pin is taken even when it is not the best', () => {
    const s = selectProfile(catalog, host(many('H100', 8)), request({ pin: 'sglang-bf16-tp1' }));
    expect(s.profile.name).toBe('sglang-bf16-tp1');
    expect(s.gpus).toEqual([0]);
    expect(s.why).toEqual(['pinned by NIM_MODEL_PROFILE=sglang-bf16-tp1']);
  });

  it('a known profile that cannot run here: 69 with its reasons', () => {
    const e = thrown(() => selectProfile(catalog, host(many('L40S', 1)), request({ pin: 'tensorrt_llm-h100-fp8-tp2-latency' })));
    expect(e.code).toBe('profile-not-runnable');
    expect(e.exitCode).toBe(69);
    const p = byName('tensorrt_llm-h100-fp8-tp2-latency');
    expect(e.message).toBe(`NIM_MODEL_PROFILE names ${p.id} (${p.name}), which cannot run here: needs 2 × 2330:10de (H100), found 0; this host has 1 × 26b9:10de (NVIDIA L40S)`);
    expect(e.hint).toContain('NIM_MANIFEST_ALLOW_UNSAFE=1');
  });

  it('--profile is named as the source', () => {
    const e = thrown(() => selectProfile(catalog, host(many('L40S', 1)), request({ pin: 'vllm-bf16-tp2', pinSource: '--profile' })));
    expect(e.message).toMatch(/^--profile names /);
  });

  it('NIM_MANIFEST_ALLOW_UNSAFE: selected anyway, on the lowest GPUs, with a warning', () => {
    const s = selectProfile(catalog, host(many('L40S', 4)), request({ pin: 'tensorrt_llm-h100-fp8-tp2-latency', allowUnsafe: true }));
    expect(s.profile.name).toBe('tensorrt_llm-h100-fp8-tp2-latency');
    expect(s.status).toBe('incompatible');
    expect(s.gpus).toEqual([0, 1]);
    expect(s.deviceUuids).toEqual(['GPU-L40S-0', 'GPU-L40S-1']);
    expect(s.why).toEqual([
      'pinned by NIM_MODEL_PROFILE=tensorrt_llm-h100-fp8-tp2-latency',
      'NIM_MANIFEST_ALLOW_UNSAFE is set: starting it although needs 2 × 2330:10de (H100), found 0; this host has 4 × 26b9:10de (NVIDIA L40S)',
    ]);
  });

  it('NIM_MANIFEST_ALLOW_UNSAFE on a MIG-only host: the first MIG device', () => {
    const inv = host([gpu(0, 'H100', { migEnabled: true, migDevices: [mig(0, '3g.40gb')] })]);
    const s = selectProfile(catalog, inv, request({ pin: 'tensorrt_llm-h100-fp8-tp1-latency', allowUnsafe: true }));
    expect([s.gpus, s.deviceUuids]).toEqual([[0], ['MIG-0-3g.40gb']]);
  });

  it('NIM_MANIFEST_ALLOW_UNSAFE without any GPU: selected, on no GPU', () => {
    const s = selectProfile(catalog, host([]), request({ pin: 'vllm-fp16-tp1', allowUnsafe: true }));
    expect([s.profile.name, s.gpus]).toEqual(['vllm-fp16-tp1', []]);
  });

  it('an unknown pin is 78 even with NIM_MANIFEST_ALLOW_UNSAFE', () => {
    expect(thrown(() => selectProfile(catalog, host(many('H100', 1)), request({ pin: 'nope', allowUnsafe: true }))).exitCode).toBe(78);
  });
});

describe('nothing runnable', () => {
  it('69 with every profile in the details, best first', () => {
    const e = thrown(() => selectProfile(catalog, host([gpu(0, 'P400')]), request()));
    expect(e.code).toBe('no-runnable-profile');
    expect(e.exitCode).toBe(69);
    expect(e.message).toBe("no profile of the manifest's 15 can run on this machine");
    expect(e.details).toHaveLength(15);
    const fp16 = byName('vllm-fp16-tp1');
    expect(e.details).toContain(`${fp16.id} (vllm-fp16-tp1): needs compute capability ≥ 7.0; GPU 0 has 6.1`);
    expect(e.hint).toContain('list-model-profiles --explain');
  });

  it('no GPU at all: every reason says so', () => {
    const e = thrown(() => selectProfile(catalog, host([], { absentReason: 'nvidia-smi was not found on PATH' }), request()));
    expect(e.details.every((d) => d.endsWith(': no GPU: nvidia-smi was not found on PATH'))).toBe(true);
  });
});
