// The range map beside a partial (`<partial>.ranges`): which byte ranges of the file are still missing, so that a
// ranged download resumes after SIGTERM or SIGKILL. It lies on a volume other pods write, so it is opened like the
// partial (O_NOFOLLOW, regular files only) and believed only as far as it is well formed: a map that lies about
// which bytes are in place only costs a fetch again, because the whole file is hashed before it is published.
import { constants } from 'node:fs';
import { open, rm, type FileHandle } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { claimPartial } from './partial-file.js';

const MIN_INTERVAL_MS = 20;

export const mapPath = (partial: string): string => `${partial}.ranges`;

/** At most this many ranges (a file of 1 TiB in 8 MiB pieces, owned by 64 connections, needs far fewer). */
const MAX_RANGES = 4096;
const MAX_BYTES = 256 * 1024;

/** The missing ranges the map names for a file of `size` bytes, or null when there is no usable map. */
export async function readRangeMap(partial: string, size: number): Promise<Array<[number, number]> | null> {
  const file = mapPath(partial);
  if ((await claimPartial(file)) === 0) return null; // none, or a link/FIFO planted there (removed)
  let text: string;
  try {
    const fh = await open(file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
    try {
      const st = await fh.stat();
      if (!st.isFile() || st.size > MAX_BYTES) return null;
      text = (await fh.readFile()).toString('utf8');
    } finally {
      await fh.close();
    }
  } catch {
    return null;
  }
  return parseRangeMap(text, size);
}

/** Pure: well formed means sorted, disjoint ranges of whole numbers inside [0, size). */
export function parseRangeMap(text: string, size: number): Array<[number, number]> | null {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return null;
  }
  const m = v as { v?: unknown; size?: unknown; todo?: unknown };
  if (typeof m !== 'object' || m === null || m.v !== 1 || m.size !== size || !Array.isArray(m.todo) || m.todo.length > MAX_RANGES) return null;
  const out: Array<[number, number]> = [];
  let last = 0;
  for (const r of m.todo as unknown[]) {
    if (!Array.isArray(r) || r.length !== 2) return null;
    const [a, b] = r as unknown[];
    if (!Number.isSafeInteger(a) || !Number.isSafeInteger(b)) return null;
    if ((a as number) < last || (b as number) <= (a as number) || (b as number) > size) return null;
    out.push([a as number, b as number]);
    last = b as number;
  }
  return out;
}

/** Keeps the map up to date while a ranged download runs: one write in flight, the latest state wins. */
export class RangeMapWriter {
  private fh: FileHandle | null = null;
  private written = 0;
  /** The state to write next, read when the write starts: every written piece calls update(), few writes happen. */
  private pending: (() => ReadonlyArray<readonly [number, number]>) | null = null;
  private running: Promise<void> = Promise.resolve();

  constructor(private readonly partial: string, private readonly size: number) {}

  async open(): Promise<void> {
    const file = mapPath(this.partial);
    await claimPartial(file);
    this.fh = await open(file, constants.O_RDWR | constants.O_CREAT | constants.O_NOFOLLOW | constants.O_NONBLOCK, 0o644);
    if (!(await this.fh.stat()).isFile()) throw Object.assign(new Error(`${file} is not a regular file`), { code: 'ELOOP', syscall: 'open' });
    await this.fh.truncate(0);
  }

  /** Records what `todo()` returns when the write starts (soon); save() after the last update waits for it. */
  update(todo: () => ReadonlyArray<readonly [number, number]>): void {
    const first = this.pending === null;
    this.pending = todo;
    if (first) this.running = this.running.then(() => this.flush());
  }

  async save(todo: ReadonlyArray<readonly [number, number]>): Promise<void> {
    this.update(() => todo);
    await this.running;
  }

  async close(): Promise<void> {
    await this.running;
    await this.fh?.close().catch(() => undefined);
    this.fh = null;
  }

  private async flush(): Promise<void> {
    const todo = this.pending;
    this.pending = null;
    if (todo === null || this.fh === null) return;
    const text = JSON.stringify({ v: 1, size: this.size, todo: todo() });
    // Written over the old text in one write; spaces cover a longer old one (JSON ignores them). A kill cannot
    // tear a write of a few KiB into the page cache, and a power loss that does only costs a fetch again.
    const body = Buffer.from(text.padEnd(this.written, ' '));
    await this.fh.write(body, 0, body.length, 0).catch(() => undefined);
    this.written = body.length;
    // At most one write per interval: at 20 MiB/s a connection adds 0.4 MiB meanwhile, what a SIGKILL may cost it.
    await sleep(MIN_INTERVAL_MS);
  }
}

export async function removeRangeMap(partial: string): Promise<void> {
  await rm(mapPath(partial), { force: true });
}
