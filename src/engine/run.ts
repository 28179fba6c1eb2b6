// Runs the engine as the container's main process (DESIGN §8). Where Node has process.execve (22.15+, 23.11+)
// nimlet replaces itself, so the engine gets signals straight from tini or the kubelet and nothing of nimlet stays
// in memory. Elsewhere it spawns the engine with nimlet's stdio, forwards the signals a supervisor sends, and
// ends with the engine's exit status, or 128+N when signal N ended it, as a shell reports it.
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { constants } from 'node:os';
import { NimletError } from '../errors.js';
import { formatBytes } from '../format-bytes.js';
import { engineNotExecutable, engineNotFound, resolveCommand } from './resolve-command.js';

export const FORWARDED_SIGNALS: readonly NodeJS.Signals[] = ['SIGTERM', 'SIGINT', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2'];

type Execve = (file: string, args: string[], env: Record<string, string>) => never;

export interface RunDeps {
  /** process.execve when this Node has it. */
  execve: Execve | undefined;
  spawn: (file: string, args: string[], options: SpawnOptions) => ChildProcess;
  /** Where signal handlers are installed (the process). */
  signals: Pick<NodeJS.Process, 'on' | 'off'>;
  /**
   * The command's working folder (ctx.cwd): a relative engine command is found from it and the engine starts in it.
   * execve keeps the process's own folder, which is the same one where bin/nimlet runs.
   */
  cwd: string;
}

export function defaultRunDeps(cwd: string): RunDeps {
  const candidate = (process as unknown as { execve?: unknown }).execve;
  return {
    execve: typeof candidate === 'function' ? (candidate.bind(process) as Execve) : undefined,
    spawn,
    signals: process,
    cwd,
  };
}

export interface RunnableCommand {
  argv: string[];
  env: Record<string, string>;
  /** NIMLET_*_CMD, named in the errors. */
  commandVariable: string;
}

/**
 * E2BIG: the kernel refused the argv and environment handed to exec, as a whole or one string of them (a manifest's
 * engine.args, NIM_PASSTHROUGH_ARGS or a variable grown huge). Says how big each part is and which string is
 * longest; never a value, which may hold a secret.
 */
function commandTooLarge(cmd: RunnableCommand, err: unknown): NimletError {
  // what exec copies: each string and its terminating NUL
  const size = (s: string): number => Buffer.byteLength(s) + 1;
  const args = cmd.argv.map((a, i) => ({ what: `argument ${i}`, size: size(a) }));
  const vars = Object.entries(cmd.env).map(([k, v]) => ({ what: `variable ${k}`, size: size(`${k}=${v}`) }));
  const sum = (list: readonly { size: number }[]): number => list.reduce((n, s) => n + s.size, 0);
  const longest = [...args, ...vars].reduce((a, b) => (b.size > a.size ? b : a));
  return new NimletError(
    'bad-config',
    `the engine's command line and environment are larger than the system allows: ${formatBytes(sum(args))} `
      + `of arguments, ${formatBytes(sum(vars))} of environment; the longest string is ${longest.what} `
      + `(${formatBytes(longest.size)})`,
    {
      hint: 'Linux takes at most 128 KiB in one argument or variable, and about a quarter of the stack limit (`ulimit -s`) '
        + "in all: shorten the profile's engine.args in the manifest, NIM_PASSTHROUGH_ARGS, or the largest variable",
      cause: err,
    },
  );
}

function mapStartError(err: unknown, cmd: RunnableCommand): NimletError {
  const command = cmd.argv[0] ?? '';
  const variable = cmd.commandVariable;
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return engineNotFound(command, variable, err);
  if (code === 'EACCES' || code === 'ENOEXEC' || code === 'EISDIR') return engineNotExecutable(command, variable, err);
  if (code === 'E2BIG') return commandTooLarge(cmd, err);
  return new NimletError('internal', `could not start "${command}": ${(err as Error).message}`, { cause: err });
}

/** The status a shell reports for a child that ended with `code` or by `signal`. */
export function exitStatusOf(code: number | null, signal: NodeJS.Signals | null): number {
  if (code !== null) return code;
  const n = signal === null ? undefined : constants.signals[signal];
  return n === undefined ? 1 : 128 + n;
}

function spawnAndWait(file: string, cmd: RunnableCommand, deps: RunDeps): Promise<number> {
  const [argv0, ...args] = cmd.argv as [string, ...string[]];
  return new Promise((resolve, reject) => {
    let child: ChildProcess;
    try {
      // Its own process group: a Ctrl-C at a terminal goes to nimlet's group only, and reaches the engine once,
      // forwarded below (in the same group it came twice, and a second SIGINT makes vLLM skip its clean shutdown).
      child = deps.spawn(file, args, { stdio: 'inherit', env: cmd.env, argv0, cwd: deps.cwd, detached: true });
    } catch (err) {
      // Node throws the start failures it deems unrecoverable (E2BIG among them) instead of emitting 'error'
      reject(mapStartError(err, cmd));
      return;
    }
    const forwarders = FORWARDED_SIGNALS.map((sig) => {
      const forward = (): void => void child.kill(sig);
      deps.signals.on(sig, forward);
      return [sig, forward] as const;
    });
    const cleanup = (): void => forwarders.forEach(([sig, f]) => deps.signals.off(sig, f));
    child.once('error', (err) => {
      cleanup();
      reject(mapStartError(err, cmd));
    });
    child.once('exit', (code, signal) => {
      cleanup();
      resolve(exitStatusOf(code, signal));
    });
  });
}

/** Starts the engine; resolves with its exit status (spawn path) or never returns (execve path). */
export async function runEngine(cmd: RunnableCommand, deps: RunDeps): Promise<number> {
  const argv0 = cmd.argv[0];
  if (argv0 === undefined) throw new NimletError('internal', 'the engine command is empty');
  const file = await resolveCommand(argv0, cmd.env.PATH, deps.cwd, cmd.commandVariable);
  if (deps.execve) {
    try {
      return deps.execve(file, cmd.argv, cmd.env);
    } catch (err) {
      throw mapStartError(err, cmd);
    }
  }
  return spawnAndWait(file, cmd, deps);
}

/**
 * Starts the engine as a child that the front supervises (DESIGN §11): its own process group, nimlet's stdio;
 * resolves once it runs, rejects with the same errors as runEngine when it cannot start.
 */
export async function spawnEngine(cmd: RunnableCommand, deps: RunDeps): Promise<ChildProcess> {
  const [argv0, ...args] = cmd.argv;
  if (argv0 === undefined) throw new NimletError('internal', 'the engine command is empty');
  const file = await resolveCommand(argv0, cmd.env.PATH, deps.cwd, cmd.commandVariable);
  return new Promise((resolve, reject) => {
    let child: ChildProcess;
    try {
      child = deps.spawn(file, args, { stdio: 'inherit', env: cmd.env, argv0, cwd: deps.cwd, detached: true });
    } catch (err) {
      return reject(mapStartError(err, cmd));
    }
    child.once('spawn', () => resolve(child));
    child.once('error', (err) => reject(mapStartError(err, cmd)));
  });
}
