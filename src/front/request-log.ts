// One JSON line per request under NIM_JSONL_LOGGING=1 (DESIGN §11): what was asked and how it ended, never a
// header value (they carry API keys) and never the query string (some clients put a key there).
import type { Logger } from '../log/logger.js';

export interface RequestRecord {
  method: string;
  path: string;
  status: number;
  durationMs: number;
  /** Bytes of the response body sent. */
  bytes: number;
  /** false when the client or the engine went away before the end. */
  completed: boolean;
}

export type RequestLog = (r: RequestRecord) => void;

export function createRequestLog(logger: Logger): RequestLog {
  return (r) => logger.info('request', `${r.method} ${r.path} ${r.status}`, {
    method: r.method, path: r.path, status: r.status, durationMs: Math.round(r.durationMs * 10) / 10, bytes: r.bytes, completed: r.completed,
  });
}
