// One request and its answer on a client connection of the front's own server (client-server.ts): the request's head
// and its body as it is read, and the answer, written straight to the client's socket with the framing chosen at
// its head (the caller's Content-Length, chunked for an HTTP/1.1 client, the close for an HTTP/1.0 one).
import { STATUS_CODES } from 'node:http';
import type net from 'node:net';
import { writeJoined } from './joined-write.js';
import { fieldOf, type RequestFraming, type RequestHead } from './request-head.js';

/** What an exchange needs of its connection. */
export interface ExchangeHost {
  readonly socket: net.Socket;
  /** The server is shutting down: this answer is the connection's last. */
  readonly closing: boolean;
  /** The answer is written whole. */
  answered(): void;
}

/** Body bytes held for a handler that has not asked for them yet; beyond, the socket is not read until it does. */
const HELD_LIMIT = 64 * 1024;

/** A client's request: its parsed head, and its body as it is read (`onBody`). */
export class ClientRequest {
  readonly method: string;
  readonly target: string;
  /** The target's path, without the query. */
  readonly path: string;
  readonly httpMinor: 0 | 1;
  readonly framing: RequestFraming;
  readonly keepAlive: boolean;
  private fields: RequestHead | null; // null once forwarded (releaseHead)
  private listener: { data: (chunk: Buffer) => void; end: () => void; error: (err: Error) => void } | null = null;
  private held: Buffer[] = []; // body bytes read before a listener came
  private heldBytes = 0;
  private state: 'reading' | 'ended' | 'failed' | 'discarding' = 'reading';

  constructor(head: RequestHead, readonly socket: net.Socket) {
    this.fields = head;
    this.method = head.method;
    this.target = head.target;
    const q = head.target.indexOf('?');
    this.path = q < 0 ? head.target : head.target.slice(0, q);
    this.httpMinor = head.httpMinor;
    this.framing = head.framing;
    this.keepAlive = head.keepAlive;
  }

  /** The parsed head, until the relay has forwarded it. */
  get head(): RequestHead {
    if (this.fields === null) throw new Error('the request head was let go once it was forwarded (releaseHead)');
    return this.fields;
  }

  /**
   * The head's fields are not needed any more (forwarded to the engine): let go of them, so that a stream that lasts
   * seconds does not keep them (and V8 does not promote them to the old generation, to be marked and compacted).
   */
  releaseHead(): void {
    this.fields = null;
  }

  /** The first value of header `name` (lower case). */
  header(name: string): string | undefined {
    return fieldOf(this.head, name);
  }

  /** Streams the body's data to `data`, then `end` (at once for a request without one); `error` if it is cut. */
  onBody(data: (chunk: Buffer) => void, end: () => void, error: (err: Error) => void): void {
    this.listener = { data, end, error };
    for (const c of this.held.splice(0)) data(c);
    if (this.heldBytes > HELD_LIMIT) this.socket.resume();
    this.heldBytes = 0;
    if (this.state === 'ended') end();
    else if (this.state === 'failed') error(new Error('the client closed the connection'));
  }

  /** Stops reading the client's socket (the engine's side is full); `resume` goes on. */
  pause(): void {
    if (this.state === 'reading') this.socket.pause();
  }

  resume(): void {
    this.socket.resume();
  }

  data(chunk: Buffer): void {
    if (this.state === 'discarding') return;
    if (this.listener !== null) return this.listener.data(chunk);
    // a handler that reads the body later (after an answer of its own it awaits) holds back the client meanwhile
    this.held.push(chunk);
    this.heldBytes += chunk.length;
    if (this.heldBytes > HELD_LIMIT) this.socket.pause();
  }

  ended(): void {
    if (this.state !== 'reading' && this.state !== 'discarding') return;
    const was = this.state;
    this.state = 'ended';
    // let go of the listener (and what its closures hold, a body kept for one write) while the answer streams on
    const listener = this.listener;
    this.listener = null;
    if (was === 'reading') listener?.end();
  }

  failed(err: Error): void {
    if (this.state !== 'reading') return;
    this.state = 'failed';
    this.listener?.error(err);
  }

  /** The answer is out: the rest of the body is read and dropped. */
  discard(): void {
    if (this.state === 'reading') this.state = 'discarding';
    this.held = [];
    this.heldBytes = 0;
  }
}

let dateSecond = 0;
let dateValue = '';
/** The Date field, formatted once a second. */
function httpDate(): string {
  const now = Date.now();
  if (now - dateSecond >= 1000 || now < dateSecond) {
    dateSecond = now - (now % 1000);
    dateValue = new Date(dateSecond).toUTCString();
  }
  return dateValue;
}

/**
 * The answer to one request, written straight to the client's socket. The body's framing is chosen at `writeHead`:
 * the caller's Content-Length, else chunked for an HTTP/1.1 client (framed here, or passed on already framed:
 * `passFraming`), else the connection's close for an HTTP/1.0 one.
 */
export class ClientResponse {
  statusCode = 200;
  headersSent = false;
  /** The whole answer was handed to the socket. */
  finished = false;
  keepAlive: boolean;
  private head: string | null = null; // written with the first body bytes
  private chunking = false;
  private noBody = false;
  private ended = false;
  private closeListeners: ((completed: boolean) => void)[] = [];
  private extra: string[] = []; // fields set before writeHead (CORS)

