// Download rate over a sliding window, so a stall shows as a falling rate and a resumed file's instant jump
// fades out. Sampled on each render, not on each chunk: add() stays a counter increment.

export interface RateMeter {
  /** Records the running total at time `t` (ms) and returns bytes per second over the window. */
  sample(t: number, total: number): number;
}

export function createRateMeter(windowMs = 10_000): RateMeter {
  const samples: Array<{ t: number; total: number }> = [];
  return {
    sample(t, total) {
      samples.push({ t, total });
      while (samples.length > 2 && samples[0]!.t < t - windowMs) samples.shift();
      const first = samples[0]!;
      const dt = t - first.t;
      return dt > 0 ? Math.max(0, ((total - first.total) * 1000) / dt) : 0;
    },
  };
}
