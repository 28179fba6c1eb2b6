// The sha256 of a partial file, computed on a worker thread that reads the file back just behind the writer.
// Hashing is the most expensive step of a download (more CPU than receiving and writing together); off the
// main thread it runs on another core while the next bytes arrive. The worker hashes only bytes the writer
// says are in the file, so after any failure the hash and the file agree, and a resume hashes what is there.
import os from 'node:os';
import { Worker } from 'node:worker_threads';

/** The worker, plain CommonJS run with `eval`, so it works from dist/ and from the TypeScript sources alike. */
const WORKER = `
const { parentPort } = require('node:worker_threads');
const fs = require('node:fs');
const { createHash } = require('node:crypto');
const jobs = new Map();
const buf = Buffer.allocUnsafe(1 << 20);
function catchUp(job, to) {
  if (job.error) return;
  try {
    if (job.fd === null && to > job.pos) job.fd = fs.openSync(job.path, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK);
    while (job.pos < to) {
      const n = fs.readSync(job.fd, buf, 0, Math.min(buf.length, to - job.pos), job.pos);
      if (n === 0) throw Object.assign(new Error(job.path + ' is shorter than ' + to + ' bytes'), { code: 'ESHORT' });
      job.hash.update(buf.subarray(0, n));
      job.pos += n;
    }
  } catch (e) { job.error = { message: String(e && e.message), code: e && e.code }; }
}
function close(job) { if (job.fd !== null) { try { fs.closeSync(job.fd); } catch {} job.fd = null; } }
parentPort.on('message', (m) => {
  const job = jobs.get(m.id);
  if (m.op === 'open') jobs.set(m.id, { path: m.path, fd: null, pos: 0, hash: createHash('sha256'), error: null });
  else if (!job) return;
  else if (m.op === 'advance') catchUp(job, m.to);
  else if (m.op === 'reset') { close(job); job.pos = 0; job.hash = createHash('sha256'); job.error = null; }
  else if (m.op === 'close') { close(job); jobs.delete(m.id); }
  else if (m.op === 'digest') {
    catchUp(job, m.at);
    if (!job.error && job.pos !== m.at) job.error = { message: 'hashed ' + job.pos + ' bytes, asked for ' + m.at, code: 'EHASHPOS' };
    parentPort.postMessage(job.error ? { ticket: m.ticket, error: job.error } : { ticket: m.ticket, hex: job.hash.copy().digest('hex') });
  }
});
`;

interface Reply { ticket: number; hex?: string; error?: { message: string; code?: string } }
interface Pending { resolve: (hex: string) => void; reject: (e: Error) => void }

class HashThread {
  readonly worker = new Worker(WORKER, { eval: true });
  readonly pending = new Map<number, Pending>();
  dead: Error | null = null;

  constructor() {
    this.worker.on('message', (r: Reply) => {
      const p = this.pending.get(r.ticket);
      if (!p) return;
      this.pending.delete(r.ticket);
      if (this.pending.size === 0) this.worker.unref();
      if (r.hex !== undefined) p.resolve(r.hex);
      else p.reject(Object.assign(new Error(r.error?.message ?? 'hash failed'), { code: r.error?.code }));
    });
    const die = (err: Error) => {
      this.dead = err;
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
      const i = threads.indexOf(this);
      if (i >= 0) threads.splice(i, 1);
    };
    this.worker.on('error', die);
    this.worker.on('exit', (code) => die(new Error(`the hashing thread exited (${code})`)));
    // Only a digest being awaited keeps the process alive. After the listeners: adding a 'message' one refs again.
    this.worker.unref();
  }
}

/**
 * One thread (two from 4 cores on): SHA-256 runs at 1–2 GB/s a core, ahead of most links, and each thread
 * costs ~10 MB; on 2 cores a second one only fights the receiver for CPU (measured with bench/download.mjs).
 */
const threads: HashThread[] = [];
let nextJob = 0;
let nextTicket = 0;

function threadFor(job: number): HashThread {
  const want = os.availableParallelism() >= 4 ? 2 : 1;
  if (threads.length < want) threads.push(new HashThread());
  return threads[job % threads.length]!;
}

export interface FileHash {
  /** The file's bytes [0, end) are written: hash them (in the background). */
  wrote(bufs: readonly Buffer[], end: number): void;
  /** The sha256 of the file's first `at` bytes; `at` must be the last end told to wrote(). */
  digest(at: number): Promise<string>;
  /** The file was cut to 0 bytes: start over. */
  reset(): void;
  close(): void;
}

/** Starts hashing `path` on a worker thread, from its first byte. */
export function hashFileInBackground(path: string): FileHash {
  const id = nextJob++;
  const t = threadFor(id);
  t.worker.postMessage({ op: 'open', id, path });
  return {
    wrote: (_bufs, end) => t.worker.postMessage({ op: 'advance', id, to: end }),
    reset: () => t.worker.postMessage({ op: 'reset', id }),
    close: () => t.worker.postMessage({ op: 'close', id }),
    digest: (at) => new Promise<string>((resolve, reject) => {
      if (t.dead) return reject(t.dead);
      const ticket = nextTicket++;
      if (t.pending.size === 0) t.worker.ref();
      t.pending.set(ticket, { resolve, reject });
      t.worker.postMessage({ op: 'digest', id, at, ticket });
    }),
  };
}
