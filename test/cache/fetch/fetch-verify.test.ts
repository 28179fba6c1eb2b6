// Verification: bytes that do not match are never left in place; one fresh download, then exit 74.
import { createHash } from 'node:crypto';
import { access, readFile, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fetchFile } from '../../../src/cache/fetch/fetch-file.js';
import { bytesBody, generatedBody, sha256Of } from '../../fixtures/servers/artifact-server.js';
import {
  failure, hfPath, hfSource, ngcPath, ngcSource, request, settingsFor, useArtifactServer,
} from './fetch-helpers.js';

const fixture = useArtifactServer();

const gone = async (p: string) => access(p).then(() => false, () => true);

describe('verification', () => {
  it('wrong bytes every time: fetched twice, then exit 74 and nothing at partialPath', async () => {
    const tmp = await fixture.tempDir();
    const body = generatedBody(100_000, 5);
    fixture.srv.add(ngcPath('w.bin'), body, { corruptTimes: Infinity });
    const partial = path.join(tmp.dir, 'part');
    let progress = 0;
    const e = await failure(fetchFile(request(ngcSource('w.bin'), partial, settingsFor(fixture.srv.url), {
      expectedSha256: await sha256Of(body), label: 'w.bin (profile x)', onBytes: (n) => (progress += n),
    })));
    expect([e.code, e.exitCode]).toEqual(['checksum-mismatch', 74]);
    expect(e.message).toContain('w.bin (profile x) failed verification twice');
    expect(e.message).toContain(await sha256Of(body));
    expect(fixture.srv.requests().map((q) => [q.method, q.headers.range])).toEqual([['GET', undefined], ['GET', undefined]]);
    expect(await gone(partial)).toBe(true);
    expect(progress).toBe(0);
  });

  it('wrong bytes once: the second download is kept', async () => {
    const tmp = await fixture.tempDir();
    const body = generatedBody(100_000, 6);
    fixture.srv.add(ngcPath('w.bin'), body, { corruptTimes: 1 });
    const partial = path.join(tmp.dir, 'part');
    const r = await fetchFile(request(ngcSource('w.bin'), partial, settingsFor(fixture.srv.url), { expectedSha256: await sha256Of(body) }));
    expect(r).toMatchObject({ bytes: 100_000, sha256: await sha256Of(body), requests: 2 });
  });

  it('without a manifest sha256, the X-Linked-Etag decides: a wrong one is exit 74', async () => {
    const tmp = await fixture.tempDir();
    fixture.srv.add(hfPath('w.bin'), bytesBody('real bytes'), { redirect: true, linkedEtag: 'a'.repeat(64) });
    const partial = path.join(tmp.dir, 'part');
    const e = await failure(fetchFile(request(hfSource('w.bin'), partial, settingsFor(fixture.srv.url))));
    expect(e.exitCode).toBe(74);
    expect(e.message).toContain(`expected ${'a'.repeat(64)}`);
    expect(await gone(partial)).toBe(true);
  });

  it('a Hugging Face ETag that is a sha256 is trusted; one that is a git blob id (sha1) is checked as one (issue 11)', async () => {
    const tmp = await fixture.tempDir();
    const blobId = createHash('sha1').update('blob 1\0x').digest('hex');
    fixture.srv.add(hfPath('good.bin'), bytesBody('x'), { etag: 'b'.repeat(64) });
    fixture.srv.add(hfPath('sha1.bin'), bytesBody('x'), { etag: 'c'.repeat(40) });
    fixture.srv.add(hfPath('blob.bin'), bytesBody('x'), { etag: blobId });
    expect((await failure(fetchFile(request(hfSource('good.bin'), path.join(tmp.dir, 'a'), settingsFor(fixture.srv.url))))).exitCode).toBe(74);
    expect((await failure(fetchFile(request(hfSource('sha1.bin'), path.join(tmp.dir, 'b'), settingsFor(fixture.srv.url))))).exitCode).toBe(74);
    const r = await fetchFile(request(hfSource('blob.bin'), path.join(tmp.dir, 'c'), settingsFor(fixture.srv.url)));
    expect([r.bytes, r.verifiedBy]).toEqual([1, 'source']);
  });

  it('more bytes than the manifest size: stopped, refetched once, then exit 74', async () => {
    const tmp = await fixture.tempDir();
    fixture.srv.add(ngcPath('w.bin'), generatedBody(50_000, 8));
    const partial = path.join(tmp.dir, 'part');
    const e = await failure(fetchFile(request(ngcSource('w.bin'), partial, settingsFor(fixture.srv.url), { expectedSize: 1000 })));
    expect(e.exitCode).toBe(74);
    expect(await gone(partial)).toBe(true);
    expect(fixture.srv.requests()).toHaveLength(2);
  });

  it('fewer bytes than the manifest size: exit 74', async () => {
    const tmp = await fixture.tempDir();
    fixture.srv.add(ngcPath('w.bin'), bytesBody('short'));
    const e = await failure(fetchFile(request(ngcSource('w.bin'), path.join(tmp.dir, 'p'), settingsFor(fixture.srv.url), { expectedSize: 6 })));
    expect(e.exitCode).toBe(74);
    expect(e.message).toContain('5 bytes instead of 6');
  });

  // A device where the partial belongs (planted on a shared volume) is never written into: an io error, 74.
  // (A full disk's ENOSPC is test/cli/download-disk.test.ts, on a real full file system.)
  it.skipIf(!existsSync('/dev/full'))('a device as the partial: not written, io, exit 74', async () => {
    fixture.srv.add(ngcPath('w.bin'), generatedBody(200_000, 9));
    const e = await failure(fetchFile(request(ngcSource('w.bin'), '/dev/full', settingsFor(fixture.srv.url))));
    expect([e.code, e.exitCode]).toEqual(['io', 74]);
    expect(e.message).toContain('not a regular file');
  });
});

describe('file sources', () => {
  it('copies with hashing and verifies', async () => {
    const tmp = await fixture.tempDir();
    const src = path.join(tmp.dir, 'src.bin');
    await writeFile(src, 'local bytes');
    const partial = path.join(tmp.dir, 'part');
    const sum = await sha256Of(bytesBody('local bytes'));
    const r = await fetchFile(request({ kind: 'file', path: src }, partial, settingsFor(fixture.srv.url, { NIMLET_OFFLINE: '1' }), { expectedSha256: sum }));
    expect(r).toMatchObject({ bytes: 11, sha256: sum, requests: 0 });
    expect(await readFile(partial, 'utf8')).toBe('local bytes');
  });

  it('a mismatch is exit 74 and leaves nothing', async () => {
    const tmp = await fixture.tempDir();
    const src = path.join(tmp.dir, 'src.bin');
    await writeFile(src, 'local bytes');
    const partial = path.join(tmp.dir, 'part');
    const e = await failure(fetchFile(request({ kind: 'file', path: src }, partial, settingsFor(fixture.srv.url), { expectedSha256: 'd'.repeat(64) })));
    expect(e.exitCode).toBe(74);
    expect(await gone(partial)).toBe(true);
  });

  it('a missing file is exit 66 naming the path and the label', async () => {
    const tmp = await fixture.tempDir();
    const e = await failure(fetchFile(request({ kind: 'file', path: path.join(tmp.dir, 'nope.bin') }, path.join(tmp.dir, 'p'), settingsFor(fixture.srv.url))));
    expect(e.exitCode).toBe(66);
    expect(e.message).toBe(`${path.join(tmp.dir, 'nope.bin')} not found for f (profile p)`);
  });
});
