// Runs one short command with a hard deadline, via node:child_process (execa costs startup time that
// `nimlet gpus --json` cannot spare). A hung driver call is killed with SIGKILL, and we return at the deadline even
// if something the command started still holds its pipes open.
import { spawn } from 'node:child_process';
import type { Env } from '../config/read.js';

export type CommandOutcome =
  | { kind: 'exited'; code: number; stdout: string; stderr: string }
  | { kind: 'signalled'; signal: NodeJS.Signals; stdout: string; stderr: string }
  | { kind: 'timed-out'; stdout: string; stderr: string }
  | { kind: 'spawn-failed'; errno: string; message: string };

// nvidia-smi's answer for hundreds of GPUs fits easily; more is a runaway program.
const MAX_OUTPUT = 4 * 1024 * 1024;

function plainEnv(env: Env): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined) out[k] = v;
  return out;
}

export function runCommand(command: string, args: readonly string[], options: { env: Env; timeoutMs: number; signal?: AbortSignal }): Promise<CommandOutcome> {
  return new Promise((resolve) => {
    let stdout = '';
    let stderr = '';
    let settled = false;
    const finish = (outcome: CommandOutcome): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', stop);
      resolve(outcome);
    };
    // Its own process group, so a timeout kills whatever a wrapper script started too.
    const child = spawn(command, args, { env: plainEnv(options.env), stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    // At the deadline, or when stopped from outside (SIGTERM to nimlet: the command is in its own group, so no
    // terminal signal reaches it).
    const stop = (): void => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
      finish({ kind: 'timed-out', stdout, stderr });
    };
    const timer = setTimeout(stop, Math.max(1, options.timeoutMs));
    options.signal?.addEventListener('abort', stop, { once: true });
    if (options.signal?.aborted) stop();
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      if (stdout.length < MAX_OUTPUT) stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      if (stderr.length < MAX_OUTPUT) stderr += chunk;
    });
    child.on('error', (err: NodeJS.ErrnoException) => {
      finish({ kind: 'spawn-failed', errno: err.code ?? 'UNKNOWN', message: err.message });
    });
    child.on('close', (code, signal) => {
      if (signal) finish({ kind: 'signalled', signal, stdout, stderr });
      else finish({ kind: 'exited', code: code ?? 0, stdout, stderr });
    });
  });
}