  constructor(private readonly conn: ExchangeHost, private readonly req: ClientRequest) {
    this.keepAlive = req.keepAlive;
  }

  get socket(): net.Socket {
    return this.conn.socket;
  }

  /** The connection closes after this answer (a refusal while shutting down). */
  closeAfter(): void {
    this.keepAlive = false;
  }

  /** A field every head of this answer carries, set before `writeHead` (the front's CORS fields). */
  setField(name: string, value: string): void {
    this.extra.push(name, value);
  }

  /**
   * `fields`: [name, value, …], valid HTTP (the caller's or the engine's, already checked). `codings`: transfer
   * codings the body already has (the engine's gzip…), named before the chunked framing; HTTP/1.1 clients only.
   */
  writeHead(status: number, reason: string | null, given: readonly string[], codings: readonly string[] = []): this {
    if (this.ended) return this;
    this.statusCode = status;
    this.headersSent = true;
    const fields = this.extra.length === 0 ? given : [...given, ...this.extra];
    let head = `HTTP/1.1 ${status} ${reason ?? STATUS_CODES[status] ?? ''}\r\n`;
    let length = false;
    let date = false;
    for (let i = 0; i < fields.length; i += 2) {
      const name = fields[i] as string;
      if (name.length === 14 && name.toLowerCase() === 'content-length') length = true;
      else if (name.length === 4 && name.toLowerCase() === 'date') date = true;
      head += `${name}: ${fields[i + 1] as string}\r\n`;
    }
    if (!date) head += `date: ${httpDate()}\r\n`;
    this.noBody = this.req.method === 'HEAD' || status === 204 || status === 304 || status < 200;
    if (!this.noBody && !length) {
      if (this.req.httpMinor === 1) {
        head += codings.length === 0 ? 'transfer-encoding: chunked\r\n' : `transfer-encoding: ${codings.join(', ')}, chunked\r\n`;
        this.chunking = true;
      } else {
        this.keepAlive = false; // an HTTP/1.0 client reads to the close
      }
    }
    if (this.conn.closing) this.keepAlive = false;
    if (!this.keepAlive) head += 'connection: close\r\n';
    else if (this.req.httpMinor === 0) head += 'connection: keep-alive\r\n';
    this.head = `${head}\r\n`;
    return this;
  }

  /** The body will be chunked by the engine's own framing, written as it is, its last chunk included. */
  get chunked(): boolean {
    return this.chunking;
  }

  passFraming(): void {
    this.chunking = false;
  }

  /** `transient`: `chunk` is only valid during the call (a read buffer read into again); copied, once, if kept. */
  write(chunk: Buffer | string, transient = false): boolean {
    if (this.ended || this.conn.socket.destroyed) return false;
    const socket = this.conn.socket;
    const data = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    if (this.noBody || data.length === 0) return this.flush();
    const head = this.head ?? '';
    this.head = null;
    // the head, when it has not gone yet, leaves with the first data (one write, one wake-up of the client)
    if (!this.chunking) return head === '' ? socket.write(transient ? Buffer.from(data) : data) : writeJoined(socket, head, [data], '', transient);
    return writeJoined(socket, `${head}${data.length.toString(16)}\r\n`, [data], '\r\n', transient);
  }

  /**
   * buf[start, end) of a buffer its owner will read into again (an engine connection's read buffer): joined into one
   * string with the head while that is unsent (joined-write.ts), copied when framed here, else written as it is. The
   * socket keeps it then while the write is pending: the owner must give the buffer up when `holdsBuffers` says so.
   */
  writeRange(buf: Buffer, start: number, end: number): boolean {
    if (this.head !== null || this.chunking) return this.write(buf.subarray(start, end), true);
    if (this.ended || this.conn.socket.destroyed) return false;
    if (this.noBody || end === start) return true;
    return this.conn.socket.write(buf.subarray(start, end));
  }

  /** Bytes written are still queued (the kernel did not take them whole): a buffer given to writeRange is held. */
  get holdsBuffers(): boolean {
    return this.conn.socket.writableLength > 0;
  }

  /** Sends the head now, without waiting for the first body bytes. */
  flush(): boolean {
    if (this.head === null || this.ended) return true;
    const head = this.head;
    this.head = null;
    return this.conn.socket.write(head, 'latin1');
  }

  end(chunk?: Buffer | string): void {
    if (this.ended) return;
    if (this.conn.socket.destroyed) return this.abandon();
    if (!this.headersSent) this.writeHead(this.statusCode, null, ['content-length', '0']);
    if (chunk !== undefined) this.write(chunk);
    this.flush();
    if (this.chunking && !this.noBody) this.conn.socket.write('0\r\n\r\n', 'latin1');
    this.ended = true;
    this.finished = true;
    this.conn.answered();
    this.closed(true);
  }

  /** Cuts the client's connection: the answer is left unfinished, as the client will see. */
  destroy(): void {
    this.conn.socket.destroy();
  }

  /** `fn(completed)` once: when the answer is out whole (true) or the client's connection ended first (false). */
  onClose(fn: (completed: boolean) => void): void {
    this.closeListeners.push(fn);
  }

  /** The connection went (or was refused) before the answer was whole: nothing more is written. */
  abandon(): void {
    if (this.finished) return;
    this.ended = true;
    this.closed(false);
  }

  private closed(completed: boolean): void {
    const listeners = this.closeListeners;
    this.closeListeners = [];
    for (const l of listeners) l(completed);
  }
}
