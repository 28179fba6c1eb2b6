// Issue 11 fault 8, the inputs: each refused up front with a one-line error and its documented exit code (built
// CLI, build first) — never a validation that passes and a later exit 70, never a token sent out of /resolve/.
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { nimlet } from '../support/cli.js';
import { VLLM_TAGS, writeManifest } from '../support/manifest.js';
import { cliEnv, makeSandbox } from '../support/sandbox.js';
import { MANIFEST, runCli } from '../support/select-fixtures.js';

let dir: string;
beforeEach(async () => {
  const sb = makeSandbox({ engines: [] });
  dir = sb.dir;
});

const env = (manifest: string, extra: Record<string, string> = {}) =>
  cliEnv({ NIM_CACHE_PATH: path.join(dir, 'cache'), NIMLET_MANIFEST: manifest, XDG_CACHE_HOME: path.join(dir, 'xdg'), ...extra });

async function manifestWith(files: Record<string, { uri: string }>): Promise<string> {
  const m = path.join(dir, 'm.yaml');
  await writeManifest(m, [{ name: 'p', tags: VLLM_TAGS, files }]);
  return m;
}

describe('sources and paths refused before anything is fetched (65)', () => {
  it.each([
    ['an hf revision of ..', 'hf://acme/model:..?file=config.json', /version "\.\." is not valid/],
    ['an ngc version of ..', 'ngc://nim/acme/model:..?file=config.json', /version "\.\." is not valid/],
    ['an hf revision with %2F', 'hf://acme/model:a%2F..?file=config.json', /version "a%2F\.\." is not valid/],
  ])('%s', async (_what, uri, message) => {
    const m = await manifestWith({ 'config.json': { uri } });
    // validate warns (the profile cannot be fetched); a download refuses it
    const v = await nimlet(['manifest', 'validate', m], env(m));
    expect(v.stderr).toMatch(message);
    const r = await nimlet(['download-to-cache', '--all'], env(m, { HF_TOKEN: 'hf_x', NGC_API_KEY: 'nvapi-x', HF_ENDPOINT: 'http://127.0.0.1:9', NIMLET_NGC_ENDPOINT: 'http://127.0.0.1:9' }));
    expect(r.code, r.all).toBe(65);
    expect(r.stderr).toMatch(message);
  });

  it('a path segment over 255 bytes: refused by validate, and by download before anything is fetched', async () => {
    const m = await manifestWith({ [`${'n'.repeat(256)}.json`]: { uri: 'http://127.0.0.1:9/x.json' } });
    const r = await nimlet(['manifest', 'validate', m], env(m));
    expect(r.code, r.all).toBe(65);
    expect(r.stderr).toContain('each name at most 255 bytes');
    const d = await nimlet(['download-to-cache', '--all'], env(m));
    expect(d.code, d.all).toBe(65);
  });
});

describe('settings refused up front (78)', () => {
  it.each([['?query', 'http://127.0.0.1:9/?x=1'], ['#fragment', 'http://127.0.0.1:9/#top']])('HF_ENDPOINT with a %s', async (_what, value) => {
    const m = await manifestWith({ 'config.json': { uri: 'hf://acme/model:main?file=config.json' } });
    const r = await nimlet(['download-to-cache', '--all'], env(m, { HF_ENDPOINT: value }));
    expect(r.code, r.all).toBe(78);
    expect(r.stderr).toContain('HF_ENDPOINT=');
    expect(r.stderr).toContain('without ?query or #fragment');
  });
});

describe('NIM_CACHE_PATH under /proc', () => {
  it('select never touches the cache: it answers, 0', async () => {
    const r = await runCli(['select', '--json', '--manifest', MANIFEST], { machine: 'h100-x8-gpu3-busy', env: { NIM_CACHE_PATH: '/proc/self/nimlet-cache', XDG_CACHE_HOME: path.join(dir, 'xdg') } });
    expect(r.code, r.stderr).toBe(0);
  });

  it('download-to-cache: not writable, 73, at once', async () => {
    const m = await manifestWith({ 'config.json': { uri: 'http://127.0.0.1:9/config.json' } });
    const r = await nimlet(['download-to-cache', '--all'], env(m, { NIM_CACHE_PATH: '/proc/self/nimlet-cache' }));
    expect(r.code, r.all).toBe(73);
    expect(r.stderr).toContain('/proc/self/nimlet-cache');
  });
});
