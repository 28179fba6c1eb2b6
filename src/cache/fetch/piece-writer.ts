// Streams one ranged response into its piece of the partial file. Bytes count for progress as they arrive; they
// count as in the file (the plan, the hash, the range map) only once a write has put them there. Nothing past the
// piece's end is taken, whatever the server sends.
import type { FileHandle } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { WriteFailed } from './hashing-writer.js';
import type { Piece } from './range-plan.js';
import { releaseChunk } from '../../http/read-buffers.js';

/** Small batches: what a SIGKILL loses per connection is at most one batch being written and one the map lags. */
const BATCH = 256 * 1024;

export interface PieceSink {
  fh: FileHandle;
  /** `n` bytes of `piece` from `piece.done` on are now in the file. */
  written(piece: Piece, n: number): void;
  /** Bytes received (progress). */
  arrived(n: number): void;
  signal: AbortSignal;
}

/** Resolves when the piece is whole (or the body ended early); rethrows a failing body after writing what came. */
export async function writePiece(body: Readable, piece: Piece, sink: PieceSink): Promise<void> {
  let batch: Buffer[] = [];
  let size = 0;
  let inflight: Promise<void> = Promise.resolve();
  const write = async (bufs: Buffer[], n: number): Promise<void> => {
    let r: { bytesWritten: number };
    try {
      r = await sink.fh.writev(bufs, piece.done);
    } catch (err) {
      throw new WriteFailed(err as NodeJS.ErrnoException);
    }
    if (r.bytesWritten !== n) throw new WriteFailed(Object.assign(new Error('short write'), { code: 'ENOSPC' }));
    for (const b of bufs) releaseChunk(b);
    sink.written(piece, n);
  };
  const queue = (): Promise<void> => {
    const bufs = batch;
    const n = size;
    batch = [];
    size = 0;
    if (n === 0) return inflight;
    inflight = inflight.then(() => write(bufs, n));
    inflight.catch(() => undefined); // awaited below
    return inflight;
  };
  try {
    try {
      for await (const chunk of body) {
        let b = chunk as Buffer;
        const room = piece.end - piece.at;
        if (b.length > room) b = b.subarray(0, room);
        if (b.length > 0) {
          batch.push(b);
          size += b.length;
          piece.at += b.length;
          sink.arrived(b.length);
        }
        if (piece.at >= piece.end) break; // the piece is whole
        if (size >= BATCH) {
          await inflight;
          void queue();
        }
        if (sink.signal.aborted) throw sink.signal.reason;
      }
    } catch (err) {
      await queue(); // keep what was received: a resume starts after it
      throw err;
    }
    await queue();
  } finally {
    await inflight.catch(() => undefined);
    if (!body.readableEnded) body.destroy();
  }
}
