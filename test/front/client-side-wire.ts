// The two ends of the wire for client-side.test.ts, both raw `net` (node:http would hide what the front sends): an
// engine that parses what it gets strictly and records it byte for byte, and a client that writes exact bytes and
// reads the responses the way a client must frame them.
import net, { type AddressInfo } from 'node:net';

const REQUEST_LINE = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+) ([\x21-\x7e\x80-\xff]+) HTTP\/1\.1$/;
// field-value: VCHAR, obs-text, SP and HTAB inside; OWS around is not part of it
const FIELD = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+):[ \t]*([\t\x20-\x7e\x80-\xff]*?)[ \t]*$/;

/** One request as the engine read it. */
export interface EngineRequest {
  method: string;
  target: string;
  /** In order, names as sent. */
  fields: [string, string][];
  /** The body's bytes, chunked framing removed. */
  body: Buffer;
  /** The request's exact bytes on the engine's wire. */
  raw: Buffer;
}

export const fieldValues = (r: EngineRequest, name: string): string[] => r.fields.filter(([n]) => n.toLowerCase() === name).map(([, v]) => v);

class Malformed extends Error {}

function parseFields(lines: string[]): [string, string][] {
  return lines.map((line) => {
    const m = FIELD.exec(line);
    if (!m) throw new Malformed(`not a field line: ${JSON.stringify(line)}`);
    return [m[1] as string, m[2] as string];
  });
}

/** The chunked body at buf[at..]: its data and where it ends, null if incomplete; throws on any deviation from RFC 9112 §7.1. */
function readChunked(buf: Buffer, at: number): { body: Buffer; end: number } | null {
  const parts: Buffer[] = [];
  for (let p = at; ;) {
    const lineEnd = buf.indexOf('\r\n', p, 'latin1');
    if (lineEnd === -1) return null;
    const line = buf.subarray(p, lineEnd).toString('latin1');
    const m = /^([0-9a-fA-F]{1,8})(;[\t\x20-\x7e]*)?$/.exec(line);
    if (!m) throw new Malformed(`not a chunk size line: ${JSON.stringify(line)}`);
    const size = parseInt(m[1] as string, 16);
    if (size === 0) {
      const trailersEnd = buf.indexOf('\r\n\r\n', lineEnd, 'latin1');
      if (trailersEnd === -1) return null;
      const trailers = buf.subarray(lineEnd + 2, trailersEnd).toString('latin1');
      if (trailers !== '') parseFields(trailers.split('\r\n'));
      return { body: Buffer.concat(parts), end: trailersEnd + 4 };
    }
    if (buf.length < lineEnd + 2 + size + 2) return null;
    parts.push(buf.subarray(lineEnd + 2, lineEnd + 2 + size));
    if (buf.toString('latin1', lineEnd + 2 + size, lineEnd + 4 + size) !== '\r\n') throw new Malformed('no CRLF after chunk data');
    p = lineEnd + 4 + size;
  }
}

/** The request at the start of `buf` and its length, null if incomplete; throws Malformed on anything not strict HTTP/1.1. */
export function parseRequest(buf: Buffer): { req: EngineRequest; used: number } | null {
  const headEnd = buf.indexOf('\r\n\r\n', 0, 'latin1');
  if (headEnd === -1) {
    if (buf.length > 1024 * 1024) throw new Malformed('a head over 1 MiB');
    return null;
  }
  const head = buf.subarray(0, headEnd).toString('latin1');
  if (/[\r\n\0]/.test(head.replaceAll('\r\n', ''))) throw new Malformed('a bare CR, a bare LF or a NUL in the head');
  const [requestLine = '', ...lines] = head.split('\r\n');
  const rl = REQUEST_LINE.exec(requestLine);
  if (!rl) throw new Malformed(`not a request line: ${JSON.stringify(requestLine)}`);
  const fields = parseFields(lines);
  const values = (name: string): string[] => fields.filter(([n]) => n.toLowerCase() === name).map(([, v]) => v);
  if (values('host').length !== 1) throw new Malformed(`${values('host').length} Host fields`);
  const te = values('transfer-encoding');
  const cl = values('content-length');
  const bodyStart = headEnd + 4;
  let body: Buffer = Buffer.alloc(0);
  let used = bodyStart;
  if (te.length > 0) {
    if (te.length !== 1 || te[0]?.toLowerCase() !== 'chunked' || cl.length > 0) throw new Malformed(`Transfer-Encoding ${JSON.stringify(te)} with Content-Length ${JSON.stringify(cl)}`);
    const chunked = readChunked(buf, bodyStart);
    if (chunked === null) return null;
    ({ body, end: used } = chunked);
  } else if (cl.length > 0) {
    if (cl.length !== 1 || !/^\d{1,15}$/.test(cl[0] as string)) throw new Malformed(`Content-Length ${JSON.stringify(cl)}`);
    const n = Number(cl[0]);
    if (buf.length < bodyStart + n) return null;
    body = buf.subarray(bodyStart, bodyStart + n);
    used = bodyStart + n;
  }
  return { req: { method: rl[1] as string, target: rl[2] as string, fields, body: Buffer.from(body), raw: Buffer.from(buf.subarray(0, used)) }, used };
}

