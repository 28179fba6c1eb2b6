// The front's own HTTP/1.1 server (client-server.ts) under a small handler, on the wire: what node:http's server
// did for the front and this one must do too (timeouts, a body nobody read, 100 Continue, HTTP/1.0 clients, one
// request at a time, a close that waits for the answer under way). Request smuggling shapes are in
// request-head.test.ts (the parse) and client-side.test.ts (the whole front, with an engine behind it).
import net, { type AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createClientServer, type ClientHandler, type ClientServer, type ClientTimeouts, CLIENT_TIMEOUTS } from '../../src/front/client-server.js';

const closers: (() => void)[] = [];
afterEach(() => closers.splice(0).reverse().forEach((c) => c()));
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function serve(handler: ClientHandler, timeouts: ClientTimeouts = CLIENT_TIMEOUTS): Promise<{ port: number; clients: ClientServer }> {
  const clients = createClientServer(handler, timeouts);
  const server = net.createServer((s) => clients.accept(s));
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  closers.push(() => (clients.closeAll(), server.close()));
  return { port: (server.address() as AddressInfo).port, clients };
}

/** A raw client: what it wrote goes as given; `until` waits for the wire to hold a pattern (or the close). */
async function client(port: number): Promise<{ socket: net.Socket; wire: () => string; closed: () => boolean; until: (p: RegExp | 'close', ms?: number) => Promise<string> }> {
  const socket = net.connect(port, '127.0.0.1');
  await new Promise<void>((ok, fail) => socket.once('connect', ok).once('error', fail));
  closers.push(() => socket.destroy());
  let wire = '';
  let closed = false;
  socket.on('data', (d: Buffer) => (wire += d.toString('latin1')));
  socket.on('close', () => (closed = true));
  socket.on('error', () => {});
  const until = async (p: RegExp | 'close', ms = 3000): Promise<string> => {
    const end = Date.now() + ms;
    while (p === 'close' ? !closed : !p.test(wire)) {
      if (Date.now() > end || (closed && p !== 'close')) throw new Error(`no ${String(p)} in ${JSON.stringify(wire.slice(0, 300))}`);
      await sleep(5);
    }
    return wire;
  };
  return { socket, wire: () => wire, closed: () => closed, until };
}

const ok: ClientHandler = (req, res) => void res.writeHead(200, null, ['content-length', String(req.target.length)]).end(req.target);

