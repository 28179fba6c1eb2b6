// `serve` with a fake engine as a real process: signals forwarded, exit codes passed on, 127/126 for a missing or
// unusable engine command, and an engine environment without credentials (the engine's own record says so).
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readRecord, waitFor } from '../support/engine-record.js';
import { nimlet, startNimlet } from '../support/cli.js';
import { manifestOf } from '../support/manifest.js';
import { H100_UUIDS, BIN } from '../support/paths.js';
import { makeModelFolder, makeSandbox, type Sandbox } from '../support/sandbox.js';

const ID = 'bead'.padEnd(64, '1');

/** Whether a process still runs: a zombie (killed, not yet reaped by whoever inherited it) does not. */
function isRunning(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0] !== 'Z';
  } catch {
    return false;
  }
}

function sandbox(engine = 'vllm', engines?: string[]): { sb: Sandbox; env: Record<string, string>; store: string } {
  const sb = makeSandbox({ manifest: manifestOf([{ id: ID, tags: { llm_engine: engine, precision: 'bf16', tp: '2' } }]), engines });
  const store = makeModelFolder(sb);
  return { sb, store, env: { ...sb.env, NIM_MODEL_NAME: store } };
}

describe('serve runs the engine', () => {
  it('SIGTERM to nimlet reaches the engine, nimlet exits with the engine code', async () => {
    const { sb, env } = sandbox();
    const { child, done } = startNimlet(['serve'], { ...env, FAKE_ENGINE_MODE: 'wait', FAKE_ENGINE_EXIT_CODE: '42' });
    await waitFor(() => readRecord(sb.record).find((r) => r.event === 'ready'));
    child.kill('SIGTERM');
    const r = await done;
    expect(r.code).toBe(42);
    // only nimlet was signalled (not its group): the engine's one SIGTERM is nimlet's forward, not a kill-after
    // SIGKILL; how soon it arrives is a figure for a bench, not a bound for a test on a loaded machine
    expect(readRecord(sb.record).filter((r) => r.event === 'signal').map((s) => s.signal)).toEqual(['SIGTERM']);
  });

  it.each([['SIGINT'], ['SIGHUP'], ['SIGUSR1']] as const)('%s is forwarded too', async (sig) => {
    const { sb, env } = sandbox();
    const { child, done } = startNimlet(['serve'], { ...env, FAKE_ENGINE_MODE: 'wait', FAKE_ENGINE_EXIT_CODE: '0' });
    await waitFor(() => readRecord(sb.record).find((r) => r.event === 'ready'));
    child.kill(sig);
    expect((await done).code).toBe(0);
    expect(readRecord(sb.record).filter((r) => r.event === 'signal').map((s) => s.signal)).toEqual([sig]);
  });

  it('a Ctrl-C at a terminal (SIGINT to the whole process group) reaches the engine once', async () => {
    const { sb, env } = sandbox();
    // nimlet leads its own group, as a shell's foreground job does; the terminal signals that group
    const child = spawn(process.execPath, [BIN, 'serve'], {
      env: { ...env, FAKE_ENGINE_MODE: 'wait', FAKE_ENGINE_EXIT_CODE: '0', FAKE_ENGINE_SHUTDOWN_MS: '400' }, stdio: 'ignore', detached: true,
    });
    const done = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    await waitFor(() => readRecord(sb.record).find((r) => r.event === 'ready'));
    process.kill(-child.pid!, 'SIGINT');
    expect(await done).toBe(0); // the engine stayed up 400 ms after the first SIGINT: a second would be recorded
    expect(readRecord(sb.record).filter((r) => r.event === 'signal').map((s) => s.signal)).toEqual(['SIGINT']);
  });

  it('SIGTERM while nvidia-smi hangs: nimlet stops at once with 143 (not at the probe timeout), nvidia-smi killed', async () => {
    const { sb, env } = sandbox();
    const pidFile = path.join(sb.dir, 'nvidia-smi.pid');
    // the longest probe timeout there is: a nimlet that waited for it would outlast the test's own timeout
    const { child, done } = startNimlet(['serve'], {
      ...env, NIMLET_FAKE_NVSMI_FAIL: 'hang', NIMLET_FAKE_NVSMI_PIDFILE: pidFile, NIMLET_PROBE_TIMEOUT: '600',
    });
    // signal only once nvidia-smi runs: nimlet's handlers are in place by then (a fixed sleep raced a slow start)
    const probePid = Number(await waitFor(() => (existsSync(pidFile) ? readFileSync(pidFile, 'utf8') || undefined : undefined), 20_000));
    child.kill('SIGTERM');
    const r = await done;
    expect(r.code).toBe(143);
    expect(r.stderr).toMatch(/interrupted by SIGTERM/);
    expect(r.stderr).not.toMatch(/did not answer/);
    await waitFor(() => !isRunning(probePid) || undefined, 5000);
  });

  it('an engine exiting 3 → 3, started with the argv and GPUs chosen', async () => {
    const { sb, env, store } = sandbox();
    const r = await nimlet([], { ...env, FAKE_ENGINE_MODE: 'exit', FAKE_ENGINE_EXIT_CODE: '3' }, { real: true });
    expect(r.code).toBe(3);
    const [start] = readRecord(sb.record);
    expect(start).toMatchObject({ command: 'vllm', args: ['serve', store, '--host', '0.0.0.0', '--port', '8000', '--served-model-name', 'store', '--tensor-parallel-size', '2', '--pipeline-parallel-size', '1'] });
    // nvidia-smi indices in PCI bus order, never GPU- UUIDs (vLLM before mid-2026 calls int() on each entry)
    expect([start?.env?.CUDA_VISIBLE_DEVICES, start?.env?.CUDA_DEVICE_ORDER]).toEqual(['0,1', 'PCI_BUS_ID']);
  });

  it('in-process, the engine starts in the command\'s working folder and a relative NIM_CACHE_PATH is taken from it', async () => {
    const { sb, env } = sandbox();
    const r = await nimlet([], { ...env, NIM_CACHE_PATH: 'rel-cache', FAKE_ENGINE_MODE: 'exit', FAKE_ENGINE_EXIT_CODE: '0' }, { cwd: sb.dir });
    expect(r.code).toBe(0);
    // the test worker's own folder is elsewhere: what main() resolved, it resolved from ctx.cwd
    expect(process.cwd()).not.toBe(sb.dir);
    expect(readRecord(sb.record)[0]?.cwd).toBe(sb.dir);
    expect(r.stderr).toContain(`cache: ${path.join(sb.dir, 'rel-cache')}`);
  });

  it('an engine killed by SIGKILL → 137', async () => {
    const { env } = sandbox('tensorrt_llm');
    const r = await nimlet(['serve'], { ...env, FAKE_ENGINE_MODE: 'sigkill' }, { real: true });
    expect(r.code).toBe(137);
  });

  it('an engine the image declares but whose command cannot be found → 127 naming it', async () => {
    const { env } = sandbox('tensorrt_llm', []);
    const r = await nimlet(['serve'], { ...env, NIMLET_ENGINES: 'tensorrt_llm' });
    expect(r.code).toBe(127);
    expect(r.stderr).toContain('nimlet: engine command "trtllm-serve" not found on PATH\nhint: install the engine in the image, or set NIMLET_TRTLLM_CMD to the command that starts it\n');
  });

  it('no engine found at all: 127 before anything is downloaded, naming what the profile needs', async () => {
    const { sb, env } = sandbox('tensorrt_llm', []);
    // this host's python3 has no SGLang either, whatever the machine running the tests has installed
    writeFileSync(path.join(sb.bin, 'python3'), '#!/bin/sh\necho \'{"versions": {}, "sglang": false}\'\n');
    chmodSync(path.join(sb.bin, 'python3'), 0o755);
    const r = await nimlet(['serve'], env);
    expect(r.code).toBe(127);
    expect(r.stderr).toBe('nimlet: no inference engine found here: tensorrt_llm-bf16-tp2 needs tensorrt_llm (trtllm-serve), and nothing was downloaded\n'
      + 'hint: run nimlet in its tensorrt_llm image (docs/container.md), install the engine, or set NIMLET_TRTLLM_CMD (or NIMLET_ENGINES) to declare it\n');
  });

  it('an engine command that is not executable → 126', async () => {
    const { sb, env } = sandbox();
    const file = path.join(sb.dir, 'not-exec');
    writeFileSync(file, '#!/bin/sh\nexit 0\n');
    chmodSync(file, 0o644);
    const r = await nimlet(['serve'], { ...env, NIMLET_VLLM_CMD: `${file} serve` });
    expect(r.code).toBe(126);
    expect(r.stderr).toContain(`nimlet: engine command "${file}" is not executable\n`);
  });

  it('the engine gets no credential; the summary shows none', async () => {
    const { sb, env } = sandbox();
    const secrets = { NGC_API_KEY: 'nvapi-SECRET-1', HF_TOKEN: 'hf_SECRET_2', HUGGING_FACE_HUB_TOKEN: 'hf_SECRET_3', NGC_CLI_API_KEY: 'nvapi-SECRET-4' };
    const r = await nimlet(['serve'], { ...env, ...secrets, NIM_PASSTHROUGH_ARGS: '--x nvapi-SECRET-1 --api-key k123', FAKE_ENGINE_MODE: 'exit' }, { real: true });
    expect(r.code).toBe(0);
    const engineEnv = readRecord(sb.record)[0]?.env ?? {};
    for (const k of Object.keys(secrets)) expect(engineEnv).not.toHaveProperty(k);
    // NIM_PASSTHROUGH_ARGS held a token: a variable whose value holds one is not passed on either
    expect(Object.values(engineEnv).join('\n')).not.toMatch(/SECRET/);
    expect(engineEnv).not.toHaveProperty('NIM_PASSTHROUGH_ARGS');
    expect(engineEnv.HF_HUB_OFFLINE).toBe('1');
    expect(r.stderr).not.toMatch(/SECRET|k123/);
    expect(r.stderr).toContain(`--x '***' --api-key '***'`);
  });

  it('start-up summary: text, then one JSON line under NIM_JSONL_LOGGING=1', async () => {
    const { env, store } = sandbox();
    const text = await nimlet(['serve'], { ...env, FAKE_ENGINE_MODE: 'exit' }, { real: true });
    expect(text.stderr).toMatch(new RegExp(`^nimlet: starting vllm with profile ${ID} \\(vllm-bf16-tp2\\)\\n`));
    expect(text.stderr).toContain(`  GPUs: 0 (${H100_UUIDS[0]}), 1 (${H100_UUIDS[1]})\n`);
    expect(text.stderr).toContain(`  model: ${store} (NIM_MODEL_NAME: nothing downloaded)\n`);
    expect(text.stderr).toMatch(/ {2}timings: manifest \d+ ms, probe \d+ ms, select \d+ ms, cache \d+ ms, total \d+ ms\n/);

    const json = await nimlet(['serve'], { ...env, NIM_JSONL_LOGGING: '1', FAKE_ENGINE_MODE: 'exit' }, { real: true });
    const lines = json.stderr.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    const startup = lines.find((l) => l.event === 'startup');
    expect(startup).toMatchObject({ level: 'info', engine: 'vllm', profile: { id: ID, name: 'vllm-bf16-tp2' }, modelDir: store, modelSource: 'local' });
    expect(Object.keys(startup?.timingsMs as object)).toEqual(['manifest', 'probe', 'select', 'cache', 'total']);
  });

  it('engine args too long for exec: exit 78 with the sizes, one line, the engine never started', async () => {
    // one 200 KiB argument, after vllm's own 13 (0 to 12): past Linux's 128 KiB per string, whatever `ulimit -s` allows in all
    const sb = makeSandbox({ manifest: manifestOf([{ id: ID, tags: { llm_engine: 'vllm', precision: 'bf16', tp: '1' }, engine: { args: ['x'.repeat(200 * 1024)] } }]) });
    const r = await nimlet(['serve'], { ...sb.env, NIM_MODEL_NAME: makeModelFolder(sb) }, { real: true });
    expect(r.code).toBe(78);
    // the start-up summary comes first; the error is the last two lines
    const error = r.stderr.trimEnd().split('\n').slice(-2);
    expect(error[0]).toMatch(/^nimlet: the engine's command line and environment are larger than the system allows: \d+\.\d KiB of arguments, \d+(\.\d KiB| B) of environment; the longest string is argument 13 \(200\.0 KiB\)$/);
    expect(error[1]).toMatch(/^hint: Linux takes at most 128 KiB in one argument or variable/);
    expect(existsSync(sb.record)).toBe(false);
  });

  it('two GPUs that nvidia-smi reports under one UUID (cloned VMs) still start: the engine gets their indices', async () => {
    const twin = 'GPU-12345678-aaaa-bbbb-cccc-0123456789ab';
    const { sb, env } = sandbox();
    const machine = path.join(sb.dir, 'twins');
    mkdirSync(machine);
    writeFileSync(path.join(machine, 'query.csv'), [0, 1].map((i) =>
      `${i}, ${twin}, NVIDIA H100 80GB HBM3, 00000000:1${i}:00.0, 0x233010DE, 81559, 1, 81106, 9.0, 565.57.01, Disabled\n`).join(''));
    const r = await nimlet(['serve'], { ...env, NIMLET_FAKE_NVSMI_MACHINE: machine, FAKE_ENGINE_MODE: 'exit', FAKE_ENGINE_EXIT_CODE: '3' }, { real: true });
    expect(r.code).toBe(3);
    const [start] = readRecord(sb.record);
    expect([start?.env?.CUDA_VISIBLE_DEVICES, start?.env?.CUDA_DEVICE_ORDER]).toEqual(['0,1', 'PCI_BUS_ID']);
  });
});
