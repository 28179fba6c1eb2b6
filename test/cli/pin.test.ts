// Every NIM_MODEL_PROFILE / --profile form through the built CLI (`select --json`), with its exit code.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURES, ids, MANIFEST, runCli } from '../support/select-fixtures.js';

const select = (extra: string[] = [], manifest = MANIFEST) => ['select', '--manifest', manifest, '--json', ...extra];
const chosen = (stdout: string) => (JSON.parse(stdout) as { id: string }).id;

describe('pins that resolve (exit 0)', () => {
  it.each([
    ['the full id', ids.vllmBf16Tp1],
    ['the full id in upper case', ids.vllmBf16Tp1.toUpperCase()],
    ['an id prefix of 8 characters', ids.vllmBf16Tp1.slice(0, 8)],
    ['an id prefix of 12 characters', ids.vllmBf16Tp1.slice(0, 12)],
    ['the name', 'vllm-bf16-tp1'],
    ['the name in upper case', 'VLLM-BF16-TP1'],
    ['the name with -pp1', 'vllm-bf16-tp1-pp1'],
    ['the pasted line', `${ids.vllmBf16Tp1} (vllm-bf16-tp1)`],
    ['the pasted line with its marker', `  - ${ids.vllmBf16Tp1} (vllm-bf16-tp1) [selected]`],
  ])('NIM_MODEL_PROFILE = %s', async (_, pin) => {
    const r = await runCli(select(), { machine: 'h100-x1', env: { NIM_MODEL_PROFILE: pin } });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(chosen(r.stdout)).toBe(ids.vllmBf16Tp1);
    expect((JSON.parse(r.stdout) as { reasons: string[] }).reasons[0]).toBe(`pinned by NIM_MODEL_PROFILE=${pin.trim()}`);
  });

  it.each(['default', 'auto', 'AUTO', ''])('NIM_MODEL_PROFILE=%j is automatic selection', async (pin) => {
    const r = await runCli(select(), { machine: 'h100-x1', env: { NIM_MODEL_PROFILE: pin } });
    expect(r.code).toBe(0);
    expect(chosen(r.stdout)).toBe(ids.h100Fp8Tp1);
  });

  it('--profile overrides NIM_MODEL_PROFILE', async () => {
    const r = await runCli(select(['--profile', 'sglang-bf16-tp1']), { machine: 'h100-x1', env: { NIM_MODEL_PROFILE: 'vllm-bf16-tp1' } });
    expect(r.code).toBe(0);
    expect(chosen(r.stdout)).toBe(ids.sglangBf16);
    expect((JSON.parse(r.stdout) as { reasons: string[] }).reasons[0]).toBe('pinned by --profile=sglang-bf16-tp1');
  });

  it('--profile default overrides a NIM_MODEL_PROFILE pin back to automatic', async () => {
    const r = await runCli(select(['--profile', 'default']), { machine: 'h100-x1', env: { NIM_MODEL_PROFILE: 'vllm-bf16-tp1' } });
    expect(chosen(r.stdout)).toBe(ids.h100Fp8Tp1);
  });
});

