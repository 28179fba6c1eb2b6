// The bulk HTTP/1.1 client: head parsing, body framing (length, chunked, until close), pooled read buffers
// handed back with releaseChunk, and failures (a body cut short, a stall, a bad head, a head that never ends)
// surfacing as errors.
import { createHash } from 'node:crypto';
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { sendRaw } from '../../src/http/raw-http.js';
import { releaseChunk } from '../../src/http/read-buffers.js';
import { ChunkedDecoder, framingOf, parseHead } from '../../src/http/response-head.js';
import { dribbleHead } from '../fixtures/servers/scripted-server.js';

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of closers.splice(0)) await c();
});

async function serve(handler: http.RequestListener | ((s: net.Socket) => void), raw = false): Promise<string> {
  const server = raw ? net.createServer(handler as (s: net.Socket) => void) : http.createServer(handler as http.RequestListener);
  const sockets = new Set<net.Socket>();
  server.on('connection', (s: net.Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  closers.push(() => new Promise<void>((r) => {
    for (const s of sockets) s.destroy();
    server.close(() => r());
  }));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const opts = (extra: Partial<Parameters<typeof sendRaw>[1]> = {}) =>
  ({ method: 'GET' as const, headers: { range: 'bytes=0-' }, signal: new AbortController().signal, stallTimeoutMs: 5000, ...extra });

async function readAll(body: AsyncIterable<Buffer>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const b of body) {
    parts.push(Buffer.from(b));
    releaseChunk(b);
  }
  return Buffer.concat(parts);
}

describe('response head', () => {
  it('parses the status line and joins repeated headers', () => {
    expect(parseHead('HTTP/1.1 206 Partial Content\r\nContent-Range: bytes 5-9/10\r\nX-A: 1\r\nx-a: 2')).toEqual({
      status: 206, statusText: 'Partial Content', headers: { 'content-range': 'bytes 5-9/10', 'x-a': '1, 2' },
    });
    expect(() => parseHead('SPDY/3 200 OK')).toThrow('not an HTTP/1.1 status line');
    expect(() => parseHead('HTTP/1.1 200 OK\r\nno colon here')).toThrow('malformed header line');
  });

  it('frames bodies: none for HEAD/204/304, chunked, a length, else until close', () => {
    const head = (status: number, headers: Record<string, string>) => ({ status, statusText: '', headers });
    expect(framingOf('HEAD', head(200, { 'content-length': '5' }))).toEqual({ kind: 'none' });
    expect(framingOf('GET', head(304, {}))).toEqual({ kind: 'none' });
    expect(framingOf('GET', head(200, { 'transfer-encoding': 'chunked', 'content-length': '5' }))).toEqual({ kind: 'chunked' });
    expect(framingOf('GET', head(200, { 'content-length': '5' }))).toEqual({ kind: 'length', length: 5 });
    expect(framingOf('GET', head(200, {}))).toEqual({ kind: 'close' });
    expect(() => framingOf('GET', head(200, { 'content-length': '5, 6' }))).toThrow('bad Content-Length');
  });

  // Proxies and CDNs repeat Content-Length; parseHead joins the copies with ", ".
  it.each([['3700, 3700', 3700], ['0,0', 0], [' 12 ,  12 , 12', 12]])('reads the repeated Content-Length %j as one value', (value, length) => {
    expect(framingOf('GET', { status: 200, statusText: '', headers: { 'content-length': value } })).toEqual({ kind: 'length', length });
  });

  it.each(['10, 3700', '-1', '', '3700,', '0x10', '1e3', '99999999999999999999'])('refuses the Content-Length %j', (value) => {
    expect(() => framingOf('GET', { status: 200, statusText: '', headers: { 'content-length': value } }))
      .toThrow(`bad Content-Length: ${JSON.stringify(value)}`);
  });

  it('decodes chunked data split anywhere, extensions and trailers included', () => {
    const wire = Buffer.from('5;ext=1\r\nhello\r\n7\r\n, world\r\n0\r\nX-Trailer: t\r\n\r\n');
    for (let cut = 1; cut < wire.length; cut++) {
      const d = new ChunkedDecoder();
      const out = [...d.push(wire.subarray(0, cut)), ...d.push(wire.subarray(cut))];
      expect(Buffer.concat(out).toString()).toBe('hello, world');
      expect(d.done).toBe(true);
    }
    expect(() => new ChunkedDecoder().push(Buffer.from('zz\r\n'))).toThrow('bad chunk size');
  });
});

describe('sendRaw', () => {
  it('downloads a large body with Content-Length byte for byte, sending the given headers', async () => {
    const body = Buffer.alloc(9 * 1024 * 1024 + 3);
    for (let i = 0; i < body.length; i++) body[i] = (i * 31) & 0xff;
    let seen: http.IncomingHttpHeaders = {};
    const url = await serve((req, res) => {
      seen = req.headers;
      res.writeHead(200, { 'content-length': body.length }).end(body);
    });
    const r = await sendRaw(`${url}/f?x=1`, opts());
    expect(r.status).toBe(200);
    expect(r.headers['content-length']).toBe(String(body.length));
    const got = await readAll(r.body);
    expect(createHash('sha256').update(got).digest('hex')).toBe(createHash('sha256').update(body).digest('hex'));
    expect(seen.range).toBe('bytes=0-');
    expect(seen.connection).toBe('close');
  });

  it('decodes a chunked body and reads a body framed by the connection closing', async () => {
    const chunked = await serve((_req, res) => {
      res.write('abc');
      res.end('def');
    });
    expect((await readAll((await sendRaw(chunked, opts())).body)).toString()).toBe('abcdef');
    const closing = await serve((s: net.Socket) => {
      s.once('data', () => s.end('HTTP/1.1 200 OK\r\n\r\nuntil-close'));
    }, true);
    expect((await readAll((await sendRaw(closing, opts())).body)).toString()).toBe('until-close');
  });

  it('a body cut short fails with ECONNRESET after delivering what arrived', async () => {
    const url = await serve((s: net.Socket) => {
      s.once('data', () => s.end('HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\nonly-this'));
    }, true);
    const r = await sendRaw(url, opts());
    const parts: string[] = [];
    await expect((async () => {
      for await (const b of r.body) parts.push((b as Buffer).toString());
    })()).rejects.toMatchObject({ code: 'ECONNRESET' });
    expect(parts.join('')).toBe('only-this');
  });

  it('a server that never answers fails with ETIMEDOUT; an abort rejects at once', async () => {
    const url = await serve(() => undefined, true);
    await expect(sendRaw(url, opts({ stallTimeoutMs: 100 }))).rejects.toMatchObject({ code: 'ETIMEDOUT' });
    const ac = new AbortController();
    const pending = sendRaw(url, opts({ signal: ac.signal }));
    ac.abort();
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
  });

  // A bad Content-Length is found after the head is parsed: the request must still reject (it used to hang,
  // and the CLI then died with Node's exit 13 and no message).
  it.each(['content-length: 10\r\ncontent-length: 3700', 'content-length: -1'])('rejects a head with %j', async (lines) => {
    const url = await serve((s: net.Socket) => {
      s.once('data', () => s.end(`HTTP/1.1 200 OK\r\n${lines}\r\n\r\n${'x'.repeat(3700)}`));
    }, true);
    await expect(sendRaw(url, opts())).rejects.toMatchObject({ code: 'HPE_INVALID_RESPONSE', message: expect.stringContaining('bad Content-Length') });
  });

  it('reads a body whose identical Content-Length comes twice', async () => {
    const url = await serve((s: net.Socket) => {
      s.once('data', () => s.end('HTTP/1.1 200 OK\r\ncontent-length: 5\r\ncontent-length: 5\r\n\r\nhello'));
    }, true);
    const r = await sendRaw(url, opts());
    expect((await readAll(r.body)).toString()).toBe('hello');
  });

  it('a head that dribbles in a line at a time fails with ETIMEDOUT: the head has a deadline, not only an idle timer', async () => {
    const url = await serve((s: net.Socket) => s.once('data', () => dribbleHead(s)), true);
    await expect(sendRaw(url, opts({ stallTimeoutMs: 1000 }))).rejects.toMatchObject({
      code: 'ETIMEDOUT', message: 'no complete response head within 1000 ms',
    });
  });

  it('a body that keeps moving, however slowly, is not cut off by the head deadline', async () => {
    const url = await serve((s: net.Socket) => {
      s.once('data', () => {
        s.write('HTTP/1.1 200 OK\r\ncontent-length: 15\r\n\r\n');
        // 15 bytes 100 ms apart: never idle for the 1000 ms allowed, but longer than that in all.
        let sent = 0;
        const t = setInterval(() => (++sent < 15 ? s.write('x') : (s.end('x'), clearInterval(t))), 100);
        s.on('close', () => clearInterval(t));
      });
    }, true);
    const r = await sendRaw(url, opts({ stallTimeoutMs: 1000 }));
    expect((await readAll(r.body)).toString()).toBe('x'.repeat(15));
  });

  it('refuses header values that would split the request', async () => {
    expect(() => sendRaw('http://127.0.0.1:1/', opts({ headers: { authorization: 'Bearer x\r\nevil: 1' } }))).toThrow('invalid characters');
  });

  it('refuses a URL of another scheme instead of speaking HTTP to port 80', () => {
    expect(() => sendRaw('ftp://127.0.0.1:1/x', opts())).toThrow('not an http: or https: URL: ftp:');
  });
});
