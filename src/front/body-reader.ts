// Where a body ends, read off the wire as it arrives (RFC 9112 §6–§7): the engine's response's for the relay, a
// client's request's for the front's server (client-server.ts). Counted for a Content-Length, walked chunk by chunk
// for chunked transfer coding, to the connection's close otherwise (responses only). Pure and
// incremental: each slice the socket gives is fed once; the reader says how much of it was this body's and which
// parts of it were data (the framing's size lines and CRLFs are not), so the relay can pass the bytes on as they
// came or pass on the data alone, and knows when the connection is free for the next request.
import { MalformedAnswerError, type BodyFraming } from './response-head.js';

/** Longest chunk-size line (with extensions) and trailer section taken before the body is called malformed. */
const LINE_LIMIT = 4096;
const TRAILER_LIMIT = 16 * 1024;

type Phase = 'size' | 'data' | 'data-cr' | 'data-lf' | 'trailer' | 'done';

export interface Fed {
  /** Bytes of the slice that belonged to this body (the rest, if any, came after its end). */
  used: number;
  /** Data bytes among them (what a reader of the body gets). */
  data: number;
  done: boolean;
}

export interface BodyReader {
  /**
   * Feeds buf[start, end); `onData(from, to)` is told each data run in it (absolute offsets into buf). The answer is
   * the reader's own object, filled anew by each call (one per SSE event made garbage for every stream).
   */
  feed(buf: Buffer, start: number, end: number, onData: ((from: number, to: number) => void) | null): Fed;
  /** The connection closed: true when that is where the body ends, false when it was cut short. */
  closeEnds(): boolean;
}

/** What a malformed chunked body throws: the engine's is a MalformedAnswerError unless the caller says otherwise. */
export type Malformed = (what: string) => Error;
const engineBody: Malformed = (what) => new MalformedAnswerError(`the engine's chunked body is malformed: ${what}`);

export function bodyReader(framing: BodyFraming, malformed: Malformed = engineBody): BodyReader {
  switch (framing.kind) {
    case 'none': return { feed: () => ({ used: 0, data: 0, done: true }), closeEnds: () => true };
    case 'close': {
      const fed = { used: 0, data: 0, done: false };
      return {
        feed(buf, start, end, onData) {
          if (end > start) onData?.(start, end);
          return answer(fed, end - start, end - start, false);
        },
        closeEnds: () => true,
      };
    }
    case 'length': {
      let left = framing.length;
      const fed = { used: 0, data: 0, done: false };
      return {
        feed(buf, start, end, onData) {
          const n = Math.min(left, end - start);
          if (n > 0) onData?.(start, start + n);
          left -= n;
          return answer(fed, n, n, left === 0);
        },
        closeEnds: () => left === 0,
      };
    }
    case 'chunked': return chunkedReader(malformed);
  }
}

/** `fed` filled with one call's answer. */
function answer(fed: Fed, used: number, data: number, done: boolean): Fed {
  fed.used = used;
  fed.data = data;
  fed.done = done;
  return fed;
}

function chunkedReader(malformed: Malformed): BodyReader {
  const fed = { used: 0, data: 0, done: false };
  let phase: Phase = 'size';
  let left = 0; // data bytes left in the current chunk
  let line = ''; // the size line or trailer line read so far
  let trailerBytes = 0;
  const bad = (what: string): never => {
    throw malformed(what);
  };
  return {
    feed(buf, start, end, onData) {
      let i = start;
      let data = 0;
      while (i < end && phase !== 'done') {
        if (phase === 'data') {
          const n = Math.min(left, end - i);
          onData?.(i, i + n);
          data += n;
          left -= n;
          i += n;
          if (left === 0) phase = 'data-cr';
          continue;
        }
        // a size line whole in this slice (the usual case, one per event): read off the bytes, no string built
        if (phase === 'size' && line === '') {
          const next = sizeLine(buf, i, end);
          if (next > 0) {
            left = chunkSize(buf, i, next - 2, bad);
            phase = left === 0 ? 'trailer' : 'data';
            i = next;
            continue;
          }
        }
        const c = buf[i++] as number;
        if (phase === 'data-cr') phase = c === 13 ? 'data-lf' : bad('no CRLF after a chunk');
        else if (phase === 'data-lf') phase = c === 10 ? 'size' : bad('no CRLF after a chunk');
        else if (c !== 10) {
          line += String.fromCharCode(c);
          if (line.length > LINE_LIMIT) bad(`a line over ${LINE_LIMIT} bytes`);
          if (phase === 'trailer' && ++trailerBytes > TRAILER_LIMIT) bad(`trailers over ${TRAILER_LIMIT} bytes`);
        } else {
          if (!line.endsWith('\r')) bad('a line not ended by CRLF');
          const text = line.slice(0, -1);
          line = '';
          if (phase === 'trailer') {
            if (text === '') phase = 'done';
          } else {
            // chunk-size [ BWS ; chunk-ext ] (RFC 9112 §7.1.1: spaces only before an extension): at most 15 hex digits
            // (2^60 bytes), so the count stays exact in a double
            const size = /^([0-9A-Fa-f]{1,15})(?:[ \t]*;.*)?$/.exec(text);
            if (size === null) bad(`chunk size line ${JSON.stringify(text.slice(0, 20))}`);
            left = parseInt((size as RegExpExecArray)[1] as string, 16);
            phase = left === 0 ? 'trailer' : 'data';
          }
        }
      }
      return answer(fed, i - start, data, phase === 'done');
    },
    closeEnds: () => phase === 'done',
  };
}

/** Where the CRLF-ended line at buf[at…] ends (past its LF) when it is whole in buf[at, end) within LINE_LIMIT; 0 if not. */
function sizeLine(buf: Buffer, at: number, end: number): number {
  const stop = Math.min(end, at + LINE_LIMIT + 1);
  for (let j = at; j < stop; j++) if (buf[j] === 10) return j > at && buf[j - 1] === 13 ? j + 1 : 0;
  return 0;
}

/** The value of hex digit `c`, -1 for another byte. */
function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/**
 * The chunk size of the line buf[at, cr) (its CRLF excluded): chunk-size [ BWS ; chunk-ext ], as the size line
 * read a byte at a time is taken (RFC 9112 §7.1.1: spaces only before an extension), at most 15 hex digits.
 */
function chunkSize(buf: Buffer, at: number, cr: number, bad: (what: string) => never): number {
  let k = at;
  let size = 0;
  for (let h = hexValue(buf[k] as number); k < cr && h >= 0; h = hexValue(buf[++k] as number)) size = size * 16 + h;
  let ok = k > at && k - at <= 15;
  if (ok && k < cr) {
    while (k < cr && (buf[k] === 32 || buf[k] === 9)) k++;
    ok = buf[k] === 59 && k < cr;
    // the extension is anything but a CR (its LF ended the line)
    for (k++; ok && k < cr; k++) if (buf[k] === 13) ok = false;
  }
  if (!ok) bad(`chunk size line ${JSON.stringify(buf.toString('latin1', at, cr).slice(0, 20))}`);
  return size;
}
