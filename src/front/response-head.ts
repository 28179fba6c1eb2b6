// The engine's response head as the front's relay reads it off the wire (RFC 9112 §4–§6), and how its body is
// delimited. Pure: bytes in, a head or "not yet" or a MalformedAnswerError out. The relay (proxy.ts) reads the
// engine's bytes itself, rather than through node:http's client, so that a streamed body can pass on as it came:
// per SSE event that saves a parse into a stream, a pipe and a re-chunking (bench/front.mjs, CPU per 1k tokens).

/**
 * An engine answer the front cannot pass on as HTTP, in its head or (body-reader.ts) its body framing; the relay
 * turns it into a 502 before the client has a head, a cut stream after.
 */
export class MalformedAnswerError extends Error {}

import { HEAD_END, headerValues, listTokens, parseFieldLines, type Fields } from './fields.js';

export interface ResponseHead extends Fields {
  /** Bytes the head took, its blank line included. */
  length: number;
  httpMinor: 0 | 1;
  status: number;
  reason: string;
}

/** How the body after a head ends (RFC 9112 §6.3). */
export type BodyFraming =
  | { kind: 'none' }
  | { kind: 'length'; length: number }
  | { kind: 'chunked' }
  | { kind: 'close' };

const STATUS_LINE = /^HTTP\/1\.([01]) ([1-9]\d\d)(?: ([^\r\n]*))?$/;

/** The head at the start of `buf`, or null while its blank line has not arrived (within `limit` bytes). */
export function parseResponseHead(buf: Buffer, limit: number): ResponseHead | null {
  const end = buf.indexOf(HEAD_END);
  if (end < 0) {
    if (buf.length > limit) throw new MalformedAnswerError(`the engine's response head is over ${limit} bytes`);
    return null;
  }
  if (end + 4 > limit) throw new MalformedAnswerError(`the engine's response head is over ${limit} bytes`);
  const lines = buf.toString('latin1', 0, end).split('\r\n');
  const m = STATUS_LINE.exec(lines[0] ?? '');
  if (m === null) throw new MalformedAnswerError(`the engine did not answer with an HTTP/1 status line (got ${JSON.stringify((lines[0] ?? '').slice(0, 40))})`);
  const { raw, names } = parseFieldLines(lines, 1, (line) => new MalformedAnswerError(`the engine sent a malformed header line ${JSON.stringify(line.slice(0, 40))}`));
  return { length: end + 4, httpMinor: m[1] === '0' ? 0 : 1, status: Number(m[2]), reason: m[3] ?? '', raw, names };
}

/** How the body of a response to `method` with this head is delimited. */
export function bodyFraming(method: string, head: ResponseHead): BodyFraming {
  if (method === 'HEAD' || head.status < 200 || head.status === 204 || head.status === 304) return { kind: 'none' };
  const codings = listTokens(headerValues(head, 'transfer-encoding'));
  // a final chunked coding delimits the body; any other coding leaves it to the connection's close
  if (codings.length > 0) return codings.at(-1) === 'chunked' ? { kind: 'chunked' } : { kind: 'close' };
  const lengths = new Set(listTokens(headerValues(head, 'content-length')));
  if (lengths.size === 0) return { kind: 'close' };
  const [only] = lengths;
  if (lengths.size > 1 || only === undefined || !/^\d{1,15}$/.test(only)) {
    throw new MalformedAnswerError(`the engine sent an unusable Content-Length (${[...lengths].join(', ').slice(0, 40)})`);
  }
  return { kind: 'length', length: Number(only) };
}

/**
 * Whether the connection may carry another request after this response: HTTP/1.1, no `Connection: close`, a body
 * that ends by its own framing, and no Transfer-Encoding beside a Content-Length (RFC 9112 §6.3 item 3: a
 * request smuggling sign; the connection is closed after the response).
 */
export function reusable(head: ResponseHead, framing: BodyFraming): boolean {
  if (head.httpMinor === 0 || framing.kind === 'close') return false;
  if (listTokens(headerValues(head, 'connection')).includes('close')) return false;
  return !(head.names.includes('transfer-encoding') && head.names.includes('content-length'));
}
