// The relay's reading of the engine's answers, as tables: the head (status line, fields, limits), how the body is
// delimited (RFC 9112 §6.3), whether the connection may be reused, and the body reader fed in every split.
import { describe, expect, it } from 'vitest';
import { bodyReader } from '../../src/front/body-reader.js';
import { bodyFraming, contentCodings, parseResponseHead, reusable, MalformedAnswerError, type BodyFraming } from '../../src/front/response-head.js';

const head = (text: string, limit = 1024) => parseResponseHead(Buffer.from(text, 'latin1'), limit);

describe('parseResponseHead', () => {
  it.each([
    ['HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\n\r\ndata', { length: 52, httpMinor: 1, status: 200, reason: 'OK', raw: ['content-type', 'text/event-stream'] }],
    ['HTTP/1.0 404 Not Found\r\n\r\n', { length: 26, httpMinor: 0, status: 404, reason: 'Not Found', raw: [] }],
    ['HTTP/1.1 200\r\n\r\n', { status: 200, reason: '' }],
    ["HTTP/1.1 418 I'm a teapot\r\nSet-Cookie: a=1\r\nset-cookie: b=2\r\n\r\n", { reason: "I'm a teapot", raw: ['Set-Cookie', 'a=1', 'set-cookie', 'b=2'] }],
    ['HTTP/1.1 200 OK\r\nx-odd:  \tcaf\xe9 \t\r\nx-empty:\r\n\r\n', { raw: ['x-odd', 'caf\xe9', 'x-empty', ''] }],
    ['HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\n\r\n', { status: 100, length: 25 }],
    // control characters in a reason: dropped, the client gets the status's usual one (a tab is allowed)
    ['HTTP/1.1 200 O\x00K\x1b[31m\r\n\r\n', { status: 200, reason: '' }],
    ['HTTP/1.1 200 O\tK\r\n\r\n', { reason: 'O\tK' }],
    // Connection and Transfer-Encoding read once, as tokens over all their lines, lower case, empty ones left out
    ['HTTP/1.1 200 OK\r\n\r\n', { connection: [], codings: [] }],
    ['HTTP/1.1 200 OK\r\nConnection: Keep-Alive, , X-Hop\r\nTransfer-Encoding: gzip\r\nconnection: close\r\ntransfer-encoding:  Chunked \r\n\r\n',
      { connection: ['keep-alive', 'x-hop', 'close'], codings: ['gzip', 'chunked'] }],
    ['HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\xa0\r\n\r\n', { codings: ['chunked\xa0'] }],
  ])('%j', (text, expected) => {
    expect(head(text)).toMatchObject(expected);
  });

  it.each(['HTTP/1.1 200 OK\r\n', 'HTTP/1.1 200 OK\r\nx: y\r\n\r', 'HTT'])('%j: not yet (null)', (text) => {
    expect(head(text)).toBeNull();
  });

  it.each([
    ['SPAM\r\n\r\n', /status line \(got "SPAM"\)/],
    ['HTTP/2 200 OK\r\n\r\n', /status line/],
    ['HTTP/1.1 099 Low\r\n\r\n', /status line/],
    ['HTTP/1.1 20 OK\r\n\r\n', /status line/],
    ['HTTP/1.1 200 OK\r\nno colon here\r\n\r\n', /malformed header line "no colon here"/],
    ['HTTP/1.1 200 OK\r\nbad name: x\r\n\r\n', /malformed header line/],
    ['HTTP/1.1 200 OK\r\nx: a\r\n  folded\r\n\r\n', /malformed header line/],
    ['HTTP/1.1 200 OK\r\nx: a\x00b\r\n\r\n', /malformed header line/],
    ['HTTP/1.1 200 OK\r\nx: a\rb\r\n\r\n', /malformed header line/],
    [`HTTP/1.1 200 OK\r\nx: ${'a'.repeat(2000)}\r\n\r\n`, /over 1024 bytes/],
  ])('%j: refused (%s)', (text, message) => {
    expect(() => head(text)).toThrow(MalformedAnswerError);
    expect(() => head(text)).toThrow(message);
  });

  it('a head still incomplete past the limit is refused before its end arrives', () => {
    expect(() => head(`HTTP/1.1 200 OK\r\nx: ${'a'.repeat(2000)}`)).toThrow(/over 1024 bytes/);
  });
});

