// Finds the engine's executable before starting it, the way a shell would, so both exec paths fail the same
// way: 127 when nothing by that name exists, 126 when something does but cannot be run. (Before Node 22.x a
// failed process.execve aborted the process instead of throwing, so nimlet must know before it tries.)
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import path from 'node:path';
import { NimletError } from '../errors.js';

type Found = 'executable' | 'not-executable' | 'missing';

async function check(file: string): Promise<Found> {
  try {
    const s = await stat(file);
    if (!s.isFile()) return 'not-executable';
    await access(file, constants.X_OK);
    return 'executable';
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return code === 'ENOENT' || code === 'ENOTDIR' ? 'missing' : 'not-executable';
  }
}

export function engineNotFound(command: string, variable: string, cause?: unknown): NimletError {
  return new NimletError('engine-not-found', `engine command "${command}" not found${command.includes('/') ? '' : ' on PATH'}`, {
    hint: `install the engine in the image, or set ${variable} to the command that starts it`,
    cause,
  });
}

export function engineNotExecutable(command: string, variable: string, cause?: unknown): NimletError {
  return new NimletError('engine-not-executable', `engine command "${command}" is not executable`, {
    hint: `make it executable (chmod +x), or set ${variable} to the command that starts the engine`,
    cause,
  });
}

/** The absolute path of `command` (a name looked up on PATH, or a path); throws 127/126 errors. */
export async function resolveCommand(command: string, pathVar: string | undefined, cwd: string, variable: string): Promise<string> {
  if (command.includes('/')) {
    const file = path.resolve(cwd, command);
    const found = await check(file);
    if (found === 'executable') return file;
    throw found === 'missing' ? engineNotFound(command, variable) : engineNotExecutable(command, variable);
  }
  let sawNonExecutable = false;
  for (const dir of (pathVar ?? '').split(path.delimiter)) {
    // an empty PATH entry means the current folder, as in a shell
    const file = path.resolve(cwd, dir || '.', command);
    const found = await check(file);
    if (found === 'executable') return file;
    if (found === 'not-executable') sawNonExecutable = true;
  }
  throw sawNonExecutable ? engineNotExecutable(command, variable) : engineNotFound(command, variable);
}
