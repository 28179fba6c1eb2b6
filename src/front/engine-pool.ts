// Keep-alive connections from the front to the engine on loopback, for the relay (proxy.ts). Up to 512+ streams
// at once: every connection a burst opened is kept for the next one. An idle connection is closed within 4 s, before
// uvicorn (vLLM, SGLang, trtllm-serve) closes it at its 5 s keep-alive default: a request sent on a connection the
// engine is closing would fail with ECONNRESET, a 502 for nothing. A connection in use has no timeout: an SSE
// stream may be quiet for longer than that between events. One sweep over the idle ones rather than a timer per
// connection re-armed per request (node's socket.setTimeout allocates a timer each time).
import net from 'node:net';

/** What a connection's current exchange is told; one exchange at a time per connection. */
export interface ConnectionUser {
  /**
   * buf[0, n) arrived; the bytes are only valid during the call, unless giveUpReadBuffer() is called in it. Return
   * false to stop reading until resume().
   */
  bytes(buf: Buffer, n: number): boolean;
  /** The engine's side closed (end of stream) or the connection failed (`err`). */
  ended(err: Error | null): void;
  /** The socket's write buffer drained. */
  drained(): void;
}

export interface EngineConnection {
  socket: net.Socket;
  /**
   * The bytes of the read just handed to `bytes` were kept by a write still pending (the client's socket holds them):
   * the connection reads on into a new buffer, the old one is left to that write.
   */
  giveUpReadBuffer(): void;
  /** Hands the connection back for the next request (only after a whole request and response went over it). */
  release(): void;
  /** Closes it: whatever was under way on it is over. */
  discard(): void;
}

export interface EnginePool {
  take(user: ConnectionUser): EngineConnection;
  close(): void;
}

// A read buffer per connection, which the relay writes on to the client from as it is, no copy: a write the kernel
// takes whole is done with it when write() returns, and one it does not (a slow client) keeps the buffer, which the
// connection then gives up (giveUpReadBuffer). One shared buffer, as before, had to be copied from for every SSE
// event: a Buffer, a view and a copy each (a fifth of what the front allocated at 512 streams, by a sampling heap
// profile). A buffer costs memory only where reads touched it: a stream of small events, a page or two.
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

  class Conn implements EngineConnection {
    user: ConnectionUser | null = null;
    idleSince = 0;
    socket: net.Socket;
    private readBuffer = Buffer.allocUnsafeSlow(READ_BUFFER_BYTES);
    constructor() {
      this.socket = net.connect({
        host, port, noDelay: true,
        // a function: node asks it for the buffer of the next read after each one (stream_base_commons onStreamRead)
        onread: { buffer: () => this.readBuffer, callback: (n: number, buf: Buffer) => (this.user === null ? (this.discard(), false) : this.user.bytes(buf, n)) },
      });
      all.add(this);
      this.socket.on('drain', () => this.user?.drained());
      this.socket.on('error', (err) => this.gone(err));
      this.socket.on('end', () => this.gone(null));
      this.socket.on('close', () => this.gone(new Error('the engine closed the connection')));
    }

    giveUpReadBuffer(): void {
      this.readBuffer = Buffer.allocUnsafeSlow(READ_BUFFER_BYTES);
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
