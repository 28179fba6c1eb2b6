// nimlet's log lines on stderr: plain text for people, or one JSON object per line under NIM_JSONL_LOGGING=1
// (`{"time","level","event","message",…}`, the shape the download progress uses too). Every line goes through
// redaction last, so a secret that slipped into a message or a field still never reaches the log.
import type { LogLevel } from '../config/env.js';
import { redactText } from './redact.js';

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warning: 30, error: 40 };

export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(event: string, message: string, fields?: LogFields): void;
  info(event: string, message: string, fields?: LogFields): void;
  warning(event: string, message: string, fields?: LogFields): void;
  error(event: string, message: string, fields?: LogFields): void;
}

export interface LoggerOptions {
  write: (text: string) => void;
  jsonl: boolean;
  level: LogLevel;
  secrets?: readonly (string | null | undefined)[];
  now?: () => Date;
}

/**
 * The one shape of a JSON log line, whoever writes it (this logger, the download progress, the cache's notes, the
 * CLI's last error): `time`, `level`, `event` first, then the event's own fields.
 */
export function jsonLogLine(level: LogLevel, event: string, fields: LogFields, time: Date = new Date()): string {
  return JSON.stringify({ time: time.toISOString(), level, event, ...fields }) + '\n';
}

export function createLogger(opts: LoggerOptions): Logger {
  const now = opts.now ?? (() => new Date());
  const secrets = opts.secrets ?? [];
  const emit = (level: LogLevel, event: string, message: string, fields: LogFields = {}): void => {
    if (RANK[level] < RANK[opts.level]) return;
    const line = opts.jsonl ? jsonLogLine(level, event, { message, ...fields }, now()) : `${message}\n`;
    opts.write(redactText(line, secrets));
  };
  return {
    debug: (e, m, f) => emit('debug', e, m, f),
    info: (e, m, f) => emit('info', e, m, f),
    warning: (e, m, f) => emit('warning', e, m, f),
    error: (e, m, f) => emit('error', e, m, f),
  };
}
