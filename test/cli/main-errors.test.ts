// How the top level prints an error: one line of message whatever a library put in it, no credential, and a
// JSON log line under NIM_JSONL_LOGGING=1 (container log collectors parse stderr line by line).
import { describe, expect, it } from 'vitest';
import { formatError, main, printable } from '../../src/cli/main.js';
import type { CliContext } from '../../src/cli/context.js';
import { NimletError } from '../../src/errors.js';

function ctxWith(env: Record<string, string>): CliContext & { err: string[] } {
  const err: string[] = [];
  return { env, cwd: process.cwd(), stdout: () => {}, stderr: (t) => void err.push(t), stderrIsTTY: false, signal: new AbortController().signal, err };
}

describe('printable errors', () => {
  it('a multi-line message becomes one line; tokens and URL passwords are replaced everywhere', () => {
    const e = new NimletError('network', 'TLS failed for https://user:hunter22@mirror.example/x:\n  error:0A00010B:SSL routines::wrong version number\n', {
      hint: 'check NGC_API_KEY=nvapi-SECRET-1', details: ['sent nvapi-SECRET-1'], cause: new Error('c'),
    });
    const p = printable(e, { NGC_API_KEY: 'nvapi-SECRET-1' });
    expect(p.message).toBe('TLS failed for https://***@mirror.example/x: error:0A00010B:SSL routines::wrong version number');
    expect(p.hint).toBe('check NGC_API_KEY=***');
    expect(p.details).toEqual(['sent ***']);
    expect([p.code, p.exitCode, (p.cause as Error).message]).toEqual(['network', 75, 'c']);
    expect(formatError(p, 'text').trimEnd().split('\n')).toHaveLength(3);
  });

  it('NIM_JSONL_LOGGING=1: the error is one JSON log line with level error', async () => {
    const ctx = ctxWith({ NIM_JSONL_LOGGING: '1', NIMLET_NGC_ENDPOINT: 'ftp://nope' });
    const code = await main(['doctor'], ctx);
    expect(code).toBe(78);
    expect(ctx.err).toHaveLength(1);
    const line = JSON.parse(ctx.err[0]!) as Record<string, unknown>;
    expect(line).toMatchObject({ level: 'error', event: 'failed', code: 'bad-config', exitCode: 78 });
    expect(typeof line.time).toBe('string');
    expect(line.message).toMatch(/NIMLET_NGC_ENDPOINT/);
  });

  it('--json wins over NIM_JSONL_LOGGING: the error object of DESIGN §1', async () => {
    const ctx = ctxWith({ NIM_JSONL_LOGGING: '1', NIMLET_NGC_ENDPOINT: 'ftp://nope' });
    expect(await main(['doctor', '--json'], ctx)).toBe(78);
    expect(JSON.parse(ctx.err[0]!)).toMatchObject({ error: 'bad-config', exitCode: 78 });
  });
});

describe('an unknown command', () => {
  // serve is the default command: without this check `nimlet bogus` read as "too many arguments for 'serve'"
  it('is a usage error (64) that names it and lists the commands, in text and under --json', async () => {
    const text = ctxWith({});
    expect(await main(['bogus'], text)).toBe(64);
    expect(text.err.join('')).toMatch(/^error: unknown command 'bogus' \(nimlet's commands: serve, list-model-profiles, select, gpus, download-to-cache, create-model-store, cache, manifest, doctor\)\n/);
    const json = ctxWith({});
    expect(await main(['bogus', '--json'], json)).toBe(64);
    expect(JSON.parse(json.err.join(''))).toMatchObject({ error: 'usage', exitCode: 64, message: expect.stringMatching(/^unknown command 'bogus'/) });
  });
});
