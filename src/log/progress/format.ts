// How progress reads to a person: sizes in binary units, rates, ETAs. Pure.

import { formatBytes } from '../../format-bytes.js';

export function formatRate(bytesPerSecond: number): string {
  return `${formatBytes(bytesPerSecond)}/s`;
}

/** 125 → "2m 05s"; hours past an hour; "--" when unknown. */
export function formatDuration(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds) || seconds < 0) return '--';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = String(s % 60).padStart(2, '0');
  if (h > 0) return `${h}h ${String(m).padStart(2, '0')}m`;
  return m > 0 ? `${m}m ${sec}s` : `${s % 60}s`;
}

export interface ProgressFigures {
  label: string;
  done: number;
  total: number;
  /** Files of unknown size: `total` leaves them out. */
  unknownSizeFiles?: number;
  /** Bytes per second over the recent window. */
  rate: number;
  filesDone: number;
}

/** Seconds left at the current rate; null when it cannot be told. */
export function etaSeconds(f: Pick<ProgressFigures, 'done' | 'total' | 'rate' | 'unknownSizeFiles'>): number | null {
  if (f.total <= 0 || f.rate <= 0 || (f.unknownSizeFiles ?? 0) > 0) return null;
  return Math.max(0, (f.total - f.done) / f.rate);
}

/** "llama (vllm-bf16-tp1): 1.2 GiB / 15.0 GiB (8%), 120.0 MiB/s, ETA 1m 58s, 3 files done" */
export function progressLine(f: ProgressFigures): string {
  const unknown = f.unknownSizeFiles ?? 0;
  const pct = f.total > 0 && unknown === 0 ? ` (${Math.min(100, Math.floor((f.done / f.total) * 100))}%)` : '';
  const ofUnknown = `${unknown} file${unknown === 1 ? '' : 's'} of unknown size`;
  const of = unknown > 0 ? (f.total > 0 ? ` / ${formatBytes(f.total)} + ${ofUnknown}` : ` (${ofUnknown})`) : f.total > 0 ? ` / ${formatBytes(f.total)}` : '';
  const files = f.filesDone > 0 ? `, ${f.filesDone} file${f.filesDone === 1 ? '' : 's'} done` : '';
  return `${f.label}: ${formatBytes(f.done)}${of}${pct}, ${formatRate(f.rate)}, ETA ${formatDuration(etaSeconds(f))}${files}`;
}
