// The image's entrypoint (docker/entrypoint.sh) decides by the first argument whether nimlet or a plain command
// runs. Its list of nimlet commands must stay the CLI's list: a command added to program.ts and forgotten there
// would be exec'd as a plain program (and fail with "not found") inside the container.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../../src/cli/program.js';
import type { CliContext } from '../../src/cli/context.js';

function entrypointCommands(): string[] {
  const script = readFileSync(new URL('../../docker/entrypoint.sh', import.meta.url), 'utf8');
  const line = script.split('\n').find((l) => l.trim().startsWith('-* |'));
  if (line === undefined) throw new Error('no command list in docker/entrypoint.sh');
  return line.replace(')', '').split('|').map((s) => s.trim()).filter((s) => s !== '-*');
}

describe('docker/entrypoint.sh', () => {
  it('routes exactly the CLI commands (and help) to nimlet', () => {
    const ctx: CliContext = {
      env: {}, cwd: '/', stdout: () => undefined, stderr: () => undefined,
      stderrIsTTY: false, signal: new AbortController().signal,
    };
    const names = buildProgram(ctx, { exitCode: 0 }, '0.0.0').commands.map((c) => c.name());
    expect([...entrypointCommands()].sort()).toEqual([...names, 'help'].sort());
  });
});
