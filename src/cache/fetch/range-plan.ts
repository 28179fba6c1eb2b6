// Which bytes of a file are still to fetch, and which connection fetches what. Pure. Pieces are handed out in
// file order, CHUNK bytes each, so the contiguous prefix (what can be hashed) follows the download closely and
// the hashing thread reads back pages still in the page cache. A piece in flight is never split for an idle
// connection (aria2's way): tried, and the bytes the server had already sent past the split were fetched twice,
// more than the "size + connections × 1 MiB" a killed and resumed download may cost; the tail this leaves idle
// is at most one piece (0.4 s at 20 MiB/s).

/**
 * A range still to fetch: bytes [done, end) are not in the file yet; `owned` while a connection is fetching it,
 * which has received up to `at` (bytes [done, at) are on their way to the file).
 */
export interface Piece {
  done: number;
  at: number;
  end: number;
  owned: boolean;
}

/** One request's worth: `aria2c -k8M`'s minimum split, ~0.4 s of a 20 MB/s connection. */
export const CHUNK = 8 * 1024 * 1024;
export class RangePlan {
  /** Sorted by `done`, never overlapping; a finished piece is removed. */
  readonly pieces: Piece[];

  constructor(readonly size: number, todo: ReadonlyArray<readonly [number, number]>) {
    this.pieces = todo.filter(([a, b]) => b > a).map(([done, end]) => ({ done, at: done, end, owned: false }));
    this.pieces.sort((x, y) => x.done - y.done);
  }

  /** Every byte below this is in the file: the hash may advance to here. */
  prefix(): number {
    return this.pieces[0]?.done ?? this.size;
  }

  complete(): boolean {
    return this.pieces.length === 0;
  }

  /** The next piece for an idle connection, or null when there is nothing worth taking. */
  take(): Piece | null {
    const free = this.pieces.find((p) => !p.owned);
    if (free) {
      if (free.end - free.done > CHUNK) {
        const rest: Piece = { done: free.done + CHUNK, at: free.done + CHUNK, end: free.end, owned: false };
        free.end = rest.done;
        this.pieces.splice(this.pieces.indexOf(free) + 1, 0, rest);
      }
      free.owned = true;
      return free;
    }
    return null;
  }

  /** `n` more bytes of `p` are in the file. */
  advance(p: Piece, n: number): void {
    p.done += n;
    if (p.done >= p.end) this.drop(p);
  }

  /** The connection gave `p` up (a failure, a stop): another may take it. */
  release(p: Piece): void {
    p.owned = false;
    p.at = p.done;
    if (p.done >= p.end) this.drop(p);
  }

  /** What the range map keeps: the ranges still missing. */
  todo(): Array<[number, number]> {
    return this.pieces.map((p) => [p.done, p.end]);
  }

  private drop(p: Piece): void {
    const i = this.pieces.indexOf(p);
    if (i >= 0) this.pieces.splice(i, 1);
  }
}
