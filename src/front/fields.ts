// Header fields as both of the front's parsers read them (RFC 9110 §5, RFC 9112 §5): the client's request head
// (request-head.ts) and the engine's response head (response-head.ts). Names are tokens, values visible ASCII,
// spaces, tabs and obs-text, trimmed of spaces and tabs; anything else (obs-fold, a space before the colon, a line
// without one, a control character) is refused: two parsers could split or join such a line differently.

export interface Fields {
  /** Names and values in the order sent: [name, value, name, value, …]. */
  raw: string[];
  /** Each field's name in lower case (names[i] is raw[2i]'s), lowered once: every decision reads them. */
  names: string[];
}

/** A head's end, as a Buffer: indexOf with a string needle converts it on every call. */
export const HEAD_END = Buffer.from('\r\n\r\n', 'latin1');

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const FIELD_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

const isOws = (c: number): boolean => c === 32 || c === 9;

/** line[from…] without the spaces and tabs around it (a loop: a replace with a regex was a tenth of a head's parse). */
function trimmedValue(line: string, from: number): string {
  let a = from;
  let b = line.length;
  while (a < b && isOws(line.charCodeAt(a))) a++;
  while (b > a && isOws(line.charCodeAt(b - 1))) b--;
  return line.slice(a, b);
}

/**
 * The field lines lines[from…]; `bad(line)` is thrown for a malformed one. A bare CR or LF left inside a line (lines
 * are split at CRLF) fails the name or the value test: no line of a parsed head holds one.
 */
export function parseFieldLines(lines: readonly string[], from: number, bad: (line: string) => Error): Fields {
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

/** Every value of field `name` (lower case). Plain loops here and below: they run several times per request. */
export function headerValues(f: Fields, name: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < f.names.length; i++) if (f.names[i] === name) out.push(f.raw[2 * i + 1] as string);
  return out;
}

/** How many fields are named `name` (lower case). */
export function countFields(f: Fields, name: string): number {
  let n = 0;
  for (const x of f.names) if (x === name) n++;
  return n;
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
