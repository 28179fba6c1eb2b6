// The CLI's top level: the only place that prints errors and turns them into exit codes.
import { CommanderError } from 'commander';
import { readFlag, type Env } from '../config/read.js';
import { unquoteEnv } from '../config/env-quotes.js';
import { readCredentials } from '../config/credentials.js';
import { EXIT, isNimletError, NimletError } from '../errors.js';
import { jsonLogLine } from '../log/logger.js';
import { redactText } from '../log/redact.js';
import type { CliContext } from './context.js';
import { buildProgram, type ProgramResult } from './program.js';
import { packageVersion } from './version.js';


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

/** How the top level prints an error: text for people, one JSON object (--json), or a JSON log line (NIM_JSONL_LOGGING). */
export type ErrorStyle = 'text' | 'json' | 'jsonl';

export function formatError(err: NimletError, style: ErrorStyle, now: () => Date = () => new Date()): string {
  if (style === 'json') return JSON.stringify(err.toJSON()) + '\n';
  if (style === 'jsonl') {
    const { error, ...rest } = err.toJSON();
    return jsonLogLine('error', 'failed', { ...rest, code: error }, now());
  }
  const lines = [`nimlet: ${err.message}`];
  // A detail the message already states (a refused pin's one reason) is printed once, not twice.
  for (const d of err.details) if (!err.message.includes(d)) lines.push(`  ${d}`);
  if (err.hint) lines.push(`hint: ${err.hint}`);
  return lines.join('\n') + '\n';
}

/**
 * The last line of defence before an error reaches the terminal or a log collector: no credential (a token's
 * value, a URL's user:password) and, for a message, no line breaks (a TLS library's multi-line text) — one line.
 */
export function printable(err: NimletError, env: Env): NimletError {
  const secrets = readCredentials(env);
  const clean = (t: string): string => redactText(t, secrets);
  return new NimletError(err.code, clean(err.message.replace(/\s*[\r\n]+\s*/g, ' ').trim()), {
    exitCode: err.exitCode,
    details: err.details.map(clean),
    ...(err.hint ? { hint: clean(err.hint) } : {}),
    ...(err.cause === undefined ? {} : { cause: err.cause }),
  });
}

function errorStyle(json: boolean, env: Env): ErrorStyle {
  if (json) return 'json';
  try {
    return readFlag(env, 'NIM_JSONL_LOGGING') ? 'jsonl' : 'text';
  } catch {
    return 'text'; // a bad value is itself the error being printed
  }
}

/** Runs nimlet with these arguments; resolves to the exit status. Never calls process.exit. */
export async function main(argv: string[], given: CliContext = defaultContext()): Promise<number> {
  const ctx: CliContext = { ...given, env: unquoteEnv(given.env) };
  const result: ProgramResult = { exitCode: EXIT.ok };
  const json = argv.includes('--json');
  const verbose = argv.includes('-v') || argv.includes('--verbose');
  try {
    const program = buildProgram(ctx, result, packageVersion(), { jsonErrors: json });
    // serve is the default command, so commander would read `nimlet bogus` as serve with an extra argument
    const first = argv[0];
    if (first !== undefined && !first.startsWith('-') && first !== 'help' && !program.commands.some((c) => c.name() === first)) {
      const message = `unknown command '${first}' (nimlet's commands: ${program.commands.map((c) => c.name()).join(', ')})`;
      ctx.stderr(json ? JSON.stringify({ error: 'usage', exitCode: EXIT.usage, message }) + '\n' : `error: ${message}\n(run with --help for usage)\n`);
      return EXIT.usage;
    }
    await program.parseAsync(argv, { from: 'user' });
    return result.exitCode;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end here too, with exit code 0
      if (err.exitCode === 0) return EXIT.ok;
      if (json) ctx.stderr(JSON.stringify({ error: 'usage', exitCode: EXIT.usage, message: err.message.replace(/^error: /, '') }) + '\n');
      return EXIT.usage;
    }
    if (isNimletError(err)) {
      ctx.stderr(formatError(printable(err, ctx.env), errorStyle(json, ctx.env)));
      if (verbose && err.cause) ctx.stderr(`cause: ${String((err.cause as Error)?.stack ?? err.cause)}\n`);
      return err.exitCode;
    }
    const e = err as Error;
    const internal = new NimletError('internal', `internal error: ${e?.message ?? String(err)}`, {
      hint: 'this is a bug in nimlet; rerun with -v and report the output',
    });
    ctx.stderr(formatError(printable(internal, ctx.env), errorStyle(json, ctx.env)));
    if (verbose) ctx.stderr(`${redactText(e?.stack ?? '', readCredentials(ctx.env))}\n`);
    return EXIT.internal;
  }
}
