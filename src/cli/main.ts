// The CLI's top level: the only place that prints errors and turns them into exit codes.
import { readFileSync } from 'node:fs';
import { CommanderError } from 'commander';
import { EXIT, isNimletError, type NimletError } from '../errors.js';
import type { CliContext } from './context.js';
import { buildProgram, type ProgramResult } from './program.js';

function packageVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string };
    return pkg.version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

export function defaultContext(): CliContext {
  return {
    env: process.env,
    cwd: process.cwd(),
    stdout: (t) => void process.stdout.write(t),
    stderr: (t) => void process.stderr.write(t),
    stderrIsTTY: Boolean(process.stderr.isTTY),
    signal: new AbortController().signal,
  };
}

export function formatError(err: NimletError, json: boolean): string {
  if (json) return JSON.stringify(err.toJSON()) + '\n';
  const lines = [`nimlet: ${err.message}`];
  for (const d of err.details) lines.push(`  ${d}`);
  if (err.hint) lines.push(`hint: ${err.hint}`);
  return lines.join('\n') + '\n';
}

/** Runs nimlet with these arguments; resolves to the exit status. Never calls process.exit. */
export async function main(argv: string[], ctx: CliContext = defaultContext()): Promise<number> {
  const result: ProgramResult = { exitCode: EXIT.ok };
  const json = argv.includes('--json');
  const verbose = argv.includes('-v') || argv.includes('--verbose');
  try {
    await buildProgram(ctx, result, packageVersion(), { jsonErrors: json }).parseAsync(argv, { from: 'user' });
    return result.exitCode;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end here too, with exit code 0
      if (err.exitCode === 0) return EXIT.ok;
      if (json) ctx.stderr(JSON.stringify({ error: 'usage', exitCode: EXIT.usage, message: err.message.replace(/^error: /, '') }) + '\n');
      return EXIT.usage;
    }
    if (isNimletError(err)) {
      ctx.stderr(formatError(err, json));
      if (verbose && err.cause) ctx.stderr(`cause: ${String((err.cause as Error)?.stack ?? err.cause)}\n`);
      return err.exitCode;
    }
    const e = err as Error;
    const message = `internal error: ${e?.message ?? String(err)}`;
    if (json) ctx.stderr(JSON.stringify({ error: 'internal', exitCode: EXIT.internal, message }) + '\n');
    else ctx.stderr(`nimlet: ${message}\nhint: this is a bug in nimlet; rerun with -v and report the output\n`);
    if (verbose) ctx.stderr(`${e?.stack ?? ''}\n`);
    return EXIT.internal;
  }
}
