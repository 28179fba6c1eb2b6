// Every argv nimlet can build uses only flags the engine's own parser has, with a value of the right type
// (DESIGN §8). The inventories (test/fixtures/engines/*.json) record each flag with the file and line of the
// engine's parser it was read from, per engine version; this table builds every combination nimlet can
// produce — engine × tp/pp × LoRA × max length × served name × built engine or checkpoint × engine version — and
// checks each argument against them.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildEngineCommand } from '../../src/engine/argv.js';
import type { Engine } from '../../src/manifest/types.js';
import { compareVersions } from '../../src/select/version.js';
import { makeProfile, makeSelection, settingsFrom } from '../support/profile.js';

type ValueType = 'int' | 'str' | 'bool' | 'str+' | 'str*';
interface FlagSpec { type: ValueType; choices?: (string | number)[]; at: Record<string, string> }
interface Inventory { versions: Record<string, unknown>; positional?: { type: ValueType; at: Record<string, string> }; flags: Record<string, FlagSpec> }

const DIR = path.join(import.meta.dirname, '../fixtures/engines');
const inventories = Object.fromEntries((['vllm', 'sglang', 'tensorrt_llm'] as const).map((e) =>
  [e, JSON.parse(readFileSync(path.join(DIR, `${e}.json`), 'utf8')) as Inventory])) as Record<Engine, Inventory>;
const COMMANDS: Record<Engine, number> = { vllm: 2, tensorrt_llm: 1, sglang: 3 };

/** The inventory versions an argv built for `version` must satisfy. */
function versionsFor(engine: Engine, version: string | null): string[] {
  if (engine !== 'tensorrt_llm') return Object.keys(inventories[engine].versions);
  // --served_model_name is given only for a known >= 1.3: such an argv is held to 1.3, any other to 1.3.0rc3 (1.0-1.3rc)
  return version !== null && compareVersions(version, '1.3') >= 0 ? ['1.3'] : ['1.3.0rc3'];
}

function valueOk(type: ValueType, value: string): boolean {
  return type === 'int' ? /^\d+$/.test(value) : true;
}

/** Every problem of one argv against an engine's inventory: unknown flag, missing in a version, bad value, repeated flag. */
function checkArgv(engine: Engine, argv: readonly string[], versions: readonly string[]): string[] {
  const inv = inventories[engine];
  const problems: string[] = [];
  const seen = new Set<string>();
  let positionals = 0;
  for (let i = COMMANDS[engine]; i < argv.length; i++) {
    const token = argv[i]!;
    if (!token.startsWith('--')) {
      if (!inv.positional || ++positionals > 1) problems.push(`unexpected positional argument ${JSON.stringify(token)}`);
      continue;
    }
    const spec = inv.flags[token];
    if (!spec) {
      problems.push(`${token} is not in ${engine}'s inventory`);
      while (i + 1 < argv.length && !argv[i + 1]!.startsWith('--')) i++; // its values, whatever they are
      continue;
    }
    if (seen.has(token)) problems.push(`${token} is given twice`);
    seen.add(token);
    for (const v of versions) if (spec.at[v] === undefined) problems.push(`${token} does not exist in ${engine} ${v}`);
    const values: string[] = [];
    const many = spec.type === 'str+' || spec.type === 'str*';
    while (spec.type !== 'bool' && i + 1 < argv.length && !argv[i + 1]!.startsWith('--') && (many || values.length === 0)) values.push(argv[++i]!);
    const want = spec.type === 'bool' ? 0 : spec.type === 'str*' ? -1 : 1;
    if (want === 0 && values.length > 0) problems.push(`${token} takes no value`);
    if (want === 1 && values.length === 0) problems.push(`${token} needs a value`);
    for (const value of values) {
      if (!valueOk(spec.type, value)) problems.push(`${token} ${JSON.stringify(value)} is not ${spec.type === 'int' ? 'an integer' : spec.type}`);
      if (spec.choices && !spec.choices.map(String).includes(value)) problems.push(`${token} ${value} is not one of ${spec.choices.join(', ')}`);
    }
  }
  return problems;
}

