// Command lines in the environment (NIM_PASSTHROUGH_ARGS, NIMLET_*_CMD) split as sh would, and a bad one refused
// without echoing a value that may hold a token.
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { readSettings } from '../../src/config/env.js';
import { splitCommandLine } from '../../src/config/command-line.js';
import { NimletError } from '../../src/errors.js';

describe('splitCommandLine', () => {
  it.each<[string, string[]]>([
    ['--a b  --c', ['--a', 'b', '--c']],
    [`--t 'it''s'`, ['--t', 'its']],
    [`--json '{"a": "x\\ny"}'`, ['--json', '{"a": "x\\ny"}']],
    ['--a "x\\ny"', ['--a', 'x\\ny']], // a backslash before n stays inside double quotes
    ['--a "q\\"q" "b\\\\s" "d\\$"', ['--a', 'q"q', 'b\\s', 'd$']],
    ['--a x\\ y', ['--a', 'x y']],
    ['--empty ""', ['--empty', '']],
  ])('%s', (line, argv) => {
    expect(splitCommandLine(line)).toEqual(argv);
    // the same as sh itself
    const sh = execFileSync('sh', ['-c', `set -- ${line}; for a in "$@"; do printf '%s\\0' "$a"; done`]);
    expect(sh.toString().split('\0').slice(0, -1)).toEqual(argv);
  });
});

describe('a command line with an unclosed quote', () => {
  it.each(['NIM_PASSTHROUGH_ARGS', 'NIMLET_VLLM_CMD'])('%s: exit 78 naming the variable and where the quote opened, never the value', (name) => {
    const secret = 'hf_SECRETSECRET123';
    let err: unknown;
    try {
      readSettings({ HOME: '/tmp', [name]: `--hf-token ${secret} --chat-template 'it''s` }, '/');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(NimletError);
    expect((err as NimletError).exitCode).toBe(78);
    expect((err as NimletError).message).toContain(name);
    expect((err as NimletError).message).toContain("unclosed ' quote (opened at character 51)");
    expect(JSON.stringify(err) + (err as Error).message + ((err as NimletError).hint ?? '')).not.toContain(secret);
  });
});

describe('proxy variables', () => {
  it.each(['notaurl', 'proxy.corp:3128', 'socks5://proxy:1080', 'http://user:s3cret@'])('HTTPS_PROXY=%s: exit 78 naming it, the value never shown', (value) => {
    let err: unknown;
    try {
      readSettings({ HOME: '/tmp', HTTPS_PROXY: value }, '/');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(NimletError);
    expect((err as NimletError).exitCode).toBe(78);
    expect((err as NimletError).message).toMatch(/^HTTPS_PROXY is not a proxy URL/);
    expect((err as NimletError).message + ((err as NimletError).hint ?? '')).not.toContain(value);
  });

  it.each(['http://proxy.corp:3128', 'https://u:p@proxy.corp', ' '])('%j is accepted', (value) => {
    expect(() => readSettings({ HOME: '/tmp', http_proxy: value }, '/')).not.toThrow();
  });
});

describe('relative paths in the environment', () => {
  // taken from the command's working folder (ctx.cwd), never the process's: main(argv, ctx) may run anywhere
  it.each([
    [{ NIM_CACHE_PATH: 'cache' }, 'cacheDir', '/work/dir/cache'],
    [{ NIM_CACHE_PATH: '../shared/cache' }, 'cacheDir', '/work/shared/cache'],
    [{ NIM_CACHE_PATH: '/abs/cache' }, 'cacheDir', '/abs/cache'],
    [{ HF_HUB_CACHE: 'hub' }, 'hfHubCache', '/work/dir/hub'],
    [{ NIM_MODEL_NAME: 'store', NIM_MODEL_PATH: 'hf://org/model' }, 'cacheDir', '/work/dir/store'],
    [{ XDG_CACHE_HOME: 'xdg' }, 'privateDir', '/work/dir/xdg/nimlet-private'],
    [{ XDG_CACHE_HOME: 'xdg' }, 'cacheDir', '/work/dir/xdg/nimlet'],
  ] as const)('%j: %s is %s', (env, key, expected) => {
    expect(readSettings({ HOME: '/home/u', ...env }, '/work/dir')[key]).toBe(expected);
  });
});
