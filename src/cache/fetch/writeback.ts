// Flushing a download's written bytes to disk while the network runs, so the fsync before publishing (DESIGN §7)
// finds little left. On the project's 2-core machine the disk takes 2 GiB in 3–4 s (bench/download.mjs: `curl +
// sync`, `dd conv=fsync`), where receiving and hashing them takes ~2 s: a download that fsyncs is as fast as the
// disk is kept busy from its first megabytes on. The kernel alone starts only past dirty_background_ratio (10 % of
// RAM: gigabytes), and datasync every 256 MiB per file left it idle for the first gigabyte of 4 files.
//
// One queue for the process: at most IN_FLIGHT fdatasyncs at once, each taking every page the file has dirtied
// so far (a deep queue for the disk), the file with the most unsynced bytes first. Each holds one of libuv's
// 4 pool threads for as long as the disk needs; the writes go through the same pool, so the others stay theirs.
// (One datasync per file, 4 files at once, took all 4: the network waited on the disk.)
import type { FileHandle } from 'node:fs/promises';

/** Start once a file has this much unsynced: early enough that the disk never idles, large enough to be worth a call. */
const MIN_BYTES = 16 * 1024 * 1024;
const IN_FLIGHT = 2;

interface Tracked {
  fh: FileHandle;
  unsynced: number;
  running: Promise<void> | null;
}

const files = new Set<Tracked>();
let running = 0;

function pump(): void {
  while (running < IN_FLIGHT) {
    let best: Tracked | null = null;
    for (const f of files) if (f.running === null && f.unsynced >= MIN_BYTES && (best === null || f.unsynced > best.unsynced)) best = f;
    if (best === null) return;
    const f = best;
    f.unsynced = 0;
    running++;
    // A failure here is not lost: the fsync before publishing meets it again.
    f.running = f.fh.datasync().catch(() => undefined).finally(() => {
      running--;
      f.running = null;
      pump();
    });
  }
}

export interface Writeback {
  /** `n` more bytes were written through `fh`. */
  wrote(n: number): void;
  /** No more writes: resolves once no datasync is running on `fh` (close it after this). */
  close(): Promise<void>;
}

export function trackWriteback(fh: FileHandle): Writeback {
  const f: Tracked = { fh, unsynced: 0, running: null };
  files.add(f);
  return {
    wrote: (n) => {
      f.unsynced += n;
      if (f.unsynced >= MIN_BYTES && running < IN_FLIGHT) pump();
    },
    close: async () => {
      files.delete(f);
      await f.running;
    },
  };
}

/** For tests: datasyncs running now. */
export const writebacksRunning = (): number => running;
