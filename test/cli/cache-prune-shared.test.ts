// `cache prune` on a shared cache (issue 13 item 3, issue 11 fault 5), through the built CLI (build first) with a
// local server on 127.0.0.1: it keeps what other manifests' profiles recorded, what a running `serve` leases, and
// what a running download has fetched but not yet published; `--dry-run` lists exactly what the real run removes.
import { createHash } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { readFile, rm, utimes, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readRecord, waitFor } from '../support/engine-record.js';
import { nimlet } from '../support/cli.js';
import { VLLM_TAGS, writeManifest, wsOf } from '../support/manifest.js';
import { cliEnv } from '../support/sandbox.js';
import { startNimlet } from '../support/cli.js';
import { makeSandbox } from '../support/sandbox.js';

const sha = (s: string | Buffer) => createHash('sha256').update(s).digest('hex');
const BIG = Buffer.alloc(4 << 20, 7);

let dir: string;
let cache: string;
let server: http.Server;
let url: string;
/** Resolves the held second half of /big.bin. */
let release: () => void;
let held: Promise<void>;

beforeEach(async () => {
  const sb = makeSandbox({ engines: [] });
  dir = sb.dir;
  cache = sb.cache;
  held = new Promise((r) => (release = r));
  server = http.createServer((req, res) => {
    const name = (req.url ?? '').slice(1);
    if (name === 'big.bin') {
      // half now, the rest once the test says so: the download is provably in flight meanwhile
      const from = Number(/bytes=(\d+)-/.exec(req.headers.range ?? '')?.[1] ?? 0);
      res.writeHead(from ? 206 : 200, { 'content-length': BIG.length - from, ...(from ? { 'content-range': `bytes ${from}-${BIG.length - 1}/${BIG.length}` } : {}) });
      const half = BIG.length / 2;
      if (from >= half || req.method === 'HEAD') return void res.end(req.method === 'HEAD' ? undefined : BIG.subarray(from));
      res.write(BIG.subarray(from, half));
      void held.then(() => res.end(BIG.subarray(half)));
      return;
    }
    res.writeHead(200, { 'content-length': Buffer.byteLength(name) });
    res.end(name); // every other file's bytes are its own name
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterEach(async () => {
  release();
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

const env = (manifest: string) => cliEnv({ NIM_CACHE_PATH: cache, NIMLET_MANIFEST: manifest, XDG_CACHE_HOME: path.join(dir, 'xdg') });

/** A one-profile manifest; `name` is also the profile's name; files named `<name>/<file>`, with a sha256 or not. */
async function manifestOf(name: string, files: string[], withSha: boolean): Promise<string> {
  const file = path.join(dir, `${name}.yaml`);
  await writeManifest(file, [{
    name, tags: VLLM_TAGS,
    files: Object.fromEntries(files.map((f) => [f, { uri: `${url}/${name}-${f}`, ...(withSha ? { sha256: sha(`${name}-${f}`) } : {}) }])),
  }]);
  return file;
}

async function prune(manifest: string, dry: boolean) {
  const r = await nimlet(['cache', 'prune', '--json', ...(dry ? ['--dry-run'] : []), '--manifest', manifest], env(manifest));
  expect(r.code, r.all).toBe(0);
  return JSON.parse(r.stdout) as { removed: { kind: string; path: string }[]; kept: { kind: string; path: string; why: string }[] };
}

describe('cache prune beside two manifests and a running serve', () => {
  it('removes neither manifest’s files nor the running one’s; --dry-run lists exactly what it removes', async () => {
    const a = await manifestOf('model-a', ['config.json'], true);
    const b = await manifestOf('model-b', ['config.json', 'tokenizer.json'], false);
    for (const m of [a, b]) expect((await nimlet(['download-to-cache', '--all'], env(m))).code).toBe(0);
    const sb = makeSandbox({ manifest: '' });
    const c = await manifestOf('model-c', ['config.json'], true);
    const serve = startNimlet(['serve'], { ...sb.env, NIM_CACHE_PATH: cache, NIMLET_MANIFEST: c, XDG_CACHE_HOME: path.join(dir, 'xdg'), FAKE_ENGINE_MODE: 'wait' });
    try {
      await waitFor(() => (readRecord(sb.record).length ? true : undefined), 60_000);
      // only the lease keeps serve's profile: its record is made to look a month old
      const old = new Date(Date.now() - 31 * 24 * 3600 * 1000);
      await utimes(path.join(cache, 'records', `${path.basename(wsOf(cache, 'model-c'))}.json`), old, old);
      // something that nothing needs: an orphan blob
      const orphan = path.join(cache, 'blobs/sha256', sha('orphan'));
      await writeFile(orphan, 'orphan');
      const other = await manifestOf('model-other', ['config.json'], true);

      const dry = await prune(other, true);
      const expected = [`blob ${orphan}`, `record ${path.join(cache, 'records', `${path.basename(wsOf(cache, 'model-c'))}.json`)}`].sort();
      expect(dry.removed.map((i) => `${i.kind} ${i.path}`).sort()).toEqual(expected);
      expect(dry.kept).toContainEqual({ kind: 'workspace', path: wsOf(cache, 'model-c'), why: expect.stringContaining('(a lease)') });
      for (const m of ['model-a', 'model-b']) expect(dry.kept).toContainEqual({ kind: 'workspace', path: wsOf(cache, m), why: expect.stringContaining('(a record)') });
      const real = await prune(other, false);
      expect(real.removed.map((i) => `${i.kind} ${i.path}`).sort()).toEqual(expected);

      expect(await readFile(path.join(wsOf(cache, 'model-a'), 'config.json'), 'utf8')).toBe('model-a-config.json');
      expect(await readFile(path.join(wsOf(cache, 'model-b'), 'tokenizer.json'), 'utf8')).toBe('model-b-tokenizer.json');
      expect(await readFile(path.join(wsOf(cache, 'model-c'), 'config.json'), 'utf8')).toBe('model-c-config.json');
      expect(existsSync(orphan)).toBe(false);
    } finally {
      serve.child.kill('SIGTERM');
      await serve.done;
      await rm(sb.dir, { recursive: true, force: true });
    }
  });
});

describe('cache prune beside a running download (issue 11 fault 5)', () => {
  it('removes nothing in use: the fetched-but-unpublished blob and the partial stay, and the download completes', async () => {
    const m = path.join(dir, 'dl.yaml');
    await writeManifest(m, [{
      name: 'dl', tags: VLLM_TAGS,
      files: { 'config.json': { uri: `${url}/dl-config.json`, sha256: sha('dl-config.json') }, 'big.bin': { uri: `${url}/big.bin`, sha256: sha(BIG), size: BIG.length } },
    }]);
    const download = nimlet(['download-to-cache', '--all'], env(m), { real: true });
    const blob = path.join(cache, 'blobs/sha256', sha('dl-config.json'));
    const partial = path.join(cache, 'partials', sha(BIG));
    await waitFor(() => (existsSync(blob) && existsSync(partial) && statSync(partial).size > 0 ? true : undefined), 60_000);
    const other = await manifestOf('model-other', ['config.json'], true);
    const pruned = await prune(other, false);
    expect(pruned.removed).toEqual([]);
    expect([existsSync(blob), existsSync(partial)]).toEqual([true, true]);
    release();
    const r = await download;
    expect(r.code, r.all).toBe(0);
    expect(await readFile(path.join(wsOf(cache, 'dl'), 'config.json'), 'utf8')).toBe('dl-config.json');
    expect(sha(await readFile(path.join(wsOf(cache, 'dl'), 'big.bin')))).toBe(sha(BIG));
  });
});
