// Runs the engine as the container's main process (DESIGN §8). Where Node has process.execve (22.15+, 23.11+)
// nimlet replaces itself, so the engine gets signals straight from tini or the kubelet and nothing of nimlet stays
// in memory. Elsewhere it spawns the engine with nimlet's stdio, forwards the signals a supervisor sends, and
// ends with the engine's exit status, or 128+N when signal N ended it, as a shell reports it.
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { constants } from 'node:os';
import { NimletError } from '../errors.js';
import { engineNotExecutable, engineNotFound, resolveCommand } from './resolve-command.js';

export const FORWARDED_SIGNALS: readonly NodeJS.Signals[] = ['SIGTERM', 'SIGINT', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2'];

type Execve = (file: string, args: string[], env: Record<string, string>) => never;

export interface RunDeps {
  /** process.execve when this Node has it. */
  execve: Execve | undefined;
  spawn: (file: string, args: string[], options: SpawnOptions) => ChildProcess;
  /** Where signal handlers are installed (the process). */
  signals: Pick<NodeJS.Process, 'on' | 'off'>;
  cwd: string;
}

export function defaultRunDeps(): RunDeps {
  const candidate = (process as unknown as { execve?: unknown }).execve;
  return {
    execve: typeof candidate === 'function' ? (candidate.bind(process) as Execve) : undefined,
    spawn,
    signals: process,
    cwd: process.cwd(),
  };
}

export interface RunnableCommand {
  argv: string[];
  env: Record<string, string>;
  /** NIMLET_*_CMD, named in the errors. */
  commandVariable: string;
}

function mapStartError(err: unknown, command: string, variable: string): NimletError {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return engineNotFound(command, variable, err);
  if (code === 'EACCES' || code === 'ENOEXEC' || code === 'EISDIR') return engineNotExecutable(command, variable, err);
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
    // Its own process group: a Ctrl-C at a terminal goes to nimlet's group only, and reaches the engine once,
    // forwarded below (in the same group it came twice, and a second SIGINT makes vLLM skip its clean shutdown).
    const child = deps.spawn(file, args, { stdio: 'inherit', env: cmd.env, argv0, detached: true });
    const forwarders = FORWARDED_SIGNALS.map((sig) => {
      const forward = (): void => void child.kill(sig);
      deps.signals.on(sig, forward);
      return [sig, forward] as const;
    });
    const cleanup = (): void => forwarders.forEach(([sig, f]) => deps.signals.off(sig, f));
    child.once('error', (err) => {
      cleanup();
      reject(mapStartError(err, argv0, cmd.commandVariable));
    });
    child.once('exit', (code, signal) => {
      cleanup();
      resolve(exitStatusOf(code, signal));
    });
  });
}

/** Starts the engine; resolves with its exit status (spawn path) or never returns (execve path). */
export async function runEngine(cmd: RunnableCommand, deps: RunDeps = defaultRunDeps()): Promise<number> {
  const argv0 = cmd.argv[0];
  if (argv0 === undefined) throw new NimletError('internal', 'the engine command is empty');
  const file = await resolveCommand(argv0, cmd.env.PATH, deps.cwd, cmd.commandVariable);
  if (deps.execve) {
    try {
      return deps.execve(file, cmd.argv, cmd.env);
    } catch (err) {
      throw mapStartError(err, argv0, cmd.commandVariable);
    }
  }
  return spawnAndWait(file, cmd, deps);
}
