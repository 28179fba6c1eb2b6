// ora draws on a stream; nimlet's commands write through a `stderr(text)` function (tests capture it).
// This adapter is that stream: a terminal for ora, with the few cursor moves ora makes as ANSI sequences.
import { Writable } from 'node:stream';

export type TtyLike = Writable & {
  isTTY: true;
  columns: number;
  cursorTo(x: number, cb?: () => void): boolean;
  moveCursor(dx: number, dy: number, cb?: () => void): boolean;
  clearLine(dir: -1 | 0 | 1, cb?: () => void): boolean;
};

export function ttyStream(write: (s: string) => void, columns = 80): TtyLike {
  const stream = new Writable({
    write(chunk: Buffer | string, _enc, done) {
      write(typeof chunk === 'string' ? chunk : chunk.toString('utf8'));
      done();
    },
  }) as TtyLike;
  const emit = (s: string, cb?: () => void): boolean => {
    write(s);
    cb?.();
    return true;
  };
  Object.assign(stream, {
    isTTY: true,
    columns,
    cursorTo: (x: number, cb?: () => void) => emit(`\x1b[${x + 1}G`, cb),
    moveCursor: (dx: number, dy: number, cb?: () => void) =>
      emit(`${dx > 0 ? `\x1b[${dx}C` : dx < 0 ? `\x1b[${-dx}D` : ''}${dy > 0 ? `\x1b[${dy}B` : dy < 0 ? `\x1b[${-dy}A` : ''}`, cb),
    clearLine: (dir: -1 | 0 | 1, cb?: () => void) => emit(dir < 0 ? '\x1b[1K' : dir > 0 ? '\x1b[0K' : '\x1b[2K', cb),
  });
  return stream;
}
