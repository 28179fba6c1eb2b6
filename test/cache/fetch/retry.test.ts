import { describe, expect, it } from 'vitest';
import { DEFAULT_TUNING } from '../../../src/config/downloads.js';
import { readSettings } from '../../../src/config/env.js';
import { classifyStatus, isRetryableStatus, parseRetryAfter, retryDelayMs, type Attempted } from '../../../src/cache/fetch/failures.js';
import { NimletError } from '../../../src/errors.js';
import { parseContentRange, plan206, plan416, vouchedSha256 } from '../../../src/cache/fetch/response-head.js';

const now = Date.parse('2025-01-01T00:00:00Z');

describe('retry policy', () => {
  it.each<[string | undefined, number | null]>([
    ['5', 5000], [' 0 ', 0], ['Wed, 01 Jan 2025 00:00:30 GMT', 30_000], ['Tue, 31 Dec 2024 00:00:00 GMT', 0], ['soon', null], [undefined, null],
  ])('Retry-After %j → %j ms', (v, ms) => expect(parseRetryAfter(v, now)).toBe(ms));

  it.each([[408, true], [429, true], [500, true], [502, true], [503, true], [504, true], [507, true], [520, true], [522, true], [599, true],
    [400, false], [401, false], [404, false], [501, false], [505, false], [600, false]])(
    'status %i retryable: %s', (s, r) => expect(isRetryableStatus(s)).toBe(r));

  it('backoff doubles with jitter between half and the whole, capped', () => {
    const t = { ...DEFAULT_TUNING, baseDelayMs: 1000, maxDelayMs: 5000 };
    expect([1, 2, 3, 4].map((f) => retryDelayMs(f, t, null, 0))).toEqual([500, 1000, 2000, 2500]);
    expect([1, 2, 3, 4].map((f) => retryDelayMs(f, t, null, 1))).toEqual([1000, 2000, 4000, 5000]);
  });

  it('Retry-After wins when longer, up to its cap', () => {
    const t = { ...DEFAULT_TUNING, baseDelayMs: 10, maxRetryAfterMs: 60_000 };
    expect(retryDelayMs(1, t, 7000, 0.5)).toBe(7000);
    expect(retryDelayMs(1, t, 3_600_000, 0.5)).toBe(60_000);
    expect(retryDelayMs(1, t, 0, 1)).toBe(10);
  });

  it('reads its knobs from the environment with the other settings; a bad one names the variable (exit 78)', () => {
    const retry = (env: Record<string, string>) => readSettings({ HOME: '/tmp', ...env }, '/').downloads.retry;
    expect(retry({ NIMLET_RETRY_BASE_MS: '5', NIMLET_RETRY_ATTEMPTS: '3' })).toMatchObject({ baseDelayMs: 5, attempts: 3 });
    expect(() => retry({ NIMLET_RETRY_ATTEMPTS: 'many' })).toThrow(/NIMLET_RETRY_ATTEMPTS/);
  });
});

describe('the status classifier (one verdict for the one-stream, ranged and HEAD loops)', () => {
  const a: Attempted = { label: 'w.bin (profile p)', file: 'w.bin', credential: 'HF_TOKEN', tokenSent: true, settings: { ngcApiKey: null, hfToken: 'hf_abcdef' } };
  const verdict = (status: number, failures = 0): string => {
    try {
      return `retry: ${classifyStatus(a, status, 'Text', 'https://cdn.example/w.bin?sig=hf_abcdef', failures)}`;
    } catch (e) {
      if (!(e instanceof NimletError)) throw e;
      return `${e.exitCode} ${e.message}`;
    }
  };
  it.each<[number, string]>([
    [401, '77 HTTP 401 for w.bin (profile p) from https://cdn.example/w.bin: HF_TOKEN was refused'],
    [403, '77 HTTP 403 for w.bin (profile p) from https://cdn.example/w.bin: HF_TOKEN was refused'],
    [404, '66 w.bin not found (HTTP 404) for w.bin (profile p) at https://cdn.example/w.bin'],
    [410, '66 w.bin not found (HTTP 410) for w.bin (profile p) at https://cdn.example/w.bin'],
    [400, '75 downloading w.bin (profile p) failed after 3 attempt(s): HTTP 400 Text from https://cdn.example'],
    [501, '75 downloading w.bin (profile p) failed after 3 attempt(s): HTTP 501 Text from https://cdn.example'],
    [503, 'retry: HTTP 503 Text from https://cdn.example'],
    [429, 'retry: HTTP 429 Text from https://cdn.example'],
    [416, 'retry: HTTP 416 Text from https://cdn.example'], // a ranged piece asked again; the one-stream loop reads 416 itself
  ])('%i → %s', (status, want) => expect(verdict(status, 2)).toBe(want));
});

describe('ranges', () => {
  it.each([
    ['bytes 10-19/20', { start: 10, end: 19, total: 20 }], ['bytes */20', { start: null, end: null, total: 20 }],
    ['bytes 0-9/*', { start: 0, end: 9, total: null }], ['items 1-2/3', null],
  ])('%s', (v, want) => expect(parseContentRange(v)).toEqual(want));
  it.each<[string | undefined, number, number | null, 'append' | 'restart']>([
    ['bytes 10-19/20', 10, null, 'append'],
    ['bytes 10-19/20', 10, 20, 'append'],
    ['bytes 10-19/*', 10, null, 'append'], // no total to hold it to; the size and sha256 checks still apply
    ['bytes 0-19/20', 10, null, 'restart'], // starts elsewhere
    ['bytes 10-14/20', 10, null, 'restart'], // a capped range: the file would end truncated
    ['bytes 0-1048575/4194304', 0, null, 'restart'], // a 206 to a request without Range, capped
    ['bytes 10-29/30', 10, 20, 'restart'], // another size than the manifest's
    [undefined, 10, null, 'restart'],
  ])('206 with Content-Range %j for a partial of %i (size %j): %s', (range, have, size, plan) => expect(plan206(range, have, size)).toBe(plan));
  it('416 is complete only when the total equals the partial', () => {
    expect(plan416('bytes */20', 20)).toBe('complete');
    expect(plan416('bytes */30', 20)).toBe('restart');
    expect(plan416('bytes */0', 0)).toBe('restart');
  });
});

describe('sums', () => {
  it('takes X-Linked-Etag anywhere in the chain, an ETag only when trusted, and only 64-hex values', () => {
    const sha = 'ab'.repeat(32);
    expect(vouchedSha256([{ 'x-linked-etag': `"${sha}"` }, { etag: '"x"' }], false)).toBe(sha);
    expect(vouchedSha256([{}, { etag: `W/"${sha.toUpperCase()}"` }], true)).toBe(sha);
    expect(vouchedSha256([{}, { etag: `"${sha}"` }], false)).toBeNull();
    expect(vouchedSha256([{ 'x-linked-etag': '"abc"' }], true)).toBeNull();
  });
});
