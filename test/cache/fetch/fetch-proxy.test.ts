// HTTP_PROXY / HTTPS_PROXY / NO_PROXY are obeyed through undici's EnvHttpProxyAgent.
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { fetchFile } from '../../../src/cache/fetch/fetch-file.js';
import { bytesBody, startArtifactServer, type ArtifactServer } from '../../fixtures/servers/artifact-server.js';
import { startProxyServer, type ProxyServer } from '../../fixtures/servers/proxy-server.js';
import { request, settingsFor, tempDir } from './fetch-helpers.js';

let srv: ArtifactServer;
let proxy: ProxyServer;
let tmp: Awaited<ReturnType<typeof tempDir>>;
beforeAll(async () => {
  srv = await startArtifactServer();
  proxy = await startProxyServer();
  srv.add('/plain/a.bin', bytesBody('through the proxy'));
});
afterAll(async () => {
  await srv.stop();
  await proxy.stop();
});
afterEach(async () => {
  srv.reset();
  await tmp?.cleanup();
});

describe('proxies', () => {
  it('HTTP_PROXY carries an http:// download', async () => {
    tmp = await tempDir();
    const before = proxy.requests().length;
    const r = await fetchFile(request({ kind: 'http', url: `${srv.url}/plain/a.bin` }, path.join(tmp.dir, 'p'), settingsFor(srv.url, { HTTP_PROXY: proxy.url })));
    expect(r.bytes).toBe(17);
    const used = proxy.requests().slice(before);
    expect(used.length).toBe(1);
    expect(used[0]!.target).toContain(new URL(srv.url).host);
    expect(srv.requests()).toHaveLength(1);
  });

  it('NO_PROXY naming the host bypasses the proxy', async () => {
    tmp = await tempDir();
    const before = proxy.requests().length;
    await fetchFile(request({ kind: 'http', url: `${srv.url}/plain/a.bin` }, path.join(tmp.dir, 'p'), settingsFor(srv.url, { HTTP_PROXY: proxy.url, NO_PROXY: '127.0.0.1' })));
    expect(proxy.requests().length).toBe(before);
    expect(srv.requests()).toHaveLength(1);
  });

  it('HTTPS_PROXY alone is not used for http:// URLs', async () => {
    tmp = await tempDir();
    const before = proxy.requests().length;
    await fetchFile(request({ kind: 'http', url: `${srv.url}/plain/a.bin` }, path.join(tmp.dir, 'p'), settingsFor(srv.url, { HTTPS_PROXY: proxy.url })));
    expect(proxy.requests().length).toBe(before);
  });
});
