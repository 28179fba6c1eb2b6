// The front's own small requests to the engine (its /health every second, /version once, /metrics per scrape), over
// the relay's keep-alive pool and parsers rather than node:http's client: a health poll through node:http cost the
// front 0.4–0.8 ms of CPU each (bench/front.mjs at one stream: a fifth of the front's CPU), this one a few µs. The
// answer's body is collected whole, up to a limit.
import { bodyReader, type BodyReader } from './body-reader.js';
import type { Upstream } from './proxy.js';
import { bodyFraming, parseResponseHead, reusable, MalformedAnswerError } from './response-head.js';

export interface EngineAnswer {
  status: number;
  body: Buffer;
}

/** `GET path` on the engine; rejects on no answer within `timeoutMs`, a malformed one, or a body over `limit` bytes. */
export function askEngine(upstream: Upstream, path: string, timeoutMs: number, limit = 16 * 1024 * 1024): Promise<EngineAnswer> {
  return new Promise((resolve, reject) => {
    let head: Buffer | null = null; // head bytes while it is incomplete
    let status = 0;
    let keep = false;
    let body: BodyReader | null = null;
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const timer = setTimeout(() => settle(new Error(`no answer in ${timeoutMs} ms`)), timeoutMs);
    const settle = (err: Error | null, clean = false): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (clean && keep) conn.release();
      else conn.discard();
      if (err !== null) reject(err);
      else resolve({ status, body: Buffer.concat(chunks) });
    };
    const feed = (buf: Buffer, start: number, end: number): void => {
      const fed = (body as BodyReader).feed(buf, start, end, (from, to) => {
        size += to - from;
        if (size > limit) throw new MalformedAnswerError(`the engine's ${path} answer is over ${limit} bytes`);
        chunks.push(Buffer.from(buf.subarray(from, to)));
      });
      if (fed.done) settle(null, start + fed.used === end);
    };
    const conn = upstream.pool.take({
      bytes(buf, n) {
        try {
          if (body !== null) {
            feed(buf, 0, n);
            return true;
          }
          head = head === null ? Buffer.from(buf.subarray(0, n)) : Buffer.concat([head, buf.subarray(0, n)]);
          const parsed = parseResponseHead(head, 64 * 1024);
          if (parsed === null) return true;
          if (parsed.status < 200) throw new MalformedAnswerError(`the engine answered ${path} with ${parsed.status}`);
          status = parsed.status;
          const framing = bodyFraming('GET', parsed);
          keep = reusable(parsed, framing);
          body = bodyReader(framing);
          feed(head, parsed.length, head.length);
        } catch (err) {
          settle(err as Error);
        }
        return true;
      },
      ended(err) {
        if (body !== null && err === null && body.closeEnds()) return settle(null);
        settle(err ?? new Error('the engine closed the connection before its answer was complete'));
      },
      drained() {},
    });
    conn.socket.write(`GET ${path} HTTP/1.1\r\nhost: ${upstream.host}:${upstream.port}\r\n\r\n`, 'latin1');
  });
}
