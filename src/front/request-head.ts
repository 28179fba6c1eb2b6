// A client's request head as the front reads it off the wire (RFC 9112 §2–§7), strictly. Pure: bytes in, a head
// or "not yet" or a BadRequestError out. The front parses its clients' requests itself (client-server.ts), and what
// it forwards to the engine is rebuilt from this parse with its own framing (relay-heads.ts), never the client's
// bytes: so the engine can only ever see the requests the front saw. Everything whose framing two parsers could
// read differently is refused rather than guessed at (request smuggling, RFC 9112 §11.2): a bare CR or LF, obs-fold,
// space before a colon, more than one Content-Length, Transfer-Encoding beside Content-Length or in HTTP/1.0, a
// coding other than one final chunked, a missing or repeated Host.

/** A request the front refuses: answered with `status` and the connection closed, nothing of it sent on. */
export class BadRequestError extends Error {
  constructor(readonly status: 400 | 417 | 431 | 501 | 505, message: string) {
    super(message);
  }
}

/** How the request's body is delimited: nothing, a Content-Length, or chunked. */
export type RequestFraming = { kind: 'none' } | { kind: 'length'; length: number } | { kind: 'chunked' };

import { headEnd, isTokenChar, listTokens, parseFields, type Fields } from './fields.js';

export interface RequestHead extends Fields {
  /** Bytes the head took, blank lines before it and its own blank line included. */
  length: number;
  method: string;
  /** The request-target as sent (origin-form, absolute-form, or `*`). */
  target: string;
  httpMinor: 0 | 1;
  framing: RequestFraming;
  /** The client lets the connection carry another request after this one (HTTP/1.1 without close, or 1.0 asking). */
  keepAlive: boolean;
  /** `Expect: 100-continue`: the client waits for a 100 before sending its body. */
  expectContinue: boolean;
  /** The Connection header's tokens, lower case: the fields they name are this hop's only. */
  connection: string[];
}

const DIGITS = /^\d{1,15}$/;

/** The value of the first field `name` (lower case), undefined when there is none. */
export function fieldOf(head: Fields, name: string): string | undefined {
  const at = head.names.indexOf(name);
  return at < 0 ? undefined : (head.raw[2 * at + 1] as string);
}

/**
 * The head at the start of `buf`, or null while its blank line has not arrived; over `limit` bytes: 431. `checked`:
 * the bytes an earlier call already looked at and returned null for (the head arriving in pieces), not looked at
 * again: a head trickled a byte at a time costs its length, not its length squared. `dropped`: bytes of blank lines
 * before `buf` the caller has already dropped (leadingBlankLines), which count toward the limit.
 */
