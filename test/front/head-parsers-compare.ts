// The comparison at the heart of the head parsers' differential test: the same bytes, fed the same way, to the
// reference (head-parsers-reference.ts) and to the parser under test; the outcomes must be the same, or the failure
// prints the input as a JSON string, how it was fed, and both outcomes.
import { isDeepStrictEqual } from 'node:util';
import { BadRequestError } from '../../src/front/request-head.js';
import { MalformedAnswerError, type BodyFraming, type ResponseHead } from '../../src/front/response-head.js';

export type RequestParser = (buf: Buffer, limit: number, checked?: number) => object | null;

/** The response side: the head parser, and what the relay asks of each head it returns (of that parser's own kind). */
export interface ResponseSide<H extends object = ResponseHead> {
  parse: (buf: Buffer, limit: number) => H | null;
  bodyFraming: (method: string, head: H) => BodyFraming;
  reusable: (head: H, framing: BodyFraming) => boolean;
}

/** What a call came to: a head's fields, "not yet", or what it threw. */
type Outcome = { head: Record<string, unknown> } | { null: true } | { threw: string; status?: unknown; message: string } | { returned: unknown };

/** Reference outcomes by kind: 'head', 'null', the request refusal's status, or 'refused' (a response). */
export const tally = new Map<string | number, number>();
/** Calls compared so far (each made on both sides). */
export const calls = { n: 0 };

const REQUEST_FIELDS = ['length', 'method', 'target', 'httpMinor', 'raw', 'names', 'framing', 'keepAlive', 'expectContinue'];
const RESPONSE_FIELDS = ['length', 'httpMinor', 'status', 'reason', 'raw', 'names'];

function thrown(err: unknown): Outcome {
  const cls: unknown = err instanceof Error ? err.constructor : undefined;
  const message = err instanceof Error ? err.message : String(err);
  if (cls === BadRequestError) return { threw: 'BadRequestError', status: (err as BadRequestError).status, message };
  if (cls === MalformedAnswerError) return { threw: 'MalformedAnswerError', message };
  return { threw: `another error: ${err instanceof Error ? err.constructor.name : typeof err}`, message };
}

function fieldsOf(head: object, names: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of names) out[k] = k in head ? (head as Record<string, unknown>)[k] : '<missing>';
  return out;
}

function attempt(call: () => unknown, describe: (value: object) => Outcome): Outcome {
  try {
    const value = call();
    if (value === null) return { null: true };
    return typeof value === 'object' && value !== null ? describe(value) : { returned: value };
  } catch (err) {
    return thrown(err);
  }
}

const requestOutcome = (parse: RequestParser, buf: Buffer, limit: number, checked: number): Outcome =>
  attempt(() => parse(buf, limit, checked), (head) => ({ head: fieldsOf(head, REQUEST_FIELDS) }));

/** The head's fields, and for GET and HEAD the body framing the relay would use and whether it would reuse the connection. */
function responseOutcome<H extends object>(side: ResponseSide<H>, buf: Buffer, limit: number): Outcome {
  return attempt(() => side.parse(buf, limit), (value) => {
    const head = value as H;
    const fields = fieldsOf(head, RESPONSE_FIELDS);
    for (const method of ['GET', 'HEAD']) {
      try {
        const framing = side.bodyFraming(method, head);
        fields[`bodyFraming(${method})`] = framing;
        fields[`reusable(${method})`] = side.reusable(head, framing);
      } catch (err) {
        fields[`bodyFraming(${method})`] = thrown(err);
      }
    }
    return { head: fields };
  });
}

