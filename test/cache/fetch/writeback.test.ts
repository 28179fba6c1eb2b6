// The process-wide writeback queue: datasyncs start early, at most two at once (libuv's pool keeps threads for
// the writes), the file with the most unsynced bytes first, and close() waits for the one running on its file.
import { describe, expect, it } from 'vitest';
import type { FileHandle } from 'node:fs/promises';
import { trackWriteback, writebacksRunning } from '../../../src/cache/fetch/writeback.js';

const MiB = 1024 * 1024;

/** A FileHandle whose datasync() waits until the test calls finish(). */
function fakeHandle(name: string, log: string[]) {
  const pending: Array<() => void> = [];
  const fh = {
    datasync: () => {
      log.push(name);
      return new Promise<void>((resolve) => pending.push(resolve));
    },
  } as unknown as FileHandle;
  return { fh, finish: () => pending.shift()!(), syncing: () => pending.length };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('writeback', () => {
  it('starts at 16 MiB unsynced, runs two at once, then the file with the most unsynced', async () => {
    const log: string[] = [];
    const [a, b, c] = ['a', 'b', 'c'].map((n) => fakeHandle(n, log));
    const [wa, wb, wc] = [a!, b!, c!].map((h) => trackWriteback(h.fh));
    wa!.wrote(15 * MiB);
    expect(log).toEqual([]); // not worth a call yet
    wa!.wrote(MiB);
    wb!.wrote(20 * MiB);
    wc!.wrote(17 * MiB);
    expect(log).toEqual(['a', 'b']);
    expect(writebacksRunning()).toBe(2);
    wa!.wrote(30 * MiB); // a has 30 unsynced now, c 17: a goes first once a slot frees, but a is still running
    b!.finish();
    await tick();
    expect(log).toEqual(['a', 'b', 'c']); // a's own sync is running: never two on one file
    a!.finish();
    await tick();
    expect(log).toEqual(['a', 'b', 'c', 'a']);
    c!.finish();
    a!.finish();
    await Promise.all([wa!.close(), wb!.close(), wc!.close()]);
    expect(writebacksRunning()).toBe(0);
  });

  it('close() waits for the datasync running on its file, and the file takes no more', async () => {
    const log: string[] = [];
    const h = fakeHandle('x', log);
    const w = trackWriteback(h.fh);
    w.wrote(16 * MiB);
    let closed = false;
    const closing = w.close().then(() => (closed = true));
    await tick();
    expect(closed).toBe(false);
    h.finish();
    await closing;
    w.wrote(64 * MiB);
    expect(log).toEqual(['x']);
    expect(writebacksRunning()).toBe(0);
  });
});