export function parseRequestHead(buf: Buffer, limit: number, checked = 0, dropped = 0): RequestHead | null {
  // empty lines before a request line are skipped (RFC 9112 §2.2): some clients send a CRLF after a POST body
  const start = leadingBlankLines(buf);
  // the blank lines count toward the limit: skipped and held, a flood of them grew the buffer without bound
  if (start + 1 >= buf.length && buf.length + dropped > limit) throw new BadRequestError(431, `the request head is over ${limit} bytes`);
  if (start === buf.length || (buf[start] === 13 && start + 1 === buf.length)) return null;
  const end = headEnd(buf, Math.max(start, checked - 3));
  if (end < 0) {
    if (buf.length + dropped > limit) throw new BadRequestError(431, `the request head is over ${limit} bytes`);
    // a head that cannot become a request is refused at once, not when its blank line comes (or never does)
    checkNewLineEnds(buf, Math.max(start, checked - 1));
    return null;
  }
  if (end + 4 + dropped > limit) throw new BadRequestError(431, `the request head is over ${limit} bytes`);
  const text = buf.toString('latin1', start, end);
  const malformed = (what: string, line: string): BadRequestError =>
    /[\r\n]/.test(line) ? bareCrOrLf() : new BadRequestError(400, `${what} is malformed (${JSON.stringify(line.slice(0, 40))})`);
  let lineEnd = text.indexOf('\r\n');
  if (lineEnd < 0) lineEnd = text.length;
  const line = requestLine(text, lineEnd);
  if (line === null) throw malformed('the request line', text.slice(0, lineEnd));
  const { method, major, minor } = line;
  // a string of its own, not a slice of the head's text: the target (the request log's path) lives as long as the
  // request, and a slice would keep the whole text alive with it
  const target = buf.toString('latin1', start + line.targetAt, start + line.targetEnd);
  if (major !== '1' || (minor !== '0' && minor !== '1')) throw new BadRequestError(505, `HTTP/${major}.${minor} is not served here: HTTP/1.1 or 1.0`);
  // obs-fold (a line starting with a space) and a space before the colon are refused (RFC 9112 §5.1, §5.2)
  const head = parseFields(text, lineEnd + 2, (l) => malformed('a header line', l));
  const { raw, names } = head;
  const httpMinor = minor === '0' ? 0 : 1;
  checkTarget(method, target);
  const f = framingFields(head);
  if (f.hosts > 1 || (f.hosts === 0 && httpMinor === 1)) throw new BadRequestError(400, `an HTTP/1.${httpMinor} request needs ${httpMinor === 1 ? 'exactly' : 'at most'} one Host header (it has ${f.hosts})`);
  if (f.host !== undefined && !HOST.test(f.host)) throw new BadRequestError(400, `the Host header ${JSON.stringify(f.host.slice(0, 40))} is not a host and port`);
  const connection = f.connection === null ? [] : listTokens(f.connection);
  if (f.expects > 1 || (f.expect !== undefined && f.expect.toLowerCase() !== '100-continue')) {
    throw new BadRequestError(417, 'only "Expect: 100-continue" is understood');
  }
  return {
    length: end + 4, method, target, httpMinor, raw, names, framing: framingOf(f, httpMinor),
    keepAlive: httpMinor === 1 ? !connection.includes('close') : connection.includes('keep-alive') && !connection.includes('close'),
    expectContinue: f.expect !== undefined && httpMinor === 1, connection,
  };
}

/** The fields the front's decisions about a request read, gathered in one pass over its names. */
interface FramingFields {
  hosts: number;
  /** The first Host's value. */
  host: string | undefined;
  expects: number;
  /** The first Expect's value. */
  expect: string | undefined;
  lengths: number;
  /** The first Content-Length's value. */
  length: string | undefined;
  /** Every Transfer-Encoding value; null: none. */
  codings: string[] | null;
  /** Every Connection value; null: none. */
  connection: string[] | null;
}

function framingFields({ names, raw }: Fields): FramingFields {
  const f: FramingFields = { hosts: 0, host: undefined, expects: 0, expect: undefined, lengths: 0, length: undefined, codings: null, connection: null };
  for (let i = 0; i < names.length; i++) {
    const value = raw[2 * i + 1] as string;
    switch (names[i]) {
      case 'host': if (f.hosts++ === 0) f.host = value; break;
      case 'expect': if (f.expects++ === 0) f.expect = value; break;
      case 'content-length': if (f.lengths++ === 0) f.length = value; break;
      case 'transfer-encoding': (f.codings ??= []).push(value); break;
      case 'connection': (f.connection ??= []).push(value); break;
    }
  }
  return f;
}

/** How many bytes of empty lines (CRLF pairs) `buf` starts with. */
export function leadingBlankLines(buf: Buffer): number {
  let n = 0;
  while (buf[n] === 13 && buf[n + 1] === 10) n += 2;
  return n;
}

const bareCrOrLf = (): BadRequestError => new BadRequestError(400, 'the request head has a bare CR or LF: its lines end in CRLF');

/**
 * text[0, lineEnd) as `method SP request-target SP HTTP/d.d` (RFC 9112 §3): single spaces, a method of token
 * characters, a target of visible ASCII (clients percent-encode the rest) at [targetAt, targetEnd); null when it is
 * not one.
 */
