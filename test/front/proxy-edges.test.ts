// The pass-through's edge cases, black-box: what any correct proxy keeps whatever its upstream side is made of
// (node:http today; a raw HTTP/1.1 relay tomorrow). Upstreams are node:http servers where they behave, raw `net`
// servers where they must misbehave; clients are raw `net` sockets where node:http's client would hide the wire.
// A client that disconnects mid-stream is covered end to end in serve-front-stop.test.ts.
import { createHash, randomBytes } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from './front-helpers.js';
import { createClientServer } from '../../src/front/client-server.js';
import { parseResponses, type WireResponse } from './client-side-wire.js';
import { createUpstream, proxyRequest, type OnBody } from '../../src/front/proxy.js';

type UpstreamArg = Parameters<typeof proxyRequest>[2];

const closers: (() => void)[] = [];
afterEach(() => closers.splice(0).reverse().forEach((c) => c()));

/** The one place that builds what proxyRequest takes: when its API changes, only this function does. */
function makeUpstream(port: number, idleMs?: number): UpstreamArg {
  const upstream = createUpstream('127.0.0.1', port, idleMs);
  closers.push(upstream.close);
  return upstream;
}

const MiB = 1024 * 1024;
const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
/** Resolves once `sent()` has not moved for three looks 50 ms apart (the upstream stands still) or reached `total`. */
async function untilStill(sent: () => number, total: number): Promise<void> {
  let last = -1;
  for (let still = 0; still < 3 && sent() < total; ) {
    await sleep(50);
    still = sent() === last ? still + 1 : 0;
    last = sent();
  }
}

async function listenOn(server: net.Server): Promise<number> {
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  return (server.address() as AddressInfo).port;
}

/** A well-behaved engine: node:http, its connections counted. */
async function httpUpstream(handler: http.RequestListener, keepAliveTimeout?: number): Promise<{ port: number; server: http.Server; connections: () => number }> {
  const server = http.createServer(handler);
  if (keepAliveTimeout !== undefined) server.keepAliveTimeout = keepAliveTimeout;
  let connections = 0;
  server.on('connection', () => connections++);
  const port = await listenOn(server);
  closers.push(() => (server.closeAllConnections(), server.close()));
  return { port, server, connections: () => connections };
}

/**
 * An engine that writes whatever bytes `respond` says: each request head (bodiless requests only) is handed over
 * with its number over all connections, from 0.
 */
async function rawUpstream(respond: (socket: net.Socket, head: string, n: number) => void): Promise<{ port: number; connections: () => number }> {
  let n = 0;
  let connections = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    let pending = '';
    socket.on('data', (c: Buffer) => {
      pending += c.toString('latin1');
      for (let end = pending.indexOf('\r\n\r\n'); end !== -1; end = pending.indexOf('\r\n\r\n')) {
        const head = pending.slice(0, end);
        pending = pending.slice(end + 4);
        respond(socket, head, n++);
      }
    });
  });
  const port = await listenOn(server);
  closers.push(() => (sockets.forEach((s) => s.destroy()), server.close()));
  return { port, connections: () => connections };
}

const pathOf = (head: string): string => head.split(' ')[1] ?? '';

/** The front under test: its own client-side server with proxyRequest and nothing else. */
async function front(upstream: UpstreamArg, onBody: OnBody = null): Promise<number> {
  const clients = createClientServer((req, res) => proxyRequest(req, res, upstream, onBody));
  const server = net.createServer((s) => clients.accept(s));
  const port = await listenOn(server);
  closers.push(() => (clients.closeAll(), server.close()));
  return port;
}

interface Outcome {
  status: number;
  statusMessage: string;
  headers: http.IncomingHttpHeaders;
  rawHeaders: string[];
  body: Buffer;
  /** 'end' came: the client was told the body is whole */
  ended: boolean;
  error: string | null;
}

/** One request through node:http's client; resolves on the body's end or on its failure, whichever comes. */
function call(port: number, init: { method?: string; path?: string; headers?: http.OutgoingHttpHeaders; body?: Buffer | string; onFirstData?: () => void } = {}): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method: init.method ?? 'GET', path: init.path ?? '/', headers: init.headers ?? {}, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      let settled = false;
      const done = (ended: boolean, error: string | null): void => {
        if (settled) return;
        settled = true;
        resolve({ status: res.statusCode ?? 0, statusMessage: res.statusMessage ?? '', headers: res.headers, rawHeaders: res.rawHeaders, body: Buffer.concat(chunks), ended, error });
      };
      res.on('data', (c: Buffer) => {
        if (chunks.length === 0) init.onFirstData?.();
        chunks.push(c);
      });
      res.on('end', () => done(true, null));
      res.on('error', (e) => done(false, e.message));
      res.on('aborted', () => done(false, 'aborted'));
      res.on('close', () => done(false, 'closed before its end'));
    });
    req.on('error', reject);
    req.end(init.body);
  });
}

/** The first `methods.length` complete responses on the wire and the bytes after them. */
const parseAnswers = (buf: Buffer, methods: string[], closed: boolean): { responses: WireResponse[]; rest: Buffer } => parseResponses(buf, closed, methods, methods.length);

