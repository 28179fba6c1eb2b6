// `nimlet doctor` in-process: fake nvidia-smi first on PATH, the NGC and HF endpoints served by a local HTTP server
// on 127.0.0.1, a fresh sandbox per test.
import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { nimlet as run, type CliResult as Result } from '../support/cli.js';
import { NODE_DIR } from '../support/paths.js';
import { makeSandbox, type Sandbox } from '../support/sandbox.js';

const MANIFEST = `schema_version: 2.0.0
profiles:
  - id: 1111111111111111111111111111111111111111111111111111111111111111
    tags: {llm_engine: vllm, precision: bf16, tp: 1, pp: 1}
    workspace:
      files:
        config.json: {uri: "hf://acme/tiny-model:main?file=config.json"}
`;

let sb: Sandbox;
let tmp: string;
let server: Server;
let base: string;
let requests: string[];

beforeEach(async () => {
  sb = makeSandbox({ manifest: MANIFEST, engines: [] });
  tmp = sb.dir;
  requests = [];
  server = createServer((req, res) => {
    requests.push(`${req.method} ${req.url} auth=${req.headers.authorization ?? 'none'}`);
    res.statusCode = req.url === '/ngc' ? 404 : 200;
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterEach(async () => {
  await new Promise((resolve) => server.close(resolve));
});

interface CheckOut { name: string; status: string; detail: string; hint?: string }

function nimlet(args: string[], env: Record<string, string>, pathDirs: string[] = [sb.bin, NODE_DIR]): Promise<Result> {
  return run(args, {
    HOME: tmp, NIM_CACHE_PATH: path.join(tmp, 'cache'), NO_COLOR: '1', PATH: pathDirs.join(path.delimiter),
    NIMLET_NGC_ENDPOINT: `${base}/ngc`, HF_ENDPOINT: `${base}/hf`, NIMLET_FAKE_NVSMI_MACHINE: 'h100-sxm-x8',
    NIMLET_MANIFEST: sb.manifest,
    // A loaded machine can starve the local server past the default 3 s: the answers these tests expect must not
    // turn into timeouts.
    NIMLET_DOCTOR_TIMEOUT_MS: '30000',
    ...env,
  }, { cwd: tmp });
}

const byName = (r: Result): Record<string, CheckOut> => {
  const out = JSON.parse(r.stdout) as { ok: boolean; checks: CheckOut[] };
  return Object.fromEntries(out.checks.map((c) => [c.name, c]));
};

describe('nimlet doctor', () => {
  it('a healthy host: every check ok but the absent HF_TOKEN the manifest needs; exit 0', async () => {
    const r = await nimlet(['doctor', '--json'], {});
    expect([r.code, r.stderr]).toEqual([0, '']);
    const c = byName(r);
    expect(Object.keys(c)).toEqual(['driver', 'gpus', 'engines', 'cpu', 'memory', 'os', 'cache', 'disk', 'manifest', 'NGC_API_KEY', 'HF_TOKEN', 'ngc', 'huggingface']);
    // host facts (DESIGN §5): this machine's, so their shape only; memory warns when little is available
    expect(c.cpu).toMatchObject({ status: 'ok', detail: expect.stringMatching(/\(\d+ cores, \d+ threads\)$/) });
    expect(c.memory?.detail).toMatch(/^\S+ \S+ total, (only )?\S+ \S+ available$/);
    expect(c.os).toMatchObject({ status: 'ok', detail: expect.stringMatching(/kernel \S+/) });
    expect(c.driver).toEqual({ name: 'driver', status: 'ok', detail: 'NVIDIA driver 565.57.01' });
    expect(c.gpus).toEqual({ name: 'gpus', status: 'ok', detail: '8 × NVIDIA H100 80GB HBM3 (2330:10de, cc 9.0)' });
    expect(c.engines).toMatchObject({ status: 'warn', detail: expect.stringMatching(/^none found \(no vllm or trtllm-serve on PATH/) });
    expect(c.cache).toEqual({ name: 'cache', status: 'ok', detail: `${path.join(tmp, 'cache')} is writable` });
    expect(c.disk?.status).not.toBe('fail');
    expect(c.manifest).toEqual({ name: 'manifest', status: 'ok', detail: `${path.join(tmp, 'model_manifest.yaml')}: 1 profiles (schema-2 layout)` });
    expect(c.NGC_API_KEY).toEqual({ name: 'NGC_API_KEY', status: 'ok', detail: 'absent (no ngc:// source needs it)' });
    expect(c.HF_TOKEN).toMatchObject({ status: 'warn', detail: 'absent, and the manifest has hf:// sources' });
    // an HF-only manifest: NGC is not reached, so nothing warns about it
    expect(c.ngc).toEqual({ name: 'ngc', status: 'ok', detail: 'not checked: no ngc:// source in the manifest' });
    expect(c.huggingface).toEqual({ name: 'huggingface', status: 'ok', detail: `${base}/hf answered HTTP 200` });
    expect(requests.sort()).toEqual(['HEAD /hf auth=none']);
  });

  it('the engines the image declares, with their versions (DESIGN §8)', async () => {
    const r = await nimlet(['doctor', '--json'], { NIMLET_ENGINES: 'vllm@0.11.2,sglang' });
    expect(byName(r).engines).toEqual({ name: 'engines', status: 'ok', detail: 'vllm 0.11.2, sglang (declared by NIMLET_ENGINES)' });
  });

  it('credentials are reported present, never printed', async () => {
    const r = await nimlet(['doctor', '--json'], { HF_TOKEN: 'hf_s3cr3t-value', NGC_API_KEY: 'nvapi-s3cr3t' });
    expect(byName(r).HF_TOKEN).toEqual({ name: 'HF_TOKEN', status: 'ok', detail: 'present' });
    expect(byName(r).NGC_API_KEY).toEqual({ name: 'NGC_API_KEY', status: 'ok', detail: 'present' });
    expect(r.stdout + r.stderr).not.toMatch(/s3cr3t/);
    expect(requests.every((q) => q.endsWith('auth=none'))).toBe(true);
  });

  it('an endpoint URL with user:password: reached, the password in no output or error', async () => {
    const withUser = base.replace('http://', 'http://u:pw-SECRETX@');
    const r = await nimlet(['doctor'], { HF_ENDPOINT: `${withUser}/hf` });
    expect(r.stdout).toContain(`http://***@127.0.0.1:${new URL(base).port}/hf answered HTTP 200`);
    const bad = await nimlet(['doctor'], { NIMLET_NGC_ENDPOINT: 'ftp://u:pw-SECRETZ@example.invalid' });
    expect(bad.code).toBe(78);
    expect(bad.stderr).toContain('ftp://***@example.invalid');
    expect(r.stdout + r.stderr + bad.stdout + bad.stderr).not.toMatch(/SECRET/);
  });

  it('no nvidia-smi: the driver check fails with the container hint; exit 69', async () => {
    const r = await nimlet(['doctor', '--json'], {}, [path.join(tmp, 'empty-bin')]);
    expect(r.code).toBe(69);
    const c = byName(r);
    expect(c.driver).toMatchObject({ status: 'fail', detail: 'nvidia-smi was not found on PATH: no NVIDIA driver is visible here' });
    expect(c.driver?.hint).toContain('--gpus all');
    expect(c.gpus).toMatchObject({ status: 'fail' });
  });

  it('a cache folder that cannot be created fails; --cache is honoured', async () => {
    writeFileSync(path.join(tmp, 'a-file'), '');
    const r = await nimlet(['doctor', '--json', '--cache', 'a-file/cache'], {});
    expect(r.code).toBe(69);
    expect(byName(r).cache).toMatchObject({ status: 'fail', detail: `${path.join(tmp, 'a-file/cache')} is not writable (ENOTDIR)` });
  });

  it('an HF-only manifest with NGC unreachable: no NGC warning, exit 0', async () => {
    const r = await nimlet(['doctor', '--json'], { NIMLET_NGC_ENDPOINT: 'http://127.0.0.1:1/ngc', HF_TOKEN: 'x', NIMLET_ENGINES: 'vllm' });
    expect(r.code).toBe(0);
    expect(byName(r).ngc).toEqual({ name: 'ngc', status: 'ok', detail: 'not checked: no ngc:// source in the manifest' });
    expect(Object.values(byName(r)).filter((c) => c.status !== 'ok')).toEqual([]);
  });

  it('a missing manifest fails and names it; exit 66 as the README says (as serve would)', async () => {
    const r = await nimlet(['doctor', '--json', '--manifest', 'nope.yaml'], {});
    expect(r.code).toBe(66);
    // without a manifest doctor cannot tell which hub it needs: both are reached
    expect(byName(r).ngc?.detail).toBe(`${base}/ngc answered HTTP 404`);
    expect(byName(r).manifest).toMatchObject({ status: 'fail', detail: 'manifest nope.yaml (from --manifest): no such file' });
  });

  it('an unreachable endpoint warns (exit 0); offline mode checks none', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const dead = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`;
    await new Promise((resolve) => closed.close(resolve));
    const r = await nimlet(['doctor', '--json'], { HF_ENDPOINT: dead, HF_TOKEN: 'x' });
    expect(r.code).toBe(0);
    expect(byName(r).huggingface).toMatchObject({ status: 'warn', detail: `${dead} is unreachable (ECONNREFUSED)` });

    const off = await nimlet(['doctor', '--json'], { NIMLET_OFFLINE: '1', HF_TOKEN: 'x' });
    expect(off.code).toBe(0);
    expect(byName(off).endpoints?.status).toBe('ok');
    expect(byName(off).ngc).toBeUndefined();
  });

  it('an endpoint that never answers: "no answer within" NIMLET_DOCTOR_TIMEOUT_MS; a bad value is 78 before any check', async () => {
    const silent = createServer(() => undefined); // takes the request, never answers
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const mute = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
      const r = await nimlet(['doctor', '--json'], { HF_ENDPOINT: mute, HF_TOKEN: 'x', NIMLET_DOCTOR_TIMEOUT_MS: '200' });
      expect(r.code).toBe(0);
      expect(byName(r).huggingface).toMatchObject({ status: 'warn', detail: `${mute} is unreachable (no answer within 0.2 s)` });
      expect(byName(r).ngc?.detail).toBe('not checked: no ngc:// source in the manifest');
    } finally {
      silent.closeAllConnections();
      await new Promise((resolve) => silent.close(resolve));
    }

    requests = [];
    const bad = await nimlet(['doctor'], { NIMLET_DOCTOR_TIMEOUT_MS: '3s' });
    expect(bad.code).toBe(78);
    expect(bad.stderr).toContain('NIMLET_DOCTOR_TIMEOUT_MS="3s" is not valid');
    expect(bad.stdout).toBe('');
    expect(requests).toEqual([]);
  });

  it('text output: one line per check, hints under the ones that are not ok', async () => {
    const r = await nimlet(['doctor'], {});
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe('OK    driver       NVIDIA driver 565.57.01');
    expect(lines).toContain('WARN  HF_TOKEN     absent, and the manifest has hf:// sources');
    expect(lines).toContain('                   hint: set HF_TOKEN for gated or private Hugging Face repositories');
  });
});
