// DESIGN §6: with no pin, an eligible profile put into the cache on purpose (download-to-cache --profiles,
// create-model-store) is chosen over one that would have to be downloaded; a pin always wins; the shell passes
// none under NIMLET_PREFER_CACHED=0. The set is an input of the pure core (SelectRequest.cachedOnPurpose).
import { describe, expect, it } from 'vitest';
import { readSettings } from '../../src/config/env.js';
import { buildRequest } from '../../src/cli/prepare-selection.js';
import { cachedFirst, PREFERRED_REASON } from '../../src/select/rank.js';
import { selectProfile } from '../../src/select/select.js';
import { host, many, request, thrown } from './build.js';
import { byName, catalog } from './catalog.js';

const id = (name: string) => byName(name).id;
const TOP = 'tensorrt_llm-h100-fp8-tp2-latency';
const H100_X8 = host(many('H100', 8));

describe('the choice with profiles cached on purpose', () => {
  it.each([
    // [case, GPUs, cached on purpose, pin, chosen]
    ['nothing cached on purpose: the plain ranking', H100_X8, [], null, TOP],
    ['a generic tp1 cached on purpose beats the better-ranked H100 build', H100_X8, ['vllm-bf16-tp1'], null, 'vllm-bf16-tp1'],
    ['two cached on purpose: the better-ranked of them', H100_X8, ['vllm-bf16-tp1', 'tensorrt_llm-h100-fp8-tp8-throughput'], null, 'tensorrt_llm-h100-fp8-tp8-throughput'],
    ['not eligible (built for L40S): no preference', H100_X8, ['tensorrt_llm-l40s-fp8-tp1-latency'], null, TOP],
    ['not eligible (tp2 on one GPU): no preference', host(many('H100', 1)), ['vllm-bf16-tp2'], null, 'tensorrt_llm-h100-fp8-tp1-latency'],
    ['a LoRA profile without NIM_PEFT_SOURCE: no preference', H100_X8, ['vllm-bf16-tp1-lora'], null, TOP],
    ['a pin always wins', H100_X8, ['vllm-bf16-tp1'], 'sglang-bf16-tp1', 'sglang-bf16-tp1'],
  ] as const)('%s', (_, inventory, cached, pin, chosen) => {
    const s = selectProfile(catalog, inventory, request({ pin, cachedOnPurpose: cached.map(id) }));
    expect(s.profile.name).toBe(chosen);
  });

  it('the reasons say why, naming the better-ranked profile it was chosen over', () => {
    const s = selectProfile(catalog, H100_X8, request({ cachedOnPurpose: [id('vllm-bf16-tp1')] }));
    expect(s.why).toEqual([
      `${PREFERRED_REASON} (chosen over the better-ranked ${id(TOP)} (${TOP}), which was not)`,
      'best cached on purpose of 10 eligible profiles: generic (any GPU), engine vllm, precision bf16, no latency/throughput tag, tp 1',
    ]);
    expect(PREFERRED_REASON).toBe('cached on purpose by download-to-cache --profiles; NIMLET_PREFER_CACHED=0 turns this off');
  });

  it('the top-ranked profile cached on purpose: the reason says so, naming no other', () => {
    const s = selectProfile(catalog, H100_X8, request({ cachedOnPurpose: [id(TOP)] }));
    expect(s.why[0]).toBe(PREFERRED_REASON);
  });

  it('a pin is not overruled even when the pinned profile cannot run', () => {
    const e = thrown(() => selectProfile(catalog, host(many('L40S', 1)), request({ pin: TOP, cachedOnPurpose: [id('vllm-bf16-tp1')] })));
    expect(e.exitCode).toBe(69);
  });

  it('cachedFirst keeps each part in its order', () => {
    const ranked = ['a', 'b', 'c', 'd'].map((x) => ({ profile: { ...byName(TOP), id: x }, tp: 1 }));
    expect(cachedFirst(ranked, ['d', 'b']).map((r) => r.profile.id)).toEqual(['b', 'd', 'a', 'c']);
    expect(cachedFirst(ranked).map((r) => r.profile.id)).toEqual(['a', 'b', 'c', 'd']);
  });
});

describe('NIMLET_PREFER_CACHED', () => {
  const found = [id('vllm-bf16-tp1')];
  it.each([
    ['unset: on', {}, found],
    ['empty: on', { NIMLET_PREFER_CACHED: '' }, found],
    ['1: on', { NIMLET_PREFER_CACHED: '1' }, found],
    ['0: off, the shell passes none', { NIMLET_PREFER_CACHED: '0' }, []],
  ])('%s', (_, env, expected) => {
    const req = buildRequest(readSettings(env, '/'), {}, undefined, found);
    expect(req.cachedOnPurpose).toEqual(expected);
    expect(selectProfile(catalog, H100_X8, req).profile.name).toBe(expected.length ? 'vllm-bf16-tp1' : TOP);
  });
  it('a bad value: 78 naming the variable', () => {
    const e = thrown(() => readSettings({ NIMLET_PREFER_CACHED: 'sometimes' }, '/'));
    expect([e.exitCode, e.message]).toEqual([78, 'NIMLET_PREFER_CACHED="sometimes" is not valid: expected 1/true/yes/on or 0/false/no/off']);
  });
});
