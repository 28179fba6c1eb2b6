// docker and ip, as the pod-spec runner calls them (root, the shared Docker engine): output as a string, a
// failure as an error carrying the command's stderr.
import { execFile } from 'node:child_process';

export function run(cmd: string, args: string[], timeoutMs = 120_000): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { timeout: timeoutMs, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${cmd} ${args.join(' ')}: ${stderr.trim() || err.message}`));
      else resolve(stdout);
    });
  });
}

export const docker = (...args: string[]): Promise<string> => run('docker', args);

/** The container's exit code once it has exited. */
export async function waitExit(container: string, timeoutMs: number): Promise<number> {
  return Number((await run('docker', ['wait', container], timeoutMs)).trim());
}

export async function logs(container: string): Promise<string> {
  return new Promise((resolve) => {
    execFile('docker', ['logs', container], { maxBuffer: 16 << 20 }, (_e, stdout, stderr) => resolve(stdout + stderr));
  });
}
