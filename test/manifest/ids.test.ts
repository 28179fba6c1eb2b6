import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { canonicalJson, computeProfileId } from '../../src/manifest/ids.js';

describe('canonicalJson', () => {
  it.each([
    [{ b: 1, a: [2, { d: null, c: 'x' }] }, '{"a":[2,{"c":"x","d":null}],"b":1}'],
    [{ a: undefined, b: true }, '{"b":true}'],
    ['t', '"t"'],
    [[], '[]'],
  ])('%j → %s', (value, text) => {
    expect(canonicalJson(value)).toBe(text);
  });
});

describe('computeProfileId', () => {
  const tags = { tp: '1', llm_engine: 'vllm' };
  const files = { 'config.json': { uri: 'hf://o/m:main?file=config.json', size: 10 } };

  it('is the sha256 of {tags, workspace: {files}} with sorted keys', () => {
    const expected = createHash('sha256')
      .update('{"tags":{"llm_engine":"vllm","tp":"1"},"workspace":{"files":{"config.json":{"size":10,"uri":"hf://o/m:main?file=config.json"}}}}')
      .digest('hex');
    expect(computeProfileId(tags, files)).toBe(expected);
  });

  it('does not depend on key order', () => {
    const reordered = { llm_engine: 'vllm', tp: '1' };
    expect(computeProfileId(reordered, { 'config.json': { size: 10, uri: 'hf://o/m:main?file=config.json' } })).toBe(computeProfileId(tags, files));
  });

  it('changes with any tag or file', () => {
    const base = computeProfileId(tags, files);
    expect(computeProfileId({ ...tags, tp: '2' }, files)).not.toBe(base);
    expect(computeProfileId(tags, { 'config.json': { uri: 'hf://o/m:main?file=config.json', size: 11 } })).not.toBe(base);
    expect(base).toMatch(/^[0-9a-f]{64}$/);
  });
});
