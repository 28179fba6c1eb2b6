import { describe, expect, it } from 'vitest';
import { buildEngineCommand } from '../../src/engine/argv.js';
import type { Engine } from '../../src/manifest/types.js';
import { makeProfile, makeSelection, settingsFrom } from '../support/profile.js';

const DIR = '/cache/profiles/p1';

function argvFor(engine: Engine, opts: {
  env?: Record<string, string>; tp?: number; pp?: number; tags?: Record<string, string>;
  args?: string[]; adapters?: { name: string; path: string; rank?: number }[]; version?: string; built?: boolean;
} = {}) {
  const profile = makeProfile(engine, {
    tags: { llm_engine: engine, ...(opts.tags ?? {}) },
    engineSettings: { args: opts.args ?? [], env: {} },
  });
  return buildEngineCommand({
    profile,
    selection: makeSelection(profile, { tp: opts.tp ?? 1, pp: opts.pp ?? 1 }),
    settings: settingsFrom(opts.env ?? {}),
    modelDir: DIR,
    loraAdapters: (opts.adapters ?? []).map((a) => ({ rank: null, ...a })),
    scratchDir: '/tmp/s',
    engineVersion: opts.version ?? null,
    ...(opts.built === undefined ? {} : { builtEngine: opts.built }),
  });
}

describe('buildEngineCommand: vLLM', () => {
  it.each([
    ['defaults', {}, ['vllm', 'serve', DIR, '--host', '0.0.0.0', '--port', '8000', '--served-model-name', 'p1', '--tensor-parallel-size', '1', '--pipeline-parallel-size', '1']],
    ['tp/pp, port, name, max len', { tp: 4, pp: 2, env: { NIM_SERVER_PORT: '9000', NIM_SERVED_MODEL_NAME: 'meta/llama', NIM_MAX_MODEL_LEN: '8192' } },
      ['vllm', 'serve', DIR, '--host', '0.0.0.0', '--port', '9000', '--served-model-name', 'meta/llama', '--tensor-parallel-size', '4', '--pipeline-parallel-size', '2', '--max-model-len', '8192']],
    ['profile args then passthrough', { args: ['--enforce-eager'], env: { NIM_PASSTHROUGH_ARGS: "--max-num-seqs 8 --chat-template 'a b'" } },
      ['vllm', 'serve', DIR, '--host', '0.0.0.0', '--port', '8000', '--served-model-name', 'p1', '--tensor-parallel-size', '1', '--pipeline-parallel-size', '1', '--enforce-eager', '--max-num-seqs', '8', '--chat-template', 'a b']],
    ['{model_dir} in profile args is the model folder; in passthrough args it stays', { args: ['--chat-template', '{model_dir}/chat.jinja', '--x={model_dir}'], env: { NIM_PASSTHROUGH_ARGS: '--y {model_dir}' } },
      ['vllm', 'serve', DIR, '--host', '0.0.0.0', '--port', '8000', '--served-model-name', 'p1', '--tensor-parallel-size', '1', '--pipeline-parallel-size', '1', '--chat-template', `${DIR}/chat.jinja`, `--x=${DIR}`, '--y', '{model_dir}']],
    ['command override', { env: { NIMLET_VLLM_CMD: '/opt/venv/bin/python -m vllm.entrypoints.cli.main serve' } },
      ['/opt/venv/bin/python', '-m', 'vllm.entrypoints.cli.main', 'serve', DIR, '--host', '0.0.0.0', '--port', '8000', '--served-model-name', 'p1', '--tensor-parallel-size', '1', '--pipeline-parallel-size', '1']],
    ['LoRA with rank and adapters', { tags: { feat_lora: 'true', feat_lora_max_rank: '32' }, env: { NIM_PEFT_SOURCE: '/loras' }, adapters: [{ name: 'a', path: '/loras/a' }, { name: 'b', path: '/loras/b' }] },
      ['vllm', 'serve', DIR, '--host', '0.0.0.0', '--port', '8000', '--served-model-name', 'p1', '--tensor-parallel-size', '1', '--pipeline-parallel-size', '1', '--enable-lora', '--max-lora-rank', '32', '--lora-modules', 'a=/loras/a', 'b=/loras/b']],
  ] as const)('%s', (_name, opts, expected) => {
    const cmd = argvFor('vllm', opts as Parameters<typeof argvFor>[1]);
    expect(cmd.argv).toEqual(expected);
    expect(cmd.files).toEqual([]);
    expect(cmd.commandVariable).toBe('NIMLET_VLLM_CMD');
  });
});

