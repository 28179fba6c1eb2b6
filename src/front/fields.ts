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

const isOws = (c: number): boolean => c === 32 || c === 9;

/**
 * Where the blank line ending a head starts in buf (the index of its CRLFCRLF), looking from `from`; -1: not yet.
 * A loop over the bytes rather than buf.indexOf: a head is a few hundred bytes, and the call into C++ cost more than
 * the scan.
 */
export function headEnd(buf: Buffer, from: number): number {
  const last = buf.length - 4;
  for (let i = from < 0 ? 0 : from; i <= last; i++) {
    const c = buf[i + 3];
    if (c !== 10) {
      // no LF three bytes on: no CRLFCRLF starts at i; and none up to i + 3 when that byte is not a CR either
      if (c !== 13) i += 3;
      continue;
    }
    if (buf[i] === 13 && buf[i + 1] === 10 && buf[i + 2] === 13) return i;
  }
  return -1;
}

/** What each byte may be: 1 a token character (a field name, a method), 2 a field value's only, 0 neither (RFC 9110 §5.5, §5.6.2). */
const CHAR_CLASS = (() => {
  const t = new Uint8Array(256);
  for (let c = 0x20; c <= 0xff; c++) if (c !== 0x7f) t[c] = 2;
  t[9] = 2;
  for (const c of "!#$%&'*+-.^_`|~") t[c.charCodeAt(0)] = 1;
  for (let c = 48; c <= 57; c++) t[c] = 1;
  for (let c = 65; c <= 90; c++) t[c] = 1;
  for (let c = 97; c <= 122; c++) t[c] = 1;
  return t;
})();

/** A token character (RFC 9110 §5.6.2). */
export const isTokenChar = (c: number): boolean => CHAR_CLASS[c] === 1;

/**
 * The field lines of `text` (a head's latin1 text without its blank line) from index `from`, each ending at a CRLF or
 * at the text's end; `bad(line)` is thrown for a malformed one. One pass over each line's characters: a head is
 * parsed per request, and a split into lines and two regular expressions per line were most of its cost. A bare CR
 * or LF is malformed wherever it is.
 */
export function parseFields(text: string, from: number, bad: (line: string) => Error): Fields {
  const raw: string[] = [];
  const names: string[] = [];
  const n = text.length;
  const malformed = (at: number): Error => {
    const next = text.indexOf('\r\n', at);
    return bad(text.slice(at, next < 0 ? n : next));
  };
  let pos = from;
  while (pos < n) {
    let i = pos;
    let upper = false;
    for (; i < n; i++) {
      const c = text.charCodeAt(i);
      if (CHAR_CLASS[c] !== 1) break;
      if (c <= 90 && c >= 65) upper = true;
    }
    // a name of token characters, then the colon: a space before it, or no colon at all, is malformed
    if (i === pos || text.charCodeAt(i) !== 58) throw malformed(pos);
    // the value, without the spaces and tabs around it; it ends at the line's CR
    let a = i + 1;
    while (a < n && isOws(text.charCodeAt(a))) a++;
    let b = a;
    let j = a;
    for (; j < n; j++) {
      const c = text.charCodeAt(j);
      if (c === 13) break;
      if (CHAR_CLASS[c] === 0) throw malformed(pos);
      if (c !== 32 && c !== 9) b = j + 1;
    }
    if (j < n && text.charCodeAt(j + 1) !== 10) throw malformed(pos);
    const name = text.slice(pos, i);
    raw.push(name, text.slice(a, b));
    names.push(upper ? name.toLowerCase() : name);
    pos = j + 2;
  }
  return { raw, names };
}

/** Every value of field `name` (lower case). Plain loops here and below: they run several times per request. */
export function headerValues(f: Fields, name: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < f.names.length; i++) if (f.names[i] === name) out.push(f.raw[2 * i + 1] as string);
  return out;
}

/** s[a, b) without the spaces and tabs around it. */
function trimOws(s: string, a: number, b: number): string {
  while (a < b && isOws(s.charCodeAt(a))) a++;
  while (b > a && isOws(s.charCodeAt(b - 1))) b--;
  return s.slice(a, b);
}

/**
 * The comma-separated tokens of `values`, lower case, empty ones left out (Connection, Transfer-Encoding). Trimmed
 * of spaces and tabs only (RFC 9110 §5.6.1): String.trim also took a NBSP (0xa0), which the field grammar keeps as
 * data, so that "chunked\xa0" read as chunked here and as an unknown coding to a proxy that does not strip it.
 */
export function listTokens(values: readonly string[]): string[] {
  const out: string[] = [];
  for (const v of values) {
    let from = 0;
    while (from <= v.length) {
      let comma = v.indexOf(',', from);
      if (comma < 0) comma = v.length;
      const token = trimOws(v, from, comma).toLowerCase();
      if (token !== '') out.push(token);
      from = comma + 1;
    }
  }
  return out;
}
