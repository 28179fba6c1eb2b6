// Ranged downloads (issue 15, DESIGN §15): a large file over several connections at once from the signed URL the
// API redirected to; a server that ignores Range gets one stream; a signed URL that expires mid-download is
// fetched again through the API (not 77); progress counts bytes as they arrive.
import { lstat } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fetchFile } from '../../../src/cache/fetch/fetch-file.js';
import { NimletError } from '../../../src/errors.js';
import { mapPath } from '../../../src/cache/fetch/range-map.js';
import { generatedBody, sha256Of, type RecordedRequest } from '../../fixtures/servers/artifact-server.js';
import { failure, ngcPath, ngcSource, request, settingsFor, useArtifactServer } from './fetch-helpers.js';

const MiB = 1024 * 1024;
const fixture = useArtifactServer();

/** The most storage responses that were open at one moment. */
function mostAtOnce(reqs: RecordedRequest[]): number {
  const edges = reqs.flatMap((r) => [[r.at, 1], [r.endAt ?? Infinity, -1]] as const).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let open = 0;
  let most = 0;
  for (const [, d] of edges) most = Math.max(most, (open += d));
  return most;
}

/** `bytes=A-B` → [A, B + 1). */
const bounded = (r: RecordedRequest): [number, number] => {
  const m = /^bytes=(\d+)-(\d+)$/.exec(String(r.headers.range));
  if (!m) throw new Error(`not a bounded range: ${String(r.headers.range)}`);
  return [Number(m[1]), Number(m[2]) + 1];
};

async function big(name: string, size: number, faults: Parameters<typeof fixture.srv.add>[2]) {
  const body = generatedBody(size, 5);
  fixture.srv.add(ngcPath(name), body, { redirect: true, ...faults });
  const tmp = await fixture.tempDir();
  return { sha: await sha256Of(body), partial: path.join(tmp.dir, 'part') };
}

describe('ranged download', () => {
  it('4 connections at once from the signed URL, the API asked once, every byte once, the range map gone at the end', async () => {
    const size = 40 * MiB + 7;
    const { sha, partial } = await big('r.bin', size, { rateBytesPerSec: 16 * MiB });
    let progress = 0;
    const r = await fetchFile(request(ngcSource('r.bin'), partial, settingsFor(fixture.srv.url, { NIMLET_DOWNLOAD_CONNECTIONS: '4' }), {
      expectedSha256: sha, expectedSize: size, onBytes: (n) => (progress += n),
    }));
    expect(r.sha256).toBe(sha);
    expect(progress).toBe(size);
    const reqs = fixture.srv.requests();
    expect(reqs.filter((q) => q.server === 'api')).toHaveLength(1);
    const storage = reqs.filter((q) => q.server === 'storage');
    expect(storage.every((q) => q.status === 206)).toBe(true);
    expect(mostAtOnce(storage)).toBeGreaterThanOrEqual(2);
    expect(mostAtOnce(storage)).toBeLessThanOrEqual(4);
    // the asked ranges cover the file; a split piece's first half may overlap a little (what was in flight)
    const asked = storage.map(bounded).sort((a, b) => a[0] - b[0]);
    expect(asked[0]![0]).toBe(0);
    expect(Math.max(...asked.map((a) => a[1]))).toBe(size);
    expect(fixture.srv.stats().bytesSent).toBeLessThanOrEqual(size + 4 * MiB);
    expect(await lstat(mapPath(partial)).catch(() => null)).toBeNull();
  });

  it('a server that ignores Range (200 to a ranged GET): one stream, correct bytes', async () => {
    const size = 24 * MiB;
    const { sha, partial } = await big('norange.bin', size, { ignoreRange: true });
    const r = await fetchFile(request(ngcSource('norange.bin'), partial, settingsFor(fixture.srv.url, { NIMLET_DOWNLOAD_CONNECTIONS: '8' }), {
      expectedSha256: sha, expectedSize: size,
    }));
    expect(r.sha256).toBe(sha);
    const storage = fixture.srv.requests().filter((q) => q.server === 'storage');
    // the probe's 200 (dropped at once), then the one stream; never two at a time
    expect(storage.map((q) => q.status)).toEqual([200, 200]);
    expect(mostAtOnce(storage)).toBe(1);
  });

  it('a signed URL that starts answering 403 mid-download: a fresh redirect from the API, and the download goes on', async () => {
    const size = 40 * MiB;
    const { sha, partial } = await big('expiring.bin', size, { expireSignaturesAfterBytes: 12 * MiB, rateBytesPerSec: 32 * MiB });
    const r = await fetchFile(request(ngcSource('expiring.bin'), partial, settingsFor(fixture.srv.url, { NIMLET_DOWNLOAD_CONNECTIONS: '4' }), {
      expectedSha256: sha, expectedSize: size,
    }));
    expect(r.sha256).toBe(sha);
    const reqs = fixture.srv.requests();
    expect(reqs.filter((q) => q.server === 'storage' && q.status === 403).length).toBeGreaterThan(0);
    expect(reqs.filter((q) => q.server === 'api').length).toBeGreaterThanOrEqual(2);
    // the redirects carry no token to storage
    expect(reqs.filter((q) => q.server === 'storage').every((q) => q.headers.authorization === undefined)).toBe(true);
  });

  it('a 403 from the API origin itself is still a refusal (77), ranged or not', async () => {
    const size = 32 * MiB;
    const { partial } = await big('denied.bin', size, { requireToken: 'another-token' });
    const e = await failure(fetchFile(request(ngcSource('denied.bin'), partial, settingsFor(fixture.srv.url, { NIMLET_DOWNLOAD_CONNECTIONS: '4' }), {
      expectedSize: size,
    })));
    expect(e.exitCode).toBe(77);
  });

  it('progress counts bytes as they arrive: 300 KiB received show as 300 KiB before any write batch fills', async () => {
    const size = 4 * MiB;
    const body = generatedBody(size, 9);
    fixture.srv.add(ngcPath('slow.bin'), body, { stallAfterBytes: 300 * 1024 });
    const tmp = await fixture.tempDir();
    const ac = new AbortController();
    let progress = 0;
    const run = fetchFile(request(ngcSource('slow.bin'), path.join(tmp.dir, 'part'), settingsFor(fixture.srv.url), {
      expectedSize: size, signal: ac.signal, onBytes: (n) => (progress += n),
    }));
    const until = Date.now() + 4000;
    while (progress < 300 * 1024 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    const seen = progress; // before the abort: the abort itself flushes the batch
    const interruption = new NimletError('interrupted', 'interrupted by SIGTERM', { exitCode: 143 });
    ac.abort(interruption);
    expect(await failure(run)).toBe(interruption);
    expect(seen).toBe(300 * 1024);
  });
});
