// The front's HTTP/1.1 server for its clients, on sockets listen.ts accepts (plain or TLS). nimlet's own rather
// than node:http's: per request node:http builds two streams and their events, about 60 µs of CPU, which at 64
// requests arriving at once was most of the time-to-first-byte the front added (bench/front.mjs); this one parses
// the head (request-head.ts, strict), hands the handler a request and an answer (client-exchange.ts) written straight
// to the socket. One request at a time per connection: a pipelined request waits in the buffer until the answer
// before it is out (RFC 9112 §9.3.2 lets a server answer them in turn). Protections node:http gave, kept: a head
// over 16 KiB is a 431; a head must arrive within 60 s and a request within 300 s (slow clients); an idle
// connection closes after 65 s; a body the handler did not read is read and dropped before the next request.
import { STATUS_CODES } from 'node:http';
import type net from 'node:net';
import { bodyReader, type BodyReader } from './body-reader.js';
import { ClientRequest, ClientResponse, type ExchangeHost } from './client-exchange.js';
import { BadRequestError, leadingBlankLines, parseRequestHead, type RequestHead } from './request-head.js';

export interface ClientTimeouts {
  /** From a head's first byte to its blank line. */
  headersMs: number;
  /** From a head's first byte to its body's end. */
  requestMs: number;
  /** A connection with no request under way. */
  keepAliveMs: number;
}

/** node:http's defaults, the keep-alive longer than a cloud load balancer's 60 s idle timeout. */
export const CLIENT_TIMEOUTS: ClientTimeouts = { headersMs: 60_000, requestMs: 300_000, keepAliveMs: 65_000 };

/** node:http's maxHeaderSize. */
const HEAD_LIMIT = 16 * 1024;
/** Pipelined bytes held while a request is answered; beyond, the socket is not read until the answer is out. */
const PENDING_LIMIT = 64 * 1024;
/** A connection the front is closing (after a refusal, or a last answer) is cut if the client has not closed it by then. */
const LINGER_MS = 5000;

export type ClientHandler = (req: ClientRequest, res: ClientResponse) => void;

export interface ClientServer {
  /** Serves HTTP on an accepted socket (a TLS one once its handshake is done). */
  accept(socket: net.Socket): void;
  /** No new requests: idle connections close now, busy ones (a head partly received included) after their answer. */
  closeIdle(): void;
  /** Every connection cut now. */
  closeAll(): void;
}

export function createClientServer(handler: ClientHandler, timeouts: ClientTimeouts = CLIENT_TIMEOUTS): ClientServer {
  const connections = new Set<Connection>();
  let sweeper: NodeJS.Timeout | null = null;
  const state = { closing: false };
  const sweep = (): void => {
    const now = Date.now();
    for (const c of connections) if (c.deadline !== 0 && c.deadline <= now) c.timedOut();
  };
  return {
    accept(socket) {
      if (state.closing) return void socket.destroy();
      sweeper ??= setInterval(sweep, Math.min(1000, Math.max(10, timeouts.keepAliveMs / 4))).unref();
      const conn = new Connection(socket, handler, timeouts, state, () => connections.delete(conn));
      connections.add(conn);
    },
    closeIdle() {
      state.closing = true;
      for (const c of connections) c.closeIfIdle();
    },
    closeAll() {
      state.closing = true;
      for (const c of connections) c.socket.destroy();
      if (sweeper !== null) clearInterval(sweeper);
      sweeper = null;
    },
  };
}

/** One client connection: heads parsed as bytes come, one exchange (request and answer) at a time. */
class Connection implements ExchangeHost {
  deadline = 0;
  private pending: Buffer | null = null; // bytes not yet parsed: the next head, or pipelined requests
  private store: Buffer | null = null; // where pending grows, when it starts at this buffer's start
  private checked = 0; // bytes of pending the head parser has looked at without finding the head's end
  private dropped = 0; // bytes of blank lines dropped before the head now coming (they count toward its limit)
  private exchange: ClientResponse | null = null;
  private request: ClientRequest | null = null;
  private body: BodyReader | null = null; // the current request's body, while it is read
  private headStarted = 0;
  private over = false; // no more requests are read: the connection is closing
  private unsent = false; // the answers written are not all out: the next request waits for the socket's drain
  private forgotten = false; // closed, out of the server's set