/** JSON with every char outside printable ASCII escaped (\u00a0, \u007f): obs-text and DEL print as what they are. */
export function asciiJson(value: unknown): string {
  const json = JSON.stringify(value, (_k, v: unknown) => (v === undefined ? '<undefined>' : v)) ?? 'undefined';
  return json.replace(/[\x7f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * `text` as a JSON string, exactly; a unit of up to 8 bytes repeated 16 times or more written `+ "ab".repeat(n) +`, so
 * that a 64 KiB head prints as a line that can be pasted back as a JavaScript expression.
 */
export function showInput(text: string): string {
  const parts = text.split(/((.{1,8}?)\2{15,})/s);
  const out: string[] = [];
  for (let i = 0; i < parts.length; i += 3) {
    if (parts[i] !== '') out.push(asciiJson(parts[i]));
    const run = parts[i + 1];
    const unit = parts[i + 2];
    if (run !== undefined && unit !== undefined) out.push(`${asciiJson(unit)}.repeat(${run.length / unit.length})`);
  }
  return out.length === 0 ? '""' : out.join(' + ');
}

const show = (o: Outcome): string => asciiJson(o);

function kindOf(o: Outcome): string | number {
  if ('head' in o) return 'head';
  if ('null' in o) return 'null';
  if ('threw' in o && o.threw === 'BadRequestError') return o.status as number;
  return 'refused';
}

/** `text` in a buffer of its own, between bytes a parser must not look at: one reading past its view finds a head end. */
export function viewOf(text: string): (n: number) => Buffer {
  const before = 'HTTP/1.1 200 OK\r\n\r\nGET / HTTP/1.1\r\n';
  const backing = Buffer.from(`${before}${text}\r\n\r\n`, 'latin1');
  return (n) => backing.subarray(before.length, before.length + n);
}

export interface Feeding {
  /** What is being fed, for the failure message (the seed and the mutations, or the corpus entry). */
  label: string;
  text: string;
  limit: number;
  /**
   * Where the pieces end: each call sees the bytes up to the next cut, told (requests) that the bytes up to the last
   * cut were checked, as the client connection does after a null. [n]: the first n bytes alone.
   */
  cuts: readonly number[];
}

/** Cut positions with runs of consecutive ones written a..b: a byte-at-a-time feeding of 16 KiB stays one short line. */
export function showCuts(cuts: readonly number[]): string {
  const out: string[] = [];
  for (let i = 0; i < cuts.length; ) {
    let j = i;
    while (j + 1 < cuts.length && cuts[j + 1] === (cuts[j] as number) + 1) j++;
    out.push(j - i >= 2 ? `${cuts[i]}..${cuts[j]}` : cuts.slice(i, j + 1).join(', '));
    i = j + 1;
  }
  return `[${out.join(', ')}]`;
}

function differ(side: string, f: Feeding, call: number, checked: number | null, reference: Outcome, tested: Outcome): Error {
  const at = f.cuts[call] as number;
  const how = f.cuts.length === 1 && at === f.text.length ? 'whole' : `call ${call + 1} of the pieces ending at ${showCuts(f.cuts.slice(0, call + 1))}`;
  return new Error(
    [
      `the ${side} head parser and the reference differ`,
      `  case:      ${f.label}`,
      `  input:     ${showInput(f.text)}`,
      `  fed:       ${how}: ${at} of ${f.text.length} bytes, limit ${f.limit}${checked === null ? '' : `, checked ${checked}`}`,
      `  reference: ${show(reference)}`,
      `  parser:    ${show(tested)}`,
    ].join('\n'),
  );
}

/** Feeds `f` to the reference and to `parse` alike, call by call, until the reference stops returning null. */
export function compareRequest(reference: RequestParser, parse: RequestParser, f: Feeding): Outcome {
  const view = viewOf(f.text);
  let checked = 0;
  let last: Outcome = { null: true };
  for (let call = 0; call < f.cuts.length; call++) {
    const buf = view(f.cuts[call] as number);
    const expected = requestOutcome(reference, buf, f.limit, checked);
    const got = requestOutcome(parse, buf, f.limit, checked);
    calls.n++;
    if (!isDeepStrictEqual(expected, got)) throw differ('request', f, call, checked, expected, got);
    tally.set(kindOf(expected), (tally.get(kindOf(expected)) ?? 0) + 1);
    last = expected;
    if (!('null' in expected)) break;
    checked = f.cuts[call] as number;
  }
  return last;
}

/** As compareRequest for the engine's answers: the proxy passes no `checked`, each call parses the bytes so far. */
export function compareResponse<R extends object>(reference: ResponseSide<R>, side: ResponseSide, f: Feeding): Outcome {
  const view = viewOf(f.text);
  let last: Outcome = { null: true };
  for (let call = 0; call < f.cuts.length; call++) {
    const buf = view(f.cuts[call] as number);
    const expected = responseOutcome(reference, buf, f.limit);
    const got = responseOutcome(side, buf, f.limit);
    calls.n++;
    if (!isDeepStrictEqual(expected, got)) throw differ('response', f, call, null, expected, got);
    tally.set(kindOf(expected), (tally.get(kindOf(expected)) ?? 0) + 1);
    last = expected;
    if (!('null' in expected)) break;
  }
  return last;
}

/** The kind of outcome, as corpus entries label it. */
export const outcomeKind = kindOf;

/** The head's length when the outcome is a head. */
export const headLength = (o: Outcome): number | null => ('head' in o ? (o.head.length as number) : null);
