// send() without a proxy, the path for every direct request (small files and HEAD included): the response head has a
// deadline of its own, and a Content-Length repeated by a proxy or CDN is read as one value.
import type net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { releaseChunk } from '../../src/http/read-buffers.js';
import { send, type SendOptions } from '../../src/http/transport.js';
import { dribbleHead, startScriptedServer, type ScriptedServer } from '../fixtures/servers/scripted-server.js';

let srv: ScriptedServer | undefined;
afterEach(async () => {
  await srv?.stop();
  srv = undefined;
});

const opts = (stallTimeoutMs = 5000): SendOptions =>
  ({ method: 'GET', headers: {}, signal: new AbortController().signal, stallTimeoutMs, proxy: null });

async function text(body: AsyncIterable<Buffer>): Promise<string> {
  let out = '';
  for await (const b of body) {
    out += b.toString();
    releaseChunk(b);
  }
  return out;
}

const answers: Record<string, (s: net.Socket) => void> = {
  '/same-twice': (s) => s.end('HTTP/1.1 200 OK\r\ncontent-length: 5\r\ncontent-length: 5\r\nconnection: close\r\n\r\nhello'),
  '/differing': (s) => s.end('HTTP/1.1 200 OK\r\ncontent-length: 2\r\ncontent-length: 5\r\nconnection: close\r\n\r\nhello'),
  '/dribble': dribbleHead,
  '/slow-body': (s) => {
    s.write('HTTP/1.1 200 OK\r\ncontent-length: 15\r\nconnection: close\r\n\r\n');
    // 15 bytes 100 ms apart: never idle for the 1000 ms allowed, but longer than that in all.
    let sent = 0;
    const t = setInterval(() => (++sent < 15 ? s.write('x') : (s.end('x'), clearInterval(t))), 100);
    s.on('close', () => clearInterval(t));
  },
};

async function start(): Promise<string> {
  srv = await startScriptedServer((path, s) => (answers[path] ?? ((x: net.Socket) => x.end('HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\nconnection: close\r\n\r\n')))(s));
  return srv.url;
}

describe('send without a proxy, small bodies', () => {
  it('a Content-Length given twice with one value is read as that value', async () => {
    const url = await start();
    const r = await send(`${url}/same-twice`, opts());
    expect(r.status).toBe(200);
    expect(await text(r.body)).toBe('hello');
  });

  it('Content-Lengths that differ fail naming them', async () => {
    const url = await start();
    await expect(send(`${url}/differing`, opts())).rejects.toMatchObject({
      code: 'HPE_INVALID_RESPONSE', message: 'bad Content-Length: "2, 5"',
    });
  });

  it('a head that dribbles in a line at a time fails with ETIMEDOUT', async () => {
    const url = await start();
    await expect(send(`${url}/dribble`, opts(1000))).rejects.toMatchObject({
      code: 'ETIMEDOUT', message: 'no complete response head within 1000 ms',
    });
  });

  it('a body that keeps moving, however slowly, is not cut off by the head deadline', async () => {
    const url = await start();
    const r = await send(`${url}/slow-body`, opts(1000));
    expect(await text(r.body)).toBe('x'.repeat(15));
  });
});
