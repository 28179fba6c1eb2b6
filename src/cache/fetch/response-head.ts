// What a download makes of a response, pure: the answer to a Range request, and the sha256 or git blob id a server
// vouches for. The head itself is read by the HTTP client (src/http/response-head.ts).

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
