// Dotted version comparison for compute capabilities ("8.9") and driver versions ("565.57.01").

/** Negative when a < b, 0 when equal, positive when a > b; missing segments count as 0 ("570" = "570.0.0"). */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map((s) => Number.parseInt(s, 10) || 0);
  const pb = b.split('.').map((s) => Number.parseInt(s, 10) || 0);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}
