// Sizes as people read them, in binary units: the one formatter for progress, summaries, listings and errors.

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'] as const;

/** 1536 → "1.5 KiB"; whole bytes below 1 KiB. */
export function formatBytes(n: number): string {
  let v = Math.max(0, n);
  let u = 0;
  while (v >= 1024 && u < UNITS.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${Math.round(v)} B` : `${v.toFixed(1)} ${UNITS[u]}`;
}

/** For errors where the exact figure matters (disk space): "1.5 KiB (1536 bytes)". */
export function formatBytesExact(n: number): string {
  return n < 1024 ? `${n} B` : `${formatBytes(n)} (${n} bytes)`;
}
