// Generators of broken manifests for the property tests: a valid manifest of one of the layouts, then one
// mutation that must make it invalid. Each case carries a fragment that some problem's text must contain.
import fc from 'fast-check';
import { stringify } from 'yaml';

export interface BrokenCase {
  text: string;
  /** A fragment the details must contain: the key path or message that locates the mutation. */
  expect: string;
}

const hex = fc.stringMatching(/^[0-9a-f]{64}$/);
const engine = fc.constantFrom('tensorrt_llm', 'vllm', 'sglang');
const tagsArb = fc.record({
  llm_engine: engine,
  precision: fc.constantFrom('fp8', 'bf16', 'fp16'),
  tp: fc.constantFrom('1', '2', '4', '8'),
  pp: fc.constantFrom('1', '2'),
});
const badCount = fc.constantFrom('0', '-1', 'two', '1.5', '', ' ');
const badEngine = fc.string({ minLength: 1, maxLength: 12 }).filter((s) => !['tensorrt_llm', 'vllm', 'sglang'].includes(s));
const wrongValue = fc.constantFrom<unknown>([1, 2], { a: 1 }, null);

type Mutation = 'engine' | 'tp' | 'pp' | 'gpus' | 'tagType' | 'noTags' | 'tagsType' | 'dupId' | 'badKey' | 'badYaml' | 'inside';

function nim1(ids: string[], tags: Record<string, string>[], m: Mutation, bad: unknown): BrokenCase {
  const profiles: Record<string, unknown> = {};
  ids.forEach((id, i) => (profiles[id] = { tags: { ...tags[i] }, workspace: { components: [{ dst: '', src: { repo_id: 'o/m:1', files: ['config.json'] } }] } }));
  const first = profiles[ids[0]!] as { tags: Record<string, unknown> };
  const id0 = ids[0]!;
  switch (m) {
    case 'engine': first.tags.llm_engine = bad; return { text: stringify(profiles), expect: `${id0}.tags.llm_engine: unknown llm_engine` };
    case 'tp': first.tags.tp = bad; return { text: stringify(profiles), expect: `${id0}.tags.tp: tp must be` };
    case 'pp': first.tags.pp = bad; return { text: stringify(profiles), expect: `${id0}.tags.pp: pp must be` };
    case 'gpus': first.tags.number_of_gpus = bad; return { text: stringify(profiles), expect: `${id0}.tags.number_of_gpus:` };
    case 'tagType': first.tags.precision = bad; return { text: stringify(profiles), expect: `${id0}.tags.precision:` };
    case 'noTags': delete (first as { tags?: unknown }).tags; return { text: stringify(profiles), expect: `${id0}.tags: missing` };
    case 'tagsType': (first as { tags: unknown }).tags = bad; return { text: stringify(profiles), expect: `${id0}.tags:` };
    case 'badKey': return { text: `not-an-id:\n  tags: {llm_engine: vllm}\n${stringify(profiles)}`, expect: 'not-an-id: "not-an-id" is not a 64-hex profile id' };
    case 'dupId': {
      const text = stringify(profiles);
      return { text: `${text}${text.split('\n').slice(0, 3).join('\n')}\n`, expect: `duplicate key "${id0}" (first at line 1)` };
    }
    case 'badYaml': return { text: `${stringify(profiles)}${id0.slice(0, 8)}: [unclosed\n  - x: : y\n`, expect: ': (root): YAML: ' };
    case 'inside': {
      const { workspace } = first as unknown as { workspace: { components: unknown[] } };
      workspace.components.push({ dst: '', src: { repo_id: 'o/m:1', files: [bad] } });
      return { text: stringify(profiles), expect: 'lies inside "config.json", which is a file of this profile' };
    }
  }
}

function schema2(tags: Record<string, string>[], m: Mutation, bad: unknown): BrokenCase {
  const profiles = tags.map((t) => ({ tags: { ...t }, workspace: { files: { 'config.json': { uri: 'hf://o/m:main?file=config.json', size: 10 } } } }));
  const doc: Record<string, unknown> = { schema_version: '2.0.0', profiles };
  const first = profiles[0]! as { tags: Record<string, unknown> };
  switch (m) {
    case 'engine': first.tags.llm_engine = bad; return { text: stringify(doc), expect: 'profiles[0].tags.llm_engine: unknown llm_engine' };
    case 'tp': first.tags.tp = bad; return { text: stringify(doc), expect: 'profiles[0].tags.tp: tp must be' };
    case 'pp': first.tags.pp = bad; return { text: stringify(doc), expect: 'profiles[0].tags.pp: pp must be' };
    case 'gpus': first.tags.number_of_gpus = bad; return { text: stringify(doc), expect: 'profiles[0].tags.number_of_gpus:' };
    case 'tagType': first.tags.precision = bad; return { text: stringify(doc), expect: 'profiles[0].tags.precision:' };
    case 'noTags': delete (first as { tags?: unknown }).tags; return { text: stringify(doc), expect: 'profiles[0].tags: missing' };
    case 'tagsType': (first as { tags: unknown }).tags = bad; return { text: stringify(doc), expect: 'profiles[0].tags:' };
    case 'badKey': doc.schema_version = '3.0.0'; return { text: stringify(doc), expect: 'schema_version: unsupported schema_version "3.0.0"' };
    case 'dupId': {
      const id = 'c'.repeat(64);
      doc.profiles = [{ id, ...profiles[0] }, { id, ...profiles[0] }];
      return { text: stringify(doc), expect: `profiles[1].id: duplicate profile id ${id}` };
    }
    case 'badYaml': return { text: `${stringify(doc)}\tprofiles: {\n`, expect: ': (root): YAML: ' };
    case 'inside': {
      const { workspace } = profiles[0]!;
      (workspace.files as Record<string, unknown>)[String(bad)] = { uri: 'hf://o/m:main?file=x' };
      return { text: stringify(doc), expect: `profiles[0].workspace.files[${JSON.stringify(bad)}]: ` };
    }
  }
}

/** Arguments for the mutation: a value that breaks that key. */
function badFor(m: Mutation): fc.Arbitrary<unknown> {
  if (m === 'engine') return badEngine;
  if (m === 'tp' || m === 'pp' || m === 'gpus') return badCount;
  // tags must be a map: anything else breaks them
  if (m === 'tagsType') return fc.constantFrom<unknown>([1, 2], null, 'fp8', 7);
  // a path under the workspace's one file, `config.json`
  if (m === 'inside') return fc.constantFrom<unknown>('config.json/x', 'config.json/a/b', './config.json/x');
  return wrongValue;
}

export const brokenManifest: fc.Arbitrary<BrokenCase> = fc
  .tuple(
    fc.constantFrom('nim1', 'schema2'),
    fc.constantFrom<Mutation>('engine', 'tp', 'pp', 'gpus', 'tagType', 'noTags', 'tagsType', 'dupId', 'badKey', 'badYaml', 'inside'),
    fc.uniqueArray(hex, { minLength: 1, maxLength: 4 }),
    fc.array(tagsArb, { minLength: 4, maxLength: 4 }),
  )
  .chain(([layout, m, ids, tags]) =>
    badFor(m).map((bad) => (layout === 'nim1' ? nim1(ids, tags, m, bad) : schema2(tags.slice(0, ids.length), m, bad))),
  );
