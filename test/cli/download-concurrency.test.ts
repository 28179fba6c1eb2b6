// Many processes on one cache, SIGKILL and SIGTERM mid-download, through the built CLI.
import { readdir, readFile, stat } from 'node:fs/promises';
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

// One stream per file: these tests pin the one-stream resume (Range from the partial's end); the ranged download's
// kill and resume are in download-ranged.test.ts.
const env = () => cliEnv({ NIM_CACHE_PATH: cache, NIMLET_MANIFEST: manifest, NIMLET_DOWNLOAD_CONNECTIONS: '1' });
/** Polls `cond` until it holds; throws when it still does not after `timeoutMs` (a wait that gives up is a failure). */
const until = async (what: string, cond: () => Promise<boolean> | boolean, timeoutMs = 50_000) => {
  const end = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
};
const sizeOf = async (file: string) => (await stat(file).catch(() => null))?.size ?? 0;
/** nimlet's writer appends to the partial in batches of at least this much (src/cache/fetch/hashing-writer.ts). */
const WRITE_BATCH = MiB;

/** One profile whose files are generated bodies; returns the total size. */
async function profile(sizes: number[], faults: Faults = {}): Promise<{ total: number; hashes: string[] }> {
  const files: Record<string, { uri: string; sha256: string; size: number }> = {};
  const hashes: string[] = [];
  for (const [i, size] of sizes.entries()) {
    const body = generatedBody(size, i + 1);
    srv.add(`/m/shard-${i}.bin`, body, faults);
    hashes.push(await sha256Of(body));
    files[`shard-${i}.bin`] = { uri: `${srv.url}/m/shard-${i}.bin`, sha256: hashes[i]!, size };
  }
  await writeManifest(manifest, [{ name: 'vllm-bf16-tp1', tags: VLLM_TAGS, files }]);
  return { total: sizes.reduce((a, b) => a + b, 0), hashes };
}

describe('one cache, many processes', () => {
  it('8 processes at once on an empty cache: all succeed, each file served once, identical workspaces', async () => {
    // paced, so every process is up and contending while the first downloads are still running
    const { total } = await profile([6 * MiB, 6 * MiB, 4 * MiB, 1 * MiB], { rateBytesPerSec: 8 * MiB });
    const runs = await Promise.all(Array.from({ length: 8 }, () => nimlet(['download-to-cache', '--profiles', 'vllm-bf16-tp1', '--json'], env(), { real: true })));
    for (const r of runs) expect(r.code, r.all).toBe(0);
    const dirs = new Set(runs.map((r) => JSON.parse(r.stdout).profiles[0].modelDir));
    expect([...dirs]).toEqual([wsOf(cache, 'vllm-bf16-tp1')]);
    const gets = srv.requests().filter((r) => r.method === 'GET').map((r) => r.path).sort();
    expect(gets).toEqual(['/m/shard-0.bin', '/m/shard-1.bin', '/m/shard-2.bin', '/m/shard-3.bin']);
    expect(srv.stats().bytesSent).toBeLessThanOrEqual(1.05 * total);
    // the bytes each process reported fetching add up to the profile once
    expect(runs.reduce((s, r) => s + JSON.parse(r.stdout).profiles[0].fetchedBytes, 0)).toBe(total);
    const ws = wsOf(cache, 'vllm-bf16-tp1');
    for (let i = 0; i < 4; i++) {
      const body = await readFile(path.join(ws, `shard-${i}.bin`));
      expect(body.length).toBe([6, 6, 4, 1][i]! * MiB);
    }
    expect(await readdir(path.join(cache, 'locks'))).toEqual([]);
    expect(await readdir(path.join(cache, 'partials'))).toEqual([]);
    const verify = await nimlet(['cache', 'verify'], env());
    expect(verify.code, verify.all).toBe(0);
  });
});

