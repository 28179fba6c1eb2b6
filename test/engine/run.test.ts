import { EventEmitter } from 'node:events';
import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { exitStatusOf, runEngine, type RunDeps } from '../../src/engine/run.js';
import { formatBytes } from '../../src/format-bytes.js';
import { resolveCommand } from '../../src/engine/resolve-command.js';
import { readRecord, waitFor } from '../support/engine-record.js';
import { makeEngineBin } from '../support/sandbox.js';

function spawnDeps(signals = new EventEmitter()): RunDeps {
  return { execve: undefined, spawn, signals: signals as unknown as RunDeps['signals'], cwd: process.cwd() };
}

describe('exitStatusOf', () => {
  it.each([[0, null, 0], [3, null, 3], [null, 'SIGKILL', 137], [null, 'SIGTERM', 143], [null, 'SIGINT', 130]] as const)(
    'code %s signal %s → %s', (code, signal, expected) => expect(exitStatusOf(code, signal)).toBe(expected));
});

describe('resolveCommand', () => {
  const { dir, bin } = makeEngineBin(['vllm']);
  writeFileSync(path.join(bin, 'plain'), '#!/bin/sh\n');
  chmodSync(path.join(bin, 'plain'), 0o644);
  mkdirSync(path.join(bin, 'adir'));

  it('finds a name on PATH', async () => {
    expect(await resolveCommand('vllm', `/nonexistent:${bin}`, dir, 'NIMLET_VLLM_CMD')).toBe(path.join(bin, 'vllm'));
  });
  it('takes a path as it is', async () => {
    expect(await resolveCommand('./bin/vllm', '', dir, 'NIMLET_VLLM_CMD')).toBe(path.join(bin, 'vllm'));
  });
  it.each([
    ['missing', 'sglang-nope', 127, 'engine-not-found', 'engine command "sglang-nope" not found on PATH'],
    ['not executable', 'plain', 126, 'engine-not-executable', 'engine command "plain" is not executable'],
    ['a folder', 'adir', 126, 'engine-not-executable', 'engine command "adir" is not executable'],
  ])('%s → %s', async (_n, name, exitCode, code, message) => {
    const err = await resolveCommand(name, bin, dir, 'NIMLET_SGLANG_CMD').catch((e: unknown) => e);
    expect(err).toMatchObject({ exitCode, code, message });
    expect((err as { hint: string }).hint).toContain('NIMLET_SGLANG_CMD');
  });
});

describe('runEngine, spawn path (Node without process.execve)', () => {
  const run = (mode: string, code: string, signals?: EventEmitter) => {
    const { bin, record } = makeEngineBin(['vllm']);
    const env = { PATH: `${bin}:${process.env.PATH}`, FAKE_ENGINE_RECORD: record, FAKE_ENGINE_MODE: mode, FAKE_ENGINE_EXIT_CODE: code };
    return { record, done: runEngine({ argv: ['vllm', 'serve', '/m', '--port', '1'], env, commandVariable: 'NIMLET_VLLM_CMD' }, spawnDeps(signals)) };
  };

  it('passes argv and env, resolves with the exit code', async () => {
    const { record, done } = run('exit', '3');
    expect(await done).toBe(3);
    const [start] = readRecord(record);
    expect(start).toMatchObject({ event: 'start', command: 'vllm', args: ['serve', '/m', '--port', '1'] });
    expect(start?.env?.FAKE_ENGINE_MODE).toBe('exit');
  });

  it('an engine killed by SIGKILL → 137', async () => {
    expect(await run('sigkill', '0').done).toBe(137);
  });

  it.each(['SIGTERM', 'SIGINT', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2'])('forwards %s and ends with the engine code', async (sig) => {
    const signals = new EventEmitter();
    const { record, done } = run('wait', '42', signals);
    await waitFor(() => readRecord(record).find((r) => r.event === 'ready'));
    signals.emit(sig);
    expect(await done).toBe(42);
    expect(readRecord(record).filter((r) => r.event === 'signal').map((r) => r.signal)).toEqual([sig]);
    expect(signals.listenerCount(sig)).toBe(0);
  });
});

