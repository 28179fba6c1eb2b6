// A large file over several ranged connections at once (DESIGN §15): CDNs cap each connection at tens of MB/s.
// The first request goes through the API (credential, redirect) and proves ranges work (a 206 of the asked
// bytes); the others then fetch pieces from the URL it landed on (signed storage). The sha256 follows the
// contiguous prefix on the hashing thread, which reads back pages just written (page cache, no second pass from
// disk). The missing ranges are kept in `<partial>.ranges`, so a SIGTERM or SIGKILL resumes them. A server that
// ignores Range (a 200) gets the one-stream download instead (null).
import { setMaxListeners } from 'node:events';
import { openPartial, claimPartial, truncatePartial } from './partial-file.js';
import { hashFileInBackground } from './background-hash.js';
import { NimletError } from '../../errors.js';
import type { Downloaded, HttpDownload } from './http-download.js';
import { RangePlan, type Piece } from './range-plan.js';
import { readRangeMap, RangeMapWriter, removeRangeMap } from './range-map.js';
import { Connection, extraConnection, firstConnection, RangesIgnored, type Shared } from './range-connection.js';
import { trackWriteback } from './writeback.js';

/** Files smaller than this take one stream: two pieces at least, or parallelism buys nothing. */
export const MIN_RANGED_BYTES = 16 * 1024 * 1024;
const HASH_STEP = 4 * 1024 * 1024;

/** The missing ranges to start from: the map's, an older one-stream partial's tail, or the whole file. */
async function startingPoint(partial: string, size: number): Promise<Array<[number, number]>> {
  const have = await claimPartial(partial);
  const map = await readRangeMap(partial, size);
  if (map !== null && map !== undefined && have === size) return map;
  if (map === undefined && have > 0 && have <= size) return [[have, size]]; // a one-stream partial: its bytes are a prefix
  if (have > 0) await truncatePartial(partial, 0);
  return [[0, size]];
}

function deferred(): Shared['ready'] {
  let resolve: (ok: boolean) => void = () => undefined;
  const promise = new Promise<boolean>((r) => (resolve = r));
  return { promise, resolve };
}

export async function downloadRanged(d: HttpDownload, size: number): Promise<Downloaded | null> {
  const plan = new RangePlan(size, await startingPoint(d.partialPath, size));
  if (plan.prefix() === 0 && plan.todo().length === 1) await (await openPartial(d.partialPath, 'write')).close();
  const map = new RangeMapWriter(d.partialPath, size);
  await map.open();
  await map.save(plan.todo()); // before any byte lands out of order
  const fh = await openPartial(d.partialPath, 'update');
  const hash = hashFileInBackground(d.partialPath);
  const stop = new AbortController();
  const signal = AbortSignal.any([d.signal, stop.signal]);
  // each connection's request and backoff listen, and every extra one waiting for a slot (connection-slots.ts) on `stop`
  setMaxListeners(4 * d.settings.downloads.connections + 16, signal, d.signal, stop.signal);
  const writeback = trackWriteback(fh); // so the fsync before publishing does not stall at the end
  let hashed = plan.prefix();
  try {
    await fh.truncate(size);
    hash.wrote([], hashed);
    d.onBytes(size - plan.todo().reduce((n, [a, b]) => n + b - a, 0));
    const shared: Shared = {
      d, size, plan, signal, source: null, vouched: null, gitBlob: null, ready: deferred(),
      sink: {
        fh, signal,
        arrived: (n) => { d.onBytes(n); d.countBytes(n); },
        written: (piece: Piece, n: number) => {
          plan.advance(piece, n);
          // The hashing thread is woken per HASH_STEP, not per write; digest() catches it up to the end.
          if (plan.prefix() >= hashed + HASH_STEP) hash.wrote([], (hashed = plan.prefix()));
          map.update(() => plan.todo());
          writeback.wrote(n);
        },
      },
    };
    if (!plan.complete()) {
      const first = new Connection(shared, firstConnection(), true).run(); // through the API: are ranges honoured?
      const extras = Array.from({ length: d.settings.downloads.connections - 1 }, async () => {
        if (!(await shared.ready.promise)) return;
        const slot = await extraConnection(d.settings.downloads.maxConnections, stop.signal);
        if (slot !== null) await new Connection(shared, slot).run();
      });
      const settled = await Promise.allSettled([first, ...extras].map((p) => p.catch((e: unknown) => {
        stop.abort(e); // the first failure stops the others; theirs are only its echo
        throw e;
      })));
      stop.abort();
      d.signal.throwIfAborted();
      const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed) throw failed.reason;
    }
    if (!plan.complete()) throw new NimletError('internal', `ranged download of ${d.label} ended with ${plan.todo().length} ranges missing`);
    const sha256 = await hash.digest(size);
    await map.close();
    await removeRangeMap(d.partialPath);
    return { bytes: size, sha256, vouched: shared.vouched, gitBlob: shared.gitBlob, tooMany: false };
  } catch (err) {
    if (err instanceof RangesIgnored) {
      // One stream from here: what is whole at the front stays, the rest is fetched in order.
      await map.close();
      await removeRangeMap(d.partialPath);
      await fh.truncate(plan.prefix());
      d.onBytes(-(size - plan.todo().reduce((n, [a, b]) => n + b - a, 0)));
      return null;
    }
    throw err;
  } finally {
    stop.abort();
    await map.close();
    await writeback.close();
    await fh.close().catch(() => undefined);
    hash.close();
  }
}