describe('buildEngineCommand: TensorRT-LLM', () => {
  const CKPT = ['trtllm-serve', DIR, '--backend', 'pytorch'];
  it.each([
    ['checkpoint: PyTorch backend, no served name flag unless asked', {}, [...CKPT, '--host', '0.0.0.0', '--port', '8000', '--tp_size', '1', '--pp_size', '1']],
    ['NIM_SERVED_MODEL_NAME with TensorRT-LLM 1.3: --served_model_name', { tp: 2, pp: 2, version: '1.3.0', env: { NIM_SERVER_PORT: '8080', NIM_SERVED_MODEL_NAME: 'm', NIM_MAX_MODEL_LEN: '4096' } },
      [...CKPT, '--host', '0.0.0.0', '--port', '8080', '--tp_size', '2', '--pp_size', '2', '--served_model_name', 'm', '--max_seq_len', '4096']],
    ['NIM_SERVED_MODEL_NAME with TensorRT-LLM 1.2: no --served_model_name (1.2 exits on it)', { version: '1.2.0', env: { NIM_SERVED_MODEL_NAME: 'm' } },
      [...CKPT, '--host', '0.0.0.0', '--port', '8000', '--tp_size', '1', '--pp_size', '1']],
    ['NIM_SERVED_MODEL_NAME, version unknown: no --served_model_name', { env: { NIM_SERVED_MODEL_NAME: 'm' } },
      [...CKPT, '--host', '0.0.0.0', '--port', '8000', '--tp_size', '1', '--pp_size', '1']],
    ['built engine: the engine folder, the TensorRT backend, the tokenizer in the workspace root', { built: true, tp: 2 },
      ['trtllm-serve', `${DIR}/trtllm_engine`, '--backend', 'tensorrt', '--tokenizer', DIR, '--host', '0.0.0.0', '--port', '8000', '--tp_size', '2', '--pp_size', '1']],
    ['a --backend in the profile args replaces nimlet\'s: each flag once', { args: ['--backend', 'pytorch'], env: { NIM_PASSTHROUGH_ARGS: '--max_batch_size 64' } },
      ['trtllm-serve', DIR, '--host', '0.0.0.0', '--port', '8000', '--tp_size', '1', '--pp_size', '1', '--backend', 'pytorch', '--max_batch_size', '64']],
    ['command override', { env: { NIMLET_TRTLLM_CMD: 'mpirun -n 1 trtllm-serve' } },
      ['mpirun', '-n', '1', ...CKPT, '--host', '0.0.0.0', '--port', '8000', '--tp_size', '1', '--pp_size', '1']],
  ] as const)('%s', (_name, opts, expected) => {
    expect(argvFor('tensorrt_llm', opts as Parameters<typeof argvFor>[1]).argv).toEqual(expected);
  });

  it('a served name it cannot pass is a note for the start-up warning, never silent', () => {
    expect(argvFor('tensorrt_llm', { version: '1.2.0', env: { NIM_SERVED_MODEL_NAME: 'm' } }).notes).toEqual([
      'NIM_SERVED_MODEL_NAME is not passed to trtllm-serve: --served_model_name exists from TensorRT-LLM 1.3 and this is 1.2.0 (declare it as NIMLET_ENGINES=tensorrt_llm@VERSION)',
    ]);
    expect(argvFor('tensorrt_llm', { version: '1.3.0', env: { NIM_SERVED_MODEL_NAME: 'm' } }).notes).toEqual([]);
  });

  it('a profile whose files include trtllm_engine/ is a built engine', () => {
    const file = (p: string) => ({ path: p, uri: `file:///x/${p}`, sha256: null, size: null, extract: false });
    const profile = makeProfile('tensorrt_llm', { files: [file('config.json'), file('trtllm_engine/rank0.engine')] });
    const cmd = buildEngineCommand({ profile, selection: makeSelection(profile), settings: settingsFrom({}), modelDir: DIR });
    expect(cmd.argv.slice(0, 6)).toEqual(['trtllm-serve', `${DIR}/trtllm_engine`, '--backend', 'tensorrt', '--tokenizer', DIR]);
  });

  it('LoRA: an LLM API options file with lora_config; the rank covers the adapters', () => {
    const cmd = argvFor('tensorrt_llm', { tags: { feat_lora_max_rank: '64' }, env: { NIM_PEFT_SOURCE: '/loras' }, adapters: [{ name: 'x', path: '/loras/x', rank: 128 }] });
    expect(cmd.argv.slice(-2)).toEqual(['--extra_llm_api_options', '/tmp/s/nimlet-trtllm-lora.yaml']);
    expect(cmd.files).toEqual([{ path: '/tmp/s/nimlet-trtllm-lora.yaml', content: JSON.stringify({ lora_config: { lora_dir: ['/loras/x'], max_lora_rank: 128 } }, null, 2) + '\n' }]);
  });
});