const file = (p: string) => ({ path: p, uri: `file:///m/${p}`, sha256: null, size: null, extract: false });

interface Combo { engine: Engine; tp: number; pp: number; lora: 'off' | 'adapters' | 'empty'; maxLen: boolean; name: boolean; built: boolean; version: string | null; host: string; group: 'none' | 'leader' | 'worker' }

function combos(): Combo[] {
  const out: Combo[] = [];
  for (const engine of ['vllm', 'tensorrt_llm', 'sglang'] as const)
    for (const [tp, pp] of [[1, 1], [2, 1], [4, 2]] as const)
      for (const lora of ['off', 'adapters', 'empty'] as const)
        for (const maxLen of [false, true])
          for (const name of [false, true])
            for (const built of engine === 'tensorrt_llm' ? [false, true] : [false])
              for (const version of engine === 'tensorrt_llm' ? [null, '1.0.0', '1.2.0', '1.3.0'] : [null])
                for (const host of ['0.0.0.0', '127.0.0.1'])
                  for (const group of engine === 'tensorrt_llm' ? ['none'] as const : ['none', 'leader', 'worker'] as const) out.push({ engine, tp, pp, lora, maxLen, name, built, version, host, group });
  return out;
}

function build(c: Combo): string[] {
  const profile = makeProfile(c.engine, {
    tags: { llm_engine: c.engine, feat_lora_max_rank: '16' },
    files: c.built ? [file('config.json'), file('trtllm_engine/rank0.engine')] : [file('config.json')],
  });
  const env: Record<string, string> = {};
  if (c.lora !== 'off') env.NIM_PEFT_SOURCE = '/loras';
  if (c.maxLen) env.NIM_MAX_MODEL_LEN = '8192';
  if (c.name) env.NIM_SERVED_MODEL_NAME = 'meta/llama-3.1-8b-instruct';
  // a multi-node group of 2 (DESIGN §14): the rendezvous flags, and --headless on a vLLM worker
  if (c.group !== 'none') Object.assign(env, { NIM_MULTI_NODE: '1', NIM_NUM_COMPUTE_NODES: '2', NIM_NODE_RANK: c.group === 'leader' ? '0' : '1', LWS_LEADER_ADDRESS: 'llama-lws-0.llama-lws.default' });
  const adapters = c.lora === 'adapters' ? [{ name: 'sql', path: '/loras/sql', rank: 24 }, { name: 'chat', path: '/loras/chat', rank: null }] : [];
  return buildEngineCommand({
    profile,
    selection: makeSelection(profile, { tp: c.tp, pp: c.pp }),
    settings: settingsFrom(env),
    modelDir: '/cache/profiles/p',
    listen: { host: c.host, port: 8000 },
    engineVersion: c.version,
    loraAdapters: adapters,
    scratchDir: '/tmp/s',
  }).argv;
}

describe('every argv nimlet builds is accepted by the engine versions nimlet supports', () => {
  const all = combos();
  it('covers every engine × tp/pp × LoRA × max length × served name × built engine × version × multi-node role', () => {
    expect(all.length).toBe(3 * (3 * 3 * 2 * 2 * 2) + 3 * 3 * 2 * 2 * 2 * 2 * 4 + 3 * (3 * 3 * 2 * 2 * 2));
  });

  it.each(all.map((c) => [`${c.engine} tp${c.tp} pp${c.pp} lora=${c.lora} maxLen=${c.maxLen} name=${c.name} built=${c.built} version=${c.version} host=${c.host} group=${c.group}`, c] as const))('%s', (_label, c) => {
    const argv = build(c);
    expect(checkArgv(c.engine, argv, versionsFor(c.engine, c.version))).toEqual([]);
  });
});