  constructor(
    readonly socket: net.Socket,
    private readonly handler: ClientHandler,
    private readonly timeouts: ClientTimeouts,
    private readonly server: { closing: boolean },
    private readonly forget: () => void,
  ) {
    socket.setNoDelay(true);
    socket.on('data', (d: Buffer) => this.read(d));
    // a client that half-closes is gone, as node:http has it: its answer is dropped and the engine's work cancelled
    socket.on('end', () => this.gone());
    socket.on('error', () => {});
    socket.on('close', () => this.gone());
    this.idle();
  }

  get closing(): boolean {
    return this.server.closing;
  }

  private read(d: Buffer): void {
    if (this.over) return;
    if (this.body !== null) return this.bodyBytes(d, 0);
    this.append(d);
    if (this.exchange === null && !this.unsent) this.next();
    else if ((this.pending as Buffer).length > PENDING_LIMIT) this.socket.pause();
  }

  /**
   * Adds `d` to the unparsed bytes: in place when they already sit at the start of `store` with room after them,
   * else in a new store twice their size. A head trickled a byte at a time is copied its length a few times over,
   * not once per byte (Buffer.concat per read). Only bytes past pending's end are ever written in place, and views
   * handed to a handler (body bytes) start past a parsed head, never at the store's start, so none is overwritten.
   */
  private append(d: Buffer): void {
    const p = this.pending;
    if (p === null || p.length === 0) return void (this.pending = d);
    const need = p.length + d.length;
    const store = this.store;
    if (store !== null && p.buffer === store.buffer && p.byteOffset === store.byteOffset && need <= store.length) {
      d.copy(store, p.length);
      this.pending = store.subarray(0, need);
      return;
    }
    const grown = Buffer.allocUnsafe(Math.max(2 * need, 4096));
    p.copy(grown, 0);
    d.copy(grown, p.length);
    this.store = grown;
    this.pending = grown.subarray(0, need);
  }

  /** The next request from what was read, if its head is whole; else waits for more. */
  private next(): void {
    const bytes = this.pending;
    if (bytes === null || bytes.length === 0) return void ((this.pending = null), this.idle());
    if (this.headStarted === 0) {
      this.headStarted = Date.now();
      this.deadline = this.headStarted + this.timeouts.headersMs;
    }
    // blank lines before a head are dropped as they come, not held: skipped again on every call, a trickle of
    // them cost the square of their length in CPU
    const blank = leadingBlankLines(bytes);
    let head: RequestHead | null;
    try {
      head = parseRequestHead(blank === 0 ? bytes : bytes.subarray(blank), HEAD_LIMIT, Math.max(0, this.checked - blank), this.dropped + blank);
    } catch (err) {
      return this.refuse(err as BadRequestError);
    }
    if (blank > 0) {
      this.dropped += blank;
      this.pending = bytes.length === blank ? null : bytes.subarray(blank);
    }
    if (head === null) return void (this.checked = bytes.length - blank);
    this.checked = 0;
    this.dropped = 0;
    this.pending = head.length === bytes.length - blank ? null : bytes.subarray(blank + head.length);
    this.deadline = this.headStarted + this.timeouts.requestMs;
    const req = new ClientRequest(head, this.socket);
    const res = new ClientResponse(this, req);
    this.request = req;
    this.exchange = res;
    const hasBody = head.framing.kind === 'chunked' || (head.framing.kind === 'length' && head.framing.length > 0);
    if (hasBody) {
      this.body = bodyReader(head.framing, (what) => new BadRequestError(400, `the request's chunked body is malformed: ${what}`));
      if (head.expectContinue) this.socket.write('HTTP/1.1 100 Continue\r\n\r\n');
    } else {
      this.bodyEnded();
      req.ended(); // so that onBody calls its end at once (it never did: a handler awaiting the end waited forever)
    }
    this.handler(req, res);
    if (this.body !== null && this.pending !== null && !this.over) {
      const rest = this.pending;
      this.pending = null;
      this.bodyBytes(rest, 0);
    }
  }

