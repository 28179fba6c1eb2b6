// The engine's response head as the front's relay reads it off the wire (RFC 9112 §4–§6), and how its body is
// delimited. Pure: bytes in, a head or "not yet" or a MalformedAnswerError out. The relay (proxy.ts) reads the
// engine's bytes itself, rather than through node:http's client, so that a streamed body can pass on as it came:
// per SSE event that saves a parse into a stream, a pipe and a re-chunking (bench/front.mjs, CPU per 1k tokens).

/**
 * An engine answer the front cannot pass on as HTTP, in its head or (body-reader.ts) its body framing; the relay
 * turns it into a 502 before the client has a head, a cut stream after.
 */
export class MalformedAnswerError extends Error {}

export interface ResponseHead {
  /** Bytes the head took, its blank line included. */
  length: number;
  httpMinor: 0 | 1;
  status: number;
  reason: string;
  /** Names and values in the order sent, as node:http's `writeHead` takes them: [name, value, name, value, …]. */
  raw: string[];
  /** Each field's name in lower case (names[i] is raw[2i]'s), lowered once: every decision below reads them. */
  names: string[];
}

/** How the body after a head ends (RFC 9112 §6.3). */
export type BodyFraming =
  | { kind: 'none' }
  | { kind: 'length'; length: number }
  | { kind: 'chunked' }
  | { kind: 'close' };

const STATUS_LINE = /^HTTP\/1\.([01]) ([1-9]\d\d)(?: ([^\r\n]*))?$/;
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// field values: visible ASCII, space, tab and obs-text (RFC 9110 §5.5); node:http refuses to send anything else
const FIELD_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

/** The head at the start of `buf`, or null while its blank line has not arrived (within `limit` bytes). */
export function parseResponseHead(buf: Buffer, limit: number): ResponseHead | null {
  const end = buf.indexOf('\r\n\r\n');
  if (end < 0) {
    if (buf.length > limit) throw new MalformedAnswerError(`the engine's response head is over ${limit} bytes`);
    return null;
  }
  if (end + 4 > limit) throw new MalformedAnswerError(`the engine's response head is over ${limit} bytes`);
  const lines = buf.toString('latin1', 0, end).split('\r\n');
  const m = STATUS_LINE.exec(lines[0] ?? '');
  if (m === null) throw new MalformedAnswerError(`the engine did not answer with an HTTP/1 status line (got ${JSON.stringify((lines[0] ?? '').slice(0, 40))})`);
  const raw: string[] = [];
  const names: string[] = [];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i] as string;
    const colon = line.indexOf(':');
    const name = colon > 0 ? line.slice(0, colon) : '';
    const value = line.slice(colon + 1).trim();
    // obs-fold, a name with spaces or no colon: RFC 9112 §5 lets a proxy reject them, and node:http would throw
    if (!TOKEN.test(name) || !FIELD_VALUE.test(value)) throw new MalformedAnswerError(`the engine sent a malformed header line ${JSON.stringify(line.slice(0, 40))}`);
    raw.push(name, value);
    names.push(name.toLowerCase());
  }
  return { length: end + 4, httpMinor: m[1] === '0' ? 0 : 1, status: Number(m[2]), reason: m[3] ?? '', raw, names };
}

/** Every value of field `name` (lower case). Plain loops here and below: they run several times per request. */
export function headerValues(head: Pick<ResponseHead, 'raw' | 'names'>, name: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < head.names.length; i++) if (head.names[i] === name) out.push(head.raw[2 * i + 1] as string);
  return out;
}

/** The comma-separated tokens of `values`, lower case, empty ones left out (Connection, Transfer-Encoding). */
export function listTokens(values: readonly string[]): string[] {
  const out: string[] = [];
  for (const v of values) {
    for (const t of v.split(',')) {
      const token = t.trim().toLowerCase();
      if (token !== '') out.push(token);
    }
  }
  return out;
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
