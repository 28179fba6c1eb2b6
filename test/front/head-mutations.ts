// Seeded mutations of a head, for the differential test of the head parsers: the bytes that decide a parse (line
// ends, separators, controls, obs-text, the letters of HTTP/ and of the framing fields) inserted, deleted and
// replaced, lines duplicated, dropped and spliced in, case changed, CRLF turned into a bare LF or CR, blank lines
// prepended. Strings hold one char per byte (latin1).
import { asciiJson } from './head-parsers-compare.js';

/** mulberry32: a 32-bit seed, a stream of numbers in [0, 1); the same seed gives the same stream. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface Rng {
  /** An integer in [0, n). */
  int(n: number): number;
  pick<T>(xs: readonly T[]): T;
}

export function rngOf(seed: number): Rng {
  const next = mulberry32(seed);
  return {
    int: (n) => Math.floor(next() * n),
    pick: (xs) => xs[Math.floor(next() * xs.length)] as (typeof xs)[number],
  };
}

// \xa0 is obs-text to the grammar but white space to String.prototype.trim; \x0b and \x0c are white space to trim too
const BYTES = [...'\r\n \t:,;\x00\x7f\x80\xff\xa0\x0b\x0cHTP/.0129aAzZkcC-"=('];

/** One mutation of `text`, and what it did (for the failure message). */
type Mutation = (text: string, rng: Rng, splice: readonly string[]) => [string, string];

const at = (text: string, rng: Rng): number => rng.int(text.length + 1);
const lines = (text: string): string[] => text.split('\r\n');
const show = (s: string): string => asciiJson(s);

const mutations: Mutation[] = [
  (text, rng) => {
    const i = at(text, rng);
    const b = rng.pick(BYTES);
    return [text.slice(0, i) + b + text.slice(i), `insert ${show(b)} at ${i}`];
  },
  (text, rng) => {
    const i = rng.int(text.length);
    const n = 1 + rng.int(3);
    return [text.slice(0, i) + text.slice(i + n), `delete ${n} at ${i}`];
  },
  (text, rng) => {
    const i = rng.int(text.length);
    const b = rng.pick(BYTES);
    return [text.slice(0, i) + b + text.slice(i + 1), `replace ${i} with ${show(b)}`];
  },
  (text, rng) => {
    const ls = lines(text);
    const i = rng.int(ls.length);
    ls.splice(i, 0, ls[i] as string);
    return [ls.join('\r\n'), `duplicate line ${i}`];
  },
  (text, rng) => {
    const ls = lines(text);
    const i = rng.int(ls.length);
    ls.splice(i, 1);
    return [ls.join('\r\n'), `drop line ${i}`];
  },
  (text, rng, splice) => {
    const ls = lines(text);
    const i = 1 + rng.int(Math.max(1, ls.length - 2));
    const line = rng.pick(splice);
    ls.splice(i, 0, line);
    return [ls.join('\r\n'), `splice ${show(line)} at line ${i}`];
  },
  (text, rng) => {
    const i = rng.int(text.length);
    const n = 1 + rng.int(12);
    const part = text.slice(i, i + n);
    const changed = rng.int(2) === 0 ? part.toUpperCase() : part.toLowerCase();
    return [text.slice(0, i) + changed + text.slice(i + n), `case of ${n} at ${i}`];
  },
  (text, rng) => {
    const ends = [...text.matchAll(/\r\n/g)].map((m) => m.index);
    if (ends.length === 0) return [text, 'no CRLF to change'];
    const i = rng.pick(ends);
    const to = rng.pick(['\n', '\r', '\n\r', '\r\r\n']);
    return [text.slice(0, i) + to + text.slice(i + 2), `CRLF at ${i} to ${show(to)}`];
  },
  (text, rng) => {
    const n = 1 + rng.int(3);
    return ['\r\n'.repeat(n) + text, `prepend ${n} CRLF`];
  },
  (text, rng) => {
    const i = text.indexOf(':', rng.int(text.length));
    if (i < 0) return [text, 'no colon after'];
    const ws = rng.pick([' ', '\t', '  ', '']);
    return [text.slice(0, i) + ws + ':' + rng.pick([' ', '', '\t', '\x0b']) + text.slice(i + 1), `around the colon at ${i}`];
  },
];

/** 1 to 3 mutations of `text`; the result and the steps taken. */
export function mutate(text: string, rng: Rng, splice: readonly string[]): { text: string; steps: string[] } {
  const steps: string[] = [];
  let out = text;
  for (let n = 1 + rng.int(3); n > 0; n--) {
    const [next, step] = rng.pick(mutations)(out, rng, splice);
    out = next;
    steps.push(step);
  }
  return { text: out, steps };
}
