// The pass-through in-process, against a small upstream on 127.0.0.1: idle upstream sockets are dropped before
// an engine's keep-alive would, but a stream whose events come further apart than that is not cut.
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { ClientRequest, ClientResponse } from '../../src/front/client-exchange.js';
import { createClientServer } from '../../src/front/client-server.js';
import { createUpstream, proxyRequest } from '../../src/front/proxy.js';

const closers: (() => void)[] = [];
afterEach(() => closers.splice(0).forEach((c) => c()));

async function listen(handler: http.RequestListener): Promise<{ server: http.Server; port: number }> {
  const server = http.createServer(handler);
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  closers.push(() => server.close());
  return { server, port: (server.address() as AddressInfo).port };
}

function get(port: number, path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string; headers: http.IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path, headers, agent: false }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
    }).on('error', reject);
  });
}

/** The front's own server around `handler`, as listen.ts serves it. */
async function front(handler: (req: ClientRequest, res: ClientResponse) => void): Promise<{ port: number }> {
  const clients = createClientServer(handler);
  const server = net.createServer((s) => clients.accept(s));
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  closers.push(() => (clients.closeAll(), server.close()));
  return { port: (server.address() as AddressInfo).port };
}

describe('proxyRequest', () => {
  it('events 300 ms apart pass whole through a pool whose idle timeout is 100 ms; hop-by-hop headers stay behind', async () => {
    const upstream = await listen((req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'keep-alive': 'timeout=77', 'x-engine': 'yes' });
      let i = 0;
      const tick = (): void => {
        res.write(`data: ${i}\n\n`);
        if (++i === 3) return void res.end('data: [DONE]\n\n');
        setTimeout(tick, 300);
      };
      tick();
    });
    const engine = createUpstream('127.0.0.1', upstream.port, 100);
    const proxy = await front((req, res) => proxyRequest(req, res, engine, null));
    const r = await get(proxy.port, '/stream', { connection: 'keep-alive, x-drop', 'x-drop': 'me' });
    expect(r.body).toBe('data: 0\n\ndata: 1\n\ndata: 2\n\ndata: [DONE]\n\n');
    expect(r.headers['x-engine']).toBe('yes');
    expect(r.headers['keep-alive']).not.toBe('timeout=77');
    engine.close();
  });

  it('a head the engine sends alone reaches the client before the first event is written (it is not held for it)', async () => {
    const order: string[] = [];
    let release = (): void => {};
    const upstream = await listen((req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.flushHeaders();
      const send = (): void => {
        order.push('event written');
        res.end('data: [DONE]\n\n');
      };
      // the client's 'response' releases the event; a front that held the head back gets it after 2 s
      const timer = setTimeout(send, 2000);
      release = () => (clearTimeout(timer), send());
    });
    const engine = createUpstream('127.0.0.1', upstream.port);
    const proxy = await front((req, res) => proxyRequest(req, res, engine, null));
    const body = await new Promise<string>((resolve, reject) => {
      http.get({ host: '127.0.0.1', port: proxy.port, path: '/stream', agent: false }, (res) => {
        order.push(`head ${res.statusCode}`);
        release();
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => resolve(text));
      }).on('error', reject);
    });
    expect(order).toEqual(['head 200', 'event written']);
    expect(body).toBe('data: [DONE]\n\n');
    engine.close();
  });

  it('an idle upstream socket is closed once the idle timeout passes', async () => {
    let closedAt = 0;
    const upstream = await listen((req, res) => res.end('ok'));
    upstream.server.on('connection', (s) => s.on('close', () => (closedAt = Date.now())));
    const engine = createUpstream('127.0.0.1', upstream.port, 100);
    const proxy = await front((req, res) => proxyRequest(req, res, engine, null));
    expect((await get(proxy.port, '/')).body).toBe('ok');
    const answeredAt = Date.now();
    for (let i = 0; i < 200 && closedAt === 0; i++) await new Promise((r) => setTimeout(r, 25));
    expect(closedAt).toBeGreaterThanOrEqual(answeredAt);
    engine.close();
  });

  it('an engine that is not there: 502 with a JSON error', async () => {
    const gone = await listen(() => {});
    const port = gone.port;
    gone.server.close();
    const engine = createUpstream('127.0.0.1', port);
    const proxy = await front((req, res) => proxyRequest(req, res, engine, null));
    const r = await get(proxy.port, '/v1/models');
    expect(r.status).toBe(502);
    expect(JSON.parse(r.body)).toMatchObject({ error: { type: 'bad_gateway', message: expect.stringMatching(/^the engine is not answering: .*ECONNREFUSED/) } });
    engine.close();
  });
});