describe('bodyFraming and reusable', () => {
  it.each<[string, string, BodyFraming | RegExp, boolean?]>([
    ['GET', 'HTTP/1.1 200 OK\r\ncontent-length: 12\r\n\r\n', { kind: 'length', length: 12 }, true],
    ['GET', 'HTTP/1.1 200 OK\r\nContent-Length: 12, 12\r\n\r\n', { kind: 'length', length: 12 }, true],
    ['GET', 'HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n', { kind: 'chunked' }, true],
    ['GET', 'HTTP/1.1 200 OK\r\ntransfer-encoding: gzip, Chunked\r\n\r\n', { kind: 'chunked' }, true],
    ['GET', 'HTTP/1.1 200 OK\r\ntransfer-encoding: chunked, gzip\r\n\r\n', { kind: 'close' }, false],
    ['GET', 'HTTP/1.1 200 OK\r\n\r\n', { kind: 'close' }, false],
    // Transfer-Encoding wins over Content-Length (RFC 9112 §6.3 item 3), and that connection is not reused
    ['GET', 'HTTP/1.1 200 OK\r\ncontent-length: 5\r\ntransfer-encoding: chunked\r\n\r\n', { kind: 'chunked' }, false],
    ['HEAD', 'HTTP/1.1 200 OK\r\ncontent-length: 12\r\n\r\n', { kind: 'none' }, true],
    ['GET', 'HTTP/1.1 204 No Content\r\n\r\n', { kind: 'none' }, true],
    ['GET', 'HTTP/1.1 304 Not Modified\r\ncontent-length: 12\r\n\r\n', { kind: 'none' }, true],
    ['GET', 'HTTP/1.1 200 OK\r\ncontent-length: 0\r\nconnection: keep-alive, Close\r\n\r\n', { kind: 'length', length: 0 }, false],
    ['GET', 'HTTP/1.0 200 OK\r\ncontent-length: 3\r\n\r\n', { kind: 'length', length: 3 }, false],
    ['GET', 'HTTP/1.1 200 OK\r\ncontent-length: 5\r\ncontent-length: 6\r\n\r\n', /unusable Content-Length \(5, 6\)/],
    ['GET', 'HTTP/1.1 200 OK\r\ncontent-length: -1\r\n\r\n', /unusable Content-Length/],
    ['GET', 'HTTP/1.1 200 OK\r\ncontent-length: 1e3\r\n\r\n', /unusable Content-Length/],
    // a field that holds no length is unusable, not absent (read to the close, the end would be a guess)
    ['GET', 'HTTP/1.1 200 OK\r\ncontent-length:\r\n\r\n', /unusable Content-Length/],
    ['GET', 'HTTP/1.1 200 OK\r\ncontent-length: ,\r\n\r\n', /unusable Content-Length/],
    // only spaces and tabs are trimmed from a token: a NBSP makes it another one (String.trim took it)
    ['GET', 'HTTP/1.1 200 OK\r\ncontent-length: 5\xa0\r\n\r\n', /unusable Content-Length/],
    ['GET', 'HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\xa0\r\n\r\n', { kind: 'close' }, false],
  ])('%s %j', (method, text, expected, reuse) => {
    const h = head(text);
    if (h === null) throw new Error('no head');
    if (expected instanceof RegExp) return void expect(() => bodyFraming(method, h)).toThrow(expected);
    expect(bodyFraming(method, h)).toEqual(expected);
    expect(reusable(h, expected)).toBe(reuse);
  });
});

describe('contentCodings', () => {
  it.each([
    ['transfer-encoding: gzip, chunked', ['gzip']],
    ['transfer-encoding: chunked', []],
    ['transfer-encoding: gzip\r\ntransfer-encoding: br, chunked', ['gzip', 'br']],
    // chunked not last: every coding is the content's (the relay refuses to pass that on)
    ['transfer-encoding: chunked, gzip', ['chunked', 'gzip']],
    ['content-length: 3', []],
  ])('%j: %j, the head left as it was', (field, expected) => {
    const h = head(`HTTP/1.1 200 OK\r\n${field}\r\n\r\n`);
    if (h === null) throw new Error('no head');
    const before = [...h.codings];
    expect(contentCodings(h)).toEqual(expected);
    expect(contentCodings(h)).toEqual(expected);
    expect(h.codings).toEqual(before);
  });
});