describe('runEngine: a command line the kernel refuses (E2BIG)', () => {
  // Linux takes at most 128 KiB in one argv or environment string, whatever the stack limit: 200 KiB is always refused.
  const HUGE = 'x'.repeat(200 * 1024);
  const { bin } = makeEngineBin(['vllm']);

  const pathBytes = `PATH=${bin}`.length + 1;
  const tooLarge = (args: number, vars: number, longest: string) =>
    `the engine's command line and environment are larger than the system allows: ${formatBytes(args)} of arguments, `
    + `${formatBytes(vars)} of environment; the longest string is ${longest}`;

  it.each([
    // each string counts with its NUL: "vllm" 5, "serve" 6, "/m" 3
    ['an argument', ['vllm', 'serve', '/m', HUGE], {}, tooLarge(14 + HUGE.length + 1, pathBytes, 'argument 3 (200.0 KiB)')],
    ['a variable', ['vllm', 'serve', '/m'], { VLLM_HUGE: HUGE }, tooLarge(14, pathBytes + 'VLLM_HUGE='.length + HUGE.length + 1, 'variable VLLM_HUGE (200.0 KiB)')],
  ])('%s too long: bad configuration (78) with the sizes, never the value', async (_, argv, extraEnv, message) => {
    const env = { PATH: bin, ...extraEnv };
    const err = await runEngine({ argv, env, commandVariable: 'NIMLET_VLLM_CMD' }, spawnDeps()).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'bad-config', exitCode: 78, message });
    expect((err as { hint: string }).hint).toBe('Linux takes at most 128 KiB in one argument or variable, and about a quarter of the '
      + "stack limit (`ulimit -s`) in all: shorten the profile's engine.args in the manifest, NIM_PASSTHROUGH_ARGS, or the largest variable");
  });

  it('the same from execve', async () => {
    const deps: RunDeps = {
      ...spawnDeps(),
      execve: (() => { throw Object.assign(new Error('execve E2BIG'), { code: 'E2BIG' }); }) as RunDeps['execve'],
    };
    const err = await runEngine({ argv: ['vllm', HUGE], env: { PATH: bin }, commandVariable: 'NIMLET_VLLM_CMD' }, deps).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'bad-config', exitCode: 78 });
    expect((err as Error).message).toMatch(/; the longest string is argument 1 \(200\.0 KiB\)$/);
  });
});

describe('runEngine, execve path', () => {
  it('replaces the process with the resolved file, argv as given, the engine env', async () => {
    const { bin } = makeEngineBin(['trtllm-serve']);
    const calls: unknown[][] = [];
    const deps: RunDeps = {
      ...spawnDeps(),
      execve: ((file: string, args: string[], env: Record<string, string>) => {
        calls.push([file, args, env]);
        throw Object.assign(new Error('execve failed'), { code: 'EACCES' });
      }) as RunDeps['execve'],
    };
    const env = { PATH: bin };
    const err = await runEngine({ argv: ['trtllm-serve', '/m'], env, commandVariable: 'NIMLET_TRTLLM_CMD' }, deps).catch((e: unknown) => e);
    expect(calls).toEqual([[path.join(bin, 'trtllm-serve'), ['trtllm-serve', '/m'], env]]);
    expect(err).toMatchObject({ code: 'engine-not-executable', exitCode: 126 });
  });

  it('a missing command fails before execve (older Node aborts on a failed execve)', async () => {
    let called = false;
    const deps: RunDeps = { ...spawnDeps(), execve: (() => { called = true; throw new Error('no'); }) as RunDeps['execve'] };
    const err = await runEngine({ argv: ['vllm'], env: { PATH: '/nonexistent' }, commandVariable: 'NIMLET_VLLM_CMD' }, deps).catch((e: unknown) => e);
    expect(called).toBe(false);
    expect(err).toMatchObject({ code: 'engine-not-found', exitCode: 127 });
  });
});