/** A raw client connection: write bytes, wait until the wire holds what a check wants (rejects if it closes first). */
async function rawClient(port: number): Promise<{ socket: net.Socket; write: (s: string | Buffer) => void; wire: () => Buffer; closed: () => boolean; responses: (methods: string[]) => Promise<{ responses: WireResponse[]; rest: Buffer }> }> {
  const socket = net.connect(port, '127.0.0.1');
  await new Promise<void>((ok, fail) => socket.once('connect', ok).once('error', fail));
  closers.push(() => socket.destroy());
  let buf = Buffer.alloc(0);
  let closed = false;
  const waiters = new Set<() => void>();
  const wake = (): void => waiters.forEach((w) => w());
  socket.on('data', (c: Buffer) => ((buf = Buffer.concat([buf, c])), wake()));
  socket.on('close', () => ((closed = true), wake()));
  socket.on('error', () => {});
  const responses = (methods: string[]): Promise<{ responses: WireResponse[]; rest: Buffer }> =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        try {
          const r = parseAnswers(buf, methods, closed);
          if (r.responses.length === methods.length) return void (waiters.delete(check), resolve(r));
          if (closed) throw new Error(`closed with ${r.responses.length} of ${methods.length} responses: ${JSON.stringify(buf.toString('latin1').slice(0, 400))}`);
        } catch (e) {
          waiters.delete(check);
          reject(e as Error);
        }
      };
      waiters.add(check);
      check();
    });
  return { socket, write: (s) => void socket.write(s), wire: () => buf, closed: () => closed, responses };
}

