// Streams bytes into the partial file and the sha256 at once. The hash is fed only after a write has reached
// the file, so after any failure the hash state and the file's length agree and a resume can carry on.
import type { FileHandle } from 'node:fs/promises';
import type { Hash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { releaseChunk } from '../../http/read-buffers.js';
import { openPartial } from './partial-file.js';
import { trackWriteback } from './writeback.js';

/** Told about bytes once they are in the file (FileHash hashes them on a worker thread). */
export interface HashSink {
  wrote(bufs: readonly Buffer[], end: number): void;
}

/** A sink that feeds a crypto Hash on this thread. */
export function inlineHash(hash: Hash): HashSink {
  return { wrote: (bufs) => { for (const b of bufs) hash.update(b); } };
}

/** Thrown when the source sends more bytes than the manifest's size: stop before filling the disk. */
export class TooManyBytes extends Error {
  constructor(readonly limit: number) {
    super(`more bytes than the expected ${limit}`);
  }
}

/** An fs failure while writing (ENOSPC, EIO, EACCES), told apart from a failing network body. */
export class WriteFailed extends Error {
  constructor(readonly original: NodeJS.ErrnoException) {
    super(original.message);
  }
}

export interface WriteOptions {
  path: string;
  /** Bytes already in the file (and in `hash`): the new bytes are appended after them. */
  from: number;
  hash: HashSink;
  /** Total bytes the file may reach; null when unknown. */
  limit: number | null;
  signal: AbortSignal;
  /** Bytes received (progress): counted as they arrive, so a slow link shows them before a write batch fills. */
  onBytes: (n: number) => void;
  /** Bytes now in the file (and in the hash): what a resume may count on. */
  onWritten: (n: number) => void;
}

const BATCH = 1024 * 1024;

/**
 * Copies `body` into the file from `from` on, with backpressure (one write in flight, at most ~2 MiB held)
 * and resolves to the bytes it added. When the body fails (a dropped connection, abort), the bytes already
 * received are still written before the error is rethrown, so a resume loses nothing it was sent.
 */
export async function writeHashed(body: Readable, opts: WriteOptions): Promise<number> {
  let fh: FileHandle;
  try {
    fh = await openPartial(opts.path, opts.from > 0 ? 'update' : 'write');
  } catch (err) {
    throw new WriteFailed(err as NodeJS.ErrnoException);
  }
  let position = opts.from;
  // The caller fsyncs the whole file before publishing it: flushed as it goes, that rides along with the download.
  const writeback = trackWriteback(fh);
  const write = async (bufs: Buffer[], size: number): Promise<void> => {
    let r: { bytesWritten: number };
    try {
      r = await fh.writev(bufs, position);
    } catch (err) {
      throw new WriteFailed(err as NodeJS.ErrnoException);
    }
    // A short writev only happens on a full disk; report it as such instead of leaving a hole.
    if (r.bytesWritten !== size) throw new WriteFailed(Object.assign(new Error('short write'), { code: 'ENOSPC' }));
    position += size;
    opts.hash.wrote(bufs, position);
    for (const b of bufs) releaseChunk(b);
    opts.onWritten(size);
    writeback.wrote(size);
  };
  let inflight: Promise<void> = Promise.resolve();
  let batch: Buffer[] = [];
  let size = 0;
  const queue = (): Promise<void> => {
    const bufs = batch;
    const n = size;
    batch = [];
    size = 0;
    inflight = inflight.then(() => write(bufs, n));
    inflight.catch(() => undefined); // awaited below; this only keeps Node from calling it unhandled meanwhile
    return inflight;
  };
  try {
    try {
      for await (const chunk of body) {
        const b = chunk as Buffer;
        if (opts.limit !== null && position + size + b.length > opts.limit) throw new TooManyBytes(opts.limit);
        batch.push(b);
        size += b.length;
        opts.onBytes(b.length);
        if (size >= BATCH) {
          await inflight;
          void queue();
        }
        if (opts.signal.aborted) throw opts.signal.reason;
      }
    } catch (err) {
      if (!(err instanceof TooManyBytes)) await queue(); // keep what was received: the resume starts after it
      throw err;
    }
    await queue();
    return position - opts.from;
  } finally {
    await inflight.catch(() => undefined);
    await writeback.close();
    await fh.close().catch(() => undefined);
  }
}
