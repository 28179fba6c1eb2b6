// The fast path (js-yaml + a line scan) must give exactly what the exact path (yaml 2) gives, and must step
// aside whenever it could not.
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { readYamlFast } from '../../src/manifest/fast-read.js';
import { parseManifestText, parseManifestTextExact } from '../../src/manifest/load.js';
import { fixture } from './helpers.js';

const manifests = fileURLToPath(new URL('../../manifests/', import.meta.url));
const files = [
  ...readdirSync(path.dirname(fixture('x'))).filter((f) => f.endsWith('.yaml')).map(fixture),
  ...readdirSync(manifests).filter((f) => f.endsWith('.yaml')).map((f) => path.join(manifests, f)),
];
const H = (c: string) => c.repeat(64);

function outcome(read: (text: string, file: string) => unknown, text: string): unknown {
  try {
    return read(text, 'm.yaml');
  } catch (e) {
    return e;
  }
}

describe('fast path', () => {
  it.each(files)('agrees with the exact path on %s', (file) => {
    const text = readFileSync(file, 'utf8');
    expect(outcome(parseManifestText, text)).toEqual(outcome(parseManifestTextExact, text));
  });

  it.each([
    ['a clean NIM 1.x manifest', readFileSync(path.join(manifests, 'llama-3.1-8b-instruct.nim1.yaml'), 'utf8'), true],
    ['quoted 1.x ids', `"${H('a')}":\n  tags: {llm_engine: vllm}\n`, true],
    ['a clean schema-2 manifest', `schema_version: 2.0.0\nprofiles:\n  - tags: {tp: '1'}\n  - tags: {tp: '2'}\n`, true],
    ['an unquoted number in tags', `${H('a')}:\n  tags: {tp: 1}\n`, false],
    ['a float min_driver', `schema_version: 2.0.0\nprofiles:\n- tags: {}\n  requirements: {min_driver: 550.90}\n`, false],
    ['a lone dash item', `schema_version: 2.0.0\nprofiles:\n  -\n    tags: {}\n`, false],
    ['a flow list of profiles', `schema_version: 2.0.0\nprofiles: [{tags: {}}]\n`, false],
    ['duplicate keys', `${H('a')}:\n  tags: {}\n${H('a')}:\n  tags: {}\n`, false],
    ['an unknown tag', `${H('a')}:\n  tags: !foo {}\n`, false],
    ['a legacy list', 'manifest:\n  - id: x\n    tags: {}\n', false],
    ['a bare list', '- id: x\n', false],
    ['an anchor and an alias', `${H('a')}:\n  tags: &t {llm_engine: vllm}\n${H('b')}:\n  tags: *t\n`, false],
    ['a complex key', `${H('a')}:\n  tags:\n    ? [a]\n    : b\n`, false],
    ['a * or & inside text is no alias', `${H('a')}:\n  tags: {llm_engine: vllm, note: "a*b&c"}\n`, true],
  ])('%s: used = %s', (_what, text, used) => {
    expect(readYamlFast(text) !== null).toBe(used);
  });

  // The bound is a count, not a clock: the walk gives up at the 1,001st alias (the problem names where), so a
  // billion laughs costs a thousand steps and a self-reference stops at its first loop.
  it.each([
    ['an alias to itself', 'a: &a [*a]\n', 'm.yaml:1: a[0]: alias *a does not resolve or refers to itself'],
    ['a billion laughs', ['a: &a [x, x, x, x, x, x, x, x, x, x]', ...Array.from({ length: 8 }, (_, i) => {
      const p = i === 0 ? 'a' : `l${i - 1}`;
      return `l${i}: &l${i} [*${p}, *${p}, *${p}, *${p}, *${p}, *${p}, *${p}, *${p}, *${p}, *${p}]`;
    })].join('\n') + '\n', 'm.yaml:2: l2[7][9][2]: more than 1000 aliases'],
  ])('%s: a located exit 65, the alias walk stopped, not a crash or a hang', (_what, text, reason) => {
    const e = outcome(parseManifestText, text) as { exitCode?: number; message?: string; details?: string[] };
    expect(e.exitCode).toBe(65);
    expect(e.details).toContain(reason);
    expect(e.details?.filter((d) => /alias/.test(d))).toEqual([reason]);
  });

  it('agrees with the exact path on generated manifests, valid or not', () => {
    const tagValue = fc.oneof(fc.constantFrom('1', '2', 'vllm', 'fp8', 'true', '550.90'), fc.integer({ min: -2, max: 9 }), fc.boolean());
    const tags = fc.dictionary(fc.constantFrom('llm_engine', 'tp', 'pp', 'precision', 'gpu', 'feat_lora', 'x-y'), tagValue);
    const file = fc.record({ uri: fc.constantFrom('hf://o/m:main?file=a', 'files/a', 'ngc://o/m?file=a'), size: fc.nat() }, { requiredKeys: ['uri'] });
    const profile = fc.record({ tags, workspace: fc.record({ files: fc.dictionary(fc.constantFrom('a', 'b/c', '../d'), file) }) });
    const component = fc.record({ dst: fc.constantFrom('', 'engine', '../x'), src: fc.record({ repo_id: fc.constantFrom('o/m:1', 'o/m', 'hf://o/m:main'), files: fc.array(fc.constantFrom('a', 'b/c'), { maxLength: 2 }) }) });
    const nim1Profile = fc.record({ tags, workspace: fc.record({ components: fc.array(component, { maxLength: 2 }) }) });
    const nim1 = fc.dictionary(fc.stringMatching(/^[0-9a-f]{64}$/), nim1Profile, { minKeys: 1, maxKeys: 4 }).map((d) => stringify(d));
    const schema2 = fc.array(profile, { minLength: 1, maxLength: 4 }).map((profiles) => stringify({ schema_version: '2.0.0', profiles }));
    fc.assert(
      fc.property(fc.oneof(nim1, schema2), (text) => {
        expect(outcome(parseManifestText, text)).toEqual(outcome(parseManifestTextExact, text));
      }),
      { numRuns: 200 },
    );
  });
});
