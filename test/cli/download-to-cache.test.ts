// download-to-cache, create-model-store and cache ls/verify/prune through the built CLI, against the fake
// artifact server on 127.0.0.1 (build first: npx tsc -p tsconfig.build.json).
import { chmod, lstat, mkdir, readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { beforeEach, describe, expect, it } from 'vitest';
import { bytesBody, generatedBody, sha256Of, type ArtifactServer } from '../fixtures/servers/artifact-server.js';
import { execa } from 'execa';
import { nimlet } from '../support/cli.js';
import { idOf, type TestProfile, VLLM_TAGS, writeManifest, wsName, wsOf } from '../support/manifest.js';
import { NOBODY, skipUnlessNobodyCanRun } from '../support/nobody.js';
import { cliEnv, makeSandbox } from '../support/sandbox.js';
import { tarBytes } from '../support/tar-writer.js';

let dir: string;
let cache: string;
let manifest: string;
let srv: ArtifactServer;

const CONFIG = '{"architectures":["LlamaForCausalLM"]}';
const WEIGHTS = generatedBody(3 * 1024 * 1024 + 17, 5);
const ENGINE_TAR = gzipSync(tarBytes([{ name: 'rank0.engine', type: '0', data: Buffer.from('engine-bytes') }, { name: 'sub', type: '5' }, { name: 'sub/meta.json', type: '0', data: Buffer.from('{}') }]));

async function profiles(): Promise<TestProfile[]> {
  srv.add('/m/config.json', bytesBody(CONFIG));
  srv.add('/m/model.safetensors', WEIGHTS);
  srv.add('/m/engine.tar.gz', bytesBody(ENGINE_TAR));
  srv.add('/m/tokenizer.json', bytesBody('{"tok":1}'));
  return [
    {
      name: 'vllm-bf16-tp1',
      tags: VLLM_TAGS,
      files: {
        'config.json': { uri: `${srv.url}/m/config.json`, sha256: await sha256Of(bytesBody(CONFIG)), size: CONFIG.length },
        // no sha256: verified against nothing but kept by source (refs/uri)
        'model.safetensors': { uri: `${srv.url}/m/model.safetensors`, size: 3 * 1024 * 1024 + 17 },
        engine: { uri: `${srv.url}/m/engine.tar.gz`, sha256: await sha256Of(bytesBody(ENGINE_TAR)), extract: true },
      },
    },
    {
      name: 'vllm-bf16-tp2',
      tags: { ...VLLM_TAGS, tp: '2' },
      files: {
        'config.json': { uri: `${srv.url}/m/config.json`, sha256: await sha256Of(bytesBody(CONFIG)) },
        'tokenizer.json': { uri: `${srv.url}/m/tokenizer.json` },
      },
    },
  ];
}

const env = (extra: Record<string, string> = {}) => cliEnv({ NIM_CACHE_PATH: cache, NIMLET_MANIFEST: manifest, ...extra });
const gets = () => srv.requests().filter((r) => r.method === 'GET').map((r) => r.path).sort();

beforeEach(async () => {
  const sb = makeSandbox({ engines: [] });
  dir = sb.dir;
  cache = sb.cache;
  manifest = sb.manifest;
  srv = await sb.server();
  await writeManifest(manifest, await profiles());
});

describe('download-to-cache', () => {
  it.skipIf(process.getuid?.() !== 0)('a cache whose locks/ belongs to another uid: exit 73 naming the folder, not an internal error', async ({ skip }) => {
    skipUnlessNobodyCanRun(skip);
    await nimlet(['download-to-cache', '--profiles', 'vllm-bf16-tp2'], env()); // the layout, made by root
    await rm(path.join(cache, 'profiles'), { recursive: true, force: true });
    await rm(path.join(cache, 'blobs'), { recursive: true, force: true });
    await execa('chown', ['-R', `${NOBODY}:${NOBODY}`, dir]);
    await execa('chown', ['0:0', path.join(cache, 'locks')]);
    await chmod(path.join(cache, 'locks'), 0o755);
    const r = await nimlet(['download-to-cache', '--profiles', 'vllm-bf16-tp2'], env(), { uid: NOBODY });
    expect(r.code).toBe(73);
    expect(r.all).toMatch(/cannot write in the cache: EACCES on .*locks/);
    expect(r.all).not.toMatch(/bug in nimlet/);
  });

  it.skipIf(process.getuid?.() !== 0)('a complete partial left read-only by a kill before its rename does not block a non-root run', async ({ skip }) => {
    skipUnlessNobodyCanRun(skip);
    const partials = path.join(cache, 'partials');
    await mkdir(partials, { recursive: true });
    const partial = path.join(partials, await sha256Of(bytesBody(CONFIG)));
    await writeFile(partial, CONFIG);
    await chmod(partial, 0o444);
    await execa('chown', ['-R', `${NOBODY}:${NOBODY}`, dir]);
    const r = await nimlet(['download-to-cache', '--profiles', 'vllm-bf16-tp2'], env(), { uid: NOBODY });
    expect(r.all).not.toContain('EACCES');
    expect(r.code).toBe(0);
    expect(await readFile(path.join(wsOf(cache, 'vllm-bf16-tp2'), 'config.json'), 'utf8')).toBe(CONFIG);
    expect((await stat(path.join(cache, 'blobs/sha256', await sha256Of(bytesBody(CONFIG))))).mode & 0o777).toBe(0o444);
  });

  it('fetches a profile into a published, verified workspace; a second run makes no request', async () => {
    const r = await nimlet(['download-to-cache', '--profiles', 'vllm-bf16-tp1', '--json'], env());
    expect(r.stderr).not.toContain('nimlet:');
    expect(r.code).toBe(0);
    const ws = wsOf(cache, 'vllm-bf16-tp1');
    expect(JSON.parse(r.stdout)).toEqual({
      profiles: [{ id: idOf('vllm-bf16-tp1'), name: 'vllm-bf16-tp1', modelDir: ws, files: 3, bytes: CONFIG.length + 3 * 1024 * 1024 + 17 + 12 + 2, fetchedBytes: CONFIG.length + 3 * 1024 * 1024 + 17 + ENGINE_TAR.length }],
    });
    expect(gets()).toEqual(['/m/config.json', '/m/engine.tar.gz', '/m/model.safetensors']);
    expect(await readFile(path.join(ws, 'config.json'), 'utf8')).toBe(CONFIG);
    expect(await readFile(path.join(ws, 'engine/rank0.engine'), 'utf8')).toBe('engine-bytes');
    expect(await readFile(path.join(ws, 'engine/sub/meta.json'), 'utf8')).toBe('{}');
    // workspace files are hard links to content-addressed, read-only blobs
    const blob = path.join(cache, 'blobs/sha256', await sha256Of(WEIGHTS));
    expect((await stat(path.join(ws, 'model.safetensors'))).ino).toBe((await stat(blob)).ino);
    expect((await stat(blob)).mode & 0o777).toBe(0o444);
    expect(JSON.parse(await readFile(path.join(ws, '.nimlet-complete'), 'utf8'))).toMatchObject({ version: 1, id: idOf('vllm-bf16-tp1') });
    expect(await readdir(path.join(cache, 'partials'))).toEqual([]);
    expect(await readdir(path.join(cache, 'locks'))).toEqual([]);
    expect(await readdir(path.join(cache, 'tmp'))).toEqual([]);

    srv.reset();
    const again = await nimlet(['download-to-cache', '--profiles', 'vllm-bf16-tp1', '--json'], env());
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout).profiles[0].fetchedBytes).toBe(0);
    expect(srv.requests()).toEqual([]);
  });

  it('--json: stderr holds only JSON — progress as log lines, then the error object (a 404 here)', async () => {
    await writeManifest(manifest, [{ name: 'vllm-bf16-tp1', tags: VLLM_TAGS, files: { 'gone.bin': { uri: `${srv.url}/m/gone.bin` } } }]);
    const r = await nimlet(['download-to-cache', '--profiles', 'vllm-bf16-tp1', '--json'], env());
    expect(r.code).toBe(66);
    const lines = r.stderr.trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.at(-1)).toMatchObject({ error: 'not-found', exitCode: 66 });
    expect(lines.slice(0, -1).map((l) => l.event)).toContain('download_failed');
  });

  it('--all fetches every profile, sharing blobs between them', async () => {
    const r = await nimlet(['download-to-cache', '--all'], env());
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`${idOf('vllm-bf16-tp2')} (vllm-bf16-tp2): 2 file(s)`);
    // config.json is one blob, fetched once for both profiles
    expect(gets()).toEqual(['/m/config.json', '/m/engine.tar.gz', '/m/model.safetensors', '/m/tokenizer.json']);
  });

  it('an unknown --profiles name is exit 78 naming the option and the closest names', async () => {
    const r = await nimlet(['download-to-cache', '--profiles', 'vllm-bf16-tp3'], env());
    expect(r.code).toBe(78);
    expect(r.stderr).toMatch(/--profiles="vllm-bf16-tp3" matches no profile of the manifest; closest: vllm-bf16-tp1/);
    expect(srv.requests()).toEqual([]);
  });

  it('a cache folder that cannot be written is exit 73 with a hint', async () => {
    await writeFile(cache, 'a file where the cache folder should be');
    const r = await nimlet(['download-to-cache', '--profiles', 'vllm-bf16-tp1'], env());
    expect(r.code).toBe(73);
    expect(r.stderr).toContain(`nimlet: cache folder ${cache} is not writable`);
    expect(r.stderr).toMatch(/hint: set NIM_CACHE_PATH \(or --cache\) to a writable folder/);
  });
});

