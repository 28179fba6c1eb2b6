// Download progress for people and for log collectors: an ora spinner with bytes, rate and ETA on a terminal;
// a plain line every few seconds on a pipe (container logs); JSON lines under NIM_JSONL_LOGGING=1.
// add() is called per chunk and only counts; drawing happens on a timer.
import { formatBytes } from '../../format-bytes.js';
import { jsonLogLine } from '../logger.js';
import { formatDuration, etaSeconds, progressLine, type ProgressFigures } from './format.js';
import { createRateMeter } from './rate.js';
import { ttyStream } from './tty-stream.js';

export interface Progress {
  /** Bytes written (negative: bytes thrown away, e.g. a file fetched again). */
  add(bytes: number): void;
  fileDone(name: string): void;
  /** A line of its own (a wait on another process's lock), kept clear of the spinner. */
  note(line: string): void;
  /** `fetched`: the bytes that came over the network in this run (the rest of what add() counted was on disk). */
  finish(fetched?: number): void;
  fail(): void;
}

export interface ProgressOptions {
  stderr: (s: string) => void;
  isTTY: boolean;
  jsonl: boolean;
  /** Bytes to reach, of the files whose size is known before the first byte. */
  totalBytes: number;
  /** Files whose size nothing told: the total leaves them out, so no percentage or ETA is shown. */
  unknownSizeFiles?: number;
  label: string;
  /** NO_COLOR: a spinner without colour (ora colours it whatever the environment says). */
  noColor?: boolean;
  /** Milliseconds between lines on a pipe and JSON lines (default 5000); the spinner redraws every 200. */
  intervalMs?: number;
  now?: () => number;
}

interface Spinner {
  text: string;
  start(): unknown;
  clear(): unknown;
  render(): unknown;
  stopAndPersist(o: { symbol: string; text: string }): unknown;
}

export function createProgress(opts: ProgressOptions): Progress {
  const now = opts.now ?? Date.now;
  const began = now();
  const meter = createRateMeter();
  meter.sample(began, 0);
  let done = 0;
  let filesDone = 0;
  let lastFile: string | null = null;
  let ended = false;
  const figures = (): ProgressFigures => {
    const rate = meter.sample(now(), done);
    return { label: opts.label, done, total: opts.totalBytes, unknownSizeFiles: opts.unknownSizeFiles ?? 0, rate, filesDone };
  };
  const json = (level: 'info' | 'error', event: string, extra: Record<string, unknown>): void =>
    opts.stderr(jsonLogLine(level, event, { label: opts.label, ...extra }, new Date(now())));
  const jsonFigures = (f: ProgressFigures) => ({
    bytes: f.done, total: f.total, unknown_size_files: f.unknownSizeFiles, rate_bps: Math.round(f.rate), eta_s: roundOrNull(etaSeconds(f)), files_done: f.filesDone,
  });
  // Fetched now and already on disk (a resumed partial, a local copy) kept apart: "downloaded" is only the former.
  let fetchedNow: number | null = null;
  const summary = (): string => {
    const secs = (now() - began) / 1000;
    const fetched = fetchedNow ?? done;
    const avg = secs > 0 ? fetched / secs : 0;
    const before = done - fetched;
    return `${opts.label}: ${formatBytes(fetched)} in ${formatDuration(secs)} (${formatBytes(avg)}/s)` +
      (before > 0 ? `; ${formatBytes(before)} more were already here (resumed)` : '');
  };

  let spinner: Spinner | null = null;
  const tick = (): void => {
    if (ended) return;
    const f = figures();
    if (opts.jsonl) json('info', 'download_progress', { message: progressLine(f), ...jsonFigures(f) });
    else if (opts.isTTY) {
      if (spinner) spinner.text = progressLine(f) + (lastFile ? ` — ${lastFile}` : '');
    } else opts.stderr(`${progressLine(f)}\n`);
  };
  const timer = setInterval(tick, opts.isTTY && !opts.jsonl ? 200 : (opts.intervalMs ?? 5000));
  timer.unref();

  if (opts.isTTY && !opts.jsonl) {
    // ora is loaded only when a terminal will show it: `nimlet gpus --json` never pays for it.
    // A failure to load ora leaves plain lines: the final one is still printed by end().
    void import('ora').then(
      ({ default: ora }) => {
        if (ended) return;
        spinner = ora({ text: progressLine(figures()), stream: ttyStream(opts.stderr), discardStdin: false, isEnabled: true, color: opts.noColor ? false : 'cyan' });
        spinner.start();
      },
      () => undefined,
    );
  }

  const end = (ok: boolean): void => {
    if (ended) return;
    const f = figures();
    ended = true;
    clearInterval(timer);
    if (opts.jsonl) {
      json(ok ? 'info' : 'error', ok ? 'download_done' : 'download_failed', { message: ok ? summary() : progressLine(f), ...jsonFigures(f) });
      return;
    }
    const text = ok ? `downloaded ${summary()}` : `download stopped: ${progressLine(f)}`;
    if (spinner) {
      // Our own symbols rather than ora's succeed()/fail(): log-symbols swaps in √ and × on terminals it guesses
      // lack Unicode (TERM=linux), and colours them unless the process's own environment says NO_COLOR. The
      // line reads the same on every terminal; colour (green/red) only when NO_COLOR is not set.
      const symbol = ok ? '✔' : '✖';
      spinner.stopAndPersist({ symbol: opts.noColor ? symbol : `\x1b[${ok ? 32 : 31}m${symbol}\x1b[39m`, text });
    } else {
      opts.stderr(`${text}\n`);
    }
  };

  return {
    add(bytes) {
      done += bytes;
    },
    fileDone(name) {
      filesDone++;
      lastFile = name;
      if (opts.jsonl) json('info', 'download_file_done', { file: name, bytes: done, total: opts.totalBytes, files_done: filesDone });
    },
    note(line) {
      if (opts.jsonl) json('info', 'lock_wait', { message: line });
      else if (spinner && !ended) {
        spinner.clear();
        opts.stderr(`${line}\n`);
        spinner.render();
      } else opts.stderr(`${line}\n`);
    },
    finish: (fetched) => {
      if (fetched !== undefined) fetchedNow = fetched;
      end(true);
    },
    fail: () => end(false),
  };
}

function roundOrNull(n: number | null): number | null {
  return n === null ? null : Math.round(n);
}
