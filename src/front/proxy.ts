// The pass-through to the engine (DESIGN §11): every request the front does not answer itself is relayed over a
// kept-alive loopback connection (engine-pool.ts), the body both ways streamed, never buffered: an SSE event
// leaves as soon as the engine wrote it, a slow reader slows the engine's socket and a slow engine the client's
// (backpressure both ways); a client that goes away closes the engine's connection, which the engine sees and
// aborts the generation.
// The client side is the front's own server (client-server.ts); the engine side is read by nimlet itself too
// (response-head.ts, body-reader.ts), so that a chunked stream passes on as the engine framed it, one write per
// event straight from the connection's read buffer (engine-pool.ts), instead of node:http's client parsing it into a
// stream that is piped and re-chunked. At 512 streams that cut the front's CPU per token by about 40 %, its
// user-space part by half (bench/front.mjs; README, Performance).
import type { ClientRequest, ClientResponse } from './client-exchange.js';
import { bodyReader, type BodyReader } from './body-reader.js';
import { createEnginePool, type ConnectionUser, type EngineConnection, type EnginePool } from './engine-pool.js';
import { writeJoined } from './joined-write.js';
import { requestHead, responseFields } from './relay-heads.js';
import { bodyFraming, contentCodings, parseResponseHead, reusable, MalformedAnswerError, type ResponseHead } from './response-head.js';

export interface Upstream {
  host: string;
  port: number;
  /** For the relay and the front's own requests (engine-ask.ts). */
  pool: EnginePool;
  close(): void;
}

export function createUpstream(host: string, port: number, idleMs = 4000): Upstream {
  const pool = createEnginePool(host, port, idleMs);
  return { host, port, pool, close: () => pool.close() };
}

/** The response's body bytes as the engine sent them (data, not framing), for the request log; null: nobody counts. */
export type OnBody = ((bytes: number) => void) | null;

/** Longest response head taken from the engine (node:http's own default limit is 16 KiB). */
const HEAD_LIMIT = 64 * 1024;
/** A request body up to this size goes to the engine in one write with the head. */
const SMALL_BODY = 64 * 1024;

export function proxyRequest(req: ClientRequest, res: ClientResponse, upstream: Upstream, onBody: OnBody, ownCors = false): void {
  new Relay(req, res, upstream, onBody, ownCors).start();
}

/**
 * Transfer codings other than chunked (gzip…) pass to the client as they are, named in its Transfer-Encoding before
 * the front's chunked: only an HTTP/1.1 client may be sent them (RFC 9112 §6.1), and chunked may not be applied twice.
 */
function checkCodings(codings: readonly string[], clientMinor: 0 | 1): void {
  if (codings.includes('chunked')) throw new MalformedAnswerError(`the engine's answer is chunked before another transfer coding (${codings.join(', ')}), which cannot be passed on`);
  if (clientMinor === 0) throw new MalformedAnswerError(`the engine's answer is transfer-coded (${codings.join(', ')}), which an HTTP/1.0 client cannot be sent`);
}

class Relay implements ConnectionUser {
  private conn!: EngineConnection;
  private headBytes: Buffer | null = null; // response head bytes received so far
  private body: BodyReader | null = null; // set once the head is in
  private passFraming = false; // the engine's chunked framing goes on to the client as it is
  private keep = false; // the engine's connection may serve another request afterwards
  private requestSent = false;
  private responseDone = false;
  private wrote = false; // a body write went to the client (the head with it)
  private over = false;

  constructor(
    private readonly req: ClientRequest,
    private readonly res: ClientResponse,
    private readonly upstream: Upstream,
    private readonly onBody: OnBody,
    private readonly ownCors: boolean,
  ) {}

  start(): void {
    // the relay is its connection's user itself: no object and closures per request for the pool to call
    this.conn = this.upstream.pool.take(this);
    // the client went away before the whole answer was sent: cancel the engine's work for it
    this.res.onClose((completed) => completed || this.finish(false));
    this.sendRequest();
  }

  private sendRequest(): void {
    const { head, chunked, hasBody } = requestHead(this.req, this.upstream.host, this.upstream.port);
    this.req.releaseHead();
    const socket = this.conn.socket;
    if (!hasBody) {
      socket.write(head, 'latin1');
      this.requestSent = true;
      return;
    }
    // a small counted body goes with the head in one write (one packet, the engine woken once); a large or chunked
    // one streams, paced by the engine
    const framing = this.req.framing;
    const small: Buffer[] | null = framing.kind === 'length' && framing.length <= SMALL_BODY ? [] : null;
    if (small === null) socket.write(head, 'latin1');
    const data = (c: Buffer): void => {
      if (this.over) return;
      // a small body is held (at most SMALL_BODY) and leaves with the head at its end, never paused
      if (small !== null) return void small.push(c);
      // all three writes of a chunk, whatever each returns: false says "the buffer is full, stop after this", the
      // bytes are queued all the same (an && chain dropped the data or its CRLF, corrupting the chunked body)
      let ok;
      if (chunked) {
        socket.write(`${c.length.toString(16)}\r\n`);
        socket.write(c);
        ok = socket.write('\r\n');
      } else {
        ok = socket.write(c);
      }
      if (!ok) this.req.pause();
    };
    const end = (): void => {
      if (this.over) return;
      if (chunked) socket.write('0\r\n\r\n');
      if (small !== null) writeJoined(socket, head, small);
      this.requestSent = true;
      if (this.responseDone) this.finish(true);
    };
    this.req.onBody(data, end, () => this.finish(false));
  }

