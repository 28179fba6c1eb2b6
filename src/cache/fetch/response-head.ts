// Reading a response, pure: the status line and headers, how the body is framed and a decoder for chunked bodies
// (the half of raw-http.ts without I/O), the answer to a Range request, and the sha256 or git blob id a server
// vouches for. No I/O here, so each rule is testable on its own.

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

// `bytes A-B/TOTAL` (TOTAL may be `*`) or `bytes *` + `/TOTAL` (a 416's form); null when unreadable.
export function parseContentRange(value: string | undefined): { start: number | null; end: number | null; total: number | null } | null {
  if (value === undefined) return null;
  const m = /^\s*bytes\s+(?:(\d+)-(\d+)|\*)\/(\d+|\*)\s*$/i.exec(value);
  if (!m) return null;
  return {
    start: m[1] === undefined ? null : Number(m[1]),
    end: m[2] === undefined ? null : Number(m[2]),
    total: m[3] === '*' || m[3] === undefined ? null : Number(m[3]),
  };
}

/**
 * A 206 continues the partial only when it starts exactly where the partial ends and runs to the end of the
 * file (a CDN that caps each range would otherwise leave a truncated file that looks whole when nothing else
 * vouches for its size), and, when the manifest gives the size, only for a file of that size.
 */
export function plan206(contentRange: string | undefined, have: number, expectedSize: number | null = null): 'append' | 'restart' {
  const r = parseContentRange(contentRange);
  if (r === null || r.start !== have || r.end === null) return 'restart';
  if (r.total !== null && r.end !== r.total - 1) return 'restart';
  if (r.total !== null && expectedSize !== null && r.total !== expectedSize) return 'restart';
  return 'append';
}

/**
 * A 416 to `bytes=N-` means N is at or past the end: the partial is the whole file when the server says its
 * length is exactly N; otherwise the partial belongs to another version of the file.
 */
export function plan416(contentRange: string | undefined, have: number): 'complete' | 'restart' {
  return have > 0 && parseContentRange(contentRange)?.total === have ? 'complete' : 'restart';
}

/** A sha256 the server vouches for: X-Linked-Etag anywhere in the chain, else (Hugging Face only) an ETag. */
export function vouchedSha256(chain: ReadonlyArray<Record<string, string>>, trustEtag: boolean): string | null {
  const hex = (v: string | undefined): string | null => {
    const m = v === undefined ? null : /^(?:W\/)?"?([0-9a-fA-F]{64})"?$/.exec(v.trim());
    return m?.[1]?.toLowerCase() ?? null;
  };
  for (const h of chain) {
    const linked = hex(h['x-linked-etag']);
    if (linked) return linked;
  }
  if (!trustEtag) return null;
  for (const h of chain) {
    const etag = hex(h.etag);
    if (etag) return etag;
  }
  return null;
}

/**
 * A git blob id (40-hex sha1 of `blob <size>\0<bytes>`) the Hugging Face hub gives as the ETag of a file kept in git
 * rather than LFS (small files: config.json, tokenizer.json): something to verify when the manifest states no sha256.
 */
export function vouchedGitBlob(chain: ReadonlyArray<Record<string, string>>, trustEtag: boolean): string | null {
  if (!trustEtag) return null;
  for (const h of chain) {
    for (const v of [h['x-linked-etag'], h.etag]) {
      const m = v === undefined ? null : /^(?:W\/)?"?([0-9a-fA-F]{40})"?$/.exec(v.trim());
      if (m?.[1]) return m[1].toLowerCase();
    }
  }
  return null;
}
