// The front's head parsers against a frozen copy of themselves (head-parsers-reference.ts, commit 5f6bc93): a
// rewrite of parseRequestHead / parseResponseHead must give the same outcome on every input, fed every way the
// connections feed them: the same head, the same "not yet" (null), the same error class, status and message. Inputs:
// a corpus of real heads and of every refused shape, those heads cut at every byte, in every 2 pieces and a byte at
// a time, under limits around their length and near the 16 KiB and 64 KiB the front uses, and seeded mutations.
// HEAD_FUZZ_SEED=<n> replays the mutants of seed n; HEAD_FUZZ_SEED=random draws a fresh seed (printed on failure).
import { describe, expect, it } from 'vitest';
import { BadRequestError, parseRequestHead } from '../../src/front/request-head.js';
import { bodyFraming, parseResponseHead, reusable } from '../../src/front/response-head.js';
import { compareRequest, compareResponse, headLength, outcomeKind, showCuts, showInput, tally, type Feeding, type RequestParser, type ResponseSide } from './head-parsers-compare.js';
import { requestCorpus, responseCorpus, spliceLines, type CorpusEntry } from './head-parsers-corpus.js';
import * as reference from './head-parsers-reference.js';
import { mutate, rngOf, type Rng } from './head-mutations.js';

const REQUEST_LIMIT = 16 * 1024; // client-server.ts HEAD_LIMIT
const RESPONSE_LIMIT = 64 * 1024; // proxy.ts HEAD_LIMIT, engine-ask.ts
const MUTANTS = 3000;

const referenceResponse: ResponseSide<reference.ResponseHead> = { parse: reference.parseResponseHead, bodyFraming: reference.bodyFraming, reusable: reference.reusable };
const realResponse: ResponseSide = { parse: parseResponseHead, bodyFraming, reusable };
const realRequest: RequestParser = parseRequestHead;

/** The mutants' seed: fixed (the reference's commit), unless HEAD_FUZZ_SEED names one or asks for a random one. */
function seedOf(fromEnv: string | undefined): number {
  if (fromEnv === undefined || fromEnv === '') return 0x5f6bc93;
  if (fromEnv === 'random') return (Math.random() * 2 ** 32) >>> 0;
  if (!/^\d{1,10}$/.test(fromEnv) || Number(fromEnv) >= 2 ** 32) throw new Error(`HEAD_FUZZ_SEED=${fromEnv}: a seed is a 32-bit unsigned integer, or "random"`);
  return Number(fromEnv);
}
const SEED = seedOf(process.env['HEAD_FUZZ_SEED']);

const range = (from: number, to: number): number[] => Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => from + i);

/** Every way to feed `text` that the tests use in full: whole, each prefix alone, each split in two, a byte at a time. */
function everyFeeding(label: string, text: string, limit: number): Feeding[] {
  const n = text.length;
  return [
    { label, text, limit, cuts: [n] },
    ...range(0, n - 1).map((k) => ({ label, text, limit, cuts: [k] })),
    ...range(1, n - 1).map((k) => ({ label, text, limit, cuts: [k, n] })),
    { label, text, limit, cuts: range(1, n) },
  ];
}

/** A few feedings of `text` drawn by `rng`: whole, a byte at a time, random prefixes, splits and pieces. */
function someFeedings(label: string, text: string, limit: number, rng: Rng): Feeding[] {
  const n = text.length;
  const cut = (): number => 1 + rng.int(Math.max(1, n - 1));
  const pieces: number[] = [];
  for (let at = cut(); at < n; at += 1 + rng.int(8)) pieces.push(at);
  return [
    { label, text, limit, cuts: [n] },
    { label, text, limit, cuts: range(1, n) },
    ...[0, 1, 2].map(() => ({ label, text, limit, cuts: [rng.int(n + 1)] })),
    ...[0, 1, 2].map(() => ({ label, text, limit, cuts: [cut(), n] })),
    { label, text, limit, cuts: [...pieces, n] },
  ];
}

/** `text` fed whole to both sides: the outcome's kind (as corpus entries label it) and the head's length, if a head. */
function wholeRequest(label: string, text: string, limit = REQUEST_LIMIT) {
  const o = compareRequest(reference.parseRequestHead, realRequest, { label, text, limit, cuts: [text.length] });
  return { kind: outcomeKind(o), length: headLength(o) };
}
function wholeResponse(label: string, text: string, limit = RESPONSE_LIMIT) {
  const o = compareResponse(referenceResponse, realResponse, { label, text, limit, cuts: [text.length] });
  return { kind: outcomeKind(o), length: headLength(o) };
}

