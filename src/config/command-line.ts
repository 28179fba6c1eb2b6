// Variables that hold a command line (NIMLET_*_CMD, NIM_PASSTHROUGH_ARGS): split as sh quotes, never expanded.
import { NimletError } from '../errors.js';
import { badValue, readString, type Env } from './read.js';

/** A command line with an unclosed quote; `at` is the 1-based character where the quote opened. */
class UnclosedQuote extends Error {
  constructor(readonly quote: string, readonly at: number) {
    super(`unclosed ${quote} quote`);
  }
}

/**
 * Splits a command line as sh does for quoting: 'single' is literal, "double" keeps a backslash except before
 * a double quote, a backslash, $ or a backquote (so an inline JSON or chat template with \n survives), and outside quotes a backslash
 * escapes the next character. No expansion of any kind.
 */
export function splitCommandLine(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let inToken = false;
  let quote: '"' | "'" | null = null;
  let openedAt = 0;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quote) {
      if (ch === quote) quote = null;
      else if (ch === '\\' && quote === '"' && i + 1 < line.length && '"\\$`'.includes(line[i + 1]!)) cur += line[++i];
      else cur += ch;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      openedAt = i + 1;
      inToken = true;
    } else if (ch === '\\' && i + 1 < line.length) {
      cur += line[++i];
      inToken = true;
    } else if (/\s/.test(ch)) {
      if (inToken) out.push(cur);
      cur = '';
      inToken = false;
    } else {
      cur += ch;
      inToken = true;
    }
  }
  if (quote) throw new UnclosedQuote(quote, openedAt);
  if (inToken) out.push(cur);
  return out;
}

/** Splits a variable holding a command line; a bad one is exit 78 without its value (it may carry a token). */
export function readArgv(env: Env, name: string, what: string): string[] | null {
  const raw = readString(env, name);
  if (raw === null) return null;
  try {
    return splitCommandLine(raw);
  } catch (e) {
    const q = e as UnclosedQuote;
    return badQuoting(name, q.quote, q.at, what);
  }
}

function badQuoting(name: string, quote: string, at: number, what: string): never {
  throw new NimletError('bad-config', `${name} has an unclosed ${quote} quote (opened at character ${at}); its value is not shown, it may hold a credential`, {
    hint: `set ${name} to ${what}: close the quote, or escape it with a backslash`,
  });
}

export function readCommand(env: Env, name: string): string[] | null {
  const argv = readArgv(env, name, 'a command line with balanced quotes');
  if (argv !== null && argv.length === 0) throw badValue(name, '', 'a command line (it is empty)');
  return argv;
}
