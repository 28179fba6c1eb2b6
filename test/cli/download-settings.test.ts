// A download obeys exactly the settings the command checked (issue 12): the CLI reads its context's environment
// once (config/downloads.ts) and passes it down, so an in-process `main(argv, ctx)` fetches with ctx.env's retry
// budget and proxy, never with process.env's (which here sets neither: the defaults would be 5 attempts, direct).
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { CliContext } from '../../src/cli/context.js';
import { main } from '../../src/cli/main.js';
import { bytesBody, sha256Of, startArtifactServer, type ArtifactServer } from '../fixtures/servers/artifact-server.js';
import { startProxyServer, type ProxyServer } from '../fixtures/servers/proxy-server.js';
import { VLLM_TAGS, writeManifest } from '../support/manifest.js';

let srv: ArtifactServer;
let proxy: ProxyServer;
let dir: string;

beforeAll(async () => {
  srv = await startArtifactServer();
  proxy = await startProxyServer();
});
afterAll(async () => {
  await srv.stop();
  await proxy.stop();
});
afterEach(async () => {
  srv.reset();
  await rm(dir, { recursive: true, force: true });
});

async function setUp(body: string): Promise<Record<string, string>> {
  dir = await mkdtemp(path.join(os.tmpdir(), 'nimlet-dl-settings-'));
  await writeManifest(path.join(dir, 'm.yaml'), [{
    name: 'p', tags: VLLM_TAGS, files: { 'a.bin': { uri: `${srv.url}/plain/a.bin`, size: body.length, sha256: await sha256Of(bytesBody(body)) } },
  }]);
  return { HOME: dir, NIM_CACHE_PATH: path.join(dir, 'cache'), NIMLET_MANIFEST: path.join(dir, 'm.yaml'), XDG_CACHE_HOME: path.join(dir, 'xdg') };
}

function ctxWith(env: Record<string, string>): CliContext & { err: string[] } {
  const err: string[] = [];
  return { env, cwd: dir, stdout: () => {}, stderr: (t) => void err.push(t), stderrIsTTY: false, signal: new AbortController().signal, err };
}

describe('download-to-cache in-process', () => {
  it("obeys ctx.env's NIMLET_RETRY_ATTEMPTS: 2 requests to a server that always answers 503, exit 75", async () => {
    const env = await setUp('never sent');
    srv.add('/plain/a.bin', bytesBody('never sent'), { status: 503 });
    const ctx = ctxWith({ ...env, NIMLET_RETRY_ATTEMPTS: '2', NIMLET_RETRY_BASE_MS: '1' });
    expect(await main(['download-to-cache', '--all'], ctx)).toBe(75);
    expect(ctx.err.join('')).toContain('failed after 2 attempt(s): HTTP 503');
    expect(srv.requests().map((r) => [r.method, r.path, r.status])).toEqual([['GET', '/plain/a.bin', 503], ['GET', '/plain/a.bin', 503]]);
  });

  it("sends through ctx.env's HTTP_PROXY", async () => {
    const env = await setUp('through the proxy');
    srv.add('/plain/a.bin', bytesBody('through the proxy'));
    const before = proxy.requests().length;
    const ctx = ctxWith({ ...env, HTTP_PROXY: proxy.url });
    expect(await main(['download-to-cache', '--all'], ctx), ctx.err.join('')).toBe(0);
    expect(proxy.requests().slice(before)).toEqual([{ kind: 'connect', target: new URL(srv.url).host }]);
    expect(srv.requests()).toHaveLength(1);
  });
});