/** The heads after the first in `text` (pipelined requests, 1xx answers before the final one), each parsed as the rest of the bytes. */
function followingHeads(label: string, text: string, whole: (label: string, text: string) => { length: number | null }): void {
  let rest = text;
  for (let i = 1; i <= 4; i++) {
    const length = whole(i === 1 ? label : `${label}, after ${i - 1} head(s)`, rest).length;
    if (length === null || length === 0) return;
    rest = rest.slice(length);
  }
}

const requestLabel = (e: CorpusEntry): string => `request corpus: ${e.name}`;
const responseLabel = (e: CorpusEntry): string => `response corpus: ${e.name}`;

describe('request heads: parseRequestHead and the reference agree', () => {
  it.each(requestCorpus.map((e) => [e.name, e] as const))('%s: as labelled; whole, every prefix, every 2 pieces, a byte at a time', (_name, e) => {
    expect(wholeRequest(requestLabel(e), e.text).kind).toBe(e.expected);
    for (const f of everyFeeding(requestLabel(e), e.text, REQUEST_LIMIT)) compareRequest(reference.parseRequestHead, realRequest, f);
    followingHeads(requestLabel(e), e.text, wholeRequest);
  });

  it('every corpus entry under limits around its own length (431 or not), whole and a byte at a time', () => {
    for (const e of requestCorpus) {
      const n = wholeRequest(requestLabel(e), e.text).length ?? e.text.length;
      for (const limit of new Set([0, 1, 2, 3, ...range(n - 5, n + 1)])) {
        if (limit < 0) continue;
        compareRequest(reference.parseRequestHead, realRequest, { label: `${requestLabel(e)}, limit ${limit}`, text: e.text, limit, cuts: [e.text.length] });
        compareRequest(reference.parseRequestHead, realRequest, { label: `${requestLabel(e)}, limit ${limit}`, text: e.text, limit, cuts: range(1, e.text.length) });
      }
    }
    expect(tally.get(431)).toBeGreaterThan(0);
  });

  it('heads near the 16 KiB limit: one long field, many fields, a flood of blank lines, one never ended', () => {
    const start = 'POST /v1/chat/completions HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n';
    const padded = (size: number): string => `${start}X-Pad: ${'p'.repeat(size - start.length - 11)}\r\n\r\n`;
    const many = (size: number): string => `${start}${'X-A: b\r\n'.repeat(Math.floor((size - start.length - 2) / 8))}\r\n`;
    const inputs: [string, string][] = [];
    for (const size of range(REQUEST_LIMIT - 2, REQUEST_LIMIT + 4)) inputs.push([`one field, ${size} bytes`, padded(size)], [`one field, ${size} bytes, then a body`, `${padded(size)}{}`]);
    for (const size of [REQUEST_LIMIT, REQUEST_LIMIT + 8]) inputs.push([`many fields, about ${size} bytes`, many(size)]);
    for (const pairs of range(REQUEST_LIMIT / 2 - 2, REQUEST_LIMIT / 2 + 1)) {
      inputs.push([`${pairs} blank lines`, '\r\n'.repeat(pairs)], [`${pairs} blank lines and a CR`, `${'\r\n'.repeat(pairs)}\r`]);
      inputs.push([`${pairs} blank lines, then a head`, `${'\r\n'.repeat(pairs)}GET / HTTP/1.1\r\nHost: a\r\n\r\n`]);
    }
    const bareThenOver = `GET / HTTP/1.1\r\nX: a\nb\r\n${padded(REQUEST_LIMIT + 20).slice(36)}`;
    inputs.push(['a bare LF early, then over the limit: 431 whole, 400 in pieces', bareThenOver]);
    inputs.push(['never ended, the limit long', padded(REQUEST_LIMIT).slice(0, REQUEST_LIMIT)], ['never ended, a byte over', padded(REQUEST_LIMIT + 8).slice(0, REQUEST_LIMIT + 1)]);
    const rng = rngOf(SEED);
    for (const [name, text] of inputs) {
      const label = `near the limit: ${name}`;
      const n = text.length;
      // every prefix, or a byte at a time from the start, would be quadratic here (the blank lines before a head are
      // skipped again on each call): the cuts near the ends and the limit, a byte at a time from there, random pieces
      const near = [...range(1, 6), ...range(n - 6, n - 1), ...range(REQUEST_LIMIT - 6, REQUEST_LIMIT + 6)].filter((k) => k > 0 && k < n);
      const pieces: number[] = [];
      for (let at = 1 + rng.int(64); at < n; at += 1 + rng.int(128)) pieces.push(at);
      const feedings: Feeding[] = [
        { label, text, limit: REQUEST_LIMIT, cuts: [n] },
        { label, text, limit: REQUEST_LIMIT, cuts: [...pieces, n] },
        { label, text, limit: REQUEST_LIMIT, cuts: range(n - 70, n) },
        { label, text, limit: REQUEST_LIMIT, cuts: [...range(REQUEST_LIMIT - 70, REQUEST_LIMIT + 6).filter((k) => k < n), n] },
        ...near.flatMap((k) => [{ label, text, limit: REQUEST_LIMIT, cuts: [k] }, { label, text, limit: REQUEST_LIMIT, cuts: [k, n] }]),
      ];
      for (const f of feedings) compareRequest(reference.parseRequestHead, realRequest, f);
    }
    expect(wholeRequest('the limit long', padded(REQUEST_LIMIT)).kind).toBe('head');
    expect(wholeRequest('a byte over the limit', padded(REQUEST_LIMIT + 1)).kind).toBe(431);
    expect(wholeRequest('a bare LF early, then over the limit', bareThenOver).kind).toBe(431);
  });

  it(`${MUTANTS} mutants of the corpus, seed ${SEED}: whole, a byte at a time, drawn prefixes, splits and pieces`, () => {
    const rng = rngOf(SEED);
    const before = new Map(tally);
    for (let i = 0; i < MUTANTS; i++) {
      const e = rng.pick(requestCorpus);
      const { text, steps } = mutate(e.text, rng, spliceLines);
      const label = `seed ${SEED} (HEAD_FUZZ_SEED=${SEED} replays it), mutant ${i} of "${e.name}": ${steps.join('; ')}`;
      for (const f of someFeedings(label, text, REQUEST_LIMIT, rng)) compareRequest(reference.parseRequestHead, realRequest, f);
      const limit = Math.max(0, text.length - 6 + rng.int(8));
      compareRequest(reference.parseRequestHead, realRequest, { label: `${label}, limit ${limit}`, text, limit, cuts: range(1, text.length) });
      followingHeads(label, text, wholeRequest);
    }
    // the mutants reach every outcome, not only refusals
    for (const kind of ['head', 'null', 400, 417, 431, 501, 505]) expect((tally.get(kind) ?? 0) - (before.get(kind) ?? 0), String(kind)).toBeGreaterThan(0);
  });
});

