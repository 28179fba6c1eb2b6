// Reading an HTTP/1.1 response, pure: the status line and headers, how the body is framed, and a decoder for chunked
// bodies (the half of raw-http.ts without I/O). No I/O here, so each rule is testable on its own.

export interface ResponseHead {
  status: number;
  statusText: string;
  /** Lower-case names; repeated headers joined with ", " as Node's client does. */
  headers: Record<string, string>;
}

export type Framing =
  | { kind: 'none' }
  | { kind: 'length'; length: number }
  | { kind: 'chunked' }
  /** No length given: the body is whatever arrives until the server closes the connection. */
  | { kind: 'close' };

/** The most header bytes accepted before the blank line (Node's default limit is 16 KiB). */
export const MAX_HEAD_BYTES = 64 * 1024;

export class BadResponse extends Error {
  readonly code = 'HPE_INVALID_RESPONSE';
}

/** Parses the head (status line and header lines, without the blank line that ends it). */
export function parseHead(text: string): ResponseHead {
  const lines = text.split('\r\n');
  const m = /^HTTP\/1\.[01] (\d{3})(?: (.*))?$/.exec(lines[0] ?? '');
  if (!m) throw new BadResponse(`not an HTTP/1.1 status line: ${JSON.stringify((lines[0] ?? '').slice(0, 80))}`);
  const headers: Record<string, string> = {};
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    if (colon <= 0) throw new BadResponse(`malformed header line: ${JSON.stringify(line.slice(0, 80))}`);
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
  }
  return { status: Number(m[1]), statusText: m[2] ?? '', headers };
}

/** RFC 9112 §6.3, for the cases a download meets. */
export function framingOf(method: string, head: ResponseHead): Framing {
  const s = head.status;
  if (method === 'HEAD' || s === 204 || s === 304 || (s >= 100 && s < 200)) return { kind: 'none' };
  if (/\bchunked\b/i.test(head.headers['transfer-encoding'] ?? '')) return { kind: 'chunked' };
  const length = contentLength(head.headers);
  return length === null ? { kind: 'close' } : { kind: 'length', length };
}

/**
 * The body length a Content-Length header gives, null without one. Proxies and CDNs repeat the header (joined
 * as "3700, 3700" by parseHead): identical values are one (RFC 9110 §8.6); differing, negative or
 * non-numeric ones leave the body's end unknown, and are a malformed response.
 */
export function contentLength(headers: Record<string, string>): number | null {
  const value = headers['content-length'];
  if (value === undefined) return null;
  const values = new Set(value.split(',').map((v) => v.trim()));
  const [only] = values;
  const length = values.size === 1 && only !== undefined && /^\d+$/.test(only) ? Number(only) : NaN;
  if (!Number.isSafeInteger(length)) throw new BadResponse(`bad Content-Length: ${JSON.stringify(value.slice(0, 80))}`);
  return length;
}

/**
 * Decodes `Transfer-Encoding: chunked`. push() returns the data found in `buf`, copied (the caller reuses
 * its read buffers); `done` turns true after the last chunk and its trailers.
 */
export class ChunkedDecoder {
  done = false;
  private line = '';
  private left = 0;
  private state: 'size' | 'data' | 'data-crlf' | 'trailer' = 'size';

  push(buf: Buffer): Buffer[] {
    const out: Buffer[] = [];
    let i = 0;
    while (i < buf.length && !this.done) {
      if (this.state === 'data') {
        const n = Math.min(this.left, buf.length - i);
        out.push(Buffer.from(buf.subarray(i, i + n)));
        i += n;
        this.left -= n;
        if (this.left === 0) this.state = 'data-crlf';
        continue;
      }
      const nl = buf.indexOf(10, i);
      const end = nl < 0 ? buf.length : nl + 1;
      this.line += buf.toString('latin1', i, end);
      i = end;
      if (this.line.length > 4096) throw new BadResponse('chunk size line too long');
      if (nl < 0) break;
      const line = this.line.replace(/\r?\n$/, '');
      this.line = '';
      if (this.state === 'data-crlf') {
        if (line !== '') throw new BadResponse('missing CRLF after a chunk');
        this.state = 'size';
      } else if (this.state === 'size') {
        const m = /^([0-9a-fA-F]{1,15})(?:;.*)?$/.exec(line.trim());
        if (!m) throw new BadResponse(`bad chunk size: ${JSON.stringify(line.slice(0, 40))}`);
        this.left = parseInt(m[1]!, 16);
        this.state = this.left === 0 ? 'trailer' : 'data';
      } else if (line === '') {
        this.done = true; // the blank line after the (usually absent) trailers
      }
    }
    return out;
  }
}
