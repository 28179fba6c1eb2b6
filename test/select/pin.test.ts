import { describe, expect, it } from 'vitest';
import { NimletError } from '../../src/errors.js';
import { resolvePin } from '../../src/select/pin.js';
import { profile, thrown } from './build.js';
import { byName, catalog } from './catalog.js';

const h100 = byName('tensorrt_llm-h100-fp8-tp1-latency');

describe('resolvePin: every form', () => {
  it.each([
    ['the full id', h100.id],
    ['the full id in upper case', h100.id.toUpperCase()],
    ['the id with spaces around', `  ${h100.id}  `],
    ['a unique id prefix of 8', h100.id.slice(0, 8)],
    ['the name', 'tensorrt_llm-h100-fp8-tp1-latency'],
    ['the name in any case', 'TensorRT_LLM-H100-FP8-TP1-Latency'],
    ['the name with -pp1', 'tensorrt_llm-h100-fp8-tp1-pp1-latency'],
    ['the pasted line', `${h100.id} (tensorrt_llm-h100-fp8-tp1-latency)`],
    ['the pasted line with its list marker and a mark after', `  - ${h100.id} (tensorrt_llm-h100-fp8-tp1-latency) [selected]`],
    ['the pasted line with a stale name: the id wins', `${h100.id} (something-else)`],
  ])('%s', (_, pin) => expect(resolvePin(catalog, pin)).toBe(h100));

  it('a pasted line whose id is gone falls back on its name', () => {
    expect(resolvePin(catalog, `${'f'.repeat(64)} (tensorrt_llm-h100-fp8-tp1-latency)`)).toBe(h100);
  });

  it('a profile named with -pp1 in the manifest matches the name without it', () => {
    const p = profile({ llm_engine: 'vllm', precision: 'bf16', tp: '2' }, { name: 'vllm-bf16-tp2-pp1' });
    expect(resolvePin([p], 'vllm-bf16-tp2')).toBe(p);
    expect(resolvePin([p], 'VLLM-BF16-TP2-PP1')).toBe(p);
  });

  it('-pp2 is kept: no confusion with a pp1 name', () => {
    const pp2 = profile({ llm_engine: 'vllm', precision: 'bf16', tp: '2', pp: '2' });
    expect(pp2.name).toBe('vllm-bf16-tp2-pp2');
    expect(() => resolvePin([pp2], 'vllm-bf16-tp2')).toThrow(NimletError);
  });
});

describe('resolvePin: failures', () => {
  it('unknown: exit 78, names the variable and the closest names', () => {
    const e = thrown(() => resolvePin(catalog, 'vllm-bf16-tp4'));
    expect(e.code).toBe('unknown-profile');
    expect(e.exitCode).toBe(78);
    expect(e.message).toBe('NIM_MODEL_PROFILE="vllm-bf16-tp4" matches no profile of the manifest; closest: vllm-bf16-tp1, vllm-bf16-tp2, vllm-fp16-tp1');
    expect(e.hint).toContain('nimlet list-model-profiles');
  });

  it('unknown from --profile names --profile', () => {
    const e = thrown(() => resolvePin(catalog, 'nope', '--profile'));
    expect(e.message).toMatch(/^--profile="nope" matches no profile of the manifest; closest: /);
    expect(e.hint).toContain('set --profile to');
  });

  it('an id prefix shorter than 8 characters: exit 78 asking for more', () => {
    const e = thrown(() => resolvePin(catalog, h100.id.slice(0, 7)));
    expect(e.exitCode).toBe(78);
    expect(e.message).toBe(`NIM_MODEL_PROFILE="${h100.id.slice(0, 7)}" is too short an id prefix (7 characters)`);
  });

  it('an id prefix shared by two profiles: exit 78 listing them', () => {
    const a = profile({ llm_engine: 'vllm', precision: 'bf16', tp: '1' }, { id: '12345678aa'.padEnd(64, '0') });
    const b = profile({ llm_engine: 'vllm', precision: 'fp16', tp: '1' }, { id: '12345678bb'.padEnd(64, '0') });
    const e = thrown(() => resolvePin([a, b], '12345678'));
    expect(e.exitCode).toBe(78);
    expect(e.message).toBe('NIM_MODEL_PROFILE="12345678" is the start of 2 profile ids');
    expect(e.hint).toContain(a.id);
    expect(resolvePin([a, b], '12345678a')).toBe(a);
  });

  it('a name two profiles share: exit 78 telling to use the id', () => {
    const a = profile({ llm_engine: 'vllm', precision: 'bf16', tp: '1' }, { id: 'a'.repeat(64) });
    const b = profile({ llm_engine: 'vllm', precision: 'bf16', tp: '1' }, { id: 'b'.repeat(64) });
    const e = thrown(() => resolvePin([a, b], 'vllm-bf16-tp1'));
    expect(e.exitCode).toBe(78);
    expect(e.message).toBe('NIM_MODEL_PROFILE="vllm-bf16-tp1" is ambiguous: 2 profiles are named vllm-bf16-tp1');
    expect(e.hint).toBe(`set NIM_MODEL_PROFILE to one of their ids: ${a.id}, ${b.id}`);
    expect(resolvePin([a, b], b.id)).toBe(b);
  });
});
