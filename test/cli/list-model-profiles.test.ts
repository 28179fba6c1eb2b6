// list-model-profiles through the built CLI: exact text (golden files), the JSON shape, and exit 0 without GPUs.
import { describe, expect, it } from 'vitest';
import { golden, ids, MANIFEST, runCli } from '../support/select-fixtures.js';

const list = (extra: string[] = []) => ['list-model-profiles', '--manifest', MANIFEST, ...extra];

/** The listing without its host block (CPU, memory, OS, cache disk: this machine's, not the fixture's). */
const HOST_BLOCK = /^- Host:\n(?: {2}.*\n)+/m;
const withoutHost = (stdout: string): string => stdout.replace(HOST_BLOCK, '');

describe('list-model-profiles text (golden)', () => {
  it.each([
    ['1 × H100', 'h100-x1', [], {}, 'h100-x1.txt'],
    ['8 × H100, one of them nearly full', 'h100-x8-gpu3-busy', [], {}, 'h100-x8.txt'],
    ['8 × H100 --explain', 'h100-x8-gpu3-busy', ['--explain'], {}, 'h100-x8-explain.txt'],
    ['H100 in MIG mode', 'h100-mig-x1', [], {}, 'h100-mig.txt'],
    ['nothing runnable (Quadro P400, compute capability 6.1)', 'p400-x1', [], {}, 'quadro-p400.txt'],
    ['LoRA on (NIM_PEFT_SOURCE): a LoRA profile is selected', 'h100-x1', [], { NIM_PEFT_SOURCE: '/loras' }, 'h100-x1-lora.txt'],
    ['GPUs hidden by NVIDIA_VISIBLE_DEVICES=none', 'h100-x1', [], { NVIDIA_VISIBLE_DEVICES: 'none' }, 'hidden.txt'],
  ])('%s', async (_, machine, extra, env, file) => {
    const r = await runCli(list(extra), { machine, env });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(withoutHost(r.stdout)).toBe(golden(file, withoutHost(r.stdout)));
  });

  it('SYSTEM INFO ends with the host facts of DESIGN §5: CPU, memory, OS, the cache\'s free disk', async () => {
    const r = await runCli(list(), { machine: 'h100-x1', env: { NIM_CACHE_PATH: '/tmp' } });
    expect(r.code).toBe(0);
    const block = HOST_BLOCK.exec(r.stdout)?.[0] ?? '';
    expect(block.split('\n').slice(1, -1).map((l) => l.trim().split(':')[0])).toEqual(['CPU', 'Memory', 'OS', 'Cache']);
    expect(block).toMatch(/ {2}Cache: {3}\/tmp: .+ free of .+\n/);
    expect(r.stdout.indexOf('- Host:')).toBeLessThan(r.stdout.indexOf('MODEL PROFILES'));
  });

  it('no nvidia-smi on PATH: every profile incompatible with the reason, exit 0', async () => {
    const r = await runCli(list(), { machine: null });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(withoutHost(r.stdout)).toBe(golden('no-gpu.txt', withoutHost(r.stdout)));
    expect(r.stdout).toContain('- Compatible with system and runnable: <None>');
  });

  it('a driver that fails: listed all the same, exit 0', async () => {
    const r = await runCli(list(), { machine: 'h100-x1', env: { NIMLET_FAKE_NVSMI_FAIL: 'no-driver' } });
    expect(r.code).toBe(0);
    expect(withoutHost(r.stdout)).toMatch(/^SYSTEM INFO\n- Free GPUs: <None>\n {2}\S.*\n- Engines: none found .*\nMODEL PROFILES\n- Compatible with system and runnable: <None>\n/);
  });

  it('an unknown pin: the listing with nothing selected, then the pin\'s error and exit 78 (DESIGN §4)', async () => {
    const r = await runCli(list(), { machine: 'h100-x1', env: { NIM_MODEL_PROFILE: 'vllm-bf16-tp3' } });
    expect(r.code).toBe(78);
    expect(r.stderr).toMatch(/^nimlet: NIM_MODEL_PROFILE="vllm-bf16-tp3" matches no profile of the manifest; closest: vllm-bf16-tp1, vllm-bf16-tp4, vllm-fp16-tp1\n/);
    expect(r.stdout).toMatch(/^SYSTEM INFO\n/);
    expect(r.stdout).not.toContain('[selected]');
  });

  it.each([
    ['a host without GPUs', { NIMLET_FAKE_NVSMI_FAIL: 'no-devices' }, 'vllm-bf16-tp1'],
    ['too few GPUs for it', {}, 'tensorrt_llm-h100-fp8-tp2-latency'],
  ])('a real pin that cannot run (%s): listed, a note on stderr, exit 0 (DESIGN §1)', async (_what, env, pin) => {
    const r = await runCli(list(), { machine: 'h100-x1', env: { ...env, NIM_MODEL_PROFILE: pin } });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^SYSTEM INFO\n/);
    expect(r.stdout).toContain(pin);
    expect(r.stderr).toMatch(new RegExp(`^nimlet: note: NIM_MODEL_PROFILE names [0-9a-f]{64} \\(${pin}\\), which cannot run here: .*; serve would refuse it \\(exit 69\\)\n$`));
  });

  it.each([
    ['CUDA_VISIBLE_DEVICES', 'abc', null],
    ['NVIDIA_VISIBLE_DEVICES', '0,gpu0', null],
    ['NIMLET_RETRY_ATTEMPTS', 'abc', 'h100-x1'],
    ['NIMLET_HTTP_TIMEOUT_MS', '5s', 'h100-x1'],
    ['NIM_REPOSITORY_OVERRIDE', 'notaurl', 'h100-x1'],
  ] as const)('%s=%s is refused up front (78), even where this run would not use it', async (name, value, machine) => {
    for (const args of [list(), ['select', '--manifest', MANIFEST], ['doctor', '--manifest', MANIFEST]]) {
      const r = await runCli(args, { machine, env: { [name]: value } });
      expect([args[0], r.code]).toEqual([args[0], 78]);
      expect(r.stderr).toMatch(new RegExp(`^nimlet: ${name}=`));
    }
  });

  it('--cache is taken (the compiled manifest goes there), as by every command of DESIGN §1', async () => {
    const cache = ['--cache', '/tmp/nimlet-cache-option-test', '--json'];
    for (const args of [['list-model-profiles', '--manifest', MANIFEST, ...cache], ['select', '--manifest', MANIFEST, ...cache], ['gpus', ...cache]]) {
      const r = await runCli(args, { machine: 'h100-x1' });
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
    }
  });

  it('a usage error under --json is a JSON object on stderr, exit 64', async () => {
    const r = await runCli(['select', '--json', '--nope'], { machine: 'h100-x1' });
    expect(r.code).toBe(64);
    expect(JSON.parse(r.stderr)).toEqual({ error: 'usage', exitCode: 64, message: "unknown option '--nope'" });
  });

  it('a pin moves the [selected] mark', async () => {
    const r = await runCli(list(['--profile', 'sglang-bf16-tp1']), { machine: 'h100-x1' });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`  - ${ids.sglangBf16} (sglang-bf16-tp1) [selected]\n`);
    expect(r.stdout.match(/\[selected\]/g)).toHaveLength(1);
  });
});

