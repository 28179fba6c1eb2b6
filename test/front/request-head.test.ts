// The client's request head as the front parses it (request-head.ts): what it reads from a well-formed head, and
// every head it refuses, with the status each gets. The refusals are the request-smuggling shapes of RFC 9112 §11.2
// and the framing rules of §6: anything two parsers could delimit differently.
import { describe, expect, it } from 'vitest';
import { BadRequestError, parseRequestHead, type RequestHead } from '../../src/front/request-head.js';

const LIMIT = 16 * 1024;
const parse = (text: string): ReturnType<typeof parseRequestHead> => parseRequestHead(Buffer.from(text, 'latin1'), LIMIT);
const head = (lines: string[]): string => `${lines.join('\r\n')}\r\n\r\n`;
const refusal = (text: string): number | 'none' => {
  try {
    parse(text);
    return 'none';
  } catch (err) {
    if (!(err instanceof BadRequestError)) throw err;
    return err.status;
  }
};

describe('parseRequestHead: what a well-formed head says', () => {
  it.each([
    ['a GET', ['GET /v1/models HTTP/1.1', 'Host: a'], { method: 'GET', target: '/v1/models', httpMinor: 1, framing: { kind: 'none' }, keepAlive: true, expectContinue: false }],
    ['a counted body', ['POST /x?y=1 HTTP/1.1', 'Host: a', 'Content-Length: 5'], { method: 'POST', target: '/x?y=1', framing: { kind: 'length', length: 5 } }],
    ['a zero length', ['POST /x HTTP/1.1', 'Host: a', 'content-length: 0'], { framing: { kind: 'length', length: 0 } }],
    ['chunked, any case, with spaces around', ['POST /x HTTP/1.1', 'Host: a', 'Transfer-Encoding:  Chunked '], { framing: { kind: 'chunked' } }],
    ['HTTP/1.0 without Host: closes after', ['GET / HTTP/1.0'], { httpMinor: 0, keepAlive: false }],
    ['HTTP/1.0 asking to keep alive', ['GET / HTTP/1.0', 'Connection: Keep-Alive'], { keepAlive: true }],
    ['HTTP/1.1 asking to close, among other tokens', ['GET / HTTP/1.1', 'Host: a', 'Connection: keep-alive, Close'], { keepAlive: false }],
    ['Expect: 100-continue', ['POST / HTTP/1.1', 'Host: a', 'Expect: 100-Continue', 'Content-Length: 1'], { expectContinue: true }],
    ['Expect in HTTP/1.0: no 100 is sent', ['POST / HTTP/1.0', 'Expect: 100-continue', 'Content-Length: 1'], { expectContinue: false }],
    ['OPTIONS *', ['OPTIONS * HTTP/1.1', 'Host: a'], { target: '*' }],
    ['an absolute-form target', ['GET http://a/b HTTP/1.1', 'Host: a'], { target: 'http://a/b' }],
    ['an extension method', ['PURGE / HTTP/1.1', 'Host: a'], { method: 'PURGE' }],
  ])('%s', (_what, lines, expected) => {
    expect(parse(head(lines))).toMatchObject(expected);
  });

  it('names and values as sent (values trimmed of spaces and tabs, obs-text kept), lower-case names beside; the length includes blank lines before it', () => {
    const text = `\r\n\r\n${head(['GET / HTTP/1.1', 'Host: a', 'X-Empty:', 'X-Tab:\tv w \t', 'X-Latin: caf\xe9'])}GET /next`;
    const h = parse(text)!;
    expect(h.raw).toEqual(['Host', 'a', 'X-Empty', '', 'X-Tab', 'v w', 'X-Latin', 'caf\xe9']);
    expect(h.names).toEqual(['host', 'x-empty', 'x-tab', 'x-latin']);
    expect(text.slice(h.length)).toBe('GET /next');
  });

  it.each([1, 2, 3, 7])('fed %i bytes at a time, each call told what the last one checked: the same head, found when its last byte comes', (step) => {
    const text = `\r\n${head(['POST /v1/chat/completions HTTP/1.1', 'Host: a', 'Content-Length: 2', 'X-A:  b '])}{}`;
    const whole = parse(text)!;
    const bytes = Buffer.from(text, 'latin1');
    let checked = 0;
    for (let n = step; ; n = Math.min(n + step, bytes.length)) {
      const h = parseRequestHead(bytes.subarray(0, n), LIMIT, checked);
      if (h !== null) {
        expect(h).toEqual(whole);
        expect(n).toBeGreaterThanOrEqual(whole.length);
        expect(n).toBeLessThan(whole.length + step);
        break;
      }
      checked = n;
    }
  });

  it.each(['127.0.0.1:8000', '[::1]:8000', '[v1.fe80::a+en1]', 'nim.example.com', 'xn--nxasmq6b.example', 'a%2Db', 'a:', ''])('Host %j: a host and a port, taken', (host) => {
    expect(parse(head(['GET / HTTP/1.1', `Host: ${host}`]))?.names).toEqual(['host']);
  });

  it.each([[''], ['\r\n'], ['\r'], ['GET / HTTP/1.1\r\nHost: a\r\n'], ['GET / HTTP/1.1\r\nHost: a\r\n\r']])('not yet whole: %j → null', (text) => {
    expect(parse(text)).toBeNull();
  });
});

