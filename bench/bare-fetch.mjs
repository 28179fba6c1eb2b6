#!/usr/bin/env node
// The least a Node.js program can do to fetch files and verify their sha256: the floor under nimlet in
// bench/download.mjs. Each file gets its own worker thread (as many at once as there are cores); the socket
// reads into one buffer, and each read is written to the file and hashed right away, while the bytes are
// still in the core's cache. No cache layout, locks, retries, resume, progress, or fsync: anything nimlet
// does beyond this costs time this program does not spend. With --fsync, each file is also fsynced before its
// worker ends (what a user who wants the bytes on disk would add; nimlet fsyncs each blob before publishing).
//
//   node bench/bare-fetch.mjs [--fsync] OUT_DIR SHA256:URL ...        (http:// only; exits 1 on a mismatch)
import { mkdirSync, openSync, writeSync, closeSync, fsyncSync } from 'node:fs';
import { createHash } from 'node:crypto';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';

const READ_BUFFER = 256 * 1024;

/** GETs `url` into `file`; resolves to the body's sha256. */
function fetchOne(url, file, fsync) {
  const u = new URL(url);
  const fd = openSync(file, 'w');
  const hash = createHash('sha256');
  let head = '';
  let left = -1;
  return new Promise((resolve, reject) => {
    const body = (b, off, len) => {
      const n = Math.min(len, left);
      writeSync(fd, b, off, n);
      hash.update(b.subarray(off, off + n));
      left -= n;
      if (left === 0) {
        if (fsync) fsyncSync(fd);
        closeSync(fd);
        socket.destroy();
        resolve(hash.digest('hex'));
      }
    };
    const socket = net.connect({
      host: u.hostname, port: Number(u.port) || 80,
      onread: {
        buffer: Buffer.allocUnsafeSlow(READ_BUFFER),
        callback(n, b) {
          if (left >= 0) return void body(b, 0, n);
          head += b.toString('latin1', 0, n);
          const end = head.indexOf('\r\n\r\n');
          if (end < 0) return;
          if (!/^HTTP\/1\.1 200/.test(head)) return reject(new Error(`${url}: ${head.split('\r\n')[0]}`));
          left = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? NaN);
          if (!Number.isFinite(left)) return reject(new Error(`${url}: no Content-Length`));
          const rest = head.length - end - 4;
          if (rest > 0) body(b, n - rest, rest);
          else if (left === 0) body(b, 0, 0);
        },
      },
    });
    socket.on('connect', () => socket.write(`GET ${u.pathname} HTTP/1.1\r\nHost: ${u.host}\r\nConnection: close\r\n\r\n`));
    socket.on('error', reject);
  });
}

if (isMainThread) {
  const fsync = process.argv[2] === '--fsync';
  const [out, ...jobs] = process.argv.slice(fsync ? 3 : 2);
  mkdirSync(out, { recursive: true });
  const queue = jobs.map((j) => ({ sha256: j.slice(0, 64), url: j.slice(65) }));
  let bad = 0;
  const lane = async () => {
    for (let job; (job = queue.shift()); ) {
      const file = path.join(out, path.basename(new URL(job.url).pathname));
      const got = await new Promise((resolve, reject) => {
        new Worker(new URL(import.meta.url), { workerData: { url: job.url, file, fsync } }).once('message', resolve).once('error', reject);
      });
      if (got !== job.sha256) {
        console.error(`${job.url}: sha256 ${got}, expected ${job.sha256}`);
        bad++;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(os.availableParallelism(), queue.length) }, lane));
  process.exitCode = bad ? 1 : 0;
} else {
  parentPort.postMessage(await fetchOne(workerData.url, workerData.file, workerData.fsync));
}
