// Resuming: a connection dropped mid-file continues with Range in the same call; a partial left by an earlier
// run is re-hashed and continued; a server that ignores Range or answers 416 is handled; abort keeps the partial.
import { readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fetchFile } from '../../../src/cache/fetch/fetch-file.js';
import { NimletError } from '../../../src/errors.js';
import { bodyBytes, generatedBody, sha256Of } from '../../fixtures/servers/artifact-server.js';
import {
  failure, FAST, ngcPath, ngcSource, request, settingsFor, useArtifactServer,
} from './fetch-helpers.js';

const MiB = 1024 * 1024;
const fixture = useArtifactServer();

const rangeStart = (h: string | string[] | undefined): number | null => {
  const m = /^bytes=(\d+)-$/.exec(String(h ?? ''));
  return m ? Number(m[1]) : null;
};

describe('resume', () => {
  it('a connection dropped mid-file resumes with Range: resent bytes stay under 1 MiB', async () => {
    const tmp = await fixture.tempDir();
    const size = 24 * MiB + 5;
    const body = generatedBody(size, 21);
    fixture.srv.add(ngcPath('big.bin'), body, { redirect: true, dropAfterBytes: 10 * MiB + 3, dropTimes: 2 });
    const partial = path.join(tmp.dir, 'part');
    let progress = 0;
    const r = await fetchFile(request(ngcSource('big.bin'), partial, settingsFor(fixture.srv.url, { NIMLET_DOWNLOAD_CONNECTIONS: '1' }), {
      expectedSha256: await sha256Of(body), expectedSize: size, onBytes: (n) => (progress += n),
    }));
    expect(r.sha256).toBe(await sha256Of(body));
    expect(r.requests).toBe(3);
    expect(progress).toBe(size);
    const storage = fixture.srv.requests().filter((q) => q.server === 'storage');
    expect(storage.map((q) => q.status)).toEqual([200, 206, 206]);
    expect(rangeStart(storage[1]!.headers.range)).toBeGreaterThan(0);
    expect(rangeStart(storage[2]!.headers.range)).toBeGreaterThan(rangeStart(storage[1]!.headers.range)!);
    expect(fixture.srv.stats().bytesSent).toBeLessThanOrEqual(size + MiB);
  });

  it('a server that ignores Range and keeps dropping: each restart from byte 0 is no progress, so it ends (75)', async () => {
    const tmp = await fixture.tempDir();
    const body = generatedBody(4 * MiB, 24);
    fixture.srv.add(ngcPath('loop.bin'), body, { ignoreRange: true, dropAfterBytes: 1.5 * MiB, dropTimes: 1000 });
    const err = await failure(fetchFile(request(ngcSource('loop.bin'), path.join(tmp.dir, 'part'), settingsFor(fixture.srv.url))));
    expect(err.exitCode).toBe(75);
    // FAST allows 5 attempts; the first, which got further than ever before, may earn one more. Every later
    // one asked for the rest with Range and got the whole file again (no redirect here: all on the api port).
    const asked = fixture.srv.requests();
    expect(asked.length).toBeGreaterThanOrEqual(FAST.attempts);
    expect(asked.length).toBeLessThanOrEqual(FAST.attempts + 1);
    expect(asked.map((q) => [q.status, rangeStart(q.headers.range) !== null])).toEqual(asked.map((_, i) => [200, i > 0]));
  });

  it('a 206 capped short of the end (no size, no sha256 to catch it) is not appended: the file is fetched whole', async () => {
    const tmp = await fixture.tempDir();
    const size = 4 * MiB;
    const body = generatedBody(size, 25);
    fixture.srv.add(ngcPath('capped.bin'), body, { redirect: true, dropAfterBytes: MiB, dropTimes: 1, capRangeBytes: MiB });
    const partial = path.join(tmp.dir, 'part');
    const r = await fetchFile(request(ngcSource('capped.bin'), partial, settingsFor(fixture.srv.url), { expectedSha256: null, expectedSize: null }));
    expect(r.bytes).toBe(size);
    expect(r.sha256).toBe(await sha256Of(body));
    expect((await readFile(partial)).length).toBe(size);
  });

  it('a partial from an earlier run is re-hashed and continued from its end', async () => {
    const tmp = await fixture.tempDir();
    const size = 5 * MiB;
    const body = generatedBody(size, 22);
    fixture.srv.add(ngcPath('w.bin'), body);
    const partial = path.join(tmp.dir, 'part');
    await writeFile(partial, (await bodyBytes(body)).subarray(0, 2 * MiB + 7));
    const r = await fetchFile(request(ngcSource('w.bin'), partial, settingsFor(fixture.srv.url), { expectedSha256: await sha256Of(body) }));
    expect(r).toMatchObject({ bytes: size, sha256: await sha256Of(body), requests: 1 });
    const [q] = fixture.srv.requests();
    expect(q!.headers.range).toBe(`bytes=${2 * MiB + 7}-`);
    expect(q!.bytesSent).toBe(size - (2 * MiB + 7));
  });

  it('a partial with wrong bytes fails verification, is deleted and fetched once more from scratch', async () => {
    const tmp = await fixture.tempDir();
    const body = generatedBody(3 * MiB, 23);
    fixture.srv.add(ngcPath('w.bin'), body);
    const partial = path.join(tmp.dir, 'part');
    await writeFile(partial, Buffer.alloc(MiB, 7));
    const r = await fetchFile(request(ngcSource('w.bin'), partial, settingsFor(fixture.srv.url), { expectedSha256: await sha256Of(body) }));
    expect(r.sha256).toBe(await sha256Of(body));
    expect(fixture.srv.requests().map((q) => q.headers.range)).toEqual([`bytes=${MiB}-`, undefined]);
  });

  it('a server that ignores Range (200): the hash restarts and the file is rewritten from byte 0', async () => {
    const tmp = await fixture.tempDir();
    const body = generatedBody(2 * MiB, 24);
    fixture.srv.add(ngcPath('w.bin'), body, { ignoreRange: true });
    const partial = path.join(tmp.dir, 'part');
    await writeFile(partial, (await bodyBytes(body)).subarray(0, MiB));
    let progress = 0;
    const r = await fetchFile(request(ngcSource('w.bin'), partial, settingsFor(fixture.srv.url), { onBytes: (n) => (progress += n) }));
    expect(r).toMatchObject({ bytes: 2 * MiB, sha256: await sha256Of(body), requests: 1 });
    expect(progress).toBe(2 * MiB);
    expect((await stat(partial)).size).toBe(2 * MiB);
  });

  it('a whole partial: 416 with the same length counts as complete; with sha and size known, no request', async () => {
    const tmp = await fixture.tempDir();
    const body = generatedBody(MiB + 1, 25);
    fixture.srv.add(ngcPath('w.bin'), body, { linkedEtag: 'auto' });
    const partial = path.join(tmp.dir, 'part');
    await writeFile(partial, await bodyBytes(body));
    const r = await fetchFile(request(ngcSource('w.bin'), partial, settingsFor(fixture.srv.url)));
    expect(r).toMatchObject({ bytes: MiB + 1, sha256: await sha256Of(body), requests: 1 });
    expect(fixture.srv.requests().map((q) => q.status)).toEqual([416]);
    fixture.srv.reset();
    const again = await fetchFile(request(ngcSource('w.bin'), partial, settingsFor(fixture.srv.url), {
      expectedSha256: await sha256Of(body), expectedSize: MiB + 1,
    }));
    expect(again.requests).toBe(0);
    expect(fixture.srv.requests()).toEqual([]);
  });

  it('a stalled body times out and resumes', async () => {
    const tmp = await fixture.tempDir();
    const body = generatedBody(3 * MiB, 26);
    fixture.srv.add(ngcPath('w.bin'), body, { stallAfterBytes: MiB });
    const partial = path.join(tmp.dir, 'part');
    // The timeout also bounds the wait for each response head: 2 s leaves a loaded machine room for its pauses
    // there, and is paid once, in the stall.
    const r = await fetchFile(request(ngcSource('w.bin'), partial, settingsFor(fixture.srv.url), {
      expectedSha256: await sha256Of(body), retry: { ...FAST, stallTimeoutMs: 2000 },
    }));
    expect(r).toMatchObject({ bytes: 3 * MiB, sha256: await sha256Of(body), requests: 2 });
    const [stalled, resumed, ...more] = fixture.srv.requests();
    expect([stalled!.bytesSent, more]).toEqual([MiB, []]);
    // resumed after what it had received of the stalled body
    const from = rangeStart(resumed!.headers.range)!;
    expect(from).toBeGreaterThan(0);
    expect(from).toBeLessThanOrEqual(MiB);
    expect(resumed!.bytesSent).toBe(3 * MiB - from);
  });

  it('abort stops promptly with the abort\'s own reason (the CLI\'s interruption), keeps the partial, and a later call resumes it', async () => {
    const tmp = await fixture.tempDir();
    const size = 8 * MiB;
    const body = generatedBody(size, 27);
    fixture.srv.add(ngcPath('w.bin'), body, { rateBytesPerSec: 4 * MiB });
    const partial = path.join(tmp.dir, 'part');
    const ac = new AbortController();
    const interruption = new NimletError('interrupted', 'interrupted by SIGTERM', { exitCode: 143 });
    let got = 0;
    const e = await failure(fetchFile(request(ngcSource('w.bin'), partial, settingsFor(fixture.srv.url), {
      signal: ac.signal,
      onBytes: (n) => {
        got += n;
        if (got >= MiB) ac.abort(interruption);
      },
    })));
    expect(e).toBe(interruption); // thrown as given, not a second "interrupted" built by the download
    const kept = (await stat(partial)).size;
    expect(kept).toBeGreaterThanOrEqual(MiB);
    expect(kept).toBeLessThan(size);
    expect((await readFile(partial)).equals((await bodyBytes(body)).subarray(0, kept))).toBe(true);
    fixture.srv.add(ngcPath('w.bin'), body);
    fixture.srv.reset();
    const r = await fetchFile(request(ngcSource('w.bin'), partial, settingsFor(fixture.srv.url), { expectedSha256: await sha256Of(body) }));
    expect(r.bytes).toBe(size);
    expect(fixture.srv.requests()[0]!.headers.range).toBe(`bytes=${kept}-`);
  });
});