describe('buildEngineCommand: SGLang', () => {
  const BASE = ['python3', '-m', 'sglang.launch_server', '--model-path', DIR, '--host', '0.0.0.0', '--port', '8000', '--tp-size', '1', '--served-model-name', 'p1'];
  it.each([
    ['defaults', {}, BASE],
    ['tp/pp, port, name, max len', { tp: 2, pp: 2, env: { NIM_SERVER_PORT: '30000', NIM_SERVED_MODEL_NAME: 'q', NIM_MAX_MODEL_LEN: '32768' } },
      ['python3', '-m', 'sglang.launch_server', '--model-path', DIR, '--host', '0.0.0.0', '--port', '30000', '--tp-size', '2', '--pp-size', '2', '--served-model-name', 'q', '--context-length', '32768']],
    ['profile args then passthrough', { args: ['--mem-fraction-static', '0.8'], env: { NIM_PASSTHROUGH_ARGS: '--mem-fraction-static 0.9' } },
      [...BASE, '--mem-fraction-static', '0.8', '--mem-fraction-static', '0.9']],
    ['command override', { env: { NIMLET_SGLANG_CMD: 'sglang serve' } },
      ['sglang', 'serve', ...BASE.slice(3)]],
    ['LoRA with an adapter: its rank, all target modules, the adapter', { env: { NIM_PEFT_SOURCE: '/l' }, adapters: [{ name: 'a', path: '/l/a', rank: 16 }] },
      [...BASE, '--enable-lora', '--max-lora-rank', '16', '--lora-target-modules', 'all', '--lora-paths', 'a=/l/a']],
    ['LoRA without adapters (an empty NIM_PEFT_SOURCE): --max-lora-rank and --lora-target-modules, as SGLang asserts', { env: { NIM_PEFT_SOURCE: '/l' } },
      [...BASE, '--enable-lora', '--max-lora-rank', '64', '--lora-target-modules', 'all']],
    ['LoRA flags the passthrough gives are not repeated', { env: { NIM_PEFT_SOURCE: '/l', NIM_PASSTHROUGH_ARGS: '--enable-lora --lora-target-modules q_proj v_proj' } },
      [...BASE, '--max-lora-rank', '64', '--enable-lora', '--lora-target-modules', 'q_proj', 'v_proj']],
  ] as const)('%s', (_name, opts, expected) => {
    expect(argvFor('sglang', opts as Parameters<typeof argvFor>[1]).argv).toEqual(expected);
  });
});

