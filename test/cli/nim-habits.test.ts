// NIM habits a newcomer brings (issue 13 item 5), each in-process with its exit code and message:
// the project's fake nvidia-smi first on PATH, the select fixtures' manifest and 1 × H100 machine.
import fs from 'node:fs';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { nimlet as run } from '../support/cli.js';
import { makeSandbox, type Sandbox } from '../support/sandbox.js';
import { ids, MANIFEST, ROOT } from '../support/select-fixtures.js';

let sb: Sandbox;
beforeEach(() => {
  sb = makeSandbox({ machine: 'h100-x1', engines: [] });
});

async function nimlet(argv: string[], env: Record<string, string> = {}): Promise<{ code: number | null; out: string; err: string }> {
  const r = await run(argv, {
    PATH: sb.bin, HOME: sb.dir, NO_COLOR: '1', NIMLET_FAKE_NVSMI_MACHINE: 'h100-x1', NIM_CACHE_PATH: path.join(sb.dir, 'cache'), ...env,
  }, { cwd: sb.dir });
  return { code: r.code, out: r.stdout, err: r.stderr };
}

const select = ['select', '--manifest', MANIFEST];

describe('NIM habits', () => {
  it('a pasted `id (name)` line whose halves name two profiles: 78 naming both', async () => {
    const r = await nimlet(select, { NIM_MODEL_PROFILE: `${ids.vllmBf16Tp1} (sglang-bf16-tp1)` });
    expect(r.code).toBe(78);
    expect(r.err).toBe(
      `nimlet: NIM_MODEL_PROFILE="${ids.vllmBf16Tp1} (sglang-bf16-tp1)" names two different profiles: the id is ${ids.vllmBf16Tp1} (vllm-bf16-tp1), the name is sglang-bf16-tp1 (${ids.sglangBf16})\n` +
      `hint: set NIM_MODEL_PROFILE to just one of them: ${ids.vllmBf16Tp1} or sglang-bf16-tp1\n`);
  });

  it('a pasted line whose halves agree still selects (exit 0)', async () => {
    const r = await nimlet([...select, '--json'], { NIM_MODEL_PROFILE: `${ids.vllmBf16Tp1} (vllm-bf16-tp1)` });
    expect([r.code, (JSON.parse(r.out) as { id: string }).id]).toEqual([0, ids.vllmBf16Tp1]);
  });

  it.each([
    ['double', '"vllm-bf16-tp1"'],
    ['single', "'vllm-bf16-tp1'"],
  ])('a %s-quoted value from docker --env-file is read without its quotes (exit 0)', async (_, pin) => {
    const r = await nimlet([...select, '--json'], { NIM_MODEL_PROFILE: pin, NIM_SERVER_PORT: '"8001"', NIM_LOG_LEVEL: "'info'" });
    expect(r.err).toBe('');
    expect([r.code, (JSON.parse(r.out) as { id: string }).id]).toEqual([0, ids.vllmBf16Tp1]);
  });

  it('quotes inside a value, or unbalanced, are the value itself (78 naming the variable)', async () => {
    const r = await nimlet(select, { NIM_SERVER_PORT: '"80"01"' });
    expect(r.code).toBe(78);
    expect(r.err).toMatch(/^nimlet: NIM_SERVER_PORT="\\"80\\"01\\"" is not valid: expected a whole number from 1 to 65535\n/);
  });

  it('-V prints the version, exit 0', async () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string };
    const r = await nimlet(['-V']);
    expect([r.code, r.out, r.err]).toEqual([0, `${pkg.version}\n`, '']);
  });

  it("NIM_LOG_LEVEL's error lists every value it accepts, and each of them is accepted", async () => {
    const r = await nimlet(select, { NIM_LOG_LEVEL: 'LOUD' });
    expect(r.code).toBe(78);
    const listed = 'DEBUG, TRACE, INFO, WARNING, WARN, ERROR, CRITICAL';
    expect(r.err).toBe(`nimlet: NIM_LOG_LEVEL="LOUD" is not valid: expected one of ${listed}\nhint: set NIM_LOG_LEVEL to one of ${listed}, or unset it\n`);
    for (const level of listed.split(', ')) expect((await nimlet([...select, '--json'], { NIM_LOG_LEVEL: level })).code).toBe(0);
  });

  it('a real NIM profile id that this manifest lacks: 78 with no meaningless "closest" names', async () => {
    const foreign = '4f904d571fe60ff24695b5ee2aa42da58cb460787a968f1e8a09f5a7e862728d';
    const r = await nimlet(select, { NIM_MODEL_PROFILE: foreign });
    expect(r.code).toBe(78);
    expect(r.err).toBe(`nimlet: NIM_MODEL_PROFILE="${foreign}" is a profile id that no profile of this manifest has\n` +
      "hint: profile ids belong to one model's manifest (was it copied from another model's listing?): set NIM_MODEL_PROFILE to an id or a name that `nimlet list-model-profiles` prints for this one, or unset it for automatic selection\n");
  });

  it("a refused pin's reason is printed once (69)", async () => {
    const r = await nimlet(select, { NIM_MODEL_PROFILE: 'tensorrt_llm-h100-fp8-tp2-latency' });
    expect(r.code).toBe(69);
    expect(r.err.split('needs 2 × 2330:10de (H100), found 1')).toHaveLength(2);
    expect(r.err.trimEnd().split('\n')).toHaveLength(2);
  });

  it('--help marks serve as the default and lists the environment variables; exit 0', async () => {
    const r = await nimlet(['--help']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/serve \[options\]\s+\(default: `nimlet` alone runs it\)/);
    const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const env = readme.slice(readme.indexOf('## Environment'), readme.indexOf('A bad value is an error'));
    const documented = [...env.matchAll(/^\| (`[A-Z_]+`(?:, `[A-Z_]+`)*) \|/gm)].flatMap((m) => m[1]!.split(', ').map((v) => v.replaceAll('`', '')));
    expect(documented.length).toBeGreaterThan(30);
    for (const name of documented) expect(r.out, name).toMatch(new RegExp(`\\b${name}\\b`));
  });
});

describe('the README\'s CUDA_VISIBLE_DEVICES values', () => {
  it('every value the README gives is accepted by `gpus` (exit 0)', async () => {
    const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const row = readme.split('\n').find((l) => l.startsWith('| `CUDA_VISIBLE_DEVICES` |'));
    expect(row).toBeDefined();
    const values = [...row!.matchAll(/`([^`]+)`/g)].map((m) => m[1]!).filter((v) => v !== 'CUDA_VISIBLE_DEVICES' && !v.endsWith('-'));
    expect(values).toContain('-1');
    expect((await nimlet(['gpus', '--json'], { CUDA_VISIBLE_DEVICES: '0' })).code).toBe(0);
    // the README's "none" spellings are understood as CUDA reads them: no GPU (69), not a bad value (78)
    for (const value of [...values, '']) {
      const r = await nimlet(['gpus'], { CUDA_VISIBLE_DEVICES: value });
      expect([value, r.code]).toEqual([value, 69]);
      expect(r.err).toContain(`CUDA_VISIBLE_DEVICES=${JSON.stringify(value)} hides every GPU`);
    }
    const all = await nimlet(['gpus'], { CUDA_VISIBLE_DEVICES: 'all' });
    expect(all.code).toBe(78);
    expect(all.err).toMatch(/^nimlet: CUDA_VISIBLE_DEVICES="all" is not valid/);
  });
});