describe('offline', () => {
  it('a complete cache serves download-to-cache and create-model-store with zero requests', async () => {
    expect((await nimlet(['download-to-cache', '--profiles', 'vllm-bf16-tp1'], env())).code).toBe(0);
    srv.reset();
    for (const flag of ['HF_HUB_OFFLINE', 'NIMLET_OFFLINE', 'NIM_DISABLE_MODEL_DOWNLOAD']) {
      const r = await nimlet(['download-to-cache', '--profiles', 'vllm-bf16-tp1'], env({ [flag]: '1' }));
      expect(r.code).toBe(0);
    }
    const store = path.join(dir, 'store');
    const r = await nimlet(['create-model-store', '--profile', 'vllm-bf16-tp1', '--model-store', store, '--json'], env({ HF_HUB_OFFLINE: '1' }));
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ id: idOf('vllm-bf16-tp1'), modelStore: store, files: 3, fetchedBytes: 0 });
    expect(srv.requests()).toEqual([]);
    // plain files: real copies, writable, not links into the cache
    const st = await lstat(path.join(store, 'model.safetensors'));
    expect(st.isFile()).toBe(true);
    expect(st.nlink).toBe(1);
    expect(st.mode & 0o777).toBe(0o644);
    expect(await readFile(path.join(store, 'config.json'), 'utf8')).toBe(CONFIG);
    expect(await readFile(path.join(store, 'engine/rank0.engine'), 'utf8')).toBe('engine-bytes');
    expect((await readdir(store)).sort()).toEqual(['.nimlet', 'config.json', 'engine', 'model.safetensors']);
  });

  it('an incomplete cache is an error listing every missing file, with no request', async () => {
    const r = await nimlet(['download-to-cache', '--profiles', 'vllm-bf16-tp1'], env({ NIMLET_OFFLINE: '1' }));
    expect(r.code).toBe(66);
    expect(r.stderr).toContain('nimlet: profile vllm-bf16-tp1 is not complete in the cache and downloads are turned off (3 file(s) missing)');
    expect(r.stderr).toContain(`missing: config.json (${srv.url}/m/config.json)`);
    expect(r.stderr).toContain(`missing: model.safetensors (${srv.url}/m/model.safetensors)`);
    expect(r.stderr).toContain(`missing: engine (${srv.url}/m/engine.tar.gz)`);
    const store = await nimlet(['create-model-store', '--profile', 'vllm-bf16-tp1', '--model-store', path.join(dir, 's')], env({ HF_HUB_OFFLINE: '1' }));
    expect(store.code).toBe(66);
    expect(srv.requests()).toEqual([]);
  });
});