describe('the check itself', () => {
  it.each([
    ['a misspelt flag', 'tensorrt_llm', ['trtllm-serve', '/m', '--tp-size', '2'], ['--tp-size is not in tensorrt_llm\'s inventory']],
    ['a flag the version lacks', 'tensorrt_llm', ['trtllm-serve', '/m', '--served_model_name', 'x'], ['--served_model_name does not exist in tensorrt_llm 1.3.0rc3']],
    ['a word where an integer goes', 'vllm', ['vllm', 'serve', '/m', '--tensor-parallel-size', 'two'], ['--tensor-parallel-size "two" is not an integer']],
    ['a value outside the choices', 'vllm', ['vllm', 'serve', '/m', '--max-lora-rank', '24'], ['--max-lora-rank 24 is not one of 8, 16, 32, 64, 128, 256, 320, 512']],
    ['a value after a switch', 'sglang', ['python3', '-m', 'sglang.launch_server', '--enable-lora', 'yes'], ['unexpected positional argument "yes"']],
    ['a flag twice', 'sglang', ['python3', '-m', 'sglang.launch_server', '--enable-lora', '--enable-lora'], ['--enable-lora is given twice']],
  ] as const)('rejects %s', (_name, engine, argv, problems) => {
    expect(checkArgv(engine, argv, versionsFor(engine, null))).toEqual(problems);
  });

  it('the issue\'s cases hold: built engine, SGLang LoRA without adapters, a rank-24 adapter in vLLM', () => {
    const trt = build({ engine: 'tensorrt_llm', tp: 1, pp: 1, lora: 'off', maxLen: false, name: false, built: true, version: null, host: '0.0.0.0', group: 'none' });
    expect(trt.slice(0, 6)).toEqual(['trtllm-serve', '/cache/profiles/p/trtllm_engine', '--backend', 'tensorrt', '--tokenizer', '/cache/profiles/p']);
    const sg = build({ engine: 'sglang', tp: 1, pp: 1, lora: 'empty', maxLen: false, name: false, built: false, version: null, host: '0.0.0.0', group: 'none' });
    expect(sg.slice(sg.indexOf('--lora-target-modules'), sg.indexOf('--lora-target-modules') + 2)).toEqual(['--lora-target-modules', 'all']);
    const vl = build({ engine: 'vllm', tp: 1, pp: 1, lora: 'adapters', maxLen: false, name: false, built: false, version: null, host: '0.0.0.0', group: 'none' });
    expect(vl[vl.indexOf('--max-lora-rank') + 1]).toBe('32');
  });

  it('multi-node (DESIGN §14): the rendezvous at the leader on the fixed port; only a vLLM worker is --headless', () => {
    const base = { tp: 8, pp: 2, lora: 'off', maxLen: false, name: false, built: false, version: null, host: '127.0.0.1' } as const;
    const tail = (argv: string[], flag: string) => argv.slice(argv.indexOf(flag));
    expect(tail(build({ ...base, engine: 'vllm', group: 'leader' }), '--nnodes')).toEqual(['--nnodes', '2', '--node-rank', '0', '--master-addr', 'llama-lws-0.llama-lws.default', '--master-port', '29501']);
    expect(tail(build({ ...base, engine: 'vllm', group: 'worker' }), '--nnodes')).toEqual(['--nnodes', '2', '--node-rank', '1', '--master-addr', 'llama-lws-0.llama-lws.default', '--master-port', '29501', '--headless']);
    expect(tail(build({ ...base, engine: 'sglang', group: 'worker' }), '--nnodes')).toEqual(['--nnodes', '2', '--node-rank', '1', '--dist-init-addr', 'llama-lws-0.llama-lws.default:29501']);
    expect(() => build({ ...base, engine: 'tensorrt_llm', group: 'leader' })).toThrow(/cannot start across nodes/);
  });
});
