// One of a file's ranged connections: takes pieces from the plan and fetches each with `Range: bytes=A-B`,
// retrying on its own (backoff, Retry-After, a failure count reset by progress) as the one-stream download does.
// A 401/403 from signed storage (another origin than the API's) means the signature expired: the next request
// goes through the API again for a fresh redirect (DESIGN §15); the same from the API's own origin is exit 77.
import type { HttpDownload } from './http-download.js';
import { attempted, Attempts, classifyStatus, classifyThrown, writeError } from './failures.js';
import { WriteFailed } from './hashing-writer.js';
import { httpGet, landedTarget, offOrigin, type HttpResponse, type HttpTarget } from './resolve.js';
import { writePiece, type PieceSink } from './piece-writer.js';
import type { Piece, RangePlan } from './range-plan.js';
import { parseContentRange, vouchedGitBlob, vouchedSha256 } from './response-head.js';
import { discardBody } from '../../http/transport.js';

/** The server answered a ranged GET with the whole file (200): this file takes one stream. */
export class RangesIgnored extends Error {}

export interface Shared {
  d: HttpDownload;
  size: number;
  plan: RangePlan;
  signal: AbortSignal;
  sink: PieceSink;
  /** Where pieces are fetched from once the first request has landed (a signed URL); null: through the API. */
  source: HttpTarget | null;
  vouched: string | null;
  gitBlob: string | null;
  /** Resolves true once a 206 proved ranges work, false when the first connection ended without one. */
  ready: { promise: Promise<boolean>; resolve: (ok: boolean) => void };
}

/** A quarter of the one-stream client's: 16 connections' buffers add up (bench/download.mjs: 150 MB RSS budget). */
const READ_BUFFER = 128 * 1024;
/** Fresh redirects in a row without a byte of progress before a signed URL's 403 counts as a refusal (77). */
const MAX_REFRESHES = 3;

export class Connection {
  private readonly tries: Attempts;
  private refreshes = 0;
  private viaApi = false;

  constructor(private readonly s: Shared, private readonly slot: Slot, private readonly first = false) {
    this.tries = new Attempts(attempted(s.d), s.d.tuning, s.signal);
  }

  /** Fetches pieces until none is left or the download stops; throws what ends the whole file. */
  async run(): Promise<void> {
    try {
      for (;;) {
        if (this.s.signal.aborted) return;
        const piece = this.s.plan.take();
        if (piece === null) return;
        try {
          await this.fetch(piece);
        } finally {
          this.s.plan.release(piece);
        }
      }
    } finally {
      this.slot.release();
      if (this.first) this.s.ready.resolve(false); // no-op once it said true
    }
  }

  private async fetch(piece: Piece): Promise<void> {
    const { d, size, signal } = this.s;
    for (;;) {
      if (signal.aborted) return;
      const target: HttpTarget = this.viaApi || this.s.source === null ? { url: d.url, token: d.token } : this.s.source;
      const throughApi = target.url === d.url;
      d.countRequest();
      let res: HttpResponse;
      try {
        res = await httpGet(target, {
          method: 'GET', from: piece.done, to: piece.end - 1, signal, stallTimeoutMs: d.tuning.stallTimeoutMs, proxy: d.settings.downloads.proxy,
          readBufferBytes: READ_BUFFER,
        });
      } catch (err) {
        if (signal.aborted) return;
        await this.tries.failed(classifyThrown(attempted(d), err, target.url), err);
        continue;
      }
      if (throughApi) {
        this.s.vouched ??= vouchedSha256(res.chain, d.trustEtag);
        this.s.gitBlob ??= vouchedGitBlob(res.chain, d.trustEtag);
      }
      if (res.status === 200) {
        res.body.destroy();
        throw new RangesIgnored('the server ignored Range');
      }
      if (res.status === 206) {
        const cr = parseContentRange(res.headers['content-range']);
        if (cr === null || cr.start !== piece.done || cr.total !== size || cr.end === null || cr.end < piece.end - 1) {
          res.body.destroy();
          await this.tries.failed(`HTTP 206 with Content-Range ${res.headers['content-range'] ?? '(none)'} for bytes ${piece.done}-${piece.end - 1}`);
          continue;
        }
        if (throughApi) {
          // Later pieces go straight to where the API sent us; the credential only while that is the API's origin.
          this.s.source = landedTarget({ url: d.url, token: d.token }, res.url);
          this.viaApi = false;
          this.s.ready.resolve(true);
        }
        const before = piece.done;
        let failed: unknown = null;
        try {
          await writePiece(res.body, piece, this.s.sink);
        } catch (err) {
          failed = err;
        }
        if (this.tries.progressed(piece.done - before)) this.refreshes = 0;
        if (failed instanceof WriteFailed) throw writeError(failed.original, d.partialPath, d.label, d.settings);
        if (failed === null && piece.done >= piece.end) return;
        if (signal.aborted) return;
        await this.tries.failed(classifyThrown(attempted(d), failed ?? new Error('the body ended early'), res.url), failed);
        continue;
      }
      await discardBody(res.body);
      if (res.status === 401 || res.status === 403) {
        const expired = offOrigin(res.url, d.url);
        if (expired && this.s.source !== null && this.s.source.url !== target.url) continue; // another connection refreshed it
        if (expired && this.refreshes++ < MAX_REFRESHES) {
          this.viaApi = true; // the signature expired: a fresh redirect from the API
          continue;
        }
      }
      await this.tries.failed(classifyStatus(attempted(d), res.status, res.statusText, res.url, this.tries.failures), undefined, res.headers['retry-after'] ?? null);
    }
  }
}

// NIMLET_MAX_CONNECTIONS: the connections all files being fetched by this process hold together. A file's first
// connection never waits (every file makes progress, none starves); its extra ones take a slot, or wait for one.
// One count for the process: files are fetched by a pool of independent tasks that share nothing else.
let held = 0;
const waiting: Array<() => void> = [];

export interface Slot { release(): void }

function slot(): Slot {
  let released = false;
  return {
    release: () => {
      if (released) return;
      released = true;
      held--;
      waiting.shift()?.();
    },
  };
}

/** A file's first connection: counted, never refused. */
export function firstConnection(): Slot {
  held++;
  return slot();
}

/** An extra connection: resolves when fewer than `max` are held; null when `signal` ends the wait. */
export function extraConnection(max: number, signal: AbortSignal): Promise<Slot | null> {
  if (held < max) {
    held++;
    return Promise.resolve(slot());
  }
  return new Promise((resolve) => {
    const wake = () => {
      if (held < max) {
        signal.removeEventListener('abort', onAbort);
        held++;
        resolve(slot());
      } else {
        waiting.push(wake);
      }
    };
    const onAbort = () => {
      const i = waiting.indexOf(wake);
      if (i >= 0) waiting.splice(i, 1);
      resolve(null);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    waiting.push(wake);
  });
}

/** For tests: connections held now. */
export const connectionsHeld = (): number => held;
