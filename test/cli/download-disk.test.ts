// A cache on a small tmpfs: refused before any byte when the size is known; ENOSPC mid-way otherwise.
import { execFileSync } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generatedBody, sha256Of, startArtifactServer } from '../fixtures/servers/artifact-server.js';
import { nimlet } from '../support/cli.js';
import { VLLM_TAGS, writeManifest } from '../support/manifest.js';
import { cliEnv } from '../support/sandbox.js';

const MiB = 1024 * 1024;
let dir: string;
let mnt: string;
let mounted = false;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'nimlet-disk-'));
  mnt = path.join(dir, 'small');
  await mkdir(mnt);
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=8m', 'tmpfs', mnt], { stdio: 'pipe' });
    mounted = true;
  } catch (e) {
    console.warn(`SKIPPED: cannot mount a tmpfs here (needs root): ${(e as Error).message.split('\n')[0]}`);
  }
});
afterAll(async () => {
  if (mounted) execFileSync('umount', [mnt]);
  await rm(dir, { recursive: true, force: true });
});

describe('a cache on an 8 MiB tmpfs', () => {
  it('a 16 MiB profile is refused before any byte, exit 74 stating needed and free', async (ctx) => {
    if (!mounted) return ctx.skip();
    const srv = await startArtifactServer();
    try {
      const body = generatedBody(16 * MiB, 3);
      srv.add('/m/big.bin', body);
      const manifest = path.join(dir, 'sized.yaml');
      await writeManifest(manifest, [{ name: 'p', tags: VLLM_TAGS, files: { 'big.bin': { uri: `${srv.url}/m/big.bin`, sha256: await sha256Of(body), size: 16 * MiB } } }]);
      const cache = path.join(mnt, 'c1');
      const r = await nimlet(['download-to-cache', '--all'], cliEnv({ NIM_CACHE_PATH: cache, NIMLET_MANIFEST: manifest }));
      expect(r.code).toBe(74);
      expect(r.stderr).toMatch(new RegExp(`nimlet: not enough free disk in ${cache}: the download needs 16\\.0 MiB \\(16777216 bytes\\), [0-9.]+ [KM]iB \\(\\d+ bytes\\) free`));
      expect(srv.requests().filter((q) => q.method === 'GET')).toEqual([]);
      expect(await readdir(path.join(cache, 'profiles'))).toEqual([]);
    } finally {
      await srv.stop();
    }
  });

  it('ENOSPC mid-way (size unknown up front) is exit 74 and leaves nothing that looks complete', async (ctx) => {
    if (!mounted) return ctx.skip();
    // a server that states no size anywhere: no Content-Length on HEAD or GET (chunked)
    let gets = 0;
    const server = http.createServer((req, res) => {
      if (req.method !== 'GET') return void res.writeHead(405).end();
      gets++;
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      const chunk = Buffer.alloc(MiB, 7);
      let left = 16;
      const pump = () => {
        while (left > 0) {
          left--;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        res.end();
      };
      res.on('error', () => undefined);
      pump();
    });
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const manifest = path.join(dir, 'unsized.yaml');
      await writeManifest(manifest, [{ name: 'p', tags: VLLM_TAGS, files: { 'small.txt': { uri: `${url}/small.txt` }, 'big.bin': { uri: `${url}/big.bin` } } }]);
      const cache = path.join(mnt, 'c2');
      const r = await nimlet(['download-to-cache', '--all'], cliEnv({ NIM_CACHE_PATH: cache, NIMLET_MANIFEST: manifest }));
      expect(r.code, r.all).toBe(74);
      expect(gets).toBeGreaterThan(0);
      expect(await readdir(path.join(cache, 'profiles'))).toEqual([]);
      expect(await readdir(path.join(cache, 'partials'))).toEqual([]);
      // no blob of 16 MiB could have been published; whatever is in blobs/ is whole and verified
      const verify = await nimlet(['cache', 'verify'], cliEnv({ NIM_CACHE_PATH: cache }));
      expect(verify.code, verify.all).toBe(0);
      expect(verify.stdout).toContain('and 0 workspace file(s)');
    } finally {
      server.close();
    }
  });
});
