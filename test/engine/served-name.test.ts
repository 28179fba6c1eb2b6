import { describe, expect, it } from 'vitest';
import { defaultServedModelName } from '../../src/engine/served-name.js';
import { makeProfile } from '../support/profile.js';

const file = (uri: string) => ({ path: 'config.json', uri, sha256: null, size: null, extract: false });

describe('defaultServedModelName', () => {
  it.each([
    ['the model tag first', { tags: { model: 'meta/llama3-8b-instruct' }, files: [file('hf://org/repo:main?file=config.json')] }, 'meta/llama3-8b-instruct'],
    ['an NGC team/model', { files: [file('ngc://nim/meta/llama-3.1-8b-instruct:hf?file=config.json')] }, 'meta/llama-3.1-8b-instruct'],
    ['an NGC org/model', { files: [file('ngc://nvidia/nemotron:1.0?file=config.json')] }, 'nvidia/nemotron'],
    ['a Hugging Face repo', { files: [file('https://x.test/a'), file('hf://Qwen/Qwen2.5-7B:main?file=config.json')] }, 'Qwen/Qwen2.5-7B'],
    ['else the folder name', { files: [file('https://x.test/config.json')] }, 'p1'],
  ] as const)('%s', (_n, over, expected) => {
    const profile = makeProfile('vllm', { ...over, tags: { llm_engine: 'vllm', ...('tags' in over ? over.tags : {}) }, files: [...over.files] });
    expect(defaultServedModelName(profile, '/cache/profiles/p1')).toBe(expected);
  });
});