describe('list-model-profiles --json', () => {
  interface Listing {
    system: { driverVersion: string | null; gpus: { index: number; pciDeviceId: string | null }[]; absentReason: string | null };
    selected: string | null;
    profiles: { id: string; name: string; tags: Record<string, string>; status: string; lora: boolean; reasons: string[] }[];
  }

  it('1 × H100: system as gpus --json, the selected id, every profile best first', async () => {
    const r = await runCli(list(['--json']), { machine: 'h100-x1' });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const got = JSON.parse(r.stdout) as Listing;
    expect(got.system.driverVersion).toBe('570.124.06');
    expect(got.system.gpus.map((g) => [g.index, g.pciDeviceId])).toEqual([[0, '2330:10de']]);
    expect(got.system.absentReason).toBeNull();
    expect(got.selected).toBe(ids.h100Fp8Tp1);
    expect(got.profiles).toHaveLength(14);
    expect(got.profiles[0]).toEqual({
      id: ids.h100Fp8Tp1,
      name: 'tensorrt_llm-h100-fp8-tp1-latency',
      tags: { llm_engine: 'tensorrt_llm', gpu: 'H100', gpu_device: '2330:10de', precision: 'fp8', tp: '1', pp: '1', profile: 'latency', feat_lora: 'false' },
      status: 'runnable',
      lora: false,
      reasons: [
        'best of 4 eligible profiles: built for this GPU (2330:10de), engine tensorrt_llm, precision fp8, profile latency, tp 1',
        'runs on GPU 0: 2330:10de (NVIDIA H100 80GB HBM3)',
        'compute capability 9.0 (fp8 needs ≥ 8.9)',
      ],
      gpus: [0],
    });
    expect(got.profiles.map((p) => p.status)).toEqual([
      ...Array(6).fill('runnable'), 'low-memory', ...Array(7).fill('incompatible'),
    ]);
    // best first: a LoRA profile the request rules out (NIM_PEFT_SOURCE unset) after every one that could be chosen
    const at = (id: string) => got.profiles.findIndex((p) => p.id === id);
    const choosable = got.profiles.filter((p) => p.status === 'runnable' && !p.lora);
    expect(Math.max(...choosable.map((p) => at(p.id)))).toBeLessThan(at(ids.vllmBf16Lora));
    const lora = got.profiles.find((p) => p.id === ids.vllmBf16Lora)!;
    expect([lora.status, lora.lora, lora.reasons.at(-1)]).toEqual(['runnable', true, 'LoRA profile: chosen only when NIM_PEFT_SOURCE is set']);
  });

  it('no GPU: selected null, absentReason set, exit 0', async () => {
    const r = await runCli(list(['--json']), { machine: null });
    expect(r.code).toBe(0);
    const got = JSON.parse(r.stdout) as Listing;
    expect(got.selected).toBeNull();
    expect(got.system.gpus).toEqual([]);
    expect(got.system.absentReason).toEqual(expect.any(String));
    expect(got.profiles.every((p) => p.status === 'incompatible' && p.reasons.includes(`no GPU: ${got.system.absentReason}`))).toBe(true);
  });
});
