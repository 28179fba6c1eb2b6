// nimlet's HTTP/1.1 client for every request sent direct (one request per connection, no proxy). Node's http client
// reads 64 KiB at a time into a fresh buffer each time; at 1 GB/s that is 16,000 allocations a second, the
// page faults of fresh memory and the GC that follows, which cost more CPU than curl spends on the whole job
// (bench/download.mjs). Here the socket reads straight into 512 KiB buffers taken from a small pool;
// the consumer hands each one back with releaseChunk() (read-buffers.ts) once the bytes are written.
import net from 'node:net';
import { Readable } from 'node:stream';
import tls from 'node:tls';
import { ReadBuffers } from './read-buffers.js';
import { BadResponse, ChunkedDecoder, framingOf, MAX_HEAD_BYTES, parseHead, type Framing, type ResponseHead } from './response-head.js';

export interface RawOptions {
  method: 'GET' | 'HEAD';
  headers: Record<string, string>;
  signal: AbortSignal;
  /** No byte for this long within the body, or no complete response head this long after the start, fails the request. */
  stallTimeoutMs: number;
  /** The read buffer size (default 512 KiB); ranged connections take less, 16 of them add up. */
  readBufferBytes?: number;
}

export interface Sent {
  status: number;
  statusText: string;
  headers: Record<string, string>;
  body: Readable;
}

function requestText(u: URL, o: RawOptions): string {
  const lines = [`${o.method} ${u.pathname}${u.search} HTTP/1.1`, `host: ${u.host}`];
  for (const [k, v] of Object.entries(o.headers)) {
    if (/[\r\n]/.test(k + v)) throw new TypeError(`invalid characters in the ${k} header`);
    lines.push(`${k}: ${v}`);
  }
  lines.push('connection: close', '', '');
  return lines.join('\r\n');
}

const failure = (message: string, code: string) => Object.assign(new Error(message), { code });

