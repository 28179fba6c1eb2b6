// Reading a server's answer to `Range: bytes=N-`. Pure.

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