describe('buildEngineCommand: vLLM LoRA rank', () => {
  it.each([
    ['a rank-24 adapter: the smallest allowed value above it', null, [24], '32'],
    ['the tag alone, rounded up to an allowed value', '100', [], '128'],
    ['the largest of tag and adapters', '8', [4, 200], '256'],
    ['an exact allowed value stays', null, [320], '320'],
    ['rank 1: 8, the smallest value vLLM 0.11 accepts (1 came later)', null, [1], '8'],
    ['adapters without a known rank and no tag: no flag (vLLM\'s default)', null, [null], null],
  ] as const)('%s', (_name, tag, ranks, expected) => {
    const adapters = ranks.map((rank, i) => ({ name: `a${i}`, path: `/l/a${i}`, ...(rank === null ? {} : { rank }) }));
    const argv = argvFor('vllm', { env: { NIM_PEFT_SOURCE: '/l' }, adapters, tags: tag === null ? {} : { feat_lora_max_rank: tag } }).argv;
    const at = argv.indexOf('--max-lora-rank');
    expect(at < 0 ? null : argv[at + 1]).toBe(expected);
    expect(argv.filter((a) => a === '--enable-lora')).toHaveLength(1);
  });

  it('an adapter above 512 is refused (78) naming it: vLLM would abort at start', () => {
    expect(() => argvFor('vllm', { env: { NIM_PEFT_SOURCE: '/l' }, adapters: [{ name: 'huge', path: '/l/huge', rank: 1024 }] }))
      .toThrow(expect.objectContaining({ exitCode: 78, message: "LoRA rank 1024 (adapter huge) is above vLLM's largest --max-lora-rank, 512" }));
  });

  it('--enable-lora in the profile args: emitted once', () => {
    const argv = argvFor('vllm', { env: { NIM_PEFT_SOURCE: '/l' }, args: ['--enable-lora', '--max_lora_rank=64'] }).argv;
    expect(argv.filter((a) => a === '--enable-lora')).toHaveLength(1);
    expect(argv.filter((a) => a.startsWith('--max-lora-rank') || a.startsWith('--max_lora_rank'))).toEqual(['--max_lora_rank=64']);
  });
});

describe('buildEngineCommand: environment', () => {
  it('strips credentials, sets the GPUs and offline, applies the profile env under nimlet choices', () => {
    const profile = makeProfile('vllm', { engineSettings: { args: [], env: { VLLM_ATTENTION_BACKEND: 'FLASHINFER', CUDA_VISIBLE_DEVICES: '7', HF_TOKEN: 'x' } } });
    const cmd = buildEngineCommand({
      profile,
      selection: makeSelection(profile, { gpus: [1, 3], deviceUuids: ['GPU-b', 'GPU-c'], cudaDevices: ['1', '3'] }),
      settings: settingsFrom({}),
      modelDir: DIR,
      parentEnv: { PATH: '/bin', NGC_API_KEY: 'nvapi-secret', HF_TOKEN: 'hf_secret', HUGGING_FACE_HUB_TOKEN: 'hf_old', VLLM_API_KEY: 'k', UNSET: undefined },
    });
    expect(cmd.env).toEqual({
      PATH: '/bin',
      VLLM_API_KEY: 'k',
      VLLM_ATTENTION_BACKEND: 'FLASHINFER',
      CUDA_VISIBLE_DEVICES: '1,3',
      CUDA_DEVICE_ORDER: 'PCI_BUS_ID',
      HF_HUB_OFFLINE: '1',
    });
  });

  it('refuses a profile with no engine', () => {
    const profile = { ...makeProfile('vllm'), engine: null };
    expect(() => buildEngineCommand({ profile, selection: makeSelection(profile), settings: settingsFrom({}), modelDir: DIR }))
      .toThrow(expect.objectContaining({ code: 'profile-not-runnable', exitCode: 69 }));
  });
});

describe('buildEngineCommand: {model_dir} in engine.env', () => {
  it('is the model folder in every profile variable value', () => {
    const profile = makeProfile('vllm', { tags: { llm_engine: 'vllm' }, engineSettings: { args: [], env: { TEMPLATE: '{model_dir}/t.jinja', PLAIN: 'x' } } });
    const cmd = buildEngineCommand({ profile, selection: makeSelection(profile, { tp: 1, pp: 1 }), settings: settingsFrom({}), modelDir: DIR, loraAdapters: [], scratchDir: '/tmp/s' });
    expect([cmd.env.TEMPLATE, cmd.env.PLAIN]).toEqual([`${DIR}/t.jinja`, 'x']);
  });
});
