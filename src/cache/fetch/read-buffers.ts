// The pooled read buffers of the bulk HTTP client (raw-http.ts), and how a consumer gives a chunk back.
const BUFFER_SIZE = 512 * 1024;
/** A read gets at least this much room: the rest of the current buffer, or a fresh one when less is left. */
const MIN_READ = 64 * 1024;
/** Free buffers a connection keeps: enough for what the writer holds, so a steady download allocates nothing. */
const POOL_KEEP = 8;

/** Buffers lent out by a connection, by their memory, so releaseChunk can hand them back. */
const lenders = new WeakMap<ArrayBufferLike, (b: ArrayBufferLike) => void>();

/** Gives a body chunk's memory back for later reads; harmless for any other buffer. Call once per chunk. */
export function releaseChunk(chunk: Buffer): void {
  lenders.get(chunk.buffer)?.(chunk.buffer);
}

/**
 * The read buffers of one connection. Reads fill a 512 KiB buffer from front to back (loopback and fast links
 * hand over 64–256 KiB at a time); each body chunk is a view into it and counts as one reference, and the
 * buffer goes back to the free list once it is full and every chunk has been released.
 */
export class ReadBuffers {
  private readonly free: Buffer[] = [];
  private readonly refs = new Map<ArrayBufferLike, number>();
  private current = this.fresh();
  private filled = 0;

  private fresh(): Buffer {
    const b = this.free.pop() ?? Buffer.allocUnsafeSlow(BUFFER_SIZE);
    lenders.set(b.buffer, (ab) => this.release(ab));
    this.refs.set(b.buffer, 0);
    return b;
  }

  private release(ab: ArrayBufferLike): void {
    const n = this.refs.get(ab);
    if (n === undefined) return;
    if (n > 1 || ab === this.current.buffer) return void this.refs.set(ab, n - 1);
    this.refs.delete(ab);
    if (this.free.length < POOL_KEEP) this.free.push(Buffer.from(ab, 0, BUFFER_SIZE));
  }

  /** Where the next read goes. */
  target(): Buffer {
    if (BUFFER_SIZE - this.filled < MIN_READ) {
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
