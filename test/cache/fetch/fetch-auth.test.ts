// Credentials go to the API's origin only, never to storage behind a redirect, and never into any text.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fetchFile } from '../../../src/cache/fetch/fetch-file.js';
import { bytesBody, generatedBody, sha256Of } from '../../fixtures/servers/artifact-server.js';
import {
  failure, HF_TOKEN, hfPath, hfSource, NGC_TOKEN, ngcPath, ngcSource, printable, request, settingsFor, useArtifactServer,
} from './fetch-helpers.js';

const fixture = useArtifactServer();


describe('credentials and redirects', () => {
  it('sends the NGC key to the API origin only; the storage origin never sees Authorization', async () => {
    const tmp = await fixture.tempDir();
    const body = generatedBody(3 * 1024 * 1024 + 17, 11);
    fixture.srv.add(ngcPath('model.safetensors'), body, { redirect: true, requireToken: NGC_TOKEN });
    const partial = path.join(tmp.dir, 'part');
    const r = await fetchFile(request(ngcSource('model.safetensors'), partial, settingsFor(fixture.srv.url), { expectedSha256: await sha256Of(body) }));
    expect(r).toMatchObject({ bytes: 3 * 1024 * 1024 + 17, sha256: await sha256Of(body), requests: 1 });
    const reqs = fixture.srv.requests();
    expect(reqs.map((q) => [q.server, q.status])).toEqual([['api', 302], ['storage', 200]]);
    expect(reqs[0]!.headers.authorization).toBe(`Bearer ${NGC_TOKEN}`);
    expect(reqs[1]!.headers.authorization).toBeUndefined();
    expect(JSON.stringify(reqs[1]!.headers)).not.toContain(NGC_TOKEN);
  });

  it('sends HF_TOKEN to the Hugging Face endpoint and not to the CDN; verifies against X-Linked-Etag', async () => {
    const tmp = await fixture.tempDir();
    fixture.srv.add(hfPath('config.json'), bytesBody('{"a":1}'), { redirect: true, requireToken: HF_TOKEN, linkedEtag: 'auto' });
    const partial = path.join(tmp.dir, 'part');
    const r = await fetchFile(request(hfSource('config.json'), partial, settingsFor(fixture.srv.url)));
    expect(r.sha256).toBe(await sha256Of(bytesBody('{"a":1}')));
    expect(await readFile(partial, 'utf8')).toBe('{"a":1}');
    const [api, cdn] = fixture.srv.requests();
    expect(api!.path).toBe('/acme/tiny/resolve/main/config.json');
    expect(api!.headers.authorization).toBe(`Bearer ${HF_TOKEN}`);
    expect(cdn!.server).toBe('storage');
    expect(cdn!.headers.authorization).toBeUndefined();
  });

  it('sends no credential at all to a plain https/http URL', async () => {
    const tmp = await fixture.tempDir();
    fixture.srv.add('/plain/file.bin', bytesBody('plain'));
    await fetchFile(request({ kind: 'http', url: `${fixture.srv.url}/plain/file.bin` }, path.join(tmp.dir, 'p'), settingsFor(fixture.srv.url)));
    expect(fixture.srv.requests()[0]!.headers.authorization).toBeUndefined();
  });

  it('401 without a key: exit 77, the hint names NGC_API_KEY, nothing written', async () => {
    const tmp = await fixture.tempDir();
    fixture.srv.add(ngcPath('a.json'), bytesBody('x'), { requireToken: NGC_TOKEN });
    const e = await failure(fetchFile(request(ngcSource('a.json'), path.join(tmp.dir, 'p'), settingsFor(fixture.srv.url, { NGC_API_KEY: '' }))));
    expect(e.code).toBe('credentials');
    expect(e.exitCode).toBe(77);
    expect(e.message).toBe(`HTTP 401 for f (profile p) from ${fixture.srv.url}${ngcPath('a.json')}: NGC_API_KEY is not set`);
    expect(e.hint).toContain('NGC_API_KEY');
    expect(fixture.srv.requests()[0]!.headers.authorization).toBeUndefined();
  });

  it('403 with a refused key: exit 77 naming NGC_API_KEY, the key itself in no text', async () => {
    const tmp = await fixture.tempDir();
    fixture.srv.add(ngcPath('a.json'), bytesBody('x'), { requireToken: 'another-key' });
    const e = await failure(fetchFile(request(ngcSource('a.json'), path.join(tmp.dir, 'p'), settingsFor(fixture.srv.url))));
    expect([e.code, e.exitCode]).toEqual(['credentials', 77]);
    expect(e.message).toContain('NGC_API_KEY was refused');
    expect(printable(e)).not.toContain(NGC_TOKEN);
    expect(fixture.srv.requests()).toHaveLength(1); // refusals by the API are not retried
  });

  it('401 from Hugging Face: the hint names HF_TOKEN', async () => {
    const tmp = await fixture.tempDir();
    fixture.srv.add(hfPath('w.bin'), bytesBody('x'), { status: 401 });
    const e = await failure(fetchFile(request(hfSource('w.bin'), path.join(tmp.dir, 'p'), settingsFor(fixture.srv.url))));
    expect(e.exitCode).toBe(77);
    expect(e.hint).toContain('HF_TOKEN');
    expect(e.message).toContain('HF_TOKEN was refused');
    expect(printable(e)).not.toContain(HF_TOKEN);
  });

  it('404: exit 66 naming the file and the label', async () => {
    const tmp = await fixture.tempDir();
    const e = await failure(fetchFile(request(ngcSource('missing.bin'), path.join(tmp.dir, 'p'), settingsFor(fixture.srv.url), {
      label: 'missing.bin (profile vllm-bf16-tp1)',
    })));
    expect([e.code, e.exitCode]).toEqual(['not-found', 66]);
    expect(e.message).toBe(`missing.bin not found (HTTP 404) for missing.bin (profile vllm-bf16-tp1) at ${fixture.srv.url}${ngcPath('missing.bin')}`);
  });

  it('NIM_REPOSITORY_OVERRIDE=http://… mirror: the encoded ngc key under its path, and no NGC key sent', async () => {
    const tmp = await fixture.tempDir();
    fixture.srv.add('/mirror/nim/meta/llama:1.0?file=tokenizer.json', bytesBody('tok'));
    const settings = settingsFor(fixture.srv.url, { NIM_REPOSITORY_OVERRIDE: `${fixture.srv.url}/mirror/` });
    const r = await fetchFile(request(ngcSource('tokenizer.json'), path.join(tmp.dir, 'p'), settings));
    expect(r.bytes).toBe(3);
    const [q] = fixture.srv.requests();
    expect(q!.path).toBe('/mirror/nim%2Fmeta%2Fllama%3A1.0%3Ffile%3Dtokenizer.json');
    expect(q!.headers.authorization).toBeUndefined();
  });

  it('offline: refuses before any request', async () => {
    const tmp = await fixture.tempDir();
    fixture.srv.add(ngcPath('a.json'), bytesBody('x'));
    const e = await failure(fetchFile(request(ngcSource('a.json'), path.join(tmp.dir, 'p'), settingsFor(fixture.srv.url, { NIMLET_OFFLINE: '1' }))));
    expect([e.code, e.exitCode]).toEqual(['offline-incomplete', 66]);
    expect(fixture.srv.requests()).toEqual([]);
  });
});