describe('parseRequestHead: refused heads and their status', () => {
  it.each([
    // framing two parsers could read differently
    ['Content-Length and Transfer-Encoding', ['POST / HTTP/1.1', 'Host: a', 'Content-Length: 5', 'Transfer-Encoding: chunked'], 400],
    ['Transfer-Encoding then Content-Length', ['POST / HTTP/1.1', 'Host: a', 'Transfer-Encoding: chunked', 'Content-Length: 5'], 400],
    ['two equal Content-Lengths', ['POST / HTTP/1.1', 'Host: a', 'Content-Length: 5', 'Content-Length: 5'], 400],
    ['two different Content-Lengths', ['POST / HTTP/1.1', 'Host: a', 'Content-Length: 5', 'Content-Length: 6'], 400],
    ['a Content-Length list', ['POST / HTTP/1.1', 'Host: a', 'Content-Length: 5, 5'], 400],
    ['a signed Content-Length', ['POST / HTTP/1.1', 'Host: a', 'Content-Length: +5'], 400],
    ['a hex Content-Length', ['POST / HTTP/1.1', 'Host: a', 'Content-Length: 0x5'], 400],
    ['a Content-Length with junk', ['POST / HTTP/1.1', 'Host: a', 'Content-Length: 5a'], 400],
    ['a Content-Length of 16 digits', ['POST / HTTP/1.1', 'Host: a', 'Content-Length: 1000000000000000'], 400],
    ['an empty Content-Length', ['POST / HTTP/1.1', 'Host: a', 'Content-Length:'], 400],
    ['a coding other than chunked', ['POST / HTTP/1.1', 'Host: a', 'Transfer-Encoding: gzip'], 400],
    ['identity', ['POST / HTTP/1.1', 'Host: a', 'Transfer-Encoding: identity'], 400],
    ['chunked not last', ['POST / HTTP/1.1', 'Host: a', 'Transfer-Encoding: chunked, identity'], 400],
    ['chunked twice, in two fields', ['POST / HTTP/1.1', 'Host: a', 'Transfer-Encoding: chunked', 'Transfer-Encoding: chunked'], 400],
    ['xchunked', ['POST / HTTP/1.1', 'Host: a', 'Transfer-Encoding: xchunked'], 400],
    ['gzip then chunked: well framed, not decoded here', ['POST / HTTP/1.1', 'Host: a', 'Transfer-Encoding: gzip, chunked'], 501],
    ['Transfer-Encoding in HTTP/1.0', ['POST / HTTP/1.0', 'Transfer-Encoding: chunked'], 400],
    // only spaces and tabs are trimmed from a token: "chunked" and a NBSP is another coding (String.trim took it)
    ['chunked and a NBSP', ['POST / HTTP/1.1', 'Host: a', 'Transfer-Encoding: chunked\xa0'], 400],
    // Host is uri-host [":" port] (RFC 9112 §3.2): whoever routes on it must read what the front read
    ['a Host with a space, a slash and an @', ['GET / HTTP/1.1', 'Host: a b/c@d'], 400],
    ['a Host with a userinfo', ['GET / HTTP/1.1', 'Host: user@a'], 400],
    ['a Host with a port that is no number', ['GET / HTTP/1.1', 'Host: a:8o'], 400],
    ['an absolute-form target without an authority', ['GET http:///x HTTP/1.1', 'Host: a'], 400],
    ['an absolute-form target with a userinfo', ['GET http://u@a/x HTTP/1.1', 'Host: a'], 400],
    // field lines
    ['a space before the colon', ['POST / HTTP/1.1', 'Host: a', 'Content-Length : 5'], 400],
    ['a tab before the colon', ['POST / HTTP/1.1', 'Host: a', 'Transfer-Encoding\t: chunked'], 400],
    ['obs-fold', ['GET / HTTP/1.1', 'Host: a', 'X-A: b', ' c'], 400],
    ['a line without a colon', ['GET / HTTP/1.1', 'Host: a', 'X-A'], 400],
    ['a name with a bad character', ['GET / HTTP/1.1', 'Host: a', 'X(A): b'], 400],
    ['an empty name', ['GET / HTTP/1.1', 'Host: a', ': b'], 400],
    ['NUL in a value', ['GET / HTTP/1.1', 'Host: a', 'X-A: b\x00c'], 400],
    ['DEL in a value', ['GET / HTTP/1.1', 'Host: a', 'X-A: b\x7fc'], 400],
    ['a bare CR in a value', ['GET / HTTP/1.1', 'Host: a', 'X-A: b\rc'], 400],
    ['a bare LF line end', ['GET / HTTP/1.1', 'Host: a\nX-A: b'], 400],
    // the request line
    ['no version', ['GET /'], 400],
    ['HTTP/2.0', ['GET / HTTP/2.0', 'Host: a'], 505],
    ['HTTP/1.2', ['GET / HTTP/1.2', 'Host: a'], 505],
    ['a trailing space', ['GET / HTTP/1.1 ', 'Host: a'], 400],
    ['two spaces', ['GET  / HTTP/1.1', 'Host: a'], 400],
    ['a space in the target', ['GET /a b HTTP/1.1', 'Host: a'], 400],
    ['a control character in the target', ['GET /a\x01b HTTP/1.1', 'Host: a'], 400],
    ['a non-ASCII target', ['GET /caf\xe9 HTTP/1.1', 'Host: a'], 400],
    ['a lowercase HTTP', ['GET / http/1.1', 'Host: a'], 400],
    ['a method with a bad character', ['GE(T / HTTP/1.1', 'Host: a'], 400],
    ['CONNECT', ['CONNECT a:443 HTTP/1.1', 'Host: a:443'], 501],
    ['* with GET', ['GET * HTTP/1.1', 'Host: a'], 400],
    ['a target that is no path', ['GET a/b HTTP/1.1', 'Host: a'], 400],
    // Host and Expect
    ['HTTP/1.1 without Host', ['GET / HTTP/1.1'], 400],
    ['two Hosts', ['GET / HTTP/1.1', 'Host: a', 'Host: b'], 400],
    ['two Hosts in HTTP/1.0', ['GET / HTTP/1.0', 'Host: a', 'Host: b'], 400],
    ['another expectation', ['POST / HTTP/1.1', 'Host: a', 'Expect: 200-ok'], 417],
  ])('%s → %i', (_what, lines, status) => {
    expect(refusal(head(lines))).toBe(status);
  });

  it('a bare LF is refused before the head is whole, also when it comes in a later piece; a head over the limit is a 431, whole or not', () => {
    expect(refusal('GET / HTTP/1.1\nHost: a')).toBe(400);
    expect(() => parseRequestHead(Buffer.from('GET / HTTP/1.1\r\nHost: a\n', 'latin1'), LIMIT, 24)).toThrow(/bare CR or LF/);
    expect(() => parseRequestHead(Buffer.from('GET / HTTP/1.1\r\nHost: a\rb', 'latin1'), LIMIT, 24)).toThrow(/bare CR or LF/);
    expect(refusal('GET / HTTP/1.1\r\nX-A: b\rc\r\n')).toBe(400);
    const big = `GET / HTTP/1.1\r\nHost: a\r\nX-Big: ${'b'.repeat(LIMIT)}`;
    expect(refusal(big)).toBe(431);
    expect(refusal(`${big}\r\n\r\n`)).toBe(431);
    expect(refusal(head(['GET / HTTP/1.1', 'Host: a', `X-Big: ${'b'.repeat(LIMIT - 60)}`]))).toBe('none');
  });
});

describe('parseRequestHead: a head that arrives a byte at a time', () => {
  it('each call resuming where the last one left off (from) costs the new bytes only, not the whole head again', () => {
    // a client trickling its head byte by byte (within the 60 s headers timeout) cost the front a rescan of the
    // whole head per byte: about 0.5 s of CPU for one 16 KiB head, so a few hundred slow clients held the event loop
    const resume = parseRequestHead as (buf: Buffer, limit: number, from?: number) => RequestHead | null;
    const text = Buffer.from(`GET / HTTP/1.1\r\nHost: a\r\n${'X-A: b\r\n'.repeat(32 * 1024)}\r\n`, 'latin1');
    const deadline = performance.now() + 3000; // linear: tens of ms; quadratic: minutes
    let got: RequestHead | null = null;
    for (let n = 1; n <= text.length && got === null && performance.now() < deadline; n++) got = resume(text.subarray(0, n), text.length, n - 1);
    expect(got?.names.length).toBe(32 * 1024 + 1);
  });
});
