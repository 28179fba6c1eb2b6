// Issue 11 fault 7 through the built CLI (build first), with a server on 127.0.0.1: an error body dripping a byte
// at a time ends (exit 75 after NIMLET_RETRY_ATTEMPTS, each attempt bounded), and a HEAD asked only for a size is
// tried once — it no longer spends a whole retry budget before the GET spends another.
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { nimlet } from '../support/cli.js';
import { VLLM_TAGS, writeManifest, wsOf } from '../support/manifest.js';
import { cliEnv, makeSandbox } from '../support/sandbox.js';

const BODY = 'the real config';
let dir: string;
let server: http.Server;
let url: string;
let seen: string[];
let timers: NodeJS.Timeout[];

beforeEach(async () => {
  const sb = makeSandbox({ engines: [] });
  dir = sb.dir;
  seen = [];
  timers = [];
  server = http.createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    if (req.url === '/drip') {
      // an error whose body comes a byte every 200 ms, for ever (the socket never idles long enough to time out)
      res.writeHead(503, { 'content-length': 100_000 });
      timers.push(setInterval(() => res.write('x'), 200));
      return;
    }
    if (req.method === 'HEAD') return; // never answered
    res.writeHead(200, { 'content-length': Buffer.byteLength(BODY) });
    res.end(BODY);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterEach(async () => {
  for (const t of timers) clearInterval(t);
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

async function run(uri: string, sized: boolean, extra: Record<string, string>) {
  const m = path.join(dir, 'm.yaml');
  await writeManifest(m, [{ name: 'p', tags: VLLM_TAGS, files: { 'config.json': { uri, ...(sized ? { size: Buffer.byteLength(BODY) } : {}) } } }]);
  return nimlet(['download-to-cache', '--all'], cliEnv({ NIM_CACHE_PATH: path.join(dir, 'cache'), NIMLET_MANIFEST: m, XDG_CACHE_HOME: path.join(dir, 'xdg'), ...extra }));
}

describe('faults that used to hang or spend the retry budget twice', () => {
  it('a 503 whose body drips a byte at a time: exit 75 after NIMLET_RETRY_ATTEMPTS', async () => {
    const r = await run(`${url}/drip`, true, { NIMLET_RETRY_ATTEMPTS: '2', NIMLET_HTTP_TIMEOUT_MS: '1000' });
    expect(r.code, r.all).toBe(75);
    expect(r.stderr).toContain('HTTP 503');
    expect(seen).toEqual(['GET /drip', 'GET /drip']);
  });

  it('a manifest without sizes, a HEAD that is never answered: one HEAD, then the GET, exit 0', async () => {
    const r = await run(`${url}/config.json`, false, { NIMLET_RETRY_ATTEMPTS: '4', NIMLET_HTTP_TIMEOUT_MS: '300' });
    expect(r.code, r.all).toBe(0);
    expect(seen).toEqual(['HEAD /config.json', 'GET /config.json']);
    expect(await readFile(path.join(wsOf(path.join(dir, 'cache'), 'p'), 'config.json'), 'utf8')).toBe(BODY);
  });
});
