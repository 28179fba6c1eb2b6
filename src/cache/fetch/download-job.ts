// What one file's HTTP download is given and hands back: declared apart from http-download.ts so that the ranged
// path, which it calls, can name them without an import loop.
import type { Env, Settings } from '../../config/env.js';
import type { Credential } from './resolve.js';
import type { RetryTuning } from './retry.js';

export interface HttpDownload {
  url: string;
  credential: Credential | null;
  token: string | null;
  /** Trust a 64-hex ETag as the sha256 (Hugging Face). */
  trustEtag: boolean;
  partialPath: string;
  file: string;
  label: string;
  expectedSize: number | null;
  /** When the partial is already whole and matches this, no request is made at all. */
  expectedSha256: string | null;
  settings: Settings;
  env: Env;
  tuning: RetryTuning;
  signal: AbortSignal;
  onBytes: (n: number) => void;
  /** Counts every HTTP exchange started (redirect chains count once). */
  countRequest: () => void;
  /** Counts body bytes received over the network (not those a resume found in the partial). */
  countBytes: (n: number) => void;
}

export interface Downloaded {
  bytes: number;
  sha256: string;
  vouched: string | null;
  /** The git blob id the source gave (Hugging Face, files kept in git): checked when nothing else vouches. */
  gitBlob?: string | null;
  tooMany: boolean;
}
