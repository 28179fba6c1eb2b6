// The one way tests run nimlet (build first: both modes run dist/). In-process by default: main(argv, ctx) with the
// test's environment, working folder and captured output (60-260 ms a command, where a child process pays two Node
// start-ups). As a real child process of bin/nimlet where the process itself is under test: signals, serve handing
// over to the engine, several processes at once, another uid, kill -9 and resume, Node's start-up settings.
import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { BIN, ROOT } from './paths.js';

// The built main() (dist/, what bin/nimlet runs), not src/: the cache commands are loaded by a computed import
// (src/cli/program.ts:99) that only resolves among the built .js files.
type Main = typeof import('../../src/cli/main.js').main;
// Node's own loader, not vitest's: the built files need no transform, and Node loads them several times faster.
const { main } = createRequire(import.meta.url)(path.join(ROOT, 'dist', 'cli', 'main.js')) as { main: Main };

export interface CliResult {
  /** The exit status; null only when a real process ended by a signal. */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** stdout and stderr interleaved as written. */
  all: string;
}

export interface RunOptions {
  /** The working folder (default: the checkout). */
  cwd?: string;
  /** Start bin/nimlet as a child process instead of calling main() here. */
  real?: boolean;
  /** Real process only: run as this user (and its group). */
  uid?: number;
}

/**
 * What the vitest worker shares with a command run in it, set to the test's for the run and put back after (the
 * working folder is not among them: main() takes every relative path from ctx.cwd, and the worker's stays put, so
 * that a path taken from process.cwd() shows as a failing test):
 * - process.env: nothing in src/ reads it but main(), yet Node does where src/ gives no env of its own: os.homedir()
 *   (HOME, when the env has none) and os.tmpdir() (TMPDIR, serve's scratch folder). They must find the test's
 *   environment, not the developer's shell;
 * - process.execve (Node 22.15+): serve would replace the test worker with the engine; without it serve starts the
 *   engine as a child, as on Node 20.
 * Runs that overlap share these (the last one started sets them): commands that must run at the same time, as
 * separate processes do, are started as real processes.
 */
let inside = 0;
let saved: { env: NodeJS.ProcessEnv; execve: unknown } | null = null;

async function insideWorker<T>(env: Record<string, string>, work: () => Promise<T>): Promise<T> {
  const proc = process as { execve?: unknown };
  if (inside++ === 0) saved = { env: process.env, execve: proc.execve };
  process.env = { ...env };
  proc.execve = undefined;
  try {
    return await work();
  } finally {
    if (--inside === 0 && saved !== null) {
      process.env = saved.env;
      proc.execve = saved.execve;
      saved = null;
    }
  }
}

/** Runs `nimlet ...args` with exactly this environment (nothing inherited); never rejects on a non-zero exit. */
export async function nimlet(args: string[], env: Record<string, string>, options: RunOptions = {}): Promise<CliResult> {
  if (options.real || options.uid !== undefined) return startNimlet(args, env, options).done;
  const out = { stdout: '', stderr: '', all: '' };
  const write = (stream: 'stdout' | 'stderr') => (text: string): void => {
    out[stream] += text;
    out.all += text;
  };
  const cwd = options.cwd ?? ROOT;
  const code = await insideWorker(env, () => main(args, {
    env: { ...env }, cwd, stdout: write('stdout'), stderr: write('stderr'), stderrIsTTY: false, signal: new AbortController().signal,
  }));
  return { code, signal: null, ...out };
}

/** Starts bin/nimlet as a child process; `done` resolves once it has exited and its output is read. */
export function startNimlet(args: string[], env: Record<string, string>, options: RunOptions = {}): { child: ChildProcess; done: Promise<CliResult> } {
  const ids = options.uid === undefined ? {} : { uid: options.uid, gid: options.uid };
  const child = spawn(process.execPath, [BIN, ...args], { env, cwd: options.cwd ?? ROOT, stdio: ['ignore', 'pipe', 'pipe'], ...ids });
  const out = { stdout: '', stderr: '', all: '' };
  child.stdout!.setEncoding('utf8').on('data', (d: string) => void ((out.stdout += d), (out.all += d)));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => void ((out.stderr += d), (out.all += d)));
  const done = new Promise<CliResult>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => resolve({ code, signal, ...out }));
  });
  return { child, done };
}