export interface RecordingEngine {
  port: number;
  /** The requests relayed to it, in arrival order; answer n (from 1) says "engine request n". */
  requests: EngineRequest[];
  /** What it could not parse (each one closed its connection). */
  errors: string[];
  /** Every byte it received, per connection, the front's health and version polls included. */
  wire: Buffer[];
  close(): void;
}

/** The front's own polls (health-poll.ts, engine-version.ts): answered, not recorded; no test request uses these paths. */
const isPoll = (r: EngineRequest): boolean => r.method === 'GET' && (r.target === '/health' || r.target === '/version') && r.body.length === 0;

export async function recordingEngine(): Promise<RecordingEngine> {
  const requests: EngineRequest[] = [];
  const errors: string[] = [];
  const wire: Buffer[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    const index = wire.push(Buffer.alloc(0)) - 1;
    let pending = Buffer.alloc(0);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    socket.on('data', (c: Buffer) => {
      wire[index] = Buffer.concat([wire[index] as Buffer, c]);
      pending = Buffer.concat([pending, c]);
      try {
        for (let parsed = parseRequest(pending); parsed !== null; parsed = parseRequest(pending)) {
          pending = pending.subarray(parsed.used);
          const { req } = parsed;
          const body = isPoll(req) ? '{}' : `engine request ${requests.push(req)}`;
          socket.write(`HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
          if (fieldValues(req, 'connection').some((v) => /\bclose\b/i.test(v))) return void socket.end();
        }
      } catch (err) {
        errors.push((err as Error).message);
        socket.destroy();
      }
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  return {
    port: (server.address() as AddressInfo).port, requests, errors, wire,
    close: () => (sockets.forEach((s) => s.destroy()), server.close()),
  };
}

export interface WireResponse {
  status: number;
  reason: string;
  head: string;
  /** Names lowered; a repeated field's values joined by ", ". */
  headers: Record<string, string>;
  body: Buffer;
}

/**
 * The complete responses at the start of `buf` and the bytes after them, read as a client must (RFC 9112 §6.3):
 * 1xx skipped (`interim` counts them), no body for 204/304 or an answer to a HEAD (`methods[i]`: the method of the
 * i-th request, GET when not given), chunked decoded (the last transfer coding), else Content-Length, else up to the close; at most `max`
 * responses. Throws on bytes that are no response.
 */
export function parseResponses(buf: Buffer, closed: boolean, methods: readonly string[] = [], max = Infinity): { responses: WireResponse[]; interim: number; rest: Buffer } {
  const responses: WireResponse[] = [];
  let interim = 0;
  let at = 0;
  while (responses.length < max) {
    const headEnd = buf.indexOf('\r\n\r\n', at, 'latin1');
    if (headEnd === -1) break;
    const head = buf.subarray(at, headEnd).toString('latin1');
    const [statusLine = '', ...lines] = head.split('\r\n');
    const m = /^HTTP\/1\.[01] (\d{3})(?: (.*))?$/.exec(statusLine);
    if (!m) throw new Error(`not a status line: ${JSON.stringify(statusLine)}`);
    const status = Number(m[1]);
    const headers: Record<string, string> = {};
    for (const l of lines) {
      const colon = l.indexOf(':');
      const name = l.slice(0, colon).toLowerCase();
      const value = l.slice(colon + 1).trim();
      headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
    }
    let p = headEnd + 4;
    if (status < 200) {
      interim++;
      at = p;
      continue;
    }
    let body: Buffer;
    if (status === 204 || status === 304 || methods[responses.length] === 'HEAD') body = Buffer.alloc(0);
    else if (/(?:^|,)[ \t]*chunked[ \t]*$/i.test(headers['transfer-encoding'] ?? '')) {
      const parts: Buffer[] = [];
      let end = -1;
      for (;;) {
        const lineEnd = buf.indexOf('\r\n', p, 'latin1');
        if (lineEnd === -1) break;
        const size = parseInt(buf.toString('latin1', p, lineEnd), 16);
        if (size === 0) {
          const t = buf.indexOf('\r\n\r\n', lineEnd, 'latin1');
          end = t === -1 ? -1 : t + 4;
          break;
        }
        if (buf.length < lineEnd + 4 + size) break;
        parts.push(buf.subarray(lineEnd + 2, lineEnd + 2 + size));
        p = lineEnd + 4 + size;
      }
      if (end === -1) break;
      body = Buffer.concat(parts);
      p = end;
    } else if (headers['content-length'] !== undefined) {
      const n = Number(headers['content-length']);
      if (buf.length < p + n) break;
      body = buf.subarray(p, p + n);
      p += n;
    } else {
      if (!closed) break;
      body = buf.subarray(p);
      p = buf.length;
    }
    responses.push({ status, reason: m[2] ?? '', head, headers, body });
    at = p;
  }
  return { responses, interim, rest: buf.subarray(at) };
}

/** What a client saw of one exchange. */
export interface Seen {
  responses: WireResponse[];
  interim: number;
  /** The front closed the connection (or reset it). */
  closed: boolean;
  /** Bytes after the last complete response. */
  rest: Buffer;
}

export interface RawClient {
  socket: net.Socket;
  write(bytes: string | Buffer): Promise<void>;
  /** Each byte in its own write, the next one after the last has left. */
  writeByteByByte(bytes: string | Buffer): Promise<void>;
  /** What the wire holds now. */
  seen(): Seen;
  /** Until `count` final responses or the close, whichever first, then `settleMs` more; at most `limitMs`. */
  until(count: number, limitMs?: number, settleMs?: number): Promise<Seen>;
  /** Until `interim` 1xx answers or any final one or the close; at most `limitMs`. */
  untilInterim(limitMs?: number): Promise<Seen>;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function rawClient(port: number, onClose: (c: () => void) => void): Promise<RawClient> {
  const socket = net.connect(port, '127.0.0.1');
  socket.setNoDelay(true);
  await new Promise<void>((ok, fail) => socket.once('connect', ok).once('error', fail));
  onClose(() => socket.destroy());
  let buf = Buffer.alloc(0);
  let closed = false;
  const waiters = new Set<() => void>();
  const wake = (): void => waiters.forEach((w) => w());
  socket.on('data', (c: Buffer) => ((buf = Buffer.concat([buf, c])), wake()));
  socket.on('end', () => ((closed = true), wake()));
  socket.on('close', () => ((closed = true), wake()));
  socket.on('error', () => {});
  const seen = (): Seen => ({ ...parseResponses(buf, closed), closed });
  // rejects when the wire holds bytes that are no response
  const waitFor = async (done: (s: Seen) => boolean, limitMs: number): Promise<void> => {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => (waiters.delete(check), resolve()), limitMs);
      function check(): void {
        let finished;
        try {
          finished = done(seen());
        } catch (err) {
          finished = true;
          reject(err as Error);
        }
        if (!finished) return;
        clearTimeout(timer);
        waiters.delete(check);
        resolve();
      }
      waiters.add(check);
      check();
    });
  };
  const write = (bytes: string | Buffer): Promise<void> =>
    new Promise((ok) => (socket.writable ? socket.write(typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : bytes, () => ok()) : ok()));
  return {
    socket, write, seen,
    async writeByteByByte(bytes) {
      const b = typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : bytes;
      for (let i = 0; i < b.length && !closed; i++) {
        await write(b.subarray(i, i + 1));
        await new Promise((r) => setImmediate(r));
      }
    },
    async until(count, limitMs = 1500, settleMs = 30) {
      await waitFor((s) => s.closed || s.responses.length >= count, limitMs);
      await sleep(settleMs);
      return seen();
    },
    async untilInterim(limitMs = 1500) {
      await waitFor((s) => s.closed || s.interim > 0 || s.responses.length > 0, limitMs);
      return seen();
    },
  };
}