describe('create-model-store', () => {
  it('fetches first when needed, then writes plain files', async () => {
    const store = path.join(dir, 'store');
    const r = await nimlet(['create-model-store', '--profile', idOf('vllm-bf16-tp2'), '--model-store', store], env());
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`use it with: NIM_MODEL_NAME=${store}`);
    expect(await readFile(path.join(store, 'tokenizer.json'), 'utf8')).toBe('{"tok":1}');
    expect(gets()).toEqual(['/m/config.json', '/m/tokenizer.json']);
  });
});

describe('cache ls, verify, prune', () => {
  it('ls lists complete and incomplete profiles and the blobs', async () => {
    expect((await nimlet(['download-to-cache', '--all'], env())).code).toBe(0);
    await mkdir(path.join(cache, 'profiles', 'half-made'));
    const r = await nimlet(['cache', 'ls', '--json'], env());
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    const rows = out.profiles.map((p: { id: string; name: string | null; complete: boolean }) => [p.id, p.name, p.complete]);
    const byId = (a: unknown[], b: unknown[]) => (String(a[0]) < String(b[0]) ? -1 : 1);
    expect(rows.sort(byId)).toEqual(
      [['half-made', null, false], [idOf('vllm-bf16-tp1'), 'vllm-bf16-tp1', true], [idOf('vllm-bf16-tp2'), 'vllm-bf16-tp2', true]].sort(byId),
    );
    expect(out.blobs).toEqual({ count: 4, bytes: CONFIG.length + 3 * 1024 * 1024 + 17 + ENGINE_TAR.length + 9 });
  });

  it('verify passes on a sound cache and reports a corrupt blob with exit 74', async () => {
    expect((await nimlet(['download-to-cache', '--profiles', 'vllm-bf16-tp1'], env())).code).toBe(0);
    const ok = await nimlet(['cache', 'verify'], env());
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('checked 3 blob(s) and 4 workspace file(s)');
    const hex = await sha256Of(bytesBody(CONFIG));
    const blob = path.join(cache, 'blobs/sha256', hex);
    await chmod(blob, 0o644);
    await writeFile(blob, '{"tampered":true}');
    const bad = await nimlet(['cache', 'verify'], env());
    expect(bad.code).toBe(74);
    expect(bad.stderr).toContain('nimlet: the cache has 2 corrupt or missing file(s)');
    expect(bad.stderr).toMatch(new RegExp(`blob ${hex}: content hashes to [0-9a-f]{64}`));
    expect(bad.stderr).toMatch(/profile vllm-bf16-tp1: config.json hashes to [0-9a-f]{64}, expected /);
    expect(bad.stderr).toContain('hint: run `nimlet cache verify --repair`');

    // --repair removes the damaged blob and unpublishes the profile; the next download fetches that file alone
    const repair = await nimlet(['cache', 'verify', '--repair'], env());
    expect(repair.code, repair.all).toBe(0);
    expect(repair.stdout).toContain('removed 1 damaged profile folder(s) and 1 blob(s)');
    expect(existsSync(wsOf(cache, 'vllm-bf16-tp1'))).toBe(false);
    expect((await nimlet(['cache', 'verify'], env())).code).toBe(0);
    srv.reset();
    expect((await nimlet(['download-to-cache', '--profiles', 'vllm-bf16-tp1'], env())).code).toBe(0);
    expect(gets()).toEqual(['/m/config.json']);
    expect(await readFile(path.join(wsOf(cache, 'vllm-bf16-tp1'), 'config.json'), 'utf8')).toBe(CONFIG);
    expect((await nimlet(['cache', 'verify'], env())).code).toBe(0);
  });

  it('prune removes what the manifest no longer needs once no record keeps it, and keeps what it does', async () => {
    expect((await nimlet(['download-to-cache', '--all'], env())).code).toBe(0);
    const all = await profiles();
    const onlyTp1 = path.join(dir, 'tp1.yaml');
    await writeManifest(onlyTp1, [all[0]!]);
    // tp2 was used through this cache (recorded): kept, and said why
    const kept = JSON.parse((await nimlet(['cache', 'prune', '--dry-run', '--manifest', onlyTp1, '--json'], env())).stdout);
    expect(kept.removed).toEqual([]);
    expect(kept.kept).toContainEqual({ kind: 'workspace', path: wsOf(cache, 'vllm-bf16-tp2'), why: expect.stringContaining('(a record)') });
    // a month unused: the record expires
    const old = new Date(Date.now() - 31 * 24 * 60 * 60 * 1000);
    for (const r of await readdir(path.join(cache, 'records'))) await utimes(path.join(cache, 'records', r), old, old);
    const dry = await nimlet(['cache', 'prune', '--dry-run', '--manifest', onlyTp1, '--json'], env());
    expect(dry.code).toBe(0);
    const planned = JSON.parse(dry.stdout).removed.map((i: { kind: string; path: string }) => `${i.kind} ${path.relative(cache, i.path)}`).sort();
    expect(planned.filter((p: string) => !p.startsWith('record '))).toHaveLength(3);
    expect(planned.filter((p: string) => p.startsWith('record '))).toHaveLength(2);
    expect(planned).toContain(`blob blobs/sha256/${await sha256Of(bytesBody('{"tok":1}'))}`);
    expect(planned).toContain(`workspace profiles/${wsName('vllm-bf16-tp2')}`);
    expect(planned.filter((p: string) => /^ref refs\/uri\/[0-9a-f]{64}$/.test(p))).toHaveLength(1);
    expect((await readdir(path.join(cache, 'profiles'))).length).toBe(2);
    const real = await nimlet(['cache', 'prune', '--manifest', onlyTp1], env());
    expect(real.code).toBe(0);
    expect(await readdir(path.join(cache, 'profiles'))).toEqual([wsName('vllm-bf16-tp1')]);
    srv.reset();
    expect((await nimlet(['download-to-cache', '--profiles', 'vllm-bf16-tp1'], env())).code).toBe(0);
    expect(srv.requests()).toEqual([]);
  });
});
