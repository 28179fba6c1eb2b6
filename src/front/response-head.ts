// The engine's response head as the front's relay reads it off the wire (RFC 9112 §4–§6), and how its body is
// delimited. Pure: bytes in, a head or "not yet" or a MalformedAnswerError out. The relay (proxy.ts) reads the
// engine's bytes itself, rather than through node:http's client, so that a streamed body can pass on as it came:
// per SSE event that saves a parse into a stream, a pipe and a re-chunking (bench/front.mjs, CPU per 1k tokens).

/**
 * An engine answer the front cannot pass on as HTTP, in its head or (body-reader.ts) its body framing; the relay
 * turns it into a 502 before the client has a head, a cut stream after.
 */
export class MalformedAnswerError extends Error {}

import { headEnd, headerValues, listTokens, parseFields, type Fields } from './fields.js';

export interface ResponseHead extends Fields {
  /** Bytes the head took, its blank line included. */
  length: number;
  httpMinor: 0 | 1;
  status: number;
  reason: string;
  /** The Connection field's tokens, lower case, over all its lines: read once here for the framing, reuse and relay. */
  connection: readonly string[];
  /** The Transfer-Encoding field's codings, lower case, in order, over all its lines. */
  codings: readonly string[];
}

/** How the body after a head ends (RFC 9112 §6.3). */
export type BodyFraming =
  | { kind: 'none' }
  | { kind: 'length'; length: number }
  | { kind: 'chunked' }
  | { kind: 'close' };

// the framings without a length, one object each rather than one per answer
const NO_BODY: BodyFraming = Object.freeze({ kind: 'none' });
const CHUNKED: BodyFraming = Object.freeze({ kind: 'chunked' });
const TO_CLOSE: BodyFraming = Object.freeze({ kind: 'close' });
const NONE: readonly string[] = Object.freeze([]);

/** The head at the start of `buf`, or null while its blank line has not arrived (within `limit` bytes). */
export function parseResponseHead(buf: Buffer, limit: number): ResponseHead | null {
  const end = headEnd(buf, 0);
  if (end < 0) {
    if (buf.length > limit) throw new MalformedAnswerError(`the engine's response head is over ${limit} bytes`);
    return null;
  }
  if (end + 4 > limit) throw new MalformedAnswerError(`the engine's response head is over ${limit} bytes`);
  const text = buf.toString('latin1', 0, end);
  let lineEnd = text.indexOf('\r\n');
  if (lineEnd < 0) lineEnd = text.length;
  const status = statusCode(text, lineEnd);
  if (status === 0) throw new MalformedAnswerError(`the engine did not answer with an HTTP/1 status line (got ${JSON.stringify(text.slice(0, Math.min(lineEnd, 40)))})`);
  const { raw, names } = parseFields(text, lineEnd + 2, (line) => new MalformedAnswerError(`the engine sent a malformed header line ${JSON.stringify(line.slice(0, 40))}`));
  // the reason phrase: after the code's space, up to the line's end (a bare CR or LF in it failed statusCode); one
  // with other control characters is dropped, the client gets the status's usual one (RFC 9112 §4: HTAB, SP, VCHAR,
  // obs-text), rather than an escape sequence or a NUL for its terminal or its log
  const reason = lineEnd > 12 && printable(text, 13, lineEnd) ? text.slice(13, lineEnd) : '';
  let connection: string[] | null = null;
  let codings: string[] | null = null;
  for (let i = 0; i < names.length; i++) {
    if (names[i] === 'connection') (connection ??= []).push(raw[2 * i + 1] as string);
    else if (names[i] === 'transfer-encoding') (codings ??= []).push(raw[2 * i + 1] as string);
  }
  return {
    length: end + 4, httpMinor: text.charCodeAt(7) === 48 ? 0 : 1, status, reason, raw, names,
    connection: connection === null ? NONE : listTokens(connection), codings: codings === null ? NONE : listTokens(codings),
  };
}

/** text[a, b) holds only HTAB, SP, VCHAR and obs-text. */
function printable(text: string, a: number, b: number): boolean {
  for (let i = a; i < b; i++) {
    const c = text.charCodeAt(i);
    if ((c < 0x20 && c !== 9) || c === 0x7f) return false;
  }
  return true;
}

/**
 * The status code of text[0, lineEnd) as `HTTP/1.x SP code [SP reason]` (RFC 9112 §4): x 0 or 1, a code 100–999, a
 * reason of anything but CR and LF; 0 when it is not such a line.
 */
function statusCode(text: string, lineEnd: number): number {
  if (lineEnd < 12 || !text.startsWith('HTTP/1.', 0) || text.charCodeAt(8) !== 32) return 0;
  const minor = text.charCodeAt(7);
  if (minor !== 48 && minor !== 49) return 0;
  const a = text.charCodeAt(9) - 48;
  const b = text.charCodeAt(10) - 48;
  const c = text.charCodeAt(11) - 48;
  if (a < 1 || a > 9 || b < 0 || b > 9 || c < 0 || c > 9) return 0;
  if (lineEnd > 12) {
    if (text.charCodeAt(12) !== 32) return 0;
    for (let i = 13; i < lineEnd; i++) {
      const x = text.charCodeAt(i);
      if (x === 13 || x === 10) return 0;
    }
  }
  return 100 * a + 10 * b + c;
}

/** How the body of a response to `method` with this head is delimited. */
export function bodyFraming(method: string, head: ResponseHead): BodyFraming {
  if (method === 'HEAD' || head.status < 200 || head.status === 204 || head.status === 304) return NO_BODY;
  const codings = head.codings;
  // a final chunked coding delimits the body; any other coding leaves it to the connection's close
  if (codings.length > 0) return codings.at(-1) === 'chunked' ? CHUNKED : TO_CLOSE;
  const values = headerValues(head, 'content-length');
  if (values.length === 0) return TO_CLOSE;
  // a Content-Length field that holds no length (empty, a lone comma) is as unusable as a wrong one (RFC 9112 §6.3
  // item 5), not an absent one: read to the close, the body's end would be the engine's guess and not the front's
  const lengths = new Set(listTokens(values));
  const [only] = lengths;
  if (lengths.size > 1 || only === undefined || !/^\d{1,15}$/.test(only)) {
    throw new MalformedAnswerError(`the engine sent an unusable Content-Length (${[...lengths].join(', ').slice(0, 40)})`);
  }
  return { kind: 'length', length: Number(only) };
}

/**
 * The transfer codings the engine applied to the content before the chunked framing (RFC 9112 §6.1): "gzip" of
 * "gzip, chunked", all of them when chunked is not last. The front does not undo them; a client must be told them.
 */
export function contentCodings(head: ResponseHead): readonly string[] {
  return head.codings.at(-1) === 'chunked' ? head.codings.slice(0, -1) : head.codings;
}

/**
 * Whether the connection may carry another request after this response: HTTP/1.1, no `Connection: close`, a body
 * that ends by its own framing, and no Transfer-Encoding beside a Content-Length (RFC 9112 §6.3 item 3: a
 * request smuggling sign; the connection is closed after the response).
 */
export function reusable(head: ResponseHead, framing: BodyFraming): boolean {
  if (head.httpMinor === 0 || framing.kind === 'close') return false;
  if (head.connection.includes('close')) return false;
  return !(head.names.includes('transfer-encoding') && head.names.includes('content-length'));
}