  private bodyBytes(d: Buffer, start: number): void {
    const req = this.request as ClientRequest;
    let fed;
    try {
      fed = (this.body as BodyReader).feed(d, start, d.length, (from, to) => req.data(d.subarray(from, to)));
    } catch (err) {
      req.failed(err as Error);
      return this.refuse(err as BadRequestError);
    }
    if (!fed.done) return;
    const used = start + fed.used;
    if (used < d.length) this.pending = d.subarray(used);
    this.body = null;
    this.bodyEnded();
    req.ended();
  }

  /** The request is read whole: what comes next is the next request's, held until this answer is out. */
  private bodyEnded(): void {
    this.deadline = 0;
    if (this.exchange?.finished === true) this.exchangeDone();
  }

  /** Called by the response once it is written whole. */
  answered(): void {
    if (this.body === null) return this.exchangeDone();
    // the request's unread rest is read and dropped first (the request timeout still runs)
    (this.request as ClientRequest).discard();
    this.socket.resume();
  }

  private exchangeDone(): void {
    const res = this.exchange as ClientResponse;
    this.exchange = null;
    this.request = null;
    this.headStarted = 0;
    if (!res.keepAlive || this.closing) return this.close();
    // a client that pipelines requests and does not read the answers is not read further until they are out, as
    // node:http does (its socket's needDrain): else every answer was queued in the front's memory
    if (!this.socket.writableNeedDrain) return this.goOn();
    this.unsent = true;
    this.socket.once('drain', () => ((this.unsent = false), this.over || this.goOn()));
  }

  /** The next request, once the answer before it is out. */
  private goOn(): void {
    this.socket.resume();
    if (this.pending === null) return this.idle();
    // a pipelined request after the current call stack, not inside the handler's res.end()
    process.nextTick(() => !this.over && this.exchange === null && !this.unsent && this.next());
  }

  private idle(): void {
    if (this.closing) return this.close();
    this.deadline = Date.now() + this.timeouts.keepAliveMs;
  }

  /** A request the front will not serve: its status and a one-line reason, then the connection closes. */
  private refuse(err: Error): void {
    if (!(err instanceof BadRequestError)) throw err;
    // the answer is out whole (the body was being read and dropped): the client keeps it, the connection just ends
    // (destroyed with the client's bytes unread, the kernel would send a reset that can overtake the answer)
    if (this.exchange?.finished === true) return this.close();
    // an answer under way cannot be followed by a refusal: the connection is cut
    if (this.exchange !== null && this.exchange.headersSent) return void this.socket.destroy();
    this.exchange?.abandon();
    const body = JSON.stringify({ error: { message: err.message, type: 'bad_request' } });
    this.socket.end(`HTTP/1.1 ${err.status} ${STATUS_CODES[err.status] ?? ''}\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\nconnection: close\r\n\r\n${body}`);
    this.close();
  }

  /** Ends the connection from this side once what was written is out; a client that does not close is cut later. */
  close(): void {
    if (this.over) return;
    this.over = true;
    this.body = null;
    this.pending = null;
    this.socket.end();
    this.socket.resume(); // what the client still sends is read and dropped, so that its close is seen
    this.deadline = Date.now() + LINGER_MS;
  }

  closeIfIdle(): void {
    // a head partly received is a request under way, as node:http's closeIdleConnections has it: cut, the client
    // got no answer at all; let in whole, it is answered (the front's 503 while shutting down) and the connection closes
    if (this.exchange === null && (this.pending === null || this.unsent)) this.close();
  }

  timedOut(): void {
    // a head or body too slow in coming is a 408 when nothing of an answer was sent (as node:http's requestTimeout);
    // otherwise the connection goes (an idle one, or one whose answer had begun); the exchange is abandoned on close
    if (!this.over && this.headStarted !== 0 && this.exchange?.headersSent !== true) {
      this.exchange?.abandon();
      this.socket.end('HTTP/1.1 408 Request Timeout\r\ncontent-length: 0\r\nconnection: close\r\n\r\n');
    }
    this.socket.destroy();
  }

  private gone(): void {
    if (this.forgotten) return;
    this.forgotten = true;
    this.deadline = 0;
    this.over = true;
    this.socket.destroy();
    this.forget();
    this.request?.failed(new Error('the client closed the connection'));
    this.exchange?.abandon();
  }
}