function requestLine(text: string, lineEnd: number): { method: string; targetAt: number; targetEnd: number; major: string; minor: string } | null {
  let i = 0;
  while (i < lineEnd && isTokenChar(text.charCodeAt(i))) i++;
  if (i === 0 || i === lineEnd || text.charCodeAt(i) !== 32) return null;
  const targetAt = i + 1;
  i = targetAt;
  while (i < lineEnd) {
    const c = text.charCodeAt(i);
    if (c < 0x21 || c > 0x7e) break;
    i++;
  }
  // the rest is exactly " HTTP/d.d"
  if (i === targetAt || lineEnd - i !== 9 || !text.startsWith(' HTTP/', i) || text.charCodeAt(i + 7) !== 46) return null;
  const major = text.charCodeAt(i + 6);
  const minor = text.charCodeAt(i + 8);
  if (major < 48 || major > 57 || minor < 48 || minor > 57) return null;
  return { method: text.slice(0, targetAt - 1), targetAt, targetEnd: i, major: text[i + 6] as string, minor: text[i + 8] as string };
}

/** buf[at…] of a head not yet whole has no bare CR or LF (a CR at the very end may yet get its LF). */
function checkNewLineEnds(buf: Buffer, at: number): void {
  for (let i = at; i < buf.length; i++) {
    const c = buf[i];
    if ((c === 10 && buf[i - 1] !== 13) || (c === 13 && i + 1 < buf.length && buf[i + 1] !== 10)) throw bareCrOrLf();
  }
}

/**
 * uri-host [":" port] (RFC 9112 §3.2, RFC 3986 §3.2.2): an IP literal in brackets or a reg-name (possibly empty,
 * for a target without an authority). A Host with anything else is refused (§3.2 asks for a 400): a space, a slash
 * or an @ in it are read differently by whoever routes on it.
 */
const HOST = /^(?:\[[0-9A-Za-z:.\-_~!$&'()*+,;=]+\]|[0-9A-Za-z\-._~!$&'()*+,;=%]*)(?::\d*)?$/;
/** An absolute-form target's scheme and authority (no userinfo: RFC 9110 §4.2.4). */
const ABSOLUTE = /^https?:\/\/(?:\[[0-9A-Za-z:.\-_~!$&'()*+,;=]+\]|[0-9A-Za-z\-._~!$&'()*+,;=%]+)(?::\d*)?(?:[/?#]|$)/i;

/** The target's form fits the method (RFC 9112 §3.2): no tunnels (CONNECT), `*` for OPTIONS only. */
function checkTarget(method: string, target: string): void {
  if (method === 'CONNECT') throw new BadRequestError(501, 'CONNECT is not served: nimlet is not a tunnel');
  if (target === '*' ? method === 'OPTIONS' : target.startsWith('/') || ABSOLUTE.test(target)) return;
  throw new BadRequestError(400, `the request target ${JSON.stringify(target.slice(0, 40))} is not a path, an absolute URL or * (for OPTIONS)`);
}

/** How the body is delimited (RFC 9112 §6.3), refusing every head two parsers could delimit differently. */
function framingOf(f: FramingFields, httpMinor: 0 | 1): RequestFraming {
  if (f.codings !== null) {
    if (httpMinor === 0) throw new BadRequestError(400, 'Transfer-Encoding in an HTTP/1.0 request');
    if (f.lengths > 0) throw new BadRequestError(400, 'Transfer-Encoding and Content-Length together');
    const codings = listTokens(f.codings);
    if (codings.length === 1 && codings[0] === 'chunked') return { kind: 'chunked' };
    // a final chunked after other codings is well framed, but nimlet does not decode gzip and the like for the engine
    if (codings.at(-1) === 'chunked' && !codings.slice(0, -1).includes('chunked')) throw new BadRequestError(501, `Transfer-Encoding ${codings.join(', ')}: only chunked is supported`);
    throw new BadRequestError(400, `Transfer-Encoding ${JSON.stringify(codings.join(', ').slice(0, 40))} does not end in one chunked coding`);
  }
  const value = f.length;
  if (value === undefined) return { kind: 'none' };
  if (f.lengths > 1 || !DIGITS.test(value)) throw new BadRequestError(400, `Content-Length must be one whole number of bytes (got ${f.lengths > 1 ? `${f.lengths} fields` : JSON.stringify(value.slice(0, 20))})`);
  return { kind: 'length', length: Number(value) };
}
