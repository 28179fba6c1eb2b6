// Retries: 429/5xx and resets are retried with backoff, Retry-After is honoured, and a source still failing
// after the bounded attempts is exit 75 with the last status.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fetchFile, statSource } from '../../../src/cache/fetch/fetch-file.js';
import { bytesBody, generatedBody, sha256Of } from '../../fixtures/servers/artifact-server.js';
import {
  failure, FAST, hfPath, hfSource, NGC_TOKEN, ngcPath, ngcSource, printable, request, settingsFor, useArtifactServer,
} from './fetch-helpers.js';

const fixture = useArtifactServer();


describe('retries', () => {
  it.each([500, 502, 503, 504, 429])('HTTP %i twice, then the file: retried and complete', async (status) => {
    const tmp = await fixture.tempDir();
    fixture.srv.add(ngcPath('a.bin'), bytesBody('abc'), { failStatus: status, failTimes: 2 });
    const r = await fetchFile(request(ngcSource('a.bin'), path.join(tmp.dir, 'p'), settingsFor(fixture.srv.url)));
    expect(r).toMatchObject({ bytes: 3, sha256: await sha256Of(bytesBody('abc')), requests: 3 });
    expect(fixture.srv.requests().map((q) => q.status)).toEqual([status, status, 200]);
  });

  it('429 with Retry-After: 1 waits at least that second before the next try', async () => {
    const tmp = await fixture.tempDir();
    fixture.srv.add(ngcPath('a.bin'), bytesBody('abc'), { failStatus: 429, failTimes: 1, retryAfter: '1' });
    await fetchFile(request(ngcSource('a.bin'), path.join(tmp.dir, 'p'), settingsFor(fixture.srv.url)));
    const [first, second] = fixture.srv.requests();
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(990);
  });

  it('503 on every try: exit 75 after 5 attempts, naming the last status', async () => {
    const tmp = await fixture.tempDir();
    fixture.srv.add(ngcPath('a.bin'), bytesBody('abc'), { failStatus: 503, failTimes: Infinity });
    const e = await failure(fetchFile(request(ngcSource('a.bin'), path.join(tmp.dir, 'p'), settingsFor(fixture.srv.url), { label: 'a.bin (profile x)' })));
    expect([e.code, e.exitCode]).toEqual(['network', 75]);
    expect(e.message).toBe(`downloading a.bin (profile x) failed after 5 attempt(s): HTTP 503 Service Unavailable from ${fixture.srv.url}`);
    expect(fixture.srv.requests()).toHaveLength(5);
    expect(printable(e)).not.toContain(NGC_TOKEN);
  });

  it('connections reset on every try: exit 75, the cause kept without secrets', async () => {
    const tmp = await fixture.tempDir();
    fixture.srv.add(ngcPath('a.bin'), generatedBody(1000, 3), { dropAfterBytes: 10, dropTimes: Infinity });
    const e = await failure(fetchFile(request(ngcSource('a.bin'), path.join(tmp.dir, 'p'), settingsFor(fixture.srv.url), {
      retry: { ...FAST, attempts: 3 },
    })));
    expect(e.exitCode).toBe(75);
    expect(e.message).toContain('failed after 3 attempt(s)');
    expect(e.message).toContain(`talking to ${fixture.srv.url}${ngcPath('a.bin')}`);
    expect(e.cause).toBeInstanceOf(Error);
    expect(fixture.srv.requests()).toHaveLength(3);
  });

  it('a 400 is not retried', async () => {
    const tmp = await fixture.tempDir();
    fixture.srv.add(ngcPath('a.bin'), bytesBody('abc'), { status: 400 });
    const e = await failure(fetchFile(request(ngcSource('a.bin'), path.join(tmp.dir, 'p'), settingsFor(fixture.srv.url))));
    expect(e.exitCode).toBe(75);
    expect(fixture.srv.requests()).toHaveLength(1);
  });

  it('nothing listening: exit 75', async () => {
    const tmp = await fixture.tempDir();
    const e = await failure(fetchFile(request({ kind: 'http', url: 'http://127.0.0.1:9/x.bin' }, path.join(tmp.dir, 'p'),
      settingsFor(fixture.srv.url), { retry: { ...FAST, attempts: 2 } })));
    expect(e.exitCode).toBe(75);
    expect(e.message).toContain('ECONNREFUSED');
  });
});

describe('statSource', () => {
  it('reads size and the vouched sha256 with HEAD, following the redirect', async () => {
    const body = generatedBody(12345, 4);
    fixture.srv.add(hfPath('w.bin'), body, { redirect: true, linkedEtag: 'auto' });
    const st = await statSource(hfSource('w.bin'), settingsFor(fixture.srv.url), new AbortController().signal);
    expect(st).toEqual({ size: 12345, sha256: await sha256Of(body) });
    expect(fixture.srv.requests().map((q) => [q.method, q.server])).toEqual([['HEAD', 'api'], ['HEAD', 'storage']]);
    expect(fixture.srv.requests()[1]!.headers.authorization).toBeUndefined();
  });

  it('404 is exit 66', async () => {
    const e = await failure(statSource(ngcSource('nope.bin'), settingsFor(fixture.srv.url), new AbortController().signal));
    expect(e.exitCode).toBe(66);
  });
});
