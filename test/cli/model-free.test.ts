// Any model, no manifest (issue 16, DESIGN §13), in-process (test/support/cli.ts): NIM_MODEL_PATH=hf://… against the
// Hub-like test server (revision and paged tree APIs, resolve with X-Repo-Commit), on the project's fake GPUs.
import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { bytesBody, type ArtifactServer } from '../fixtures/servers/artifact-server.js';
import { addHubRepo, gitBlobId, llamaFiles, sha256, type HubFile } from '../fixtures/servers/hub-repo.js';
import { startProxyServer } from '../fixtures/servers/proxy-server.js';
import { nimlet as run, type CliResult } from '../support/cli.js';
import { FAKE_NVSMI_DIR, NODE_DIR } from '../support/paths.js';
import { makeSandbox } from '../support/sandbox.js';
const C1 = '1'.repeat(40);
const C2 = '2'.repeat(40);

let dir: string;
let srv: ArtifactServer;

beforeEach(async () => {
  const sb = makeSandbox({ engines: [] });
  dir = sb.dir;
  srv = await sb.server();
});

function nimlet(argv: string[], env: Record<string, string>): Promise<CliResult> {
  return run(argv, {
    PATH: `${FAKE_NVSMI_DIR}:${NODE_DIR}:/usr/bin:/bin`, HOME: dir, NIMLET_RETRY_BASE_MS: '10',
    NIM_CACHE_PATH: path.join(dir, 'cache'), HF_HUB_CACHE: path.join(dir, 'hf-empty'), XDG_CACHE_HOME: path.join(dir, 'xdg'),
    HF_ENDPOINT: srv.url, NIMLET_ENGINES: 'vllm,sglang', NIMLET_FRONT: 'off', ...env,
  }, { cwd: dir });
}

interface Listed { selected: string | null; profiles: Array<{ id: string; name: string; status: string; reasons: string[] }> }
const weightGets = () => srv.requests().filter((r) => r.path.includes('.safetensors') && !r.path.includes('index'));
const statusOf = (l: Listed) => Object.fromEntries(l.profiles.map((p) => [p.name, p.status]));
const reasonOf = (l: Listed, name: string) => l.profiles.find((p) => p.name === name)!.reasons.join(' | ');

