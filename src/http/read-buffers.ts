// The pooled read buffers of the bulk HTTP client (raw-http.ts), and how a consumer gives a chunk back.
const BUFFER_SIZE = 512 * 1024;
/** A read gets at least this much room: the rest of the current buffer, or a fresh one when less is left. */
const MIN_READ = 64 * 1024;

/**
 * Free buffers kept for the whole process, up to this many bytes of each size: a ranged download opens a
 * connection per 8 MiB piece, and a pool per connection (or one too small for 16 connections' churn) hands its
 * buffers to the garbage collector: 810 MiB allocated for 2 GiB fetched, RSS 170 MB (bench/download.mjs). The
 * pool never holds more than was in use at once, since it only keeps buffers that were.
 */
const SHARED_KEEP_BYTES = 32 * 1024 * 1024;
const pools = new Map<number, Buffer[]>();
const poolOf = (size: number): Buffer[] => pools.get(size) ?? (pools.set(size, []), pools.get(size)!);

/** Buffers lent out by a connection, by their memory, so releaseChunk can hand them back. */
const lenders = new WeakMap<ArrayBufferLike, (b: ArrayBufferLike) => void>();

/** Gives a body chunk's memory back for later reads; harmless for any other buffer. Call once per chunk. */
export function releaseChunk(chunk: Buffer): void {
  lenders.get(chunk.buffer)?.(chunk.buffer);
}

/**
 * The read buffers of one connection. Reads fill a 512 KiB buffer from front to back (loopback and fast links
 * hand over 64–256 KiB at a time); each body chunk is a view into it and counts as one reference, and the
 * buffer goes back to the shared free list once it is full (or its connection closed) and every chunk has been released.
 */
export class ReadBuffers {
  private readonly refs = new Map<ArrayBufferLike, number>();
  private readonly shared: Buffer[];
  private current: Buffer;
  private filled = 0;

  /** `size`: smaller for one of many ranged connections, whose buffers add up (RSS). */
  constructor(private readonly size = BUFFER_SIZE) {
    this.shared = poolOf(size);
    this.current = this.fresh();
  }

  private fresh(): Buffer {
    const b = this.shared.pop() ?? Buffer.allocUnsafeSlow(this.size);
    lenders.set(b.buffer, (ab) => this.release(ab));
    this.refs.set(b.buffer, 0);
    return b;
  }

  private retired = false;

  /** The connection is closed: no read goes into the current buffer any more, it may go back once its chunks do. */
  retire(): void {
    this.retired = true;
    if (this.refs.get(this.current.buffer) === 0) this.release(this.current.buffer, true);
  }

  private release(ab: ArrayBufferLike, unused = false): void {
    const n = this.refs.get(ab);
    if (n === undefined) return;
    if (!unused && (n > 1 || (ab === this.current.buffer && !this.retired))) return void this.refs.set(ab, n - 1);
    this.refs.delete(ab);
    if (this.shared.length * this.size < SHARED_KEEP_BYTES) this.shared.push(Buffer.from(ab, 0, this.size));
  }

  /** Where the next read goes. */
  target(): Buffer {
    if (this.size - this.filled < MIN_READ) {
      const old = this.current;
      this.current = this.fresh();
      this.filled = 0;
      if (this.refs.get(old.buffer) === 0) this.release(old.buffer);
    }
    return this.current.subarray(this.filled);
  }

  /** `data` (a view of the last target) goes to a reader, who will release it: that room is taken. */
  lend(data: Buffer): void {
    this.refs.set(data.buffer, (this.refs.get(data.buffer) ?? 0) + 1);
    this.filled = data.byteOffset + data.length;
  }
}