describe('the front\'s client-side server', () => {
  it('an idle kept-alive connection is closed after keepAliveMs; one that keeps asking is not', async () => {
    const { port } = await serve(ok, { ...CLIENT_TIMEOUTS, keepAliveMs: 300 });
    const idle = await client(port);
    const busy = await client(port);
    idle.socket.write('GET /a HTTP/1.1\r\nHost: x\r\n\r\n');
    for (let i = 0; i < 8; i++) {
      busy.socket.write(`GET /${i} HTTP/1.1\r\nHost: x\r\n\r\n`);
      await busy.until(new RegExp(`\r\n\r\n/${i}$`));
      await sleep(100);
    }
    expect(idle.closed()).toBe(true);
    expect(busy.closed()).toBe(false);
  });

  it('a head that does not arrive whole within headersMs, or a body within requestMs: 408 and the close', async () => {
    const { port } = await serve((req, res) => req.onBody(() => {}, () => ok(req, res), () => {}), { headersMs: 200, requestMs: 400, keepAliveMs: 10_000 });
    const slowHead = await client(port);
    slowHead.socket.write('GET / HTTP/1.1\r\nHo');
    expect(await slowHead.until('close')).toMatch(/^HTTP\/1\.1 408 /);
    const slowBody = await client(port);
    slowBody.socket.write('POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc');
    expect(await slowBody.until('close')).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n[^]*connection: close/);
  });

  it('a body the handler never reads (1 MiB) is read and dropped: the next request on the connection is answered', async () => {
    const { port } = await serve(ok);
    const c = await client(port);
    c.socket.write(`POST /first HTTP/1.1\r\nHost: x\r\nContent-Length: ${1024 * 1024}\r\n\r\n`);
    c.socket.write(Buffer.alloc(1024 * 1024, 'G'));
    c.socket.write('GET /second HTTP/1.1\r\nHost: x\r\n\r\n');
    expect(await c.until(/\/second$/)).toMatch(/\/first\r?\n?HTTP\/1\.1 200 OK[^]*\/second$/);
  });

  it('a body read late (after the handler awaited something): all of it, in order, the client held back meanwhile', async () => {
    let received = 0;
    const { port } = await serve((req, res) => {
      setTimeout(() => req.onBody((c) => (received += c.length), () => void res.writeHead(200, null, ['content-length', '2']).end('ok'), () => {}), 200);
    });
    const c = await client(port);
    c.socket.write(`POST / HTTP/1.1\r\nHost: x\r\nContent-Length: ${4 * 1024 * 1024}\r\n\r\n`);
    c.socket.write(Buffer.alloc(4 * 1024 * 1024, 1));
    await c.until(/\r\n\r\nok$/);
    expect(received).toBe(4 * 1024 * 1024);
  });

  it('heads that come in pieces, a body read late while the next request arrives in pieces too: each body exact, answers in order', async () => {
    const bodies: string[] = [];
    const { port } = await serve((req, res) => {
      const parts: Buffer[] = [];
      setTimeout(() => req.onBody((c) => parts.push(c), () => {
        bodies.push(Buffer.concat(parts).toString());
        res.writeHead(200, null, ['content-length', '1']).end(String(bodies.length));
      }, () => {}), 60);
    });
    const c = await client(port);
    const pieces = ['POST /1 HTTP/1.1\r\nHo', 'st: x\r\nContent-Le', 'ngth: 5\r\n\r', '\nfirstPOST /2 HTTP/1.1\r', '\nHost: x\r\nContent-Length: 6\r\n', '\r\nsecond'];
    for (const p of pieces) {
      c.socket.write(p);
      await sleep(15);
    }
    await c.until(/\r\n\r\n1HTTP\/1\.1 200 OK\r\n[^]*\r\n\r\n2$/);
    expect(bodies).toEqual(['first', 'second']);
  });

  it('Expect: 100-continue: the 100 comes before the body is sent, then the answer', async () => {
    const { port } = await serve((req, res) => req.onBody(() => {}, () => void res.writeHead(201, null, ['content-length', '0']).end(), () => {}));
    const c = await client(port);
    c.socket.write('POST / HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n');
    await c.until(/^HTTP\/1\.1 100 Continue\r\n\r\n$/);
    c.socket.write('abc');
    await c.until(/HTTP\/1\.1 201 Created/);
  });

  it('an HTTP/1.0 client: an answer without a length is read to the close; one with a length keeps a keep-alive connection', async () => {
    const { port } = await serve((req, res) => {
      if (req.target === '/stream') return void res.writeHead(200, null, ['content-type', 'text/plain']).end('streamed');
      ok(req, res);
    });
    const a = await client(port);
    a.socket.write('GET /stream HTTP/1.0\r\n\r\n');
    const wire = await a.until('close');
    expect(wire).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(wire).toMatch(/\r\nconnection: close\r\n/);
    expect(wire).not.toMatch(/transfer-encoding/i);
    expect(wire.endsWith('\r\n\r\nstreamed')).toBe(true);
    const b = await client(port);
    b.socket.write('GET /x HTTP/1.0\r\nConnection: keep-alive\r\n\r\n');
    await b.until(/connection: keep-alive\r\n[^]*\/x$/);
    b.socket.write('GET /y HTTP/1.0\r\nConnection: keep-alive\r\n\r\n');
    await b.until(/\/y$/);
  });

  it('an HTTP/1.1 answer without a length is chunked by the server; HEAD and 204 get none', async () => {
    const { port } = await serve((req, res) => {
      if (req.target === '/204') return void res.writeHead(204, null, []).end();
      res.writeHead(200, null, ['content-type', 'text/plain']);
      res.write('ab');
      res.end('cde');
    });
    const c = await client(port);
    c.socket.write('GET / HTTP/1.1\r\nHost: x\r\n\r\nHEAD / HTTP/1.1\r\nHost: x\r\n\r\nGET /204 HTTP/1.1\r\nHost: x\r\n\r\nGET /last HTTP/1.1\r\nHost: x\r\n\r\n');
    const wire = await c.until(/(\r\n0\r\n\r\n[^]*){2}/);
    const answers = wire.split(/(?=HTTP\/1\.1 )/);
    expect(answers).toHaveLength(4);
    expect(answers[0]).toMatch(/transfer-encoding: chunked\r\n\r\n2\r\nab\r\n3\r\ncde\r\n0\r\n\r\n$/);
    expect(answers[1]).toMatch(/^HTTP\/1\.1 200 OK\r\n[^]*\r\n\r\n$/);
    expect(answers[1]).not.toMatch(/transfer-encoding/);
    expect(answers[2]).toMatch(/^HTTP\/1\.1 204 No Content\r\n[^]*\r\n\r\n$/);
    expect(answers[2]).not.toMatch(/transfer-encoding/);
  });

  it('pipelined requests reach the handler one at a time, each after the answer before it is out', async () => {
    const seen: string[] = [];
    const { port } = await serve((req, res) => {
      seen.push(`start ${req.target}`);
      setTimeout(() => (seen.push(`end ${req.target}`), ok(req, res)), 30);
    });
    const c = await client(port);
    c.socket.write('GET /1 HTTP/1.1\r\nHost: x\r\n\r\nGET /2 HTTP/1.1\r\nHost: x\r\n\r\nGET /3 HTTP/1.1\r\nHost: x\r\n\r\n');
    await c.until(/\/3$/);
    expect(seen).toEqual(['start /1', 'end /1', 'start /2', 'end /2', 'start /3', 'end /3']);
  });

  it('a malformed chunk while the handler reads the body: its error callback, a 400 to the client and the close', async () => {
    const errors: string[] = [];
    const { port } = await serve((req) => req.onBody(() => {}, () => {}, (e) => errors.push(e.message)));
    const c = await client(port);
    c.socket.write('POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\nzz\r\n');
    expect(await c.until('close')).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n[^]*connection: close/);
    expect(errors).toEqual([expect.stringMatching(/chunk size line "zz"/)]);
  });

  it('a malformed chunk in a body read after its answer was sent whole: the client keeps that answer and gets a clean close (FIN), not a reset', async () => {
    const { port } = await serve(ok);
    const c = await client(port);
    let reset = false;
    c.socket.on('error', () => (reset = true));
    c.socket.write('POST /answered HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n');
    await c.until(/\/answered$/);
    c.socket.write(`3\r\nabc\r\nzz\r\n${'x'.repeat(64 * 1024)}`);
    const wire = await c.until('close');
    expect(wire).toMatch(/^HTTP\/1\.1 200 OK\r\n[^]*\r\n\r\n\/answered$/);
    expect(reset).toBe(false);
  });

  it('closeIdle: an idle connection closes at once; one with an answer under way gets it whole, marked connection: close, then closes', async () => {
    let finish: (() => void) | null = null;
    const { port, clients } = await serve((req, res) => {
      res.writeHead(200, null, ['content-type', 'text/plain']);
      res.write('part ');
      finish = () => res.end('end');
    });
    const idle = await client(port);
    const busy = await client(port);
    busy.socket.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    await busy.until(/part /);
    clients.closeIdle();
    await idle.until('close');
    expect(busy.closed()).toBe(false);
    finish!();
    const wire = await busy.until('close');
    expect(wire).toMatch(/end\r\n0\r\n\r\n$/);
  });

  it('a client that half-closes during the answer: the answer is over (onClose false), as with node:http', async () => {
    const outcomes: boolean[] = [];
    const { port } = await serve((req, res) => {
      res.onClose((completed) => outcomes.push(completed));
      res.writeHead(200, null, ['content-type', 'text/plain']).write('first');
    });
    const c = await client(port);
    c.socket.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    await c.until(/first/);
    c.socket.end();
    await c.until('close');
    expect(outcomes).toEqual([false]);
  });

  it('a refused head: one JSON line with the reason, the status, the close; nothing after it reaches the handler', async () => {
    const seen: string[] = [];
    const { port } = await serve((req, res) => (seen.push(req.target), ok(req, res)));
    const c = await client(port);
    c.socket.write('POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n');
    const wire = await c.until('close');
    expect(wire).toMatch(/^HTTP\/1\.1 400 Bad Request\r\ncontent-type: application\/json\r\ncontent-length: \d+\r\nconnection: close\r\n\r\n\{"error":\{"message":"Transfer-Encoding and Content-Length together","type":"bad_request"\}\}$/);
    expect(seen).toEqual([]);
  });

  it('blank lines before a request line count toward the 16 KiB head limit: a flood of CRLF is a 431 and the close, not held', async () => {
    const { port } = await serve(ok);
    const c = await client(port);
    c.socket.write(Buffer.alloc(64 * 1024, '\r\n'));
    expect(await c.until('close', 1500)).toMatch(/^HTTP\/1\.1 431 /);
  });

  it.each([
    ['8 KiB of them, then a head: answered', 8, 100, /^HTTP\/1\.1 200 /],
    ['10 KiB of them, then a 7 KiB head: 431, the dropped lines counted', 10, 7 * 1024, /^HTTP\/1\.1 431 /],
  ])('blank lines arriving in pieces are dropped as they come (not held, nor looked at again) and still count toward the limit: %s', async (_what, kib, headBytes, answer) => {
    const { port } = await serve(ok);
    const c = await client(port);
    for (let i = 0; i < kib; i++) {
      c.socket.write(Buffer.alloc(1024, '\r\n'));
      await sleep(5);
    }
    c.socket.write(`GET / HTTP/1.1\r\nHost: x\r\nX-Pad: ${'p'.repeat(Math.max(0, headBytes - 40))}\r\nConnection: close\r\n\r\n`);
    expect(await c.until('close', 1500)).toMatch(answer);
  });

  it('a client that pipelines requests without reading the answers is not read further while its answers are unsent', async () => {
    let seen = 0;
    const big = Buffer.alloc(1024 * 1024, 'x');
    const { port } = await serve((req, res) => void (seen++, res.writeHead(200, null, ['content-length', String(big.length)]).end(big)));
    const c = await client(port);
    c.socket.pause();
    c.socket.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n'.repeat(100));
    await sleep(300);
    // the kernel's socket buffers take a few answers; node:http stops there too (its socket's needDrain), instead
    // of queueing every answer in the front's memory
    expect(seen).toBeLessThan(40);
    c.socket.resume();
    for (const end = Date.now() + 5000; c.wire().length < 100 * big.length && Date.now() < end;) await sleep(10);
    expect(c.wire().split('HTTP/1.1 200 OK').length - 1).toBe(100);
    expect(seen).toBe(100);
  });

  it('closeIdle: a connection whose head is half received is not cut; its request is answered, marked close, then it closes', async () => {
    const { port, clients } = await serve(ok);
    const c = await client(port);
    c.socket.write('GET /late HTTP/1.1\r\nHo');
    await sleep(50);
    clients.closeIdle();
    await sleep(50);
    c.socket.write('st: x\r\n\r\n');
    expect(await c.until('close')).toMatch(/^HTTP\/1\.1 200 OK\r\n[^]*connection: close\r\n\r\n\/late$/);
  });

  it('onBody on a request without a body: end at once, as its contract says', async () => {
    const { port } = await serve((req, res) => req.onBody(() => {}, () => ok(req, res), () => {}));
    const c = await client(port);
    c.socket.write('GET /no-body HTTP/1.1\r\nHost: x\r\n\r\n');
    await c.until(/\/no-body$/, 1000);
  });

  it('requests trickled a few bytes at a time (heads, bodies and a pipelined one) are read whole and in order', async () => {
    const seen: string[] = [];
    const { port } = await serve((req, res) => {
      let body = '';
      req.onBody((c) => (body += c.toString('latin1')), () => (seen.push(`${req.target} ${body}`), ok(req, res)), () => {});
    });
    const c = await client(port);
    const text = 'POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhelloPOST /b HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\nGET /c HTTP/1.1\r\nHost: x\r\n\r\n';
    for (let i = 0; i < text.length; i += 3) {
      c.socket.write(text.slice(i, i + 3));
      await new Promise((r) => setImmediate(r));
    }
    await c.until(/\/c$/);
    expect(seen).toEqual(['/a hello', '/b abc', '/c ']);
  });
});