describe('hf:// listing and selecting: metadata only, memory-aware', () => {
  beforeEach(() => void addHubRepo(srv, { repo: 'acme/Llama-8B', branches: { main: C1 }, files: llamaFiles(true), pageSize: 4 }));
  const model = { NIM_MODEL_PATH: 'hf://acme/Llama-8B' };

  const machines: Array<[string, Record<string, string>, string | null, string[]]> = [
    ['l4-x1', { 'vllm-bf16-tp1': 'runnable', 'sglang-bf16-tp1': 'runnable', 'tensorrt_llm-bf16-tp1': 'incompatible' }, 'vllm-bf16-tp1',
      ["needs 19.8 GiB per GPU at tp 1: weights 14.96 GiB + KV cache 3.9 GiB for 31,744 tokens + 1.0 GiB overhead; GPU 0 (NVIDIA L4) has 22.1 GiB free × 0.9 (the model's 131,072 tokens do not fit: runs with 31,744)"]],
    ['t4-x1', { 'vllm-bf16-tp1': 'incompatible' }, null, ['bf16 needs compute capability ≥ 8.0; GPU 0 has 7.5']],
    ['h100-nvl-x2', { 'vllm-bf16-tp2': 'runnable', 'vllm-bf16-tp1': 'runnable' }, 'vllm-bf16-tp2', ['weights 7.48 GiB + KV cache 8.0 GiB for 131,072 tokens']],
    ['h100-sxm-x8', { 'vllm-bf16-tp8': 'runnable', 'vllm-bf16-tp4': 'runnable' }, 'vllm-bf16-tp8', ['weights 1.87 GiB + KV cache 2.0 GiB for 131,072 tokens']],
    ['rtx2080-x2', { 'vllm-bf16-tp2': 'incompatible' }, null, ['compute capability']],
    ['p400-x1', { 'vllm-bf16-tp1': 'incompatible' }, null, ['compute capability']],
  ];
  it.each(machines)('%s: each engine and tp, why not, and the pick', async (machine, statuses, picked, reasons) => {
    const r = await nimlet(['list-model-profiles', '--json'], { ...model, NIMLET_FAKE_NVSMI_MACHINE: machine });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const listed = JSON.parse(r.stdout) as Listed;
    expect(statusOf(listed)).toMatchObject(statuses);
    const names = listed.profiles.map((p) => p.name);
    // tp up to the GPUs of one model, no more
    const gpus = { 'l4-x1': 1, 't4-x1': 1, 'h100-nvl-x2': 2, 'h100-sxm-x8': 8, 'rtx2080-x2': 2, 'p400-x1': 1 }[machine]!;
    expect(Math.max(...names.map((n) => Number(/tp(\d+)/.exec(n)![1])))).toBe(gpus);
    const about = picked ?? Object.keys(statuses)[0]!;
    for (const reason of reasons) expect(reasonOf(listed, about)).toContain(reason);
    expect(reasonOf(listed, 'tensorrt_llm-bf16-tp1')).toContain('tensorrt_llm');
    const sel = await nimlet(['select', '--json'], { ...model, NIMLET_FAKE_NVSMI_MACHINE: machine });
    if (picked === null) expect(sel.code).toBe(69);
    else expect({ code: sel.code, name: (JSON.parse(sel.stdout) as { name: string }).name }).toEqual({ code: 0, name: picked });
    expect(weightGets()).toEqual([]);
    const paths = srv.requests().map((r) => r.path.split('?')[0]);
    expect(new Set(paths)).toEqual(new Set([`/api/models/acme/Llama-8B/revision/main`, `/api/models/acme/Llama-8B/tree/${C1}`, `/acme/Llama-8B/resolve/${C1}/config.json`]));
  });

  it('the text listing states the shortened context', async () => {
    const r = await nimlet(['list-model-profiles'], { ...model, NIMLET_FAKE_NVSMI_MACHINE: 'l4-x1' });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/\(vllm-bf16-tp1\) \[selected\] \[context 31,744 of the model's 131,072 tokens: more does not fit\]/);
    expect(r.stdout).toMatch(/\(tensorrt_llm-bf16-tp1\) \[.*tensorrt_llm/);
  });

  it('a 22.1 GiB L4 with NIM_MAX_MODEL_LEN=131072: low-memory with every number', async () => {
    const r = await nimlet(['list-model-profiles', '--json'], { ...model, NIMLET_FAKE_NVSMI_MACHINE: 'l4-x1', NIM_MAX_MODEL_LEN: '131072' });
    const listed = JSON.parse(r.stdout) as Listed;
    expect(statusOf(listed)['vllm-bf16-tp1']).toBe('low-memory');
    expect(reasonOf(listed, 'vllm-bf16-tp1')).toBe('needs 32.0 GiB per GPU at tp 1: weights 14.96 GiB + KV cache 16.0 GiB for 131,072 tokens + 1.0 GiB overhead; GPU 0 (NVIDIA L4) has 22.1 GiB free × 0.9');
  });

  it('serve --dry-run on the L4: the longest context that fits goes to the engine; NIM_MAX_MODEL_LEN wins', async () => {
    const r = await nimlet(['serve', '--dry-run', '--json'], { ...model, NIMLET_FAKE_NVSMI_MACHINE: 'l4-x1' });
    expect(r.code).toBe(0);
    const argv = (JSON.parse(r.stdout) as { argv: string[] }).argv;
    expect(argv.slice(argv.indexOf('--max-model-len'))).toEqual(['--max-model-len', '31744']);
    const asked = await nimlet(['serve', '--dry-run', '--json'], { ...model, NIMLET_FAKE_NVSMI_MACHINE: 'l4-x1', NIM_MAX_MODEL_LEN: '8192' });
    const argv2 = (JSON.parse(asked.stdout) as { argv: string[] }).argv;
    expect(argv2.slice(argv2.indexOf('--max-model-len'))).toEqual(['--max-model-len', '8192']);
    expect(weightGets()).toEqual([]);
  });

  it('manifest generate: schema 2 that validates, and select on it picks the same profile', async () => {
    const g = await nimlet(['manifest', 'generate', 'hf://acme/Llama-8B'], { NIMLET_FAKE_NVSMI_MACHINE: 'l4-x1' });
    expect(g.stderr).toBe('');
    expect(g.code).toBe(0);
    const file = path.join(dir, 'generated.yaml');
    await writeFile(file, g.stdout);
    expect((await nimlet(['manifest', 'validate', file], {})).code).toBe(0);
    for (const machine of ['l4-x1', 'h100-nvl-x2']) {
      const fromHub = await nimlet(['select', '--json'], { ...model, NIMLET_FAKE_NVSMI_MACHINE: machine });
      const fromFile = await nimlet(['select', '--json', '--manifest', file], { NIMLET_FAKE_NVSMI_MACHINE: machine });
      expect(fromFile.code).toBe(0);
      const pick = (r: CliResult) => { const s = JSON.parse(r.stdout) as { id: string; name: string; tp: number }; return [s.id, s.name, s.tp]; };
      expect(pick(fromFile)).toEqual(pick(fromHub));
    }
  });

  it('a gated repository without HF_TOKEN: 77 naming HF_TOKEN; with it, listed', async () => {
    addHubRepo(srv, { repo: 'gated/Model', branches: { main: C2 }, files: llamaFiles(true), token: 'hf_test' });
    const r = await nimlet(['list-model-profiles'], { NIM_MODEL_PATH: 'hf://gated/Model', NIMLET_FAKE_NVSMI_MACHINE: 'l4-x1' });
    expect(r.code).toBe(77);
    expect(r.stderr).toContain('HF_TOKEN');
    const ok = await nimlet(['list-model-profiles', '--json'], { NIM_MODEL_PATH: 'hf://gated/Model', HF_TOKEN: 'hf_test', NIMLET_FAKE_NVSMI_MACHINE: 'l4-x1' });
    expect(ok.code).toBe(0);
  });

  it('behind HTTP_PROXY the metadata goes through the proxy, as the downloads do; NO_PROXY naming the host sends it direct', async () => {
    const proxy = await startProxyServer();
    try {
      const via = await nimlet(['list-model-profiles', '--json'], { ...model, HTTP_PROXY: proxy.url, NIMLET_FAKE_NVSMI_MACHINE: 'l4-x1' });
      expect(via.stderr).toBe('');
      expect(via.code).toBe(0);
      // undici's proxy agent tunnels every request, http: ones too: one CONNECT per connection it opened
      const tunnels = proxy.requests();
      expect(tunnels.length).toBeGreaterThan(0);
      expect(new Set(tunnels.map((q) => `${q.kind} ${q.target}`))).toEqual(new Set([`connect ${new URL(srv.url).host}`]));
      // another cache: no commit recorded, so the Hub is asked again
      const direct = await nimlet(['list-model-profiles', '--json'], { ...model, HTTP_PROXY: proxy.url, NO_PROXY: '127.0.0.1', NIM_CACHE_PATH: path.join(dir, 'cache2'), NIMLET_FAKE_NVSMI_MACHINE: 'l4-x1' });
      expect(direct.code).toBe(0);
      expect(proxy.requests()).toHaveLength(tunnels.length);
      const refused = await nimlet(['list-model-profiles'], { ...model, HTTP_PROXY: 'http://127.0.0.1:1', NIM_CACHE_PATH: path.join(dir, 'cache3'), NIMLET_FAKE_NVSMI_MACHINE: 'l4-x1' });
      expect(refused.code).toBe(75);
      expect(refused.stderr).toMatch(/cannot reach the Hugging Face Hub for revision main of acme\/Llama-8B.*\n.*HTTPS_PROXY/);
    } finally {
      await proxy.stop();
    }
  });

  it('a bad URI is 78 with a hint', async () => {
    const r = await nimlet(['select'], { NIM_MODEL_PATH: 'hf://just-a-name', NIMLET_FAKE_NVSMI_MACHINE: 'l4-x1' });
    expect(r.code).toBe(78);
    expect(r.stderr).toContain('hf://org/model');
  });
});

describe('hf:// downloads: verified, pinned to one commit, never fetched twice', () => {
  const files = llamaFiles(false);
  const small = { NIM_MODEL_PATH: 'hf://acme/Tiny-8B:main', NIMLET_FAKE_NVSMI_MACHINE: 'h100-nvl-x2' };

  it('serve --dry-run starts the engine on the downloaded folder; every file checked; the second start asks nothing', async () => {
    addHubRepo(srv, { repo: 'acme/Tiny-8B', branches: { main: C1 }, files });
    const d = await nimlet(['download-to-cache'], small);
    expect(d.stderr).not.toContain('error');
    expect(d.code).toBe(0);
    const r = await nimlet(['serve', '--dry-run', '--json'], small);
    expect(r.code).toBe(0);
    const argv = (JSON.parse(r.stdout) as { argv: string[] }).argv;
    const modelDir = argv[2]!;
    expect(argv.slice(0, 2)).toEqual(['vllm', 'serve']);
    for (const f of files.filter((x) => x.path !== 'README.md')) expect(await readFile(path.join(modelDir, f.path))).toEqual(f.bytes);
    await expect(readFile(path.join(modelDir, 'README.md'))).rejects.toThrow();
    srv.reset();
    const again = await nimlet(['serve', '--dry-run', '--json'], small);
    expect(again.code).toBe(0);
    expect(srv.requests()).toEqual([]);
  });

  it('generated profiles of one checkpoint share one workspace: tp 1 fetched, tp 2 served from it with no request', async () => {
    addHubRepo(srv, { repo: 'acme/Tiny-8B', branches: { main: C1 }, files });
    const d = await nimlet(['download-to-cache', '--profiles', 'vllm-bf16-tp1', '--json'], small);
    expect(d.code).toBe(0);
    const fetchedInto = (JSON.parse(d.stdout) as { profiles: Array<{ modelDir: string }> }).profiles[0]!.modelDir;
    srv.reset();
    const r = await nimlet(['serve', '--dry-run', '--json'], small);
    expect(r.code).toBe(0);
    const argv = (JSON.parse(r.stdout) as { argv: string[] }).argv;
    expect(argv).toContain('--tensor-parallel-size');
    expect(argv[argv.indexOf('--tensor-parallel-size') + 1]).toBe('2');
    expect(argv[2]).toBe(fetchedInto);
    expect(await readFile(path.join(argv[2]!, 'config.json'))).toEqual(files[0]!.bytes);
    expect(srv.requests()).toEqual([]);
  });

  it("the NIM Operator's cache Job: download-to-cache --model-uri hf://… --manifest-file F, no GPU; F validates", async () => {
    addHubRepo(srv, { repo: 'acme/Tiny-8B', branches: { main: C1 }, files });
    const f = path.join(dir, 'out', 'manifest.yaml');
    await mkdir(path.dirname(f));
    const r = await nimlet(['download-to-cache', '--model-uri', 'hf://acme/Tiny-8B', '--manifest-file', f], { PATH: '/nonexistent' });
    expect(r.stderr).not.toContain('error');
    expect(r.code).toBe(0);
    expect(weightGets().length).toBe(4);
    expect((await nimlet(['manifest', 'validate', f], {})).code).toBe(0);
    srv.reset();
    const served = await nimlet(['serve', '--dry-run', '--json'], small);
    expect(served.code).toBe(0);
    expect(srv.requests()).toEqual([]);
  });

  it('create-model-store from hf://…: a store that NIM_MODEL_NAME then serves with no manifest and no request', async () => {
    addHubRepo(srv, { repo: 'acme/Tiny-8B', branches: { main: C1 }, files });
    const store = path.join(dir, 'store');
    const c = await nimlet(['create-model-store', '--profile', 'vllm-bf16-tp2', '--model-store', store], small);
    expect(c.code).toBe(0);
    srv.reset();
    const r = await nimlet(['serve', '--dry-run', '--json'], { NIM_MODEL_NAME: store, NIMLET_FAKE_NVSMI_MACHINE: 'h100-nvl-x2' });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const argv = (JSON.parse(r.stdout) as { argv: string[] }).argv;
    expect(argv[2]).toBe(store);
    expect(argv[argv.indexOf('--tensor-parallel-size') + 1]).toBe('2');
    expect(srv.requests()).toEqual([]);
  });

  it('NIM_MODEL_NAME=DIR in Hugging Face layout, no manifest: profiles from its config.json, served in place', async () => {
    const folder = path.join(dir, 'llama');
    await mkdir(folder);
    for (const f of files) await writeFile(path.join(folder, f.path), f.bytes);
    const r = await nimlet(['serve', '--dry-run', '--json'], { NIM_MODEL_NAME: folder, NIMLET_FAKE_NVSMI_MACHINE: 'l4-x1' });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const argv = (JSON.parse(r.stdout) as { argv: string[] }).argv;
    expect(argv.slice(0, 3)).toEqual(['vllm', 'serve', folder]);
    expect(srv.requests()).toEqual([]);
  });

  it('a pinned-commit record another pod edited to name a file outside the repository is not used', async () => {
    addHubRepo(srv, { repo: 'acme/Tiny-8B', branches: { main: C1 }, files });
    expect((await nimlet(['list-model-profiles', '--json'], small)).code).toBe(0);
    const record = path.join(dir, 'cache', '.nimlet', 'hf', 'acme--Tiny-8B', 'main.json');
    const cp = JSON.parse(await readFile(record, 'utf8')) as { files: Array<{ path: string; uri: string }> };
    cp.files[0]!.uri = 'file:///etc/passwd';
    await writeFile(record, JSON.stringify(cp));
    srv.reset();
    expect((await nimlet(['list-model-profiles', '--json'], small)).code).toBe(0);
    expect(srv.requests().length).toBeGreaterThan(0);
    expect(await readFile(record, 'utf8')).not.toContain('/etc/passwd');
  });

  it('a moving branch: the first start pins its commit; files never mix', async () => {
    const repo = addHubRepo(srv, { repo: 'acme/Tiny-8B', branches: { main: C1 }, files });
    expect((await nimlet(['download-to-cache'], small)).code).toBe(0);
    const moved: HubFile[] = files.map((f) => (f.path === 'tokenizer.json' ? { ...f, bytes: Buffer.from('{"version": "2.0"}') } : f));
    repo.moveBranch('main', C2, moved);
    const r = await nimlet(['serve', '--dry-run', '--json'], small);
    const modelDir = (JSON.parse(r.stdout) as { argv: string[] }).argv[2]!;
    expect(await readFile(path.join(modelDir, 'tokenizer.json'), 'utf8')).toBe('{"version": "1.0"}');
  });

  it('a wrong byte in a small file (git blob id) or an LFS file (sha256): 74', async () => {
    const bad = files.map((f) => (f.path === 'generation_config.json' ? { ...f, bytes: Buffer.from('{"bos_token_id": 128001, "do_sample": true}') } : f));
    addHubRepo(srv, { repo: 'acme/Tiny-8B', branches: { main: C1 }, files });
    // the tree (and ETag) describe the good file; the bytes served are another's
    const good = files.find((f) => f.path === 'generation_config.json')!;
    srv.add(`/acme/Tiny-8B/resolve/${C1}/generation_config.json`, bytesBody(bad.find((f) => f.path === 'generation_config.json')!.bytes), { etag: gitBlobId(good.bytes) });
    const r = await nimlet(['download-to-cache'], small);
    expect(r.stderr).toContain('generation_config.json');
    expect(r.code).toBe(74);
    const lfs = files.find((f) => f.path === 'model-00001-of-00004.safetensors')!;
    srv.add(`/acme/Tiny-8B/resolve/${C1}/generation_config.json`, bytesBody(good.bytes), { etag: gitBlobId(good.bytes) });
    srv.add(`/acme/Tiny-8B/resolve/${C1}/${lfs.path}`, bytesBody('shard 1 bytez\n'), { linkedEtag: sha256(lfs.bytes) });
    // a fresh cache: the first run kept the good shard it had already verified
    const again = await nimlet(['download-to-cache'], { ...small, NIM_CACHE_PATH: path.join(dir, 'cache2') });
    expect(again.stderr).toContain(lfs.path);
    expect(again.code).toBe(74);
  });

  it('a Hugging Face cache on disk with HF_HUB_OFFLINE=1: zero requests, served from it', async () => {
    const hub = path.join(dir, 'hf', 'hub');
    const repoDir = path.join(hub, 'models--acme--Tiny-8B');
    await mkdir(path.join(repoDir, 'blobs'), { recursive: true });
    await mkdir(path.join(repoDir, 'refs'), { recursive: true });
    await mkdir(path.join(repoDir, 'snapshots', C1), { recursive: true });
    await writeFile(path.join(repoDir, 'refs', 'main'), C1);
    for (const f of files) {
      const blob = path.join(repoDir, 'blobs', f.lfs ? sha256(f.bytes) : gitBlobId(f.bytes));
      await writeFile(blob, f.bytes);
      await symlink(path.relative(path.join(repoDir, 'snapshots', C1), blob), path.join(repoDir, 'snapshots', C1, f.path));
    }
    const env = { ...small, HF_HUB_CACHE: hub, HF_HUB_OFFLINE: '1' };
    expect((await nimlet(['download-to-cache'], env)).code).toBe(0);
    const r = await nimlet(['serve', '--dry-run', '--json'], env);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const modelDir = (JSON.parse(r.stdout) as { argv: string[] }).argv[2]!;
    expect(await readFile(path.join(modelDir, 'config.json'))).toEqual(files[0]!.bytes);
    expect(srv.requests()).toEqual([]);
  });

  it("the operator's Universal NIM: NIM_MODEL_NAME=/model-store + NIM_MODEL_PATH=hf://…: downloads into the store once", async () => {
    addHubRepo(srv, { repo: 'acme/Tiny-8B', branches: { main: C1 }, files });
    const store = path.join(dir, 'model-store');
    const env = { ...small, NIM_MODEL_NAME: store, NIM_CACHE_PATH: path.join(dir, 'unused') };
    expect((await nimlet(['download-to-cache'], env)).code).toBe(0);
    const first = await nimlet(['serve', '--dry-run', '--json'], env);
    expect(first.code).toBe(0);
    expect((JSON.parse(first.stdout) as { argv: string[] }).argv[2]!.startsWith(store)).toBe(true);
    expect(weightGets().length).toBe(4);
    srv.reset();
    const second = await nimlet(['serve', '--dry-run', '--json'], env);
    expect(second.code).toBe(0);
    expect(srv.requests()).toEqual([]);
  });
});
