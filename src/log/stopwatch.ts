// Times the start-up stages (manifest, probe, select, cache, total) for the summary.
export type Stage = 'manifest' | 'probe' | 'select' | 'cache';

export interface Stopwatch {
  /** Runs `work`, adding its duration to `stage`. */
  time<T>(stage: Stage, work: () => Promise<T>): Promise<T>;
  /** Adds a duration measured elsewhere. */
  add(stage: Stage, ms: number): void;
  /** Milliseconds per stage, and the total since the stopwatch started. */
  read(): Record<Stage | 'total', number>;
}

export function startStopwatch(clock: () => number = () => performance.now()): Stopwatch {
  const start = clock();
  const stages: Record<Stage, number> = { manifest: 0, probe: 0, select: 0, cache: 0 };
  const round = (ms: number): number => Math.round(ms * 10) / 10;
  return {
    async time(stage, work) {
      const t0 = clock();
      try {
        return await work();
      } finally {
        stages[stage] += clock() - t0;
      }
    },
    add(stage, ms) {
      stages[stage] += ms;
    },
    read() {
      return {
        manifest: round(stages.manifest),
        probe: round(stages.probe),
        select: round(stages.select),
        cache: round(stages.cache),
        total: round(clock() - start),
      };
    },
  };
}