/** Feeds `wire` to a reader in pieces of `step` bytes; the data it reported, the bytes it used, and when it was done. */
function feedAll(framing: BodyFraming, wire: string, step: number) {
  const reader = bodyReader(framing);
  const buf = Buffer.from(wire, 'latin1');
  let data = '';
  let counted = 0;
  let used = 0;
  let doneAt = -1;
  for (let at = 0; at < buf.length && doneAt < 0; at += step) {
    const end = Math.min(buf.length, at + step);
    const fed = reader.feed(buf, at, end, (from, to) => (data += buf.toString('latin1', from, to)));
    counted += fed.data;
    used += fed.used;
    if (fed.done) doneAt = at + fed.used;
  }
  return { data, counted, used, doneAt, closeEnds: reader.closeEnds() };
}

describe('bodyReader', () => {
  const chunked = '5;name=x\r\nhello\r\n19\r\ndata: {"token":"world"}\n\n\r\n0\r\nx-trailer: 1\r\n\r\n';
  it.each([1, 2, 3, 7, 1000])('a chunked body fed %i byte(s) at a time: the data, the end, nothing after it used', (step) => {
    const r = feedAll({ kind: 'chunked' }, chunked + 'HTTP/1.1 200 OK', step);
    expect(r).toEqual({ data: 'hellodata: {"token":"world"}\n\n', counted: 30, used: chunked.length, doneAt: chunked.length, closeEnds: true });
  });

  it.each([
    ['a chunk without its CRLF', '5\r\nhelloX\r\n0\r\n\r\n', /no CRLF after a chunk/],
    ['a size that is not hex', 'zz\r\n', /chunk size line "zz"/],
    ['a size of 16 hex digits', '1000000000000000\r\n', /chunk size line/],
    ['a size line ended by LF alone', '5\nhello', /not ended by CRLF/],
    ['a size line over 4 KiB', `5;${'x'.repeat(5000)}`, /a line over 4096 bytes/],
    ['trailers over 16 KiB', `0\r\n${'x: y\r\n'.repeat(4000)}`, /trailers over 16384 bytes/],
  ])('%s: refused', (_, wire, message) => {
    expect(() => feedAll({ kind: 'chunked' }, wire, 1000)).toThrow(message);
  });

  // a size line whole in one slice is read off the bytes, one that spans slices a byte at a time: both the same
  it.each([
    '5\r\nhello\r\n0\r\n\r\n', 'A\r\n0123456789\r\n0\r\n\r\n', '5 ;x=1\r\nhello\r\n0\r\n\r\n', '5\t; a="b c"\r\nhello\r\n0\r\n\r\n',
    '5;ext\x00\xff\r\nhello\r\n0\r\n\r\n', '00005\r\nhello\r\n0000\r\n\r\n', 'fffffffffffffff\r\n',
    '\r\n', '5 \r\nhello', '5;a\rb\r\nhello', ' 5\r\nhello', '5;\r\nhello\r\n0\r\n\r\n', '-5\r\n', '0x5\r\n', '5\r\r\nhello',
  ])('the size line of %j: the same whole as a byte at a time', (wire) => {
    const outcome = (step: number): unknown => {
      try {
        return feedAll({ kind: 'chunked' }, wire, step);
      } catch (err) {
        return (err as Error).message;
      }
    };
    expect(outcome(1000)).toEqual(outcome(1));
  });

  it('a chunked body cut short does not end at the close', () => {
    expect(feedAll({ kind: 'chunked' }, '5\r\nhel', 2)).toMatchObject({ data: 'hel', doneAt: -1, closeEnds: false });
  });

  it.each([
    [{ kind: 'length', length: 5 } as const, 'helloEXTRA', { data: 'hello', used: 5, doneAt: 5, closeEnds: true }],
    [{ kind: 'length', length: 5 } as const, 'hel', { data: 'hel', used: 3, doneAt: -1, closeEnds: false }],
    [{ kind: 'close' } as const, 'all of it', { data: 'all of it', used: 9, doneAt: -1, closeEnds: true }],
    [{ kind: 'none' } as const, 'x', { data: '', used: 0, doneAt: 0, closeEnds: true }],
  ])('%j over %j', (framing, wire, expected) => {
    expect(feedAll(framing, wire, 2)).toMatchObject(expected);
  });

  it('a zero length is done before any byte: fed an empty slice', () => {
    expect(bodyReader({ kind: 'length', length: 0 }).feed(Buffer.alloc(0), 0, 0, null)).toEqual({ used: 0, data: 0, done: true });
  });
});