describe('response heads: parseResponseHead, bodyFraming, reusable and the reference agree', () => {
  it.each(responseCorpus.map((e) => [e.name, e] as const))('%s: as labelled; whole, every prefix, then what follows', (_name, e) => {
    expect(wholeResponse(responseLabel(e), e.text).kind).toBe(e.expected);
    for (const f of everyFeeding(responseLabel(e), e.text, RESPONSE_LIMIT)) compareResponse(referenceResponse, realResponse, f);
    followingHeads(responseLabel(e), e.text, wholeResponse);
  });

  it('every corpus entry under limits around its own length', () => {
    for (const e of responseCorpus) {
      const n = wholeResponse(responseLabel(e), e.text).length ?? e.text.length;
      for (const limit of new Set([0, 1, ...range(n - 5, n + 1), 1024])) {
        if (limit < 0) continue;
        compareResponse(referenceResponse, realResponse, { label: `${responseLabel(e)}, limit ${limit}`, text: e.text, limit, cuts: range(1, e.text.length) });
      }
    }
  });

  it('heads near the 64 KiB limit, ended or not', () => {
    const start = 'HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n';
    const padded = (size: number): string => `${start}x-pad: ${'p'.repeat(size - start.length - 11)}\r\n\r\n`;
    for (const size of range(RESPONSE_LIMIT - 2, RESPONSE_LIMIT + 4)) {
      for (const text of [padded(size), `${padded(size)}5\r\nhello\r\n`, padded(size).slice(0, RESPONSE_LIMIT), padded(size).slice(0, RESPONSE_LIMIT + 1)]) {
        const label = `near the limit: ${text.length} bytes of a ${size}-byte head`;
        for (const k of [...range(text.length - 5, text.length), ...range(RESPONSE_LIMIT - 4, RESPONSE_LIMIT + 4)]) {
          if (k >= 0 && k <= text.length) compareResponse(referenceResponse, realResponse, { label, text, limit: RESPONSE_LIMIT, cuts: [k] });
        }
      }
    }
    expect(wholeResponse('the limit long', padded(RESPONSE_LIMIT)).kind).toBe('head');
    expect(wholeResponse('a byte over the limit', padded(RESPONSE_LIMIT + 1)).kind).toBe('refused');
  });

  it(`${MUTANTS} mutants of the corpus, seed ${SEED}: whole, every prefix drawn, under a limit near its length`, () => {
    const rng = rngOf(SEED ^ 0x9e3779b9);
    for (let i = 0; i < MUTANTS; i++) {
      const e = rng.pick(responseCorpus);
      const { text, steps } = mutate(e.text, rng, spliceLines);
      const label = `seed ${SEED} (HEAD_FUZZ_SEED=${SEED} replays it), mutant ${i} of "${e.name}": ${steps.join('; ')}`;
      for (const f of someFeedings(label, text, RESPONSE_LIMIT, rng)) compareResponse(referenceResponse, realResponse, f);
      const limit = Math.max(0, text.length - 6 + rng.int(8));
      compareResponse(referenceResponse, realResponse, { label: `${label}, limit ${limit}`, text, limit, cuts: [text.length] });
      followingHeads(label, text, wholeResponse);
    }
  });
});

