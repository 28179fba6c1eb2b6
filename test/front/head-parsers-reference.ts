// THE REFERENCE the differential test (head-parsers-differential.test.ts) compares the front's head parsers against:
// a frozen copy of parseRequestHead (src/front/request-head.ts), parseResponseHead, bodyFraming and reusable
// (src/front/response-head.ts) and the helpers of src/front/fields.ts they use, as they were at commit 5f6bc93,
// before the parsers were rewritten for speed (bytes scanned instead of split('\r\n') and a regex per line).
// Not code to maintain: do not fix, speed up or tidy it. The rewrite must behave as this does on every input; a
// change of behaviour made on purpose is made here too, in the same commit, saying why. Self-contained on purpose:
// it imports only the two error classes, so that what both sides throw compares as the same class.
// Changed on purpose since 5f6bc93, each marked "ON PURPOSE" where it is:
//   - listTokens trims spaces and tabs only (String.trim took a NBSP: "chunked\xa0" read as chunked);
//   - a Host that is not uri-host[:port], and an absolute-form target without an authority: 400;
//   - a response Content-Length field that holds no length (empty, a lone comma): unusable, not absent;
//   - a reason phrase with control characters is dropped (''), the client gets the status's usual one.
import { BadRequestError } from '../../src/front/request-head.js';
import { MalformedAnswerError } from '../../src/front/response-head.js';

// ---- src/front/fields.ts at 5f6bc93 ----

export interface Fields {
  raw: string[];
  names: string[];
}

const HEAD_END = Buffer.from('\r\n\r\n', 'latin1');

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const FIELD_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

const isOws = (c: number): boolean => c === 32 || c === 9;

function trimmedValue(line: string, from: number): string {
  let a = from;
  let b = line.length;
  while (a < b && isOws(line.charCodeAt(a))) a++;
  while (b > a && isOws(line.charCodeAt(b - 1))) b--;
  return line.slice(a, b);
}

function parseFieldLines(lines: readonly string[], from: number, bad: (line: string) => Error): Fields {
  const raw: string[] = [];
  const names: string[] = [];
  for (let i = from; i < lines.length; i++) {
    const line = lines[i] as string;
    const colon = line.indexOf(':');
    const name = colon > 0 ? line.slice(0, colon) : '';
    const value = trimmedValue(line, colon + 1);
    if (!TOKEN.test(name) || !FIELD_VALUE.test(value)) throw bad(line);
    raw.push(name, value);
    names.push(name.toLowerCase());
  }
  return { raw, names };
}

function headerValues(f: Fields, name: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < f.names.length; i++) if (f.names[i] === name) out.push(f.raw[2 * i + 1] as string);
  return out;
}

function countFields(f: Fields, name: string): number {
  let n = 0;
  for (const x of f.names) if (x === name) n++;
  return n;
}

function listTokens(values: readonly string[]): string[] {
  const out: string[] = [];
  for (const v of values) {
    for (const t of v.split(',')) {
      // ON PURPOSE: spaces and tabs only (RFC 9110 §5.6.1)
      const token = t.replace(/^[ \t]+|[ \t]+$/g, '').toLowerCase();
      if (token !== '') out.push(token);
    }
  }
  return out;
}

// ---- src/front/request-head.ts at 5f6bc93 ----

export type RequestFraming = { kind: 'none' } | { kind: 'length'; length: number } | { kind: 'chunked' };

export interface RequestHead extends Fields {
  length: number;
  method: string;
  target: string;
  httpMinor: 0 | 1;
  framing: RequestFraming;
  keepAlive: boolean;
  expectContinue: boolean;
}