export function sendRaw(url: string, o: RawOptions): Promise<Sent> {
  const u = new URL(url);
  // Anything else would be spoken to as plain HTTP on port 80.
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new TypeError(`not an http: or https: URL: ${u.protocol}`);
  const request = requestText(u, o);
  const buffers = new ReadBuffers(o.readBufferBytes);

  return new Promise<Sent>((resolve, reject) => {
    let head: ResponseHead | null = null;
    /** The promise is settled: from here on, failures go to the body's reader. */
    let answered = false;
    let headText = '';
    let framing: Framing = { kind: 'close' };
    let left = 0;
    let chunked: ChunkedDecoder | null = null;
    let finished = false;
    let paused = false;
    const body = new Readable({
      // One chunk per read(): a byte-mode stream would concatenate queued chunks into a new buffer, losing
      // the pooled ones (and copying). Up to 2 reads wait for the consumer before the socket pauses.
      objectMode: true,
      highWaterMark: 2,
      read: () => {
        if (!paused) return;
        paused = false;
        socket.setTimeout(o.stallTimeoutMs);
        socket.resume();
      },
      destroy: (err, cb) => {
        finished = true;
        socket.destroy();
        cb(err);
      },
    });
    // A body that fails before anyone reads it keeps the error for its reader (as Node's client does) instead
    // of throwing it at the process.
    body.on('error', () => undefined);
    const end = () => {
      finished = true;
      o.signal.removeEventListener('abort', onAbort);
      body.push(null);
      socket.destroy();
    };
    const fail = (err: Error) => {
      clearTimeout(headDeadline);
      o.signal.removeEventListener('abort', onAbort);
      if (finished) return;
      finished = true;
      socket.destroy();
      if (answered) body.destroy(err);
      else reject(err);
    };
    /** Hands body bytes on; false asks the socket to pause (backpressure). */
    const deliver = (data: Buffer, fromPool: boolean): boolean => {
      if (data.length === 0) return true;
      if (fromPool) buffers.lend(data);
      return body.push(data);
    };
    const onBody = (data: Buffer): boolean => {
      if (framing.kind === 'chunked') {
        let more = true;
        for (const piece of chunked!.push(data)) more = deliver(piece, false) && more;
        if (chunked!.done) end();
        return more;
      }
      if (framing.kind === 'length') {
        if (data.length > left) data = data.subarray(0, left); // anything after the body is not ours
        left -= data.length;
        const more = deliver(data, true);
        if (left === 0) end();
        return more;
      }
      return deliver(data, true);
    };
    const onHead = (data: Buffer): boolean => {
      const before = headText.length;
      headText += data.toString('latin1');
      const at = headText.indexOf('\r\n\r\n');
      if (at < 0) {
        if (headText.length > MAX_HEAD_BYTES) throw new BadResponse('response headers too large');
        return true;
      }
      const parsed = parseHead(headText.slice(0, at));
      const rest = data.subarray(at + 4 - before);
      if (parsed.status >= 100 && parsed.status < 200) {
        headText = ''; // an interim answer (100 Continue): the real one follows
        return rest.length ? onHead(rest) : true;
      }
      framing = framingOf(o.method, parsed); // a bad Content-Length throws here: not answered yet, so fail() rejects
      if (framing.kind === 'length') left = framing.length;
      if (framing.kind === 'chunked') chunked = new ChunkedDecoder();
      head = parsed;
      answered = true;
      clearTimeout(headDeadline);
      resolve({ status: parsed.status, statusText: parsed.statusText, headers: parsed.headers, body });
      if (framing.kind === 'none' || (framing.kind === 'length' && left === 0)) {
        end();
        return true;
      }
      return onBody(rest);
    };
    const onread = {
      buffer: () => buffers.target(),
      callback: (n: number, buf: Uint8Array): boolean => {
        if (finished) return false;
        try {
          const data = Buffer.from(buf.buffer, buf.byteOffset, n);
          const more = head === null ? onHead(data) : onBody(data);
          if (!more && !finished) {
            paused = true;
            socket.setTimeout(0); // a consumer that is slow to write is no stalled server
          }
          return more || finished;
        } catch (err) {
          fail(err as Error);
          return false;
        }
      },
    };
    // The idle timer restarts on every read, so a server sending one header line now and then would hold the
    // download forever: the whole head has a deadline of its own (the body keeps only the idle one).
    const headDeadline = setTimeout(() => fail(failure(`no complete response head within ${o.stallTimeoutMs} ms`, 'ETIMEDOUT')), o.stallTimeoutMs);
    const host = u.hostname.replace(/^\[|\]$/g, '');
    const port = Number(u.port) || (u.protocol === 'https:' ? 443 : 80);
    // tls.connect takes onread like net.connect does (Node ≥ 14); @types/node only lists it for net.
    const tlsOptions: tls.ConnectionOptions & { onread: net.OnReadOpts } = { host, port, onread, ...(net.isIP(host) ? {} : { servername: host }) };
    const socket: net.Socket = u.protocol === 'https:' ? tls.connect(tlsOptions) : net.connect({ host, port, onread });
    socket.once(u.protocol === 'https:' ? 'secureConnect' : 'connect', () => socket.write(request));
    socket.setTimeout(o.stallTimeoutMs, () => fail(failure(`no data for ${o.stallTimeoutMs} ms`, 'ETIMEDOUT')));
    socket.on('error', (err) => fail(err));
    socket.on('close', () => {
      buffers.retire();
      if (finished) return;
      if (head !== null && framing.kind === 'close') return end();
      fail(failure(head === null ? 'socket hang up' : 'connection closed before the body was complete', 'ECONNRESET'));
    });
    const onAbort = () => fail(Object.assign(new Error('This operation was aborted'), { name: 'AbortError', code: 'ABORT_ERR', cause: o.signal.reason }));
    if (o.signal.aborted) onAbort();
    else o.signal.addEventListener('abort', onAbort, { once: true });
  });
}