describe('pins that fail', () => {
  it('unknown name: exit 78 naming NIM_MODEL_PROFILE and the closest names', async () => {
    const r = await runCli(select(), { machine: 'h100-x1', env: { NIM_MODEL_PROFILE: 'vllm-bf16-tp3' } });
    expect(r.code).toBe(78);
    expect(r.stdout).toBe('');
    expect(JSON.parse(r.stderr)).toEqual({
      error: 'unknown-profile',
      exitCode: 78,
      message: 'NIM_MODEL_PROFILE="vllm-bf16-tp3" matches no profile of the manifest; closest: vllm-bf16-tp1, vllm-bf16-tp4, vllm-fp16-tp1',
      hint: 'set NIM_MODEL_PROFILE to an id or a name that `nimlet list-model-profiles` prints, or unset it (or "default") for automatic selection',
    });
  });

  it('unknown --profile in text mode: exit 78, no stack trace', async () => {
    const r = await runCli(['select', '--manifest', MANIFEST, '--profile', 'tensorrt_llm-h100-fp8-tp4-latency'], { machine: 'h100-x1' });
    expect(r.code).toBe(78);
    expect(r.stderr).toBe(
      'nimlet: --profile="tensorrt_llm-h100-fp8-tp4-latency" matches no profile of the manifest; closest: tensorrt_llm-h100-fp8-tp1-latency, tensorrt_llm-h100-fp8-tp2-latency, tensorrt_llm-l40s-fp8-tp1-latency\n' +
      'hint: set --profile to an id or a name that `nimlet list-model-profiles` prints, or unset it (or "default") for automatic selection\n');
  });

  it('an id prefix under 8 characters: exit 78', async () => {
    const r = await runCli(select(), { machine: 'h100-x1', env: { NIM_MODEL_PROFILE: ids.vllmBf16Tp1.slice(0, 7) } });
    expect(r.code).toBe(78);
    expect(JSON.parse(r.stderr)).toMatchObject({ error: 'unknown-profile', message: `NIM_MODEL_PROFILE="${ids.vllmBf16Tp1.slice(0, 7)}" is too short an id prefix (7 characters)` });
  });

  it('a name two profiles share: exit 78 telling to use the id', async () => {
    const ambiguous = path.join(FIXTURES, 'ambiguous.yaml');
    const r = await runCli(select([], ambiguous), { machine: 'h100-x1', env: { NIM_MODEL_PROFILE: 'vllm-bf16-tp1' } });
    expect(r.code).toBe(78);
    expect(JSON.parse(r.stderr)).toMatchObject({
      message: 'NIM_MODEL_PROFILE="vllm-bf16-tp1" is ambiguous: 2 profiles are named vllm-bf16-tp1',
      hint: 'set NIM_MODEL_PROFILE to one of their ids: aaaaaaaa11111111111111111111111111111111111111111111111111111111, aaaaaaaa22222222222222222222222222222222222222222222222222222222',
    });
    const byId = await runCli(select([], ambiguous), { machine: 'h100-x1', env: { NIM_MODEL_PROFILE: 'aaaaaaaa2222' } });
    expect([byId.code, chosen(byId.stdout)]).toEqual([0, 'aaaaaaaa22222222222222222222222222222222222222222222222222222222']);
    const shared = await runCli(select([], ambiguous), { machine: 'h100-x1', env: { NIM_MODEL_PROFILE: 'aaaaaaaa' } });
    expect(shared.code).toBe(78);
    expect(JSON.parse(shared.stderr)).toMatchObject({ message: 'NIM_MODEL_PROFILE="aaaaaaaa" is the start of 2 profile ids' });
  });

  it('known but not runnable here: exit 69 with its reasons', async () => {
    const r = await runCli(select(), { machine: 'h100-x1', env: { NIM_MODEL_PROFILE: 'tensorrt_llm-h100-fp8-tp2-latency' } });
    expect(r.code).toBe(69);
    expect(JSON.parse(r.stderr)).toEqual({
      error: 'profile-not-runnable',
      exitCode: 69,
      message: `NIM_MODEL_PROFILE names ${ids.h100Fp8Tp2} (tensorrt_llm-h100-fp8-tp2-latency), which cannot run here: needs 2 × 2330:10de (H100), found 1`,
      hint: 'choose a profile that `nimlet list-model-profiles` lists as runnable, or set NIM_MANIFEST_ALLOW_UNSAFE=1 to start it anyway',
      details: ['needs 2 × 2330:10de (H100), found 1'],
    });
  });

  it('known but not runnable, with NIM_MANIFEST_ALLOW_UNSAFE=1: selected with a warning, exit 0', async () => {
    const r = await runCli(select(), { machine: 'h100-x1', env: { NIM_MODEL_PROFILE: 'tensorrt_llm-h100-fp8-tp2-latency', NIM_MANIFEST_ALLOW_UNSAFE: '1' } });
    expect(r.code).toBe(0);
    const got = JSON.parse(r.stdout) as { id: string; gpus: number[]; status: string; reasons: string[] };
    expect([got.id, got.gpus, got.status]).toEqual([ids.h100Fp8Tp2, [0], 'incompatible']);
    expect(got.reasons).toEqual([
      'pinned by NIM_MODEL_PROFILE=tensorrt_llm-h100-fp8-tp2-latency',
      'NIM_MANIFEST_ALLOW_UNSAFE is set: starting it although needs 2 × 2330:10de (H100), found 1',
      'needs 2 × 2330:10de (H100), found 1',
    ]);
  });

  it('a pinned low-memory profile is not runnable: exit 69', async () => {
    const r = await runCli(select(), { machine: 'h100-x1', env: { NIM_MODEL_PROFILE: 'vllm-fp16-tp1' } });
    expect(r.code).toBe(69);
    expect(JSON.parse(r.stderr)).toMatchObject({ details: ['needs 90000 MiB free on 1 GPU (requirements.min_gpu_memory_mib); GPU 0 has 81106 MiB free'] });
  });
});