const REQUEST_LINE = /^([!#$%&'*+\-.^_`|~0-9A-Za-z]+) ([\x21-\x7e]+) HTTP\/(\d)\.(\d)$/;
const DIGITS = /^\d{1,15}$/;

function fieldOf(head: Fields, name: string): string | undefined {
  const at = head.names.indexOf(name);
  return at < 0 ? undefined : (head.raw[2 * at + 1] as string);
}

export function parseRequestHead(buf: Buffer, limit: number, checked = 0): RequestHead | null {
  let start = 0;
  while (buf[start] === 13 && buf[start + 1] === 10) start += 2;
  if (start + 1 >= buf.length && buf.length > limit) throw new BadRequestError(431, `the request head is over ${limit} bytes`);
  if (start === buf.length || (buf[start] === 13 && start + 1 === buf.length)) return null;
  const end = buf.indexOf(HEAD_END, Math.max(start, checked - 3));
  if (end < 0) {
    if (buf.length > limit) throw new BadRequestError(431, `the request head is over ${limit} bytes`);
    checkNewLineEnds(buf, Math.max(start, checked - 1));
    return null;
  }
  if (end + 4 > limit) throw new BadRequestError(431, `the request head is over ${limit} bytes`);
  const lines = buf.toString('latin1', start, end).split('\r\n');
  const malformed = (what: string, line: string): BadRequestError =>
    /[\r\n]/.test(line) ? bareCrOrLf() : new BadRequestError(400, `${what} is malformed (${JSON.stringify(line.slice(0, 40))})`);
  const m = REQUEST_LINE.exec(lines[0] as string);
  if (m === null) throw malformed('the request line', lines[0] as string);
  const [, method = '', target = '', major, minor] = m;
  if (major !== '1' || (minor !== '0' && minor !== '1')) throw new BadRequestError(505, `HTTP/${major}.${minor} is not served here: HTTP/1.1 or 1.0`);
  const head = parseFieldLines(lines, 1, (line) => malformed('a header line', line));
  const { raw, names } = head;
  const httpMinor = minor === '0' ? 0 : 1;
  checkTarget(method, target);
  const hosts = countFields(head, 'host');
  if (hosts > 1 || (hosts === 0 && httpMinor === 1)) throw new BadRequestError(400, `an HTTP/1.${httpMinor} request needs ${httpMinor === 1 ? 'exactly' : 'at most'} one Host header (it has ${hosts})`);
  // ON PURPOSE: the Host's value is uri-host [":" port] (RFC 9112 §3.2)
  const host = fieldOf(head, 'host');
  if (host !== undefined && !/^(?:\[[0-9A-Za-z:.\-_~!$&'()*+,;=]+\]|[0-9A-Za-z\-._~!$&'()*+,;=%]*)(?::\d*)?$/.test(host)) throw new BadRequestError(400, `the Host header ${JSON.stringify(host.slice(0, 40))} is not a host and port`);
  const connection = listTokens(headerValues(head, 'connection'));
  const expect = fieldOf(head, 'expect');
  if (countFields(head, 'expect') > 1 || (expect !== undefined && expect.toLowerCase() !== '100-continue')) {
    throw new BadRequestError(417, 'only "Expect: 100-continue" is understood');
  }
  return {
    length: end + 4, method, target, httpMinor, raw, names, framing: framingOf(head, httpMinor),
    keepAlive: httpMinor === 1 ? !connection.includes('close') : connection.includes('keep-alive') && !connection.includes('close'),
    expectContinue: expect !== undefined && httpMinor === 1,
  };
}

const bareCrOrLf = (): BadRequestError => new BadRequestError(400, 'the request head has a bare CR or LF: its lines end in CRLF');

function checkNewLineEnds(buf: Buffer, at: number): void {
  for (let i = at; i < buf.length; i++) {
    const c = buf[i];
    if ((c === 10 && buf[i - 1] !== 13) || (c === 13 && i + 1 < buf.length && buf[i + 1] !== 10)) throw bareCrOrLf();
  }
}

function checkTarget(method: string, target: string): void {
  if (method === 'CONNECT') throw new BadRequestError(501, 'CONNECT is not served: nimlet is not a tunnel');
  // ON PURPOSE: an absolute-form target has an authority
  if (target === '*' ? method === 'OPTIONS' : target.startsWith('/') || /^https?:\/\/(?:\[[0-9A-Za-z:.\-_~!$&'()*+,;=]+\]|[0-9A-Za-z\-._~!$&'()*+,;=%]+)(?::\d*)?(?:[/?#]|$)/i.test(target)) return;
  throw new BadRequestError(400, `the request target ${JSON.stringify(target.slice(0, 40))} is not a path, an absolute URL or * (for OPTIONS)`);
}

function framingOf(head: Fields, httpMinor: 0 | 1): RequestFraming {
  const lengths = countFields(head, 'content-length');
  if (head.names.includes('transfer-encoding')) {
    if (httpMinor === 0) throw new BadRequestError(400, 'Transfer-Encoding in an HTTP/1.0 request');
    if (lengths > 0) throw new BadRequestError(400, 'Transfer-Encoding and Content-Length together');
    const codings = listTokens(headerValues(head, 'transfer-encoding'));
    if (codings.length === 1 && codings[0] === 'chunked') return { kind: 'chunked' };
    if (codings.at(-1) === 'chunked' && !codings.slice(0, -1).includes('chunked')) throw new BadRequestError(501, `Transfer-Encoding ${codings.join(', ')}: only chunked is supported`);
    throw new BadRequestError(400, `Transfer-Encoding ${JSON.stringify(codings.join(', ').slice(0, 40))} does not end in one chunked coding`);
  }
  if (lengths === 0) return { kind: 'none' };
  const value = fieldOf(head, 'content-length') as string;
  if (lengths > 1 || !DIGITS.test(value)) throw new BadRequestError(400, `Content-Length must be one whole number of bytes (got ${lengths > 1 ? `${lengths} fields` : JSON.stringify(value.slice(0, 20))})`);
  return { kind: 'length', length: Number(value) };
}

// ---- src/front/response-head.ts at 5f6bc93 ----

export interface ResponseHead extends Fields {
  length: number;
  httpMinor: 0 | 1;
  status: number;
  reason: string;
}

export type BodyFraming = { kind: 'none' } | { kind: 'length'; length: number } | { kind: 'chunked' } | { kind: 'close' };

const STATUS_LINE = /^HTTP\/1\.([01]) ([1-9]\d\d)(?: ([^\r\n]*))?$/;

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
  // ON PURPOSE: a reason with control characters other than HTAB is dropped
  const reason = /[\x00-\x08\x0a-\x1f\x7f]/.test(m[3] ?? '') ? '' : m[3] ?? '';
  return { length: end + 4, httpMinor: m[1] === '0' ? 0 : 1, status: Number(m[2]), reason, raw, names };
}

export function bodyFraming(method: string, head: ResponseHead): BodyFraming {
  if (method === 'HEAD' || head.status < 200 || head.status === 204 || head.status === 304) return { kind: 'none' };
  const codings = listTokens(headerValues(head, 'transfer-encoding'));
  if (codings.length > 0) return codings.at(-1) === 'chunked' ? { kind: 'chunked' } : { kind: 'close' };
  // ON PURPOSE: a Content-Length field that holds no length is unusable, not absent
  if (headerValues(head, 'content-length').length === 0) return { kind: 'close' };
  const lengths = new Set(listTokens(headerValues(head, 'content-length')));
  const [only] = lengths;
  if (lengths.size > 1 || only === undefined || !/^\d{1,15}$/.test(only)) {
    throw new MalformedAnswerError(`the engine sent an unusable Content-Length (${[...lengths].join(', ').slice(0, 40)})`);
  }
  return { kind: 'length', length: Number(only) };
}

export function reusable(head: ResponseHead, framing: BodyFraming): boolean {
  if (head.httpMinor === 0 || framing.kind === 'close') return false;
  if (listTokens(headerValues(head, 'connection')).includes('close')) return false;
  return !(head.names.includes('transfer-encoding') && head.names.includes('content-length'));
}
