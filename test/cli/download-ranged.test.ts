// Ranged downloads through the built CLI (issue 15): SIGKILL at random points of a many-range download, then a
// rerun that resumes the ranges the map names; 8 processes on one cache still fetch each byte once.
import { createHash, randomInt } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { generatedBody, sha256Of, type ArtifactServer, type Faults } from '../fixtures/servers/artifact-server.js';
import { nimlet, startNimlet } from '../support/cli.js';
import { VLLM_TAGS, writeManifest, wsOf } from '../support/manifest.js';
import { cliEnv, makeSandbox } from '../support/sandbox.js';

const MiB = 1024 * 1024;
let cache: string;
let manifest: string;
let srv: ArtifactServer;

beforeEach(async () => {
  const sb = makeSandbox({ engines: [] });
  cache = sb.cache;
  manifest = sb.manifest;
  srv = await sb.server();
});

const env = (connections: number) => cliEnv({ NIM_CACHE_PATH: cache, NIMLET_MANIFEST: manifest, NIMLET_DOWNLOAD_CONNECTIONS: String(connections) });
const until = async (what: string, cond: () => boolean, timeoutMs = 60_000) => {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
};
const fileSha = async (file: string) => {
  const h = createHash('sha256');
  for await (const c of createReadStream(file)) h.update(c as Buffer);
  return h.digest('hex');
};

async function oneFile(size: number, faults: Faults): Promise<string> {
  const body = generatedBody(size, 3);
  srv.add('/m/big.bin', body, { redirect: true, ...faults });
  const sha = await sha256Of(body);
  await writeManifest(manifest, [{ name: 'vllm-bf16-tp1', tags: VLLM_TAGS, files: { 'big.bin': { uri: `${srv.url}/m/big.bin`, sha256: sha, size } } }]);
  return sha;
}

describe('ranged downloads, killed and resumed', () => {
  // Two random points a run (printed on failure): early, when most pieces are still unassigned, and late, in the
  // tail where idle connections split the last pieces.
  it.each([[0.1, 0.5], [0.5, 0.9]])('SIGKILL between %s and %s of the bytes, then a rerun: correct bytes, at most size + connections × 1 MiB sent in all', async (lo, hi) => {
    const size = 64 * MiB + 12_345;
    const connections = 8;
    const sha = await oneFile(size, { rateBytesPerSec: 3 * MiB });
    const at = Math.round(size * (lo + (hi - lo) * (randomInt(1000) / 1000)));
    const first = startNimlet(['download-to-cache', '--profiles', 'vllm-bf16-tp1'], env(connections));
    await until(`the server to send ${at} bytes`, () => srv.stats().storageBytes >= at);
    first.child.kill('SIGKILL');
    expect((await first.done).signal).toBe('SIGKILL');
    expect(await readdir(path.join(cache, 'profiles')).catch(() => [])).toEqual([]);
    expect((await readdir(path.join(cache, 'partials'))).sort()).toEqual([sha, `${sha}.ranges`]);
    const sentBefore = srv.stats().bytesSent;
    const second = await nimlet(['download-to-cache', '--profiles', 'vllm-bf16-tp1', '--json'], env(connections));
    expect(second.code, second.all).toBe(0);
    // fetchedBytes counts what came over the network in this run, not the ranges the map said were in place
    const fetched = JSON.parse(second.stdout).profiles[0].fetchedBytes as number;
    expect(fetched).toBeGreaterThan(0);
    expect(fetched).toBeLessThanOrEqual(srv.stats().bytesSent - sentBefore);
    const file = path.join(wsOf(cache, 'vllm-bf16-tp1'), 'big.bin');
    expect((await stat(file)).size).toBe(size);
    expect(await fileSha(file)).toBe(sha);
    const sent = srv.stats().bytesSent;
    expect(sent, `killed after ${at} bytes`).toBeLessThanOrEqual(size + connections * MiB);
    // the rerun asked only for ranges, never the whole file again
    expect(srv.requests().filter((r) => r.server === 'storage').every((r) => /^bytes=\d+-\d+$/.test(String(r.headers.range)))).toBe(true);
    expect(await readdir(path.join(cache, 'partials'))).toEqual([]);
  }, 120_000);
});

describe('ranged downloads, many processes', () => {
  it('8 processes at once on one file of 40 MiB over 4 connections each: all succeed, at most 1.05 × the bytes sent', async () => {
    const size = 40 * MiB;
    await oneFile(size, { rateBytesPerSec: 8 * MiB });
    const runs = await Promise.all(Array.from({ length: 8 }, () => nimlet(['download-to-cache', '--profiles', 'vllm-bf16-tp1', '--json'], env(4), { real: true })));
    for (const r of runs) expect(r.code, r.all).toBe(0);
    expect(srv.stats().bytesSent).toBeLessThanOrEqual(1.05 * size);
    expect(runs.reduce((s, r) => s + JSON.parse(r.stdout).profiles[0].fetchedBytes, 0)).toBeLessThanOrEqual(1.05 * size);
    expect(srv.requests().filter((r) => r.server === 'api')).toHaveLength(1); // one holder, one redirect
  }, 120_000);
});

describe('ranged downloads, several files at once', () => {
  it('one file holds every slot while the other file waits with 11 extra connections: no listener-leak warning, correct bytes', async () => {
    // 12 connections a file and 12 in all: a's 12 pieces (2 s each) hold all 12 slots when b, whose first answer
    // is a 503 with Retry-After: 1, proves ranges work; b's 11 extra connections then wait on its stop signal
    // (connection-slots.ts), past Node's default of 10 listeners
    const files: Record<string, { uri: string; sha256: string; size: number }> = {};
    for (const [name, size, faults] of [
      ['a.bin', 96 * MiB, { rateBytesPerSec: 4 * MiB }],
      ['b.bin', 17 * MiB, { failStatus: 503, failTimes: 1, retryAfter: '1' }],
    ] as const) {
      const body = generatedBody(size, size % 7);
      srv.add(`/m/${name}`, body, { redirect: true, ...faults });
      files[name] = { uri: `${srv.url}/m/${name}`, sha256: await sha256Of(body), size };
    }
    await writeManifest(manifest, [{ name: 'vllm-bf16-tp1', tags: VLLM_TAGS, files }]);
    const r = await nimlet(['download-to-cache', '--profiles', 'vllm-bf16-tp1'], { ...env(12), NIMLET_MAX_CONNECTIONS: '12' });
    expect(r.code, r.all).toBe(0);
    expect(r.stderr).not.toMatch(/MaxListenersExceeded/);
    for (const name of ['a.bin', 'b.bin']) expect(await fileSha(path.join(wsOf(cache, 'vllm-bf16-tp1'), name))).toBe(files[name]!.sha256);
  }, 60_000);
});
