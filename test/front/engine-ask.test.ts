// The front's own requests to the engine (engine-ask.ts): /health, /version, /metrics over the relay's pool, the
// body collected whole; an engine that answers badly, slowly or too much is an error, never a hang.
import net, { type AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { askEngine } from '../../src/front/engine-ask.js';
import { createUpstream } from '../../src/front/proxy.js';

const closers: (() => void)[] = [];
afterEach(() => closers.splice(0).reverse().forEach((c) => c()));

/** An engine writing `answer(path)` raw for each request head; counts its connections and keeps the heads. */
async function rawEngine(answer: (path: string) => string | null): Promise<{ port: number; connections: () => number; heads: string[] }> {
  let connections = 0;
  const heads: string[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => {
    connections++;
    sockets.add(s);
    s.on('error', () => {});
    let pending = '';
    s.on('data', (d: Buffer) => {
      pending += d.toString('latin1');
      for (let end = pending.indexOf('\r\n\r\n'); end >= 0; end = pending.indexOf('\r\n\r\n')) {
        const head = pending.slice(0, end);
        pending = pending.slice(end + 4);
        heads.push(head);
        const a = answer(head.split(' ')[1] ?? '');
        if (a === null) continue; // no answer: a hung engine
        if (a.endsWith('<close>')) s.end(a.slice(0, -7));
        else s.write(a);
      }
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  closers.push(() => (sockets.forEach((s) => s.destroy()), server.close()));
  return { port: (server.address() as AddressInfo).port, connections: () => connections, heads };
}

const upstreamOf = (port: number): ReturnType<typeof createUpstream> => {
  const u = createUpstream('127.0.0.1', port);
  closers.push(u.close);
  return u;
};

describe('askEngine', () => {
  it.each([
    ['a counted body', 'HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\nhello', 200, 'hello'],
    ['a chunked body with a trailer', 'HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n3\r\nhel\r\n2\r\nlo\r\n0\r\nx-t: 1\r\n\r\n', 200, 'hello'],
    ['a body to the close', 'HTTP/1.1 503 Service Unavailable\r\n\r\nnot yet<close>', 503, 'not yet'],
    ['no body', 'HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n', 200, ''],
    ['a 100 Continue first', 'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok', null, null],
  ])('%s', async (_what, wire, status, body) => {
    const engine = await rawEngine(() => wire);
    const ask = askEngine(upstreamOf(engine.port), '/health', 2000);
    if (status === null) return void (await expect(ask).rejects.toThrow(/answered \/health with 100/));
    const a = await ask;
    expect([a.status, a.body.toString()]).toEqual([status, body]);
    expect(engine.heads[0]).toMatch(/^GET \/health HTTP\/1\.1\r\nhost: 127\.0\.0\.1:\d+$/);
  });

  it('a kept-alive engine: three asks over one connection', async () => {
    const engine = await rawEngine(() => 'HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok');
    const upstream = upstreamOf(engine.port);
    for (let i = 0; i < 3; i++) expect((await askEngine(upstream, '/health', 2000)).status).toBe(200);
    expect(engine.connections()).toBe(1);
  });

  it.each([
    ['a hung engine', null, /no answer in 200 ms/],
    ['garbage', 'SSH-2.0-OpenSSH\r\n\r\n', /did not answer with an HTTP\/1 status line/],
    ['a body over the limit', `HTTP/1.1 200 OK\r\ncontent-length: 2000\r\n\r\n${'x'.repeat(2000)}`, /over 1024 bytes/],
    ['a counted body cut short', 'HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\nshort<close>', /closed the connection before its answer was complete/],
  ])('%s: rejected, and the connection not reused', async (_what, wire, message) => {
    const engine = await rawEngine(() => wire);
    const upstream = upstreamOf(engine.port);
    await expect(askEngine(upstream, '/metrics', 200, 1024)).rejects.toThrow(message);
    await askEngine(upstream, '/metrics', 200, 1024).catch(() => {});
    expect(engine.connections()).toBe(2);
  });

  it('no engine listening: rejected at once', async () => {
    const engine = await rawEngine(() => null);
    closers.splice(0).reverse().forEach((c) => c()); // the port is closed again
    await expect(askEngine(createUpstream('127.0.0.1', engine.port), '/health', 2000)).rejects.toThrow(/ECONNREFUSED/);
  });
});