describe('the comparison itself', () => {
  it('fails on a parser that differs in one detail, printing the input as JSON and both outcomes', () => {
    // keep-alive read wrongly for HTTP/1.0: only the heads that say so differ
    const wrong: RequestParser = (buf, limit, checked) => {
      const h = parseRequestHead(buf, limit, checked);
      return h !== null && h.httpMinor === 0 ? { ...h, keepAlive: !h.keepAlive } : h;
    };
    const text = 'GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n';
    expect(() => compareRequest(reference.parseRequestHead, wrong, { label: 'a wrong parser', text, limit: REQUEST_LIMIT, cuts: range(1, text.length) })).toThrow(
      [
        'the request head parser and the reference differ',
        '  case:      a wrong parser',
        `  input:     ${JSON.stringify(text)}`,
        `  fed:       call ${text.length} of the pieces ending at [1..${text.length}]: ${text.length} of ${text.length} bytes, limit 16384, checked ${text.length - 1}`,
        '  reference: {"head":{"length":42,"method":"GET","target":"/","httpMinor":0,"raw":["Connection","keep-alive"],"names":["connection"],"framing":{"kind":"none"},"keepAlive":true,"expectContinue":false}}',
        '  parser:    {"head":{"length":42,"method":"GET","target":"/","httpMinor":0,"raw":["Connection","keep-alive"],"names":["connection"],"framing":{"kind":"none"},"keepAlive":false,"expectContinue":false}}',
      ].join('\n'),
    );
  });

  it('tells apart a different message, status or class, and null from a head', () => {
    const text = 'GET / HTTP/2.0\r\nHost: a\r\n\r\n';
    const whole: Feeding = { label: 'one detail', text, limit: REQUEST_LIMIT, cuts: [text.length] };
    const throwing = (err: Error): RequestParser => () => {
      throw err;
    };
    class Sub extends BadRequestError {}
    const message = 'HTTP/2.0 is not served here: HTTP/1.1 or 1.0';
    expect(() => compareRequest(reference.parseRequestHead, throwing(new BadRequestError(505, message)), whole)).not.toThrow();
    expect(() => compareRequest(reference.parseRequestHead, throwing(new BadRequestError(505, `${message}.`)), whole)).toThrow('or 1.0."}');
    expect(() => compareRequest(reference.parseRequestHead, throwing(new BadRequestError(400, message)), whole)).toThrow('parser:    {"threw":"BadRequestError","status":400');
    expect(() => compareRequest(reference.parseRequestHead, throwing(new Sub(505, message)), whole)).toThrow('parser:    {"threw":"another error: Sub"');
    expect(() => compareRequest(reference.parseRequestHead, () => null, whole)).toThrow('parser:    {"null":true}');
    const answer = 'HTTP/1.1 200 OK\r\ncontent-length: 5, 6\r\n\r\n';
    const closing: ResponseSide = { ...realResponse, bodyFraming: () => ({ kind: 'close' }) };
    expect(() => compareResponse(referenceResponse, closing, { label: 'one detail', text: answer, limit: 1024, cuts: [answer.length] })).toThrow(
      `reference: {"head":{"length":41,"httpMinor":1,"status":200,"reason":"OK","raw":["content-length","5, 6"],"names":["content-length"],"bodyFraming(GET)":{"threw":"MalformedAnswerError","message":"the engine sent an unusable Content-Length (5, 6)"}`,
    );
  });

  it('prints long inputs and feedings short: a JavaScript expression of the exact bytes, cuts in runs', () => {
    const text = `GET / HTTP/1.1\r\n${'X-A: b\r\n'.repeat(100)}X-Pad: ${'p'.repeat(5000)}\r\n\r\n`;
    const shown = showInput(text);
    expect(shown).toBe('"GET / HTTP/1.1" + "\\r\\nX-A: b".repeat(100) + "\\r\\nX-Pad: " + "p".repeat(5000) + "\\r\\n\\r\\n"');
    expect(new Function(`return ${shown}`)()).toBe(text);
    expect(showInput('')).toBe('""');
    expect(showInput('caf\xe9\xa0\x7f\x00')).toBe('"caf\\u00e9\\u00a0\\u007f\\u0000"');
    expect(JSON.parse(showInput('caf\xe9\xa0\x7f\x00'))).toBe('caf\xe9\xa0\x7f\x00');
    expect(showCuts([3, 5, 6, 7, 8, 10, 11, 40])).toBe('[3, 5..8, 10, 11, 40]');
  });
});