describe('interrupted downloads', () => {
  // 1 GiB: the acceptance case of the issue. Generated on the fly; about 10 s on 2 cores.
  it('[1 GiB] killed with SIGKILL half-way, then run again: completes, the server sends at most the remainder + 8 MiB', async () => {
    const size = 1024 * MiB;
    // The server stops half-way and holds the connection open: nimlet cannot get further before the kill.
    const { hashes } = await profile([size], { stallAfterBytes: size / 2 });
    const partial = path.join(cache, 'partials', hashes[0]!);
    const first = startNimlet(['download-to-cache', '--profiles', 'vllm-bf16-tp1'], env());
    // Once nimlet has read all it was sent, at most one batch (< WRITE_BATCH) is not yet in the partial.
    await until('the server to stall half-way and the partial to catch up', async () => srv.stats().bytesSent === size / 2 && (await sizeOf(partial)) > size / 2 - WRITE_BATCH, 180_000);
    first.child.kill('SIGKILL');
    const killed = await first.done;
    expect(killed.signal).toBe('SIGKILL');
    const sentBefore = srv.stats().bytesSent;
    expect(sentBefore).toBe(size / 2);
    expect(await readdir(path.join(cache, 'profiles'))).toEqual([]);
    const kept = await sizeOf(partial);
    expect(kept).toBeGreaterThan(size / 2 - WRITE_BATCH);
    // The same bytes again without the stall: reset() alone would re-arm it, and the second run would stall too
    // and wait out nimlet's 60 s timeout.
    srv.add('/m/shard-0.bin', generatedBody(size, 1));
    srv.reset();
    const second = await nimlet(['download-to-cache', '--profiles', 'vllm-bf16-tp1', '--json'], env());
    expect(second.code, second.all).toBe(0);
    expect(srv.stats().bytesSent).toBeLessThanOrEqual(size - sentBefore + 8 * MiB);
    // resumed from the end of the partial, one request: no byte kept is fetched again
    expect(srv.requests().map((r) => [r.headers.range, r.bytesSent])).toEqual([[`bytes=${kept}-`, size - kept]]);
    // fetchedBytes counts the network bytes of this run, not the resumed part
    expect(JSON.parse(second.stdout).profiles[0].fetchedBytes).toBe(srv.stats().bytesSent);
    expect((await stat(path.join(wsOf(cache, 'vllm-bf16-tp1'), 'shard-0.bin'))).size).toBe(size);
    // the dead holder's lock was taken over at once (same host, dead pid) and removed
    expect(await readdir(path.join(cache, 'locks'))).toEqual([]);
  }, 240_000);

  it('SIGTERM stops cleanly with exit 143: nothing published, the partial kept, the next run resumes', async () => {
    const size = 8 * MiB;
    // Stalled after 3 MiB: still downloading when the signal lands, however slow the machine.
    const { hashes } = await profile([size], { stallAfterBytes: 3 * MiB });
    const partial = path.join(cache, 'partials', hashes[0]!);
    const first = startNimlet(['download-to-cache', '--profiles', 'vllm-bf16-tp1'], env());
    await until('the partial to reach 2 MiB', async () => (await sizeOf(partial)) >= 2 * MiB);
    first.child.kill('SIGTERM');
    const r = await first.done;
    expect(r.code).toBe(143);
    expect(r.stderr).toContain('interrupted by SIGTERM');
    expect(await readdir(path.join(cache, 'profiles'))).toEqual([]);
    expect(await readdir(path.join(cache, 'locks'))).toEqual([]);
    const kept = await sizeOf(partial);
    expect(kept).toBeGreaterThanOrEqual(2 * MiB);
    srv.add('/m/shard-0.bin', generatedBody(size, 1)); // no stall this time
    srv.reset();
    const second = await nimlet(['download-to-cache', '--profiles', 'vllm-bf16-tp1'], env());
    expect(second.code, second.all).toBe(0);
    expect(srv.requests().map((r) => [r.headers.range, r.bytesSent])).toEqual([[`bytes=${kept}-`, size - kept]]);
  });
});
