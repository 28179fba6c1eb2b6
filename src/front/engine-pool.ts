// Keep-alive connections from the front to the engine on loopback, for the relay (proxy.ts). Up to 512+ streams
// at once: every connection a burst opened is kept for the next one. An idle connection is closed within 4 s, before
// uvicorn (vLLM, SGLang, trtllm-serve) closes it at its 5 s keep-alive default: a request sent on a connection the
// engine is closing would fail with ECONNRESET, a 502 for nothing. A connection in use has no timeout: an SSE
// stream may be quiet for longer than that between events. One sweep over the idle ones rather than a timer per
// connection re-armed per request (node's socket.setTimeout allocates a timer each time).
import net from 'node:net';

/** What a connection's current exchange is told; one exchange at a time per connection. */
export interface ConnectionUser {
  /** buf[0, n) arrived; the bytes are only valid during the call. Return false to stop reading until resume(). */
  bytes(buf: Buffer, n: number): boolean;
  /** The engine's side closed (end of stream) or the connection failed (`err`). */
  ended(err: Error | null): void;
  /** The socket's write buffer drained. */
  drained(): void;
}

export interface EngineConnection {
  socket: net.Socket;
  /** Hands the connection back for the next request (only after a whole request and response went over it). */
  release(): void;
  /** Closes it: whatever was under way on it is over. */
  discard(): void;
}

export interface EnginePool {
  take(user: ConnectionUser): EngineConnection;
  close(): void;
}

// One read buffer for every connection: reads are handled one at a time on the event loop and the relay copies
// what it keeps, so 512 connections do not hold 512 buffers.
const READ_BUFFER_BYTES = 64 * 1024;

export function createEnginePool(host: string, port: number, idleMs = 4000): EnginePool {
  const idle: Conn[] = []; // least recently released first
  const all = new Set<Conn>();
  let sweeper: NodeJS.Timeout | null = null;
  // a connection idle for 3/4 of idleMs at a sweep goes; sweeps every 1/4: so each is closed within idleMs
  const sweep = (): void => {
    const before = Date.now() - (idleMs * 3) / 4;
    while (idle.length > 0 && (idle[0] as Conn).idleSince <= before) (idle[0] as Conn).discard();
    if (idle.length === 0 && sweeper !== null) {
      clearInterval(sweeper);
      sweeper = null;
    }
  };
  const readBuffer = Buffer.allocUnsafe(READ_BUFFER_BYTES);

  class Conn implements EngineConnection {
    user: ConnectionUser | null = null;
    idleSince = 0;
    socket: net.Socket;
    constructor() {
      this.socket = net.connect({
        host, port, noDelay: true,
        onread: { buffer: readBuffer, callback: (n: number, buf: Buffer) => (this.user === null ? (this.discard(), false) : this.user.bytes(buf, n)) },
      });
      all.add(this);
      this.socket.on('drain', () => this.user?.drained());
      this.socket.on('error', (err) => this.gone(err));
      this.socket.on('end', () => this.gone(null));
      this.socket.on('close', () => this.gone(new Error('the engine closed the connection')));
    }

    gone(err: Error | null): void {
      const user = this.user;
      this.user = null;
      this.forget();
      this.socket.destroy();
      user?.ended(err);
    }

    forget(): void {
      all.delete(this);
      const at = idle.indexOf(this);
      if (at >= 0) idle.splice(at, 1);
    }

    release(): void {
      this.user = null;
      if (this.socket.destroyed) return this.forget();
      this.idleSince = Date.now();
      idle.push(this);
      sweeper ??= setInterval(sweep, Math.max(1, idleMs / 4)).unref();
    }

    discard(): void {
      this.user = null;
      this.forget();
      this.socket.destroy();
    }
  }

  return {
    take(user) {
      // the most recently used first: its socket is warm, and the ones left idle at the back time out
      const conn = idle.pop() ?? new Conn();
      conn.user = user;
      return conn;
    },
    close() {
      for (const c of [...all]) c.discard();
      if (sweeper !== null) clearInterval(sweeper);
      sweeper = null;
    },
  };
}
