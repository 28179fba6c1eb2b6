// Issue 11 fault 6: an HTTPS proxy that drops every CONNECT, and one that accepts the connection and never answers,
// replayed against the built CLI (build first) with real proxies on 127.0.0.1. undici 7 alone reconnects for ever
// (~2,000 CONNECTs/s) or hangs; nimlet bounds each CONNECT and the whole request itself: one CONNECT per attempt,
// NIMLET_RETRY_ATTEMPTS obeyed, exit 75 (network) — and SIGTERM ends it, 143.
import net from 'node:net';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { waitFor } from '../support/engine-record.js';
import { nimlet, startNimlet } from '../support/cli.js';
import { VLLM_TAGS, writeManifest } from '../support/manifest.js';
import { cliEnv, makeSandbox } from '../support/sandbox.js';

let dir: string;
let proxy: net.Server;
let connects: number;
let sockets: net.Socket[];

/** A proxy on 127.0.0.1 that reads each CONNECT line and then drops the connection, or just never answers. */
async function startBadProxy(mode: 'drop' | 'silent'): Promise<string> {
  proxy = net.createServer((socket) => {
    sockets.push(socket);
    socket.on('error', () => undefined);
    socket.on('data', (d) => {
      if (!d.toString('latin1').startsWith('CONNECT ')) return;
      connects++;
      if (mode === 'drop') socket.destroy();
    });
  });
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(proxy.address() as net.AddressInfo).port}`;
}

beforeEach(async () => {
  const sb = makeSandbox({ engines: [] });
  dir = sb.dir;
  connects = 0;
  sockets = [];
  // an https source only a proxy could reach (the bad proxy never connects anywhere); size given: no HEAD
  await writeManifest(path.join(dir, 'm.yaml'), [{
    name: 'p', tags: VLLM_TAGS, files: { 'config.json': { uri: 'https://models.example.invalid/config.json', size: 10, sha256: 'a'.repeat(64) } },
  }]);
});
afterEach(async () => {
  for (const s of sockets) s.destroy();
  await new Promise((r) => proxy.close(r));
});

const env = (proxyUrl: string, extra: Record<string, string>) => cliEnv({
  NIM_CACHE_PATH: path.join(dir, 'cache'), NIMLET_MANIFEST: path.join(dir, 'm.yaml'), XDG_CACHE_HOME: path.join(dir, 'xdg'), HTTPS_PROXY: proxyUrl, ...extra,
});

describe('an HTTPS proxy that misbehaves on CONNECT', () => {
  it('drops every CONNECT: one CONNECT per attempt, NIMLET_RETRY_ATTEMPTS obeyed, exit 75', async () => {
    const url = await startBadProxy('drop');
    const r = await nimlet(['download-to-cache', '--all'], env(url, { NIMLET_RETRY_ATTEMPTS: '3' }));
    expect(r.code, r.all).toBe(75);
    expect(r.stderr).toContain('the proxy refused or dropped CONNECT');
    expect(connects).toBe(3);
  });

  it('accepts and never answers: each attempt ends at NIMLET_HTTP_TIMEOUT_MS, exit 75', async () => {
    const url = await startBadProxy('silent');
    const r = await nimlet(['download-to-cache', '--all'], env(url, { NIMLET_RETRY_ATTEMPTS: '2', NIMLET_HTTP_TIMEOUT_MS: '300' }));
    expect(r.code, r.all).toBe(75);
    expect(r.stderr).toMatch(/within 300 ms/);
    expect(connects).toBe(2);
  });

  it('SIGTERM while it waits on a silent proxy: exit 143', async () => {
    const url = await startBadProxy('silent');
    const { child, done } = startNimlet(['download-to-cache', '--all'], env(url, {}));
    await waitFor(() => (connects > 0 ? true : undefined), 30_000);
    child.kill('SIGTERM');
    const r = await done;
    expect([r.code, r.signal], r.all).toEqual([143, null]);
  });
});