  /** Bytes from the engine: the head first (held until complete), then the body as it comes. */
  bytes(buf: Buffer, n: number): boolean {
    if (this.over) return false;
    try {
      if (this.body !== null) return this.bodyBytes(buf, 0, n, false);
      // a head that came whole in one read is parsed where it lies, in the connection's read buffer; a partial one is
      // kept
      const owned = this.headBytes !== null;
      const head = owned ? Buffer.concat([this.headBytes as Buffer, buf.subarray(0, n)]) : buf.subarray(0, n);
      let at = 0;
      for (;;) {
        const parsed = parseResponseHead(head.subarray(at), HEAD_LIMIT);
        if (parsed === null) return (this.headBytes = owned ? head.subarray(at) : Buffer.from(head.subarray(at))), true;
        at += parsed.length;
        // 1xx interim answers (100 Continue, 103 Early Hints) are not passed on; 101 was never asked for
        if (parsed.status === 101) throw new MalformedAnswerError('the engine switched protocols (101), which the front never asks for');
        if (parsed.status >= 200) return this.answer(parsed, head, at, owned);
      }
    } catch (err) {
      return this.fail(err as Error);
    }
  }

  private answer(head: ResponseHead, bytes: Buffer, bodyStart: number, owned: boolean): boolean {
    this.headBytes = null;
    const framing = bodyFraming(this.req.method, head);
    this.keep = reusable(head, framing);
    const codings = framing.kind === 'none' ? [] : contentCodings(head);
    if (codings.length > 0) checkCodings(codings, this.req.httpMinor);
    this.res.writeHead(head.status, head.reason === '' ? null : head.reason, responseFields(head, framing, this.ownCors), codings);
    this.body = bodyReader(framing);
    // the front chose chunked coding for the client (an HTTP/1.1 one, no length): the engine's chunks pass as framed
    this.passFraming = framing.kind === 'chunked' && this.res.chunked;
    if (this.passFraming) this.res.passFraming();
    // the head leaves with the first body bytes when they came with it (one write, one wake-up of the client)
    const ok = this.bodyBytes(bytes, bodyStart, bytes.length, owned);
    // a head alone still reaches the client before the loop waits again, not held back for the first event
    if (!this.responseDone && !this.wrote) setImmediate(() => this.wrote || this.res.flush());
    return ok;
  }

  /**
   * buf[start, end) of the body; `owned`: buf is the relay's, else it is the connection's read buffer, joined with
   * the head into one string or written as it is (send).
   */
  private bodyBytes(buf: Buffer, start: number, end: number, owned: boolean): boolean {
    const reader = this.body as BodyReader;
    let ok = true;
    let fed;
    if (this.passFraming) {
      fed = reader.feed(buf, start, end, null);
      if (fed.used > 0) ok = this.send(buf, start, start + fed.used, owned);
    } else {
      fed = reader.feed(buf, start, end, (from, to) => void (ok = this.send(buf, from, to, owned) && ok));
    }
    if (fed.data > 0) this.onBody?.(fed.data);
    if (fed.done) {
      // bytes after the body's end: the engine sent more than it framed, so its connection is not reused
      if (start + fed.used < end) this.keep = false;
      this.responseDone = true;
      this.res.end();
      if (this.requestSent) this.finish(true);
      return true; // a released connection reads on: anything the engine sends while it is idle closes it
    }
    if (!ok) this.res.socket.once('drain', () => !this.over && this.conn.socket.resume());
    return ok;
  }

  /** A piece of the body to the client (the head with the first). */
  private send(buf: Buffer, from: number, to: number, owned: boolean): boolean {
    this.wrote = true;
    if (owned) return this.res.write(buf.subarray(from, to));
    // bytes already queued for the client: these queue behind them, copied (a slow client's queue of small events
    // would otherwise keep a 64 KiB read buffer per event: 16 KiB of them, a hundred buffers)
    if (this.res.holdsBuffers) return this.res.write(buf.subarray(from, to), true);
    const ok = this.res.writeRange(buf, from, to);
    // the client's socket holds the connection's read buffer until the kernel takes the rest: the next read goes
    // elsewhere
    if (this.res.holdsBuffers) this.conn.giveUpReadBuffer();
    return ok;
  }

  /** The engine's socket has room again: the client's body flows on. */
  drained(): void {
    this.req.resume();
  }

  /** The engine's connection ended (`err` null: it closed its side) before this relay finished. */
  ended(err: Error | null): void {
    if (this.over) return;
    if (this.body !== null && err === null && this.body.closeEnds()) {
      this.res.end();
      return this.finish(false);
    }
    this.fail(err ?? new Error('the engine closed the connection before its answer was complete'));
  }

  /** Something went wrong: a 502 if the client has no head yet, else the client's connection is cut (not ended). */
  private fail(err: Error): false {
    if (this.over) return false;
    if (this.responseDone) return this.finish(false), false; // the answer is out whole; only the connection goes
    if (!this.res.headersSent && this.body === null) {
      const body = JSON.stringify({ error: { message: `the engine is not answering: ${err.message}`, type: 'bad_gateway' } });
      this.res.writeHead(502, null, ['content-type', 'application/json', 'content-length', String(Buffer.byteLength(body))]).end(body);
    } else {
      this.res.destroy();
    }
    this.finish(false);
    return false;
  }

  /** Done with the engine's connection: back to the pool when a whole exchange went over it cleanly. */
  private finish(clean: boolean): void {
    if (this.over) return;
    this.over = true;
    // the rest of a request body the engine will not get is the client connection's to read and drop, once the
    // answer is out (client-server.ts), paused or not
    if (clean && this.keep && this.requestSent) this.conn.release();
    else this.conn.discard();
  }
}