describe('proxyRequest edge cases', () => {
  it('a content-length response: the body exact, content-length kept, no chunking; all 256 byte values unchanged', async () => {
    const binary = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    const up = await httpUpstream((req, res) => res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': binary.length }).end(binary));
    const port = await front(makeUpstream(up.port));
    const r = await call(port, { path: '/bin' });
    expect(r.ended).toBe(true);
    expect(r.headers['content-length']).toBe('256');
    expect(r.headers['transfer-encoding']).toBeUndefined();
    expect(r.body.equals(binary)).toBe(true);
  });

  it('a chunked SSE stream of UTF-8 and every byte value, each event its own write: each reaches the client byte for byte, the first with the head, the rest alone', async () => {
    const events = [
      Buffer.from('data: {"delta":"héllo wörld 你好 🙂"}\n\n'),
      Buffer.concat([Buffer.from('data: '), Buffer.from(Array.from({ length: 256 }, (_, i) => i)), Buffer.from('\n\n')]),
      Buffer.from('data: [DONE]\n\n'),
    ];
    const up = await httpUpstream((req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      let i = 0;
      const next = (): void => void (i < events.length ? (res.write(events[i++]), setTimeout(next, 20)) : res.end());
      next();
    });
    const port = await front(makeUpstream(up.port));
    const r = await call(port, { path: '/stream' });
    expect(r.ended).toBe(true);
    expect(r.headers['transfer-encoding']).toBe('chunked');
    expect(r.body.equals(Buffer.concat(events))).toBe(true);
  });

  it('a chunked response with chunk extensions and trailers: the body exact; the next request on that upstream connection is answered right', async () => {
    const up = await rawUpstream((s, head, n) => {
      if (n === 0) s.write('HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\ntrailer: x-sum\r\n\r\n5;foo=bar\r\nhello\r\n6;a=1;b="x y"\r\n world\r\n0\r\nx-sum: abc\r\n\r\n');
      else s.write('HTTP/1.1 200 OK\r\ncontent-length: 4\r\n\r\nnext');
    });
    const port = await front(makeUpstream(up.port));
    const r = await call(port);
    expect([r.ended, r.body.toString()]).toEqual([true, 'hello world']);
    const r2 = await call(port);
    expect([r2.ended, r2.body.toString()]).toEqual([true, 'next']);
    expect(up.connections()).toBe(1);
  });

  it('a close-delimited response: the whole body and a clean end; the next request works over a new upstream connection', async () => {
    const up = await rawUpstream((s, head, n) => {
      if (n > 0) return void s.write('HTTP/1.1 200 OK\r\ncontent-length: 4\r\n\r\nnext');
      s.write('HTTP/1.1 200 OK\r\n\r\npart one, ');
      setImmediate(() => s.end('part two'));
    });
    const port = await front(makeUpstream(up.port));
    const r = await call(port);
    expect([r.status, r.ended, r.body.toString()]).toEqual([200, true, 'part one, part two']);
    const r2 = await call(port);
    expect([r2.status, r2.ended, r2.body.toString()]).toEqual([200, true, 'next']);
    expect(up.connections()).toBe(2);
  });

  it("HEAD: the GET's status and content-length, no body; the client's keep-alive connection then serves a GET", async () => {
    const up = await httpUpstream((req, res) => {
      res.writeHead(200, { 'content-length': 11, 'x-method': req.method });
      res.end(req.method === 'HEAD' ? undefined : 'hello world');
    });
    const port = await front(makeUpstream(up.port));
    const c = await rawClient(port);
    c.write('HEAD /x HTTP/1.1\r\nhost: a\r\n\r\n');
    const [head] = (await c.responses(['HEAD'])).responses;
    expect([head?.status, head?.headers['content-length'], head?.headers['x-method']]).toEqual([200, '11', 'HEAD']);
    c.write('GET /x HTTP/1.1\r\nhost: a\r\n\r\n');
    const { responses, rest } = await c.responses(['HEAD', 'GET']);
    expect(responses[1]?.body.toString()).toBe('hello world');
    expect(responses[1]?.headers['x-method']).toBe('GET');
    expect(rest.length).toBe(0);
  });

  it.each([
    ['204', 204, 'HTTP/1.1 204 No Content\r\nx-n: 1\r\n\r\n'],
    ["304 (with the representation's content-length)", 304, 'HTTP/1.1 304 Not Modified\r\netag: "v1"\r\ncontent-length: 11\r\n\r\n'],
  ])('a %s response: no body, and the client keep-alive connection goes on to the next request', async (_, status, answer) => {
    const up = await rawUpstream((s, head) => s.write(pathOf(head) === '/ok' ? 'HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok' : answer));
    const port = await front(makeUpstream(up.port));
    const c = await rawClient(port);
    c.write('GET /first HTTP/1.1\r\nhost: a\r\n\r\n');
    const [first] = (await c.responses(['GET'])).responses;
    expect(first?.status).toBe(status);
    c.write('GET /ok HTTP/1.1\r\nhost: a\r\n\r\n');
    const { responses, rest } = await c.responses(['GET', 'GET']);
    expect(responses[0]?.body.length).toBe(0);
    expect([responses[1]?.status, responses[1]?.body.toString()]).toEqual([200, 'ok']);
    expect(rest.length).toBe(0);
    expect(c.closed()).toBe(false);
  });

  it('an HTTP/1.0 client of a chunked SSE stream: the decoded events on its wire, no chunk framing, then the close', async () => {
    const events = ['data: {"text":"first event"}\n\n', 'data: second\n\n', 'data: [DONE]\n\n'];
    const up = await httpUpstream((req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(events[0]);
      setImmediate(() => (res.write(events[1]), res.end(events[2])));
    });
    const port = await front(makeUpstream(up.port));
    const c = await rawClient(port);
    c.write('GET /x HTTP/1.0\r\n\r\n');
    const { responses } = await c.responses(['GET']); // close-delimited: complete only once the front closed
    expect(c.closed()).toBe(true);
    expect(responses[0]?.headers['transfer-encoding']).toBeUndefined();
    expect(responses[0]?.body.toString()).toBe(events.join(''));
  });

  it('two requests pipelined on one connection: two responses, in order, bodies right (the first answered later)', async () => {
    const up = await httpUpstream((req, res) => {
      if (req.url === '/one') setTimeout(() => res.end('first body'), 50);
      else res.end('second, longer body');
    });
    const port = await front(makeUpstream(up.port));
    const c = await rawClient(port);
    c.write('GET /one HTTP/1.1\r\nhost: a\r\n\r\nGET /two HTTP/1.1\r\nhost: a\r\n\r\n');
    const { responses, rest } = await c.responses(['GET', 'GET']);
    expect(responses.map((r) => [r.status, r.body.toString()])).toEqual([[200, 'first body'], [200, 'second, longer body']]);
    expect(rest.length).toBe(0);
  });

  it('a chunked request body (with a chunk extension): the upstream receives the exact body', async () => {
    let received = '';
    const up = await httpUpstream((req, res) => {
      req.on('data', (c: Buffer) => (received += c.toString('latin1')));
      req.on('end', () => res.end('got it'));
    });
    const port = await front(makeUpstream(up.port));
    const c = await rawClient(port);
    c.write('POST /up HTTP/1.1\r\nhost: a\r\ntransfer-encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n6\r\n world\r\n');
    setImmediate(() => c.write('1\r\n!\r\n0\r\n\r\n'));
    const { responses } = await c.responses(['POST']);
    expect(responses[0]?.body.toString()).toBe('got it');
    expect(received).toBe('hello world!');
  });

  it('an 8 MiB POST body streamed through: the upstream hashes the same bytes the client sent', async () => {
    const body = randomBytes(8 * MiB);
    const up = await httpUpstream((req, res) => {
      const h = createHash('sha256');
      let n = 0;
      req.on('data', (c: Buffer) => (h.update(c), (n += c.length)));
      req.on('end', () => res.end(JSON.stringify({ n, sha: h.digest('hex') })));
    });
    const port = await front(makeUpstream(up.port));
    const r = await call(port, { method: 'POST', path: '/big', headers: { 'content-length': body.length }, body });
    expect(JSON.parse(r.body.toString())).toEqual({ n: 8 * MiB, sha: sha256(body) });
  });

  it('backpressure: a client that reads nothing holds the upstream back (its write returns false and it stays waiting); then all 64 MiB arrive intact', async () => {
    const total = 64 * MiB;
    // the stream is this block over and over; its length is no multiple of the piece size, so a piece lost,
    // repeated or reordered shows (each received byte is compared with the block: memcmp, cheaper than two hashes)
    const block = randomBytes(MiB + 7);
    const intact = (c: Buffer, at: number): boolean => {
      for (let i = 0; i < c.length; ) {
        const off = (at + i) % block.length;
        const len = Math.min(c.length - i, block.length - off);
        if (!c.subarray(i, i + len).equals(block.subarray(off, off + len))) return false;
        i += len;
      }
      return true;
    };
    let written = 0;
    let writeReturnedFalse = false;
    let waitingForDrain = false;
    const up = await httpUpstream((req, res) => {
      res.writeHead(200, { 'content-length': total });
      const pump = (): void => {
        while (written < total) {
          const off = written % block.length;
          const piece = block.subarray(off, Math.min(off + 64 * 1024, block.length, off + total - written));
          written += piece.length;
          if (!res.write(piece)) {
            writeReturnedFalse = waitingForDrain = true;
            return void res.once('drain', () => ((waitingForDrain = false), pump()));
          }
        }
        res.end();
      };
      pump();
    });
    const port = await front(makeUpstream(up.port));
    const result = new Promise<{ n: number; intact: boolean; ended: boolean }>((resolve, reject) => {
      http.get({ host: '127.0.0.1', port, path: '/big', agent: false }, (res) => {
        res.pause();
        let n = 0;
        let allIntact = true;
        // the client reads nothing until the upstream has stood still (or, through a proxy that buffers, sent all)
        void (async () => {
          await untilStill(() => written, total);
          expect(writeReturnedFalse).toBe(true);
          expect(waitingForDrain).toBe(true);
          expect(written).toBeLessThan(total);
          res.on('data', (c: Buffer) => ((allIntact &&= intact(c, n)), (n += c.length)));
          res.on('end', () => resolve({ n, intact: allIntact, ended: true }));
          res.on('error', reject);
          res.resume();
        })().catch(reject);
      }).on('error', reject);
    });
    expect(await result).toEqual({ n: total, intact: true, ended: true });
  });

  it('small events to a client that reads nothing: writes queue below the high-water mark while the engine is read on, and every event arrives as sent', async () => {
    // the relay writes each event from its connection's read buffer as it is; a write the kernel does not take whole
    // keeps that buffer, and while the client's queue is under 16 KiB the relay reads on: a read into the same buffer
    // then rewrote the bytes still queued (this test fails when the relay keeps reading into it)
    const events = 40_000;
    const event = (k: number): string => `data: ${k} ${String(k * 7919 % 100_003).padStart(6, '0')} ${'x'.repeat(k % 1000)}\n\n`;
    let sent = 0;
    let stalled = false;
    const up = await httpUpstream((req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      // one event per turn of the loop, so the relay gets them in separate reads
      const next = (): void => {
        if (sent === events) return void res.end();
        if (!res.write(event(sent++))) return void ((stalled = true), res.once('drain', next));
        setImmediate(next);
      };
      next();
    });
    // how many read buffers the engine connection gave up to pending writes: one per time the client's queue went
    // from empty to waiting, not one per event queued behind it (each a 64 KiB buffer held for a 200-byte event)
    const upstream = makeUpstream(up.port);
    let givenUp = 0;
    const take = upstream.pool.take.bind(upstream.pool);
    upstream.pool.take = (user) => {
      const conn = take(user);
      const giveUp = conn.giveUpReadBuffer.bind(conn);
      conn.giveUpReadBuffer = () => ((givenUp += 1), giveUp());
      return conn;
    };
    const port = await front(upstream);
    const body = await new Promise<string>((resolve, reject) => {
      http.get({ host: '127.0.0.1', port, path: '/events', agent: false }, (res) => {
        res.pause();
        void (async () => {
          await untilStill(() => sent, events);
          expect([stalled, sent < events]).toEqual([true, true]);
          const parts: Buffer[] = [];
          res.on('data', (c: Buffer) => parts.push(c));
          res.on('end', () => resolve(Buffer.concat(parts).toString('latin1')));
          res.on('error', reject);
          res.resume();
        })().catch(reject);
      }).on('error', reject);
    });
    const expected = Array.from({ length: events }, (_, k) => event(k)).join('');
    // where the first difference is, rather than two 20 MB strings
    let at = 0;
    while (at < expected.length && body.charCodeAt(at) === expected.charCodeAt(at)) at++;
    expect({ length: body.length, firstDifference: at === expected.length ? null : expected.slice(Math.max(0, at - 40), at + 40) }).toEqual({ length: expected.length, firstDifference: null });
    // the client stalled once and then read without a stop: 2 in the runs seen, 47 when each queued event gave one up
    expect(givenUp).toBeGreaterThan(0);
    expect(givenUp).toBeLessThan(10);
  }, 60_000);

  it("several set-cookie headers stay separate; a custom reason phrase (418 I'm a teapot) and latin1 and tab bytes in values pass", async () => {
    const up = await rawUpstream((s) =>
      s.write(Buffer.from("HTTP/1.1 418 I'm a teapot\r\nset-cookie: a=1; Path=/\r\nset-cookie: b=2; HttpOnly\r\nx-latin: caf\xe9 \xfc\r\nx-tab: a\tb\r\ncontent-length: 2\r\n\r\nok", 'latin1')),
    );
    const port = await front(makeUpstream(up.port));
    const r = await call(port);
    expect([r.status, r.statusMessage, r.body.toString()]).toEqual([418, "I'm a teapot", 'ok']);
    expect(r.headers['set-cookie']).toEqual(['a=1; Path=/', 'b=2; HttpOnly']);
    expect(r.rawHeaders.filter((h) => h.toLowerCase() === 'set-cookie')).toHaveLength(2);
    expect(r.headers['x-latin']).toBe('caf\u00e9 \u00fc'); // node:http reads header bytes as latin1: 0xe9 on the wire, not UTF-8's c3 a9
    expect(r.headers['x-tab']).toBe('a\tb');
  });

  it.each([
    ['100 Continue', 'HTTP/1.1 100 Continue\r\n\r\n'],
    ['103 Early Hints', 'HTTP/1.1 103 Early Hints\r\nlink: </a.css>; rel=preload\r\n\r\n'],
  ])('an interim %s before the final response: the client gets the final one right', async (_, interim) => {
    const up = await rawUpstream((s) => s.write(`${interim}HTTP/1.1 200 OK\r\nx-final: yes\r\ncontent-length: 5\r\n\r\nfinal`));
    const port = await front(makeUpstream(up.port));
    const r = await call(port);
    expect([r.status, r.headers['x-final'], r.body.toString(), r.ended]).toEqual([200, 'yes', 'final', true]);
  });

  it.each([
    ['chunked', 'destroy (FIN)', 'transfer-encoding: chunked', '5\r\nhello\r\n', false],
    ['chunked', 'resetAndDestroy (RST)', 'transfer-encoding: chunked', '5\r\nhello\r\n', true],
    ['content-length', 'destroy (FIN)', 'content-length: 100', 'hello', false],
    ['content-length', 'resetAndDestroy (RST)', 'content-length: 100', 'hello', true],
  ])('a %s body cut by the upstream (%s): the client sees an error, not a clean end with a truncated body', async (_, __, framing, part, reset) => {
    let cut = (): void => {};
    const up = await rawUpstream((s) => {
      s.write(`HTTP/1.1 200 OK\r\n${framing}\r\n\r\n${part}`);
      cut = () => void (reset ? s.resetAndDestroy() : s.destroy());
    });
    const port = await front(makeUpstream(up.port));
    // cut once the client holds the first bytes: the truncation is mid-body, after the head went out
    const r = await call(port, { onFirstData: () => cut() });
    expect(r.status).toBe(200);
    expect(r.body.toString()).toBe('hello');
    expect(r.ended).toBe(false);
    expect(r.error).not.toBeNull();
  });

  it('garbage instead of a status line: 502 with the JSON bad_gateway error', async () => {
    const up = await rawUpstream((s) => s.write('SPAM\r\n\r\n'));
    const port = await front(makeUpstream(up.port));
    const r = await call(port);
    expect(r.status).toBe(502);
    expect(JSON.parse(r.body.toString())).toMatchObject({ error: { type: 'bad_gateway' } });
  });

  it('an upstream head of 100 KiB: 502, and the front goes on to answer the next request', async () => {
    const up = await rawUpstream((s, head, n) => {
      if (n === 0) s.write(`HTTP/1.1 200 OK\r\nx-big: ${'a'.repeat(100 * 1024)}\r\ncontent-length: 2\r\n\r\nok`);
      else s.write('HTTP/1.1 200 OK\r\ncontent-length: 4\r\n\r\nfine');
    });
    const port = await front(makeUpstream(up.port));
    const r = await call(port);
    expect(r.status).toBe(502);
    expect(JSON.parse(r.body.toString())).toMatchObject({ error: { type: 'bad_gateway' } });
    const r2 = await call(port);
    expect([r2.status, r2.body.toString()]).toEqual([200, 'fine']);
  });

  it('keep-alive: three requests in sequence share one upstream connection; after a `connection: close` answer the next opens a new one', async () => {
    let n = 0;
    const up = await httpUpstream((req, res) => {
      if (++n === 4) res.setHeader('connection', 'close');
      res.end(`answer ${n}`);
    });
    const port = await front(makeUpstream(up.port));
    const bodies: string[] = [];
    for (let i = 0; i < 3; i++) bodies.push((await call(port)).body.toString());
    expect(up.connections()).toBe(1);
    bodies.push((await call(port)).body.toString());
    bodies.push((await call(port)).body.toString());
    expect(bodies).toEqual(['answer 1', 'answer 2', 'answer 3', 'answer 4', 'answer 5']);
    expect(up.connections()).toBe(2);
  });

  it('the upstream closes an idle pooled connection (its keepAliveTimeout 150 ms): a request 400 ms later still succeeds', async () => {
    let closed = 0;
    const up = await httpUpstream((req, res) => res.end(`hi ${req.url}`), 150);
    up.server.on('connection', (s: net.Socket) => s.on('close', () => closed++));
    const port = await front(makeUpstream(up.port));
    expect((await call(port, { path: '/1' })).body.toString()).toBe('hi /1');
    const answeredAt = Date.now();
    for (let i = 0; i < 80 && closed === 0; i++) await sleep(25);
    expect(closed).toBe(1); // the scenario happened: the upstream closed the pooled connection
    await sleep(Math.max(50, 400 - (Date.now() - answeredAt)));
    const r = await call(port, { path: '/2' });
    expect([r.status, r.body.toString()]).toEqual([200, 'hi /2']);
    expect(up.connections()).toBe(2);
  });

  it('an upstream that sends more than its content-length (a whole fake response): the client gets exactly content-length bytes, the next request its own answer over a new connection', async () => {
    const up = await rawUpstream((s, head, n) => {
      if (n === 0) s.write('HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\nhelloHTTP/1.1 200 OK\r\ncontent-length: 4\r\n\r\nJUNK');
      else s.write('HTTP/1.1 200 OK\r\ncontent-length: 4\r\n\r\ngood');
    });
    const port = await front(makeUpstream(up.port));
    const r = await call(port);
    expect([r.status, r.body.toString(), r.ended]).toEqual([200, 'hello', true]);
    const r2 = await call(port);
    expect([r2.status, r2.body.toString()]).toEqual([200, 'good']);
    // a connection that carried more than its framing said is never trusted with another request
    expect(up.connections()).toBe(2);
  });

  it.each(['PUT', 'DELETE', 'PATCH'])(
    '%s with a body, a percent-encoded path and query: method, path, body and end-to-end headers reach the upstream unchanged; hop-by-hop and Connection-named ones do not',
    async (method) => {
      const seen: { method: string | undefined; url: string | undefined; headers: http.IncomingHttpHeaders; body: string }[] = [];
      const up = await httpUpstream((req, res) => {
        let body = '';
        req.on('data', (c: Buffer) => (body += c.toString()));
        req.on('end', () => (seen.push({ method: req.method, url: req.url, headers: req.headers, body }), res.end('done')));
      });
      const port = await front(makeUpstream(up.port));
      const body = JSON.stringify({ op: method, text: 'é ✓' });
      const r = await call(port, {
        method,
        path: '/a%20b?x=1&y=%2F',
        body,
        headers: {
          'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'x-keep': 'kept', authorization: 'Bearer t',
          connection: 'keep-alive, x-secret', 'x-secret': 'hidden', 'keep-alive': 'timeout=5', te: 'trailers', 'proxy-authorization': 'Basic eDp5', 'proxy-connection': 'keep-alive',
        },
      });
      expect(r.body.toString()).toBe('done');
      expect(seen).toHaveLength(1);
      const s = seen[0]!;
      expect([s.method, s.url, s.body]).toEqual([method, '/a%20b?x=1&y=%2F', body]);
      expect(s.headers).toMatchObject({ 'content-type': 'application/json', 'x-keep': 'kept', authorization: 'Bearer t', 'x-forwarded-for': '127.0.0.1' });
      for (const h of ['x-secret', 'keep-alive', 'te', 'proxy-authorization', 'proxy-connection']) expect(s.headers[h], h).toBeUndefined();
    },
  );

  it("x-forwarded-for: the client's address is appended to one the client sent", async () => {
    let xff: string | string[] | undefined;
    const up = await httpUpstream((req, res) => ((xff = req.headers['x-forwarded-for']), res.end()));
    const port = await front(makeUpstream(up.port));
    await call(port, { headers: { 'x-forwarded-for': '203.0.113.7' } });
    expect(xff).toBe('203.0.113.7, 127.0.0.1');
  });

  it.each([
    ['chunked', false],
    ['content-length', true],
  ])('onBody: the counts sum to the decoded body length (%s response)', async (_, withLength) => {
    const parts = ['a'.repeat(1000), 'b'.repeat(3), 'c'.repeat(70_000)];
    const total = parts.join('').length;
    const up = await httpUpstream((req, res) => {
      res.writeHead(200, withLength ? { 'content-length': total } : {});
      res.write(parts[0]);
      setImmediate(() => (res.write(parts[1]), res.end(parts[2])));
    });
    const counts: number[] = [];
    const port = await front(makeUpstream(up.port), (b) => counts.push(b));
    const r = await call(port);
    expect(r.body.length).toBe(total);
    expect(counts.length).toBeGreaterThan(0);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(total);
  });
});

// The relay speaks HTTP/1.1 to the engine itself (engine-pool.ts, response-head.ts, body-reader.ts): what its own
// request writing and response reading must keep. A relay that hangs fails these by the test's timeout.
describe('the relay to the engine', () => {
  /** An engine that answers each request with the length and hash of the body it read. */
  const hashingUpstream = (): ReturnType<typeof httpUpstream> =>
    httpUpstream((req, res) => {
      const h = createHash('sha256');
      let n = 0;
      req.on('data', (c: Buffer) => (h.update(c), (n += c.length)));
      req.on('end', () => res.end(JSON.stringify({ n, sha: h.digest('hex') })));
    });

  it.each([20 * 1024, 64 * 1024])('a %i-byte POST body (a long prompt: above the socket\'s high-water mark, sent with the head in one write) reaches the engine whole and is answered', async (size) => {
    const body = randomBytes(size);
    const up = await hashingUpstream();
    const port = await front(makeUpstream(up.port));
    const r = await call(port, { method: 'POST', headers: { 'content-length': body.length }, body });
    expect([r.status, JSON.parse(r.body.toString())]).toEqual([200, { n: size, sha: sha256(body) }]);
  }, 15_000);

  it('the relay lets go of the request head once it is forwarded (a stream does not keep it for its seconds), and what the answer needs is kept apart', async () => {
    let release!: () => void;
    const up = await httpUpstream((req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('data: first\n\n');
      release = () => res.end('data: [DONE]\n\n');
    });
    const seen: { head: string; method: string; path: string; httpMinor: number }[] = [];
    const upstream = makeUpstream(up.port);
    let streaming!: () => void;
    const firstEvent = new Promise<void>((r) => (streaming = r));
    const clients = createClientServer((req, res) => {
      proxyRequest(req, res, upstream, null);
      // once the stream is under way: the head is gone, the request's own fields are not
      setTimeout(() => {
        let head = 'kept';
        try {
          void req.head;
        } catch (err) {
          head = (err as Error).message;
        }
        seen.push({ head, method: req.method, path: req.path, httpMinor: req.httpMinor });
        streaming();
      }, 50);
    });
    const server = net.createServer((sock) => clients.accept(sock));
    const port = await listenOn(server);
    closers.push(() => (clients.closeAll(), server.close()));
    const answer = call(port, { path: '/v1/chat/completions?x=1' });
    await firstEvent;
    release();
    const r = await answer;
    expect(r.body.toString()).toBe('data: first\n\ndata: [DONE]\n\n');
    expect(seen).toEqual([{ head: 'the request head was let go once it was forwarded (releaseHead)', method: 'GET', path: '/v1/chat/completions', httpMinor: 1 }]);
  });

  it('an 8 MiB chunked upload (pieces larger than the socket\'s high-water mark): the engine reads the exact bytes, framed right', async () => {
    const body = randomBytes(8 * MiB);
    const up = await hashingUpstream();
    const port = await front(makeUpstream(up.port));
    const r = await call(port, { method: 'POST', headers: { 'transfer-encoding': 'chunked' }, body });
    expect([r.status, JSON.parse(r.body.toString())]).toEqual([200, { n: 8 * MiB, sha: sha256(body) }]);
  }, 15_000);

  it('a 1 MiB upload the relay gives up on (the engine is not listening): the client gets its 502, and its kept-alive connection then serves the next request', async () => {
    const port = await front(makeUpstream(await freePort()));
    const c = await rawClient(port);
    const body = Buffer.alloc(MiB, 0x61);
    c.write(`POST /upload HTTP/1.1\r\nhost: a\r\ncontent-length: ${body.length}\r\n\r\n`);
    c.write(body);
    c.write('GET /next HTTP/1.1\r\nhost: a\r\n\r\n');
    const { responses, rest } = await c.responses(['POST', 'GET']);
    expect(responses.map((r) => [r.status, JSON.parse(r.body.toString()).error.type])).toEqual([[502, 'bad_gateway'], [502, 'bad_gateway']]);
    expect(rest.length).toBe(0);
  }, 15_000);

  describe('an engine answer transfer-coded with gzip: the client is told the coding (its bytes pass as they are, the front does not decode)', () => {
    const text = 'data: one token\n\n'.repeat(200);
    const gzipped = gzipSync(text);
    const chunks = (b: Buffer): string => `${b.subarray(0, 100).length.toString(16)}\r\n${b.subarray(0, 100).toString('latin1')}\r\n${b.subarray(100).length.toString(16)}\r\n${b.subarray(100).toString('latin1')}\r\n0\r\n\r\n`;

    it.each([
      ['gzip, chunked: framed by its chunks', 'transfer-encoding: gzip, chunked', chunks(gzipped), true],
      ['gzip alone: delimited by the close', 'transfer-encoding: gzip\r\nconnection: close', gzipped.toString('latin1'), false],
    ])('%s', async (_what, te, body, kept) => {
      const up = await rawUpstream((s, head) => {
        if (pathOf(head) === '/next') return void s.write('HTTP/1.1 200 OK\r\ncontent-length: 4\r\n\r\nnext');
        s.write(`HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\n${te}\r\n\r\n${body}`, 'latin1');
        if (!kept) s.end();
      });
      const port = await front(makeUpstream(up.port));
      const c = await rawClient(port);
      c.write('GET /coded HTTP/1.1\r\nhost: a\r\n\r\n');
      const [r] = (await c.responses(['GET'])).responses;
      expect(r?.headers['transfer-encoding']).toBe('gzip, chunked');
      expect(gunzipSync(r?.body ?? Buffer.alloc(0)).toString()).toBe(text);
      // the client's connection goes on either way: the front framed the answer for it
      c.write('GET /next HTTP/1.1\r\nhost: a\r\n\r\n');
      const { responses } = await c.responses(['GET', 'GET']);
      expect(responses[1]?.body.toString()).toBe('next');
    });

    it('chunked before gzip (read to the close, RFC 9112 §6.3): a 502, as the client cannot be sent chunked twice', async () => {
      const up = await rawUpstream((s) => s.end(`HTTP/1.1 200 OK\r\ntransfer-encoding: chunked, gzip\r\n\r\n${gzipped.toString('latin1')}`, 'latin1'));
      const port = await front(makeUpstream(up.port));
      const r = await call(port);
      expect([r.status, JSON.parse(r.body.toString()).error.type]).toEqual([502, 'bad_gateway']);
    });

    it('to an HTTP/1.0 client, who cannot be sent a transfer coding (RFC 9112 §6.1): a 502 that says why', async () => {
      const up = await rawUpstream((s) => s.write(`HTTP/1.1 200 OK\r\ntransfer-encoding: gzip, chunked\r\n\r\n${chunks(gzipped)}`, 'latin1'));
      const port = await front(makeUpstream(up.port));
      const c = await rawClient(port);
      c.write('GET /coded HTTP/1.0\r\n\r\n');
      const [r] = (await c.responses(['GET'])).responses;
      expect(r?.status).toBe(502);
      expect(r?.body.toString()).toMatch(/gzip.*HTTP\/1\.0/);
    });
  });

  it("an engine answer with transfer-encoding: chunked and a content-length (a smuggling sign): Transfer-Encoding wins, the client's wire holds the whole body and no content-length, and its next request is answered", async () => {
    const up = await rawUpstream((s, head) => {
      if (pathOf(head) === '/next') return void s.write('HTTP/1.1 200 OK\r\ncontent-length: 4\r\n\r\nnext');
      // framed by its chunks, 11 bytes; the content-length would cut the body after 5 and leave the rest on the
      // client's connection, where it reads as the start of the next response
      s.write('HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\ncontent-length: 5\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n');
    });
    const port = await front(makeUpstream(up.port));
    const c = await rawClient(port);
    c.write('GET /smuggle HTTP/1.1\r\nhost: a\r\n\r\n');
    await c.responses(['GET']);
    c.write('GET /next HTTP/1.1\r\nhost: a\r\n\r\n');
    const { responses, rest } = await c.responses(['GET', 'GET']);
    expect(responses.map((r) => [r.status, r.headers['content-length'], r.body.toString()])).toEqual([[200, undefined, 'hello world'], [200, '4', 'next']]);
    expect(rest.length).toBe(0);
  });

  it.each([
    ['two content-length fields', 'content-length: 5\r\ncontent-length: 5'],
    ['one content-length field listing the length twice', 'content-length: 5, 5'],
  ])("an engine answer with the same length repeated (%s), which the relay accepts: the client gets one content-length field and the body (node:http's client refuses the repeat)", async (_, lengths) => {
    const up = await rawUpstream((s) => s.write(`HTTP/1.1 200 OK\r\n${lengths}\r\nx-after: 1\r\n\r\nhello`));
    const port = await front(makeUpstream(up.port));
    const r = await call(port);
    expect([r.status, r.body.toString(), r.ended]).toEqual([200, 'hello', true]);
    expect(r.rawHeaders.filter((h, i) => i % 2 === 0 && h.toLowerCase() === 'content-length')).toHaveLength(1);
    expect([r.headers['content-length'], r.headers['x-after']]).toEqual(['5', '1']);
  });

  it("a chunked 16 MiB answer to a client that reads in bursts, while 8 other streams read into their connections' read buffers (each given up while a write holds it): each client's bytes are its engine answer's, chunk framing passed as sent", async () => {
    const total = 16 * MiB;
    // a block whose length is no multiple of the pieces, written in pieces of varying size (see the 64 MiB test)
    const block = randomBytes(MiB + 7);
    let bigDone = false;
    const up = await httpUpstream((req, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      // the others: one byte value each, a piece every millisecond until the big answer is out
      const other = /^\/other(\d)$/.exec(req.url ?? '');
      if (other) {
        const tick = (): void => void (bigDone ? res.end() : (res.write(Buffer.alloc(3000, Number(other[1]))), setTimeout(tick, 1)));
        return tick();
      }
      let w = 0;
      const pump = (): void => {
        while (w < total) {
          const off = w % block.length;
          const piece = block.subarray(off, Math.min(off + 10_000 + (w % 5000), block.length, off + total - w));
          w += piece.length;
          if (!res.write(piece)) return void res.once('drain', pump);
        }
        res.end(() => (bigDone = true));
      };
      pump();
    });
    const port = await front(makeUpstream(up.port));
    const others = Array.from({ length: 8 }, (_, k) => call(port, { path: `/other${k}` }));
    const got = await new Promise<{ body: Buffer; te: string | undefined }>((resolve, reject) => {
      http.get({ host: '127.0.0.1', port, path: '/big', agent: false }, (res) => {
        const parts: Buffer[] = [];
        // each burst read, the client stops until a timer: the front's writes to it back up meanwhile
        res.on('data', (c: Buffer) => (parts.push(c), res.pause(), setTimeout(() => res.resume(), 1)));
        res.on('end', () => resolve({ body: Buffer.concat(parts), te: res.headers['transfer-encoding'] }));
        res.on('error', reject);
      }).on('error', reject);
    });
    const expected = Buffer.alloc(total);
    for (let w = 0; w < total; w += block.length) block.copy(expected, w, 0, Math.min(block.length, total - w));
    expect([got.te, got.body.length, got.body.equals(expected)]).toEqual(['chunked', total, true]);
    const bodies = await Promise.all(others);
    expect(bodies.map((o, k) => [o.ended, o.body.length > 0, o.body.every((b) => b === k)])).toEqual(Array.from({ length: 8 }, () => [true, true, true]));
  }, 60_000);
});
